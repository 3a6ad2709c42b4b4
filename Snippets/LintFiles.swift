// Lint a script the way `hegui lint` does and render the report as `hegui lint --format line`.
import Hegui
import HeguiLint

// snippet.show
var options = LintOptions()
options.splitter.defaults = CheckContext(category: "化妆品")  // what the files do not say
let linter = Linter(checker: Checker(ruleset: try Ruleset.shipped()), options: options)

let script = """
  欢迎来到直播间
  这款精华七天美白，全网最低价
  """
let file = linter.lint(text: script, path: "beauty.txt", format: .script)
let report = LintReport(files: [file], ruleset: linter.checker.ruleset, toolVersion: "docs")
print(report.render(.line), terminator: "")  // beauty.txt:2:6:review:cosmetics.special-efficacy:…
print(report.summary)
// snippet.end
