import Foundation

/// What a ``Checker`` compiles a ruleset into: one automaton over every term, exception phrase,
/// pattern anchor and pattern literal, and flat tables of the facts a check consults per hit, so
/// that the hot path neither copies `Rule` values nor touches strings, sets or the category tree.
///
/// Immutable after construction, shared by every copy of the checker and every thread.
final class CheckPlan: Sendable {
  /// Who registered an automaton term.
  enum Owner: Sendable {
    case term(rule: Int32)
    case exception(rule: Int32, index: Int32)
    case anchor(rule: Int32)
    /// A literal one of which every match of some pattern contains (``RequiredLiterals``).
    case gate(slot: Int32)
  }

  /// Per-rule facts, plain values only.
  struct Facts: Sendable {
    var contexts: UInt8 = 0  // bit per TextContext; 0 = every context
    var subjects: UInt8 = 0  // bit per ShopSubject; 0 = any, including unknown
    var categories: Range<Int32> = 0..<0  // into `constraints`
    var excluded: Range<Int32> = 0..<0  // into `constraints`
    var severity: Severity = .block
    var requiresWordBoundary = false
    var matchesThroughNoise = true
    var hasOverrides = false
    var hasExceptions = false
    /// The severity of a hit found through pinyin, homophones or look-alikes.
    var evasionSeverity: Severity = .review
  }

  /// A pattern rule: its patterns (a range of `patternSlots`) and whether anchors limit it to lines.
  struct PatternRule: Sendable {
    var rule: Int
    var anchored: Bool
    var patterns: Range<Int32>
  }

  /// A pattern of a pattern rule: its handle and the gate slots that must all have fired in the
  /// chunk for it to run at all (a range of `gateSlots`; empty: no known requirement).
  struct PatternSlot: Sendable {
    var handle: Int32  // into `handles`
    var gates: Range<Int32>
  }

  /// An exception of a rule, plain values only.
  struct Exception: Sendable {
    var isPhrase: Bool
    var handle: Int32  // into `handles` for a pattern exception, else -1
    var suppresses: Bool
    /// For a pattern exception: gate slots, as for patterns (a range of `gateSlots`).
    var gates: Range<Int32> = 0..<0
  }

  /// A category entry's facts for category rules, plain values only.
  struct CategoryFacts: Sendable {
    /// Bit per `CategoryEntry.IndividualStatus` present on the way to the root.
    var statuses: UInt8
    /// The nearest entry (from the leaf up) that lists licences, or -1.
    var nearestLicences: Int32
  }

  /// What a text finding copies from its rule.
  /// The checking situation, resolved once per check.
  struct Scope {
    var context: UInt8
    var subject: UInt8
    /// Index into the category table, or -1.
    var category: Int

    /// The context bit of `context`.
    static func bit(_ context: TextContext) -> UInt8 {
      TextContext.allCases.firstIndex(of: context).map { 1 << UInt8($0) } ?? 0
    }
  }

  let automaton: LiteralAutomaton
  let owners: [Owner]
  let facts: [Facts]
  /// Interned category ids referenced by applicability rules (-1: matches no category).
  let constraints: [Int32]
  /// Per category entry: its id and ancestors' ids, interned, as `Ruleset.category(_:isWithin:)`
  /// walks them (ranges into `chainStorage`).
  let chains: [Range<Int32>]
  let chainStorage: [Int32]
  /// Per category entry: the entries from it up to the root, as a category rule walks them.
  let entryChains: [[Int]]
  /// Per rule, per override: interned category ids.
  let overrideCategories: [[[Int32]]]
  /// Category lookup keys that need no trimming or case folding, as `Ruleset` builds them.
  let categoryKeys: [String: Int]
  let categoryIndexByID: [String: Int]
  let patternRules: [PatternRule]
  let patternSlots: [PatternSlot]
  let gateSlots: [Int32]
  /// Per rule: its exceptions (a range of `exceptions`).
  let exceptionRanges: [Range<Int32>]
  let exceptions: [Exception]
  /// Every pattern the plan runs, kept alive here, and their handles in the same order.
  let patterns: [Pattern]
  let handles: [Pattern.Handle]
  let categoryRules: [Int]
  let categoryChecks: [Rule.CategoryCheck?]
  let categoryFacts: [CategoryFacts]
  /// Every category marker (lower-cased UTF-8) and the index of the category it names.
  let categoryMarkers: [(marker: [UInt8], category: Int)]
  /// Whether some marker starts with a byte pair, indexed by `first << 8 | second`.
  let markerPairs: [UInt64]
  /// Whether a category must be inferred before a text is checked. When no rule can report
  /// something in a marked category that it would not report without a category (no rule is
  /// limited to such a category, no override of one comes before a suppressing override, and no
  /// category rule fires for one), the category is inferred only for texts that have findings,
  /// which are then checked again: most texts have none.
  let infersEagerly: Bool
  let gateCount: Int
  /// Per rule: its message, split at its placeholders once.
  let messages: [MessageTemplate]
  /// Per rule: what its findings share.
  let findingFacts: [Finding.Rule]
  /// Per rule: its pack, numbered.
  let packIndex: [Int32]
  let boundaries: WordBoundaries
  let scratchPool = ScratchPool()
  /// Lexicon terms written in pinyin, with homophones or look-alikes (empty when turned off).
  let evasion: EvasionMatcher
  /// For rules with scoped suggestions: where each suggestion suits (contexts and categories as
  /// in `Facts`), in the order of the rule's suggestions.
  let scopedSuggestions: [Int: [Facts]]
  /// The pairs of adjacent characters in the automaton's literals (terms, anchors, exception
  /// phrases): speech noise between two characters is read through only when they could be
  /// two neighbours of one literal (糖某尿病: 糖尿 is; 就是这个味道: 就这 is not).
  let speechPairs: AdjacentPairs

  init(ruleset: Ruleset, boundaries: WordBoundaries, matchesEvasions: Bool = true) {
    self.boundaries = boundaries
    let rules = ruleset.rules
    let categories = ruleset.categories

    // Categories: intern every id a chain walk can produce, then each entry's chain.
    var intern: [String: Int32] = [:]
    func interned(_ id: String) -> Int32 {
      if let index = intern[id] { return index }
      let index = Int32(intern.count)
      intern[id] = index
      return index
    }
    var chains: [Range<Int32>] = []
    var chainStorage: [Int32] = []
    var entryChains: [[Int]] = []
    var indexByID: [String: Int] = [:]
    var keys: [String: Int] = [:]
    for (index, entry) in categories.enumerated() { indexByID[entry.id] = index }
    for (index, entry) in categories.enumerated() {
      var chain: [Int32] = []
      var current: String? = entry.id
      while let id = current, chain.count < 32 {
        chain.append(interned(id))
        current = ruleset.category(named: id)?.parent
      }
      chains.append(Int32(chainStorage.count)..<Int32(chainStorage.count + chain.count))
      chainStorage += chain
      var entries: [Int] = []
      var walk: String? = entry.id
      while let id = walk, let found = ruleset.category(named: id), entries.count < 32 {
        entries.append(indexByID[found.id] ?? index)
        walk = found.parent
      }
      entryChains.append(entries)
      for key in [entry.id.lowercased()] + entry.names.map({ $0.lowercased() }) {
        keys[key] = index
      }
    }
    // Only keys that `Ruleset.category(named:)` would look up unchanged may skip its folding.
    categoryKeys = keys.filter { key, _ in
      key.lowercased() == key && key.trimmingCharacters(in: .whitespaces) == key
    }
    categoryIndexByID = indexByID
    func constraint(_ id: String) -> Int32 { intern[id] ?? -1 }

    var facts: [Facts] = []
    var constraints: [Int32] = []
    var overrideCategories: [[[Int32]]] = []
    var terms: [String] = []
    var owners: [Owner] = []
    var patternRules: [PatternRule] = []
    var patternSlots: [PatternSlot] = []
    var gateSlots: [Int32] = []
    var exceptionRanges: [Range<Int32>] = []
    var exceptions: [Exception] = []
    var patterns: [Pattern] = []
    var categoryRules: [Int] = []
    func handle(_ pattern: Pattern) -> Int32 {
      patterns.append(pattern)
      return Int32(patterns.count - 1)
    }
    var gateSlotBySet: [[String]: Int32] = [:]
    /// One gate slot per literal set the pattern needs, its literals added to the automaton: the
    /// most selective set, and others only when none of their literals is a single character
    /// (上, 0: found in nearly every text, they would cost the scan more than they save).
    ///
    /// Patterns that need the same set share its slot: the claim grammar's patterns all need one
    /// of the 514 disease names, and one slot per pattern put each name in the automaton once
    /// per pattern, so that every disease name in a text produced a dozen outputs instead of one.
    func gates(for pattern: Pattern) -> Range<Int32> {
      let start = Int32(gateSlots.count)
      let sets = RequiredLiterals.of(pattern.source)
      for (rank, set) in sets.enumerated() where rank == 0 || set.allSatisfy({ $0.unicodeScalars.count > 1 }) {
        if let shared = gateSlotBySet[set] {
          gateSlots.append(shared)
          continue
        }
        for literal in set {
          terms.append(literal)
          owners.append(.gate(slot: gateCount))
        }
        gateSlotBySet[set] = gateCount
        gateSlots.append(gateCount)
        gateCount += 1
      }
      return start..<Int32(gateSlots.count)
    }
    var gateCount: Int32 = 0
    var scopedSuggestions: [Int: [Facts]] = [:]
    for (index, rule) in rules.enumerated() {
      let r = Int32(index)
      var f = Facts()
      for (bit, context) in TextContext.allCases.enumerated() where rule.applicability.contexts.contains(context) {
        f.contexts |= 1 << bit
      }
      for (bit, subject) in ShopSubject.allCases.enumerated() where rule.applicability.shopSubjects.contains(subject) {
        f.subjects |= 1 << bit
      }
      let categoryStart = Int32(constraints.count)
      constraints += rule.applicability.categories.sorted().map(constraint)
      f.categories = categoryStart..<Int32(constraints.count)
      let excludedStart = Int32(constraints.count)
      constraints += rule.applicability.excludedCategories.sorted().map(constraint)
      f.excluded = excludedStart..<Int32(constraints.count)
      f.severity = rule.severity
      f.requiresWordBoundary = rule.requiresWordBoundary
      f.matchesThroughNoise = rule.matchesThroughNoise
      f.hasOverrides = !rule.overrides.isEmpty
      f.hasExceptions = !rule.exceptions.isEmpty
      f.evasionSeverity = min(rule.evasionSeverity, rule.severity)
      facts.append(f)
      if !rule.suggestionScopes.isEmpty {
        var scopes: [Facts] = []
        for scope in rule.suggestionScopes {
          var g = Facts()
          if let scope {
            for (bit, context) in TextContext.allCases.enumerated() where scope.contexts.contains(context) {
              g.contexts |= 1 << bit
            }
            let start = Int32(constraints.count)
            constraints += scope.categories.sorted().map(constraint)
            g.categories = start..<Int32(constraints.count)
            let excluded = Int32(constraints.count)
            constraints += scope.excludedCategories.sorted().map(constraint)
            g.excluded = excluded..<Int32(constraints.count)
          }
          scopes.append(g)
        }
        scopedSuggestions[index] = scopes
      }
      overrideCategories.append(rule.overrides.map { $0.categories.sorted().map(constraint) })

      for term in rule.terms {
        terms.append(term)
        owners.append(.term(rule: r))
      }
      for anchor in rule.anchors {
        terms.append(anchor)
        owners.append(.anchor(rule: r))
      }
      let exceptionStart = Int32(exceptions.count)
      for (e, exception) in rule.exceptions.enumerated() {
        if let phrase = exception.phrase {
          terms.append(phrase)
          owners.append(.exception(rule: r, index: Int32(e)))
        }
        var entry = Exception(isPhrase: exception.phrase != nil, handle: -1, suppresses: exception.action == .suppress)
        if exception.phrase == nil, let pattern = exception.pattern {
          entry.handle = handle(pattern)
          entry.gates = gates(for: pattern)
        }
        exceptions.append(entry)
      }
      exceptionRanges.append(exceptionStart..<Int32(exceptions.count))
      if rule.kind == .pattern {
        let first = Int32(patternSlots.count)
        for pattern in rule.patterns {
          patternSlots.append(PatternSlot(handle: handle(pattern), gates: gates(for: pattern)))
        }
        patternRules.append(
          PatternRule(rule: index, anchored: !rule.anchors.isEmpty, patterns: first..<Int32(patternSlots.count)))
      }
      if rule.kind == .category { categoryRules.append(index) }
    }
    automaton = LiteralAutomaton(terms: terms)
    self.scopedSuggestions = scopedSuggestions
    speechPairs = AdjacentPairs(terms.map { $0.unicodeScalars.map(\.value) })
    self.owners = owners
    self.facts = facts
    self.constraints = constraints
    self.chains = chains
    self.chainStorage = chainStorage
    self.entryChains = entryChains
    self.overrideCategories = overrideCategories
    self.patternRules = patternRules
    self.patternSlots = patternSlots
    self.gateSlots = gateSlots
    self.exceptionRanges = exceptionRanges
    self.exceptions = exceptions
    self.patterns = patterns
    handles = patterns.map(\.handle)
    self.categoryRules = categoryRules
    categoryChecks = rules.map(\.categoryCheck)
    categoryFacts = categories.indices.map { index in
      var statuses: UInt8 = 0
      var nearest: Int32 = -1
      for entry in entryChains[index] {
        switch categories[entry].individual {
        case .allowed: statuses |= 1
        case .forbidden: statuses |= 2
        case .platform: statuses |= 4
        }
        if nearest < 0 && !categories[entry].licences.isEmpty { nearest = Int32(entry) }
      }
      return CategoryFacts(statuses: statuses, nearestLicences: nearest)
    }
    let marked = categories.filter { !$0.markers.isEmpty }.map(\.id)
    func touchesMarked(_ ids: Set<String>) -> Bool {
      ids.contains { limit in marked.contains { ruleset.category($0, isWithin: limit) } }
    }
    let eagerRules = rules.contains { rule in
      if touchesMarked(rule.applicability.categories) { return true }
      guard let first = rule.overrides.firstIndex(where: { !$0.suppress && touchesMarked($0.categories) }) else {
        return false
      }
      return rule.overrides[first...].contains(where: \.suppress)
    }
    let eagerFacts = categories.indices.contains { index in
      !categories[index].markers.isEmpty
        && entryChains[index].contains { entry in
          categories[entry].individual != .allowed || !categories[entry].licences.isEmpty
        }
    }
    infersEagerly = eagerRules || eagerFacts
    categoryMarkers = categories.indices.flatMap { index in
      categories[index].markers.filter { $0.utf8.count >= 2 }.map { (Array($0.utf8), index) }
    }
    var pairs = [UInt64](repeating: 0, count: (1 << 16) / 64)
    for (marker, _) in categoryMarkers {
      let pair = Int(marker[0]) << 8 | Int(marker[1])
      pairs[pair >> 6] |= 1 << UInt64(pair & 63)
    }
    markerPairs = pairs
    self.gateCount = Int(gateCount)
    self.messages = rules.map { MessageTemplate($0.message) }
    var packNumbers: [String: Int32] = [:]
    packIndex = rules.map { rule in
      if let number = packNumbers[rule.pack] { return number }
      let number = Int32(packNumbers.count)
      packNumbers[rule.pack] = number
      return number
    }
    var evasionTerms: [(rule: Int, term: String, homophones: Bool)] = []
    if matchesEvasions {
      for (index, rule) in rules.enumerated() where rule.kind == .lexicon && rule.matchesThroughNoise {
        for term in rule.terms { evasionTerms.append((index, term, rule.matchesHomophones)) }
      }
    }
    evasion = EvasionMatcher(terms: evasionTerms)
    findingFacts = zip(rules, messages).map { rule, template in
      Finding.Rule(
        id: rule.id, kind: rule.kind, suggestions: rule.suggestions, basis: rule.basis, policy: rule.policy,
        isSuppressible: rule.isSuppressible, template: template, fix: rule.fix)
    }
  }

  // MARK: Applicability

  /// Resolves the context once per check; an unknown category is reported and treated as none.
  func scope(
    for context: CheckContext, text: String? = nil, ruleset: Ruleset, diagnostics: inout [Diagnostic]
  ) -> Scope {
    var scope = Scope(context: 0, subject: 0, category: -1)
    scope.context = Scope.bit(context.context)
    if let subject = context.shopSubject, let index = ShopSubject.allCases.firstIndex(of: subject) {
      scope.subject = 1 << UInt8(index)
    }
    guard let name = context.category else {
      if let text, TextContext.inferringCategory.contains(context.context), let index = inferredCategory(text) {
        scope.category = index
      }
      return scope
    }
    if let index = categoryKeys[name] {
      scope.category = index
    } else if let entry = ruleset.category(named: name), let index = categoryIndexByID[entry.id] {
      scope.category = index
    } else {
      diagnostics.append(
        Diagnostic(.unknownCategory, message: "unknown category '\(name)': category-specific rules were not applied"))
    }
    return scope
  }

  /// The longest listing text a category is inferred from; a longer text is a script or a
  /// document, where a word such as 图书 says nothing about what is sold.
  static let inferenceLimit = 4096

  /// The one category whose markers the text holds, or nil when none or several do.
  ///
  /// Searches bytes (the ASCII-lower-cased UTF-8, a marker compared only where its first two
  /// bytes occur), not `String.contains`, whose locale-aware search cost ten times the check.
  func inferredCategory(_ text: String) -> Int? {
    guard !categoryMarkers.isEmpty, text.utf8.count <= Self.inferenceLimit else { return nil }
    @inline(__always) func lower(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }
    var found: Int?
    var conflict = false
    var copy = text
    copy.withUTF8 { buffer in
      // Only where a marker's first byte pair occurs (a Han lead byte alone is in every other
      // position of Chinese text) is a marker compared; the pairs are an 8 KB bit table.
      var k = 0
      while k + 1 < buffer.count {
        let (a, b) = (lower(buffer[k]), lower(buffer[k + 1]))
        let pair = Int(a) << 8 | Int(b)
        if markerPairs[pair >> 6] & (1 << UInt64(pair & 63)) != 0 {
          for (marker, category) in categoryMarkers
          where marker.count <= buffer.count - k && marker[0] == a && marker[1] == b {
            var same = true
            for j in 2..<marker.count where marker[j] != lower(buffer[k + j]) {
              same = false
              break
            }
            if same {
              if let found, found != category { conflict = true }
              found = category
            }
          }
        }
        k += 1
      }
    }
    return conflict ? nil : found
  }

  /// Whether the rule applies (the rules of `Applicability`).
  @inline(__always)
  func applies(_ rule: Int, _ scope: Scope) -> Bool {
    holds(facts[rule], scope)
  }

  /// The facts for a finding of `rule` in `scope`: the rule's own, or, when some of its
  /// suggestions are scoped, a copy that offers only those that suit the scope.
  func findingRule(_ rule: Int, _ scope: Scope) -> Finding.Rule {
    let shared = findingFacts[rule]
    guard let scopes = scopedSuggestions[rule] else { return shared }
    let kept = zip(shared.suggestions, scopes).filter { holds($0.1, scope) }.map(\.0)
    return kept.count == shared.suggestions.count ? shared : shared.with(suggestions: kept)
  }

  /// Whether the contexts and categories of `f` admit the scope.
  @inline(__always)
  private func holds(_ f: Facts, _ scope: Scope) -> Bool {
    if f.contexts != 0 && f.contexts & scope.context == 0 { return false }
    if f.subjects != 0 && f.subjects & scope.subject == 0 { return false }
    if f.categories.isEmpty && f.excluded.isEmpty { return true }
    if !f.categories.isEmpty {
      guard scope.category >= 0, isWithin(scope.category, any: f.categories) else { return false }
    }
    if scope.category >= 0 && isWithin(scope.category, any: f.excluded) { return false }
    return true
  }

  /// Whether the category (an entry index) is or descends from any of the constraints.
  func isWithin(_ category: Int, any range: Range<Int32>) -> Bool {
    for k in range where inChain(category, constraints[Int(k)]) { return true }
    return false
  }

  func isWithin(_ category: Int, any ids: [Int32]) -> Bool {
    ids.contains { inChain(category, $0) }
  }

  @inline(__always)
  private func inChain(_ category: Int, _ id: Int32) -> Bool {
    guard id >= 0 else { return false }
    for k in chains[category] where chainStorage[Int(k)] == id { return true }
    return false
  }

  static func bit(_ status: CategoryEntry.IndividualStatus) -> UInt8 {
    switch status {
    case .allowed: 1
    case .forbidden: 2
    case .platform: 4
    }
  }

  /// What a pattern failure means for the check, named for the rule.
  func diagnostic(for failure: Pattern.Failure, rule: Int) -> Diagnostic {
    let id = findingFacts[rule].id
    switch failure {
    case .matchLimit:
      return Diagnostic(
        .matchLimit, ruleID: id,
        message: "rule '\(id)': a pattern reached the PCRE2 match limit; this text was not fully checked by it")
    case let .other(message):
      return Diagnostic(.patternFailure, ruleID: id, message: "rule '\(id)': PCRE2 failed: \(message)")
    }
  }

}

/// A rule's message cut at its placeholders when the plan is built, so a finding's message is a
/// few appends: `{match}` is the matched text, `{contact}` the match as ``Contact/normalized(_:)``.
package struct MessageTemplate: Sendable {
  enum Piece: Sendable {
    case text(String)
    case match
    case contact
  }

  let pieces: [Piece]
  /// The bytes of the literal pieces (to reserve).
  private let literalBytes: Int

  package init(_ message: String) {
    var pieces: [Piece] = []
    var rest = Substring(message)
    while let open = rest.firstIndex(of: "{") {
      let tail = rest[open...]
      let piece: (Piece, Int)? =
        tail.hasPrefix("{match}") ? (.match, 7) : tail.hasPrefix("{contact}") ? (.contact, 9) : nil
      guard let (placeholder, length) = piece else {
        // A brace that opens no placeholder is text.
        let next = rest.index(after: open)
        pieces.append(.text(String(rest[..<next])))
        rest = rest[next...]
        continue
      }
      if open > rest.startIndex { pieces.append(.text(String(rest[..<open]))) }
      pieces.append(placeholder)
      rest = tail.dropFirst(length)
    }
    if !rest.isEmpty { pieces.append(.text(String(rest))) }
    // Adjacent text pieces joined.
    var merged: [Piece] = []
    for piece in pieces {
      if case let .text(b) = piece, case let .text(a)? = merged.last {
        merged[merged.count - 1] = .text(a + b)
      } else {
        merged.append(piece)
      }
    }
    self.pieces = merged
    literalBytes = merged.reduce(0) {
      if case let .text(t) = $1 { return $0 + t.utf8.count }
      return $0
    }
  }

  /// The message for a finding on `match`.
  package func filled(match: String) -> String {
    if pieces.count == 1, case let .text(only) = pieces[0] { return only }
    var contact: String?
    var out = ""
    out.reserveCapacity(literalBytes + 2 * match.utf8.count)
    for piece in pieces {
      switch piece {
      case let .text(t): out += t
      case .match:
        // A match across caption lines is shown on one line, its break as ⏎.
        if match.utf8.contains(0x0A) {
          out += match.replacingOccurrences(of: "\r\n", with: "⏎").replacingOccurrences(of: "\n", with: "⏎")
        } else {
          out += match
        }
      case .contact:
        let normalized = contact ?? Contact.normalized(match)
        contact = normalized
        out += normalized
      }
    }
    return out
  }
}
