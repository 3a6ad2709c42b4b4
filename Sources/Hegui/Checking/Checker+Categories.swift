/// Category rules: what a shop subject may sell and which licence a category needs. They look at
/// the check's facts, not at the text, so they run once per check (once per listing).
extension Checker {
  /// The category findings for the check's facts, in rule order.
  ///
  /// - Parameter advertisement: The whole advertisement, for notice rules (a listing's title and
  ///   description, or a text checked as a description); `nil` skips them.
  func categoryFindings(context: CheckContext, scope: CheckPlan.Scope, advertisement: String? = nil) -> [Finding] {
    var findings: [Finding] = []
    var noticeScope = scope
    noticeScope.context = CheckPlan.Scope.bit(.description)
    for index in plan.categoryRules {
      let isNotice: Bool
      if case .notice = plan.categoryChecks[index] { isNotice = true } else { isNotice = false }
      if isNotice && advertisement == nil { continue }
      let ruleScope = isNotice ? noticeScope : scope
      guard plan.applies(index, ruleScope) else { continue }
      if let finding = categoryFinding(index, context: context, scope: ruleScope, advertisement: advertisement) {
        findings.append(finding)
      }
    }
    return findings
  }

  private func categoryFinding(
    _ index: Int, context: CheckContext, scope: CheckPlan.Scope, advertisement: String?
  ) -> Finding? {
    guard scope.category >= 0, let check = plan.categoryChecks[index] else { return nil }
    let facts = plan.categoryFacts[scope.category]
    var notice = ""
    // Decide from the precomputed facts first; most listings produce nothing here.
    switch check {
    case let .subject(status):
      guard context.shopSubject == .individual, facts.statuses & CheckPlan.bit(status) != 0 else { return nil }
    case .licence:
      // The nearest category that lists licences decides (保健食品 needs its own licence even
      // though its parent 食品 also accepts a 备案凭证); any one of its licences suffices.
      guard facts.nearestLicences >= 0,
        context.licences.isDisjoint(with: ruleset.categories[Int(facts.nearestLicences)].licences)
      else { return nil }
    case .notice:
      // Compared on normalised text, so 本品不能代替藥物 and noise between the characters count.
      let notices = ruleset.rules[index].requiredNotices
      guard let advertisement else { return nil }
      let text = normalizer.normalize(advertisement, markup: true).string
      if notices.contains(where: { text.contains($0) }) { return nil }
      notice = notices.first ?? ""
    }
    // Walk up the category tree: a sub-category inherits its ancestors' restrictions.
    let entries = plan.entryChains[scope.category].map { ruleset.categories[$0] }
    guard let leaf = entries.first else { return nil }
    let rule = ruleset.rules[index]
    var severity = rule.severity
    var note: String?
    if let outcome = override(index, context: context, scope: scope) {
      guard let s = outcome else { return nil }
      note = "override: \(s.rawValue)"
      severity = s
    }
    let names = leaf.names.first.map { "\($0)（\(leaf.id)）" } ?? leaf.id
    let licences = entries.first(where: { !$0.licences.isEmpty })?.licences ?? []
    let message = rule.message
      .replacing("{match}", with: names)
      .replacing("{category}", with: names)
      .replacing("{licences}", with: licences.joined(separator: "、"))
      .replacing("{notice}", with: notice)
    return Finding(
      ruleID: rule.id, kind: .category, severity: severity, match: "", span: nil,
      field: notice.isEmpty ? "category" : "description", message: message,
      suggestions: rule.suggestions, basis: rule.basis, policy: rule.policy, isSuppressible: rule.isSuppressible,
      note: note)
  }
}
