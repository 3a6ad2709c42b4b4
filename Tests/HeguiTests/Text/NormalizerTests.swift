@_spi(Internals) import Hegui
import Testing

@Suite("Normalizer")
struct NormalizerTests {
  let normalizer = Normalizer()

  @Test(
    "folds width, case, Traditional characters and format characters",
    arguments: [
      ("ＮＯ．１", "no.1"), ("①号链接", "1号链接"), ("１２３４５", "12345"), ("！？：；", "!?:;"),
      ("國家級", "国家级"), ("全網最低價", "全网最低价"), ("TOP1", "top1"), ("最\u{200B}便宜", "最便宜"),
      ("\u{FEFF}第一", "第一"), ("最\u{200D}好", "最好"), ("最\u{2060}好", "最好"), ("ｖｘ", "vx"),
    ])
  func folds(_ input: String, _ expected: String) {
    #expect(normalizer.normalize(input).string == expected)
  }

  @Test(
    "collapses noise inserted between Han characters",
    arguments: [
      ("最*便*宜", "最便宜"), ("最 便 宜", "最便宜"), ("最-便-宜", "最便宜"), ("最…便宜", "最便宜"),
      ("最🔥便😍宜", "最便宜"), ("全　网　最　低　价", "全网最低价"), ("最**便__宜", "最便宜"), ("最 ✨ 便宜", "最便宜"),
      ("最・便・宜", "最便宜"), ("最/便/宜", "最便宜"),
    ])
  func collapsesNoise(_ input: String, _ expected: String) {
    #expect(normalizer.normalize(input).string == expected)
  }

  @Test(
    "keeps clause punctuation and noise that is not between Han characters",
    arguments: [
      ("最，便宜", "最,便宜"), ("最。便宜", "最。便宜"), ("最、便宜", "最、便宜"), ("no.1 款", "no.1 款"),
      ("😀最便宜", "😀最便宜"), ("最便宜!", "最便宜!"), ("第1 名", "第1 名"), ("a*b", "a*b"),
      ("第一\n次", "第一\n次"), ("第一\r\n次", "第一\r\n次"),
    ])
  func keeps(_ input: String, _ expected: String) {
    #expect(normalizer.normalize(input).string == expected)
  }

  @Test("maps every normalised range back to the exact original characters")
  func mapsBack() {
    let cases: [(String, String, String)] = [
      ("今天全網最低價！", "全网最低价", "全網最低價"),
      ("今天最*便*宜", "最便宜", "最*便*宜"),
      ("😀😀ＮＯ．１产品", "no.1", "ＮＯ．１"),
      ("abc最🔥便宜", "最便宜", "最🔥便宜"),
      ("line\r\n第\u{200B}一", "第一", "第\u{200B}一"),
      ("①号", "1", "①"),
    ]
    for (text, needle, original) in cases {
      let normalized = normalizer.normalize(text)
      let bytes = normalized.bytes
      let n = Array(needle.utf8)
      let start = (0...(bytes.count - n.count)).first { Array(bytes[$0..<($0 + n.count)]) == n }
      guard let start else {
        Issue.record("\(needle) not found in \(normalized.string)")
        continue
      }
      let range = normalized.originalRange(of: start..<(start + n.count))
      let utf8 = Array(text.utf8)
      #expect(String(decoding: utf8[range], as: UTF8.self) == original)
    }
  }

  @Test("round trip: every normalised scalar maps to a scalar-aligned original range, in order")
  func roundTrip() {
    var rng = SplitMix64(state: 7)
    let pieces = ["全網", "最低價", "ＮＯ．１", "😀", "*", " ", "\r\n", "國家級", "\u{200B}", "第一", "，", "a", "①", "🔥", "-"]
    for _ in 0..<300 {
      let text = (0..<Int.random(in: 1...12, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
      let normalized = normalizer.normalize(text)
      let utf8 = Array(text.utf8)
      var previousEnd = 0
      var i = 0
      while i < normalized.bytes.count {
        var j = i + 1
        while j < normalized.bytes.count && normalized.bytes[j] & 0xC0 == 0x80 { j += 1 }
        let range = normalized.originalRange(of: i..<j)
        #expect(range.lowerBound >= previousEnd - 4 && range.upperBound <= utf8.count)
        #expect(String(validating: utf8[range], as: UTF8.self) != nil, "not scalar-aligned in \(text)")
        previousEnd = range.lowerBound
        i = j
      }
    }
  }
}
