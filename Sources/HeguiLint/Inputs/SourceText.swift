/// What a report shows of the text around a finding, and the lines that hold directives, found
/// without splitting the whole text into lines: a 200 MB script must not be held twice, and a
/// 1 MB line with 50,000 findings must not be copied 50,000 times.
enum SourceText {
  /// At most this many Unicode scalars of context on each side of a match, and of the match.
  static let window = 200

  /// The part of the match's line shown under a finding: the whole line when it is short, else a
  /// window around the match with `…` where it was cut; and the match's character columns in it.
  static func excerpt(of range: Range<String.Index>, in text: String) -> (line: String, columns: Range<Int>) {
    let scalars = text.unicodeScalars
    var start = range.lowerBound
    var steps = 0
    while start > scalars.startIndex {
      let previous = scalars.index(before: start)
      if scalars[previous] == "\n" { break }
      if steps == window { break }
      start = previous
      steps += 1
    }
    let cutLeft = start > scalars.startIndex && scalars[scalars.index(before: start)] != "\n"
    var matchEnd = range.lowerBound
    steps = 0
    while matchEnd < range.upperBound && steps < window && scalars[matchEnd] != "\n" {
      matchEnd = scalars.index(after: matchEnd)
      steps += 1
    }
    var end = matchEnd
    steps = 0
    while end < scalars.endIndex && scalars[end] != "\n" && steps < window {
      end = scalars.index(after: end)
      steps += 1
    }
    let cutRight = end < scalars.endIndex && scalars[end] != "\n"
    var body = Substring(text.unicodeScalars[start..<end])
    if !cutRight && body.unicodeScalars.last == "\r" { body = body.dropLast() }
    let prefix = cutLeft ? "…" : ""
    let before = Substring(text.unicodeScalars[start..<range.lowerBound]).count + prefix.count
    let matched = Substring(text.unicodeScalars[range.lowerBound..<matchEnd]).count
    return (prefix + body + (cutRight ? "…" : ""), before..<(before + matched))
  }

  /// The text's first line, without its line break.
  static func firstLine(of text: String) -> String {
    let line = text.prefix { $0 != "\n" && $0 != "\r\n" }
    return String(line.last == "\r" ? line.dropLast() : line)
  }

  /// The lines that start with `#!` (after blanks), by 1-based number, and the number of lines.
  static func directiveLines(in text: String) -> (lines: [Int: String], count: Int) {
    var found: [Int: String] = [:]
    var number = 1
    var atLineStart = true
    var lineStart = text.utf8.startIndex
    let utf8 = text.utf8
    var index = utf8.startIndex
    while index < utf8.endIndex {
      let byte = utf8[index]
      if byte == 0x0A {
        number += 1
        atLineStart = true
        index = utf8.index(after: index)
        lineStart = index
        continue
      }
      if atLineStart {
        atLineStart = false
        // Skip blanks (space, tab, U+3000) and look for `#!`.
        var probe = index
        while probe < utf8.endIndex {
          let b = utf8[probe]
          if b == 0x20 || b == 0x09 {
            probe = utf8.index(after: probe)
          } else if b == 0xE3, Array(utf8[probe...].prefix(3)) == [0xE3, 0x80, 0x80] {
            probe = utf8.index(probe, offsetBy: 3)
          } else {
            break
          }
        }
        if Array(utf8[probe...].prefix(2)) == [0x23, 0x21] {
          var end = probe
          while end < utf8.endIndex && utf8[end] != 0x0A { end = utf8.index(after: end) }
          var line = Substring(text[lineStart..<end])
          if line.last == "\r" { line = line.dropLast() }
          found[number] = String(line)
          index = end
          continue
        }
      }
      index = utf8.index(after: index)
    }
    return (found, number)
  }
}
