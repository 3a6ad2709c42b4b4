import CICUShims
package import Foundation

/// The character encoding of an input file. Hegui reads UTF-8 unless told otherwise; a legacy
/// export is converted (strictly, through ICU) only when the user names its encoding
/// (`hegui lint --encoding gbk`): an encoding is never guessed, because a wrong guess would turn
/// the text into different, still plausible characters and pass it.
public enum TextEncoding: String, Sendable, Hashable, CaseIterable {
  /// UTF-8 (a leading BOM is kept and ignored).
  case utf8 = "utf-8"
  /// GBK (Windows code page 936), as older shop back-ends and Excel on Chinese Windows export.
  case gbk
  /// GB 18030, the national standard superset of GBK.
  case gb18030
  /// UTF-16 with a byte-order mark (required: without one the byte order would be a guess).
  case utf16 = "utf-16"
  /// UTF-16, little-endian, no byte-order mark needed.
  case utf16le = "utf-16le"
  /// UTF-16, big-endian, no byte-order mark needed.
  case utf16be = "utf-16be"

  /// The encoding named `name` (case-insensitive; `utf8`, `cp936`, `gb2312` (read as GBK, its
  /// superset) and `utf16` are accepted too), or `nil`.
  public init?(name: String) {
    let key = name.lowercased().replacingOccurrences(of: "_", with: "-")
    switch key {
    case "utf-8", "utf8": self = .utf8
    case "gbk", "cp936", "gb2312", "windows-936": self = .gbk
    case "gb18030", "gb-18030": self = .gb18030
    case "utf-16", "utf16": self = .utf16
    case "utf-16le", "utf16le": self = .utf16le
    case "utf-16be", "utf16be": self = .utf16be
    default: return nil
    }
  }

  /// ICU's converter name.
  var converter: String {
    switch self {
    case .utf8: "UTF-8"
    case .gbk: "GBK"
    case .gb18030: "GB18030"
    case .utf16: "UTF-16"
    case .utf16le: "UTF-16LE"
    case .utf16be: "UTF-16BE"
    }
  }
}

extension TextFile {
  /// Decodes bytes in `encoding`: UTF-8 as ``decode(_:path:base:)``; anything else converted to
  /// UTF-8 through ICU, refusing (never replacing) a byte sequence the encoding does not allow.
  /// Offsets in findings are then offsets in the converted UTF-8 text; lines and columns are the
  /// file's.
  ///
  /// - Throws: ``HeguiError`` (`invalidInput`) naming the offset of the first bad byte, or for a
  ///   `utf-16` file without a byte-order mark.
  package static func decode(_ data: Data, path: String, encoding: TextEncoding) throws(HeguiError) -> String {
    if encoding == .utf8 { return try decode(data, path: path) }
    let bytes = [UInt8](data)
    if encoding == .utf16 && !(bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF])) {
      throw HeguiError(
        .invalidInput,
        "no UTF-16 byte-order mark at the start: name the byte order with --encoding utf-16le or utf-16be",
        at: .init(path: path))
    }
    var capacity = bytes.count * 2 + 16
    while true {
      var out = [UInt8](repeating: 0, count: capacity)
      var status: Int32 = 0
      var errorOffset: Int64 = -1
      let written = bytes.withUnsafeBufferPointer { input in
        out.withUnsafeMutableBufferPointer { output in
          input.withMemoryRebound(to: CChar.self) { source in
            output.withMemoryRebound(to: CChar.self) { target in
              CHeguiICU_toUTF8(
                encoding.converter, source.baseAddress, Int64(bytes.count), target.baseAddress, Int64(capacity),
                &status, &errorOffset)
            }
          }
        }
      }
      if written < 0 {
        let offset = Int(errorOffset)
        let shown =
          offset >= 0 && offset < bytes.count
          ? String(format: " (byte 0x%02X at offset %d)", bytes[offset], offset) : ""
        throw HeguiError(
          .invalidInput,
          "not valid \(encoding.rawValue)\(shown): \(String(cString: CHeguiICU_errorName(status))); check --encoding",
          at: .init(path: path))
      }
      if Int(written) <= capacity {
        var text = String(decoding: out[0..<Int(written)], as: UTF8.self)
        // A UTF-16 byte-order mark becomes U+FEFF: drop it, as UTF-8's is ignored.
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        if text.utf8.contains(0) {
          throw HeguiError(
            .invalidInput, "binary data (a NUL character) after conversion from \(encoding.rawValue)",
            at: .init(path: path))
        }
        return text
      }
      capacity = Int(written) + 16
    }
  }

  /// Reads a file in `encoding` (see ``decode(_:path:encoding:)``).
  package static func read(_ url: URL, displayPath: String? = nil, encoding: TextEncoding) throws(HeguiError) -> String
  {
    if encoding == .utf8 { return try read(url, displayPath: displayPath) }
    return try decode(bytes(url, displayPath: displayPath), path: displayPath ?? url.path, encoding: encoding)
  }
}
