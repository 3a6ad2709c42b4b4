public import Foundation
public import Hegui
import Yams

/// A project's `.hegui.yml`: which rulesets, which rules, what severities, which contexts.
///
/// ```yaml
/// version: 1
/// rulesets: [compliance/rules]        # added to the shipped rules (paths relative to this file)
/// enable: [adlaw.absolute]            # only these rules (ids, aliases or families); default all
/// disable: [category.subject.platform-cosmetics]
/// severity: {livestream.off-platform-contact: block}
/// contexts: {"captions/**": caption, "titles/*.txt": title}
/// categories: {"beauty/**": cosmetics, "snacks/**": 食品}   # per glob (a script's own
///                                     # `#! hegui category: …` line wins)
/// exclude: ["drafts/**"]
/// fail_on: review
/// shop_subject: enterprise
/// category: food
/// licences: [食品经营许可证]
/// columns: {title: 品名, description: 文案}   # listing columns beyond the recognised names
/// ```
/// Unknown keys and unknown rule ids are errors, never ignored.
///
/// Globs (`contexts`, `categories`, `exclude`) are relative to ``base``: the folder the file is
/// in, or the working directory for a file given with `--config` (as ESLint does).
public struct ProjectConfiguration: Sendable {
  /// The file it was read from.
  public var path: String?
  /// The folder its globs are relative to (absolute, standardised); `nil` for the defaults.
  public var base: String?
  /// Extra ruleset directories (absolute).
  public var rulesets: [URL] = []
  /// Rules to run (ids, aliases or families); empty: all.
  public var enable: [String] = []
  /// Rules not to run.
  public var disable: [String] = []
  /// Severity overrides by rule id.
  public var severities: [String: Severity] = [:]
  /// Contexts by glob, in file order (first match wins).
  public var contexts: [(Glob, TextContext)] = []
  /// Categories by glob, in file order (first match wins).
  public var categories: [(Glob, String)] = []
  /// Paths not to lint.
  public var exclude: [Glob] = []
  /// Default `--fail-on`.
  public var failOn: Severity?
  /// Default shop subject.
  public var shopSubject: ShopSubject?
  /// Default category.
  public var category: String?
  /// Default licences.
  public var licences: [String] = []
  /// Listing columns: field → header name (added to the recognised names).
  public var columns: [String: String] = [:]
  /// Where each rule id was written, to report unknown ids at their place.
  var ruleIDLocations: [(String, HeguiError.Location)] = []

  static let keys = [
    "version", "rulesets", "enable", "disable", "severity", "contexts", "exclude", "fail_on", "shop_subject",
    "category",
    "licences", "columns", "categories",
  ]

  /// An empty configuration (all defaults).
  public init() {}

  /// Reads a configuration file.
  ///
  /// - Throws: `HeguiError` (`invalidConfiguration`) naming `file:line:column`.
  public static func load(_ url: URL) throws(HeguiError) -> ProjectConfiguration {
    let path = url.path
    let text = try TextInput.read(url)
    let reader = YAMLReader(path: path)
    var config = ProjectConfiguration()
    config.path = path
    config.base = url.deletingLastPathComponent().standardizedFileURL.path
    guard let root = try reader.compose(text) else { return config }
    do throws(HeguiError) {
      let map = try reader.mapping(root, what: "the configuration", allowed: keys)
      if let v = map["version"] {
        let version = try reader.int(v, what: "'version'")
        if version != 1 { throw reader.error(v, "configuration version \(version) is not supported (expected 1)") }
      }
      let base = url.deletingLastPathComponent()
      if let r = map["rulesets"] {
        config.rulesets = try reader.strings(r, what: "'rulesets'").map {
          $0.hasPrefix("/") ? URL(fileURLWithPath: $0) : base.appending(path: $0)
        }
      }
      func ids(_ key: String) throws(HeguiError) -> [String] {
        guard let node = map[key] else { return [] }
        var result: [String] = []
        for item in try reader.sequence(node, what: "'\(key)'") {
          let id = try reader.nonEmptyString(item, what: "a rule id")
          config.ruleIDLocations.append((id, reader.location(item)))
          result.append(id)
        }
        return result
      }
      config.enable = try ids("enable")
      config.disable = try ids("disable")
      if let s = map["severity"] {
        guard case let .mapping(mapping) = s else {
          throw reader.error(s, "'severity' must map rule ids to block, review or info")
        }
        for (keyNode, value) in mapping {
          let id = try reader.nonEmptyString(keyNode, what: "a rule id")
          config.ruleIDLocations.append((id, reader.location(keyNode)))
          config.severities[id] = try reader.oneOf(value, what: "the severity of '\(id)'", as: Severity.self)
        }
      }
      if let c = map["contexts"] {
        guard case let .mapping(mapping) = c else { throw reader.error(c, "'contexts' must map globs to contexts") }
        for (keyNode, value) in mapping {
          let glob = try reader.nonEmptyString(keyNode, what: "a glob")
          config.contexts.append(
            (Glob(glob), try reader.oneOf(value, what: "the context of '\(glob)'", as: TextContext.self)))
        }
      }
      if let c = map["categories"] {
        guard case let .mapping(mapping) = c else {
          throw reader.error(c, "'categories' must map globs to categories, e.g. {\"beauty/**\": cosmetics}")
        }
        for (keyNode, value) in mapping {
          let glob = try reader.nonEmptyString(keyNode, what: "a glob")
          config.categories.append((Glob(glob), try reader.nonEmptyString(value, what: "the category of '\(glob)'")))
        }
      }
      if let e = map["exclude"] { config.exclude = try reader.strings(e, what: "'exclude'").map(Glob.init) }
      if let f = map["fail_on"] { config.failOn = try reader.oneOf(f, what: "'fail_on'", as: Severity.self) }
      if let s = map["shop_subject"] {
        config.shopSubject = try reader.oneOf(s, what: "'shop_subject'", as: ShopSubject.self)
      }
      if let c = map["category"] { config.category = try reader.nonEmptyString(c, what: "'category'") }
      if let l = map["licences"] { config.licences = try reader.strings(l, what: "'licences'") }
      if let c = map["columns"] {
        guard case let .mapping(mapping) = c else {
          throw reader.error(c, "'columns' must map listing fields to header names, e.g. {title: 品名}")
        }
        for (keyNode, value) in mapping {
          let field = try reader.nonEmptyString(keyNode, what: "a listing field")
          guard ListingColumns.fields.contains(field) else {
            throw reader.error(
              keyNode, "unknown listing field '\(field)'; fields: \(ListingColumns.fields.joined(separator: ", "))")
          }
          config.columns[field] = try reader.nonEmptyString(value, what: "the column of '\(field)'")
        }
      }
    } catch {
      var e = error
      if e.code == .invalidRuleset { e.code = .invalidConfiguration }
      throw e
    }
    return config
  }

  /// `url` relative to ``base`` (`/`-separated), or `nil` when it does not lie below it.
  public func relativePath(of url: URL) -> String? {
    guard let base else { return nil }
    let path = url.standardizedFileURL.path
    let root = base.hasSuffix("/") ? base : base + "/"
    return path.hasPrefix(root) ? String(path.dropFirst(root.count)) : nil
  }

  /// Whether an `exclude` glob leaves out the file (or, with `isDirectory`, the folder) at `url`.
  public func excludes(_ url: URL, isDirectory: Bool = false) -> Bool {
    guard !exclude.isEmpty, let relative = relativePath(of: url), !relative.isEmpty else { return false }
    let path = isDirectory ? relative + "/" : relative
    return exclude.contains { $0.matches(path) || (isDirectory && $0.matches(relative)) }
  }

  /// Checks every rule id the configuration names against a ruleset.
  ///
  /// - Throws: `HeguiError` (`unknownRule`) at the place the id is written.
  public func validate(against ruleset: Ruleset) throws(HeguiError) {
    for (id, location) in ruleIDLocations {
      do {
        _ = try ruleset.ruleIDs(selectedBy: id)
      } catch {
        throw HeguiError(.unknownRule, error.message, at: location)
      }
    }
  }
}
