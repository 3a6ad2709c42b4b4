import Foundation
import Testing

@testable import Hegui

/// What the fuzz targets (`Fuzz/`) found in the engine, pinned. The inputs are in `Fuzz/Crashes/`;
/// each test says which.
@Suite("Fuzz regressions: engine")
struct EngineFuzzRegressionTests {
  static let shipped: Ruleset = {
    do { return try Ruleset.shipped() } catch {
      Issue.record("the shipped rules do not load: \(error)")
      return Ruleset.empty
    }
  }()
  static let oneChunk = Checker(ruleset: shipped)
  /// The smallest chunks `Chunks` allows: a line longer than 16 KB is cut inside.
  static let smallChunks = Checker(ruleset: shipped, wordBoundaries: WordBoundaries(), chunkSize: 1024)

  static func summary(_ result: CheckResult) -> [String] {
    result.findings.map { "\($0.ruleID)@\($0.span?.utf8.description ?? "-") \($0.severity)" }
  }

  // Found by the checker target, which also repeats its input into one line of more than 16 KB
  // and checks it with the smallest chunks (cut inside the line) and with one chunk. It found two
  // shipped pass examples, 有人问长期喝也没事吗，建议按标签食用量 and 唯一需要注意的是，这款耳机不支持
  // 无线充电, whose hit the small chunks reported and one chunk did not; minimised:
  // - Fuzz/Crashes/checker-exception-across-cut.txt (长期喝也没事吗吗): the line was cut between
  //   长期喝也没事 and 吗, so the exception `长期\p{Han}{1,10}(?:吗|么|嘛)` could not see its 吗;
  // - Fuzz/Crashes/checker-lookahead-at-cut.txt (qquce): in qquceqquce…, the cut ended the subject,
  //   so the lookahead `(?![a-z0-9_-])` of a contact-id pattern saw an end of text that is not there.
  // Cause: the chunk before a cut inside a line kept every hit that ended before the cut, judged
  // without the text after it. Fix (Checker.swift): hits that end in the second half of the
  // overlap belong to the next chunk, so every hit is judged with half an overlap on both sides.
  @Test(
    "an exception that reads past a cut inside a long line applies wherever the cut falls",
    arguments: [
      "有人问长期喝也没事吗，建议按标签食用量",  // adlaw.medical.safety-guarantee, exception after the hit
      "唯一需要注意的是，这款耳机不支持无线充电",  // adlaw.absolute.unique, exception after the hit
    ])
  func exceptionAcrossCut(sentence: String) {
    // Pad the sentence so that, in successive texts, the first cut (16 KB, then the next scalar)
    // falls at different places in and around it (before the fix, 9 of these 44 texts failed).
    let scalars = Array(sentence.unicodeScalars)
    for shift in 0...scalars.count {
      let pad = String(repeating: "好", count: shift)  // 3 bytes, like the sentence's characters
      let unit = pad + sentence
      let line = String(repeating: unit, count: 17 * 1024 / unit.utf8.count + 2)
      let small = Self.smallChunks.check(line)
      let one = Self.oneChunk.check(line)
      #expect(Self.summary(small) == Self.summary(one), "shift \(shift)")
    }
  }

  // Fuzz/Crashes/checker-two-parses-at-cut.txt (治愈率98%, found by the checker target in CI's
  // 30-second smoke run): repeated, 治愈率98%治愈率98%… parses as 治愈率98% (one pattern of
  // adlaw.medical.efficacy-result) or as 98%治愈率 (another). One chunk took the first parse
  // throughout; the chunk after a cut started its scan in the middle of a unit and took the
  // second, so the findings after the cut differed. Fix (ChunkSeam, Hits.swift): after a cut,
  // each pattern resumes where the previous chunk's last kept match of it ended, and each rule's
  // hits start after the previous chunk's last kept finding of that rule.
  @Test(
    "a line whose matches parse two ways gives the same findings in one chunk or many, wherever the cut falls",
    arguments: ["治愈率98%", "98%有效率", "治愈率98%，"])
  func twoParsesAcrossCut(unit: String) {
    for shift in 0...4 {
      let line = String(repeating: "好", count: shift) + String(repeating: unit, count: 17 * 1024 / unit.utf8.count + 2)
      let small = Self.smallChunks.check(line)
      let one = Self.oneChunk.check(line)
      #expect(!one.findings.isEmpty)
      #expect(Self.summary(small) == Self.summary(one), "shift \(shift)")
    }
  }

  // Fuzz/Crashes/checker-greedy-exception.txt (本品不能代替药物, the health-food disclaimer the law
  // requires), repeated without a break: the exception `(?:不能|…)(?:替代|代替|取代)[^，。…]{0,6}`
  // matched 不能代替药物本品不能 and swallowed the next 不能, so every other 代替药物 was reported
  // (in one chunk too: a false block on lawful text); the small chunks, whose exception windows
  // began elsewhere, reported the other half. Fix (Checker+Filters.swift, Pattern.swift): an
  // exception covers a hit when any of its matches does, overlapping ones included.
  @Test("a lawful disclaimer repeated without a break is lawful every time, in one chunk or many")
  func greedyException() {
    let short = "本品不能代替药物本品不能代替药物本品不能代替药物"
    #expect(Self.oneChunk.check(short, context: CheckContext(.description, category: "food")).findings.isEmpty)
    let line = String(repeating: "本品不能代替药物", count: 17 * 1024 / 24 + 2)
    #expect(Self.oneChunk.check(line).findings.isEmpty)
    #expect(Self.smallChunks.check(line).findings.isEmpty)
  }

  // Fuzz/Crashes/checker-match-across-line-break.txt (a 400-second run after the fixes above):
  // `(?:微信|…|qq|扣扣)(?:号|群|号码)?\s*[:：]?\s*[a-z0-9][a-z0-9_-]{4,19}` matched qq, a line break
  // and an id on the next line; the small chunks, which end at that line break, found the id
  // alone. Fix (Pattern.swift): no match runs over a line break; such a match is dropped and its
  // first line searched on its own, so a chunk's end never changes a result.
  @Test("a pattern never matches over a line break, so where chunks end changes nothing")
  func matchAcrossLineBreak() throws {
    let pattern = try Pattern(#"(?:qq|vx)\s*[a-z0-9]{4,19}"#)
    #expect(try pattern.matches(in: "qqqq\nqqqqqqqqqqqqqqq") == [5..<20])
    #expect(try pattern.matches(in: "ab qq\n12345 x").isEmpty)
    #expect(try pattern.matches(in: "vx 12345\nvx 67890") == [0..<8, 9..<17])
    let url = Fixtures.packageRoot.appending(path: "Fuzz/Crashes/checker-match-across-line-break.txt")
    let text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
    for context in TextContext.allCases {
      let c = CheckContext(context)
      #expect(
        Self.summary(Self.smallChunks.check(text, context: c)) == Self.summary(Self.oneChunk.check(text, context: c)))
    }
  }

  // Fuzz/Crashes/checker-evasion-widened-at-cut.txt (蕞佳口感，醉好喝的奶茶, a shipped example, found by
  // CI's 30-second smoke run of the checker target): the listed 醉好 inside 醉好喝 (最好喝 with 醉
  // for 最) widens to 醉好喝 and keeps block. Where a cut's handoff fell between 醉好 and 喝, the
  // previous chunk widened the hit and, as it ends after the handoff, gave it up, while the next
  // chunk skipped 醉好 (the previous chunk's) and kept 醉好喝 as a bare evasion at review. Fix
  // (Checker+Filters.swift): exact hits that end by the handoff are still judged, for widening only.
  @Test("an exact hit widened by an evasion across a cut keeps its severity, wherever the cut falls")
  func widenedAcrossCut() throws {
    let url = Fixtures.packageRoot.appending(path: "Fuzz/Crashes/checker-evasion-widened-at-cut.txt")
    let text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
    for shift in 0...12 {
      let line = String(repeating: "好", count: shift) + String(repeating: text, count: 17 * 1024 / text.utf8.count + 2)
      let small = Self.smallChunks.check(line)
      let one = Self.oneChunk.check(line)
      #expect(one.findings.contains { $0.match == "醉好喝" && $0.severity == .block })
      #expect(small.findings == one.findings, "shift \(shift)")
    }
  }

  @Test("the minimised inputs, as the fuzz target checks them: small chunks find what one chunk finds")
  func minimisedInputs() throws {
    for name in [
      "checker-exception-across-cut.txt", "checker-lookahead-at-cut.txt", "checker-two-parses-at-cut.txt",
      "checker-greedy-exception.txt", "checker-evasion-widened-at-cut.txt",
    ] {
      let url = Fixtures.packageRoot.appending(path: "Fuzz/Crashes/\(name)")
      let text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
      // The fuzz target repeats the input into one line of more than 16 KB.
      let line = String(
        repeating: text.replacingOccurrences(of: "\n", with: " "), count: 17 * 1024 / max(1, text.utf8.count) + 1)
      #expect(Self.summary(Self.smallChunks.check(line)) == Self.summary(Self.oneChunk.check(line)), "\(name)")
    }
  }

  // Fuzz/Crashes/checker-caption-join-filler.txt (最后一次做这个价了, found by the checker target's
  // prefix property in CI): in a caption, the clean line 欢迎来到直播间 before it was joined to it,
  // the joined reading also read the filler 这个 through, lost the urgency phrase, and the first
  // reading's hit was dropped as "half a phrase". Fix (Checker.speechPass): the reading that
  // decides such drops joins the lines and changes nothing else (Normalizer `breaksOnly`). The
  // fuzz target's prefix now ends its sentence (欢迎来到直播间。): an unterminated caption line is
  // joined to the next by design.
  @Test("a clean line before a caption with a filler-bearing phrase keeps the phrase's finding")
  func captionJoinKeepsFiller() throws {
    let url = Fixtures.packageRoot.appending(path: "Fuzz/Crashes/checker-caption-join-filler.txt")
    let text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
    for prefix in ["欢迎来到直播间\n", "欢迎来到直播间。\n"] {
      let alone = Self.oneChunk.check(text, context: CheckContext(.caption)).findings.map(\.ruleID)
      let after = Self.oneChunk.check(prefix + text, context: CheckContext(.caption)).findings.map(\.ruleID)
      #expect(!alone.isEmpty)
      #expect(alone == after, "\(prefix)")
    }
  }

  // Fuzz/Crashes/checker-caption-join-across-chunks.txt (a 1.7 KB caption script, found by the
  // checker target's small-chunk property): the caption reading joined runs of lines into one
  // region per chunk, so a chunk cut between two lines changed which lines were read together
  // (第一 followed on the next line by 第二步 is an enumeration only when both are read). Fix
  // (Checker.speechPass): a caption region is the two lines one break joins, over the whole text
  // whatever the chunk, read on its own; a hit belongs to the chunk it starts in.
  @Test("caption lines are joined the same whatever the chunk cuts")
  func captionJoinAcrossChunks() throws {
    let url = Fixtures.packageRoot.appending(path: "Fuzz/Crashes/checker-caption-join-across-chunks.txt")
    let text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
    for context in TextContext.allCases {
      let one = Self.summary(Self.oneChunk.check(text, context: CheckContext(context)))
      let small = Self.summary(Self.smallChunks.check(text, context: CheckContext(context)))
      #expect(one == small, "\(context)")
    }
  }

  // Fuzz/Crashes/ruleset-loader-alias-bomb-key.yml (written by hand, as the fuzzing issue asked,
  // and run through the loader target): an alias bomb used as a mapping key. Yams
  // composes an alias as a copy of the anchored node, then hashes every key of a mapping to find
  // duplicates: a key that stands for 9^8 nodes took 47 s, one more level ten times longer. Fix
  // (YAMLReader.swift): a text with `&` and `*` is first composed with its aliases as plain
  // scalars, and refused when its aliases would expand it beyond 100,000 nodes.
  /// Lines `a:` to the `levels`-th letter: each anchors a list of nine aliases of the one
  /// before, so the last stands for 9^levels nodes.
  static func bomb(levels: Int) -> String {
    var yaml = "a: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n"
    let letters = Array("abcdefghijklmnop")
    for level in 1..<levels {
      let (name, previous) = (letters[level], letters[level - 1])
      yaml += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ", ") + "]\n"
    }
    return yaml
  }

  func loadError(_ yaml: String) -> HeguiError? {
    do {
      _ = try Ruleset.load(files: ["fuzz.yml": yaml])
      return nil
    } catch {
      return error
    }
  }

  @Test(
    "YAML alias bombs are refused quickly: billion laughs, as a mapping key, as a nested key, as a value of a rule",
    .timeLimit(.minutes(1)),
    arguments: [
      // 9^6 > 100,000 nodes on line f (a, b, … f: the sixth line of the bomb).
      (
        "billion laughs", "version: 1\npack: t\nname: x\n" + EngineFuzzRegressionTests.bomb(levels: 9) + "rules: []\n",
        "fuzz.yml:9:4"
      ),
      ("a key", EngineFuzzRegressionTests.bomb(levels: 9) + "? *i\n: x\n", "fuzz.yml:6:4"),
      (
        "a rule", "version: 1\npack: t\nname: x\n" + EngineFuzzRegressionTests.bomb(levels: 9) + "rules:\n  - *i\n",
        "fuzz.yml:9:4"
      ),
      // 9^5 nodes fit once; but `*e` is the key of `{*e: 1}`, itself a key: hashed twice, too many.
      ("a key in a key", EngineFuzzRegressionTests.bomb(levels: 5) + "k: {{{{*e: 1}: 1}: 1}: 1}\n", "fuzz.yml:6:7"),
    ])
  func aliasBombs(name: String, yaml: String, location: String) {
    let start = ContinuousClock.now
    let error = loadError(yaml)
    #expect(ContinuousClock.now - start < .seconds(5), "\(name)")
    #expect(
      error?.message.contains("YAML aliases expand this file to more than 100000 nodes") == true,
      "\(name): \(String(describing: error))")
    #expect(error?.location?.description == location, "\(name)")
  }
  @Test("the alias-bomb probe runs where an anchor and an alias can begin a node, and skips `*` and `&` in patterns")
  func aliasProbeGuard() {
    #expect(YAMLReader.mayHaveAnchorsAndAliases("a: &a [x]\nb: *a\n"))
    #expect(YAMLReader.mayHaveAnchorsAndAliases("{k: &a 1, j: [*a]}"))
    #expect(YAMLReader.mayHaveAnchorsAndAliases("\u{FEFF}&a [x]\n- *a\n"))
    #expect(!YAMLReader.mayHaveAnchorsAndAliases("patterns:\n  - '最*便*宜'\n  - '[^，]*R&D'\n"))
    #expect(!YAMLReader.mayHaveAnchorsAndAliases("a: &a [x]\n"))
    for level in 3...9 { #expect(YAMLReader.mayHaveAnchorsAndAliases(Self.bomb(levels: level))) }
  }

  @Test("the alias bomb in Fuzz/Crashes is refused")
  func aliasBombInput() throws {
    let url = Fixtures.packageRoot.appending(path: "Fuzz/Crashes/ruleset-loader-alias-bomb-key.yml")
    let yaml = String(decoding: try Data(contentsOf: url), as: UTF8.self)
    let start = ContinuousClock.now
    #expect(loadError(yaml)?.message.contains("YAML aliases expand") == true)
    #expect(ContinuousClock.now - start < .seconds(5))
  }

  @Test("anchors and aliases that expand a little still load; `*` and `&` outside aliases are text")
  func aliasesThatFit() throws {
    let yaml = """
      version: 1
      pack: t
      name: 锚点 & 别名
      sources: &sources
        - 《广告法》第九条
      rules:
        - id: t.a
          kind: pattern
          severity: &severity block
          message: "“{match}” & *不是别名*"
          basis: *sources
          patterns: ['最\\s*好', '第 *一']
          examples:
            trigger: [这是⟦最 好⟧的]
            pass: [还好]
        - id: t.b
          kind: lexicon
          severity: *severity
          message: m
          basis: *sources
          terms: [全网最低价]
          examples:
            trigger: [⟦全网最低价⟧]
            pass: [最低]

      """
    let ruleset = try Ruleset.load(files: ["fuzz.yml": yaml])
    #expect(ruleset.rules.map(\.basis) == [["《广告法》第九条"], ["《广告法》第九条"]])
    #expect(ruleset.rules.map(\.severity) == [.block, .block])
    #expect(ruleset.rules.first?.message == "“{match}” & *不是别名*")
  }

  @Test("a YAML error in a text with anchors and aliases is reported where it is")
  func errorPositionsWithAliases() {
    let withAliases = loadError("version: 1\npack: &p t\nname: *p\nrules: [\n  - x\n")
    let without = loadError("version: 1\npack: t\nname: t\nrules: [\n  - x\n")
    #expect(withAliases != nil)
    #expect(withAliases?.location == without?.location)
    #expect(withAliases?.message == without?.message)
  }
}
