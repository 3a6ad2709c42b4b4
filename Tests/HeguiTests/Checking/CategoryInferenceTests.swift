import Foundation
import Hegui
import Testing

/// A title or description checked without a category gets the one category its own words name
/// (`markers` in `Rulesets/categories.yml`), so that books, records and game goods are judged as such.
@Suite("Category inferred from a listing's words")
struct CategoryInferenceTests {
  static let checker: Checker? = (try? Ruleset.shipped()).map { Checker(ruleset: $0) }

  func findings(_ text: String, _ context: CheckContext) -> [Finding] {
    guard let checker = Self.checker else {
      Issue.record("the shipped rules do not load")
      return []
    }
    return checker.check(text, context: context).findings
  }

  @Test("a book's title: the ordinal in the work's name goes to review, a medical exam book is not a claim")
  func books() {
    let score = findings("李斯特第一钢琴协奏曲总谱", CheckContext(.title)).filter { $0.ruleID == "adlaw.absolute.first" }
    #expect(score.map(\.severity) == [.review])
    let plain = findings("李斯特第一钢琴协奏曲", CheckContext(.title)).filter { $0.ruleID == "adlaw.absolute.first" }
    #expect(plain.map(\.severity) == [.block])
    #expect(findings("2018主治医师考试用书 题库", CheckContext(.title)).allSatisfy { $0.ruleID != "adlaw.medical.treatment" })
  }

  @Test("an explicit category wins over the words; scripts and livestream speech are never inferred")
  func explicit() {
    let food = findings("第一名的图书馆同款饼干", CheckContext(.title, category: "food"))
    #expect(food.contains { $0.ruleID == "adlaw.absolute.first" && $0.severity == .block })
    let speech = findings("这本图书是销量第一", CheckContext(.livestream))
    #expect(speech.contains { $0.ruleID == "adlaw.absolute.first" && $0.severity == .block })
    let long = String(repeating: "正品保障，", count: 1000) + "销量第一的图书"
    #expect(
      findings(long, CheckContext(.description)).contains {
        $0.ruleID == "adlaw.absolute.first" && $0.severity == .block
      })
  }

  @Test("markers of two categories: nothing is inferred")
  func ambiguous() {
    let both = findings("第一 图书 游戏币", CheckContext(.title)).filter { $0.ruleID == "adlaw.absolute.first" }
    #expect(both.map(\.severity) == [.block])
  }

  @Test("a listing infers from its title and description together, and checks each field in its own context")
  func listing() throws {
    guard let checker = Self.checker else { return }
    let result = checker.check(listing: Listing(title: "李斯特第一钢琴协奏曲", description: "人民出版社 精装本"))
    let first = result.fields.flatMap(\.result.findings).filter { $0.ruleID == "adlaw.absolute.first" }
    #expect(first.map(\.severity) == [.review])

    let ruleset = try Ruleset.load(files: [
      "t.yml": """
      version: 1
      pack: t
      name: 测试
      rules:
        - id: t.title-only
          kind: lexicon
          severity: block
          message: m
          applies_to:
            contexts: [title]
          terms: [最好]

      """
    ])
    let fields = Checker(ruleset: ruleset).check(listing: Listing(title: "最好的杯子", description: "最好的杯子")).fields
    #expect(fields.map { $0.result.findings.count } == [1, 0])
  }
}
