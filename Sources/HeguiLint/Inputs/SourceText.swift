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
    var copy = text
    copy.withUTF8 { bytes in
      var index = 0
      while index < bytes.count {
        // At a line start: skip blanks (space, tab, U+3000) and look for `#!`.
        let lineStart = index
        var probe = index
        while probe < bytes.count {
          if bytes[probe] == 0x20 || bytes[probe] == 0x09 {
            probe += 1
          } else if probe + 2 < bytes.count, bytes[probe] == 0xE3, bytes[probe + 1] == 0x80, bytes[probe + 2] == 0x80 {
            probe += 3
          } else {
            break
          }
        }
        let isDirective = probe + 1 < bytes.count && bytes[probe] == 0x23 && bytes[probe + 1] == 0x21
        var end = probe
        while end < bytes.count && bytes[end] != 0x0A { end += 1 }
        if isDirective {
          var lineEnd = end
          if lineEnd > lineStart && bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
          found[number] = String(decoding: UnsafeBufferPointer(rebasing: bytes[lineStart..<lineEnd]), as: UTF8.self)
        }
        if end < bytes.count { number += 1 }
        index = end + 1
      }
    }
    return (found, number)
  }
}
