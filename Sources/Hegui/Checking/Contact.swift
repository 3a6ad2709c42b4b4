/// A contact (phone number, account id) as a reviewer wants to read it: the `{contact}` of a
/// rule's message.
enum Contact {
  /// `text` as a contact: full-width forms as ASCII, letters in lower case, Chinese numerals —
  /// 小写 一…九 零 〇 幺 两 and 大写 壹…玖 (參 as 参) — as ASCII digits, and separators between two
  /// digits (space, `-`, `.`, `·`, `、`) removed: “壹叁捌-一二三四 5678” → “13812345678”. One pass
  /// over the scalars, no normaliser: it runs for every finding of a contact rule.
  static func normalized(_ text: String) -> String {
    var scalars: [Unicode.Scalar] = []
    scalars.reserveCapacity(text.unicodeScalars.count)
    for s in text.unicodeScalars {
      var folded = s
      if (0xFF01...0xFF5E).contains(s.value), let ascii = Unicode.Scalar(s.value - 0xFEE0) {
        folded = ascii  // full-width ASCII
      } else if s.value == 0x3000 {
        folded = " "
      }
      if folded.value >= 0x41 && folded.value <= 0x5A, let lower = Unicode.Scalar(folded.value + 0x20) {
        folded = lower
      }
      scalars.append(digit(of: folded) ?? folded)
    }
    var kept: [Unicode.Scalar] = []
    kept.reserveCapacity(scalars.count)
    var k = 0
    while k < scalars.count {
      let s = scalars[k]
      if isSeparator(s), let previous = kept.last, isDigit(previous) {
        // Drop a run of separators between two digits.
        var next = k
        while next < scalars.count && isSeparator(scalars[next]) { next += 1 }
        if next < scalars.count && isDigit(scalars[next]) {
          k = next
          continue
        }
      }
      kept.append(s)
      k += 1
    }
    // As UTF-8 bytes: appending scalars to a String one by one is several times slower.
    var bytes: [UInt8] = []
    bytes.reserveCapacity(kept.count * 3)
    for s in kept { if let units = UTF8.encode(s) { bytes.append(contentsOf: units) } }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// A separator between two digits (a switch: a `Set` hashes on every scalar).
  private static func isSeparator(_ s: Unicode.Scalar) -> Bool {
    switch s {
    case " ", "-", ".", "·", "、", "\u{2014}", "_": true
    default: false
    }
  }

  private static func isDigit(_ s: Unicode.Scalar) -> Bool { s.value >= 0x30 && s.value <= 0x39 }

  private static func digit(of s: Unicode.Scalar) -> Unicode.Scalar? {
    switch s {
    case "零", "〇": "0"
    case "一", "壹", "幺": "1"
    case "二", "贰", "两": "2"
    case "三", "叁", "参", "參": "3"
    case "四", "肆": "4"
    case "五", "伍": "5"
    case "六", "陆": "6"
    case "七", "柒": "7"
    case "八", "捌": "8"
    case "九", "玖": "9"
    default: nil
    }
  }
}
