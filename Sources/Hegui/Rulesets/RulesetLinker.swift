/// Joins the packs of every source into one ruleset.
///
/// A pack or category row from a later source replaces an earlier one with the same id (a
/// company replaces a shipped pack, or keeps its own category table); within one source, an id
/// defined twice is an error. Rule ids and aliases must be unique across all packs, and every
/// category named anywhere must be in the joined table.
struct RulesetLinker {
  /// The packs in load order, with the index of the source each came from.
  private var packs: [(parsed: ParsedPack, source: Int)] = []
  /// Where each pack id was last defined.
  private var packOrigins: [String: (source: Int, path: String)] = [:]

  /// Adds a pack, replacing a pack with the same id from an earlier source.
  ///
  /// - Throws: ``HeguiError`` when the same source already defines the pack id.
  mutating func add(_ parsed: ParsedPack, fromSource source: Int) throws(HeguiError) {
    let id = parsed.pack.id
    if let other = packOrigins[id], other.source == source {
      throw HeguiError(
        .invalidRuleset, "pack '\(id)' is already defined in \(other.path)", at: .init(path: parsed.pack.path))
    }
    packOrigins[id] = (source, parsed.pack.path)
    packs.removeAll { $0.parsed.pack.id == id }
    packs.append((parsed, source))
  }

  /// Checks the packs added so far against each other: unique category ids and names, unique
  /// rule ids and aliases, known parent categories and known category references.
  ///
  /// - Throws: ``HeguiError`` at the later of two clashing definitions, or at an unknown name.
  func link() throws(HeguiError) -> LinkedRuleset {
    let (categories, categoryOwner) = try joinCategories()
    let rules = try joinRules()
    for entry in categories {
      if let parent = entry.parent, categoryOwner[parent.lowercased()] == nil {
        throw HeguiError(.unknownCategory, "unknown parent category '\(parent)'", at: Self.location(entry.location))
      }
    }
    for (parsed, _) in packs {
      for reference in parsed.references where categoryOwner[reference.name.lowercased()] == nil {
        var message = "unknown category '\(reference.name)'"
        if let near = YAMLReader.nearest(reference.name, in: categories.map(\.id)) {
          message += " (did you mean '\(near)'?)"
        }
        if categories.isEmpty { message += "; no category table is loaded" }
        throw HeguiError(.unknownCategory, message, at: reference.location)
      }
    }
    return LinkedRuleset(
      packs: packs.map(\.parsed.pack), rules: rules, categories: categories, categoryKeys: Set(categoryOwner.keys))
  }

  /// Every pack's category rows, and where each id and name (lower-cased) is defined.
  private func joinCategories() throws(HeguiError) -> ([CategoryEntry], [String: RulesetLocation]) {
    var categoryOwner: [String: RulesetLocation] = [:]
    var allCategories: [CategoryEntry] = []
    var categorySource: [String: Int] = [:]
    for (parsed, source) in packs {
      for entry in parsed.categories {
        if let previous = categorySource[entry.id], previous < source {
          allCategories.removeAll { $0.id == entry.id }
          categoryOwner = categoryOwner.filter { key, _ in
            allCategories.contains { ([$0.id] + $0.names).map { $0.lowercased() }.contains(key) }
          }
        }
        for key in [entry.id] + entry.names {
          if let other = categoryOwner[key.lowercased()] {
            throw HeguiError(
              .invalidRuleset, "category '\(key)' is already defined at \(other)", at: Self.location(entry.location))
          }
          categoryOwner[key.lowercased()] = entry.location
        }
        categorySource[entry.id] = source
        allCategories.append(entry)
      }
    }
    return (allCategories, categoryOwner)
  }

  /// Every pack's rules in load order, once each id and alias is known to be unique.
  private func joinRules() throws(HeguiError) -> [Rule] {
    var ruleOwner: [String: RulesetLocation] = [:]
    var allRules: [Rule] = []
    for (parsed, _) in packs {
      for rule in parsed.rules {
        for id in [rule.id] + rule.aliases {
          if let other = ruleOwner[id] {
            throw HeguiError(
              .duplicateRuleID, "duplicate rule id '\(id)': already defined at \(other)",
              at: Self.location(rule.location))
          }
          ruleOwner[id] = rule.location
        }
        allRules.append(rule)
      }
    }
    return allRules
  }

  private static func location(_ location: RulesetLocation) -> HeguiError.Location {
    HeguiError.Location(path: location.path, line: location.line, column: location.column)
  }
}

/// Rules and categories checked across packs, with category references still as written.
struct LinkedRuleset {
  /// The packs, in load order.
  let packs: [Ruleset.Pack]
  /// The rules, in load order; case files add examples to them.
  var rules: [Rule]
  /// The joined category table.
  let categories: [CategoryEntry]
  /// Every category id and name, lower-cased.
  let categoryKeys: Set<String>

  /// Checks the categories a case file names.
  ///
  /// - Throws: ``HeguiError`` (`unknownCategory`) at the first name not in the table.
  func requireKnownCategories(_ references: [CategoryReference]) throws(HeguiError) {
    for reference in references where !categoryKeys.contains(reference.name.lowercased()) {
      throw HeguiError(.unknownCategory, "unknown category '\(reference.name)'", at: reference.location)
    }
  }

  /// The ruleset, with every category reference stored as its category's id.
  func ruleset() -> Ruleset {
    // Chinese names map to ids only now that the table is whole.
    let table = Ruleset(packs: [], rules: [], categories: categories)
    func canonical(_ names: Set<String>) -> Set<String> {
      Set(names.map { table.category(named: $0)?.id ?? $0 })
    }
    var rules = rules
    for index in rules.indices {
      rules[index].applicability.categories = canonical(rules[index].applicability.categories)
      rules[index].applicability.excludedCategories = canonical(rules[index].applicability.excludedCategories)
      for o in rules[index].overrides.indices {
        rules[index].overrides[o].categories = canonical(rules[index].overrides[o].categories)
      }
      rules[index].suggestionScopes = rules[index].suggestionScopes.map { scope in
        scope.map { scope in
          var scope = scope
          scope.categories = canonical(scope.categories)
          scope.excludedCategories = canonical(scope.excludedCategories)
          return scope
        }
      }
    }
    var categories = categories
    for index in categories.indices {
      if let parent = categories[index].parent { categories[index].parent = table.category(named: parent)?.id }
    }
    return Ruleset(packs: packs, rules: rules, categories: categories)
  }
}
