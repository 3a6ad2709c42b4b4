import Foundation
import Hegui
import Testing

/// A small ruleset with one rule per severity, so that tests do not depend on the shipped rules.
enum EscalationFixtures {
  static let rulesetYAML = """
    version: 1
    pack: test
    name: 测试规则
    rules:
      - id: test.block
        kind: lexicon
        severity: block
        message: 违规用语「{match}」
        basis: 测试依据
        terms: [全网最低价]
        examples:
          trigger: [今天⟦全网最低价⟧]
          pass: [价格实惠]
      - id: test.review
        kind: lexicon
        severity: review
        message: 需人工判断「{match}」
        basis: 测试依据
        terms: [最新款]
        examples:
          trigger: [本店⟦最新款⟧]
          pass: [新款上市]
      - id: test.info
        kind: lexicon
        severity: info
        message: 提示「{match}」
        basis: 测试依据
        terms: [包邮]
        examples:
          trigger: [全国⟦包邮⟧]
          pass: [邮寄]
    """

  static let ruleset: Ruleset = {
    do {
      return try Ruleset.load(files: ["test.yml": rulesetYAML])
    } catch {
      Issue.record("test ruleset does not load: \(error)")
      return Ruleset.empty
    }
  }()

  static let checker = Checker(ruleset: ruleset)

  static func item(_ text: String, id: String = "item-1") -> ModerationItem {
    ModerationItem(id: id, text: text)
  }
}

/// A stage that answers what it is told, counting its calls.
struct FixedStage: ModerationStage {
  let name: String
  let outcome: StageOutcome
  var findings: [FindingRecord] = []

  func evaluate(_ item: ModerationItem, trail: [StageRecord]) async throws -> StageResult {
    StageResult(outcome, findings: findings)
  }
}

/// A stage that always throws.
struct ThrowingStage: ModerationStage {
  struct Failure: Error, CustomStringConvertible {
    var description: String { "model server unreachable" }
  }

  let name: String

  func evaluate(_ item: ModerationItem, trail: [StageRecord]) async throws -> StageResult {
    throw Failure()
  }
}

/// A stage that takes `delay` and would then pass; `ignoresCancellation` makes it keep going
/// when cancelled (as blocking client code does). `finished` is set when it ran to the end, so
/// tests can tell whether the pipeline waited for it without relying on wall-clock bounds (the
/// machine may be busy).
struct SlowStage: ModerationStage {
  let name: String
  let delay: Duration
  var ignoresCancellation = false
  let finished = Flag()

  func evaluate(_ item: ModerationItem, trail: [StageRecord]) async throws -> StageResult {
    if ignoresCancellation {
      let end = ContinuousClock.now + delay
      while ContinuousClock.now < end { try? await Task.sleep(for: .milliseconds(20)) }
    } else {
      try await Task.sleep(for: delay)
    }
    finished.set()
    return StageResult(.pass(reason: "slow but fine"))
  }
}

/// A thread-safe boolean.
final class Flag: @unchecked Sendable {
  private let lock = NSLock()
  private var value = false

  var isSet: Bool { lock.withLock { value } }

  func set() { lock.withLock { value = true } }
}

/// A stage that records the trail it was given.
final class TrailRecordingStage: ModerationStage, @unchecked Sendable {
  let name: String
  private let lock = NSLock()
  private var seen: [[StageRecord]] = []

  init(name: String) {
    self.name = name
  }

  var trails: [[StageRecord]] {
    lock.withLock { seen }
  }

  func evaluate(_ item: ModerationItem, trail: [StageRecord]) async throws -> StageResult {
    lock.withLock { seen.append(trail) }
    return StageResult(.pass(reason: "seen"))
  }
}
