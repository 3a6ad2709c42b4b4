import Foundation
public import Hegui

/// Tier 2 (中级) as a pipeline stage: puts the item in the human review queue.
///
/// The item waits as a ticket and the stage returns `pending` with the ticket's id, so the
/// pipeline stops there until a person decides. When the same normalised text was already
/// decided, the stage answers from that precedent instead, and says so in its reason:
/// approve → pass, reject → block, require edit → block (with the reviewer's note).
///
/// The stage throws when the queue cannot be written; the pipeline then records the failure and
/// the item is pending without a ticket — never passed.
public struct ReviewStage: ModerationStage {
  /// The name shown in trails (`review` by default).
  public let name: String
  /// The queue tickets go to.
  public let queue: ReviewQueue

  /// Creates the stage.
  ///
  /// - Parameters:
  ///   - name: The name shown in trails.
  ///   - queue: The queue to put items in.
  public init(name: String = "review", queue: ReviewQueue) {
    self.name = name
    self.queue = queue
  }

  /// Enqueues the item (pending with its ticket), or answers it from a precedent decision.
  ///
  /// - Parameters:
  ///   - item: The item.
  ///   - trail: The earlier stages' records, stored with the ticket to show the reviewer why the
  ///     item is here.
  /// - Returns: pending with the ticket id, or pass/block from precedent.
  /// - Throws: ``ReviewQueueError`` when the queue cannot be written.
  public func evaluate(_ item: ModerationItem, trail: [StageRecord]) async throws -> StageResult {
    switch try await queue.enqueue(item, trail: trail) {
    case let .ticket(id, isNew):
      let reason =
        isNew
        ? "waiting for human review as ticket #\(id)"
        : "the same text already waits for human review as ticket #\(id)"
      return StageResult(.pending(ticket: String(id), reason: reason))
    case let .precedent(decision):
      let note = decision.note.isEmpty ? "" : ": \(decision.note)"
      let precedent =
        "precedent: ticket #\(decision.ticket), the same text, was decided by \(decision.reviewer) at "
        + ReviewQueue.format(decision.decidedAt)
      switch decision.verdict {
      case .approve:
        return StageResult(.pass(reason: "\(precedent) (approve)\(note)"))
      case .reject:
        return StageResult(.block(reason: "\(precedent) (reject)\(note)"))
      case .requireEdit:
        return StageResult(.block(reason: "\(precedent) (require edit)\(note)"))
      }
    }
  }

  /// Builds `type: review` stages from a pipeline file.
  ///
  /// Option: `database` (the queue file, relative to the pipeline file). A queue given to the
  /// factory (the CLI's `--db`) takes precedence over the option.
  public struct Factory: StageFactory {
    /// `review`.
    public let type = "review"
    /// The options of a `review` stage.
    public let optionKeys = ["database"]
    private let queue: ReviewQueue?
    private let busyTimeout: Duration

    /// Creates the factory.
    ///
    /// - Parameters:
    ///   - queue: An open queue for every `review` stage to use; when `nil`, each stage opens the
    ///     `database` its options name.
    ///   - busyTimeout: How long the queues the stages open wait for other processes (see
    ///     ``ReviewQueue/open(path:readOnly:busyTimeout:clock:)``).
    public init(queue: ReviewQueue? = nil, busyTimeout: Duration = .seconds(10)) {
      self.queue = queue
      self.busyTimeout = busyTimeout
    }

    /// Builds a ``ReviewStage``.
    ///
    /// - Throws: `HeguiError` (`invalidConfiguration`) when no queue is given and the stage
    ///   names no `database`, or when that database cannot be opened.
    public func makeStage(_ definition: StageDefinition) throws -> any ModerationStage {
      if let queue { return ReviewStage(name: definition.name, queue: queue) }
      guard let url = try definition.options.path("database") else {
        throw HeguiError(
          .invalidConfiguration,
          "the '\(definition.name)' stage needs a review queue: add 'database: FILE' to it, or give --db",
          at: definition.location)
      }
      do {
        return ReviewStage(
          name: definition.name, queue: try ReviewQueue.open(path: url.path, busyTimeout: busyTimeout))
      } catch {
        throw HeguiError(
          .invalidConfiguration, "the review queue cannot be opened: \(error)",
          at: definition.options.location(of: "database"),
          underlying: error)
      }
    }
  }
}

extension StageRegistry {
  /// Registers the `review` stage type (``ReviewStage``).
  ///
  /// - Parameters:
  ///   - queue: An open queue for every `review` stage; when `nil`, each stage opens the
  ///     `database` its options name.
  ///   - busyTimeout: How long the queues the stages open wait for other processes.
  public mutating func registerReviewStage(queue: ReviewQueue? = nil, busyTimeout: Duration = .seconds(10)) {
    register(ReviewStage.Factory(queue: queue, busyTimeout: busyTimeout))
  }
}
