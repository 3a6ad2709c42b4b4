// Fuzz target: the normaliser and the checker, with the shipped rules.
//
// Any bytes are a text (invalid UTF-8 is decoded to U+FFFD, as every reader of files does). The
// situation of the check (context, shop subject, category) is derived from a hash of the input, so
// one input is always checked the same way. Properties, checked on every input:
// - normaliser: its output is valid UTF-8 and every normalised scalar maps back to a range of
//   whole scalars inside the input, in order;
// - every finding's UTF-8 range lies in the input, on scalar boundaries, and the input's bytes
//   there are exactly `finding.match`; its `String.Index` range, UTF-16 range, line and column
//   (start and end) agree with the UTF-8 range, recomputed here from the bytes;
// - checking is deterministic (the same text twice gives the same result);
// - a clean line before the text shifts every finding by exactly that line: same rules, matches
//   and severities, offsets + the line's length, line + 1, same columns, none lost or added;
// - a checker with small chunks (1 KB, the minimum) finds exactly what one chunk finds; on one
//   input in eight the text is also repeated into a single line of more than 16 KB, so that the
//   small-chunk checker cuts inside the line and must find the same as a single chunk.

import FuzzSupport

// `@testable`: `Checker(ruleset:wordBoundaries:chunkSize:)` is `package` and the normaliser is
// internal (SPI); this target is built in debug (`-enable-testing`), see run.sh.
@_spi(Internals) @testable import Hegui

enum Fixture {
  static let ruleset: Ruleset = {
    do { return try Ruleset.shipped() } catch { fatalError("the shipped rules do not load: \(error)") }
  }()
  static let boundaries = WordBoundaries()
  static let checker = Checker(ruleset: ruleset, wordBoundaries: boundaries)
  /// 1,024 bytes is the smallest chunk `Chunks` allows; lines longer than 16 × that are cut inside.
  static let smallChunks = Checker(ruleset: ruleset, wordBoundaries: boundaries, chunkSize: 1024)
  static let normalizer = Normalizer()
  /// An unrelated clean line (checked clean in every context at start-up).
  /// A line that ends its sentence: in captions a line that does not is joined to the next by
  /// design (a claim spoken across two caption lines), so it would not be "a clean line before".
  static let prefix = "欢迎来到直播间。\n"
  static let categories: [String?] = [nil] + ruleset.categories.map(\.id) + ["未知类目"]

  static let checkedPrefix: Bool = {
    for context in TextContext.allCases {
      let result = checker.check(prefix, context: CheckContext(context))
      Fuzz.require(result.findings.isEmpty, "the prefix line is not clean in \(context): \(result.findings)")
    }
    return true
  }()
}

/// libFuzzer's entry point: one input, checked for crashes and the target's properties.
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  _ = Fixture.checkedPrefix
  let text = Fuzz.text(data, size)
  let hash = Fuzz.hash(data, size)
  let context = situation(hash)

  checkNormalizer(text)

  let result = Fixture.checker.check(text, context: context)
  Fuzz.checkSpans(result, text: text, ruleset: Fixture.ruleset, label: "checker")
  Fuzz.require(Fixture.checker.check(text, context: context) == result, "checking twice gave two results")

  let small = Fixture.smallChunks.check(text, context: context)
  Fuzz.checkSpans(small, text: text, ruleset: Fixture.ruleset, label: "small chunks")
  Fuzz.require(
    small.findings == result.findings,
    "small chunks found \(Fuzz.describe(small.findings)), one chunk found \(Fuzz.describe(result.findings))")

  checkPrefixShift(text, context: context, unprefixed: result)

  if hash >> 61 == 0, !text.isEmpty {
    // One long line: the small-chunk checker cuts it inside (at a sentence end or a scalar).
    let line = String(text.map { $0 == "\n" || $0 == "\r\n" || $0 == "\r" ? " " : $0 })
    let long = String(repeating: line, count: 17 * 1024 / max(1, line.utf8.count) + 1)
    let one = Fixture.checker.check(long, context: context)
    let cut = Fixture.smallChunks.check(long, context: context)
    Fuzz.checkSpans(cut, text: long, ruleset: Fixture.ruleset, label: "small chunks, long line")
    Fuzz.require(
      cut.findings == one.findings,
      "on a \(long.utf8.count)-byte line small chunks found \(cut.findings.count) findings, one chunk \(one.findings.count): "
        + "only small \(Fuzz.describe(cut.findings.filter { !one.findings.contains($0) })), "
        + "only one \(Fuzz.describe(one.findings.filter { !cut.findings.contains($0) }))")
  }
  return 0
}

@main
enum Main {
  static func main() { Fuzz.run(testOneInput) }
}

/// The context, shop subject and category of the check, from the input's hash.
func situation(_ hash: UInt64) -> CheckContext {
  let contexts = TextContext.allCases
  let context = contexts[Int(hash % UInt64(contexts.count))]
  let subjects: [ShopSubject?] = [nil, .individual, .enterprise]
  let subject = subjects[Int((hash >> 8) % 3)]
  let category = (hash >> 16) % 4 == 0 ? Fixture.categories[Int((hash >> 20) % UInt64(Fixture.categories.count))] : nil
  return CheckContext(context, shopSubject: subject, category: category)
}

/// The normaliser's output is valid UTF-8 and maps back, scalar by scalar, to whole scalars of
/// the input, in order.
func checkNormalizer(_ text: String) {
  let input = Array(text.utf8)
  let normalized = Fixture.normalizer.normalize(text)
  let bytes = normalized.bytes
  Fuzz.require(String(validating: bytes, as: UTF8.self) != nil, "the normalised text is not valid UTF-8: \(bytes)")
  var offset = 0
  var previous = 0..<0
  while offset < bytes.count {
    let length = Fuzz.scalarLength(bytes[offset])
    let origin = normalized.originalRange(of: offset..<(offset + length))
    Fuzz.require(
      origin.lowerBound >= 0 && origin.upperBound <= input.count,
      "normalised bytes \(offset)..<\(offset + length) map to \(origin), outside the input (\(input.count) bytes)")
    Fuzz.require(
      Fuzz.isScalarBoundary(input, origin.lowerBound) && Fuzz.isScalarBoundary(input, origin.upperBound),
      "normalised bytes \(offset)..<\(offset + length) map to \(origin), which cuts a scalar of the input")
    Fuzz.require(
      origin.lowerBound >= previous.lowerBound,
      "normalised bytes \(offset)..<\(offset + length) map to \(origin), before the previous scalar's \(previous)")
    previous = origin
    offset += length
  }
  let whole = normalized.originalRange(of: 0..<bytes.count)
  Fuzz.require(whole.lowerBound >= 0 && whole.upperBound <= input.count, "the whole text maps to \(whole)")
}

/// A clean line before the text moves every finding down one line and right by its length.
func checkPrefixShift(_ text: String, context: CheckContext, unprefixed: CheckResult) {
  let prefix = Fixture.prefix
  let shifted = Fixture.checker.check(prefix + text, context: context)
  let before = unprefixed.findings.filter { $0.span != nil }
  let after = shifted.findings.filter { $0.span != nil }
  Fuzz.require(
    unprefixed.findings.filter { $0.span == nil } == shifted.findings.filter { $0.span == nil },
    "the prefix changed the findings about metadata")
  Fuzz.require(
    before.count == after.count, "with the prefix \(Fuzz.describe(after)), without \(Fuzz.describe(before))")
  let (bytes, units) = (prefix.utf8.count, prefix.utf16.count)
  for (a, b) in zip(before, after) {
    guard let s = a.span, let t = b.span else { continue }
    let same =
      a.ruleID == b.ruleID && a.match == b.match && a.severity == b.severity && a.note == b.note
      && t.utf8 == (s.utf8.lowerBound + bytes)..<(s.utf8.upperBound + bytes)
      && t.utf16 == (s.utf16.lowerBound + units)..<(s.utf16.upperBound + units)
      && (t.line, t.column, t.endLine, t.endColumn) == (s.line + 1, s.column, s.endLine + 1, s.endColumn)
    Fuzz.require(
      same,
      "the prefix moved \(a.ruleID) \(s.utf8) \(s.line):\(s.column) '\(a.match)' (\(a.severity)) to "
        + "\(b.ruleID) \(t.utf8) \(t.line):\(t.column) '\(b.match)' (\(b.severity))")
  }
}
