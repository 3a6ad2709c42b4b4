import Foundation
import Yams

/// One pack file, read but not yet checked against the other packs.
struct ParsedPack {
  /// The file's header.
  var pack: Ruleset.Pack
  /// Its rules, in file order.
  var rules: [Rule]
  /// Its category table rows, in file order.
  var categories: [CategoryEntry]
  /// The categories its rules and examples name, in the order written.
  var references: [CategoryReference]
}

/// Reads one pack file's top-level keys (format: `Rulesets/FORMAT.md`): the header, the
/// category table and the rules.
struct PackParser {
  static let keys = ["version", "pack", "name", "description", "sources", "categories", "rules"]
  static let categoryKeys = ["id", "names", "parent", "individual", "licences", "markers", "source", "checked"]

  /// The file's path, relative to its source.
  let relativePath: String
  /// The source it is read from.
  let files: RulesetFiles
  /// Normalises the rules' terms, anchors and exception phrases.
  let normalizer: Normalizer

  /// Reads the file.
  ///
  /// - Throws: ``HeguiError`` naming the place of the first mistake in the file.
  func parse() throws(HeguiError) -> ParsedPack {
    let path = files.displayPath(relativePath)
    let reader = YAMLReader(path: path)
    let yaml = try files.text(relativePath)
    guard let root = try reader.compose(yaml) else {
      throw HeguiError(
        .invalidRuleset, "file is empty; a ruleset needs at least 'version', 'pack', 'name' and 'rules'",
        at: .init(path: path))
    }
    let map = try reader.mapping(root, what: "a ruleset", allowed: Self.keys)
    let pack = try header(map, root: root, reader: reader)

    var categories: [CategoryEntry] = []
    if let node = map["categories"] {
      for item in try reader.sequence(node, what: "'categories'") {
        categories.append(try category(item, reader: reader))
      }
    }
    // A pack may hold only a category table.
    guard let rulesNode = map["rules"] else {
      if categories.isEmpty { throw reader.error(root, "the ruleset is missing required key 'rules'") }
      return ParsedPack(pack: pack, rules: [], categories: categories, references: [])
    }
    let parser = RuleParser(
      reader: reader, files: files, directory: (relativePath as NSString).deletingLastPathComponent, pack: pack.id,
      normalizer: normalizer)
    var rules: [Rule] = []
    var ids: Set<String> = []
    var references: [CategoryReference] = []
    for item in try reader.sequence(rulesNode, what: "'rules'") {
      let rule = try parser.parse(item, references: &references)
      if !ids.insert(rule.id).inserted {
        throw reader.error(item, "duplicate rule id '\(rule.id)' in this file", code: .duplicateRuleID)
      }
      rules.append(rule)
    }
    return ParsedPack(pack: pack, rules: rules, categories: categories, references: references)
  }

  /// `version`, `pack`, `name`, `description` and `sources`.
  private func header(_ map: [String: Node], root: Node, reader: YAMLReader) throws(HeguiError) -> Ruleset.Pack {
    let versionNode = try reader.require(map, "version", in: root, what: "the ruleset")
    let version = try reader.int(versionNode, what: "'version'")
    if version > Ruleset.formatVersion {
      throw reader.error(
        versionNode,
        "ruleset format version \(version) is newer than this Hegui understands (\(Ruleset.formatVersion)); "
          + "upgrade Hegui",
        code: .unsupportedVersion)
    }
    if version < 1 { throw reader.error(versionNode, "'version' must be 1") }
    let packNode = try reader.require(map, "pack", in: root, what: "the ruleset")
    let packID = try reader.nonEmptyString(packNode, what: "'pack'")
    if !RulesetID.isValid(packID) {
      throw reader.error(packNode, "pack id '\(packID)' must be lower-case letters, digits, '.' and '-'")
    }
    return Ruleset.Pack(
      id: packID,
      name: try reader.nonEmptyString(try reader.require(map, "name", in: root, what: "the ruleset"), what: "'name'"),
      description: try map["description"].map { (node) throws(HeguiError) in
        try reader.string(node, what: "'description'")
      },
      sources: try map["sources"].map { (node) throws(HeguiError) in
        try reader.strings(node, what: "'sources'")
      } ?? [],
      path: reader.path)
  }

  /// One row of a category table.
  private func category(_ node: Node, reader: YAMLReader) throws(HeguiError) -> CategoryEntry {
    let map = try reader.mapping(node, what: "a category", allowed: Self.categoryKeys)
    let idNode = try reader.require(map, "id", in: node, what: "a category")
    let id = try reader.nonEmptyString(idNode, what: "category 'id'")
    if !RulesetID.isValid(id) {
      throw reader.error(idNode, "category id '\(id)' must be lower-case letters, digits, '.' and '-'")
    }
    var parent: String?
    if let p = map["parent"], !reader.isNull(p) { parent = try reader.nonEmptyString(p, what: "'parent'") }
    return CategoryEntry(
      id: id,
      names: try map["names"].map { (n) throws(HeguiError) in try reader.strings(n, what: "'names'") } ?? [],
      parent: parent,
      individual: try map["individual"].map { (n) throws(HeguiError) in
        let value = try reader.string(n, what: "'individual'")
        guard let status = CategoryEntry.IndividualStatus(rawValue: value) else {
          throw reader.error(n, "'individual' must be one of allowed, forbidden, platform, found '\(value)'")
        }
        return status
      } ?? .allowed,
      licences: try map["licences"].map { (n) throws(HeguiError) in try reader.strings(n, what: "'licences'") } ?? [],
      markers: try map["markers"].map { (n) throws(HeguiError) in
        try reader.strings(n, what: "'markers'").map { $0.lowercased() }
      } ?? [],
      source: try map["source"].map { (n) throws(HeguiError) in try reader.string(n, what: "'source'") },
      checked: try map["checked"].map { (n) throws(HeguiError) in try reader.string(n, what: "'checked'") },
      location: reader.sourceLocation(node))
  }
}
