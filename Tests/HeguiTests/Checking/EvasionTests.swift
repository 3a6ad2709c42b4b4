import Foundation
import Testing

@testable import Hegui

/// Terms written to dodge a filter — pinyin, homophones, look-alikes, repeats, HTML — are found on
/// the exact original characters, name the term they evade, and ordinary text stays silent.
@Suite("Evasions: pinyin, homophones, look-alikes, repeats, markup, contacts")
struct EvasionTests {
  static let shipped: Ruleset? = try? Ruleset.shipped()
  static let checker: Checker? = shipped.map { Checker(ruleset: $0) }
  static let plain: Checker? = shipped.map { Checker(ruleset: $0, matchesEvasions: false) }

  func findings(_ text: String, _ context: TextContext = .description, evasions: Bool = true) -> [Finding] {
    guard let checker = evasions ? Self.checker : Self.plain else {
      Issue.record("the shipped rules do not load")
      return []
    }
    return checker.check(text, context: CheckContext(context)).findings
  }

  /// The one finding of `rule`, with its span checked against the original bytes.
  func finding(_ text: String, _ rule: String, _ context: TextContext = .description) throws -> Finding {
    let found = findings(text, context).filter { $0.ruleID == rule }
    #expect(found.count == 1, "\(text): \(found.map(\.match))")
    let finding = try #require(found.first)
    let span = try #require(finding.span)
    #expect(String(decoding: Array(text.utf8)[span.utf8], as: UTF8.self) == finding.match)
    return finding
  }

  @Test("pinyin: spaced, run together, tone marks, tone digits, mixed with Han; exact spans")
  func pinyin() throws {
    let lowest = "adlaw.absolute.lowest-price"
    var f = try finding("全网最di价，今晚", lowest)
    #expect(f.match == "全网最di价" && f.span?.utf8 == 0..<14 && f.severity == .review)
    #expect(f.message.hasPrefix("“全网最di价”疑似规避“全网最低价”："))
    f = try finding("quan wang zui di jia 加厚保温杯", lowest, .title)
    #expect(f.match == "quan wang zui di jia")
    f = try finding("今晚zuì dī jià", lowest, .caption)
    #expect(f.match == "zuì dī jià" && f.span?.utf8 == 6..<19)
    f = try finding("ZUI4DI1JIA4 就在直播间", lowest, .caption)
    #expect(f.match == "ZUI4DI1JIA4")
    // Off: the same texts are silent.
    #expect(!findings("全网最di价，今晚", evasions: false).contains { $0.ruleID == lowest })
  }

  @Test("pinyin stays syllables: no match inside a Latin word, English words are not pinyin")
  func syllables() {
    #expect(findings("China best sale 2024新款 ins风 MAX Pro").isEmpty)
    #expect(findings("xian 西安 xi an 先").isEmpty)
    // zuidijiahao: the match would end inside the word.
    #expect(!findings("zuidijiahao", .title).contains { $0.ruleID == "adlaw.absolute.lowest-price" })
  }

  @Test("homophones and look-alikes: a minority replaced, on word boundaries, for opted-in rules")
  func homophones() throws {
    var f = try finding("这款是全网第衣的", "adlaw.absolute.first")
    #expect(f.match == "全网第衣" && f.severity == .review)
    #expect(f.message.contains("疑似规避“全网第一”"))
    f = try finding("这个工艺决无仅有", "adlaw.absolute.unique", .livestream)
    #expect(f.match == "决无仅有")
    // 吏 for 史 (a look-alike) around the listed 最低价: the finding widens and keeps block.
    f = try finding("吏上最低价，只有今天", "adlaw.absolute.lowest-price", .caption)
    #expect(f.match == "吏上最低价" && f.severity == .block)
    // Ordinary words one character away from a term.
    #expect(findings("国家集训队同款跳绳", .title).isEmpty)
    #expect(findings("每次出价最低加价10元").isEmpty)
    #expect(findings("世界纪录保持者同款").isEmpty)
    #expect(findings("将血压计放平再测").isEmpty)
  }

  @Test("repeats inside a term are read through; a repeat never ends a term")
  func repeats() throws {
    let f = try finding("最低低价就在今晚", "adlaw.absolute.lowest-price")
    #expect(f.match == "最低低价" && f.span?.utf8 == 0..<12)
    let before = try finding("最最最便宜的一次", "adlaw.absolute.lowest-price")
    #expect(before.match == "最最最便宜" && before.severity == .block)
    #expect(!findings("市面上唯一一款不含酒精的").contains { $0.match == "唯一一" })
  }

  @Test("HTML in titles and descriptions: tags, comments and references; spans cover the markup")
  func markup() throws {
    let lowest = "adlaw.absolute.lowest-price"
    var f = try finding("<p>今天<b>最</b>低价</p>", lowest)
    #expect(f.match == "最</b>低价" && f.severity == .block)
    f = try finding("今天最&#20302;价", lowest)
    #expect(f.match == "最&#20302;价")
    f = try finding("今天最&#x4F4E;价", lowest, .title)
    #expect(f.match == "最&#x4F4E;价")
    f = try finding("药到<!-- x -->病除", "adlaw.medical.treatment")
    #expect(f.match == "药到<!-- x -->病除")
    // A block tag ends a line: no term across <br>.
    #expect(!findings("最<br>低价").contains { $0.ruleID == lowest })
    // Not markup: comparisons, AT&T, unknown references; and in speech, markup is text.
    #expect(findings("AT&T 3<5 a<b &foo; 价格").isEmpty)
    #expect(!findings("最<b>低</b>价", .livestream).contains { $0.ruleID == lowest })
  }

  @Test("contacts: Chinese numerals and aliases, with the normalised contact in the message")
  func contacts() throws {
    var f = try finding("有事打我手机壹叁捌-零零壹贰-叁肆伍陆", "livestream.phone-number", .caption)
    #expect(f.message.contains("13800123456"))
    f = try finding("售后企鹅：12345678", "livestream.contact-id", .caption)
    #expect(f.message.contains("12345678"))
    #expect(findings("满199减20，到手价179，尺码160-165cm", .title).isEmpty)
    #expect(findings("一三五发顺丰，二四六发中通", .caption).isEmpty)
  }

  @Test("Contact.normalized: numerals to digits, separators between digits dropped")
  func contactNormalized() {
    #expect(Contact.normalized("壹叁捌-一二三四 5678") == "13812345678")
    #expect(Contact.normalized("幺三八 零零 两两") == "1380022")
    #expect(Contact.normalized("薇：abc-123 456") == "薇:abc-123456")
  }

  @Test("repeats: read again only where a term holds the repeated character before the next, or doubled")
  func repeatRuns() {
    let matcher = EvasionMatcher(terms: [(0, "最便宜", false), (0, "宝宝霜", false), (0, "谢谢", false)])
    func matched(_ text: String) -> [String] {
      var scratch = EvasionMatcher.Scratch()
      var found: [String] = []
      var copy = text
      copy.withUTF8 { bytes in
        matcher.forEachMatch(in: bytes, scratch: &scratch) { _, range in
          found.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self))
        }
      }
      return found
    }
    // 最 then 便: a term holds 最便. 宝 doubled and the run longer than two: 宝宝霜 is held.
    #expect(matched("今天最最最便宜了").contains("最最最便宜"))
    #expect(matched("宝宝宝霜").contains("宝宝宝霜"))
    // Runs that hide no term: nothing is read again.
    #expect(matched("谢谢 大家 哈哈哈哈").isEmpty)
    #expect(matched("最最最好").isEmpty)
  }

  @Test("a message is cut at its placeholders once: {match}, {contact}, both repeated, other braces kept")
  func messageTemplate() {
    #expect(MessageTemplate("没有占位符").filled(match: "x") == "没有占位符")
    #expect(MessageTemplate("“{match}”不行").filled(match: "最低价") == "“最低价”不行")
    #expect(
      MessageTemplate("“{match}”像电话（{contact}），{match}").filled(match: "壹叁捌-0012-3456")
        == "“壹叁捌-0012-3456”像电话（13800123456），壹叁捌-0012-3456")
    #expect(MessageTemplate("{contact}{match}").filled(match: "Q:1 2") == "q:12Q:1 2")
    // A brace that opens no placeholder is text; a placeholder in the match is not filled again.
    #expect(MessageTemplate("{m} {match} {").filled(match: "{contact}") == "{m} {contact} {")
  }

  @Test("the loader: homophones and evasion_severity belong to lexicon rules without evasion: false")
  func loader() throws {
    func load(_ extra: String) throws -> Ruleset {
      let directory = FileManager.default.temporaryDirectory.appendingPathComponent("evasion-\(UUID().uuidString)")
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      defer { try? FileManager.default.removeItem(at: directory) }
      let pack = """
        version: 1
        pack: t
        name: 测试
        rules:
          - id: t.a
            kind: lexicon
            severity: block
            message: m
            terms: [国家级]
        \(extra)
        """
      try pack.write(to: directory.appendingPathComponent("t.yml"), atomically: true, encoding: .utf8)
      return try Ruleset.load(directories: [directory], includingShipped: false)
    }
    let ok = try load("    homophones: true\n    evasion_severity: info")
    #expect(ok.rules[0].matchesHomophones && ok.rules[0].evasionSeverity == .info)
    #expect(throws: HeguiError.self) { try load("    evasion: false\n    homophones: true") }
    #expect(throws: HeguiError.self) { try load("    evasion_severity: loud") }
    let checker = Checker(ruleset: ok)
    let found = checker.check("国家及", context: CheckContext(.title)).findings
    #expect(found.map(\.severity) == [.info])
  }
}
