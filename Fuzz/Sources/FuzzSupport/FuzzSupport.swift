internal import CLibFuzzer
import Foundation
public import Hegui

/// What the fuzz targets share: libFuzzer's driver, property checks that crash with a message, and
/// a stable hash to derive a check's situation from its input.
public enum Fuzz {
  /// Runs libFuzzer with this process's arguments on `testOneInput` and exits with its status.
  ///
  /// libFuzzer's own `main` cannot be linked: SwiftPM renames an executable's entry point on Linux
  /// (`--defsym main=<Module>_main`), so each target has a `@main` that calls this.
  public static func run(_ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Never {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
  }

  /// The input as text: invalid UTF-8 becomes U+FFFD, as any reader of bytes would make it.
  public static func text(_ data: UnsafePointer<UInt8>?, _ size: Int) -> String {
    String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  }

  /// Crashes with `message` when `condition` is false, so that libFuzzer keeps the input.
  public static func require(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID,
    line: UInt = #line
  ) {
    if !condition() { fatalError("property violated: \(message())", file: file, line: line) }
  }

  /// FNV-1a over the input: the same input always gets the same derived choices.
  public static func hash(_ data: UnsafePointer<UInt8>?, _ size: Int) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in UnsafeBufferPointer(start: data, count: size) {
      hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
    }
    return hash
  }

  /// Every span is where the finding says, in every unit it gives: the UTF-8 range lies in the
  /// text on scalar boundaries and holds exactly `finding.match`; the `String.Index` range, the
  /// UTF-16 range, the lines and the columns agree with it. All of them are recomputed here from
  /// the text's bytes and its `Character`s, independently of the checker's `SpanLocator`.
  public static func checkSpans(_ result: CheckResult, text: String, ruleset: Ruleset, label: String) {
    guard result.findings.contains(where: { $0.span != nil }) else {
      for finding in result.findings {
        require(ruleset.rule(withID: finding.ruleID) != nil, "\(label): unknown rule id \(finding.ruleID)")
        require(finding.match.isEmpty, "\(label): a finding without a span has a match '\(finding.match)'")
      }
      return
    }
    let bytes = Array(text.utf8)
    let map = OffsetMap(text)
    for finding in result.findings {
      require(ruleset.rule(withID: finding.ruleID) != nil, "\(label): unknown rule id \(finding.ruleID)")
      guard let span = finding.span else {
        require(finding.match.isEmpty, "\(label): a finding without a span has a match '\(finding.match)'")
        continue
      }
      let r = span.utf8
      let what = "\(label): \(finding.ruleID) at \(r) '\(finding.match)'"
      require(0 <= r.lowerBound && r.upperBound <= bytes.count, "\(what) lies outside the \(bytes.count)-byte input")
      require(!r.isEmpty, "\(what) is empty")
      require(
        isScalarBoundary(bytes, r.lowerBound) && isScalarBoundary(bytes, r.upperBound), "\(what) cuts a scalar")
      require(
        bytes[r].elementsEqual(finding.match.utf8), "\(what): the input has '\(decode(bytes[r]))' there")

      let utf8 = text.utf8
      require(
        utf8.distance(from: utf8.startIndex, to: span.range.lowerBound) == r.lowerBound
          && utf8.distance(from: utf8.startIndex, to: span.range.upperBound) == r.upperBound,
        "\(what): its String.Index range disagrees")

      let utf16 = map.utf16[r.lowerBound]..<map.utf16[r.upperBound]
      require(span.utf16 == utf16, "\(what): UTF-16 \(span.utf16), expected \(utf16)")

      // Lines and columns are 1-based; a column counts the characters from the line's start. The
      // end is the line of the last character (a span that ends with its line break ends on that
      // line) and the column just after it. A span may start or end inside a character (at a
      // combining mark): the characters counted are then those that start before the offset.
      let last = max(r.lowerBound, r.upperBound - 1)
      let line = 1 + map.breaks[r.lowerBound]
      let column = 1 + map.characters[r.lowerBound] - map.characters[map.lineStart[r.lowerBound]]
      let endLine = 1 + map.breaks[last]
      let endColumn = 1 + map.characters[r.upperBound] - map.characters[map.lineStart[last]]
      require(
        (span.line, span.column, span.endLine, span.endColumn) == (line, column, endLine, endColumn),
        "\(what): \(span.line):\(span.column)-\(span.endLine):\(span.endColumn), expected \(line):\(column)-\(endLine):\(endColumn)"
      )
    }
  }

  /// For every UTF-8 offset of a text: UTF-16 units, line breaks and characters before it, and
  /// where its line starts. One pass over the bytes and one over the `Character`s.
  struct OffsetMap {
    var utf16: [Int]
    var breaks: [Int]
    var lineStart: [Int]
    /// Characters (grapheme clusters of the whole text) that start before the offset. A line
    /// break always ends a character, so counting from a line's start gives its columns.
    var characters: [Int]

    init(_ text: String) {
      let bytes = Array(text.utf8)
      let n = bytes.count
      utf16 = [Int](repeating: 0, count: n + 1)
      breaks = [Int](repeating: 0, count: n + 1)
      lineStart = [Int](repeating: 0, count: n + 1)
      characters = [Int](repeating: 0, count: n + 1)
      var units = 0
      var lines = 0
      var start = 0
      for i in 0..<n {
        let byte = bytes[i]
        if byte & 0xC0 != 0x80 { units += byte >= 0xF0 ? 2 : 1 }
        if byte == 0x0A {
          lines += 1
          start = i + 1
        }
        // Offsets inside a scalar get the counts after it; only scalar boundaries are looked up.
        utf16[i + 1] = units
        breaks[i + 1] = lines
        lineStart[i + 1] = start
      }
      var isStart = [Bool](repeating: false, count: n + 1)
      var index = text.startIndex
      while index < text.endIndex {
        isStart[text.utf8.distance(from: text.startIndex, to: index)] = true
        index = text.index(after: index)
      }
      var count = 0
      for i in 0..<n {
        if isStart[i] { count += 1 }
        characters[i + 1] = count
      }
    }
  }

  /// Findings, briefly, for messages.
  public static func describe(_ findings: [Finding]) -> String {
    "[" + findings.map { "\($0.ruleID) \($0.span?.utf8.description ?? "-") '\($0.match)'" }.joined(separator: ", ")
      + "]"
  }

  /// Bytes as text, invalid UTF-8 as U+FFFD.
  public static func decode(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }

  /// Whether `offset` starts a scalar of `bytes` (or is their end).
  public static func isScalarBoundary(_ bytes: [UInt8], _ offset: Int) -> Bool {
    offset == bytes.count || (offset >= 0 && offset < bytes.count && bytes[offset] & 0xC0 != 0x80)
  }

  /// The length of the UTF-8 sequence that `lead` starts.
  public static func scalarLength(_ lead: UInt8) -> Int {
    switch lead {
    case 0..<0x80: 1
    case 0xC0..<0xE0: 2
    case 0xE0..<0xF0: 3
    default: 4
    }
  }
}
