/// Converts sorted UTF-8 offsets of a text into lines, columns, UTF-16 offsets and `String`
/// indices, scanning the bytes once up to the last finding instead of indexing the whole text.
///
/// Columns count characters (grapheme clusters). Counting from the start of the line for every
/// finding would be quadratic on a long line with many findings, so the locator remembers the
/// last column it computed on the current line and counts on from there when that is safe: when
/// everything since it is a "simple" scalar (``SpanLocator/isSimple(_:)``) and so is the scalar
/// before it, every scalar in between is one character. Otherwise it counts from the line start.
struct SpanLocator {
  /// A position in the text with what is known about everything before it.
  private struct Cursor {
    var offset = 0
    var line = 0  // line breaks before `offset`
    var lineStart = 0  // offset just after the last line break before `offset`
    var utf16 = 0  // UTF-16 code units before `offset`

    mutating func advance(to target: Int, in bytes: UnsafeBufferPointer<UInt8>) {
      while offset < target {
        let byte = bytes[offset]
        if byte & 0xC0 != 0x80 { utf16 += byte >= 0xF0 ? 2 : 1 }
        offset += 1
        if byte == 0x0A {
          line += 1
          lineStart = offset
        }
      }
    }
  }

  private let text: String
  private let bytes: UnsafeBufferPointer<UInt8>
  private var cursor = Cursor()
  /// The last column computed: its offset, its line's start and its 0-based column.
  private var memo = (offset: -1, lineStart: -1, column: 0)

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

  /// The number of scalars in `range` when every one is simple, else nil.
  private func simpleCharacterCount(_ range: Range<Int>) -> Int? {
    guard let base = bytes.baseAddress else { return range.isEmpty ? 0 : nil }
    var count = 0
    var i = range.lowerBound
    while i < range.upperBound {
      let (scalar, length) = Normalizer.decode(base, at: i)
      guard Self.isSimple(scalar) else { return nil }
      count += 1
      i += length
    }
    return count
  }

  /// Whether a character starts at `offset` (a scalar boundary): the scalar there is simple
  /// but not LF (so no extender or spacing mark joins it to what came before, and it is not
  /// the LF of a CRLF) and the scalar before it is no ZWJ and no prepended concatenation mark.
  private func startsCharacter(_ offset: Int) -> Bool {
    guard let base = bytes.baseAddress, offset > 0, offset < bytes.count else { return offset == 0 }
    let at = Normalizer.decode(base, at: offset).0
    guard Self.isSimple(at), at != 0x0A else { return false }
    var start = offset - 1
    while start > 0 && bytes[start] & 0xC0 == 0x80 { start -= 1 }
    switch Normalizer.decode(base, at: start).0 {
    case 0x200D, 0x0600...0x0605, 0x06DD, 0x070F, 0x0890...0x0891, 0x08E2, 0x0D4E, 0x110BD, 0x110CD, 0x111C2...0x111C3,
      0x1193F, 0x11941, 0x11A3A, 0x11A84...0x11A89, 0x11D46:
      return false
    default:
      return true
    }
  }

  /// 0-based column of `offset` on the line that starts at `lineStart`.
  private mutating func column(of offset: Int, lineStart: Int) -> Int {
    // Count on from the memo when a character starts there (the line start, or see
    // `startsCharacter`): never from the line start for every finding of a long line.
    var from = lineStart
    var base = 0
    if memo.lineStart == lineStart && memo.offset <= offset && memo.offset >= lineStart
      && (memo.offset == lineStart || startsCharacter(memo.offset))
    {
      from = memo.offset
      base = memo.column
    }
    let result =
      base
      + (simpleCharacterCount(from..<offset)
        ?? {
          let utf8 = text.utf8
          let start = utf8.index(utf8.startIndex, offsetBy: from)
          let end = utf8.index(utf8.startIndex, offsetBy: offset)
          return Substring(text.unicodeScalars[start..<end]).count
        }())
    memo = (offset, lineStart, result)
    return result
  }

  /// The span of `range`; ranges must come in non-decreasing order of their lower bounds.
  mutating func span(utf8 range: Range<Int>) -> TextSpan {
    if range.lowerBound < cursor.offset { cursor = Cursor() }
    cursor.advance(to: range.lowerBound, in: bytes)
    let startCursor = cursor
    var endCursor = cursor
    var endLine = startCursor.line
    var endLineStart = startCursor.lineStart
    if !range.isEmpty {
      endCursor.advance(to: range.upperBound - 1, in: bytes)
      endLine = endCursor.line
      endLineStart = endCursor.lineStart
    }
    endCursor.advance(to: range.upperBound, in: bytes)
    let column = self.column(of: range.lowerBound, lineStart: startCursor.lineStart) + 1
    let endColumn: Int
    if endCursor.lineStart == endLineStart {
      endColumn = self.column(of: range.upperBound, lineStart: endLineStart) + 1
    } else {
      // The span ends with its line's break (rare): count that line's characters, CRLF as one.
      let utf8 = text.utf8
      let from = utf8.index(utf8.startIndex, offsetBy: endLineStart)
      let to = utf8.index(utf8.startIndex, offsetBy: range.upperBound)
      endColumn = Substring(text.unicodeScalars[from..<to]).count + 1
    }
    // The end column must not become the next finding's starting point: findings come sorted by
    // start, and the next start may lie before this end.
    memo = (range.lowerBound, startCursor.lineStart, column - 1)
    let utf8 = text.utf8
    let start = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
    let end = utf8.index(utf8.startIndex, offsetBy: range.upperBound)
    return TextSpan(
      utf8: range, utf16: startCursor.utf16..<endCursor.utf16, range: start..<end, line: startCursor.line + 1,
      column: column, endLine: endLine + 1, endColumn: endColumn)
  }
}
