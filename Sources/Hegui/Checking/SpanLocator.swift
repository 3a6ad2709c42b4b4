/// Converts sorted UTF-8 offsets of a text into lines, columns, UTF-16 offsets and `String`
/// indices, scanning the bytes once up to the last finding instead of indexing the whole text.
///
/// Columns count characters (grapheme clusters). Counting them from the start of the line for
/// every finding would be quadratic on a long line with many findings, so the cursor keeps a
/// checkpoint: the last place on the line known to be a character boundary and its column. A
/// boundary between two "simple" scalars (see ``SpanLocator/isSimple(_:)``) always is one, so
/// in Chinese text the checkpoint is never far behind; only the stretch after it is counted.
struct SpanLocator {
  /// A position in the text with what is known about everything before it.
  private struct Cursor {
    var offset = 0
    var line = 0  // line breaks before `offset`
    var lineStart = 0  // offset just after the last line break before `offset`
    var utf16 = 0  // UTF-16 code units before `offset`
    var checkpoint = 0  // a character boundary on this line, at or before `offset`
    var checkpointColumn = 0  // characters from the line start to `checkpoint`
    var scalarsSinceCheckpoint = 0
    var simpleSinceCheckpoint = true  // every scalar since the checkpoint is simple
    var previousSimple = true  // the scalar before `offset` is simple (or `offset` starts a line)

    mutating func advance(to target: Int, in base: UnsafePointer<UInt8>, text: String) {
      while offset < target {
        let (scalar, length) = Normalizer.decode(base, at: offset)
        let simple = SpanLocator.isSimple(scalar)
        if simple && previousSimple && offset != checkpoint {
          checkpointColumn = column(at: offset, text: text)
          checkpoint = offset
          scalarsSinceCheckpoint = 0
          simpleSinceCheckpoint = true
        }
        scalarsSinceCheckpoint += 1
        simpleSinceCheckpoint = simpleSinceCheckpoint && simple
        previousSimple = simple
        utf16 += length == 4 ? 2 : 1
        offset += length
        if scalar == 0x0A {
          line += 1
          lineStart = offset
          checkpoint = offset
          checkpointColumn = 0
          scalarsSinceCheckpoint = 0
          simpleSinceCheckpoint = true
          previousSimple = true
        }
      }
    }

    /// 0-based column of `target` (≥ the checkpoint, on this line, a scalar boundary).
    func column(at target: Int, text: String) -> Int {
      if target == checkpoint { return checkpointColumn }
      if simpleSinceCheckpoint && target == offset { return checkpointColumn + scalarsSinceCheckpoint }
      let utf8 = text.utf8
      let from = utf8.index(utf8.startIndex, offsetBy: checkpoint)
      let to = utf8.index(utf8.startIndex, offsetBy: target)
      return checkpointColumn + Substring(text.unicodeScalars[from..<to]).count
    }
  }

  private let text: String
  private let bytes: UnsafeBufferPointer<UInt8>
  private var cursor = Cursor()

  /// - Parameters:
  ///   - text: The original text.
  ///   - bytes: Its UTF-8, alive while the locator is used.
  init(text: String, bytes: UnsafeBufferPointer<UInt8>) {
    self.text = text
    self.bytes = bytes
  }

  /// Whether Unicode always breaks characters between this scalar and any other simple scalar:
  /// ASCII but CR, Latin-1 and Latin Extended, CJK punctuation but the tone marks, CJK
  /// ideographs, full-width forms.
  @inline(__always)
  static func isSimple(_ scalar: UInt32) -> Bool {
    switch scalar {
    case 0x00...0x0C, 0x0E...0x02FF, 0x3000...0x3029, 0x3030...0x303F, 0x3400...0x4DBF, 0x4E00...0x9FFF,
      0xFF01...0xFF60:
      return true
    default:
      return false
    }
  }

  /// The span of `range`; ranges must come in non-decreasing order of their lower bounds.
  mutating func span(utf8 range: Range<Int>) -> TextSpan {
    guard let base = bytes.baseAddress else {
      let start = text.startIndex
      return TextSpan(utf8: 0..<0, utf16: 0..<0, range: start..<start, line: 1, column: 1, endLine: 1, endColumn: 1)
    }
    if range.lowerBound < cursor.offset { cursor = Cursor() }
    cursor.advance(to: range.lowerBound, in: base, text: text)
    let startCursor = cursor
    var endCursor = cursor
    var endLine = startCursor.line
    if !range.isEmpty {
      // The line of the last character: a span that ends with a line break ends on its line.
      endCursor.advance(to: range.upperBound - 1, in: base, text: text)
      endLine = endCursor.line
    }
    let endLineStart = endCursor.lineStart
    endCursor.advance(to: range.upperBound, in: base, text: text)
    let column = startCursor.column(at: range.lowerBound, text: text) + 1
    let endColumn: Int
    if endCursor.lineStart == endLineStart {
      endColumn = endCursor.column(at: range.upperBound, text: text) + 1
    } else {
      // The span ends with its line's break (rare): count that line's characters, CRLF as one.
      let utf8 = text.utf8
      let from = utf8.index(utf8.startIndex, offsetBy: endLineStart)
      let to = utf8.index(utf8.startIndex, offsetBy: range.upperBound)
      endColumn = Substring(text.unicodeScalars[from..<to]).count + 1
    }
    let utf8 = text.utf8
    let start = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
    let end = utf8.index(utf8.startIndex, offsetBy: range.upperBound)
    return TextSpan(
      utf8: range, utf16: startCursor.utf16..<endCursor.utf16, range: start..<end, line: startCursor.line + 1,
      column: column, endLine: endLine + 1, endColumn: endColumn)
  }
}
