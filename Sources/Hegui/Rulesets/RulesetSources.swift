import Foundation

/// Where ruleset files come from. Later sources replace earlier ones' packs by id.
enum RulesetSource {
  /// The `Rulesets/` folder compiled into the library.
  case shipped
  /// A folder of ruleset files, walked recursively.
  case directory(URL)
  /// Files held in memory (relative path → contents), for tools and tests.
  case memory([String: Data])
}

/// The files of one source by relative path: pack files, term lists and case files.
struct RulesetFiles {
  /// Shown before relative paths in errors: `Rulesets`, the directory as given, or nothing.
  let label: String
  /// Relative path → contents.
  let files: [String: Data]

  /// Reads every file of a source that a ruleset may use.
  ///
  /// - Throws: ``HeguiError`` (`io`) when a directory is missing, is not a directory, or
  ///   cannot be read.
  static func read(_ source: RulesetSource) throws(HeguiError) -> RulesetFiles {
    switch source {
    case .shipped:
      var files: [String: Data] = [:]
      for file in EmbeddedRulesets.files {
        files[file.path] = Data(base64Encoded: file.base64) ?? Data()
      }
      return RulesetFiles(label: "Rulesets", files: files)
    case let .memory(files):
      return RulesetFiles(label: "", files: files)
    case let .directory(url):
      return try read(directory: url)
    }
  }

  private static func read(directory url: URL) throws(HeguiError) -> RulesetFiles {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
      throw HeguiError(.io, "rulesets directory does not exist", at: .init(path: url.path))
    }
    guard isDirectory.boolValue else {
      throw HeguiError(
        .io, "not a directory (give the folder that holds the ruleset files)", at: .init(path: url.path))
    }
    var files: [String: Data] = [:]
    let root = url.standardizedFileURL.resolvingSymlinksInPath()
    let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
    guard let enumerator else {
      throw HeguiError(.io, "cannot list the rulesets directory", at: .init(path: url.path))
    }
    for case let file as URL in enumerator {
      let ext = file.pathExtension.lowercased()
      guard ["yml", "yaml", "txt"].contains(ext) else { continue }
      // A file whose real path is outside the folder (through a symlink) has no relative path.
      let resolved = file.standardizedFileURL.resolvingSymlinksInPath().path
      guard resolved.hasPrefix(root.path + "/") else { continue }
      let relative = String(resolved.dropFirst(root.path.count + 1))
      do {
        files[relative] = try Data(contentsOf: file)
      } catch {
        throw HeguiError(.io, "cannot read file: \(error.localizedDescription)", at: .init(path: file.path))
      }
    }
    let label = url.path.hasSuffix("/") ? String(url.path.dropLast()) : url.path
    return RulesetFiles(label: label, files: files)
  }

  /// The pack files, sorted by path: the order their packs and rules load in.
  var packFilePaths: [String] {
    files.keys.sorted().filter(Self.isPackFile)
  }

  /// The bulk case files (`tests/*.cases.yml`), sorted by path.
  var caseFilePaths: [String] {
    files.keys.sorted().filter(Self.isCaseFile)
  }

  /// Term lists, corpora and case files sit beside the packs in their own folders; files whose
  /// names start with `_` or `.` are never packs (`Rulesets/README.md`).
  private static func isPackFile(_ path: String) -> Bool {
    let components = path.split(separator: "/")
    guard let name = components.last else { return false }
    if name.hasPrefix("_") || name.hasPrefix(".") { return false }
    let folders = components.dropLast()
    if folders.contains(where: { ["corpus", "tests", "lexicons"].contains($0) || $0.hasPrefix(".") }) {
      return false
    }
    return name.hasSuffix(".yml") || name.hasSuffix(".yaml")
  }

  private static func isCaseFile(_ path: String) -> Bool {
    let components = path.split(separator: "/")
    guard let name = components.last, components.dropLast().last == "tests" else { return false }
    return name.hasSuffix(".cases.yml") || name.hasSuffix(".cases.yaml")
  }

  /// Whether the source has a file at this relative path.
  func contains(_ relative: String) -> Bool {
    files[relative] != nil
  }

  /// The path errors show for a relative path: the source's label, then the path.
  func displayPath(_ relative: String) -> String {
    label.isEmpty ? relative : "\(label)/\(relative)"
  }

  /// The text of a file (empty when there is no such file).
  ///
  /// - Throws: ``HeguiError`` (`invalidRuleset`) naming the first byte that is not UTF-8.
  func text(_ relative: String) throws(HeguiError) -> String {
    let data = files[relative] ?? Data()
    guard let text = String(data: data, encoding: .utf8) else {
      let offset = UTF8Validation.firstInvalidByteOffset(in: data) ?? 0
      throw HeguiError(
        .invalidRuleset, "file is not valid UTF-8 (first invalid byte at offset \(offset))",
        at: .init(path: displayPath(relative)))
    }
    return text
  }

  /// `file` resolved against `directory` (both relative, `/`-separated); `..` never climbs
  /// above the source's root.
  static func join(_ directory: String, _ file: String) -> String {
    var parts = directory.isEmpty ? [] : directory.split(separator: "/").map(String.init)
    for part in file.split(separator: "/") {
      if part == "." { continue }
      if part == ".." { if !parts.isEmpty { parts.removeLast() } } else { parts.append(String(part)) }
    }
    return parts.joined(separator: "/")
  }
}
