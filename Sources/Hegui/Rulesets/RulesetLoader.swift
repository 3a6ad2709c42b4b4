/// Reads ruleset files (format: `Rulesets/FORMAT.md`) into a validated, compiled ``Ruleset``.
///
/// Each step has its own file: ``RulesetFiles`` finds and reads the files of a source,
/// ``PackParser`` and ``RuleParser`` read a pack file, ``RulesetLinker`` joins the packs of all
/// sources, and ``CaseFileParser`` adds the examples of bulk case files to the joined rules.
struct RulesetLoader {
  private let normalizer = Normalizer()

  /// Loads the sources in order; a later source's pack replaces an earlier one with its id.
  ///
  /// - Throws: ``HeguiError`` for the first problem found: files in source order, then pack files
  ///   in path order, then checks across packs, then case files.
  func load(sources: [RulesetSource]) throws(HeguiError) -> Ruleset {
    var linker = RulesetLinker()
    var caseFiles: [(path: String, files: RulesetFiles)] = []
    for (sourceIndex, source) in sources.enumerated() {
      let files = try RulesetFiles.read(source)
      // Case files test the rules of a directory; the shipped rules' case files are run from
      // Rulesets/ on disk (a user pack may replace a shipped rule they refer to).
      if case .shipped = source {
      } else {
        caseFiles += files.caseFilePaths.map { (path: $0, files: files) }
      }
      for path in files.packFilePaths {
        let parsed = try PackParser(relativePath: path, files: files, normalizer: normalizer).parse()
        try linker.add(parsed, fromSource: sourceIndex)
      }
    }
    var linked = try linker.link()
    // Bulk case files add examples to rules defined in any pack, so they are read last.
    for (path, files) in caseFiles {
      var references: [CategoryReference] = []
      try CaseFileParser(files: files).addExamples(from: path, to: &linked.rules, references: &references)
      try linked.requireKnownCategories(references)
    }
    return linked.ruleset()
  }
}
