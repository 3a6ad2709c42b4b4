/// Tier 1 (初级) as a pipeline stage: the local rule checker.
///
/// Findings at or above ``blockAt`` block the item; findings at or above ``escalateAt`` (and
/// below ``blockAt``) escalate it to the next stage; anything else passes. A check that could
/// not complete (a pattern hit its match limit, an unknown category) escalates too: content is
/// never passed because the check was incomplete.
///
/// With the defaults, `block` findings block, `review` findings escalate and `info` findings
/// pass, which is what ``Verdict`` says about a ``CheckResult``.
public struct RuleStage: ModerationStage {
  /// The name shown in trails (`rules` by default).
  public let name: String
  /// The checker that finds the problems.
  public let checker: Checker
  /// The lowest severity that blocks, or `nil` to never block (every finding escalates).
  public let blockAt: Severity?
  /// The lowest severity that escalates, or `nil` to never escalate (findings below
  /// ``blockAt`` pass).
  public let escalateAt: Severity?

  /// Creates the stage.
  ///
  /// - Parameters:
  ///   - name: The name shown in trails.
  ///   - checker: The checker to run.
  ///   - blockAt: The lowest severity that blocks (default `block`); `nil` never blocks.
  ///   - escalateAt: The lowest severity that escalates (default `review`); `nil` never
  ///     escalates.
  public init(name: String = "rules", checker: Checker, blockAt: Severity? = .block, escalateAt: Severity? = .review) {
    self.name = name
    self.checker = checker
    self.blockAt = blockAt
    self.escalateAt = escalateAt
  }

  /// Checks the item's text in its context and decides from the findings' severities.
  ///
  /// - Parameters:
  ///   - item: The item.
  ///   - trail: Earlier outcomes (not used: tier 1 judges the text alone).
  /// - Returns: block, escalate or pass, with every finding (including `info`).
  public func evaluate(_ item: ModerationItem, trail: [StageRecord]) async throws -> StageResult {
    let result = checker.check(item.text, context: item.context)
    let findings = result.findings.map(FindingRecord.init)
    if let blockAt {
      let blocking = findings.filter { $0.severity >= blockAt }
      if !blocking.isEmpty {
        return StageResult(.block(reason: Self.summary(blocking, at: blockAt)), findings: findings)
      }
    }
    if let escalateAt {
      let escalating = findings.filter { $0.severity >= escalateAt }
      if !escalating.isEmpty {
        return StageResult(
          .escalate(reason: Self.summary(escalating, at: escalateAt) + "; a person must judge"), findings: findings)
      }
    }
    if !result.diagnostics.isEmpty {
      return StageResult(
        .escalate(reason: "the check was incomplete: " + result.diagnostics.map(\.message).joined(separator: "; ")),
        findings: findings)
    }
    let threshold = [blockAt, escalateAt].compactMap { $0 }.min()
    let note = threshold.map { "no finding at \($0.rawValue) or above" } ?? "no threshold configured"
    let info = findings.isEmpty ? "" : " (\(findings.count) below the thresholds)"
    return StageResult(.pass(reason: note + info), findings: findings)
  }

  /// `2 findings at block or above: adlaw.absolute.lowest-price (全网最低价), …`
  static func summary(_ findings: [FindingRecord], at severity: Severity) -> String {
    let shown = findings.prefix(5).map { finding in
      finding.match.isEmpty ? finding.rule : "\(finding.rule) (\(finding.match))"
    }
    let more = findings.count > 5 ? ", and \(findings.count - 5) more" : ""
    let noun = findings.count == 1 ? "finding" : "findings"
    return "\(findings.count) \(noun) at \(severity.rawValue) or above: \(shown.joined(separator: ", "))\(more)"
  }
}
