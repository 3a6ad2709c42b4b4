public import Foundation
public import Hegui

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Expands the paths a user names into the files to check, and says what it did not read.
///
/// Files named on the command line are read as given. Directories are walked: files with a
/// script or listing extension are read, hidden entries (`.git`, `.hegui.yml`) are skipped, and
/// `*.expect.json` corpus expectations are not inputs. Nothing is skipped silently:
/// - a symbolic link is followed when its target lies inside the directory being walked (once:
///   a link cycle is walked once), and otherwise reported — nothing is read from outside where
///   the user pointed;
/// - a directory that cannot be read, and a FIFO, device or socket with an input extension, are
///   reported.
public enum FileWalker {
  /// One file to read.
  public struct Entry: Sendable, Hashable {
    /// Where it is.
    public let url: URL
    /// The path shown to people: as named, or relative to the directory named.
    public let display: String
  }

  /// What a walk found.
  public struct Walk: Sendable {
    /// The files, in the order the paths were named, each directory's files sorted by path.
    public var files: [Entry] = []
    /// What could not be read or was refused, each naming its path.
    public var errors: [HeguiError] = []
  }

  /// Walks `paths` (relative to `base`), leaving out paths that match a glob in `excluding` (on the
  /// displayed path) and files and folders for which `isExcluded` (given the URL and whether it
  /// is a folder) says so — a project configuration's own `exclude`, relative to its folder.
  ///
  /// - Throws: `HeguiError` (`io`) for a named path that does not exist.
  public static func walk(
    _ paths: [String], excluding: [Glob], relativeTo base: URL, isExcluded: (URL, Bool) -> Bool = { _, _ in false }
  ) throws(HeguiError) -> Walk {
    var walk = Walk()
    var seen = Set<String>()
    for path in paths {
      let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : base.appending(path: path)
      var info = stat()
      guard stat(url.path, &info) == 0 else {
        throw HeguiError(.io, "no such file or directory", at: .init(path: path))
      }
      guard info.st_mode & S_IFMT == S_IFDIR else {
        if isExcluded(url, false) { continue }
        if seen.insert(realPath(url) ?? url.standardizedFileURL.path).inserted {
          walk.files.append(Entry(url: url, display: path))
        }
        continue
      }
      let root = realPath(url) ?? url.standardizedFileURL.path
      var found: [Entry] = []
      var visited: Set<String> = [root]
      descend(
        url, display: path == "." ? "" : (path.hasSuffix("/") ? path : path + "/"), root: root, visited: &visited,
        excluding: excluding, isExcluded: isExcluded, into: &found, errors: &walk.errors)
      for entry in found.sorted(by: { $0.display < $1.display })
      where seen.insert(realPath(entry.url) ?? entry.url.standardizedFileURL.path).inserted {
        walk.files.append(entry)
      }
    }
    walk.files.removeAll { entry in excluding.contains { $0.matches(entry.display) } }
    return walk
  }

  private static func descend(
    _ directory: URL, display prefix: String, root: String, visited: inout Set<String>, excluding: [Glob],
    isExcluded: (URL, Bool) -> Bool, into found: inout [Entry], errors: inout [HeguiError]
  ) {
    let names: [String]
    do {
      names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
    } catch {
      let shown = prefix.isEmpty ? "." : String(prefix.dropLast())
      errors.append(HeguiError(.io, "cannot read this directory; its files were not checked", at: .init(path: shown)))
      return
    }
    for name in names.sorted() where !name.hasPrefix(".") {
      let url = directory.appending(path: name)
      let display = prefix + name
      if excluding.contains(where: { $0.matches(display) }) { continue }
      var info = stat()
      guard lstat(url.path, &info) == 0 else { continue }
      var type = info.st_mode & S_IFMT
      if type == S_IFLNK {
        guard let target = realPath(url) else {
          if isInput(name) {
            errors.append(HeguiError(.io, "a broken symbolic link; not read", at: .init(path: display)))
          }
          continue
        }
        guard target == root || target.hasPrefix(root + "/") else {
          if isInput(name) || isDirectoryLink(url) {
            errors.append(
              HeguiError(
                .io,
                "a symbolic link to \(target), outside \(root), is not followed; "
                  + "name its target on the command line to check it",
                at: .init(path: display)))
          }
          continue
        }
        var targetInfo = stat()
        guard stat(url.path, &targetInfo) == 0 else { continue }
        type = targetInfo.st_mode & S_IFMT
      }
      if type == S_IFDIR {
        if isExcluded(url, true) { continue }
        // Each real directory once: a link cycle, or a link to a folder walked anyway, is not repeated.
        guard let real = realPath(url), visited.insert(real).inserted else { continue }
        descend(
          url, display: display + "/", root: root, visited: &visited, excluding: excluding, isExcluded: isExcluded,
          into: &found, errors: &errors)
        continue
      }
      guard isInput(name), !name.hasSuffix(".expect.json"), !isExcluded(url, false) else { continue }
      guard type == S_IFREG else {
        errors.append(
          HeguiError(.io, "not a regular file (a FIFO, device or socket); not read", at: .init(path: display)))
        continue
      }
      found.append(Entry(url: url, display: display))
    }
  }

  /// Whether a file name has a script or listing extension.
  static func isInput(_ name: String) -> Bool {
    let ext = URL(fileURLWithPath: name).pathExtension.lowercased()
    return InputFormat.scriptExtensions.contains(ext) || InputFormat.listingExtensions.contains(ext)
  }

  private static func isDirectoryLink(_ url: URL) -> Bool {
    var info = stat()
    return stat(url.path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
  }

  private static func realPath(_ url: URL) -> String? {
    guard let resolved = realpath(url.path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
  }
}
