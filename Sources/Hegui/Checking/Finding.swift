/// The situation a text is checked in: where it is used and who sells what.
public struct CheckContext: Sendable, Hashable {
  /// Where the text is used (default: a livestream script).
  public var context: TextContext
  /// The shop's legal form, when known.
  public var shopSubject: ShopSubject?
  /// The item's category: an id (`food`) or a Chinese name (`食品`), when known.
  public var category: String?
  /// Licences the shop holds, by their Chinese names (e.g. `食品经营许可证`).
  public var licences: Set<String>

  /// Creates a context.
  public init(
    _ context: TextContext = .livestream, shopSubject: ShopSubject? = nil, category: String? = nil,
    licences: Set<String> = []
  ) {
    self.context = context
    self.shopSubject = shopSubject
    self.category = category
    self.licences = licences
  }
}

/// Where a finding is in the original text.
///
/// `Codable`: it encodes its offsets, lines and columns. A `String.Index` range only has meaning
/// together with its text, so decoding needs that text in the decoder's `userInfo` under
/// `CodingUserInfoKey.heguiCheckedText` and fails with a clear error without it.
public struct TextSpan: Sendable, Hashable, Codable {
  /// UTF-8 byte offsets into the original text.
  public let utf8: Range<Int>
  /// UTF-16 code unit offsets (what JavaScript, Foundation and SARIF count).
  public let utf16: Range<Int>
  /// The same range as `String` indices into the original text.
  public let range: Range<String.Index>
  /// 1-based line of the first character.
  public let line: Int
  /// 1-based column of the first character, counted in characters (grapheme clusters).
  public let column: Int
  /// 1-based line of the last character.
  public let endLine: Int
  /// 1-based column just after the last character (exclusive), in characters.
  public let endColumn: Int

  package init(
    utf8: Range<Int>, utf16: Range<Int>, range: Range<String.Index>, line: Int, column: Int, endLine: Int,
    endColumn: Int
  ) {
    self.utf8 = utf8
    self.utf16 = utf16
    self.range = range
    self.line = line
    self.column = column
    self.endLine = endLine
    self.endColumn = endColumn
  }

  private enum CodingKeys: String, CodingKey {
    case utf8, utf16, line, column, endLine, endColumn
  }

  /// The text spans are decoded against when a container (``ListingResult/Field``) carries it.
  @TaskLocal static var checkedText: String?

  /// Encodes the offsets, lines and columns (not the `String.Index` range).
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode([utf8.lowerBound, utf8.upperBound], forKey: .utf8)
    try container.encode([utf16.lowerBound, utf16.upperBound], forKey: .utf16)
    try container.encode(line, forKey: .line)
    try container.encode(column, forKey: .column)
    try container.encode(endLine, forKey: .endLine)
    try container.encode(endColumn, forKey: .endColumn)
  }

  /// Decodes a span; the checked text must be in `decoder.userInfo[.heguiCheckedText]`.
  ///
  /// - Throws: `DecodingError` when the text is missing or the offsets do not lie on its
  ///   characters.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let utf8 = try container.decode([Int].self, forKey: .utf8)
    let utf16 = try container.decode([Int].self, forKey: .utf16)
    guard utf8.count == 2, utf16.count == 2, utf8[0] <= utf8[1], utf16[0] <= utf16[1], utf8[0] >= 0, utf16[0] >= 0
    else {
      throw DecodingError.dataCorruptedError(
        forKey: .utf8, in: container, debugDescription: "utf8 and utf16 must be [start, end] with start <= end")
    }
    guard let text = decoder.userInfo[.heguiCheckedText] as? String ?? TextSpan.checkedText else {
      throw DecodingError.dataCorruptedError(
        forKey: .utf8, in: container,
        debugDescription: "decoding a TextSpan needs the checked text in userInfo[.heguiCheckedText]")
    }
    let view = text.utf8
    guard utf8[1] <= view.count,
      let start = view.index(view.startIndex, offsetBy: utf8[0], limitedBy: view.endIndex),
      let end = view.index(view.startIndex, offsetBy: utf8[1], limitedBy: view.endIndex),
      start.samePosition(in: text.unicodeScalars) != nil, end.samePosition(in: text.unicodeScalars) != nil
    else {
      throw DecodingError.dataCorruptedError(
        forKey: .utf8, in: container, debugDescription: "the span \(utf8) does not lie on the text's characters")
    }
    self.utf8 = utf8[0]..<utf8[1]
    self.utf16 = utf16[0]..<utf16[1]
    range = start..<end
    line = try container.decode(Int.self, forKey: .line)
    column = try container.decode(Int.self, forKey: .column)
    endLine = try container.decode(Int.self, forKey: .endLine)
    endColumn = try container.decode(Int.self, forKey: .endColumn)
  }
}

extension CodingUserInfoKey {
  /// The text a decoded ``CheckResult``, ``Finding`` or ``TextSpan`` was checked against: a span's
  /// `String.Index` range can only be rebuilt from it.
  public static let heguiCheckedText: CodingUserInfoKey = {
    guard let key = CodingUserInfoKey(rawValue: "hegui.checkedText") else {
      preconditionFailure("a constant, valid CodingUserInfoKey")
    }
    return key
  }()
}

/// One problem found in a text: which rule, how serious, exactly where, and how to fix it.
///
/// A finding made by a check shares its rule's facts (id, kind, suggestions, basis, policy,
/// message template) with every other finding of that rule, and builds its message each time
/// ``message`` is read: most findings of a large lexicon are counted or filtered, never shown,
/// and building every message and copying every fact up front was a large part of checking such
/// text. Equality, hashing and `Codable` use the values, so a finding compares and encodes
/// exactly as one made with a message string.
public struct Finding: Sendable, Hashable, Codable {
  /// The rule's id, e.g. `adlaw.absolute.lowest-price`.
  public var ruleID: String { rule.id }
  /// The rule's kind.
  public var kind: RuleKind { rule.kind }
  /// Severity after overrides and exceptions.
  public let severity: Severity
  /// The original text of the span, exactly (empty for findings about metadata).
  public let match: String
  /// Where in the original text; `nil` when the finding is about metadata (category rules).
  public let span: TextSpan?
  /// The metadata field a category finding is about (`category`), else `nil`.
  public let field: String?
  /// A Chinese message a merchant can act on.
  public var message: String {
    switch messageSource {
    case let .text(text): return text
    case .template: return rule.template?.filled(match: match) ?? ""
    case let .evasion(term):
      return "“\(match)”疑似规避“\(term)”：" + (rule.template?.filled(match: term) ?? "")
    }
  }
  /// Compliant rewrites.
  public var suggestions: [String] { rule.suggestions }
  /// The rewrite `hegui lint --fix` may write over the match unattended: the rule's `fix`, when
  /// it is offered here (its suggestion's scope holds), the finding has a span, is not `info` and
  /// no exception or override changed it (a note says one did).
  public var fix: String? {
    guard let fix = rule.fix, span != nil, severity != .info, note == nil, rule.suggestions.contains(fix) else {
      return nil
    }
    return fix
  }
  /// Legal or platform basis.
  public var basis: [String] { rule.basis }
  /// Whether the basis is law or platform policy.
  public var policy: PolicyKind { rule.policy }
  /// Whether inline suppression may silence the rule.
  public var isSuppressible: Bool { rule.isSuppressible }
  /// Why the severity differs from the rule's, when it does (an exception or override).
  public let note: String?

  private let rule: Rule
  private let messageSource: MessageSource

  /// What a finding knows of its rule: one object per rule of a check plan, shared by its
  /// findings (one reference to count instead of five).
  package final class Rule: Sendable {
    let id: String
    let kind: RuleKind
    let suggestions: [String]
    let basis: [String]
    let policy: PolicyKind
    let isSuppressible: Bool
    /// The rule's message template (nil for a finding made with its message as text).
    let template: MessageTemplate?
    /// The rule's safe replacement (``Finding/fix``).
    let fix: String?

    package init(
      id: String, kind: RuleKind, suggestions: [String], basis: [String], policy: PolicyKind, isSuppressible: Bool,
      template: MessageTemplate?, fix: String? = nil
    ) {
      self.fix = fix
      self.id = id
      self.kind = kind
      self.suggestions = suggestions
      self.basis = basis
      self.policy = policy
      self.isSuppressible = isSuppressible
      self.template = template
    }

    /// The same rule offering `suggestions` instead.
    func with(suggestions: [String]) -> Rule {
      Rule(
        id: id, kind: kind, suggestions: suggestions, basis: basis, policy: policy, isSuppressible: isSuppressible,
        template: template, fix: fix)
    }
  }

  /// Where the message comes from.
  package enum MessageSource: Sendable {
    /// As given.
    case text(String)
    /// The rule's template filled with the match.
    case template
    /// An evasion of `term`: says so, then the rule's template filled with the term.
    case evasion(term: String)
  }

  package init(
    ruleID: String, kind: RuleKind, severity: Severity, match: String, span: TextSpan?, field: String?,
    message: String, suggestions: [String], basis: [String], policy: PolicyKind, isSuppressible: Bool, note: String?
  ) {
    self.init(
      rule: Rule(
        id: ruleID, kind: kind, suggestions: suggestions, basis: basis, policy: policy, isSuppressible: isSuppressible,
        template: nil),
      severity: severity, match: match, span: span, field: field, messageSource: .text(message), note: note)
  }

  package init(
    rule: Rule, severity: Severity, match: String, span: TextSpan?, field: String?, messageSource: MessageSource,
    note: String?
  ) {
    self.rule = rule
    self.severity = severity
    self.match = match
    self.span = span
    self.field = field
    self.messageSource = messageSource
    self.note = note
  }

  /// The same finding with another severity and note (an exception or a baseline changed it).
  package func with(severity: Severity, note: String?) -> Finding {
    Finding(
      rule: rule, severity: severity, match: match, span: span, field: field, messageSource: messageSource, note: note)
  }

  /// Equal when every property, the message included, is.
  public static func == (a: Finding, b: Finding) -> Bool {
    a.ruleID == b.ruleID && a.kind == b.kind && a.severity == b.severity && a.match == b.match && a.span == b.span
      && a.field == b.field && a.suggestions == b.suggestions && a.basis == b.basis && a.policy == b.policy
      && a.isSuppressible == b.isSuppressible && a.note == b.note && a.message == b.message
  }

  /// Hashes every property, the message included.
  public func hash(into hasher: inout Hasher) {
    hasher.combine(ruleID)
    hasher.combine(kind)
    hasher.combine(severity)
    hasher.combine(match)
    hasher.combine(span)
    hasher.combine(field)
    hasher.combine(message)
    hasher.combine(suggestions)
    hasher.combine(basis)
    hasher.combine(policy)
    hasher.combine(isSuppressible)
    hasher.combine(note)
  }

  private enum CodingKeys: String, CodingKey {
    case ruleID, kind, severity, match, span, field, message, suggestions, basis, policy, isSuppressible, note
  }

  /// Encodes every property, the message as text; `span`, `field` and `note` only when present.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(ruleID, forKey: .ruleID)
    try container.encode(kind, forKey: .kind)
    try container.encode(severity, forKey: .severity)
    try container.encode(match, forKey: .match)
    try container.encodeIfPresent(span, forKey: .span)
    try container.encodeIfPresent(field, forKey: .field)
    try container.encode(message, forKey: .message)
    try container.encode(suggestions, forKey: .suggestions)
    try container.encode(basis, forKey: .basis)
    try container.encode(policy, forKey: .policy)
    try container.encode(isSuppressible, forKey: .isSuppressible)
    try container.encodeIfPresent(note, forKey: .note)
  }

  /// Decodes what ``encode(to:)`` wrote (a span needs the checked text; see ``TextSpan``).
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      ruleID: try container.decode(String.self, forKey: .ruleID),
      kind: try container.decode(RuleKind.self, forKey: .kind),
      severity: try container.decode(Severity.self, forKey: .severity),
      match: try container.decode(String.self, forKey: .match),
      span: try container.decodeIfPresent(TextSpan.self, forKey: .span),
      field: try container.decodeIfPresent(String.self, forKey: .field),
      message: try container.decode(String.self, forKey: .message),
      suggestions: try container.decode([String].self, forKey: .suggestions),
      basis: try container.decode([String].self, forKey: .basis),
      policy: try container.decode(PolicyKind.self, forKey: .policy),
      isSuppressible: try container.decode(Bool.self, forKey: .isSuppressible),
      note: try container.decodeIfPresent(String.self, forKey: .note))
  }
}

/// The outcome for one text: pass, review or block.
public enum Verdict: String, Sendable, Hashable, Comparable, Codable {
  /// Nothing at `review` or `block`.
  case pass
  /// A person must look (a `review` finding, or the check could not complete).
  case review
  /// At least one `block` finding.
  case block

  private var rank: Int {
    switch self {
    case .pass: 0
    case .review: 1
    case .block: 2
    }
  }

  /// `pass < review < block`.
  public static func < (lhs: Verdict, rhs: Verdict) -> Bool { lhs.rank < rhs.rank }
}

/// Something that kept a check from being complete: a pattern that hit its match limit, PCRE2 or
/// ICU failing, a category nobody defined. Any diagnostic makes the verdict at least `review`.
public struct Diagnostic: Sendable, Hashable, Codable, CustomStringConvertible {
  /// What kind of problem. New codes may be added; switch with a `default`.
  public struct Code: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The code's stable name (`match-limit`, …), as it appears in JSON.
    public let rawValue: String

    /// Creates a code from its name.
    public init(rawValue: String) {
      self.rawValue = rawValue
    }

    /// A pattern reached PCRE2's match or depth limit: the text was not fully checked by it.
    public static let matchLimit = Code(rawValue: "match-limit")
    /// PCRE2 failed while matching for another reason.
    public static let patternFailure = Code(rawValue: "pattern-failure")
    /// ICU could not compute word boundaries: rules that need them were not applied.
    public static let wordBoundaries = Code(rawValue: "word-boundaries")
    /// The context names a category no category table defines: category rules were not applied.
    public static let unknownCategory = Code(rawValue: "unknown-category")

    /// The code's name.
    public var description: String { rawValue }
  }

  /// What kind of problem.
  public let code: Code
  /// The rule concerned, when one is.
  public let ruleID: String?
  /// A message a person can act on.
  public let message: String

  /// Creates a diagnostic.
  public init(_ code: Code, ruleID: String? = nil, message: String) {
    self.code = code
    self.ruleID = ruleID
    self.message = message
  }

  /// The message.
  public var description: String { message }
}

/// The result of checking one text.
public struct CheckResult: Sendable, Hashable, Codable {
  /// Findings in order of position (metadata findings first).
  public let findings: [Finding]
  /// Problems that kept the check from being complete (a pattern hit its match limit, ICU
  /// failed, an unknown category). Any diagnostic makes the verdict at least `review`:
  /// content is never passed because a check failed.
  public let diagnostics: [Diagnostic]

  /// Creates a result (for stages and tests that assemble one).
  public init(findings: [Finding], diagnostics: [Diagnostic]) {
    self.findings = findings
    self.diagnostics = diagnostics
  }

  /// The verdict: `block` with any block finding, else `review` with any review finding or
  /// diagnostic, else `pass`.
  public var verdict: Verdict {
    if findings.contains(where: { $0.severity == .block }) { return .block }
    if findings.contains(where: { $0.severity == .review }) || !diagnostics.isEmpty { return .review }
    return .pass
  }
}
