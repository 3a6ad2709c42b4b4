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
public struct TextSpan: Sendable, Hashable {
  /// UTF-8 byte offsets into the original text.
  public var utf8: Range<Int>
  /// UTF-16 code unit offsets (what JavaScript, Foundation and SARIF count).
  public var utf16: Range<Int>
  /// The same range as `String` indices into the original text.
  public var range: Range<String.Index>
  /// 1-based line of the first character.
  public var line: Int
  /// 1-based column of the first character, counted in characters (grapheme clusters).
  public var column: Int
  /// 1-based line of the last character.
  public var endLine: Int
  /// 1-based column just after the last character (exclusive), in characters.
  public var endColumn: Int
}

/// One problem found in a text: which rule, how serious, exactly where, and how to fix it.
public struct Finding: Sendable, Hashable {
  /// The rule's id, e.g. `adlaw.absolute.lowest-price`.
  public var ruleID: String
  /// The rule's kind.
  public var kind: RuleKind
  /// Severity after overrides and exceptions.
  public var severity: Severity
  /// The original text of the span, exactly (empty for findings about metadata).
  public var match: String
  /// Where in the original text; `nil` when the finding is about metadata (category rules).
  public var span: TextSpan?
  /// The metadata field a category finding is about (`category`), else `nil`.
  public var field: String?
  /// A Chinese message a merchant can act on.
  public var message: String
  /// Compliant rewrites.
  public var suggestions: [String]
  /// Legal or platform basis.
  public var basis: [String]
  /// Whether the basis is law or platform policy.
  public var policy: PolicyKind
  /// Whether inline suppression may silence the rule.
  public var isSuppressible: Bool
  /// Why the severity differs from the rule's, when it does (an exception or override).
  public var note: String?
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

  public static func < (lhs: Verdict, rhs: Verdict) -> Bool { lhs.rank < rhs.rank }
}

/// The result of checking one text.
public struct CheckResult: Sendable, Hashable {
  /// Findings in order of position (metadata findings first).
  public var findings: [Finding]
  /// Problems that kept the check from being complete (a pattern hit its match limit, ICU
  /// failed, an unknown category). Any diagnostic makes the verdict at least `review`:
  /// content is never passed because a check failed.
  public var diagnostics: [String]

  /// The verdict: `block` with any block finding, else `review` with any review finding or
  /// diagnostic, else `pass`.
  public var verdict: Verdict {
    if findings.contains(where: { $0.severity == .block }) { return .block }
    if findings.contains(where: { $0.severity == .review }) || !diagnostics.isEmpty { return .review }
    return .pass
  }
}
