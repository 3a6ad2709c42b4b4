// Check a listing's title, description and facts together: a category finding is said once.
import Hegui

// snippet.show
let checker = Checker(ruleset: try Ruleset.shipped())
let listing = Listing(
  id: "sku-1001", title: "手工牛肉干 全网最低价", description: "草原散养黄牛，真空包装", category: "食品",
  shopSubject: .individual)
let result = checker.check(listing: listing)

for finding in result.metadata {
  print("facts:", finding.ruleID, finding.severity, finding.message)  // 个人主体不得销售食品
}
for field in result.fields {
  for finding in field.result.findings {
    print(field.field, finding.ruleID, "“\(finding.match)”")  // title adlaw.absolute.lowest-price “全网最低价”
  }
}
print(result.verdict)  // block
// snippet.end
