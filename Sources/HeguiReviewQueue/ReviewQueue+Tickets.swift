import Foundation
import GRDB
public import Hegui

// A ticket's life: enqueued (or answered from precedent), claimed, released, decided.

extension ReviewQueue {
  // MARK: Enqueueing

  /// Puts an item in the queue, or answers it from precedent.
  ///
  /// When a ticket with the same normalised text is waiting (pending or claimed), the item joins
  /// it; when that ticket is decided, the decision is returned and no ticket is created. Every
  /// call is recorded as an ``Occurrence`` of the ticket. The change is committed and synced to
  /// disk before this returns.
  ///
  /// - Parameters:
  ///   - item: The item.
  ///   - trail: The stages' records so far (they explain why the item is here).
  /// - Returns: The ticket, or the precedent decision.
  /// - Throws: ``ReviewQueueError`` when the database fails.
  @discardableResult
  public func enqueue(_ item: ModerationItem, trail: [StageRecord]) async throws(ReviewQueueError) -> EnqueueResult {
    let hash = Self.textHash(item.text)
    let encoder = Self.jsonEncoder()
    let context: String
    let findings: String
    let trailJSON: String
    do {
      context = String(decoding: try encoder.encode(item.context), as: UTF8.self)
      findings = String(decoding: try encoder.encode(trail.flatMap(\.findings)), as: UTF8.self)
      trailJSON = String(decoding: try encoder.encode(trail), as: UTF8.self)
    } catch {
      throw ReviewQueueError(.invalidArgument, "the item cannot be stored: \(error)", path: path)
    }
    let now = Self.milliseconds(clock())
    return try await write { db in
      if let existing = try TicketRecord.filter(TicketRecord.Columns.textHash == hash).fetchOne(db),
        let id = existing.id
      {
        if existing.state == TicketState.decided.rawValue,
          let decision = try Self.fetchDecision(forTicket: id, in: db)
        {
          try OccurrenceRecord(ticketID: id, itemID: item.id, kind: .precedent, at: now).insert(db)
          return .precedent(decision)
        }
        try OccurrenceRecord(ticketID: id, itemID: item.id, kind: .duplicate, at: now).insert(db)
        return .ticket(id: id, isNew: false)
      }
      let ticket = TicketRecord(
        id: nil, textHash: hash, itemID: item.id, text: item.text, context: context, findings: findings,
        trail: trailJSON, state: TicketState.pending.rawValue, claimedBy: nil, claimedAt: nil, leaseExpiresAt: nil,
        createdAt: now, updatedAt: now)
      try ticket.insert(db)
      let id = db.lastInsertedRowID
      try OccurrenceRecord(ticketID: id, itemID: item.id, kind: .new, at: now).insert(db)
      return .ticket(id: id, isNew: true)
    }
  }

  /// The decision on a text, when the same normalised text was already decided.
  ///
  /// - Parameter text: The original text.
  /// - Throws: ``ReviewQueueError`` when the database fails.
  public func precedent(for text: String) async throws(ReviewQueueError) -> Decision? {
    let hash = Self.textHash(text)
    return try await read { db in
      guard
        let id =
          try TicketRecord
          .filter(TicketRecord.Columns.textHash == hash && TicketRecord.isDecided)
          .select(TicketRecord.Columns.id, as: Int64.self)
          .fetchOne(db)
      else { return nil }
      return try Self.fetchDecision(forTicket: id, in: db)
    }
  }

  // MARK: Claiming

  /// Claims the oldest waiting ticket (pending, or claimed with a lease that ran out).
  ///
  /// - Parameters:
  ///   - reviewer: Who claims it.
  ///   - lease: How long the claim holds; after it, the ticket is pending again.
  /// - Returns: The claimed ticket, or `nil` when nothing waits.
  /// - Throws: ``ReviewQueueError`` (`invalidArgument` for an empty reviewer or a lease that is
  ///   not positive).
  public func claim(reviewer: String, lease: Duration) async throws(ReviewQueueError) -> Ticket? {
    try Self.validate(reviewer: reviewer, lease: lease)
    let now = Self.milliseconds(clock())
    let expires = now + lease.wholeMilliseconds
    // One write transaction (SQLite has one writer at a time): no other claimer can take the
    // same ticket between the SELECT and the UPDATE.
    return try await write { db in
      guard
        let id =
          try TicketRecord
          .filter(TicketRecord.isWaiting(at: now))
          .order(TicketRecord.oldestFirst)
          .select(TicketRecord.Columns.id, as: Int64.self)
          .fetchOne(db)
      else { return nil }
      try Self.setClaim(ticket: id, reviewer: reviewer, now: now, expires: expires, in: db)
      return try self.fetchTicket(id, now: now, in: db)
    }
  }

  /// Claims one ticket, or renews your own claim on it.
  ///
  /// - Parameters:
  ///   - ticket: The ticket's id.
  ///   - reviewer: Who claims it.
  ///   - lease: How long the claim holds.
  /// - Returns: The claimed ticket.
  /// - Throws: ``ReviewQueueError``: `ticketNotFound`, `alreadyDecided`, or `claimedByOther`
  ///   while another reviewer's lease runs.
  public func claim(ticket: Int64, reviewer: String, lease: Duration) async throws(ReviewQueueError) -> Ticket {
    try Self.validate(reviewer: reviewer, lease: lease)
    let now = Self.milliseconds(clock())
    let expires = now + lease.wholeMilliseconds
    return try await write { db in
      let ticket = try self.requireTicket(ticket, now: now, in: db)
      if let decision = ticket.decision { throw self.alreadyDecided(ticket.id, decision) }
      if let claim = ticket.claim, claim.reviewer != reviewer { throw self.claimedByOther(ticket.id, claim) }
      try Self.setClaim(ticket: ticket.id, reviewer: reviewer, now: now, expires: expires, in: db)
      return try self.requireTicket(ticket.id, now: now, in: db)
    }
  }

  /// Gives a claimed ticket back to the queue before its lease runs out.
  ///
  /// - Parameters:
  ///   - ticket: The ticket's id.
  ///   - reviewer: The reviewer holding the claim.
  /// - Throws: ``ReviewQueueError``: `ticketNotFound`, `alreadyDecided`, `notClaimed`.
  public func release(ticket: Int64, reviewer: String) async throws(ReviewQueueError) {
    let now = Self.milliseconds(clock())
    try await write { db in
      let ticket = try self.requireTicket(ticket, now: now, in: db)
      if let decision = ticket.decision { throw self.alreadyDecided(ticket.id, decision) }
      guard let claim = ticket.claim, claim.reviewer == reviewer else {
        throw ReviewQueueError(.notClaimed, "ticket #\(ticket.id) is not claimed by \(reviewer)", path: self.path)
      }
      typealias Columns = TicketRecord.Columns
      try TicketRecord.filter(key: ticket.id).updateAll(
        db, Columns.state.set(to: TicketState.pending.rawValue), Columns.claimedBy.set(to: nil),
        Columns.claimedAt.set(to: nil), Columns.leaseExpiresAt.set(to: nil), Columns.updatedAt.set(to: now))
    }
  }

  private static func setClaim(ticket: Int64, reviewer: String, now: Int64, expires: Int64, in db: Database) throws {
    typealias Columns = TicketRecord.Columns
    try TicketRecord.filter(key: ticket).filter(!TicketRecord.isDecided).updateAll(
      db, Columns.state.set(to: TicketState.claimed.rawValue), Columns.claimedBy.set(to: reviewer),
      Columns.claimedAt.set(to: now), Columns.leaseExpiresAt.set(to: expires), Columns.updatedAt.set(to: now))
  }

  private static func validate(reviewer: String, lease: Duration) throws(ReviewQueueError) {
    if reviewer.trimmingCharacters(in: .whitespaces).isEmpty {
      throw ReviewQueueError(.invalidArgument, "a reviewer name is required")
    }
    if lease <= .zero { throw ReviewQueueError(.invalidArgument, "a lease must be longer than zero") }
  }

  // MARK: Deciding

  /// Decides a ticket. Exactly one decision is ever recorded per ticket.
  ///
  /// The reviewer may decide a pending ticket, their own claim (even after its lease ran out, as
  /// long as nobody else claimed it since), but not a ticket another reviewer holds.
  ///
  /// - Parameters:
  ///   - ticket: The ticket's id.
  ///   - reviewer: Who decides.
  ///   - verdict: approve, reject or require edit.
  ///   - note: Why; required for `require-edit` (what to change).
  /// - Returns: The recorded decision.
  /// - Throws: ``ReviewQueueError``: `ticketNotFound`; `alreadyDecided` when someone decided
  ///   first (the error names who); `claimedByOther`; `invalidArgument`.
  @discardableResult
  public func decide(
    ticket: Int64, reviewer: String, verdict: ReviewVerdict, note: String = ""
  ) async throws(ReviewQueueError) -> Decision {
    if reviewer.trimmingCharacters(in: .whitespaces).isEmpty {
      throw ReviewQueueError(.invalidArgument, "a reviewer name is required", path: path)
    }
    if verdict == .requireEdit && note.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
      throw ReviewQueueError(.invalidArgument, "require-edit needs a note saying what to change", path: path)
    }
    let now = Self.milliseconds(clock())
    do {
      return try await write { db in
        let current = try self.requireTicket(ticket, now: now, in: db)
        if let decision = current.decision { throw self.alreadyDecided(ticket, decision) }
        if let claim = current.claim, claim.reviewer != reviewer { throw self.claimedByOther(ticket, claim) }
        let record = DecisionRecord(
          id: nil, ticketID: ticket, reviewer: reviewer, verdict: verdict.rawValue, note: note, decidedAt: now)
        try record.insert(db)
        let id = db.lastInsertedRowID
        typealias Columns = TicketRecord.Columns
        try TicketRecord.filter(key: ticket).filter(!TicketRecord.isDecided).updateAll(
          db, Columns.state.set(to: TicketState.decided.rawValue), Columns.updatedAt.set(to: now))
        return Decision(
          id: id, ticket: ticket, reviewer: reviewer, verdict: verdict, note: note, decidedAt: Self.date(now))
      }
    } catch  where error.code == .database {
      // The unique index on decision(ticket_id) is the last line of defence against a race.
      if let decision = try? await read({ db in try Self.fetchDecision(forTicket: ticket, in: db) }) {
        throw alreadyDecided(ticket, decision)
      }
      throw error
    }
  }

  private func alreadyDecided(_ ticket: Int64, _ decision: Decision) -> ReviewQueueError {
    ReviewQueueError(
      .alreadyDecided,
      "ticket #\(ticket) was already decided (\(decision.verdict.rawValue)) by \(decision.reviewer) "
        + "at \(Self.format(decision.decidedAt))",
      path: path)
  }

  private func claimedByOther(_ ticket: Int64, _ claim: Claim) -> ReviewQueueError {
    ReviewQueueError(
      .claimedByOther, "ticket #\(ticket) is claimed by \(claim.reviewer) until \(Self.format(claim.expiresAt))",
      path: path)
  }
}
