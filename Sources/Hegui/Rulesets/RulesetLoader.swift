import Foundation
import Yams

/// Reads ruleset files (format: `Rulesets/FORMAT.md`) into a validated, compiled ``Ruleset``.
struct RulesetLoader {
  private struct LoadedPack {
    var pack: Ruleset.Pack
    var rules: [Rule]
    var categories: [CategoryEntry]
    var pending: [CategoryReference]
    var source = 0
  }

  private let normalizer = Normalizer()

  static let packKeys = ["version", "pack", "name", "description", "sources", "categories", "rules"]
  static let ruleKeys = [
    "id", "aliases", "kind", "severity", "message", "message_en", "suggestions", "basis", "policy", "terms",
    "terms_file", "patterns", "anchors", "boundary", "evasion", "applies_to", "overrides", "exceptions",
    "suppressible", "check", "subject_status", "examples",
  ]
  static let appliesKeys = ["contexts", "shop_subjects", "categories", "not_categories"]
  static let overrideKeys = ["shop_subjects", "categories", "contexts", "licences", "severity", "suppress"]
  static let exceptionKeys = ["phrase", "pattern", "action", "note"]
  static let categoryKeys = ["id", "names", "parent", "individual", "licences", "source", "checked"]

  func load(sources: [RulesetSource]) throws(HeguiError) -> Ruleset {
    var packs: [LoadedPack] = []
    var caseFiles: [(String, RulesetFiles)] = []
    for (sourceIndex, source) in sources.enumerated() {
      let fileSet = try RulesetFiles.read(source)
      // Case files test the rules of a directory; the shipped rules' case files are run from
      // Rulesets/ on disk (a user pack may replace a shipped rule they refer to).
      if case .shipped = source {} else {
        for path in fileSet.caseFilePaths { caseFiles.append((path, fileSet)) }
      }
      var seenInSource: [String: String] = [:]
      for path in fileSet.packFilePaths {
        var loaded = try loadPack(relativePath: path, in: fileSet)
        loaded.source = sourceIndex
        if let other = seenInSource[loaded.pack.id] {
          throw HeguiError(
            .invalidRuleset, "pack '\(loaded.pack.id)' is already defined in \(other)",
            at: .init(path: loaded.pack.path))
        }
        seenInSource[loaded.pack.id] = loaded.pack.path
        packs.removeAll { $0.pack.id == loaded.pack.id }  // a later source replaces a pack
        packs.append(loaded)
      }
    }

    // Cross-pack validation: unique ids, unique categories, known category references.
    var ruleOwner: [String: SourceLocation] = [:]
    var categoryOwner: [String: SourceLocation] = [:]
    var allRules: [Rule] = []
    var allCategories: [CategoryEntry] = []
    // A category defined again by a later source (a company's own table) replaces the earlier
    // row; defined twice within one source, it is an error.
    var categorySource: [String: Int] = [:]
    for loaded in packs {
      for entry in loaded.categories {
        if let previous = categorySource[entry.id], previous < loaded.source {
          allCategories.removeAll { $0.id == entry.id }
          categoryOwner = categoryOwner.filter { key, _ in
            allCategories.contains { ([$0.id] + $0.names).map { $0.lowercased() }.contains(key) }
          }
        }
        for key in [entry.id] + entry.names {
          if let other = categoryOwner[key.lowercased()] {
            throw HeguiError(
              .invalidRuleset, "category '\(key)' is already defined at \(other)",
              at: .init(path: entry.location.path, line: entry.location.line, column: entry.location.column))
          }
          categoryOwner[key.lowercased()] = entry.location
        }
        categorySource[entry.id] = loaded.source
        allCategories.append(entry)
      }
    }
    for loaded in packs {
      for rule in loaded.rules {
        for id in [rule.id] + rule.aliases {
          if let other = ruleOwner[id] {
            throw HeguiError(
              .duplicateRuleID, "duplicate rule id '\(id)': already defined at \(other)",
              at: .init(path: rule.location.path, line: rule.location.line, column: rule.location.column))
          }
          ruleOwner[id] = rule.location
        }
        allRules.append(rule)
      }
    }
    for entry in allCategories {
      if let parent = entry.parent, categoryOwner[parent.lowercased()] == nil {
        throw HeguiError(
          .unknownCategory, "unknown parent category '\(parent)'",
          at: .init(path: entry.location.path, line: entry.location.line, column: entry.location.column))
      }
    }
    for loaded in packs {
      for reference in loaded.pending where categoryOwner[reference.name.lowercased()] == nil {
        var message = "unknown category '\(reference.name)'"
        if let near = YAMLReader.nearest(reference.name, in: allCategories.map(\.id)) {
          message += " (did you mean '\(near)'?)"
        }
        if allCategories.isEmpty { message += "; no category table is loaded" }
        throw HeguiError(.unknownCategory, message, at: reference.location)
      }
    }
    // Bulk case files add examples to rules defined anywhere.
    for (path, fileSet) in caseFiles {
      var pending: [CategoryReference] = []
      try loadCases(relativePath: path, in: fileSet, rules: &allRules, pending: &pending)
      for reference in pending where categoryOwner[reference.name.lowercased()] == nil {
        throw HeguiError(.unknownCategory, "unknown category '\(reference.name)'", at: reference.location)
      }
    }
    // Category references are stored as ids: map Chinese names to ids now that the table is whole.
    let table = Ruleset(packs: [], rules: [], categories: allCategories)
    func canonical(_ names: Set<String>) -> Set<String> {
      Set(names.map { table.category(named: $0)?.id ?? $0 })
    }
    for index in allRules.indices {
      allRules[index].applicability.categories = canonical(allRules[index].applicability.categories)
      allRules[index].applicability.excludedCategories = canonical(allRules[index].applicability.excludedCategories)
      for o in allRules[index].overrides.indices {
        allRules[index].overrides[o].categories = canonical(allRules[index].overrides[o].categories)
      }
    }
    for index in allCategories.indices {
      if let parent = allCategories[index].parent { allCategories[index].parent = table.category(named: parent)?.id }
    }
    return Ruleset(packs: packs.map(\.pack), rules: allRules, categories: allCategories)
  }

  // MARK: Case files

  /// Reads a bulk case file: `version: 1` and `cases: [{rule: ID, trigger: [...], pass: [...]}]`.
  private func loadCases(
    relativePath: String, in set: RulesetFiles, rules: inout [Rule], pending: inout [CategoryReference]
  ) throws(HeguiError) {
    let reader = YAMLReader(path: set.displayPath(relativePath))
    guard let root = try reader.compose(try set.text(relativePath)) else { return }
    let map = try reader.mapping(root, what: "a case file", allowed: ["version", "cases"])
    let versionNode = try reader.require(map, "version", in: root, what: "the case file")
    let version = try reader.int(versionNode, what: "'version'")
    if version != 1 {
      throw reader.error(versionNode, "case file version \(version) is not supported (expected 1)", code: .unsupportedVersion)
    }
    for item in try reader.sequence(try reader.require(map, "cases", in: root, what: "the case file"), what: "'cases'") {
      let c = try reader.mapping(item, what: "a case", allowed: ["rule", "trigger", "pass"])
      let ruleNode = try reader.require(c, "rule", in: item, what: "a case")
      let id = try reader.nonEmptyString(ruleNode, what: "'rule'")
      guard let index = rules.firstIndex(where: { $0.id == id || $0.aliases.contains(id) }) else {
        var message = "unknown rule id '\(id)'"
        if let near = YAMLReader.nearest(id, in: rules.map(\.id)) { message += " (did you mean '\(near)'?)" }
        throw HeguiError(.unknownRule, message, at: reader.location(ruleNode))
      }
      if let t = c["trigger"] {
        for example in try reader.sequence(t, what: "'trigger'") {
          let parsed = try ExampleParser(reader: reader).trigger(example, kind: rules[index].kind, references: &pending)
          rules[index].triggerExamples.append(parsed)
        }
      }
      if let p = c["pass"] {
        for example in try reader.sequence(p, what: "'pass'") {
          rules[index].passExamples.append(try ExampleParser(reader: reader).pass(example, references: &pending))
        }
      }
    }
  }

  // MARK: Packs

  private func loadPack(relativePath: String, in set: RulesetFiles) throws(HeguiError) -> LoadedPack {
    let path = set.displayPath(relativePath)
    let reader = YAMLReader(path: path)
    let yaml = try set.text(relativePath)
    guard let root = try reader.compose(yaml) else {
      throw HeguiError(.invalidRuleset, "file is empty; a ruleset needs at least 'version', 'pack', 'name' and 'rules'", at: .init(path: path))
    }
    let map = try reader.mapping(root, what: "a ruleset", allowed: RulesetLoader.packKeys)
    let versionNode = try reader.require(map, "version", in: root, what: "the ruleset")
    let version = try reader.int(versionNode, what: "'version'")
    if version > Ruleset.formatVersion {
      throw reader.error(
        versionNode,
        "ruleset format version \(version) is newer than this Hegui understands (\(Ruleset.formatVersion)); upgrade Hegui",
        code: .unsupportedVersion)
    }
    if version < 1 { throw reader.error(versionNode, "'version' must be 1") }
    let packNode = try reader.require(map, "pack", in: root, what: "the ruleset")
    let packID = try reader.nonEmptyString(packNode, what: "'pack'")
    if !RulesetID.isValid(packID) {
      throw reader.error(packNode, "pack id '\(packID)' must be lower-case letters, digits, '.' and '-'")
    }
    let pack = Ruleset.Pack(
      id: packID,
      name: try reader.nonEmptyString(try reader.require(map, "name", in: root, what: "the ruleset"), what: "'name'"),
      description: try map["description"].map { (node) throws(HeguiError) in try reader.string(node, what: "'description'") },
      sources: try map["sources"].map { (node) throws(HeguiError) in try reader.strings(node, what: "'sources'") } ?? [],
      path: path)

    var pending: [CategoryReference] = []
    var categories: [CategoryEntry] = []
    if let node = map["categories"] {
      for item in try reader.sequence(node, what: "'categories'") {
        categories.append(try loadCategory(item, reader: reader))
      }
    }
    guard let rulesNode = map["rules"] else {
      if categories.isEmpty { throw reader.error(root, "the ruleset is missing required key 'rules'") }
      return LoadedPack(pack: pack, rules: [], categories: categories, pending: [])
    }
    var rules: [Rule] = []
    var ids: Set<String> = []
    let directory = (relativePath as NSString).deletingLastPathComponent
    for item in try reader.sequence(rulesNode, what: "'rules'") {
      let rule = try loadRule(item, pack: packID, reader: reader, directory: directory, in: set, pending: &pending)
      if !ids.insert(rule.id).inserted {
        throw reader.error(item, "duplicate rule id '\(rule.id)' in this file", code: .duplicateRuleID)
      }
      rules.append(rule)
    }
    return LoadedPack(pack: pack, rules: rules, categories: categories, pending: pending)
  }

  private func loadCategory(_ node: Node, reader: YAMLReader) throws(HeguiError) -> CategoryEntry {
    let map = try reader.mapping(node, what: "a category", allowed: RulesetLoader.categoryKeys)
    let idNode = try reader.require(map, "id", in: node, what: "a category")
    let id = try reader.nonEmptyString(idNode, what: "category 'id'")
    if !RulesetID.isValid(id) { throw reader.error(idNode, "category id '\(id)' must be lower-case letters, digits, '.' and '-'") }
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
      source: try map["source"].map { (n) throws(HeguiError) in try reader.string(n, what: "'source'") },
      checked: try map["checked"].map { (n) throws(HeguiError) in try reader.string(n, what: "'checked'") },
      location: reader.sourceLocation(node))
  }

  // MARK: Rules

  private func loadRule(
    _ node: Node, pack: String, reader: YAMLReader, directory: String, in set: RulesetFiles,
    pending: inout [CategoryReference]
  ) throws(HeguiError) -> Rule {
    let map = try reader.mapping(node, what: "a rule", allowed: RulesetLoader.ruleKeys)
    let idNode = try reader.require(map, "id", in: node, what: "a rule")
    let id = try reader.nonEmptyString(idNode, what: "rule 'id'")
    if !RulesetID.isValid(id) {
      throw reader.error(idNode, "rule id '\(id)' must be lower-case letters, digits, '.' and '-', e.g. adlaw.absolute.first")
    }
    if !id.hasPrefix(pack + ".") { throw reader.error(idNode, "rule id '\(id)' must start with its pack id '\(pack).'") }
    let what = "rule '\(id)'"
    let kindNode = try reader.require(map, "kind", in: node, what: what)
    let kind = try reader.oneOf(kindNode, what: "'kind'", as: RuleKind.self)
    if kind == .meta { throw reader.error(kindNode, "'kind' must be lexicon, pattern or category") }
    let severity = try reader.oneOf(try reader.require(map, "severity", in: node, what: what), what: "'severity'", as: Severity.self)
    let message = try reader.nonEmptyString(try reader.require(map, "message", in: node, what: what), what: "'message'")

    func list(_ key: String) throws(HeguiError) -> [String] {
      try map[key].map { (n) throws(HeguiError) in try reader.strings(n, what: "'\(key)'") } ?? []
    }
    func categoryNames(_ n: Node, _ key: String) throws(HeguiError) -> Set<String> {
      var names: Set<String> = []
      for item in try reader.sequence(n, what: "'\(key)'") {
        let name = try reader.nonEmptyString(item, what: "an item of '\(key)'")
        pending.append(CategoryReference(name: name, location: reader.location(item)))
        names.insert(name)
      }
      return names
    }
    func enumSet<T: RawRepresentable & CaseIterable & Hashable>(_ n: Node, _ key: String, _ type: T.Type) throws(HeguiError) -> Set<T>
    where T.RawValue == String {
      var result: Set<T> = []
      for item in try reader.sequence(n, what: "'\(key)'") { result.insert(try reader.oneOf(item, what: "an item of '\(key)'", as: T.self)) }
      return result
    }

    // Kind-specific keys.
    let kindKeys: [RuleKind: [String]] = [
      .lexicon: ["terms", "terms_file"], .pattern: ["patterns", "anchors"], .category: ["check", "subject_status"],
      .meta: [],
    ]
    for (otherKind, keys) in kindKeys where otherKind != kind {
      for key in keys where map[key] != nil {
        throw reader.error(map[key], "'\(key)' belongs to \(otherKind.rawValue) rules; this rule is '\(kind.rawValue)'")
      }
    }

    var rawTerms: [String] = []
    var terms: [String] = []
    var patterns: [Pattern] = []
    var anchors: [String] = []
    var categoryCheck: Rule.CategoryCheck?
    switch kind {
    case .lexicon:
      rawTerms = try list("terms")
      if let fileNode = map["terms_file"] {
        let file = try reader.nonEmptyString(fileNode, what: "'terms_file'")
        let relative = RulesetFiles.join(directory, file)
        guard set.contains(relative) else {
          throw reader.error(fileNode, "terms file '\(file)' does not exist (looked for \(set.displayPath(relative)))")
        }
        let contents = try set.text(relative)
        for line in contents.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
          let term = line.trimmingCharacters(in: .whitespaces)
          if term.isEmpty || term.hasPrefix("#") { continue }
          rawTerms.append(term)
        }
      }
      if rawTerms.isEmpty { throw reader.error(node, "lexicon \(what) has no terms: give 'terms' or 'terms_file'") }
      for raw in rawTerms {
        let normalized = normalizer.normalize(raw).string
        if normalized.isEmpty { throw reader.error(map["terms"] ?? node, "term '\(raw)' is empty after normalisation") }
        terms.append(normalized)
      }
    case .pattern:
      let patternsNode = try reader.require(map, "patterns", in: node, what: what)
      for item in try reader.sequence(patternsNode, what: "'patterns'") {
        let source = try reader.nonEmptyString(item, what: "a pattern")
        do {
          patterns.append(try Pattern(source))
        } catch {
          throw HeguiError(.invalidPattern, "rule '\(id)': \(error.message)", at: reader.location(item))
        }
      }
      if patterns.isEmpty { throw reader.error(patternsNode, "pattern \(what) has no patterns") }
      anchors = try list("anchors").map { normalizer.normalize($0).string }
    case .meta:
      break
    case .category:
      let checkNode = try reader.require(map, "check", in: node, what: what)
      switch try reader.string(checkNode, what: "'check'") {
      case "subject":
        let statusNode = try reader.require(map, "subject_status", in: node, what: what)
        switch try reader.string(statusNode, what: "'subject_status'") {
        case "forbidden": categoryCheck = .subject(.forbidden)
        case "platform": categoryCheck = .subject(.platform)
        case let other: throw reader.error(statusNode, "'subject_status' must be forbidden or platform, found '\(other)'")
        }
      case "licence":
        if let statusNode = map["subject_status"] { throw reader.error(statusNode, "'subject_status' only applies to check: subject") }
        categoryCheck = .licence
      case let other:
        throw reader.error(checkNode, "'check' must be subject or licence, found '\(other)'")
      }
    }

    var applicability = Applicability()
    if let n = map["applies_to"] {
      let a = try reader.mapping(n, what: "'applies_to'", allowed: RulesetLoader.appliesKeys)
      if let c = a["contexts"] { applicability.contexts = try enumSet(c, "contexts", TextContext.self) }
      if let s = a["shop_subjects"] { applicability.shopSubjects = try enumSet(s, "shop_subjects", ShopSubject.self) }
      if let c = a["categories"] { applicability.categories = try categoryNames(c, "categories") }
      if let c = a["not_categories"] { applicability.excludedCategories = try categoryNames(c, "not_categories") }
    }

    var overrides: [Override] = []
    if let n = map["overrides"] {
      for item in try reader.sequence(n, what: "'overrides'") {
        let o = try reader.mapping(item, what: "an override", allowed: RulesetLoader.overrideKeys)
        var entry = Override()
        if let s = o["shop_subjects"] { entry.shopSubjects = try enumSet(s, "shop_subjects", ShopSubject.self) }
        if let c = o["categories"] { entry.categories = try categoryNames(c, "categories") }
        if let c = o["contexts"] { entry.contexts = try enumSet(c, "contexts", TextContext.self) }
        if let l = o["licences"] { entry.licences = Set(try reader.strings(l, what: "'licences'")) }
        if let s = o["severity"] { entry.severity = try reader.oneOf(s, what: "'severity'", as: Severity.self) }
        if let s = o["suppress"] { entry.suppress = try reader.bool(s, what: "'suppress'") }
        if entry.severity == nil && !entry.suppress {
          throw reader.error(item, "an override needs 'severity' or 'suppress: true'")
        }
        if entry.severity != nil && entry.suppress { throw reader.error(item, "an override takes 'severity' or 'suppress', not both") }
        if entry.shopSubjects.isEmpty && entry.categories.isEmpty && entry.contexts.isEmpty && entry.licences.isEmpty {
          throw reader.error(item, "an override needs at least one condition (shop_subjects, categories, contexts, licences)")
        }
        overrides.append(entry)
      }
    }

    var exceptions: [RuleException] = []
    if let n = map["exceptions"] {
      if kind == .category { throw reader.error(n, "category rules take no exceptions") }
      for item in try reader.sequence(n, what: "'exceptions'") {
        var action = RuleException.Action.suppress
        var phrase: String?
        var pattern: Pattern?
        var source: String
        var note: String?
        if case .scalar = item {
          source = try reader.nonEmptyString(item, what: "an exception")
          phrase = normalizer.normalize(source).string
        } else {
          let e = try reader.mapping(item, what: "an exception", allowed: RulesetLoader.exceptionKeys)
          if let n = e["note"] { note = try reader.nonEmptyString(n, what: "'note'") }
          if let a = e["action"] {
            let value = try reader.string(a, what: "'action'")
            guard let parsed = RuleException.Action(rawValue: value) else {
              throw reader.error(a, "exception 'action' must be suppress or review, found '\(value)'")
            }
            action = parsed
          }
          switch (e["phrase"], e["pattern"]) {
          case let (p?, nil):
            source = try reader.nonEmptyString(p, what: "'phrase'")
            phrase = normalizer.normalize(source).string
          case let (nil, p?):
            source = try reader.nonEmptyString(p, what: "'pattern'")
            do { pattern = try Pattern(source) } catch {
              throw HeguiError(.invalidPattern, "rule '\(id)' exception: \(error.message)", at: reader.location(p))
            }
          case (nil, nil): throw reader.error(item, "an exception needs 'phrase' or 'pattern'")
          default: throw reader.error(item, "an exception takes 'phrase' or 'pattern', not both")
          }
        }
        exceptions.append(
          RuleException(
            phrase: phrase, pattern: pattern, source: source, action: action, note: note, location: reader.sourceLocation(item)))
      }
    }

    var triggers: [RuleExample] = []
    var passes: [RuleExample] = []
    if let n = map["examples"] {
      let e = try reader.mapping(n, what: "'examples'", allowed: ["trigger", "pass"])
      if let t = e["trigger"] {
        for item in try reader.sequence(t, what: "'trigger'") {
          let example = try ExampleParser(reader: reader).trigger(item, kind: kind, references: &pending)
          if kind == .category && !example.spans.isEmpty {
            throw reader.error(item, "category rules report no text span: remove the ⟦ ⟧ markers")
          }
          triggers.append(example)
        }
      }
      if let p = e["pass"] {
        for item in try reader.sequence(p, what: "'pass'") {
          passes.append(try ExampleParser(reader: reader).pass(item, references: &pending))
        }
      }
    }

    let boundary = try map["boundary"].map { (n) throws(HeguiError) -> Bool in
      switch try reader.string(n, what: "'boundary'") {
      case "word": return true
      case "none": return false
      case let other: throw reader.error(n, "'boundary' must be word or none, found '\(other)'")
      }
    } ?? false
    if boundary && kind == .category { throw reader.error(map["boundary"], "category rules have no text to align") }

    return Rule(
      id: id,
      aliases: try list("aliases"),
      pack: pack,
      kind: kind,
      severity: severity,
      message: message,
      messageEnglish: try map["message_en"].map { (n) throws(HeguiError) in try reader.string(n, what: "'message_en'") },
      suggestions: try list("suggestions"),
      basis: try list("basis"),
      policy: try map["policy"].map { (n) throws(HeguiError) -> PolicyKind in
        let value = try reader.string(n, what: "'policy'")
        guard let policy = PolicyKind(rawValue: value) else { throw reader.error(n, "'policy' must be law or platform, found '\(value)'") }
        return policy
      } ?? .law,
      terms: terms,
      rawTerms: rawTerms,
      patterns: patterns,
      anchors: anchors,
      requiresWordBoundary: boundary,
      matchesThroughNoise: try map["evasion"].map { (n) throws(HeguiError) in try reader.bool(n, what: "'evasion'") } ?? true,
      applicability: applicability,
      overrides: overrides,
      exceptions: exceptions,
      isSuppressible: try map["suppressible"].map { (n) throws(HeguiError) in try reader.bool(n, what: "'suppressible'") } ?? true,
      categoryCheck: categoryCheck,
      triggerExamples: triggers,
      passExamples: passes,
      location: reader.sourceLocation(node))
  }
}
