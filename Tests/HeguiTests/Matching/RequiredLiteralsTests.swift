import Testing

@_spi(Internals) @testable import Hegui

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
      (#"(最后[一二三])[!,.~\s]*\1"#, [["最后一", "最后二", "最后三"]]),
      (#"(?:微|v)[\x{2600}-\x{27BF}\x{1F300}-\x{1FAFF}]+"#, [["微", "v"]]),
      (#"\x{5FAE}\x{4FE1}"#, [["微信"]]),
      (#"(?<=电话|热线)\s*:?0\d{2,3}"#, [["电话", "热线"], ["0"]]),
      ("(?<!不)加微信(?!群)", [["加微信"]]),
    ])
  func sets(_ pattern: String, _ expected: [[String]]) {
    #expect(Set(RequiredLiterals.of(pattern).map(Set.init)) == Set(expected.map(Set.init)))
  }

  @Test(
    "gives no requirement when a match may be empty or the syntax is not modelled",
    arguments: [
      "a?", "x*", "(?:a|)", "[^a]", ".+", #"\w{2,}"#, "(?i)abc", #"\g{1}a"#, "a{,3}", #"\0"#, #"\Qa\E"#,
      "(?(1)a|b)", "Ｖ信", "(?#note)a",
    ])
  func none(_ pattern: String) {
    #expect(RequiredLiterals.of(pattern).isEmpty)
  }

  @Test("every text a shipped pattern matches in contains a literal of each of its sets")
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
        for _ in try pattern.matches(in: text) {
          for set in sets {
            #expect(set.contains { text.contains($0) }, "/\(pattern.source)/ matched in \(text) without any of \(set)")
          }
          checked += 1
        }
      }
    }
    #expect(checked > 100)
  }
}
