import Foundation
import Testing

@testable import Hegui

/// Speech (livestream, caption): a 某 inserted between the characters of a word to dodge a
/// platform's filter is read through, on the exact original span; 某 as written (某宝, 某些,
/// 张某) is read as before.
@Suite("Speech: 某 inserted into a word")
struct SpeechTests {
  static let shipped: Checker? = (try? Ruleset.shipped()).map { Checker(ruleset: $0) }

  static func findings(_ text: String, _ context: TextContext = .livestream) -> [Finding] {
    guard let checker = shipped else {
      Issue.record("the shipped rules do not load")
      return []
    }
    return checker.check(text, context: CheckContext(context)).findings
  }

  func findings(_ text: String, _ context: TextContext = .livestream) -> [Finding] {
    Self.findings(text, context)
  }

  @Test("a claim broken by 某 is found in speech, on the span that includes the 某")
  func readThrough() throws {
    // 立竿见某影: from a livestream quoted in the real corpus (dev, thepaper-maiqila-2024-2).
    let text = "这个产品立竿见某影"
    let found = findings(text)
    let finding = try #require(found.first { $0.ruleID == "adlaw.medical.efficacy-guarantee" })
    #expect(finding.match == "立竿见某影")
    #expect(finding.span?.utf8 == 12..<27)
    #expect(findings("治疗糖某尿病", .caption).contains { $0.match == "治疗糖某尿病" })
    #expect(findings("全网最某便宜").contains { $0.ruleID == "adlaw.absolute.lowest-price" && $0.match == "全网最某便宜" })
  }

  @Test("only speech is read through; titles and descriptions are not")
  func onlySpeech() {
    #expect(!findings("这个产品立竿见某影", .title).contains { $0.match.contains("某") })
    #expect(!findings("这个产品立竿见某影", .description).contains { $0.match.contains("某") })
  }

  @Test("某 as written: platform nicknames are still found, names and 某些 add nothing")
  func asWritten() {
    #expect(findings("去某宝搜同款").contains { $0.ruleID == "livestream.off-platform-contact" && $0.match == "某宝" })
    #expect(findings("张某说他家的产品不错").isEmpty)
    #expect(findings("某些朋友问能不能便宜点").isEmpty)
    #expect(findings("某某").isEmpty)
  }

  @Test("a rule with evasion: false ignores hits through 某, as through other noise")
  func evasionFalse() throws {
    let pack = """
      version: 1
      pack: t
      name: 测试
      rules:
        - id: t.strict
          kind: lexicon
          severity: block
          message: m
          evasion: false
          terms: [立竿见影]
        - id: t.loose
          kind: lexicon
          severity: review
          message: m
          terms: [药到病除]
      """
    let checker = Checker(ruleset: try Ruleset.load(files: ["t.yml": pack]))
    #expect(checker.check("立竿见某影").findings.isEmpty)
    #expect(checker.check("药到某病除").findings.map(\.match) == ["药到某病除"])
    #expect(checker.check("立竿见影").findings.map(\.ruleID) == ["t.strict"])
  }

  @Test("on a long line cut into small chunks, hits through 某 are the ones one chunk finds")
  func acrossCuts() {
    guard let shipped = try? Ruleset.shipped() else { return }
    let small = Checker(ruleset: shipped, wordBoundaries: WordBoundaries(), chunkSize: 1024)
    let one = Checker(ruleset: shipped)
    for shift in 0..<4 {
      let unit = String(repeating: "好", count: shift) + "这个产品立竿见某影哦"
      let line = String(repeating: unit, count: 17 * 1024 / unit.utf8.count + 2)
      let a = small.check(line).findings.map { "\($0.ruleID)@\($0.span?.utf8.description ?? "")" }
      let b = one.check(line).findings.map { "\($0.ruleID)@\($0.span?.utf8.description ?? "")" }
      #expect(!b.isEmpty)
      #expect(a == b, "shift \(shift)")
    }
  }
}

/// Speech noise beyond 某: 什么 and fillers inside a word, commas around them, and in captions a
/// claim spoken across two lines.
@Suite("Speech: fillers, 什么, and claims across caption lines")
struct SpeechFillerTests {
  func findings(_ text: String, _ context: TextContext = .livestream) -> [Finding] {
    SpeechTests.findings(text, context)
  }

  @Test("什么 and fillers inside a term are read through, on the span that includes them")
  func fillers() throws {
    let text = "吃了药到病嗯除"
    let found = try #require(findings(text).first { $0.match == "药到病嗯除" })
    #expect(found.span?.utf8 == 6..<21)
    #expect(findings("专门治疗糖什么尿病").contains { $0.match == "治疗糖什么尿病" })
    #expect(findings("立竿,那个,见影").contains { $0.match == "立竿,那个,见影" })
    #expect(findings("立竿见就是影", .caption).contains { $0.match == "立竿见就是影" })
  }

  @Test("fillers between words change nothing; commas alone join nothing; titles are read as written")
  func noFalseJoins() {
    #expect(findings("就是这个味道，那个颜色也好看").isEmpty)
    #expect(findings("我们就是做源头工厂的").isEmpty)
    #expect(!findings("立竿,见影").contains { $0.match.contains(",") })
    #expect(!findings("药到病嗯除", .title).contains { $0.match.contains("嗯") })
    #expect(!findings("立竿见影\n", .livestream).contains { $0.match.contains("\n") })
  }

  @Test("in captions a claim across two lines is one finding whose span covers both lines")
  func acrossCaptionLines() throws {
    let text = "这款面霜立竿\n见影的家人们"
    let found = try #require(findings(text, .caption).first { $0.ruleID == "adlaw.medical.efficacy-guarantee" })
    #expect(found.match == "立竿\n见影")
    #expect(found.span?.utf8 == 12..<25)
    #expect(found.span?.line == 1)
    #expect(found.span?.endLine == 2)
    #expect(found.message.contains("立竿⏎见影"))
    // Livestream scripts are written by people: their line breaks are kept.
    #expect(!findings(text, .livestream).contains { $0.ruleID == "adlaw.medical.efficacy-guarantee" })
    // A blank line between them is two captions apart.
    #expect(!findings("这款面霜立竿\n\n见影", .caption).contains { $0.ruleID == "adlaw.medical.efficacy-guarantee" })
  }

  @Test("in captions a hit on half a phrase that the joined lines clear is dropped")
  func halfPhrase() {
    #expect(findings("今天第一\n个链接给大家", .caption).filter { $0.ruleID.hasPrefix("adlaw.absolute") }.isEmpty)
    #expect(!findings("今天第一\n个链接给大家", .livestream).filter { $0.ruleID.hasPrefix("adlaw.absolute") }.isEmpty)
    // A claim that stands on its own line stays.
    #expect(!findings("全网最低价\n大家快来", .caption).isEmpty)
  }
}

/// Found by fuzz-checker (crash-778b51581e01866a648c2dbfd27dcb1436f3fbde): in a caption, a clean
/// line before 最后一次做这个价了 joined to it and its filler 这个 read through, so the joined reading
/// lost the urgency phrase and the hit was dropped as "half a phrase".
@Suite("Speech: regressions")
struct SpeechRegressionTests {
  @Test("the joined reading of caption lines keeps fillers: a hit that needs one is not dropped")
  func joinedReadingKeepsFillers() throws {
    let checker = try #require(SpeechTests.shipped)
    let text = "最后一次做这个价了"
    for context in TextContext.allCases {
      let alone = checker.check(text, context: CheckContext(context)).findings.map(\.ruleID)
      let after = checker.check("欢迎来到直播间\n" + text, context: CheckContext(context)).findings.map(\.ruleID)
      #expect(alone == after, "\(context)")
    }
    #expect(
      checker.check("欢迎来到直播间\n" + text, context: CheckContext(.caption)).findings.contains {
        $0.ruleID == "livestream.false-urgency-pattern" && $0.match == "最后一次做这个价"
      })
  }
}
