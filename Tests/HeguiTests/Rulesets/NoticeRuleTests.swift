import Foundation
import Hegui
import Testing

/// Category rules with `check: notice`: an advertisement of a category that must carry a notice
/// (保健食品: 本品不能代替药物, 《广告法》第十八条第二款) and does not.
@Suite("Notice rules: text that must be present")
struct NoticeRuleTests {
  static let checker: Checker? = (try? Ruleset.shipped()).map { Checker(ruleset: $0) }
  static let rule = "health.missing-notice"

  func notices(_ text: String, _ context: CheckContext) -> [Finding] {
    guard let checker = Self.checker else {
      Issue.record("the shipped rules do not load")
      return []
    }
    return checker.check(text, context: context).findings.filter { $0.ruleID == Self.rule }
  }

  @Test("a health-food description without the notice gets one review finding, without a span, on its description")
  func missing() throws {
    let found = notices("深海鱼油软胶囊，每日两次，每次一粒", CheckContext(.description, category: "health-food"))
    #expect(found.count == 1)
    let finding = try #require(found.first)
    #expect(finding.severity == .review)
    #expect(finding.span == nil)
    #expect(finding.field == "description")
    #expect(finding.message.contains("保健食品"))
    #expect(finding.suggestions == ["本品不能代替药物"])
  }

  @Test(
    "the notice in any spelling the normaliser folds counts",
    arguments: [
      "鱼油软胶囊。本品不能代替药物。", "鱼油软胶囊。本品不能代替藥物。", "鱼油软胶囊。本品不能代替　药物",
      "鱼油软胶囊。本品不*能*代*替*药*物", "保健食品不是药物，不能代替药物治疗疾病",
    ])
  func present(text: String) {
    #expect(notices(text, CheckContext(.description, category: "health-food")).isEmpty, "\(text)")
  }

  @Test("only a whole advertisement of the category is read: not a title, a caption, other goods or no category")
  func scope() {
    let text = "深海鱼油软胶囊，每日两次"
    #expect(notices(text, CheckContext(.title, category: "health-food")).isEmpty)
    #expect(notices(text, CheckContext(.caption, category: "health-food")).isEmpty)
    #expect(notices(text, CheckContext(.livestream, category: "health-food")).isEmpty)
    #expect(notices(text, CheckContext(.description, category: "food")).isEmpty)
    #expect(notices(text, CheckContext(.description)).isEmpty)
  }

  @Test(
    "a listing is read whole: the notice in its title or description counts; a listing without a description is skipped"
  )
  func listing() throws {
    let checker = try #require(Self.checker)
    func found(_ listing: Listing) -> [Finding] {
      checker.check(listing: listing).metadata.filter { $0.ruleID == Self.rule }
    }
    let context = "health-food"
    #expect(found(Listing(title: "深海鱼油软胶囊", description: "每日两次，每次一粒", category: context)).count == 1)
    #expect(found(Listing(title: "深海鱼油 本品不能代替药物", description: "每日两次", category: context)).isEmpty)
    #expect(found(Listing(title: "深海鱼油", description: "每日两次。本品不能代替药物", category: context)).isEmpty)
    #expect(found(Listing(title: "深海鱼油软胶囊", description: nil, category: context)).isEmpty)
  }

  static func pack(_ rule: String) -> String {
    """
    version: 1
    pack: t
    name: 测试
    categories:
      - id: hf
        names: [保健食品]
        individual: forbidden
        source: 测试
        checked: 2026-12-07
    rules:
      - id: t.notice
        kind: category
        check: notice
        severity: review
        message: 缺少{notice}
    \(rule)
    """
  }

  func loadError(_ yaml: String) -> String? {
    do {
      _ = try Ruleset.load(files: ["t.yml": yaml])
      return nil
    } catch {
      return error.message
    }
  }

  @Test(
    "the loader refuses a notice rule without notices, without categories, in another context, or notices on another check"
  )
  func validation() {
    #expect(
      loadError(Self.pack("    applies_to:\n      categories: [hf]\n"))?.contains("'requires'") == true)
    #expect(
      loadError(Self.pack("    requires: [本品不能代替药物]\n"))?.contains("must be limited to categories") == true)
    #expect(
      loadError(
        Self.pack("    requires: [本品不能代替药物]\n    applies_to:\n      categories: [hf]\n      contexts: [livestream]\n"))?
        .contains("descriptions and listings only") == true)
    #expect(
      loadError(Self.pack("    requires: []\n    applies_to:\n      categories: [hf]\n"))?.contains("lists no notice")
        == true)
    #expect(loadError(Self.pack("    requires: [本品不能代替药物]\n    applies_to:\n      categories: [hf]\n")) == nil)
    let licence = Self.pack("    applies_to:\n      categories: [hf]\n").replacingOccurrences(
      of: "check: notice", with: "check: licence\n    requires: [本品不能代替药物]")
    #expect(loadError(licence)?.contains("only applies to check: notice") == true)
  }
}
