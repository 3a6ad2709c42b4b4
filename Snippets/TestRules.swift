// Run a ruleset's own examples as regression tests, as `hegui rules test` does.
import Hegui
import HeguiTesting

// snippet.show
let rules = """
  version: 1
  pack: acme
  name: 某品牌内部用语规范
  rules:
    - id: acme.rival-name
      kind: lexicon
      severity: review
      message: 直播中提到竞品品牌“{match}”，请确认是否构成比较广告
      basis: 《广告法》第十三条
      terms: [某某牌]
      examples:
        trigger: [这个比⟦某某牌⟧好用多了, ⟦某某牌⟧卖得贵]
        pass: [我们自己的品牌, 某某品牌的故事]
  """
let ruleset = try Ruleset.load(files: ["acme.yml": rules])
let runner = RuleTestRunner(ruleset: ruleset)
let results = runner.cases().cases.map { runner.run($0) }
print(results.filter(\.passed).count, "passed,", results.filter { !$0.passed }.count, "failed")
// snippet.end
