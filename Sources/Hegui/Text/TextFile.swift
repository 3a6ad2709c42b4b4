package import Foundation

/// Reading text files: UTF-8 only, binary refused, with errors that name the file and byte. One
/// reader for inputs, configuration and pipeline files; `HeguiLint.TextInput` is its public face.
package enum TextFile {
  /// The largest file read (bytes). Larger files are refused rather than exhausting memory.
  package static let maximumFileSize = 512 * 1024 * 1024

  /// Decodes bytes as UTF-8 text to check.
  ///
  /// A leading BOM is kept (the normaliser ignores it, and offsets stay true to the file).
  /// - Parameters:
  ///   - data: The bytes.
  ///   - path: The name to use in errors.
  ///   - base: The offset of `data` in the file, and the 1-based line it starts on, when it is
  ///     one block of a larger file (errors name the place in the file).
  /// - Throws: ``HeguiError`` (`invalidInput`) for binary data (NUL bytes) or invalid UTF-8,
  ///   naming the byte offset, line and column.
  package static func decode(
    _ data: Data, path: String, base: (offset: Int, line: Int) = (0, 1)
  ) throws(HeguiError) -> String {
    // memchr, not Data's generic search: this runs on every byte of every script.
    let nulOffset = data.withUnsafeBytes { raw -> Int? in
      guard let base = raw.baseAddress, let found = memchr(base, 0, raw.count) else { return nil }
      return base.distance(to: UnsafeRawPointer(found))
    }
    if base.offset == 0 && (data.starts(with: [0xFF, 0xFE]) || data.starts(with: [0xFE, 0xFF])) {
      throw HeguiError(
        .invalidInput, "this file is UTF-16 (it starts with a UTF-16 byte-order mark): read it with --encoding utf-16",
        at: .init(path: path))
    }
    if let nulOffset {
      let offset = nulOffset + base.offset
      throw HeguiError(
        .invalidInput, "binary file (NUL byte at offset \(offset)); only UTF-8 text can be checked",
        at: .init(path: path))
    }
    if let text = String(validatingUTF8Data: data) { return text }
    let offset = UTF8Validation.firstInvalidByteOffset(in: data) ?? 0
    let prefix = data.prefix(offset)
    let line = prefix.reduce(base.line) { $1 == 0x0A ? $0 + 1 : $0 }
    let lineStart = prefix.lastIndex(of: 0x0A).map { $0 - data.startIndex + 1 } ?? 0
    let column =
      String(decoding: data[(data.startIndex + lineStart)..<(data.startIndex + offset)], as: UTF8.self).count + 1
    throw HeguiError(
      .invalidInput,
      String(
        format:
          "not valid UTF-8: byte 0x%02X at offset %d; convert the file to UTF-8, or name its encoding (--encoding gbk, gb18030, utf-16)",
        data[data.startIndex + offset],
        offset + base.offset),
      at: .init(path: path, line: line, column: column))
  }

  /// Reads and decodes a file.
  ///
  /// - Throws: ``HeguiError`` (`io` when unreadable or too large, `invalidInput` when not text).
  package static func read(_ url: URL, displayPath: String? = nil) throws(HeguiError) -> String {
    try decode(bytes(url, displayPath: displayPath), path: displayPath ?? url.path)
  }

  /// A file's bytes, refused when over ``maximumFileSize``.
  ///
  /// - Throws: ``HeguiError`` (`io`) when unreadable or too large.
  package static func bytes(_ url: URL, displayPath: String? = nil) throws(HeguiError) -> Data {
    let path = displayPath ?? url.path
    let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
    if let size = attributes?[.size] as? Int, size > maximumFileSize {
      throw HeguiError(
        .io, "file is \(size) bytes, over the limit of \(maximumFileSize) bytes; split it", at: .init(path: path))
    }
    do {
      return try Data(contentsOf: url)
    } catch {
      throw HeguiError(
        .io, "cannot read: \((error as NSError).localizedDescription)", at: .init(path: path), underlying: nil)
    }
  }
}

extension String {
  /// Strict UTF-8 decoding (`String(decoding:)` would repair; we must refuse).
  fileprivate init?(validatingUTF8Data data: Data) {
    guard let text = data.withUnsafeBytes({ raw in String(validating: raw.bindMemory(to: UInt8.self), as: UTF8.self) })
    else {
      return nil
    }
    self = text
  }
}
