internal import CICUShims

/// Rewritings of text that merchants (or evaders) produce, used to test that rules survive them.
/// Never used on the checking path.
package enum TextVariants {
  private static let simplifiedToTraditional: [UInt16] = {
    var table = [UInt16](repeating: 0, count: 0x10000)
    let changed = table.withUnsafeMutableBufferPointer { buffer in
      buffer.baseAddress.map { CHeguiICU_simplifiedToTraditionalBMP($0) } ?? -1
    }
    if changed < 0 { for c in 0..<0x10000 { table[c] = UInt16(c) } }
    return table
  }()

  /// The text with every Simplified character ICU can map one-to-one written in Traditional.
  package static func traditional(_ text: String) -> String {
    let table = simplifiedToTraditional
    var out = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
      if scalar.value < 0x10000, let mapped = Unicode.Scalar(UInt32(table[Int(scalar.value)])) {
        out.append(mapped)
      } else {
        out.append(scalar)
      }
    }
    return String(out)
  }

  /// The text with ASCII letters, digits, punctuation and spaces in their full-width forms.
  package static func fullWidth(_ text: String) -> String {
    var out = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
      switch scalar.value {
      case 0x21...0x7E: out.append(Unicode.Scalar(scalar.value + 0xFEE0) ?? scalar)
      case 0x20: out.append("\u{3000}")
      default: out.append(scalar)
      }
    }
    return String(out)
  }

  /// Whether a scalar is a Han ideograph.
  package static func isHan(_ scalar: Unicode.Scalar) -> Bool {
    CHeguiICU_isHan(scalar.value) != 0
  }

  /// Display width of a string in terminal cells (East Asian wide characters count 2).
  package static func displayWidth(_ text: some StringProtocol) -> Int {
    var width = 0
    for character in text {
      if let first = character.unicodeScalars.first { width += Int(CHeguiICU_displayWidth(first.value)) }
    }
    return width
  }
}
