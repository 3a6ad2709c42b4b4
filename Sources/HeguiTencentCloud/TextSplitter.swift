/// Splits a text that is longer than the service limit into parts at sentence boundaries, and
/// remembers where each part starts so that hit positions can be mapped back.
///
/// Lengths and offsets count Unicode scalars, as TMS does ("以Unicode编码计量"; hit positions are
/// rune indices). A part ends after a sentence terminator (`。！？!?；;…` or a line break, with
/// any closing quotes or brackets and spaces after it). When a window has no sentence end in its
/// second half, a clause boundary (`，,、：:` or a space) is used; when it has neither, the part
/// is cut at the limit, never inside a combining sequence.
package struct TextSplitter: Sendable {
  /// One part of a text.
  package struct Part: Sendable, Hashable {
    /// The part's text.
    package var text: String
    /// The index of its first scalar in the whole text.
    package var scalarOffset: Int
    /// Its length in scalars.
    package var scalarCount: Int
  }

  /// TMS's limit: 10,000 Unicode characters before base64.
  package static let serviceLimit = 10_000

  /// The longest part, in scalars.
  package var limit: Int

  /// Creates a splitter.
  package init(limit: Int = TextSplitter.serviceLimit) {
    self.limit = max(1, limit)
  }

  /// The parts of `text`: one part when it fits, else parts of at most ``limit`` scalars whose
  /// concatenation is the text.
  package func split(_ text: String) -> [Part] {
    let scalars = Array(text.unicodeScalars)
    guard scalars.count > limit else {
      return [Part(text: text, scalarOffset: 0, scalarCount: scalars.count)]
    }
    var parts: [Part] = []
    var start = 0
    while start < scalars.count {
      let end = scalars.count - start <= limit ? scalars.count : cut(scalars, from: start)
      var view = String.UnicodeScalarView()
      view.append(contentsOf: scalars[start..<end])
      parts.append(Part(text: String(view), scalarOffset: start, scalarCount: end - start))
      start = end
    }
    return parts
  }

  /// Where the part starting at `start` ends (exclusive): `start < result <= start + limit`.
  private func cut(_ scalars: [Unicode.Scalar], from start: Int) -> Int {
    let windowEnd = start + limit
    let half = start + limit / 2
    var sentence: Int?
    var clause: Int?
    var index = start
    while index < windowEnd {
      let scalar = scalars[index]
      if Self.sentenceTerminators.contains(scalar) {
        var end = index + 1
        while end < windowEnd, Self.closers.contains(scalars[end]) || scalars[end].properties.isWhitespace {
          end += 1
        }
        sentence = end
        index = end
        continue
      }
      if Self.clauseSeparators.contains(scalar) || scalar.properties.isWhitespace {
        clause = index + 1
      }
      index += 1
    }
    if let sentence, sentence > half { return sentence }
    if let clause, clause > half { return clause }
    if let sentence { return sentence }
    if let clause { return clause }
    // No boundary at all: cut at the limit, but not before a scalar that extends the previous
    // character (combining mark, variation selector, zero-width joiner sequence).
    var end = windowEnd
    while end > start + 1, Self.extendsPrevious(scalars[end], after: scalars[end - 1]) {
      end -= 1
    }
    return end
  }

  private static func extendsPrevious(_ scalar: Unicode.Scalar, after previous: Unicode.Scalar) -> Bool {
    if previous == "\u{200D}" || scalar == "\u{200D}" { return true }
    if (0xFE00...0xFE0F).contains(scalar.value) || (0xE0100...0xE01EF).contains(scalar.value) { return true }
    if (0x1F3FB...0x1F3FF).contains(scalar.value) { return true }  // skin-tone modifiers
    switch scalar.properties.generalCategory {
    case .nonspacingMark, .spacingMark, .enclosingMark: return true
    default: return false
    }
  }

  private static let sentenceTerminators: Set<Unicode.Scalar> = [
    "。", "！", "？", "!", "?", "；", ";", "…", "\n", "\u{2029}", "｡",
  ]
  private static let closers: Set<Unicode.Scalar> = [
    "”", "’", "」", "』", "）", ")", "】", "》", "〉", "\"", "'", "]", "}", "!", "?", "！", "？", "…",
  ]
  private static let clauseSeparators: Set<Unicode.Scalar> = ["，", ",", "、", "：", ":", "\t"]
}
