public import Hegui

/// One regression case: an example of a rule (or a variant of it) and what it must produce.
///
/// Cases are derived from every rule's inline `examples`, from bulk `tests/*.cases.yml` files,
/// and from automatic variants of each trigger example: an emoji and full-width prefix, the
/// example embedded in a longer sentence, Traditional and full-width forms, noise between the
/// characters of the span, and every context the rule applies to (plus one it does not).
public struct RuleCase: Sendable, CustomStringConvertible, Hashable {
  /// What the case expects.
  public enum Expectation: Sendable, Hashable {
    /// Exactly these spans (UTF-8 offsets into ``RuleCase/text``), each at this severity.
    case spans([Range<Int>], Severity)
    /// One finding about metadata (category rules), at this severity.
    case metadata(Severity)
    /// Nothing for this rule.
    case silence
  }

  /// The kind of variant.
  public enum Variant: String, Sendable, Hashable, CaseIterable {
    /// The example as written.
    case original
    /// Prefixed with emoji and full-width characters (offset-unit bugs).
    case emojiPrefix = "emoji-prefix"
    /// Inside a longer sentence with Chinese punctuation on both sides.
    case embedded
    /// In Traditional characters.
    case traditional
    /// In full-width forms.
    case fullWidth = "full-width"
    /// With separator noise between the characters of each span.
    case noise
    /// In another context the rule applies to.
    case context
    /// In a context the rule does not apply to: must stay silent.
    case otherContext = "other-context"
  }

  /// The rule under test.
  public var ruleID: String
  /// `trigger` or `pass`.
  public var isTrigger: Bool
  /// 1-based number of the example within its list.
  public var exampleNumber: Int
  /// The variant.
  public var variant: Variant
  /// The text to check.
  public var text: String
  /// The situation to check it in.
  public var context: CheckContext
  /// The expected outcome.
  public var expectation: Expectation
  /// Where the example is written.
  public var location: RulesetLocation

  /// A name that `swift test --filter` can select: `rule.id trigger#2 emoji-prefix`.
  public var description: String {
    "\(ruleID) \(isTrigger ? "trigger" : "pass")#\(exampleNumber) \(variant.rawValue)\(variant == .context || variant == .otherContext ? "(\(context.context.rawValue))" : "")"
  }
}

/// What went wrong with one case.
public struct CaseFailure: Sendable, Hashable, CustomStringConvertible {
  /// The reviewer's vocabulary for a failure.
  public enum Kind: String, Sendable, Hashable {
    /// An expected span produced no finding.
    case missing
    /// A finding where none was expected.
    case unexpected
    /// A finding that overlaps an expected span but does not equal it.
    case wrongSpan = "wrong span"
    /// The right span with the wrong severity.
    case wrongSeverity = "wrong severity"
    /// The check could not complete (match limit, time budget, ICU).
    case engine
  }
  /// The kind of failure.
  public var kind: Kind
  /// What a reviewer needs to see: the text with the expected span and the actual one.
  public var detail: String

  /// `kind: detail`.
  public var description: String { "\(kind.rawValue): \(detail)" }
}

/// The outcome of one case.
public struct CaseResult: Sendable {
  /// The case.
  public var testCase: RuleCase
  /// Failures; empty when the case passed.
  public var failures: [CaseFailure]
  /// How long the check took.
  public var duration: Duration
  /// Whether it passed.
  public var passed: Bool { failures.isEmpty }
}

/// A problem with the ruleset itself that fails the run (coverage and lint of rules).
public struct GateFailure: Sendable, Hashable, CustomStringConvertible {
  /// The rule concerned, if any.
  public var ruleID: String?
  /// Where.
  public var location: RulesetLocation?
  /// What is wrong.
  public var message: String

  /// How the case is named in reports.
  public var description: String {
    "\(location.map { "\($0): " } ?? "")\(ruleID.map { "[\($0)] " } ?? "")\(message)"
  }
}
