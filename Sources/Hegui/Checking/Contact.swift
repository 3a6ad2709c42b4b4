/// A contact (phone number, account id) as a reviewer wants to read it: the `{contact}` of a
/// rule's message.
enum Contact {
  /// `text` normalised (width, case, Traditional, noise), Chinese numerals — 小写 一…九 零 〇 幺 两
  /// and 大写 壹…玖 — turned into ASCII digits, and separators between two digits (space, `-`,
  /// `.`, `·`, `、`) removed: “壹叁捌-一二三四 5678” → “13812345678”.
  static func normalized(_ text: String) -> String {
    let folded = Normalizer().normalize(text).string
    var scalars: [Unicode.Scalar] = folded.unicodeScalars.map { digit(of: $0) ?? $0 }
    var kept: [Unicode.Scalar] = []
    kept.reserveCapacity(scalars.count)
    var k = 0
    while k < scalars.count {
      let s = scalars[k]
      if separators.contains(s), let previous = kept.last, isDigit(previous) {
        // Drop a run of separators between two digits.
        var next = k
        while next < scalars.count && separators.contains(scalars[next]) { next += 1 }
        if next < scalars.count && isDigit(scalars[next]) {
          k = next
          continue
        }
      }
      kept.append(s)
      k += 1
    }
    scalars = kept
    var result = ""
    result.unicodeScalars.append(contentsOf: scalars)
    return result
  }

  private static let separators: Set<Unicode.Scalar> = [" ", "-", ".", "·", "、", "\u{2014}", "_"]

  private static func isDigit(_ s: Unicode.Scalar) -> Bool { s.value >= 0x30 && s.value <= 0x39 }

  private static func digit(of s: Unicode.Scalar) -> Unicode.Scalar? {
    switch s {
    case "零", "〇": "0"
    case "一", "壹", "幺": "1"
    case "二", "贰", "两": "2"
    case "三", "叁", "参": "3"
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
