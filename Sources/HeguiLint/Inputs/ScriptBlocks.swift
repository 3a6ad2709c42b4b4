public import Foundation
public import Hegui

/// Reads a script in blocks of whole lines, so that a 200 MB script is never held at once: each
/// block is decoded (strict UTF-8, binary refused, errors placed in the file), checked and
/// reported before the next is read.
///
/// A block ends at a line break after about `size` bytes (1 MB by default: a block's findings, not
/// its text, are most of what a check holds, so smaller blocks keep a dense file's peak low); a line longer than that is read
/// whole (memory then grows with the longest line). A block never ends right after a `#!`
/// directive line, so a directive and the line it covers are always checked together.
public struct ScriptBlocks {
  /// One block of the script.
  public struct Block: Sendable {
    /// The block's text: whole lines.
    public let text: String
    /// Its UTF-8 offset in the file.
    public let offset: Int
    /// Its UTF-16 offset in the file.
    public let utf16Offset: Int
    /// The 1-based line it starts on.
    public let line: Int
    /// Whether it is the file's first block.
    public var isFirst: Bool { offset == 0 }
  }

  private let handle: FileHandle
  private let path: String
  private let size: Int
  private var pending = Data()
  private var offset = 0
  private var utf16Offset = 0
  private var line = 1
  private var endOfFile = false

  /// Reads `handle` (a file or standard input) in blocks of about `size` bytes.
  public init(handle: FileHandle, path: String, size: Int = 1 << 20) {
    self.handle = handle
    self.path = path
    self.size = max(4096, size)
  }

  /// The next block, or `nil` at the end of the input.
  ///
  /// - Throws: `HeguiError`: `io` when the input cannot be read, `invalidInput` for binary data
  ///   or invalid UTF-8 (naming the offset, line and column in the file).
  public mutating func next() throws(HeguiError) -> Block? {
    while !endOfFile && (pending.count < size || pending.lastIndex(of: 0x0A) == nil) {
      let chunk: Data?
      do {
        chunk = try handle.read(upToCount: size)
      } catch {
        throw HeguiError(.io, "cannot read: \((error as NSError).localizedDescription)", at: .init(path: path))
      }
      guard let chunk, !chunk.isEmpty else {
        endOfFile = true
        break
      }
      pending.append(chunk)
    }
    if pending.isEmpty { return nil }
    let cut = endOfFile ? pending.endIndex : cutIndex()
    let bytes = pending[pending.startIndex..<cut]
    let text = try TextFile.decode(Data(bytes), path: path, base: (offset, line))
    let block = Block(text: text, offset: offset, utf16Offset: utf16Offset, line: line)
    let counts = Self.count(bytes)
    offset += bytes.count
    utf16Offset += counts.utf16
    line += counts.lineBreaks
    pending = Data(pending[cut...])
    return block
  }

  /// The line breaks and the UTF-16 length of valid UTF-8 `bytes`, in one pass over raw bytes
  /// (a scalar is one UTF-16 unit, two above the BMP; continuation bytes add none).
  static func count(_ bytes: Data) -> (lineBreaks: Int, utf16: Int) {
    bytes.withUnsafeBytes { raw in
      var lineBreaks = 0
      var units = 0
      for byte in raw {
        if byte == 0x0A { lineBreaks += 1 }
        if byte & 0xC0 != 0x80 { units += byte >= 0xF0 ? 2 : 1 }
      }
      return (lineBreaks, units)
    }
  }

  /// After the last line break that does not end a directive line (`#!` after blanks).
  private func cutIndex() -> Data.Index {
    guard var end = pending.lastIndex(of: 0x0A) else { return pending.endIndex }
    let last = end
    while true {
      let start = pending[pending.startIndex..<end].lastIndex(of: 0x0A).map { $0 + 1 } ?? pending.startIndex
      var probe = start
      while probe < end && (pending[probe] == 0x20 || pending[probe] == 0x09) { probe += 1 }
      let isDirective = probe + 1 < end && pending[probe] == 0x23 && pending[probe + 1] == 0x21
      if !isDirective { return end + 1 }
      guard start > pending.startIndex else { return last + 1 }  // directives only: cut anyway
      end = start - 1
    }
  }
}
