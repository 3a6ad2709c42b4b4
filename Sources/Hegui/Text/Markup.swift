/// HTML in listing titles and descriptions, read as a buyer's browser shows it: tags are not
/// text, character references are the characters they stand for.
///
/// Merchants paste descriptions from HTML editors, and some split a banned word with a tag
/// (`最<b>低</b>价`) or write a character as a reference (`最&#20302;价`, `&#x4F4E;`, `&amp;`) so
/// that a filter reading the source misses it. The ``Normalizer`` (for `title` and `description`
/// text) therefore removes a tag as noise — between two Han characters it is collapsed like `*`,
/// so `evasion: false` rules refuse hits through it — except that a block-level tag (`<br>`,
/// `<p>`, `<div>`, `<li>`, …) ends a line, and decodes a reference to its character. Spans still
/// cover the original bytes: a finding on 最<b>低</b>价 points at all of them.
///
/// Only well-formed markup is read: a comment `<!-- … -->`; `<` or `</` and a letter, then up to 256 bytes without `<`,
/// `>` or a line break before `>`; `&#` and 1–7 decimal digits or `&#x` and 1–6 hex digits, or a
/// named reference from the table below, each ending in `;`. Anything else (`a<b`, `3 < 5`,
/// `AT&T`) is text.
enum Markup {
  /// A tag at `i` (at a `<`): its length and whether it is block-level (ends a line).
  static func tag(at i: Int, in p: UnsafePointer<UInt8>, count n: Int) -> (length: Int, isBlock: Bool)? {
    // A comment, <!-- … -->, on one line and at most 256 bytes.
    if i + 3 < n && p[i + 1] == 0x21 && p[i + 2] == 0x2D && p[i + 3] == 0x2D {
      var k = i + 4
      let limit = min(n, i + 256)
      while k + 2 < limit {
        if p[k] == 0x0A || p[k] == 0x0D { return nil }
        if p[k] == 0x2D && p[k + 1] == 0x2D && p[k + 2] == 0x3E { return (k + 3 - i, false) }
        k += 1
      }
      return nil
    }
    var k = i + 1
    if k < n && p[k] == 0x2F { k += 1 }  // </
    let nameStart = k
    while k < n && isASCIILetterOrDigit(p[k]) && k - nameStart < 16 { k += 1 }
    guard k > nameStart, isASCIILetter(p[nameStart]) else { return nil }
    let nameEnd = k
    let limit = min(n, i + 256)
    while k < limit {
      switch p[k] {
      case 0x3E:  // >
        return (k + 1 - i, isBlock(p + nameStart, nameEnd - nameStart))
      case 0x3C, 0x0A, 0x0D:
        return nil
      default:
        k += 1
      }
    }
    return nil
  }

  /// A character reference at `i` (at a `&`): the scalar and the reference's length.
  static func entity(at i: Int, in p: UnsafePointer<UInt8>, count n: Int) -> (scalar: UInt32, length: Int)? {
    var k = i + 1
    guard k < n else { return nil }
    if p[k] == 0x23 {  // &#
      k += 1
      var hex = false
      if k < n && (p[k] == 0x78 || p[k] == 0x58) {
        hex = true
        k += 1
      }
      var value: UInt32 = 0
      let digitsStart = k
      while k < n && k - digitsStart < (hex ? 6 : 7) {
        let b = p[k]
        let digit: UInt32
        if b >= 0x30 && b <= 0x39 {
          digit = UInt32(b - 0x30)
        } else if hex && (b | 0x20) >= 0x61 && (b | 0x20) <= 0x66 {
          digit = UInt32((b | 0x20) - 0x61 + 10)
        } else {
          break
        }
        value = value * (hex ? 16 : 10) + digit
        k += 1
      }
      guard k > digitsStart, k < n, p[k] == 0x3B else { return nil }
      // Not a character: surrogates, beyond Unicode, NUL.
      guard value > 0, value <= 0x10FFFF, !(0xD800...0xDFFF).contains(value) else { return nil }
      return (value, k + 1 - i)
    }
    let nameStart = k
    while k < n && isASCIILetterOrDigit(p[k]) && k - nameStart < 8 { k += 1 }
    guard k > nameStart, k < n, p[k] == 0x3B else { return nil }
    let name = String(decoding: UnsafeBufferPointer(start: p + nameStart, count: k - nameStart), as: UTF8.self)
    guard let scalar = named[name] else { return nil }
    return (scalar, k + 1 - i)
  }

  /// Named references seen in pasted descriptions (HTML's most common; others stay text).
  static let named: [String: UInt32] = [
    "amp": 0x26, "lt": 0x3C, "gt": 0x3E, "quot": 0x22, "apos": 0x27, "nbsp": 0xA0, "ensp": 0x2002,
    "emsp": 0x2003, "thinsp": 0x2009, "zwj": 0x200D, "zwnj": 0x200C, "shy": 0xAD, "middot": 0xB7,
    "hellip": 0x2026, "mdash": 0x2014, "ndash": 0x2013, "ldquo": 0x201C, "rdquo": 0x201D, "lsquo": 0x2018,
    "rsquo": 0x2019, "times": 0xD7, "yen": 0xA5, "copy": 0xA9, "reg": 0xAE, "trade": 0x2122, "bull": 0x2022,
    "deg": 0xB0, "plusmn": 0xB1,
  ]

  /// Tags after which a browser starts a new line.
  private static let blockTags: Set<String> = [
    "br", "p", "div", "li", "ul", "ol", "tr", "td", "th", "table", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
    "section", "article", "header", "footer", "blockquote", "pre", "dd", "dt", "dl",
  ]

  private static func isBlock(_ name: UnsafePointer<UInt8>, _ length: Int) -> Bool {
    var lowered = [UInt8](repeating: 0, count: length)
    for k in 0..<length { lowered[k] = name[k] | (isASCIILetter(name[k]) ? 0x20 : 0) }
    return blockTags.contains(String(decoding: lowered, as: UTF8.self))
  }

  @inline(__always)
  private static func isASCIILetter(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }

  @inline(__always)
  private static func isASCIILetterOrDigit(_ b: UInt8) -> Bool { isASCIILetter(b) || (b >= 0x30 && b <= 0x39) }
}
