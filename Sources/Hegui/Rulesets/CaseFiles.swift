import Yams

/// Reads bulk case files (`tests/*.cases.yml`): examples kept apart from the rules they test,
/// for rules defined in any pack.
///
/// Format: `version: 1` and `cases: [{rule: ID, trigger: [...], pass: [...]}]`.
struct CaseFileParser {
  /// The source the case file is read from.
  let files: RulesetFiles

  /// Adds a case file's examples to the rules they name (by id or alias).
  ///
  /// - Parameters:
  ///   - relativePath: The case file's path, relative to its source.
  ///   - rules: The rules of every pack.
  ///   - references: Gets the categories the examples name, in the order written.
  /// - Throws: ``HeguiError`` naming the place of the first mistake, including a rule id that no
  ///   pack defines.
  func addExamples(
    from relativePath: String, to rules: inout [Rule], references: inout [CategoryReference]
  ) throws(HeguiError) {
    let reader = YAMLReader(path: files.displayPath(relativePath))
    guard let root = try reader.compose(try files.text(relativePath)) else { return }
    let map = try reader.mapping(root, what: "a case file", allowed: ["version", "cases"])
    let versionNode = try reader.require(map, "version", in: root, what: "the case file")
    let version = try reader.int(versionNode, what: "'version'")
    if version != 1 {
      throw reader.error(
        versionNode, "case file version \(version) is not supported (expected 1)", code: .unsupportedVersion)
    }
    let parser = ExampleParser(reader: reader)
    let casesNode = try reader.require(map, "cases", in: root, what: "the case file")
    for item in try reader.sequence(casesNode, what: "'cases'") {
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
          let parsed = try parser.trigger(example, kind: rules[index].kind, references: &references)
          rules[index].triggerExamples.append(parsed)
        }
      }
      if let p = c["pass"] {
        for example in try reader.sequence(p, what: "'pass'") {
          rules[index].passExamples.append(try parser.pass(example, references: &references))
        }
      }
    }
  }
}
