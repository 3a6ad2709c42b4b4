import Foundation
@_spi(Internals) public import Hegui

/// Runs the regression cases of a ruleset: every example of every rule, their automatic
/// variants, bulk case files and corpus files, plus the gates that keep a ruleset honest.
///
/// The same runner serves `hegui rules test`, Hegui's own `swift test`, and downstream packages
/// that test their own rules:
///
/// ```swift
/// let ruleset = try Ruleset.load(directories: [myRules], includingShipped: false)
/// let runner = RuleTestRunner(ruleset: ruleset)
/// for testCase in runner.cases().cases { #expect(runner.run(testCase).passed) }
/// ```
public struct RuleTestRunner: Sendable {
  /// The rules under test.
  public let ruleset: Ruleset
  /// The checker built from them.
  public let checker: Checker
  /// The longest one check of one example may take before the case fails.
  public var timeBudget: Duration

  private let normalizer = Normalizer()
  static let emojiPrefix = "😀🎉ＡＢＣ　"
  static let embedPrefix = "老铁们注意，"
  static let embedSuffix = "，大家冲呀！"

  /// Creates a runner.
  ///
  /// - Parameters:
  ///   - ruleset: The rules to test.
  ///   - timeBudget: Per-check time budget (default 250 ms, generous for debug builds on CI).
  public init(ruleset: Ruleset, timeBudget: Duration = .milliseconds(250)) {
    self.ruleset = ruleset
    self.checker = Checker(ruleset: ruleset)
    self.timeBudget = timeBudget
  }

  /// Whether a rule id is selected by a filter: an exact id or alias, or a family prefix
  /// (`adlaw.absolute` selects `adlaw.absolute.first`).
  public static func rule(_ rule: Rule, matches filters: [String]) -> Bool {
    filters.isEmpty || filters.contains { rule.isSelected(by: $0) }
  }

  /// The rules selected by `filters` (see ``rule(_:matches:)``).
  public func rules(matching filters: [String] = []) -> [Rule] {
    ruleset.rules.filter { RuleTestRunner.rule($0, matches: filters) }
  }

  /// All cases of the selected rules, with the variants that could not be built (skipped).
  public func cases(rules filters: [String] = []) -> (cases: [RuleCase], skipped: [String]) {
    var cases: [RuleCase] = []
    var skipped: [String] = []
    for rule in rules(matching: filters) {
      for (n, example) in rule.triggerExamples.enumerated() {
        let built = triggerCases(rule: rule, example: example, number: n + 1)
        cases += built.cases
        skipped += built.skipped
      }
      for (n, example) in rule.passExamples.enumerated() {
        cases.append(
          RuleCase(
            ruleID: rule.id, isTrigger: false, exampleNumber: n + 1, variant: .original, text: example.text,
            context: checkContext(example), expectation: .silence, location: example.location))
      }
    }
    return (cases, skipped)
  }

  private func checkContext(_ example: RuleExample) -> CheckContext {
    CheckContext(
      example.context, shopSubject: example.shopSubject, category: example.category, licences: example.licences)
  }

  private func triggerCases(rule: Rule, example: RuleExample, number: Int) -> (cases: [RuleCase], skipped: [String]) {
    let severity = example.severity ?? rule.severity
    let base = RuleCase(
      ruleID: rule.id, isTrigger: true, exampleNumber: number, variant: .original, text: example.text,
      context: checkContext(example),
      expectation: rule.kind == .category ? .metadata(severity) : .spans(example.spans, severity),
      location: example.location)
    var cases = [base]
    var skipped: [String] = []
    if rule.kind == .category { return (cases, skipped) }

    func shifted(_ prefix: String, _ suffix: String, _ variant: RuleCase.Variant) -> RuleCase {
      var c = base
      c.variant = variant
      c.text = prefix + example.text + suffix
      let offset = prefix.utf8.count
      c.expectation = .spans(example.spans.map { ($0.lowerBound + offset)..<($0.upperBound + offset) }, severity)
      return c
    }
    cases.append(shifted(RuleTestRunner.emojiPrefix, "", .emojiPrefix))
    cases.append(shifted(RuleTestRunner.embedPrefix, RuleTestRunner.embedSuffix, .embedded))

    let normalizedOriginal = normalizer.normalize(example.text).string
    func rewritten(_ variant: RuleCase.Variant, _ transform: (String) -> String) {
      let name = "\(rule.id) trigger#\(number) \(variant.rawValue)"
      let marked = transform(example.marked)
      // A rewriting that does not change the example (no Simplified character with a
      // Traditional form, no ASCII) adds nothing: not a case, and not a skip either.
      guard let parsed = try? SpanMarkup.parse(marked), parsed.text != example.text else { return }
      guard normalizer.normalize(parsed.text).string == normalizedOriginal else {
        skipped.append("\(name): ICU's one-to-one mapping does not round-trip this example")
        return
      }
      var c = base
      c.variant = variant
      c.text = parsed.text
      c.expectation = .spans(parsed.spans, severity)
      cases.append(c)
    }
    // An example that holds HTML is read as markup in titles and descriptions only, and
    // full-width brackets are not markup: no full-width variant, no context where markup is text.
    let holdsMarkup = normalizer.normalize(example.text, markup: true).string != normalizedOriginal
    // An example with 某 inside a word is read through it in speech only.
    let holdsMou = RuleTestRunner.holdsMouInsideWord(example.text)
    rewritten(.traditional, TextVariants.traditional)
    if !holdsMarkup { rewritten(.fullWidth, TextVariants.fullWidth) }
    if rule.matchesThroughNoise {
      rewritten(.noise, RuleTestRunner.insertingNoise)
    }

    // Contexts: every context the rule applies to fires; one it does not apply to stays silent.
    let overridesByContext = rule.overrides.contains { !$0.contexts.isEmpty }
    if !overridesByContext {
      let contexts = rule.applicability.contexts.isEmpty ? Set(TextContext.allCases) : rule.applicability.contexts
      for context in TextContext.allCases where contexts.contains(context) && context != example.context {
        let speech = context == .livestream || context == .caption
        if (holdsMarkup && speech) || (holdsMou && !speech) { continue }
        var c = base
        c.variant = .context
        c.context.context = context
        cases.append(c)
      }
      if let other = TextContext.allCases.first(where: { !contexts.contains($0) }) {
        var c = base
        c.variant = .otherContext
        c.context.context = other
        c.expectation = .silence
        cases.append(c)
      }
    }
    return (cases, skipped)
  }

  /// Whether a 某 follows a Han character and precedes one (糖某尿病), as speech inserts it.
  static func holdsMouInsideWord(_ text: String) -> Bool {
    let scalars = Array(text.unicodeScalars)
    for k in scalars.indices.dropFirst().dropLast() where scalars[k] == "某" {
      if TextVariants.isHan(scalars[k - 1]) && TextVariants.isHan(scalars[k + 1]) { return true }
    }
    return false
  }

  /// Inserts `*` between consecutive Han characters inside each `⟦ ⟧` span (not next to a 某,
  /// which speech reads as inserted only right after a Han character).
  static func insertingNoise(_ marked: String) -> String {
    var out = ""
    var inside = false
    var previousWasHan = false
    for character in marked {
      if character == SpanMarkup.open {
        inside = true
        previousWasHan = false
        out.append(character)
        continue
      }
      if character == SpanMarkup.close {
        inside = false
        previousWasHan = false
        out.append(character)
        continue
      }
      let isHan =
        character != "某" && character.unicodeScalars.count == 1
        && character.unicodeScalars.first.map(TextVariants.isHan) == true
      if inside && isHan && previousWasHan { out.append("*") }
      out.append(character)
      previousWasHan = isHan
    }
    return out
  }

  /// Runs one case.
  public func run(_ testCase: RuleCase) -> CaseResult {
    let clock = ContinuousClock()
    let start = clock.now
    let result = checker.check(testCase.text, context: testCase.context)
    let duration = clock.now - start
    let findings = result.findings.filter { $0.ruleID == testCase.ruleID }
    var failures: [CaseFailure] = []
    func render(_ spans: [Range<Int>]) -> String { SpanMarkup.render(testCase.text, spans: spans) }

    switch testCase.expectation {
    case .silence:
      for finding in findings {
        let shown = finding.span.map { render([$0.utf8]) } ?? "\(testCase.text)  (about \(finding.field ?? "metadata"))"
        failures.append(
          CaseFailure(
            kind: .unexpected, detail: "expected nothing\n    actual:   \(shown)  [\(finding.severity.rawValue)]"))
      }
    case let .metadata(severity):
      let metadata = findings.filter { $0.span == nil }
      if metadata.isEmpty {
        failures.append(CaseFailure(kind: .missing, detail: "expected a finding about the category, got none"))
      } else if metadata[0].severity != severity {
        failures.append(
          CaseFailure(
            kind: .wrongSeverity, detail: "expected \(severity.rawValue), actual \(metadata[0].severity.rawValue)"))
      }
      if metadata.count > 1 {
        failures.append(CaseFailure(kind: .unexpected, detail: "\(metadata.count) findings, expected one"))
      }
    case let .spans(expected, severity):
      var remaining = findings.compactMap { f in f.span.map { (range: $0.utf8, severity: f.severity) } }
      for span in expected {
        if let index = remaining.firstIndex(where: { $0.range == span }) {
          let actual = remaining.remove(at: index)
          if actual.severity != severity {
            failures.append(
              CaseFailure(
                kind: .wrongSeverity,
                detail: "\(render([span])): expected \(severity.rawValue), actual \(actual.severity.rawValue)"))
          }
        } else if let index = remaining.firstIndex(where: { $0.range.overlaps(span) }) {
          let actual = remaining.remove(at: index)
          failures.append(
            CaseFailure(
              kind: .wrongSpan, detail: "expected: \(render([span]))\n    actual:   \(render([actual.range]))"))
        } else {
          failures.append(
            CaseFailure(kind: .missing, detail: "expected: \(render([span]))\n    actual:   (no finding)"))
        }
      }
      for actual in remaining {
        failures.append(
          CaseFailure(
            kind: .unexpected,
            detail:
              "expected: \(render(expected))\n    actual:   \(render([actual.range]))  [\(actual.severity.rawValue)]"))
      }
    }
    for diagnostic in result.diagnostics {
      failures.append(CaseFailure(kind: .engine, detail: diagnostic.message))
    }
    if duration > timeBudget {
      failures.append(
        CaseFailure(kind: .engine, detail: "the check took \(duration), over the time budget of \(timeBudget)"))
    }
    return CaseResult(testCase: testCase, failures: failures, duration: duration)
  }

  /// The `{…}` spans of a text (ASCII braces around letters, digits and `_`).
  static func placeholders(in text: String) -> [String] {
    var found: [String] = []
    var rest = Substring(text)
    while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
      let inner = rest[rest.index(after: open)..<close]
      if !inner.isEmpty && inner.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) {
        found.append(String(rest[open...close]))
      }
      rest = rest[rest.index(after: open)...]
    }
    return found
  }

  /// The gates: problems with the rules themselves that fail the run.
  public func gates(rules filters: [String] = []) -> [GateFailure] {
    var failures: [GateFailure] = []
    for rule in rules(matching: filters) {
      func fail(_ message: String, at location: RulesetLocation? = nil) {
        failures.append(GateFailure(ruleID: rule.id, location: location ?? rule.location, message: message))
      }
      if rule.triggerExamples.isEmpty { fail("the rule has no trigger example") }
      if rule.passExamples.isEmpty { fail("the rule has no pass example") }
      if rule.basis.isEmpty { fail("the rule names no legal or platform basis ('basis')") }
      // Placeholders: a message knows {match} and {contact} (category rules: {category},
      // {licences}, {notice}); anything else in braces would be shown to merchants as written,
      // and suggestions are shown as written.
      let known: Set<String> =
        rule.kind == .category ? ["{match}", "{category}", "{licences}", "{notice}"] : ["{match}", "{contact}"]
      for placeholder in Self.placeholders(in: rule.message) where !known.contains(placeholder) {
        fail(
          "the message holds '\(placeholder)', which is no placeholder here: only \(known.sorted().joined(separator: ", ")) are filled in"
        )
      }
      for suggestion in rule.suggestions where !Self.placeholders(in: suggestion).isEmpty {
        fail("the suggestion '\(suggestion)' holds a placeholder; suggestions are shown as written")
      }
      // Scoped suggestions: wherever the rule fires in its examples, it must still offer a
      // rewrite that suits that context and category (a scope that leaves a finding with none
      // means a merchant is told what is wrong and not what to write).
      if !rule.suggestionScopes.isEmpty {
        for (n, example) in rule.triggerExamples.enumerated() {
          let offered = checker.check(example.text, context: checkContext(example)).findings.filter {
            $0.ruleID == rule.id
          }
          if let bare = offered.first(where: { $0.suggestions.isEmpty }) {
            fail(
              "in trigger example \(n + 1) (\(example.context.rawValue)\(example.category.map { ", \($0)" } ?? "")) the finding on “\(bare.match)” offers no suggestion: no scoped suggestion suits it; add one for this context or category",
              at: example.location)
          }
        }
      }
      // A fix is written unattended: each trigger example it fixes must pass afterwards, and
      // the rewrite must not make another rule block.
      if rule.fix != nil {
        for (n, example) in rule.triggerExamples.enumerated() {
          let context = checkContext(example)
          let before = checker.check(example.text, context: context).findings
          let edits = Fixes.edits(for: before.filter { $0.ruleID == rule.id }, in: example.text)
          guard !edits.isEmpty else { continue }
          let fixed = Fixes.apply(edits, to: example.text)
          let after = checker.check(fixed, context: context).findings
          if let left = after.first(where: { $0.ruleID == rule.id }) {
            fail(
              "fixing trigger example \(n + 1) gives '\(fixed)', which the rule still flags (“\(left.match)”)",
              at: example.location)
          }
          let blocking = Set(before.filter { $0.severity == .block }.map(\.ruleID))
          if let new = after.first(where: { $0.severity == .block && !blocking.contains($0.ruleID) }) {
            fail(
              "fixing trigger example \(n + 1) gives '\(fixed)', which \(new.ruleID) blocks (“\(new.match)”)",
              at: example.location)
          }
        }
      }
      for (pattern, missing) in rule.uncoveredAnchorLiterals {
        let shown = missing.prefix(8).joined(separator: ", ") + (missing.count > 8 ? ", …" : "")
        fail(
          "pattern \(pattern + 1) can match text that holds none of the rule's anchors, and such a match is "
            + "never looked for: add these to 'anchors' (or anchors they contain): \(shown)")
      }
      for exception in rule.exceptions {
        let pool =
          exception.action == .suppress ? rule.passExamples : rule.triggerExamples.filter { $0.severity == .review }
        let exercised = pool.contains { example in
          let normalized = normalizer.normalize(example.text).string
          if let phrase = exception.phrase { return normalized.contains(phrase) }
          if let pattern = exception.pattern { return !((try? pattern.matches(in: normalized)) ?? []).isEmpty }
          return false
        }
        if !exercised {
          let which = exception.action == .suppress ? "pass example" : "trigger example with severity: review"
          fail("exception '\(exception.source)' is exercised by no \(which)", at: exception.location)
        }
        if exception.action == .suppress, let phrase = exception.phrase,
          let term = rule.terms.first(where: { $0 == phrase })
        {
          fail("term '\(term)' is also an exception: it can never fire", at: exception.location)
        }
      }
    }
    return failures
  }
}
