import Hegui
import HeguiLint
import Testing

@Suite("ItemSplitter: one splitter for lint and moderate")
struct ItemSplitterTests {
  @Test(
    "formats come from extensions; anything unknown is a script",
    arguments: [
      ("srt", InputFormat.srt), ("SRT", .srt), ("json", .json), ("jsonl", .jsonl), ("ndjson", .jsonl), ("csv", .csv),
      ("txt", .script), ("md", .script), ("", .script), ("yml", .script),
    ])
  func formats(_ pathExtension: String, _ expected: InputFormat) {
    #expect(InputFormat(pathExtension: pathExtension) == expected)
  }

  @Test(".srt is a caption, a forced context wins, then the first matching glob")
  func scriptContexts() {
    var splitter = ItemSplitter()
    #expect(splitter.scriptContext(path: "a.srt", format: .srt) == .caption)
    #expect(splitter.scriptContext(path: "a.txt", format: .script) == .livestream)
    splitter.contextsByGlob = [(Glob("titles/*.txt"), .title), (Glob("*.txt"), .description)]
    #expect(splitter.scriptContext(path: "titles/a.txt", format: .script) == .title)
    #expect(splitter.scriptContext(path: "x/b.txt", format: .script) == .description)
    splitter.context = .caption
    #expect(splitter.scriptContext(path: "titles/a.txt", format: .script) == .caption)
  }

  @Test("a trailing ** matches every file below its folder")
  func trailingDoubleStar() {
    #expect(Glob("captions/**").matches("captions/a.srt"))
    #expect(Glob("captions/**").matches("captions/day1/b.srt"))
    #expect(!Glob("captions/**").matches("titles/a.txt"))
  }

  @Test("a script's category: its own front matter, then --category, then the first matching glob, then the default")
  func scriptCategories() {
    var splitter = ItemSplitter()
    splitter.defaults.category = "general"
    splitter.categoriesByGlob = [(Glob("beauty/**"), "cosmetics"), (Glob("snacks/**"), "食品")]
    #expect(splitter.scriptSituation(path: "beauty/a.txt", format: .script).category == "cosmetics")
    #expect(splitter.scriptSituation(path: "snacks/b.txt", format: .script).category == "食品")
    #expect(splitter.scriptSituation(path: "c.txt", format: .script).category == "general")
    #expect(splitter.scriptSituation(path: "beauty/a.txt", format: .script, own: "food").category == "food")
    splitter.category = "drug"
    #expect(splitter.scriptSituation(path: "beauty/a.txt", format: .script).category == "drug")
    #expect(splitter.scriptSituation(path: "beauty/a.txt", format: .script, own: "food").category == "food")
    #expect(splitter.listingDefaults(path: "beauty/x.csv").category == "drug")
  }

  @Test("moderation items: non-empty lines; SRT numbers, timings and well-formed directives are not items")
  func lines() {
    let srt = """
      1
      00:00:01,000 --> 00:00:02,000
      全网最低价

      #! hegui disable-next-line adlaw.absolute -- 已确认
      #! 第一名
      #! hegui 全网最低价

      """
    let split = ItemSplitter().moderationItems(text: srt, path: "a.srt", format: .srt)
    // Only a complete directive is not an item: "#! hegui" in front of a claim is no bypass.
    #expect(split.items.map(\.text) == ["全网最低价", "#! 第一名", "#! hegui 全网最低价"])
    #expect(split.items.map(\.id) == ["a.srt:3", "a.srt:6", "a.srt:7"])
    #expect(split.items.allSatisfy { $0.context.context == .caption })
    #expect(split.errors.isEmpty)
  }

  @Test("listing items carry the record's facts over the defaults, one per field; an empty record is an error")
  func listings() {
    var splitter = ItemSplitter()
    splitter.defaults = CheckContext(shopSubject: .enterprise, category: "cosmetics", licences: ["A"])
    let jsonl = """
      {"id": "7", "title": "标题", "description": "描述", "category": "food", "licences": ["B"]}
      {"id": "8", "title": " "}
      """
    let split = splitter.moderationItems(text: jsonl, path: "l.jsonl", format: .jsonl)
    #expect(split.items.map(\.id) == ["l.jsonl:1#7/title", "l.jsonl:1#7/description"])
    #expect(split.items.map(\.context.context) == [.title, .description])
    #expect(split.items.allSatisfy { $0.context.category == "food" && $0.context.licences == ["A", "B"] })
    #expect(split.items.allSatisfy { $0.context.shopSubject == .enterprise })
    #expect(
      split.errors.map(\.description) == ["l.jsonl:2: record 2 has neither title nor description: nothing to moderate"])
  }

  @Test("lines split on LF and drop the CR of CRLF")
  func textLines() {
    #expect(TextLines.split("a\r\nb\n\nc\r") == ["a", "b", "", "c"])
    #expect(TextLines.split("") == [""])
  }
}
