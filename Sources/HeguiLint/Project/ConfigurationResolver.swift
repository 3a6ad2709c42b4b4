public import Foundation
public import Hegui

/// Finds the configuration that applies to each file, as ESLint and SwiftLint do: the nearest
/// `.hegui.yml` (or `.hegui.yaml`) from the file's own folder upward, stopping at the repository
/// root (the first folder holding `.git`); or, when one was given with `--config`, that one for
/// every file.
///
/// The nearest file wins whole: configurations are not merged, so what applies to a file is
/// always one file that can be read on its own (`hegui lint --print-config FILE` names it). A
/// folder with no configuration up to the repository root gets the defaults.
///
/// Every configuration file is read once, however many files it governs; a file that cannot be
/// read or is invalid is an error for the run (``configuration(forFile:)`` throws it each time
/// it is asked).
public struct ConfigurationResolver {
  /// The configuration given with `--config`, which applies to every file.
  public let override: ProjectConfiguration?
  /// The configuration file found for each folder asked about (absolute path → file or `nil`).
  private var found: [String: String?] = [:]
  /// Every configuration file read, or why it could not be.
  private var loaded: [String: Result<ProjectConfiguration, HeguiError>] = [:]

  /// A resolver; `override` (from `--config`) applies to every file when given.
  public init(override: ProjectConfiguration? = nil) {
    self.override = override
  }

  /// The configuration that applies to the file at `url`.
  ///
  /// - Throws: `HeguiError` (`invalidConfiguration`, `io`) when the configuration file that
  ///   applies cannot be read or is invalid.
  public mutating func configuration(forFile url: URL) throws(HeguiError) -> ProjectConfiguration {
    try configuration(forDirectory: url.deletingLastPathComponent())
  }

  /// The configuration that applies to the files directly in the folder at `url`.
  ///
  /// - Throws: `HeguiError` as ``configuration(forFile:)``.
  public mutating func configuration(forDirectory url: URL) throws(HeguiError) -> ProjectConfiguration {
    if let override { return override }
    guard let path = configurationFile(for: url.standardizedFileURL.path) else { return ProjectConfiguration() }
    if let known = loaded[path] { return try known.get() }
    do throws(HeguiError) {
      let configuration = try ProjectConfiguration.load(URL(fileURLWithPath: path))
      loaded[path] = .success(configuration)
      return configuration
    } catch {
      loaded[path] = .failure(error)
      throw error
    }
  }

  /// Where the search from the folder at `url` ends: the configuration file and its folder, or
  /// `nil` and the folder where the search stopped (the repository root, or `/`).
  public mutating func search(from url: URL) -> (file: String?, stoppedAt: String) {
    if let override { return (override.path, url.standardizedFileURL.path) }
    var current = url.standardizedFileURL.path
    if let file = configurationFile(for: current) { return (file, (file as NSString).deletingLastPathComponent) }
    while true {
      if FileManager.default.fileExists(atPath: current + "/.git") { return (nil, current) }
      let parent = (current as NSString).deletingLastPathComponent
      if parent == current || parent.isEmpty { return (nil, current) }
      current = parent
    }
  }

  /// The nearest configuration file from the folder `directory` upward (cached per folder).
  private mutating func configurationFile(for directory: String) -> String? {
    if let known = found[directory] { return known }
    var result: String?
    let prefix = directory.hasSuffix("/") ? directory : directory + "/"
    if let own = [".hegui.yml", ".hegui.yaml"].map({ prefix + $0 }).first(where: {
      FileManager.default.fileExists(atPath: $0)
    }) {
      result = own
    } else if !FileManager.default.fileExists(atPath: directory + "/.git") {
      let parent = (directory as NSString).deletingLastPathComponent
      result = parent == directory || parent.isEmpty ? nil : configurationFile(for: parent)
    }
    found[directory] = result
    return result
  }
}
