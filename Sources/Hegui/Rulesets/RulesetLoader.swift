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
        let parsed = try PackParser(relativePath: path, files: fileSet, normalizer: normalizer).parse()
        var loaded = LoadedPack(
          pack: parsed.pack, rules: parsed.rules, categories: parsed.categories, pending: parsed.references)
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
      try CaseFileParser(files: fileSet).addExamples(from: path, to: &allRules, references: &pending)
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
}
