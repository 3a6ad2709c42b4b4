import Foundation

/// The risk escalation: stages run in order until one decides.
///
/// Each configured stage receives the item and the trail of earlier outcomes. The first final
/// outcome (pass, block or pending) ends the run; `escalate` hands the item to the next stage.
/// Every tier is optional and the order is configuration: build a pipeline in code from stages,
/// or from a pipeline file with ``PipelineConfiguration``.
///
/// The pipeline fails closed. A stage that throws, does not answer within its timeout, or could
/// not be built is recorded as `escalate` with the reason, and the next stage decides. When no
/// stage is left and nothing decided, the item is `pending` review (with no ticket): it is never
/// passed because a stage failed.
///
/// ```swift
/// let pipeline = Pipeline(steps: [
///   .init(RuleStage(checker: Checker(ruleset: try Ruleset.shipped()))),
///   .init(myModelStage, timeout: .seconds(2)),
/// ])
/// let result = await pipeline.run(ModerationItem(id: "script.txt:3", text: "全网最低价"))
/// print(result.outcome, result.decidedBy ?? "nobody")
/// ```
public struct Pipeline: Sendable {
  /// One configured position in the pipeline: a stage, or a stage that is skipped or unavailable.
  public struct Step: Sendable {
    /// What the step holds.
    public enum Body: Sendable {
      /// A stage to run.
      case stage(any ModerationStage)
      /// A stage that is not run because its condition is not met (recorded as `skipped`).
      case skipped(reason: String)
      /// A stage that could not be built (recorded as `unavailable`; items escalate past it).
      case unavailable(reason: String)
    }

    /// The name shown in trails.
    public var name: String
    /// The stage, or why there is none.
    public var body: Body
    /// The longest the stage may take per item; `nil` waits as long as it takes.
    public var timeout: Duration?

    /// A step that runs a stage.
    ///
    /// - Parameters:
    ///   - stage: The stage.
    ///   - name: The name shown in trails (default: the stage's own name).
    ///   - timeout: The longest the stage may take per item; past it, the item escalates.
    public init(_ stage: any ModerationStage, name: String? = nil, timeout: Duration? = nil) {
      self.name = name ?? stage.name
      self.body = .stage(stage)
      self.timeout = timeout
    }

    /// A step that is recorded as skipped for every item.
    ///
    /// - Parameters:
    ///   - name: The name shown in trails.
    ///   - reason: Why it is skipped (e.g. `TENCENTCLOUD_SECRET_ID is not set`).
    public static func skipped(name: String, reason: String) -> Step {
      Step(name: name, body: .skipped(reason: reason), timeout: nil)
    }

    /// A step whose stage could not be built: every item escalates past it.
    ///
    /// - Parameters:
    ///   - name: The name shown in trails.
    ///   - reason: What went wrong when building it.
    public static func unavailable(name: String, reason: String) -> Step {
      Step(name: name, body: .unavailable(reason: reason), timeout: nil)
    }

    private init(name: String, body: Body, timeout: Duration?) {
      self.name = name
      self.body = body
      self.timeout = timeout
    }
  }

  /// The steps, in order.
  public var steps: [Step]
  /// Problems found while building the pipeline (one per unavailable step), for callers who
  /// would rather refuse to start than fail closed item by item.
  public var problems: [HeguiError]

  /// Creates a pipeline from steps.
  ///
  /// - Parameters:
  ///   - steps: The steps, in order.
  ///   - problems: Problems found while building the steps (see ``problems``).
  public init(steps: [Step], problems: [HeguiError] = []) {
    self.steps = steps
    self.problems = problems
  }

  /// Creates a pipeline that runs stages in order, each with the same timeout.
  ///
  /// - Parameters:
  ///   - stages: The stages, in order.
  ///   - timeout: The longest each stage may take per item; `nil` waits as long as it takes.
  public init(stages: [any ModerationStage], timeout: Duration? = nil) {
    self.init(steps: stages.map { Step($0, timeout: timeout) })
  }

  /// Moderates one item: runs the stages in order until one decides.
  ///
  /// Never throws: failures become `escalate` records in the trail, and an item that no stage
  /// decided is `pending` with no ticket.
  ///
  /// - Parameter item: The item.
  /// - Returns: The final outcome, the stage that decided it, and the whole trail.
  public func run(_ item: ModerationItem) async -> PipelineResult {
    let started = ContinuousClock.now
    var trail: [StageRecord] = []
    for step in steps {
      switch step.body {
      case let .skipped(reason):
        trail.append(
          StageRecord(
            stage: step.name, outcome: .escalate(reason: "skipped: \(reason)"), findings: [], milliseconds: 0,
            status: .skipped))
      case let .unavailable(reason):
        trail.append(
          StageRecord(
            stage: step.name, outcome: .escalate(reason: "stage unavailable, escalated: \(reason)"), findings: [],
            milliseconds: 0, status: .unavailable))
      case let .stage(stage):
        let stepStarted = ContinuousClock.now
        let run = await Self.evaluate(stage, item: item, trail: trail, timeout: step.timeout)
        let milliseconds = Self.milliseconds(since: stepStarted)
        switch run {
        case let .result(result):
          trail.append(
            StageRecord(
              stage: step.name, outcome: result.outcome, findings: result.findings, milliseconds: milliseconds))
          if result.outcome.isFinal {
            return PipelineResult(
              item: item, outcome: result.outcome, decidedBy: step.name, trail: trail,
              milliseconds: Self.milliseconds(since: started))
          }
        case let .failure(error):
          trail.append(
            StageRecord(
              stage: step.name, outcome: .escalate(reason: "stage failed, escalated: \(Self.describe(error))"),
              findings: [], milliseconds: milliseconds, status: .failed))
        case let .timedOut(timeout):
          trail.append(
            StageRecord(
              stage: step.name,
              outcome: .escalate(reason: "stage timed out after \(Self.describe(timeout)), escalated"), findings: [],
              milliseconds: milliseconds, status: .timedOut))
        }
      }
    }
    let reason: String
    if let last = trail.last {
      reason = "no stage left to decide after '\(last.stage)' (\(last.outcome.reason)); a person must decide"
    } else {
      reason = "no stage is configured; a person must decide"
    }
    return PipelineResult(
      item: item, outcome: .pending(ticket: nil, reason: reason), decidedBy: nil, trail: trail,
      milliseconds: Self.milliseconds(since: started))
  }

  // MARK: Running one stage

  enum Run: Sendable {
    case result(StageResult)
    case failure(any Error)
    case timedOut(Duration)
  }

  /// Runs a stage, racing it against its timeout.
  ///
  /// The stage runs in a task of its own, so that a stage that ignores cancellation cannot hold
  /// the pipeline past its timeout: the pipeline moves on, cancels the task and lets it finish
  /// in the background.
  static func evaluate(
    _ stage: any ModerationStage, item: ModerationItem, trail: [StageRecord], timeout: Duration?
  ) async -> Run {
    guard let timeout else {
      do {
        return .result(try await stage.evaluate(item, trail: trail))
      } catch {
        return .failure(error)
      }
    }
    let race = Race()
    return await withTaskCancellationHandler {
      await withCheckedContinuation { (continuation: CheckedContinuation<Run, Never>) in
        race.start(continuation)
        let work = Task {
          let run: Run
          do {
            run = .result(try await stage.evaluate(item, trail: trail))
          } catch {
            run = .failure(error)
          }
          race.finish(run)
        }
        let timer = Task {
          try? await Task.sleep(for: timeout)
          if !Task.isCancelled { race.finish(.timedOut(timeout)) }
        }
        race.attach(work: work, timer: timer)
      }
    } onCancel: {
      race.finish(.failure(CancellationError()))
    }
  }

  /// The first of a stage's answer, its timeout or cancellation wins; the others are ignored.
  final class Race: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Run, Never>?
    private var outcome: Run?
    private var work: Task<Void, Never>?
    private var timer: Task<Void, Never>?

    func start(_ continuation: CheckedContinuation<Run, Never>) {
      lock.lock()
      if let outcome {
        // Cancelled before the continuation existed.
        lock.unlock()
        continuation.resume(returning: outcome)
        return
      }
      self.continuation = continuation
      lock.unlock()
    }

    func attach(work: Task<Void, Never>, timer: Task<Void, Never>) {
      lock.lock()
      let finished = outcome != nil
      if !finished {
        self.work = work
        self.timer = timer
      }
      lock.unlock()
      if finished {
        work.cancel()
        timer.cancel()
      }
    }

    func finish(_ run: Run) {
      lock.lock()
      guard outcome == nil else {
        lock.unlock()
        return
      }
      outcome = run
      let continuation = self.continuation
      self.continuation = nil
      let work = self.work
      let timer = self.timer
      self.work = nil
      self.timer = nil
      lock.unlock()
      timer?.cancel()
      if case .result = run {} else { work?.cancel() }
      continuation?.resume(returning: run)
    }
  }

  static func milliseconds(since start: ContinuousClock.Instant) -> Double {
    (ContinuousClock.now - start).milliseconds
  }

  static func describe(_ duration: Duration) -> String {
    "\(Int(duration.milliseconds.rounded())) ms"
  }

  static func describe(_ error: any Error) -> String {
    if error is CancellationError { return "cancelled" }
    return String(describing: error)
  }
}

/// The outcome of one item's moderation, with the whole trail.
public struct PipelineResult: Sendable, Hashable, Codable {
  /// The item.
  public var item: ModerationItem
  /// The final outcome: pass, block or pending (never escalate).
  public var outcome: StageOutcome
  /// The name of the stage that decided, or `nil` when no stage did (the item is pending
  /// because every stage escalated, failed or was skipped).
  public var decidedBy: String?
  /// Every stage's record, in order: outcome, reason, findings, timing, status.
  public var trail: [StageRecord]
  /// Wall-clock time of the whole run, in milliseconds.
  public var milliseconds: Double

  /// Creates a result.
  public init(
    item: ModerationItem, outcome: StageOutcome, decidedBy: String?, trail: [StageRecord], milliseconds: Double
  ) {
    self.item = item
    self.outcome = outcome
    self.decidedBy = decidedBy
    self.trail = trail
    self.milliseconds = milliseconds
  }

  /// Every finding of every stage, in trail order.
  public var findings: [FindingRecord] { trail.flatMap(\.findings) }

  /// The review ticket, when the item is pending in a review queue.
  public var ticket: String? {
    if case let .pending(ticket, _) = outcome { return ticket }
    return nil
  }
}
