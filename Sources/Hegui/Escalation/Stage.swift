/// One item to moderate: a text, the situation it is used in, and an id to track it by.
public struct ModerationItem: Sendable, Hashable, Codable {
  /// Caller's id (file:line, listing id, caption sequence number …).
  public var id: String
  /// The text.
  public var text: String
  /// Where it is used and what the shop sells.
  public var context: CheckContext

  /// Creates an item.
  public init(id: String, text: String, context: CheckContext = CheckContext()) {
    self.id = id
    self.text = text
    self.context = context
  }
}

extension CheckContext: Codable {
  enum CodingKeys: String, CodingKey {
    case context, shopSubject, category, licences
  }

  /// Decodes a context; absent keys take their defaults (livestream, no subject, no category,
  /// no licences).
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      try c.decodeIfPresent(TextContext.self, forKey: .context) ?? .livestream,
      shopSubject: try c.decodeIfPresent(ShopSubject.self, forKey: .shopSubject),
      category: try c.decodeIfPresent(String.self, forKey: .category),
      licences: Set(try c.decodeIfPresent([String].self, forKey: .licences) ?? []))
  }

  /// Encodes a context, with the licences sorted so that equal contexts encode alike.
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(context, forKey: .context)
    try c.encodeIfPresent(shopSubject, forKey: .shopSubject)
    try c.encodeIfPresent(category, forKey: .category)
    try c.encode(licences.sorted(), forKey: .licences)
  }
}

/// What a stage decided about an item.
public enum StageOutcome: Sendable, Hashable, Codable {
  /// Final: the item may go live.
  case pass(reason: String)
  /// Final: the item must not go live as it is.
  case block(reason: String)
  /// Not final: the next stage must decide.
  case escalate(reason: String)
  /// Final for now: waiting for a person (the ticket id, when a review queue holds it).
  case pending(ticket: String?, reason: String)

  /// Whether the pipeline stops here.
  public var isFinal: Bool {
    if case .escalate = self { return false }
    return true
  }

  /// The reason given.
  public var reason: String {
    switch self {
    case let .pass(reason), let .block(reason), let .escalate(reason), let .pending(_, reason): reason
    }
  }

  /// `pass`, `block`, `escalate` or `pending`.
  public var name: String {
    switch self {
    case .pass: "pass"
    case .block: "block"
    case .escalate: "escalate"
    case .pending: "pending"
    }
  }
}

/// A finding as recorded in a trail: plain values only, so it can be stored and exported.
public struct FindingRecord: Sendable, Hashable, Codable {
  /// Rule id (or a cloud label such as `tencent.Ad`).
  public var rule: String
  /// Severity.
  public var severity: Severity
  /// The original text of the span.
  public var match: String
  /// Message.
  public var message: String
  /// UTF-8 offsets into the item's text, when the finding has a span.
  public var utf8: [Int]?
  /// 1-based line and column, when the finding has a span.
  public var line: Int?
  /// 1-based column (characters).
  public var column: Int?

  /// Creates a record.
  public init(
    rule: String, severity: Severity, match: String, message: String, utf8: Range<Int>? = nil, line: Int? = nil,
    column: Int? = nil
  ) {
    self.rule = rule
    self.severity = severity
    self.match = match
    self.message = message
    self.utf8 = utf8.map { [$0.lowerBound, $0.upperBound] }
    self.line = line
    self.column = column
  }

  /// Records a checker finding.
  public init(_ finding: Finding) {
    self.init(
      rule: finding.ruleID, severity: finding.severity, match: finding.match, message: finding.message,
      utf8: finding.span?.utf8, line: finding.span?.line, column: finding.span?.column)
  }
}

/// What one stage returned, with its findings.
public struct StageResult: Sendable, Hashable {
  /// The decision.
  public var outcome: StageOutcome
  /// What the stage found (may be empty).
  public var findings: [FindingRecord]

  /// Creates a result.
  public init(_ outcome: StageOutcome, findings: [FindingRecord] = []) {
    self.outcome = outcome
    self.findings = findings
  }
}

/// One step of an item's trail: which stage, what it decided and why, what it found, how long
/// it took.
public struct StageRecord: Sendable, Hashable, Codable {
  /// How a stage took part in an item's moderation.
  ///
  /// Only a `completed` stage decided anything; the others are recorded as `escalate` with the
  /// reason, so that the trail shows why the next stage was asked.
  public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
    /// The stage ran and returned its outcome.
    case completed
    /// The stage threw; recorded as `escalate` with the error as reason.
    case failed
    /// The stage did not answer within its timeout; recorded as `escalate`.
    case timedOut = "timed-out"
    /// The stage could not be built (misconfigured); recorded as `escalate`.
    case unavailable
    /// The stage's `when` condition was not met (for example, cloud credentials are not set);
    /// recorded as `escalate`.
    case skipped
  }

  /// The stage's name.
  public var stage: String
  /// Its outcome. A stage that failed is recorded as `escalate` with the failure as reason.
  public var outcome: StageOutcome
  /// Its findings.
  public var findings: [FindingRecord]
  /// Wall-clock time in milliseconds.
  public var milliseconds: Double
  /// How the stage took part: completed, failed, timed out, unavailable or skipped.
  public var status: Status

  /// Creates a record.
  public init(
    stage: String, outcome: StageOutcome, findings: [FindingRecord], milliseconds: Double, status: Status = .completed
  ) {
    self.stage = stage
    self.outcome = outcome
    self.findings = findings
    self.milliseconds = milliseconds
    self.status = status
  }

  enum CodingKeys: String, CodingKey {
    case stage, outcome, findings, milliseconds, status
  }

  /// Decodes a record; records written before `status` existed read as `completed`.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    stage = try c.decode(String.self, forKey: .stage)
    outcome = try c.decode(StageOutcome.self, forKey: .outcome)
    findings = try c.decodeIfPresent([FindingRecord].self, forKey: .findings) ?? []
    milliseconds = try c.decodeIfPresent(Double.self, forKey: .milliseconds) ?? 0
    status = try c.decodeIfPresent(Status.self, forKey: .status) ?? .completed
  }
}

/// A tier of the risk escalation: local rules (初级), human review (中级), cloud moderation
/// (高级), or anything a team adds (its own model, an allow-list service).
///
/// A stage receives the item and the trail of earlier outcomes and decides: pass, block,
/// escalate (let the next stage decide) or pending (a person has not decided yet). A stage that
/// throws is treated as `escalate` by the pipeline: content is never passed because a stage
/// failed.
public protocol ModerationStage: Sendable {
  /// A short name shown in trails (`rules`, `review`, `tencent`).
  var name: String { get }

  /// Decides about an item.
  ///
  /// - Parameters:
  ///   - item: The item.
  ///   - trail: What earlier stages decided, in order.
  /// - Returns: The outcome and findings.
  /// - Throws: Anything; the pipeline escalates on any error.
  func evaluate(_ item: ModerationItem, trail: [StageRecord]) async throws -> StageResult
}
