/// How serious a finding is, in the domain's own words.
///
/// `block` is a violation that must be rewritten; `review` needs a human (exemptions,
/// context-dependent claims); `info` is advice. Ordered: `info < review < block`.
public enum Severity: String, Sendable, Hashable, Comparable, CaseIterable, Codable {
  /// Advice only.
  case info
  /// A person must judge (e.g. a lawful exemption that needs evidence).
  case review
  /// A violation: the text must be rewritten before it goes live.
  case block

  private var rank: Int {
    switch self {
    case .info: 0
    case .review: 1
    case .block: 2
    }
  }

  /// `info < review < block`.
  public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// Where a text is used. Rules can be limited to some contexts.
public enum TextContext: String, Sendable, Hashable, CaseIterable, Codable {
  /// A livestream script: what the host says (直播话术).
  case livestream
  /// Live captions, room titles, on-screen text and 弹幕.
  case caption
  /// A product listing title.
  case title
  /// A product listing description.
  case description
}

extension TextContext {
  /// The contexts of listing text, from which a missing category may be inferred.
  static let inferringCategory: Set<TextContext> = [.title, .description]
  /// Contexts that are speech: a 某 inserted between the characters of a word (糖某尿病,
  /// 立竿见某影, said to dodge a platform's filter) is read through.
  static let speech: Set<TextContext> = [.livestream, .caption]
}

/// The legal form of the shop (主体类型).
public enum ShopSubject: String, Sendable, Hashable, CaseIterable, Codable {
  /// 个人主体: an unregistered individual.
  case individual
  /// 企业主体 (or 个体工商户): a registered market entity.
  case enterprise
}

/// The kind of a rule: how it finds hits.
public enum RuleKind: String, Sendable, Hashable, CaseIterable, Codable {
  /// Literal terms matched on normalised text by one automaton.
  case lexicon
  /// PCRE2 patterns matched on normalised text.
  case pattern
  /// Conditions on the shop subject, the item's category and its licences.
  case category
  /// Hegui's own findings about the input (e.g. a suppression that suppresses nothing).
  /// Not available to rulesets.
  case meta
}

/// The source of a rule's authority.
public enum PolicyKind: String, Sendable, Hashable, Codable {
  /// A statute, regulation or official guide.
  case law
  /// A platform policy (stricter than the law; a company may switch it off).
  case platform
}

/// A place in a ruleset file.
public struct RulesetLocation: Hashable, Sendable, CustomStringConvertible {
  /// File path (shipped rulesets read `Rulesets/<file>`).
  public internal(set) var path: String
  /// 1-based line.
  public internal(set) var line: Int
  /// 1-based column (Unicode scalars).
  public internal(set) var column: Int

  /// `path:line:column`.
  public var description: String { "\(path):\(line):\(column)" }
}

/// Where a rule applies. Empty sets mean "no restriction".
public struct Applicability: Hashable, Sendable {
  /// Contexts the rule applies in (empty: all).
  public internal(set) var contexts: Set<TextContext> = []
  /// Shop subjects it applies to (empty: any, including unknown).
  public internal(set) var shopSubjects: Set<ShopSubject> = []
  /// Category ids it is limited to (with their sub-categories). Unknown category: does not apply.
  public internal(set) var categories: Set<String> = []
  /// Category ids (with sub-categories) it never applies to.
  public internal(set) var excludedCategories: Set<String> = []
}

/// A conditional change of a hit's outcome (e.g. block for individual shops).
public struct Override: Hashable, Sendable {
  /// Shop subjects that trigger the override (empty: any).
  public internal(set) var shopSubjects: Set<ShopSubject> = []
  /// Categories that trigger it (with sub-categories; empty: any).
  public internal(set) var categories: Set<String> = []
  /// Contexts that trigger it (empty: any).
  public internal(set) var contexts: Set<TextContext> = []
  /// Licences, any one of which triggers it (empty: no condition).
  public internal(set) var licences: Set<String> = []
  /// The new severity, when not suppressing.
  public internal(set) var severity: Severity?
  /// Drop the hit instead.
  public internal(set) var suppress: Bool = false
}

/// A phrase or pattern that, when it covers a hit, suppresses or downgrades it.
public struct RuleException: Sendable {
  /// What the exception does to a hit it covers.
  public enum Action: String, Sendable, Hashable {
    /// Drop the hit.
    case suppress
    /// Downgrade the hit to `review` (never raises `info`).
    case review
  }
  /// A literal phrase (normalised), or `nil` for a pattern exception.
  public internal(set) var phrase: String?
  /// A pattern exception.
  public internal(set) var pattern: Pattern?
  /// The phrase or pattern as written in the ruleset.
  public internal(set) var source: String
  /// The action.
  public internal(set) var action: Action
  /// Why the exception exists (e.g. the guide's article), shown on downgraded findings.
  public internal(set) var note: String?
  /// Where it is written.
  public internal(set) var location: RulesetLocation
}

/// One example of a rule: a text and the spans it must (or must not) produce.
public struct RuleExample: Sendable, Hashable {
  /// The text with the `⟦ ⟧` markers removed.
  public internal(set) var text: String
  /// The text as written, markers included.
  public internal(set) var marked: String
  /// Expected spans as UTF-8 offsets into ``text`` (empty for pass examples and category rules).
  public internal(set) var spans: [Range<Int>]
  /// The context to check in.
  public internal(set) var context: TextContext
  /// The shop subject, if given.
  public internal(set) var shopSubject: ShopSubject?
  /// The category id or name, if given.
  public internal(set) var category: String?
  /// Licences held.
  public internal(set) var licences: Set<String>
  /// Expected severity (trigger examples), if stated.
  public internal(set) var severity: Severity?
  /// Where it is written.
  public internal(set) var location: RulesetLocation
}

/// A rule as loaded from a ruleset: what it matches, where it applies and what it says.
public struct Rule: Sendable, Identifiable {
  /// Whether `selector` names this rule: its id or an alias, or a family prefix of its id
  /// (`adlaw.absolute` or `adlaw.absolute.` selects `adlaw.absolute.first`). The one definition
  /// of rule selection, for `--only-rule`, `.hegui.yml`, suppressions and `rules test --rule`.
  public func isSelected(by selector: String) -> Bool {
    id == selector || aliases.contains(selector) || id.hasPrefix(selector.hasSuffix(".") ? selector : selector + ".")
  }

  /// Stable namespaced id, e.g. `adlaw.absolute.lowest-price`.
  public internal(set) var id: String
  /// Old ids still honoured.
  public internal(set) var aliases: [String]
  /// The pack (ruleset) it belongs to.
  public internal(set) var pack: String
  /// How it finds hits.
  public internal(set) var kind: RuleKind
  /// Severity of a hit, before overrides and exceptions.
  public internal(set) var severity: Severity
  /// Chinese message; `{match}` is replaced by the matched text.
  public internal(set) var message: String
  /// English message, if given.
  public internal(set) var messageEnglish: String?
  /// Compliant rewrites, all of them; ``suggestionScopes`` says where each one is offered.
  public internal(set) var suggestions: [String]
  /// Where each suggestion suits (parallel to ``suggestions``; `nil`: everywhere). A finding
  /// offers only the suggestions whose scope holds for the check: a food rewrite (均衡饮食) is
  /// not offered for a skincare claim. Empty when no suggestion is scoped.
  public internal(set) var suggestionScopes: [Applicability?] = []
  /// The suggestion that may replace a match without a person looking (`fix:` in the format):
  /// `hegui lint --fix` writes it over the matched text wherever the suggestion is offered and
  /// no exception changed the finding. `nil`: findings are fixed by people.
  public internal(set) var fix: String?
  /// Legal or platform basis, e.g. `《广告法》第九条第三项`.
  public internal(set) var basis: [String]
  /// Whether the basis is law or platform policy.
  public internal(set) var policy: PolicyKind
  /// Normalised literal terms (lexicon rules).
  public internal(set) var terms: [String]
  /// Terms as written (for display and allow-list checks), parallel to ``terms``.
  public internal(set) var rawTerms: [String]
  /// Compiled patterns (pattern rules).
  public internal(set) var patterns: [Pattern]
  /// Normalised anchors: a pattern only runs on lines containing one.
  public internal(set) var anchors: [String]
  /// Whether hits must align with ICU word boundaries.
  public internal(set) var requiresWordBoundary: Bool
  /// Whether hits through removed noise count, and terms are matched when written in pinyin
  /// (`evasion`, default true).
  public internal(set) var matchesThroughNoise: Bool
  /// Whether a minority of a term's characters may be replaced by homophones or look-alikes
  /// (`homophones`, default false; lexicon rules).
  public internal(set) var matchesHomophones: Bool = false
  /// The severity of a hit found through pinyin, homophones or look-alikes (`evasion_severity`,
  /// default `review`, never above the rule's own severity).
  public internal(set) var evasionSeverity: Severity = .review
  /// Where it applies.
  public internal(set) var applicability: Applicability
  /// Conditional outcomes, first match wins.
  public internal(set) var overrides: [Override]
  /// Exceptions.
  public internal(set) var exceptions: [RuleException]
  /// Whether inline suppression may silence it.
  public internal(set) var isSuppressible: Bool
  /// Category rules: `subject`, `licence` or `notice`.
  public internal(set) var categoryCheck: CategoryCheck?
  /// Notice rules (`check: notice`): the notices, normalised, any one of which the advertisement
  /// must carry.
  public internal(set) var requiredNotices: [String] = []
  /// Trigger examples.
  public internal(set) var triggerExamples: [RuleExample]
  /// Pass examples.
  public internal(set) var passExamples: [RuleExample]
  /// Where the rule is written.
  public internal(set) var location: RulesetLocation

  /// What a category rule checks.
  public enum CategoryCheck: Sendable, Hashable {
    /// The shop subject may not sell the category (status `forbidden` or `platform`).
    case subject(CategoryEntry.IndividualStatus)
    /// The item holds none of the category's licences.
    case licence
    /// The advertisement (a listing's title and description, or a description) carries none of
    /// the rule's ``Rule/requiredNotices``, as 《广告法》第十八条第二款 requires 本品不能代替药物 of
    /// health food.
    ///
    /// (The notices are kept on the rule, not in this case: a multi-payload enum stores an array
    /// with tag bits in its pointer, which LeakSanitizer then cannot follow.)
    case notice
  }
}

/// One row of a category table: who may sell it and which licences it needs.
public struct CategoryEntry: Sendable, Hashable {
  /// Whether an individual (个人主体) shop may sell the category.
  public enum IndividualStatus: String, Sendable, Hashable {
    /// Allowed.
    case allowed
    /// Closed by law (a licence an individual cannot hold).
    case forbidden
    /// Closed by platform policy.
    case platform
  }
  /// English id, e.g. `food`.
  public internal(set) var id: String
  /// Chinese names, e.g. `食品`.
  public internal(set) var names: [String]
  /// Parent category id.
  public internal(set) var parent: String?
  /// Individual shops' status.
  public internal(set) var individual: IndividualStatus
  /// Licences required (any one suffices).
  public internal(set) var licences: [String]
  /// Words that name the category in a listing's own text (图书, 游戏币, vcd): a title or
  /// description checked without a category gets this one when its text holds markers of this
  /// category and of no other (see ``Checker/check(_:context:)``). Lower-cased.
  public internal(set) var markers: [String] = []
  /// Where the row's facts come from.
  public internal(set) var source: String?
  /// When they were last checked.
  public internal(set) var checked: String?
  /// Where it is written.
  public internal(set) var location: RulesetLocation
}
