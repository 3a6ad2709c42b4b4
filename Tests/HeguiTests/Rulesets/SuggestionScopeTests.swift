import Foundation
import Hegui
import Testing

/// Suggestions offered only where they suit: a food rewrite (均衡饮食) is not offered for a
/// skincare claim, and with no category only the rewrites that suit every product are.
@Suite("Scoped suggestions")
struct SuggestionScopeTests {
  static let pack = """
    version: 1
    pack: t
    name: 测试
    rules:
      - id: t.claim
        kind: lexicon
        severity: block
        message: “{match}”
        suggestions:
          - 日常养护
          - {text: 均衡饮食, categories: [food]}
          - {text: 温和不刺激, not_categories: [food]}
          - {text: 直播间专享, contexts: [livestream]}
        terms: [治疗失眠]
    """
  static let categories = """
    version: 1
    pack: cat
    name: 类目
    categories:
      - id: food
        names: [食品]
        individual: forbidden
      - id: cosmetics
        names: [化妆品]
        individual: allowed
    """

  func suggestions(_ context: CheckContext) throws -> [String] {
    let checker = Checker(ruleset: try Ruleset.load(files: ["t.yml": Self.pack, "cat.yml": Self.categories]))
    let finding = try #require(checker.check("这款能治疗失眠", context: context).findings.first)
    return finding.suggestions
  }

  @Test("each check gets the suggestions whose scope holds: category, excluded category, context")
  func scoped() throws {
    #expect(try suggestions(CheckContext(.description, category: "food")) == ["日常养护", "均衡饮食"])
    #expect(try suggestions(CheckContext(.description, category: "化妆品")) == ["日常养护", "温和不刺激"])
    #expect(try suggestions(CheckContext(.livestream)) == ["日常养护", "温和不刺激", "直播间专享"])
    #expect(try suggestions(CheckContext(.title)) == ["日常养护", "温和不刺激"])
  }

  @Test("the rule lists every suggestion with its scope")
  func ruleKeepsAll() throws {
    let ruleset = try Ruleset.load(files: ["t.yml": Self.pack, "cat.yml": Self.categories])
    let rule = try #require(ruleset.rule(withID: "t.claim"))
    #expect(rule.suggestions == ["日常养护", "均衡饮食", "温和不刺激", "直播间专享"])
    #expect(rule.suggestionScopes.count == 4)
    #expect(rule.suggestionScopes[0] == nil)
    #expect(rule.suggestionScopes[1]?.categories == ["food"])
  }

  @Test("a scoped suggestion needs text and a scope, and names only known categories")
  func loadErrors() {
    func load(_ suggestion: String) -> String {
      let yaml = Self.pack.replacingOccurrences(of: "      - {text: 均衡饮食, categories: [food]}", with: suggestion)
      do {
        _ = try Ruleset.load(files: ["t.yml": yaml, "cat.yml": Self.categories])
        return ""
      } catch {
        return "\(error)"
      }
    }
    #expect(load("      - {text: 均衡饮食}").contains("needs contexts, categories or not_categories"))
    #expect(load("      - {categories: [food]}").contains("text"))
    #expect(load("      - {text: 均衡饮食, categories: [no-such]}").contains("no-such"))
    #expect(load("      - {text: 均衡饮食, colour: red}").contains("colour"))
  }

  @Test("shipped rules: no food rewrite for a skincare claim, and it is offered for food")
  func shipped() throws {
    let checker = Checker(ruleset: try Ruleset.shipped())
    let skincare = checker.check("这瓶精华能预防湿疹", context: CheckContext(.description, category: "cosmetics"))
    let onSkin = try #require(skincare.findings.first { $0.ruleID == "adlaw.medical.disease-prevention" })
    #expect(!onSkin.suggestions.contains("均衡饮食"))
    #expect(onSkin.suggestions.contains("日常养护"))
    let food = checker.check("这款燕麦片能预防糖尿病", context: CheckContext(.description, category: "food"))
    let onFood = try #require(food.findings.first { $0.ruleID == "adlaw.medical.disease-prevention" })
    #expect(onFood.suggestions.contains("均衡饮食"))
  }
}
