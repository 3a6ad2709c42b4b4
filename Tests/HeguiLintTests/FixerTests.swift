import Foundation
import Hegui
import Testing

@testable import HeguiLint

@Suite("Fixes")
struct FixerTests {
  static let pack = """
    version: 1
    pack: t
    name: t
    rules:
      - id: t.top
        kind: lexicon
        severity: block
        message: “{match}”是绝对化用语
        suggestions: [精选, 优选]
        fix: 精选
        basis: b
        terms: [顶级, 极品]
        exceptions:
          - {phrase: 极品飞车, action: review}
      - id: t.low
        kind: lexicon
        severity: block
        message: “{match}”
        suggestions: [活动价]
        basis: b
        terms: [全网最低价]
    """
  static let linter: Linter? = (try? Ruleset.load(files: ["t.yml": pack])).map { Linter(checker: Checker(ruleset: $0)) }

  @Test("a script: exactly the matched characters are replaced, everything else byte for byte; rules without fix stay")
  func script() throws {
    let linter = try #require(Self.linter)
    let text = "\u{FEFF}😀顶级面料\r\n全网最低价，极品体验\n玩极品飞车\n"
    let fix = linter.fix(text: text, path: "a.txt", format: .script)
    #expect(fix.fixed == "\u{FEFF}😀精选面料\r\n全网最低价，精选体验\n玩极品飞车\n")
    #expect(fix.edits.map(\.ruleID) == ["t.top", "t.top"])
    #expect(fix.diff.hasPrefix("--- a/a.txt\n+++ b/a.txt\n@@ -1,2 +1,2 @@\n"), "\(fix.diff)")
    // Fixed once, nothing is left to fix.
    #expect(!linter.fix(text: fix.fixed, path: "a.txt", format: .script).changed)
  }

  @Test("a caption phrase joined across a line break is left for a person")
  func acrossLines() throws {
    let linter = try #require(Self.linter)
    let text = "这是顶\n级面料\n"
    #expect(linter.lint(text: text, path: "a.srt", format: .srt).findings.map(\.finding.match) == ["顶\n级"])
    let fix = linter.fix(text: text, path: "a.srt", format: .srt)
    #expect(fix.fixed == text)
    #expect(!fix.changed)
  }

  @Test("listings: the field is rewritten in place, in CSV (quoted, doubled quotes) and JSON (escapes), rest untouched")
  func listings() throws {
    let linter = try #require(Self.linter)
    let csv = "id,商品标题,描述\n1,顶级羊绒,\"极品\"\"柔软\"\", 好\"\n2,普通,无\n"
    #expect(
      linter.fix(text: csv, path: "a.csv", format: .csv).fixed
        == "id,商品标题,描述\n1,精选羊绒,\"精选\"\"柔软\"\", 好\"\n2,普通,无\n")
    let jsonl = "{\"title\": \"\\u9876\\u7ea7 面料\", \"price\": 1}\n\n{\"desc\":\"a\\n极品\",\"商品标题\":\"x\"}\n"
    #expect(
      linter.fix(text: jsonl, path: "a.jsonl", format: .jsonl).fixed
        == "{\"title\": \"精选 面料\", \"price\": 1}\n\n{\"desc\":\"a\\n精选\",\"商品标题\":\"x\"}\n")
    let json = "{\"items\": [\n  {\"name\": \"极品\", \"id\": 7},\n  {\"title\": \"顶级\"}\n]}\n"
    #expect(
      linter.fix(text: json, path: "a.json", format: .json).fixed
        == "{\"items\": [\n  {\"name\": \"精选\", \"id\": 7},\n  {\"title\": \"精选\"}\n]}\n")
  }

  @Test("broken and random listing text: never a crash, and every field placed is the text at its place")
  func hostile() {
    let pieces = [
      "{", "}", "[", "]", "\"", "\\", "\\u", "\\ud83d", "d83d", ",", ":", "\n", "\r\n", "title", "商品标题", "顶级", "极品",
      "\"\"", " ", "items", "é", "😀", "1",
    ]
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<3000 {
      let text = (0..<Int.random(in: 1...40, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }
        .joined()
      for format in [InputFormat.csv, .jsonl, .json] {
        let source = ListingSource(text: text, format: format, columns: ListingColumns())
        let bytes = Array(text.utf8)
        for fields in source.fields.values {
          for field in fields.values {
            #expect(field.offsets.count == field.text.utf8.count + 1)
            #expect(field.offsets.allSatisfy { $0 >= 0 && $0 <= bytes.count })
            #expect(zip(field.offsets, field.offsets.dropFirst()).allSatisfy { $0 <= $1 })
          }
        }
        if let linter = Self.linter {
          let fix = linter.fix(text: text, path: "a", format: format)
          #expect(fix.edits.allSatisfy { $0.utf8.upperBound <= bytes.count })
        }
      }
    }
  }

  @Test("JSON nested a million deep is not read (no stack overflow), and nothing is fixed in it")
  func deepNesting() throws {
    let linter = try #require(Self.linter)
    let deep =
      String(repeating: "[", count: 1_000_000) + "{\"title\": \"顶级\"}" + String(repeating: "]", count: 1_000_000)
    #expect(ListingSource(text: deep, format: .json, columns: ListingColumns()).fields.isEmpty)
    #expect(!linter.fix(text: deep, path: "a.json", format: .json).changed)
  }

  @Test("JSON strings are read with the characters' places: escapes, surrogate pairs, raw UTF-8")
  func scanner() {
    let source = "{\"k\": \"a\\\"\\ud83d\\ude00é中\"}"
    var scanner = JSONScanner(bytes: Array(source.utf8), position: 0, end: source.utf8.count)
    guard case let .object(members)? = scanner.value(), case let .string(text, offsets)? = members.first?.value else {
      Issue.record("not read")
      return
    }
    #expect(text == "a\"😀é中")
    // a at 7, \" at 8, the pair at 10, é at 22, 中 at 24, the closing quote at 27
    #expect(offsets == [7, 8, 10, 10, 10, 10, 22, 22, 24, 24, 24, 27])
  }
}
