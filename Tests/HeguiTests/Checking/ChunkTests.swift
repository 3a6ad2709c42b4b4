import Foundation
import Testing

@testable import Hegui

/// Long texts are checked in chunks. These tests pin the two ways that went wrong: a line longer
/// than the chunk size crashed the checker (it read past the buffer when fewer than 16 chunks
/// remained), and a term straddling the cut of a long line was missed.
@Suite("Chunks: long lines and chunk edges")
struct ChunkTests {
  /// The same rules as the sample checker, cut into small chunks so edges are everywhere.
  static let small = Checker(ruleset: Fixtures.sample, wordBoundaries: WordBoundaries(), chunkSize: 1024)

  static func summary(_ result: CheckResult) -> [String] {
    result.findings.map { "\($0.ruleID)@\($0.span?.utf8.lowerBound ?? -1)-\($0.span?.utf8.upperBound ?? -1)" }
  }

  @Test(
    "one line of 1 KB to 20 MB, with and without violations, is checked whole: no crash, every term found once",
    arguments: [1 << 10, 64 << 10, 210 << 10, 1 << 20, (1 << 20) + 17, 3 << 20, 20 << 20])
  func longLine(bytes: Int) async {
    await onOwnThread { Self.checkLongLine(bytes: bytes) }
  }

  static func checkLongLine(bytes: Int) {
    let unit = "这是一段很长的没有换行的直播话术全网最低价"
    let clean = "这是一段很长的没有换行的直播话术就这样吧"
    let repeats = max(1, bytes / unit.utf8.count)
    let violating = String(repeating: unit, count: repeats)
    let result = Fixtures.sampleChecker.check(violating)
    let lowest = result.findings.filter { $0.ruleID == "sample.lowest-price" }
    #expect(lowest.count == repeats)
    #expect(lowest.allSatisfy { $0.match == "全网最低价" })
    #expect(result.diagnostics.isEmpty)
    let quiet = Fixtures.sampleChecker.check(
      String(repeating: clean, count: max(1, min(bytes, 3 << 20) / clean.utf8.count)))
    #expect(quiet.findings.isEmpty)
  }

  @Test("a term at every offset around every cut of a long line is found exactly once, on its exact span")
  func everyEdge() async {
    await onOwnThread { Self.checkEveryEdge() }
  }

  static func checkEveryEdge() {
    let filler = Array("天气不错我们来看一下这款产品的细节".unicodeScalars)
    // A line of ~40 KB (40 chunks of 1 KB, so both cut paths are taken), with 全网最低价 placed
    // at every scalar offset from 0 to 40 in successive copies.
    for shift in 0..<12 {
      var scalars = String.UnicodeScalarView()
      var expected: [Int] = []
      var bytes = 0
      var k = 0
      while bytes < 40 * 1024 {
        let piece = String(filler[(k + shift) % filler.count])
        scalars.append(contentsOf: piece.unicodeScalars)
        bytes += piece.utf8.count
        k += 1
        if k % 37 == shift {
          expected.append(bytes)
          scalars.append(contentsOf: "全网最低价".unicodeScalars)
          bytes += "全网最低价".utf8.count
        }
      }
      let text = String(scalars)
      let found = Self.small.check(text).findings.filter { $0.ruleID == "sample.lowest-price" }
      #expect(found.map { $0.span?.utf8.lowerBound ?? -1 } == expected, "shift \(shift)")
      #expect(found.allSatisfy { $0.match == "全网最低价" })
      #expect(
        Self.summary(Self.small.check(text)) == Self.summary(Fixtures.sampleChecker.check(text)), "shift \(shift)")
    }
  }

  @Test("random long lines, short lines and CRLF: small chunks find exactly what one chunk finds")
  func randomTexts() async {
    await onOwnThread { Self.checkRandomTexts() }
  }

  static func checkRandomTexts() {
    var rng = SplitMix64(state: 21)
    let pieces = ["全网最低价", "第一", "最佳", "加我微信", "治疗", "，", "。", "😀", "\r\n", "\n", "今天", "我们", "第一次", "ＮＯ．１"]
    for _ in 0..<30 {
      var text = ""
      let count = Int.random(in: 200...3000, using: &rng)
      for _ in 0..<count { text += pieces.randomElement(using: &rng) ?? "" }
      #expect(Self.summary(Self.small.check(text)) == Self.summary(Fixtures.sampleChecker.check(text)))
    }
  }

  @Test("chunks cover the text: consecutive, bounded, cuts inside a line reach back")
  func chunkLayout() {
    let chunks = Chunks(size: 1024)
    let text = Array(String(repeating: "最", count: 30_000).utf8) + Array("\n短行\n".utf8)
    text.withUnsafeBufferPointer { buffer in
      var last = 0
      var count = 0
      chunks.forEach(in: buffer) { chunk in
        #expect(chunk.scan.lowerBound <= last && chunk.scan.upperBound > last)
        #expect(chunk.scan.count <= 16 * 1024 + 4)
        #expect(chunk.keepAfter == last)
        last = chunk.scan.upperBound
        count += 1
      }
      #expect(last == buffer.count)
      #expect(count >= 5)
    }
  }
}
