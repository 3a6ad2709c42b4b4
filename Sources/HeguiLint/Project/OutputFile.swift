public import Foundation
public import Hegui

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writing a report where the user pointed: a regular file is replaced atomically (a reader
/// never sees half a report, and a failed run leaves the old one); anything else — a FIFO, a
/// device such as `/dev/null`, `/dev/stdout`, a terminal — is written into, never replaced. (An
/// atomic write renames a new file over its target: run as root on `/dev/null`, that would
/// replace the device with a regular file for every program on the machine.)
public enum OutputFile {
  fileprivate static func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
      Glibc.write(descriptor, buffer, count)
    #elseif canImport(Musl)
      Musl.write(descriptor, buffer, count)
    #else
      Darwin.write(descriptor, buffer, count)
    #endif
  }

  /// Writes `data` to `url`.
  ///
  /// - Throws: `HeguiError` (`io`) naming the path and the reason.
  public static func write(_ data: Data, to url: URL, displayPath: String? = nil) throws(HeguiError) {
    let stream = try Stream.open(url, displayPath: displayPath)
    stream.write(data)
    try stream.close()
  }

  /// Rewrites a file the user pointed at (`--fix`): the new text goes to a temporary file beside
  /// the real file (through symbolic links) and is renamed over it, with the old file's
  /// permissions; on any error the old file is left as it was.
  ///
  /// - Throws: `HeguiError` (`io`) naming the path and the reason.
  public static func replace(_ data: Data, at url: URL, displayPath: String) throws(HeguiError) {
    let real = url.resolvingSymlinksInPath()
    var info = stat()
    guard stat(real.path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
      throw HeguiError(.io, "cannot rewrite: not a regular file", at: .init(path: displayPath))
    }
    try write(data, to: real, displayPath: displayPath)
    _ = chmod(real.path, info.st_mode & 0o7777)
  }

  /// A report written as it is produced, into a file or standard output.
  ///
  /// For a regular file the report goes to a temporary file beside it, renamed over the target
  /// by ``close()`` (the old report stays until the new one is complete); anything else is written
  /// into directly. Writes are buffered; the first failure is reported by ``close()``.
  public final class Stream {
    private let descriptor: Int32
    private let temporary: String?
    private let target: String
    private let path: String
    private var buffer: [UInt8] = []
    private var failure: Int32 = 0
    private var closed = false

    private init(descriptor: Int32, temporary: String?, target: String, path: String) {
      self.descriptor = descriptor
      self.temporary = temporary
      self.target = target
      self.path = path
      buffer.reserveCapacity(1 << 16)
    }

    /// Standard output.
    public static func standardOutput() -> Stream {
      Stream(descriptor: 1, temporary: nil, target: "/dev/stdout", path: "<stdout>")
    }

    /// Opens `url` for a report (see ``OutputFile``).
    ///
    /// - Throws: `HeguiError` (`io`) naming the path and the reason.
    public static func open(_ url: URL, displayPath: String? = nil) throws(HeguiError) -> Stream {
      let path = displayPath ?? url.path
      var info = stat()
      let exists = stat(url.path, &info) == 0
      if exists && (info.st_mode & S_IFMT) == S_IFDIR {
        throw HeguiError(.io, "cannot write: it is a directory", at: .init(path: path))
      }
      if !exists || (info.st_mode & S_IFMT) == S_IFREG {
        let temporary = url.deletingLastPathComponent().appending(path: ".\(url.lastPathComponent).hegui-\(getpid())")
          .path
        let descriptor = systemOpen(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
          throw HeguiError(.io, "cannot write: \(String(cString: strerror(errno)))", at: .init(path: path))
        }
        return Stream(descriptor: descriptor, temporary: temporary, target: url.path, path: path)
      }
      let descriptor = systemOpen(url.path, O_WRONLY | O_CLOEXEC, 0)
      guard descriptor >= 0 else {
        throw HeguiError(.io, "cannot open for writing: \(String(cString: strerror(errno)))", at: .init(path: path))
      }
      return Stream(descriptor: descriptor, temporary: nil, target: url.path, path: path)
    }

    /// Appends text.
    public func write(_ text: String) {
      buffer.append(contentsOf: text.utf8)
      if buffer.count >= 1 << 16 { flush() }
    }

    /// Appends bytes.
    public func write(_ data: Data) {
      buffer.append(contentsOf: data)
      if buffer.count >= 1 << 16 { flush() }
    }

    /// Writes what is buffered.
    public func flush() {
      guard failure == 0, !buffer.isEmpty else { return }
      buffer.withUnsafeBytes { raw in
        guard let base = raw.baseAddress else { return }
        var offset = 0
        while offset < raw.count {
          let written = systemWrite(descriptor, base + offset, raw.count - offset)
          if written < 0 {
            if errno == EINTR { continue }
            failure = errno
            return
          }
          offset += written
        }
      }
      buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, closes and, for a regular file, puts the report in place.
    ///
    /// - Throws: `HeguiError` (`io`) when a write failed; the target is then left as it was.
    public func close() throws(HeguiError) {
      guard !closed else { return }
      closed = true
      flush()
      if descriptor > 2 { _ = systemClose(descriptor) }
      if failure != 0 {
        if let temporary { unlink(temporary) }
        throw HeguiError(.io, "cannot write: \(String(cString: strerror(failure)))", at: .init(path: path))
      }
      if let temporary, rename(temporary, target) != 0 {
        let reason = String(cString: strerror(errno))
        unlink(temporary)
        throw HeguiError(.io, "cannot write: \(reason)", at: .init(path: path))
      }
    }

    deinit {
      if !closed, let temporary { unlink(temporary) }
    }
  }

  private static func systemOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 {
    #if canImport(Glibc)
      Glibc.open(path, flags, mode)
    #elseif canImport(Musl)
      Musl.open(path, flags, mode)
    #else
      Darwin.open(path, flags, mode)
    #endif
  }

  private static func systemClose(_ descriptor: Int32) -> Int32 {
    #if canImport(Glibc)
      Glibc.close(descriptor)
    #elseif canImport(Musl)
      Musl.close(descriptor)
    #else
      Darwin.close(descriptor)
    #endif
  }
}
