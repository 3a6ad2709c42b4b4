/// The `⟦ ⟧` span markup of rule examples.
package enum SpanMarkup {
  /// Opening marker, U+27E6.
  package static let open: Character = "⟦"
  /// Closing marker, U+27E7.
  package static let close: Character = "⟧"

  /// Removes the markers and returns the text with the marked spans as UTF-8 offsets.
  ///
  /// - Throws: ``HeguiError`` (`invalidRuleset`) for unbalanced, nested or empty markers.
  package static func parse(_ marked: String) throws(HeguiError) -> (text: String, spans: [Range<Int>]) {
    var text = ""
    var spans: [Range<Int>] = []
    var openAt: Int?
    for character in marked {
      if character == open {
        if openAt != nil { throw HeguiError(.invalidRuleset, "nested ⟦ in example '\(marked)'") }
        openAt = text.utf8.count
      } else if character == close {
        guard let start = openAt else { throw HeguiError(.invalidRuleset, "⟧ without ⟦ in example '\(marked)'") }
        if start == text.utf8.count { throw HeguiError(.invalidRuleset, "empty ⟦⟧ span in example '\(marked)'") }
        spans.append(start..<text.utf8.count)
        openAt = nil
      } else {
        text.append(character)
      }
    }
    if openAt != nil { throw HeguiError(.invalidRuleset, "⟦ without ⟧ in example '\(marked)'") }
    return (text, spans)
  }

  /// Inserts markers around UTF-8 spans of `text` (the inverse of ``parse(_:)``).
  package static func render(_ text: String, spans: [Range<Int>]) -> String {
    let bytes = Array(text.utf8)
    let opens = Set(spans.map(\.lowerBound))
    let closes = Set(spans.map(\.upperBound))
    var out: [UInt8] = []
    for i in 0...bytes.count {
      if closes.contains(i) { out += Array(String(close).utf8) }
      if opens.contains(i) { out += Array(String(open).utf8) }
      if i < bytes.count { out.append(bytes[i]) }
    }
    return String(decoding: out, as: UTF8.self)
  }
}
