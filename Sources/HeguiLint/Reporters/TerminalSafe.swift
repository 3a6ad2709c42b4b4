/// Text from inputs, tickets and cloud answers is shown to people, never obeyed: a control
/// character (an ESC sequence that clears the screen, sets the title or hides text; a CR that
/// rewrites the line) or a bidirectional override must not reach a terminal raw, or a reviewer
/// could be shown a line that differs from the text being approved.
public enum TerminalSafe {
  /// The text with every control character written visibly: C0 controls and DEL in caret
  /// notation (`^[` for ESC, `^M` for CR), C1 controls, line and paragraph separators and
  /// bidirectional controls as `<U+XXXX>`. A tab becomes one space (so carets stay aligned).
  /// Everything else is unchanged. Line breaks are controls too, so an escaped record is one line.
  public static func escape(_ text: some StringProtocol) -> String {
    guard text.unicodeScalars.contains(where: needsEscape) else { return String(text) }
    var out = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
      guard needsEscape(scalar) else {
        out.append(scalar)
        continue
      }
      switch scalar.value {
      case 0x09: out.append(" ")
      case 0x00...0x1F:
        out.append(contentsOf: "^\(Character(Unicode.Scalar(UInt8(scalar.value + 0x40))))".unicodeScalars)
      case 0x7F: out.append(contentsOf: "^?".unicodeScalars)
      default:
        let hex = String(scalar.value, radix: 16, uppercase: true)
        out.append(contentsOf: "<U+\(String(repeating: "0", count: max(0, 4 - hex.count)))\(hex)>".unicodeScalars)
      }
    }
    return String(out)
  }

  static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x061C:
      return true
    default:
      return false
    }
  }
}
