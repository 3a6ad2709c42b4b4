import Foundation
import GRDB
import Hegui

// Rows of the queue's tables, read into the public values.

extension ReviewQueue {
  static let ticketSelect = """
    SELECT t.*, d.id AS d_id, d.reviewer AS d_reviewer, d.verdict AS d_verdict, d.note AS d_note,
      d.decided_at AS d_decided_at, (SELECT count(*) FROM occurrence o WHERE o.ticket_id = t.id) AS occurrences
    FROM ticket t LEFT JOIN decision d ON d.ticket_id = t.id
    """

  func fetchTicket(_ id: Int64, now: Int64, in db: Database) throws -> Ticket? {
    guard let row = try Row.fetchOne(db, sql: Self.ticketSelect + " WHERE t.id = ?", arguments: [id]) else { return nil }
    return try ticket(from: row, now: now)
  }

  func requireTicket(_ id: Int64, now: Int64, in db: Database) throws -> Ticket {
    guard let ticket = try fetchTicket(id, now: now, in: db) else {
      throw ReviewQueueError(.ticketNotFound, "there is no ticket #\(id)", path: path)
    }
    return ticket
  }

  func ticket(from row: Row, now: Int64) throws -> Ticket {
    let decoder = JSONDecoder()
    let id: Int64 = row["id"]
    func decode<T: Decodable>(_ type: T.Type, _ column: String) throws -> T {
      let text: String = row[column]
      do {
        return try decoder.decode(type, from: Data(text.utf8))
      } catch {
        throw ReviewQueueError(.corrupt, "ticket #\(id): the stored \(column) cannot be read: \(error)", path: path)
      }
    }
    let item = ModerationItem(id: row["item_id"], text: row["text"], context: try decode(CheckContext.self, "context"))
    var state = TicketState(rawValue: row["state"]) ?? .pending
    var claim: Claim?
    if state == .claimed, let reviewer: String = row["claimed_by"], let expires: Int64 = row["lease_expires_at"] {
      if expires > now {
        claim = Claim(reviewer: reviewer, claimedAt: Self.date(row["claimed_at"] ?? expires), expiresAt: Self.date(expires))
      } else {
        state = .pending
      }
    }
    var decision: Decision?
    if let decisionID: Int64 = row["d_id"] {
      decision = Decision(
        id: decisionID, ticket: id, reviewer: row["d_reviewer"], verdict: ReviewVerdict(rawValue: row["d_verdict"]) ?? .reject,
        note: row["d_note"], decidedAt: Self.date(row["d_decided_at"]))
      state = .decided
      claim = nil
    }
    return Ticket(
      id: id, textHash: row["text_hash"], item: item, findings: try decode([FindingRecord].self, "findings"),
      trail: try decode([StageRecord].self, "trail"), state: state, claim: claim, decision: decision,
      createdAt: Self.date(row["created_at"]), updatedAt: Self.date(row["updated_at"]), occurrences: row["occurrences"])
  }

  static func decision(forTicket id: Int64, in db: Database) throws -> Decision? {
    try Row.fetchOne(db, sql: "SELECT * FROM decision WHERE ticket_id = ?", arguments: [id]).map(decision(from:))
  }

  static func decision(from row: Row) throws -> Decision {
    let verdict: String = row["verdict"]
    guard let value = ReviewVerdict(rawValue: verdict) else {
      throw ReviewQueueError(.corrupt, "decision #\(row["id"] as Int64) has the unknown verdict '\(verdict)'")
    }
    return Decision(
      id: row["id"], ticket: row["ticket_id"], reviewer: row["reviewer"], verdict: value, note: row["note"],
      decidedAt: date(row["decided_at"]))
  }

  static func fetchOccurrences(_ ticket: Int64, in db: Database) throws -> [Occurrence] {
    try Row.fetchAll(db, sql: "SELECT * FROM occurrence WHERE ticket_id = ? ORDER BY id", arguments: [ticket]).map { row in
      Occurrence(itemID: row["item_id"], kind: Occurrence.Kind(rawValue: row["kind"]) ?? .duplicate, at: date(row["at"]))
    }
  }
}
