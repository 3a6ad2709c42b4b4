import Foundation
import Hegui
import Testing

/// Pattern rules with named term sets (`sets:`): claim grammars written as data.
@Suite("Term sets in pattern rules")
struct TermSetTests {
  static func pack(_ rule: String) -> String {
    "version: 1\npack: t\nname: 测试\nrules:\n" + rule
  }

  static let grammar = pack(
    """
      - id: t.claim
        kind: pattern
        severity: block
        message: m
        sets:
          verb: [治疗, 治好, 改善]
          disease: diseases.txt
        patterns:
          - '{verb}[^，,。\\n]{0,4}?{disease}'
        anchors: ['{disease}']

    """)

  static let checker: Checker? = {
    let ruleset = try? Ruleset.load(files: ["t.yml": grammar, "diseases.txt": "# 疾病\n失眠\n高血压\n口腔溃疡\n"])
    return ruleset.map { Checker(ruleset: $0) }
  }()

  func spans(_ text: String) -> [String] {
    guard let checker = Self.checker else {
      Issue.record("the grammar does not load")
      return []
    }
    return checker.check(text).findings.map(\.match)
  }

  @Test("a verb and an object from the sets, with a gap, are one finding on the exact original span")
  func grammar() {
    #expect(spans("这个泡脚包能治疗失眠") == ["治疗失眠"])
    #expect(spans("喝了三个月，改善了我的高血压") == ["改善了我的高血压"])
    #expect(spans("嚼一嚼就治好了口腔溃疡") == ["治好了口腔溃疡"])
    // Traditional, full-width and noise are normalised in terms and text alike
    #expect(spans("嚼一嚼就治*好了口腔潰瘍") == ["治*好了口腔潰瘍"])
    #expect(spans("改善睡眠环境，选一款遮光窗帘").isEmpty)
  }

  @Test("an object too far from its verb, or beyond punctuation, is not a claim")
  func gap() {
    #expect(spans("改善一下家里的环境吧失眠").isEmpty)
    #expect(spans("改善，失眠").isEmpty)
  }

  @Test("braces that are quantifiers or escapes are left to PCRE2")
  func escapes() throws {
    let ruleset = try Ruleset.load(files: [
      "t.yml": Self.pack(
        """
          - id: t.mixed
            kind: pattern
            severity: review
            message: m
            sets:
              thing: [病毒]
            patterns:
              - '\\p{Han}{1,2}杀灭{thing}'
            anchors: ['{thing}', 杀灭]

        """)
    ])
    let findings = Checker(ruleset: ruleset).check("高效杀灭病毒").findings
    #expect(findings.map(\.match) == ["高效杀灭病毒"])
  }

  @Test("a pattern naming an unknown set, a bad set name and an empty set are errors with their place")
  func errors() {
    func error(_ yaml: String, files: [String: String] = [:]) -> HeguiError? {
      do {
        _ = try Ruleset.load(files: ["bad.yml": yaml].merging(files) { a, _ in a })
        return nil
      } catch {
        return error
      }
    }
    let unknown = error(
      Self.pack(
        """
          - id: t.a
            kind: pattern
            severity: block
            message: m
            sets:
              verb: [治疗]
            patterns: ['{verb}{disease}']

        """))
    #expect(
      unknown?.message.contains("'{disease}', which is not one of its 'sets'") == true, "\(String(describing: unknown))"
    )
    #expect(unknown?.location?.description == "bad.yml:11:16")
    let badName = error(
      Self.pack(
        """
          - id: t.a
            kind: pattern
            severity: block
            message: m
            sets:
              疾病: [失眠]
            patterns: ['失眠']

        """))
    #expect(badName?.message.contains("must be ASCII letters") == true, "\(String(describing: badName))")
    let empty = error(
      Self.pack(
        """
          - id: t.a
            kind: pattern
            severity: block
            message: m
            sets:
              disease: empty.txt
            patterns: ['{disease}']

        """), files: ["empty.txt": "# nothing\n"])
    #expect(empty?.message.contains("set 'disease' has no terms") == true, "\(String(describing: empty))")
    let sets = error(
      Self.pack(
        """
          - id: t.a
            kind: lexicon
            severity: block
            message: m
            sets:
              disease: [失眠]
            terms: [失眠]

        """))
    #expect(sets?.message.contains("'sets' belongs to pattern rules") == true, "\(String(describing: sets))")
  }

  @Test("terms with PCRE2 metacharacters are matched literally")
  func metacharacters() throws {
    let ruleset = try Ruleset.load(files: [
      "t.yml": Self.pack(
        """
          - id: t.a
            kind: pattern
            severity: review
            message: m
            sets:
              thing: ['c++', 'a.b', '(x)']
            patterns: ['学{thing}']

        """)
    ])
    let checker = Checker(ruleset: ruleset)
    #expect(checker.check("学c++").findings.map(\.match) == ["c++"].map { "学" + $0 })
    #expect(checker.check("学a.b").findings.count == 1)
    #expect(checker.check("学axb").findings.isEmpty)
    #expect(checker.check("学(x)").findings.count == 1)
  }
}
