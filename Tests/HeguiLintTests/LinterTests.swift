import Foundation
import Hegui
import Testing

@testable import HeguiLint

@Suite("Linter")
struct LinterTests {
  static let sample: Ruleset = {
    let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appending(path: "Fixtures/rulesets/sample")
    do {
      return try Ruleset.load(directories: [directory], includingShipped: false)
    } catch {
      Issue.record("sample ruleset does not load: \(error)")
      return Ruleset.empty
    }
  }()
  static let linter = Linter(checker: Checker(ruleset: sample))

  @Test("UTF-16 columns of findings on later lines, after astral characters, with CRLF")
  func utf16Columns() {
    let text = "😀第一行\r\n😀😀全网最低价\n\n第三😀全网最低价"
    let file = Self.linter.lint(text: text, path: "a.txt", format: .script)
    let lowest = file.findings.filter { $0.finding.ruleID == "sample.lowest-price" }
    #expect(lowest.map(\.line) == [2, 4])
    #expect(lowest.map(\.utf16Columns) == [4..<9, 4..<9])
    #expect(lowest.map(\.column) == [3, 4])
  }

  @Test("line starts are found in one forward scan and restart for an earlier line")
  func lineStarts() {
    var starts = LineStarts(text: "ab\n😀c\n\nd")
    #expect(starts.utf16Offset(ofLine: 1) == 0)
    #expect(starts.utf16Offset(ofLine: 2) == 3)
    #expect(starts.utf16Offset(ofLine: 4) == 8)
    #expect(starts.utf16Offset(ofLine: 2) == 3)
    #expect(starts.utf16Offset(ofLine: 9) == 9)
  }

  @Test("only a complete hegui directive is silent; any other #! line is checked like the rest")
  func directivesDoNotHide() {
    let text = """
      #! 全网最低价
      #!全网最低价
      #! hegui 全网最低价
      #! hegui disable-next-line sample.first -- 第三方数据
      第一名
      """
    let file = Self.linter.lint(text: text, path: "a.txt", format: .script)
    let lowest = file.findings.filter { $0.finding.ruleID == "sample.lowest-price" }
    #expect(lowest.map(\.line) == [1, 2, 3])
    #expect(!file.findings.contains { $0.finding.ruleID == "sample.first" && $0.line == 5 })
    #expect(Suppressions.isWellFormed("  #! hegui disable-next-line a.b, c.d -- 原因"))
    #expect(!Suppressions.isWellFormed("#! hegui disable-next-line a.b --"))
    #expect(!Suppressions.isWellFormed("#! hegui disable-next-line -- 原因"))
    #expect(!Suppressions.isWellFormed("#! hegui 全网最低价 -- 原因"))
  }

  @Test("a listing's category finding is reported once, its fields in their own contexts")
  func listing() {
    let jsonl =
      #"{"id": "9", "title": "全网最低价", "description": "全网最低价", "category": "food", "shop_subject": "individual"}"#
    let file = Self.linter.lint(text: jsonl, path: "l.jsonl", format: .jsonl)
    #expect(file.findings.filter { $0.field == "category" }.count == 1)
    #expect(file.findings.filter { $0.field == "title" }.count == 1)
    #expect(file.findings.filter { $0.field == "description" }.count == 1)
    #expect(file.findings.allSatisfy { $0.record == 1 && $0.recordID == "9" })
  }

  @Test("an unknown category is one review finding on its record, naming the nearest known ones; not an input error")
  func unknownCategory() throws {
    let jsonl =
      #"{"title": "好物", "description": "好物", "category": "火星特产"}"# + "\n"
      + #"{"title": "全网最低价", "category": "美妆用品"}"# + "\n"
    let file = Self.linter.lint(text: jsonl, path: "l.jsonl", format: .jsonl)
    #expect(file.errors.isEmpty)
    let unknown = file.findings.filter { $0.finding.ruleID == "hegui.category.unknown" }
    #expect(unknown.map(\.record) == [1, 2])
    #expect(unknown.allSatisfy { $0.field == "category" && $0.finding.severity == .review })
    let second = try #require(unknown.last)
    #expect(second.finding.message.contains("美妆用品"))
    #expect(second.finding.suggestions.first == "cosmetics")
    // The rest of the record is still checked.
    #expect(file.findings.contains { $0.record == 2 && $0.field == "title" })
  }
}

@Suite("Text report")
struct TextReportTests {
  @Test("carets stay under the match after a tab; the basis is shown")
  func carets() throws {
    let file = LinterTests.linter.lint(text: "\t\t全网最低价\n", path: "t.txt", format: .script)
    let text = LintReport.text(file, color: false)
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let source = try #require(lines.firstIndex { $0.contains("全网最低价") && !$0.contains("block") })
    #expect(!lines[source].contains("\t"))
    let caretLine = lines[source + 1]
    let start = try #require(caretLine.firstIndex(of: "^"))
    // 4 (indent) + 2 tabs shown as one space each: the carets start at column 6, under 全.
    #expect(caretLine.distance(from: caretLine.startIndex, to: start) == 6)
    #expect(lines[source].dropFirst(6).hasPrefix("全网最低价"))
    #expect(text.contains("依据: 《广告法》第九条第三项"))
  }
}

@Suite("Script front matter")
struct FrontMatterTests {
  static let shipped: Linter? = (try? Ruleset.shipped()).map { Linter(checker: Checker(ruleset: $0)) }

  @Test("#! hegui category: names the script's category; the line itself is not checked or reported")
  func category() throws {
    let linter = try #require(Self.shipped)
    let skincare = linter.lint(text: "#! hegui category: 化妆品\n这款精华能祛斑美白\n", path: "a.txt", format: .script)
    #expect(skincare.errors.isEmpty)
    #expect(skincare.findings.contains { $0.finding.ruleID == "cosmetics.special-efficacy" })
    #expect(!skincare.findings.contains { $0.finding.ruleID == "cosmetics.special-efficacy-uncategorised" })
    let plain = linter.lint(text: "这款精华能祛斑美白\n", path: "a.txt", format: .script)
    #expect(plain.findings.contains { $0.finding.ruleID == "cosmetics.special-efficacy-uncategorised" })
  }

  @Test("an unknown category in the front matter is a review finding on that line, naming the nearest ones")
  func unknown() throws {
    let linter = try #require(Self.shipped)
    let file = linter.lint(text: "\n#! hegui category: 美妆用品\n全网最低价\n", path: "a.txt", format: .script)
    #expect(file.errors.isEmpty)
    let finding = try #require(file.findings.first { $0.finding.ruleID == "hegui.category.unknown" })
    #expect(finding.line == 2)
    #expect(finding.finding.suggestions.first == "cosmetics")
    #expect(file.findings.contains { $0.finding.ruleID == "adlaw.absolute.lowest-price" })
  }
}
