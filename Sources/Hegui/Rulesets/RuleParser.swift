import Foundation
import Yams

/// Reads the rules of one pack file (format: `Rulesets/FORMAT.md`).
///
/// A rule's keys are read one concern at a time, and the order of the steps in
/// ``parse(_:references:)`` decides which error a rule with several mistakes reports: keep it
/// when adding keys.
struct RuleParser {
  static let keys = [
    "id", "aliases", "kind", "severity", "message", "message_en", "suggestions", "fix", "basis", "policy", "terms",
    "terms_file", "patterns", "sets", "anchors", "boundary", "evasion", "homophones",
    "evasion_severity", "applies_to", "overrides", "exceptions",
    "suppressible", "check", "subject_status", "requires", "examples",
  ]
  static let appliesKeys = ["contexts", "shop_subjects", "categories", "not_categories"]
  static let overrideKeys = ["shop_subjects", "categories", "contexts", "licences", "severity", "suppress"]
  static let exceptionKeys = ["phrase", "pattern", "action", "note"]

  /// The pack file's reader: errors name the pack file.
  let reader: YAMLReader
  /// The pack file's source, where `terms_file` paths are looked up.
  let files: RulesetFiles
  /// The pack file's folder, relative to its source: `terms_file` paths are relative to it.
  let directory: String
  /// The pack id, which every rule id starts with.
  let pack: String
  let normalizer: Normalizer

  /// The keys a rule's author must give, and what errors call the rule.
  private struct Identity {
    var id: String
    var kind: RuleKind
    var severity: Severity
    var message: String

    var what: String { "rule '\(id)'" }
  }

  /// What a rule matches; only the fields of its kind are set.
  private struct Matching {
    var rawTerms: [String] = []
    var terms: [String] = []
    var patterns: [Pattern] = []
    var anchors: [String] = []
    var categoryCheck: Rule.CategoryCheck?
    var notices: [String] = []
  }

  /// Reads one rule.
  ///
  /// - Parameters:
  ///   - node: The rule's mapping.
  ///   - references: Gets the categories the rule and its examples name, in the order written.
  /// - Throws: ``HeguiError`` naming the place of the first mistake.
  func parse(_ node: Node, references: inout [CategoryReference]) throws(HeguiError) -> Rule {
    let map = try reader.mapping(node, what: "a rule", allowed: Self.keys)
    let identity = try identity(map, in: node)
    try rejectKeysOfOtherKinds(map, kind: identity.kind)
    let matching = try matching(map, in: node, identity)

    var applicability = Applicability()
    if let n = map["applies_to"] { applicability = try self.applicability(n, references: &references) }
    if case .notice = matching.categoryCheck { try noticeApplicability(&applicability, map: map, in: node) }
    var overrides: [Override] = []
    if let n = map["overrides"] {
      for item in try reader.sequence(n, what: "'overrides'") {
        overrides.append(try override(item, references: &references))
      }
    }
    var exceptions: [RuleException] = []
    if let n = map["exceptions"] {
      if identity.kind == .category { throw reader.error(n, "category rules take no exceptions") }
      for item in try reader.sequence(n, what: "'exceptions'") {
        exceptions.append(try exception(item, ruleID: identity.id))
      }
    }
    var examples: (triggers: [RuleExample], passes: [RuleExample]) = ([], [])
    if let n = map["examples"] { examples = try self.examples(n, kind: identity.kind, references: &references) }
    let boundary = try wordBoundary(map, kind: identity.kind)
    let suggestions = try self.suggestions(map, references: &references)

    var rule = Rule(
      id: identity.id,
      aliases: try list(map, "aliases"),
      pack: pack,
      kind: identity.kind,
      severity: identity.severity,
      message: identity.message,
      messageEnglish: try optionalString(map, "message_en"),
      suggestions: suggestions.texts,
      basis: try list(map, "basis"),
      policy: try policy(map),
      terms: matching.terms,
      rawTerms: matching.rawTerms,
      patterns: matching.patterns,
      anchors: matching.anchors,
      requiresWordBoundary: boundary,
      matchesThroughNoise: try flag(map, "evasion"),
      applicability: applicability,
      overrides: overrides,
      exceptions: exceptions,
      isSuppressible: try flag(map, "suppressible"),
      categoryCheck: matching.categoryCheck,
      triggerExamples: examples.triggers,
      passExamples: examples.passes,
      location: reader.sourceLocation(node))
    rule.requiredNotices = matching.notices
    if suggestions.scopes.contains(where: { $0 != nil }) { rule.suggestionScopes = suggestions.scopes }
    if let node = map["fix"] { rule.fix = try fix(node, suggestions: suggestions.texts) }
    try evasionKeys(map, into: &rule)
    return rule
  }

  // MARK: Identity and metadata

  private func identity(_ map: [String: Node], in node: Node) throws(HeguiError) -> Identity {
    let idNode = try reader.require(map, "id", in: node, what: "a rule")
    let id = try reader.nonEmptyString(idNode, what: "rule 'id'")
    if !RulesetID.isValid(id) {
      throw reader.error(
        idNode, "rule id '\(id)' must be lower-case letters, digits, '.' and '-', e.g. adlaw.absolute.first")
    }
    if !id.hasPrefix(pack + ".") {
      throw reader.error(idNode, "rule id '\(id)' must start with its pack id '\(pack).'")
    }
    let what = "rule '\(id)'"
    let kindNode = try reader.require(map, "kind", in: node, what: what)
    let kind = try reader.oneOf(kindNode, what: "'kind'", as: RuleKind.self)
    if kind == .meta { throw reader.error(kindNode, "'kind' must be lexicon, pattern or category") }
    let severityNode = try reader.require(map, "severity", in: node, what: what)
    let severity = try reader.oneOf(severityNode, what: "'severity'", as: Severity.self)
    let messageNode = try reader.require(map, "message", in: node, what: what)
    let message = try reader.nonEmptyString(messageNode, what: "'message'")
    return Identity(id: id, kind: kind, severity: severity, message: message)
  }

  /// A list of strings under `key` (none when absent).
  private func list(_ map: [String: Node], _ key: String) throws(HeguiError) -> [String] {
    try map[key].map { (n) throws(HeguiError) in try reader.strings(n, what: "'\(key)'") } ?? []
  }

  private func optionalString(_ map: [String: Node], _ key: String) throws(HeguiError) -> String? {
    try map[key].map { (n) throws(HeguiError) in try reader.string(n, what: "'\(key)'") }
  }

  private func policy(_ map: [String: Node]) throws(HeguiError) -> PolicyKind {
    guard let n = map["policy"] else { return .law }
    let value = try reader.string(n, what: "'policy'")
    guard let policy = PolicyKind(rawValue: value) else {
      throw reader.error(n, "'policy' must be law or platform, found '\(value)'")
    }
    return policy
  }

  /// A `true`/`false` key that is `true` when absent (`evasion`, `suppressible`).
  private func flag(_ map: [String: Node], _ key: String) throws(HeguiError) -> Bool {
    try map[key].map { (n) throws(HeguiError) in try reader.bool(n, what: "'\(key)'") } ?? true
  }

  /// `homophones` (default false) and `evasion_severity` (default review): lexicon rules only,
  /// and not with `evasion: false`, which turns every evasion reading off.
  private func evasionKeys(_ map: [String: Node], into rule: inout Rule) throws(HeguiError) {
    for key in ["homophones", "evasion_severity"] {
      guard let n = map[key] else { continue }
      if rule.kind != .lexicon {
        throw reader.error(
          n,
          "'\(key)' applies to lexicon rules (terms matched through pinyin, homophones and look-alikes); this rule is '\(rule.kind.rawValue)'"
        )
      }
      if !rule.matchesThroughNoise {
        throw reader.error(n, "'\(key)' contradicts 'evasion: false', which turns evasion matching off")
      }
    }
    if let n = map["homophones"] {
      rule.matchesHomophones = try reader.bool(n, what: "'homophones'")
    }
    if let n = map["evasion_severity"] {
      let severity = try reader.oneOf(n, what: "'evasion_severity'", as: Severity.self)
      if severity > rule.severity {
        throw reader.error(
          n, "'evasion_severity' \(severity.rawValue) is above the rule's severity \(rule.severity.rawValue)")
      }
      rule.evasionSeverity = severity
    }
  }

  // MARK: Terms and patterns

  private func rejectKeysOfOtherKinds(_ map: [String: Node], kind: RuleKind) throws(HeguiError) {
    let kindKeys: [RuleKind: [String]] = [
      .lexicon: ["terms", "terms_file"], .pattern: ["patterns", "sets", "anchors"],
      .category: ["check", "subject_status", "requires"],
      .meta: [],
    ]
    for (otherKind, keys) in kindKeys where otherKind != kind {
      for key in keys where map[key] != nil {
        throw reader.error(map[key], "'\(key)' belongs to \(otherKind.rawValue) rules; this rule is '\(kind.rawValue)'")
      }
    }
  }

  private func matching(_ map: [String: Node], in node: Node, _ rule: Identity) throws(HeguiError) -> Matching {
    var matching = Matching()
    switch rule.kind {
    case .lexicon:
      (matching.rawTerms, matching.terms) = try terms(map, in: node, rule)
    case .pattern:
      (matching.patterns, matching.anchors) = try patterns(map, in: node, rule)
    case .meta:
      break
    case .category:
      (matching.categoryCheck, matching.notices) = try categoryCheck(map, in: node, rule)
    }
    return matching
  }

  /// A lexicon rule's terms as written (`terms`, then `terms_file`) and normalised.
  private func terms(
    _ map: [String: Node], in node: Node, _ rule: Identity
  ) throws(HeguiError) -> (raw: [String], normalized: [String]) {
    var rawTerms = try list(map, "terms")
    if let fileNode = map["terms_file"] { rawTerms += try termsFile(fileNode) }
    if rawTerms.isEmpty { throw reader.error(node, "lexicon \(rule.what) has no terms: give 'terms' or 'terms_file'") }
    var terms: [String] = []
    for raw in rawTerms {
      // Terms are normalised like the text they are matched against, so authors write them as
      // merchants do (ＮＯ．１, 國家級).
      let normalized = normalizer.normalize(raw).string
      if normalized.isEmpty { throw reader.error(map["terms"] ?? node, "term '\(raw)' is empty after normalisation") }
      terms.append(normalized)
    }
    return (rawTerms, terms)
  }

  /// The terms of a `terms_file`: one a line; blank lines and `#` comments are skipped.
  private func termsFile(_ fileNode: Node) throws(HeguiError) -> [String] {
    let file = try reader.nonEmptyString(fileNode, what: "'terms_file'")
    let relative = RulesetFiles.join(directory, file)
    guard files.contains(relative) else {
      throw reader.error(fileNode, "terms file '\(file)' does not exist (looked for \(files.displayPath(relative)))")
    }
    var terms: [String] = []
    for line in try files.text(relative).split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
      let term = line.trimmingCharacters(in: .whitespaces)
      if term.isEmpty || term.hasPrefix("#") { continue }
      terms.append(term)
    }
    return terms
  }

  /// A pattern rule's compiled patterns and its normalised anchors.
  ///
  /// A pattern or an anchor may name a term set of the rule's `sets` as `{name}`: in a pattern it
  /// stands for an alternation of the set's normalised terms (longest first), and an anchor that is
  /// exactly `{name}` stands for every term of the set. This is how claim grammars are written as
  /// data: `'{verb}[^，。！？；\n]{0,6}{disease}'` with the verbs and diseases in term files.
  private func patterns(
    _ map: [String: Node], in node: Node, _ rule: Identity
  ) throws(HeguiError) -> (patterns: [Pattern], anchors: [String]) {
    let patternsNode = try reader.require(map, "patterns", in: node, what: rule.what)
    let sets = try termSets(map, rule)
    var patterns: [Pattern] = []
    for item in try reader.sequence(patternsNode, what: "'patterns'") {
      let written = try reader.nonEmptyString(item, what: "a pattern")
      let source = try Self.expand(written, sets: sets) { name in
        reader.error(item, "\(rule.what): pattern names '{\(name)}', which is not one of its 'sets'")
      }
      do {
        patterns.append(try Pattern(source))
      } catch {
        throw HeguiError(.invalidPattern, "rule '\(rule.id)': \(error.message)", at: reader.location(item))
      }
    }
    if patterns.isEmpty { throw reader.error(patternsNode, "pattern \(rule.what) has no patterns") }
    var anchors: [String] = []
    for anchor in try list(map, "anchors") {
      if anchor.hasPrefix("{") && anchor.hasSuffix("}") && anchor.count > 2 {
        let name = String(anchor.dropFirst().dropLast())
        guard let terms = sets[name] else {
          throw reader.error(map["anchors"], "\(rule.what): anchor '\(anchor)' is not one of its 'sets'")
        }
        anchors += terms
      } else {
        anchors.append(normalizer.normalize(anchor).string)
      }
    }
    return (patterns, anchors)
  }

  /// A pattern rule's named term sets: `sets: {name: [terms…] | term-file.txt}`, terms normalised.
  private func termSets(_ map: [String: Node], _ rule: Identity) throws(HeguiError) -> [String: [String]] {
    guard let setsNode = map["sets"] else { return [:] }
    guard case .mapping(let mapping) = setsNode else {
      throw reader.error(setsNode, "\(rule.what): 'sets' must map names to term lists or term files")
    }
    var sets: [String: [String]] = [:]
    for (key, value) in mapping {
      let name = try reader.nonEmptyString(key, what: "a set name")
      guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }),
        name.first?.isLetter == true
      else { throw reader.error(key, "set name '\(name)' must be ASCII letters, digits, '_' or '-'") }
      let raw: [String]
      if case .scalar = value {
        raw = try termsFile(value)
      } else {
        raw = try reader.strings(value, what: "set '\(name)'")
      }
      var terms: [String] = []
      for term in raw {
        let normalized = normalizer.normalize(term).string
        if normalized.isEmpty {
          throw reader.error(value, "term '\(term)' of set '\(name)' is empty after normalisation")
        }
        terms.append(normalized)
      }
      if terms.isEmpty { throw reader.error(value, "set '\(name)' has no terms") }
      // Longest first (in scalars), then by bytes: the keys are computed once, not per
      // comparison (String.count walks graphemes, and sets hold hundreds of terms).
      sets[name] = Array(Set(terms)).map { (Array($0.utf8), $0.unicodeScalars.count, $0) }
        .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $1.0.lexicographicallyPrecedes($0.0) }
        .map(\.2)
    }
    return sets
  }

  /// `pattern` with each `{name}` of a known set replaced by an alternation of its terms, each
  /// escaped for PCRE2. Quantifiers such as `{0,6}` are left alone; an unknown `{name}` is an error.
  static func expand(
    _ pattern: String, sets: [String: [String]], unknown: (String) -> HeguiError
  ) throws(HeguiError) -> String {
    if sets.isEmpty { return pattern }
    var out = ""
    var rest = Substring(pattern)
    while let open = rest.firstIndex(of: "{") {
      out += rest[..<open]
      let afterOpen = rest.index(after: open)
      guard let close = rest[afterOpen...].firstIndex(of: "}") else {
        rest = rest[open...]
        break
      }
      let name = rest[afterOpen..<close]
      // `\p{Han}`, `\x{FE0F}`, `\k{name}`: braces that belong to an escape
      let escaped = out.count >= 2 && out.last?.isLetter == true && out.dropLast().last == "\\"
      if !escaped, let first = name.first, first.isASCII, first.isLetter,
        name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
      {
        guard let terms = sets[String(name)] else { throw unknown(String(name)) }
        out += "(?:" + terms.map(escape).joined(separator: "|") + ")"
      } else {
        out += rest[open...close]
      }
      rest = rest[rest.index(after: close)...]
    }
    return out + rest
  }

  /// `term` with PCRE2's special characters escaped.
  static func escape(_ term: String) -> String {
    var out = ""
    for character in term {
      if "\\^$.|?*+()[]{}-#/ ".contains(character) { out.append("\\") }
      out.append(character)
    }
    return out
  }

  /// What a category rule checks: `check: subject` with a `subject_status`, or `check: licence`.
  private func categoryCheck(
    _ map: [String: Node], in node: Node, _ rule: Identity
  ) throws(HeguiError) -> (Rule.CategoryCheck, notices: [String]) {
    let checkNode = try reader.require(map, "check", in: node, what: rule.what)
    switch try reader.string(checkNode, what: "'check'") {
    case "subject":
      let statusNode = try reader.require(map, "subject_status", in: node, what: rule.what)
      switch try reader.string(statusNode, what: "'subject_status'") {
      case "forbidden": return (.subject(.forbidden), [])
      case "platform": return (.subject(.platform), [])
      case let other: throw reader.error(statusNode, "'subject_status' must be forbidden or platform, found '\(other)'")
      }
    case "licence":
      if let statusNode = map["subject_status"] {
        throw reader.error(statusNode, "'subject_status' only applies to check: subject")
      }
      if let requiresNode = map["requires"] {
        throw reader.error(requiresNode, "'requires' only applies to check: notice")
      }
      return (.licence, [])
    case "notice":
      if let statusNode = map["subject_status"] {
        throw reader.error(statusNode, "'subject_status' only applies to check: subject")
      }
      let requiresNode = try reader.require(map, "requires", in: node, what: rule.what)
      var notices: [String] = []
      for item in try reader.sequence(requiresNode, what: "'requires'") {
        let written = try reader.nonEmptyString(item, what: "a notice in 'requires'")
        let normalized = normalizer.normalize(written).string
        if normalized.isEmpty { throw reader.error(item, "notice '\(written)' is empty after normalisation") }
        notices.append(normalized)
      }
      if notices.isEmpty { throw reader.error(requiresNode, "\(rule.what): 'requires' lists no notice") }
      return (.notice, notices)
    case let other:
      throw reader.error(checkNode, "'check' must be subject, licence or notice, found '\(other)'")
    }
  }

  /// A notice rule (`check: notice`) reads a whole advertisement: a listing, or a text in the
  /// `description` context; never a title or a caption line, which cannot be expected to carry a
  /// notice. It must name the categories that need the notice, or every description would.
  private func noticeApplicability(
    _ applicability: inout Applicability, map: [String: Node], in node: Node
  ) throws(HeguiError) {
    if applicability.categories.isEmpty {
      throw reader.error(
        map["applies_to"] ?? node, "a notice rule must be limited to categories ('applies_to: categories')")
    }
    if applicability.contexts.isEmpty {
      applicability.contexts = [.description]
    } else if applicability.contexts != [.description] {
      throw reader.error(
        map["applies_to"], "a notice rule applies to descriptions and listings only ('contexts: [description]')")
    }
  }

  /// `boundary: word` or `none` (the default).
  private func wordBoundary(_ map: [String: Node], kind: RuleKind) throws(HeguiError) -> Bool {
    let boundary =
      try map["boundary"].map { (n) throws(HeguiError) -> Bool in
        switch try reader.string(n, what: "'boundary'") {
        case "word": return true
        case "none": return false
        case let other: throw reader.error(n, "'boundary' must be word or none, found '\(other)'")
        }
      } ?? false
    if boundary && kind == .category { throw reader.error(map["boundary"], "category rules have no text to align") }
    return boundary
  }

  // MARK: Suggestions

  /// `fix`: one of the rule's suggestions, marked as safe to write over a match unattended. It
  /// must be a finished rewrite: no `××` or `{…}` for a person to fill in, no line break.
  private func fix(_ node: Node, suggestions: [String]) throws(HeguiError) -> String {
    let text = try reader.nonEmptyString(node, what: "'fix'")
    guard suggestions.contains(text) else {
      throw reader.error(
        node,
        "'fix' must be one of the rule's suggestions (\(suggestions.map { "'\($0)'" }.joined(separator: ", ")))")
    }
    if text.contains("×") || text.contains("{") || text.contains("}") || text.contains("\n") {
      throw reader.error(node, "'fix' '\(text)' has a part for a person to fill in (×× or {…}) or a line break")
    }
    return text
  }

  static let suggestionKeys = ["text", "contexts", "categories", "not_categories"]

  /// `suggestions`: each a rewrite, or `{text: 均衡饮食, categories: [food]}` offered only where
  /// its scope (contexts, categories, not_categories, as in `applies_to`) holds.
  private func suggestions(
    _ map: [String: Node], references: inout [CategoryReference]
  ) throws(HeguiError) -> (texts: [String], scopes: [Applicability?]) {
    guard let node = map["suggestions"] else { return ([], []) }
    if case .scalar = node { return ([try reader.nonEmptyString(node, what: "'suggestions'")], [nil]) }
    var texts: [String] = []
    var scopes: [Applicability?] = []
    for item in try reader.sequence(node, what: "'suggestions'") {
      if case .scalar = item {
        texts.append(try reader.nonEmptyString(item, what: "a suggestion"))
        scopes.append(nil)
        continue
      }
      let entry = try reader.mapping(item, what: "a suggestion", allowed: Self.suggestionKeys)
      let textNode = try reader.require(entry, "text", in: item, what: "a suggestion")
      texts.append(try reader.nonEmptyString(textNode, what: "a suggestion's 'text'"))
      var scope = Applicability()
      if let c = entry["contexts"] { scope.contexts = try enumSet(c, "contexts", TextContext.self) }
      if let c = entry["categories"] { scope.categories = try categoryNames(c, "categories", references: &references) }
      if let c = entry["not_categories"] {
        scope.excludedCategories = try categoryNames(c, "not_categories", references: &references)
      }
      if scope == Applicability() {
        throw reader.error(item, "a suggestion with a scope needs contexts, categories or not_categories")
      }
      scopes.append(scope)
    }
    return (texts, scopes)
  }

  // MARK: Applicability and overrides

  private func applicability(
    _ node: Node, references: inout [CategoryReference]
  ) throws(HeguiError) -> Applicability {
    let a = try reader.mapping(node, what: "'applies_to'", allowed: Self.appliesKeys)
    var applicability = Applicability()
    if let c = a["contexts"] { applicability.contexts = try enumSet(c, "contexts", TextContext.self) }
    if let s = a["shop_subjects"] { applicability.shopSubjects = try enumSet(s, "shop_subjects", ShopSubject.self) }
    if let c = a["categories"] {
      applicability.categories = try categoryNames(c, "categories", references: &references)
    }
    if let c = a["not_categories"] {
      applicability.excludedCategories = try categoryNames(c, "not_categories", references: &references)
    }
    return applicability
  }

  private func override(_ item: Node, references: inout [CategoryReference]) throws(HeguiError) -> Override {
    let o = try reader.mapping(item, what: "an override", allowed: Self.overrideKeys)
    var entry = Override()
    if let s = o["shop_subjects"] { entry.shopSubjects = try enumSet(s, "shop_subjects", ShopSubject.self) }
    if let c = o["categories"] { entry.categories = try categoryNames(c, "categories", references: &references) }
    if let c = o["contexts"] { entry.contexts = try enumSet(c, "contexts", TextContext.self) }
    if let l = o["licences"] { entry.licences = Set(try reader.strings(l, what: "'licences'")) }
    if let s = o["severity"] { entry.severity = try reader.oneOf(s, what: "'severity'", as: Severity.self) }
    if let s = o["suppress"] { entry.suppress = try reader.bool(s, what: "'suppress'") }
    if entry.severity == nil && !entry.suppress {
      throw reader.error(item, "an override needs 'severity' or 'suppress: true'")
    }
    if entry.severity != nil && entry.suppress {
      throw reader.error(item, "an override takes 'severity' or 'suppress', not both")
    }
    if entry.shopSubjects.isEmpty && entry.categories.isEmpty && entry.contexts.isEmpty && entry.licences.isEmpty {
      throw reader.error(
        item, "an override needs at least one condition (shop_subjects, categories, contexts, licences)")
    }
    return entry
  }

  /// Category ids or names as written; each is also recorded in `references`, to be checked
  /// once every category table is loaded.
  private func categoryNames(
    _ node: Node, _ key: String, references: inout [CategoryReference]
  ) throws(HeguiError) -> Set<String> {
    var names: Set<String> = []
    for item in try reader.sequence(node, what: "'\(key)'") {
      let name = try reader.nonEmptyString(item, what: "an item of '\(key)'")
      references.append(CategoryReference(name: name, location: reader.location(item)))
      names.insert(name)
    }
    return names
  }

  private func enumSet<T: RawRepresentable & CaseIterable & Hashable>(
    _ node: Node, _ key: String, _ type: T.Type
  ) throws(HeguiError) -> Set<T> where T.RawValue == String {
    var result: Set<T> = []
    for item in try reader.sequence(node, what: "'\(key)'") {
      result.insert(try reader.oneOf(item, what: "an item of '\(key)'", as: T.self))
    }
    return result
  }

  // MARK: Exceptions

  /// An exception: a plain phrase, or a mapping with `phrase` or `pattern`, `action` and `note`.
  private func exception(_ item: Node, ruleID id: String) throws(HeguiError) -> RuleException {
    var action = RuleException.Action.suppress
    var phrase: String?
    var pattern: Pattern?
    var source: String
    var note: String?
    if case .scalar = item {
      source = try reader.nonEmptyString(item, what: "an exception")
      phrase = normalizer.normalize(source).string
    } else {
      let e = try reader.mapping(item, what: "an exception", allowed: Self.exceptionKeys)
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
    return RuleException(
      phrase: phrase, pattern: pattern, source: source, action: action, note: note,
      location: reader.sourceLocation(item))
  }

  // MARK: Examples

  private func examples(
    _ node: Node, kind: RuleKind, references: inout [CategoryReference]
  ) throws(HeguiError) -> (triggers: [RuleExample], passes: [RuleExample]) {
    let e = try reader.mapping(node, what: "'examples'", allowed: ["trigger", "pass"])
    let parser = ExampleParser(reader: reader)
    var triggers: [RuleExample] = []
    var passes: [RuleExample] = []
    if let t = e["trigger"] {
      for item in try reader.sequence(t, what: "'trigger'") {
        let example = try parser.trigger(item, kind: kind, references: &references)
        if kind == .category && !example.spans.isEmpty {
          throw reader.error(item, "category rules report no text span: remove the ⟦ ⟧ markers")
        }
        triggers.append(example)
      }
    }
    if let p = e["pass"] {
      for item in try reader.sequence(p, what: "'pass'") {
        passes.append(try parser.pass(item, references: &references))
      }
    }
    return (triggers, passes)
  }
}
