public import Foundation
public import Hegui

/// Reading files to check: UTF-8 only, binary refused, with errors that name the file and byte.
public enum TextInput {
  /// The largest file read (bytes). Larger files are refused rather than exhausting memory.
  public static var maximumFileSize: Int { TextFile.maximumFileSize }

  /// Decodes bytes as UTF-8 text to check.
  ///
  /// A leading BOM is kept (the normaliser ignores it, and offsets stay true to the file).
  /// - Parameters:
  ///   - data: The bytes.
  ///   - path: The name to use in errors.
  /// - Throws: `HeguiError` (`invalidInput`) for binary data (NUL bytes) or invalid UTF-8,
  ///   naming the byte offset, line and column.
  public static func decode(_ data: Data, path: String) throws(HeguiError) -> String {
    try TextFile.decode(data, path: path)
  }

  /// Reads and decodes a file.
  ///
  /// - Throws: `HeguiError` (`io` when unreadable or too large, `invalidInput` when not text).
  public static func read(_ url: URL, displayPath: String? = nil) throws(HeguiError) -> String {
    try TextFile.read(url, displayPath: displayPath)
  }

  /// Reads a file in `encoding`, converted to UTF-8 strictly (``TextEncoding``).
  ///
  /// - Throws: `HeguiError` as ``read(_:displayPath:)``, and `invalidInput` naming the first byte
  ///   the encoding does not allow.
  public static func read(_ url: URL, displayPath: String? = nil, encoding: TextEncoding) throws(HeguiError) -> String {
    try TextFile.read(url, displayPath: displayPath, encoding: encoding)
  }

  /// Reads a file's bytes (a workbook), within the size limit.
  ///
  /// - Throws: `HeguiError` (`io`) when unreadable or too large.
  public static func bytes(_ url: URL, displayPath: String? = nil) throws(HeguiError) -> Data {
    try TextFile.bytes(url, displayPath: displayPath)
  }

  /// Decodes bytes in `encoding` (``TextEncoding``).
  public static func decode(_ data: Data, path: String, encoding: TextEncoding) throws(HeguiError) -> String {
    try TextFile.decode(data, path: path, encoding: encoding)
  }
}
