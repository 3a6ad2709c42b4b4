public import Foundation

/// A set of loaded, validated and compiled rules, with the category table they use.
///
/// Load the shipped rules with ``shipped()`` (no path to configure: they are compiled into the
/// library), or add and replace packs from directories of your own with
/// ``load(directories:includingShipped:)``. A pack from a directory whose `pack` id equals a
/// shipped one replaces it.
public struct Ruleset: Sendable {
  /// A ruleset file's header.
  public struct Pack: Sendable, Hashable {
    /// Pack id, the prefix of its rules' ids.
    public var id: String
    /// Display name.
    public var name: String
    /// What the pack covers.
    public var description: String?
    /// Laws, guides and platform rules it is written from.
    public var sources: [String]
    /// The file it was loaded from.
    public var path: String
  }

  /// The packs, in load order.
  public let packs: [Pack]
  /// All rules, in load order.
  public let rules: [Rule]
  /// The category table.
  public let categories: [CategoryEntry]
  private let ruleIndexByID: [String: Int]
  private let categoryByName: [String: Int]

  /// A ruleset with no rules, packs or categories.
  public static let empty = Ruleset(packs: [], rules: [], categories: [])

  /// The highest ruleset format version this library reads.
  public static let formatVersion = 1

  init(packs: [Pack], rules: [Rule], categories: [CategoryEntry]) {
    self.packs = packs
    self.rules = rules
    self.categories = categories
    var byID: [String: Int] = [:]
    for (index, rule) in rules.enumerated() {
      byID[rule.id] = index
      for alias in rule.aliases { byID[alias] = index }
    }
    ruleIndexByID = byID
    var byName: [String: Int] = [:]
    for (index, entry) in categories.enumerated() {
      byName[entry.id.lowercased()] = index
      for name in entry.names { byName[name.lowercased()] = index }
    }
    categoryByName = byName
  }

  /// The rule with this id or alias.
  public func rule(withID id: String) -> Rule? {
    ruleIndexByID[id].map { rules[$0] }
  }

  /// The canonical id of a rule id or alias, or `nil` when no rule has it.
  public func canonicalRuleID(_ id: String) -> String? {
    ruleIndexByID[id].map { rules[$0].id }
  }

  /// The category entry for an id or Chinese name (case-insensitive), or `nil`.
  public func category(named name: String) -> CategoryEntry? {
    categoryByName[name.trimmingCharacters(in: .whitespaces).lowercased()].map { categories[$0] }
  }

  /// Whether `category` is `ancestor` or one of its descendants.
  public func category(_ category: String, isWithin ancestor: String) -> Bool {
    var current: String? = category
    var steps = 0
    while let id = current, steps < 32 {
      if id == ancestor { return true }
      current = self.category(named: id)?.parent
      steps += 1
    }
    return false
  }

  /// The rules shipped with Hegui (the `Rulesets/` folder, compiled into the library).
  ///
  /// - Throws: ``HeguiError`` when a shipped file is invalid (a build that embeds broken
  ///   rulesets fails its own tests long before it ships).
  public static func shipped() throws(HeguiError) -> Ruleset {
    try RulesetLoader().load(sources: [.shipped])
  }

  /// Loads rulesets from directories, on top of the shipped ones unless told otherwise.
  ///
  /// - Parameters:
  ///   - directories: Folders of `*.yml` ruleset files (walked recursively).
  ///   - includingShipped: Whether to start from the shipped rules (default `true`). A pack in a
  ///     directory with the id of a shipped pack replaces it.
  /// - Throws: ``HeguiError`` naming `file:line:column` for any malformed file.
  public static func load(directories: [URL], includingShipped: Bool = true) throws(HeguiError) -> Ruleset {
    var sources: [RulesetSource] = includingShipped ? [.shipped] : []
    sources += directories.map { .directory($0) }
    return try RulesetLoader().load(sources: sources)
  }

  /// Loads rulesets from in-memory files (path → YAML or term-list text), for tools and tests.
  public static func load(files: [String: String], includingShipped: Bool = false) throws(HeguiError) -> Ruleset {
    var sources: [RulesetSource] = includingShipped ? [.shipped] : []
    sources.append(.memory(files.mapValues { Data($0.utf8) }))
    return try RulesetLoader().load(sources: sources)
  }

  /// The ids of the rules an id, alias or family prefix (`adlaw.absolute`) names.
  ///
  /// - Throws: ``HeguiError`` with code `unknownRule` when it names no rule.
  public func ruleIDs(selectedBy selector: String) throws(HeguiError) -> [String] {
    if let id = canonicalRuleID(selector) { return [id] }
    let family = rules.filter { $0.isSelected(by: selector) }.map(\.id)
    if !family.isEmpty { return family }
    var message = "unknown rule id '\(selector)'"
    if let near = YAMLReader.nearest(selector, in: rules.map(\.id)) { message += " (did you mean '\(near)'?)" }
    throw HeguiError(.unknownRule, message)
  }

  /// A copy that keeps only some rules; categories and packs are kept.
  ///
  /// - Parameters:
  ///   - only: Rule ids, aliases or family prefixes to keep (empty: all).
  ///   - disabling: Rule ids, aliases or family prefixes to drop.
  /// - Throws: ``HeguiError`` with code `unknownRule` when a selector names no rule.
  public func selecting(only: [String] = [], disabling: [String] = []) throws(HeguiError) -> Ruleset {
    var keep = Set(rules.map(\.id))
    if !only.isEmpty {
      keep = []
      for selector in only { keep.formUnion(try ruleIDs(selectedBy: selector)) }
    }
    for selector in disabling { keep.subtract(try ruleIDs(selectedBy: selector)) }
    return Ruleset(packs: packs, rules: rules.filter { keep.contains($0.id) }, categories: categories)
  }

  /// A copy with some rules' severities replaced (by id or alias).
  public func overridingSeverity(_ severities: [String: Severity]) throws(HeguiError) -> Ruleset {
    var copy = rules
    for (id, severity) in severities {
      guard let canonical = canonicalRuleID(id), let index = copy.firstIndex(where: { $0.id == canonical }) else {
        throw HeguiError(.unknownRule, "unknown rule id '\(id)'")
      }
      copy[index].severity = severity
    }
    return Ruleset(packs: packs, rules: copy, categories: categories)
  }
}
