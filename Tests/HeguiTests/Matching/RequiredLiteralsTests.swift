@testable import Hegui
import Testing

@Suite("RequiredLiterals")
struct RequiredLiteralsTests {
  static let digits = Set((0...9).map(String.init))

  @Test(
    "finds the literal sets a pattern cannot match without",
    arguments: [
      ("(?:私下|线下)(?:交易|转账|付款|联系)", [["私下交易", "私下转账", "私下付款", "私下联系", "线下交易", "线下转账", "线下付款", "线下联系"]]),
      (#"(?<!\d)1[3-9]\d{9}(?!\d)"#, [["13", "14", "15", "16", "17", "18", "19"]]),
      ("加(?:我|一下|下|个)?v(?![a-z])", [["加v", "加我v", "加一下v", "加下v", "加个v"]]),
      ("(?:预防|缓解)\\p{Han}{0,2}?(?:高血压|失眠)", [["预防", "缓解"], ["高血压", "失眠"]]),
      ("VX[:：]", [["vx:", "vx："]]),
      ("(?:微信|qq)(?:号)?\\s*\\d+", [["微信", "qq"], Array(digits)]),
      ("(?:微信|qq)(?:号)?1", [["微信1", "微信号1", "qq1", "qq号1"]]),
      ("https?://[a-z]+", [["http://", "https://"]]),
    ])
  func sets(_ pattern: String, _ expected: [[String]]) {
    #expect(Set(RequiredLiterals.of(pattern).map(Set.init)) == Set(expected.map(Set.init)))
  }

  @Test(
    "gives no requirement when a match may be empty or the syntax is not modelled",
    arguments: [
      "a?", "x*", "(?:a|)", "[^a]", ".+", #"\w{2,}"#, "(?i)abc", #"(a)\1"#, "a{,3}", #"\x{4e00}"#, #"\Qa\E"#,
      "(?(1)a|b)", "Ｖ信", "(?#note)a",
    ])
  func none(_ pattern: String) {
    #expect(RequiredLiterals.of(pattern).isEmpty)
  }

  @Test("every match of every shipped pattern contains a literal of each of its sets")
  func shippedPatternsAgree() throws {
    let ruleset = try Ruleset.shipped()
    let normalizer = Normalizer()
    var patterns = ruleset.rules.flatMap(\.patterns)
    patterns += ruleset.rules.flatMap { $0.exceptions.compactMap(\.pattern) }
    let texts = ruleset.rules.flatMap { ($0.triggerExamples + $0.passExamples).map(\.text) }.map {
      normalizer.normalize($0).string
    }
    var checked = 0
    for pattern in patterns {
      let sets = RequiredLiterals.of(pattern.source)
      if sets.isEmpty { continue }
      for text in texts {
        let bytes = Array(text.utf8)
        for range in try pattern.matches(in: text) {
          let match = String(decoding: bytes[range], as: UTF8.self)
          for set in sets {
            #expect(set.contains { match.utf8.count >= $0.utf8.count && match.contains($0) }, "/\(pattern.source)/ matched \(match) without any of \(set)")
          }
          checked += 1
        }
      }
    }
    #expect(checked > 100)
  }
}
