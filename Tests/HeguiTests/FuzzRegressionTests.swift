import Foundation
@testable import Hegui
import Testing

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

  @Test("the minimised inputs, as the fuzz target checks them: small chunks find what one chunk finds")
  func minimisedInputs() throws {
    for name in ["checker-exception-across-cut.txt", "checker-lookahead-at-cut.txt"] {
      let url = Fixtures.packageRoot.appending(path: "Fuzz/Crashes/\(name)")
      let text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
      // The fuzz target repeats the input into one line of more than 16 KB.
      let line = String(repeating: text.replacingOccurrences(of: "\n", with: " "), count: 17 * 1024 / max(1, text.utf8.count) + 1)
      #expect(Self.summary(Self.smallChunks.check(line)) == Self.summary(Self.oneChunk.check(line)), "\(name)")
    }
  }
}
