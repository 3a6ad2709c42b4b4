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
  private static func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
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
    let path = displayPath ?? url.path
    var info = stat()
    let exists = stat(url.path, &info) == 0
    if !exists || (info.st_mode & S_IFMT) == S_IFREG {
      do {
        try data.write(to: url, options: .atomic)
      } catch {
        throw HeguiError(.io, "cannot write: \((error as NSError).localizedDescription)", at: .init(path: path))
      }
      return
    }
    if (info.st_mode & S_IFMT) == S_IFDIR {
      throw HeguiError(.io, "cannot write: it is a directory", at: .init(path: path))
    }
    let descriptor = open(url.path, O_WRONLY | O_CLOEXEC)
    guard descriptor >= 0 else {
      throw HeguiError(.io, "cannot open for writing: \(String(cString: strerror(errno)))", at: .init(path: path))
    }
    defer { close(descriptor) }
    var failure: Int32 = 0
    data.withUnsafeBytes { raw in
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
    if failure != 0 {
      throw HeguiError(.io, "cannot write: \(String(cString: strerror(failure)))", at: .init(path: path))
    }
  }
}
