// Check one livestream line with the shipped rules and print every finding.
import Hegui

// snippet.show
let checker = Checker(ruleset: try Ruleset.shipped())  // build once, share across tasks
let result = checker.check(
  "今天全網最低價，冲！",
  context: CheckContext(.livestream, shopSubject: .enterprise, category: "食品", licences: ["食品经营许可证"]))

for finding in result.findings {
  // adlaw.absolute.lowest-price block “全網最低價” 1:3
  print(finding.ruleID, finding.severity, "“\(finding.match)”", finding.span?.line ?? 0, finding.span?.column ?? 0)
  print("  ", finding.message, finding.basis, finding.suggestions)
}
print(result.verdict)  // block
// snippet.end
