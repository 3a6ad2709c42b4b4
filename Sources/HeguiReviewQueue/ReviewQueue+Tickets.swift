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
    let findings = trail.flatMap(\.findings)
    let encoder = Self.jsonEncoder()
    let context: String
    let findingsJSON: String
    let trailJSON: String
    do {
      context = String(decoding: try encoder.encode(item.context), as: UTF8.self)
      findingsJSON = String(decoding: try encoder.encode(findings), as: UTF8.self)
      trailJSON = String(decoding: try encoder.encode(trail), as: UTF8.self)
    } catch {
      throw ReviewQueueError(.invalidArgument, "the item cannot be stored: \(error)", path: path)
    }
    let now = Self.milliseconds(clock())
    return try await write { db in
      if let row = try Row.fetchOne(db, sql: "SELECT id, state FROM ticket WHERE text_hash = ?", arguments: [hash]) {
        let id: Int64 = row["id"]
        let state: String = row["state"]
        if state == TicketState.decided.rawValue, let decision = try Self.decision(forTicket: id, in: db) {
          try Self.recordOccurrence(ticket: id, itemID: item.id, kind: .precedent, at: now, in: db)
          return .precedent(decision)
        }
        try Self.recordOccurrence(ticket: id, itemID: item.id, kind: .duplicate, at: now, in: db)
        return .ticket(id: id, isNew: false)
      }
      try db.execute(
        sql: """
          INSERT INTO ticket (text_hash, item_id, text, context, findings, trail, state, created_at, updated_at)
          VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)
          """,
        arguments: [hash, item.id, item.text, context, findingsJSON, trailJSON, now, now])
      let id = db.lastInsertedRowID
      try Self.recordOccurrence(ticket: id, itemID: item.id, kind: .new, at: now, in: db)
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
      guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM ticket WHERE text_hash = ? AND state = 'decided'", arguments: [hash])
      else { return nil }
      return try Self.decision(forTicket: id, in: db)
    }
  }

  private static func recordOccurrence(ticket: Int64, itemID: String, kind: Occurrence.Kind, at now: Int64, in db: Database) throws {
    try db.execute(
      sql: "INSERT INTO occurrence (ticket_id, item_id, kind, at) VALUES (?, ?, ?, ?)",
      arguments: [ticket, itemID, kind.rawValue, now])
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
    let expires = now + Self.milliseconds(lease)
    return try await write { db in
      guard
        let id = try Int64.fetchOne(
          db,
          sql: """
            SELECT id FROM ticket
            WHERE state = 'pending' OR (state = 'claimed' AND lease_expires_at <= ?)
            ORDER BY created_at, id LIMIT 1
            """,
          arguments: [now])
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
    let expires = now + Self.milliseconds(lease)
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
      try db.execute(
        sql: """
          UPDATE ticket SET state = 'pending', claimed_by = NULL, claimed_at = NULL, lease_expires_at = NULL,
            updated_at = ? WHERE id = ?
          """,
        arguments: [now, ticket.id])
    }
  }

  private static func setClaim(ticket: Int64, reviewer: String, now: Int64, expires: Int64, in db: Database) throws {
    try db.execute(
      sql: """
        UPDATE ticket SET state = 'claimed', claimed_by = ?, claimed_at = ?, lease_expires_at = ?, updated_at = ?
        WHERE id = ? AND state <> 'decided'
        """,
      arguments: [reviewer, now, expires, now, ticket])
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
  public func decide(ticket: Int64, reviewer: String, verdict: ReviewVerdict, note: String = "") async throws(ReviewQueueError) -> Decision {
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
        try db.execute(
          sql: "INSERT INTO decision (ticket_id, reviewer, verdict, note, decided_at) VALUES (?, ?, ?, ?, ?)",
          arguments: [ticket, reviewer, verdict.rawValue, note, now])
        let id = db.lastInsertedRowID
        try db.execute(
          sql: "UPDATE ticket SET state = 'decided', updated_at = ? WHERE id = ? AND state <> 'decided'", arguments: [now, ticket])
        return Decision(id: id, ticket: ticket, reviewer: reviewer, verdict: verdict, note: note, decidedAt: Self.date(now))
      }
    } catch where error.code == .database {
      // The unique index on decision(ticket_id) is the last line of defence against a race.
      if let decision = try? await read({ db in try Self.decision(forTicket: ticket, in: db) }) {
        throw alreadyDecided(ticket, decision)
      }
      throw error
    }
  }

  private func alreadyDecided(_ ticket: Int64, _ decision: Decision) -> ReviewQueueError {
    ReviewQueueError(
      .alreadyDecided,
      "ticket #\(ticket) was already decided (\(decision.verdict.rawValue)) by \(decision.reviewer) at \(Self.format(decision.decidedAt))",
      path: path)
  }

  private func claimedByOther(_ ticket: Int64, _ claim: Claim) -> ReviewQueueError {
    ReviewQueueError(
      .claimedByOther, "ticket #\(ticket) is claimed by \(claim.reviewer) until \(Self.format(claim.expiresAt))", path: path)
  }
}
