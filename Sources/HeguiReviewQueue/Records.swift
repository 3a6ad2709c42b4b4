import Foundation
import GRDB
import Hegui

// The queue's tables as GRDB records, and their conversion to the public values.
//
// A record mirrors its table column for column, with the database's own types (text, integer
// milliseconds, JSON text); the conversion to `Ticket`, `Decision` and `Occurrence` happens in one
// place, here, and says which stored value could not be read. The CHECK constraints of the schema
// keep `state`, `verdict` and `kind` within their enums.

/// A row of `ticket`.
struct TicketRecord: Codable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "ticket"

  /// `nil` in a row to insert: SQLite assigns it.
  var id: Int64?
  var textHash: String
  var itemID: String
  var text: String
  /// `CheckContext` as JSON.
  var context: String
  /// `[FindingRecord]` as JSON.
  var findings: String
  /// `[StageRecord]` as JSON.
  var trail: String
  /// A `TicketState` raw value; `claimed` with a lease in the past reads as pending.
  var state: String
  var claimedBy: String?
  var claimedAt: Int64?
  var leaseExpiresAt: Int64?
  var createdAt: Int64
  var updatedAt: Int64

  enum CodingKeys: String, CodingKey {
    case id, text, context, findings, trail, state
    case textHash = "text_hash"
    case itemID = "item_id"
    case claimedBy = "claimed_by"
    case claimedAt = "claimed_at"
    case leaseExpiresAt = "lease_expires_at"
    case createdAt = "created_at"
    case updatedAt = "updated_at"
  }

  enum Columns {
    static let id = Column(CodingKeys.id)
    static let textHash = Column(CodingKeys.textHash)
    static let state = Column(CodingKeys.state)
    static let claimedBy = Column(CodingKeys.claimedBy)
    static let claimedAt = Column(CodingKeys.claimedAt)
    static let leaseExpiresAt = Column(CodingKeys.leaseExpiresAt)
    static let createdAt = Column(CodingKeys.createdAt)
    static let updatedAt = Column(CodingKeys.updatedAt)
  }

  static var decision: HasOneAssociation<TicketRecord, DecisionRecord> {
    hasOne(DecisionRecord.self, using: DecisionRecord.ticketForeignKey)
  }

  static var occurrences: HasManyAssociation<TicketRecord, OccurrenceRecord> {
    hasMany(OccurrenceRecord.self, using: OccurrenceRecord.ticketForeignKey)
  }

  /// Waiting for a reviewer at `now`: pending, or claimed with a lease that ran out.
  static func isWaiting(at now: Int64) -> SQLExpression {
    Columns.state == TicketState.pending.rawValue
      || (Columns.state == TicketState.claimed.rawValue && Columns.leaseExpiresAt <= now)
  }

  /// Held by a live lease at `now`.
  static func isClaimed(at now: Int64) -> SQLExpression {
    Columns.state == TicketState.claimed.rawValue && Columns.leaseExpiresAt > now
  }

  /// Decided (final).
  static var isDecided: SQLExpression { Columns.state == TicketState.decided.rawValue }

  /// Oldest first: the order of the list and of claims.
  static var oldestFirst: [SQLOrdering] { [Columns.createdAt.asc, Columns.id.asc] }
}

/// A row of `decision`. The database refuses to update or delete one.
struct DecisionRecord: Codable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "decision"
  static let ticketForeignKey = ForeignKey([Columns.ticketID])

  /// `nil` in a row to insert: SQLite assigns it.
  var id: Int64?
  var ticketID: Int64
  var reviewer: String
  /// A `ReviewVerdict` raw value.
  var verdict: String
  var note: String
  var decidedAt: Int64

  enum CodingKeys: String, CodingKey {
    case id, reviewer, verdict, note
    case ticketID = "ticket_id"
    case decidedAt = "decided_at"
  }

  enum Columns {
    static let id = Column(CodingKeys.id)
    static let ticketID = Column(CodingKeys.ticketID)
    static let decidedAt = Column(CodingKeys.decidedAt)
  }

  /// The public value. Throws `corrupt` for a verdict this library does not know.
  func decision() throws -> Decision {
    let id = self.id ?? 0
    guard let value = ReviewVerdict(rawValue: verdict) else {
      throw ReviewQueueError(.corrupt, "decision #\(id) has the unknown verdict '\(verdict)'")
    }
    return Decision(
      id: id, ticket: ticketID, reviewer: reviewer, verdict: value, note: note, decidedAt: ReviewQueue.date(decidedAt))
  }
}

/// A row of `occurrence`: one item that met a ticket.
struct OccurrenceRecord: Codable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "occurrence"
  static let ticketForeignKey = ForeignKey([Columns.ticketID])

  /// `nil` in a row to insert: SQLite assigns it.
  var id: Int64?
  var ticketID: Int64
  var itemID: String
  /// An `Occurrence.Kind` raw value.
  var kind: String
  var at: Int64

  enum CodingKeys: String, CodingKey {
    case id, kind, at
    case ticketID = "ticket_id"
    case itemID = "item_id"
  }

  enum Columns {
    static let id = Column(CodingKeys.id)
    static let ticketID = Column(CodingKeys.ticketID)
  }

  init(ticketID: Int64, itemID: String, kind: Occurrence.Kind, at: Int64) {
    self.ticketID = ticketID
    self.itemID = itemID
    self.kind = kind.rawValue
    self.at = at
  }

  /// The public value.
  var occurrence: Occurrence {
    Occurrence(itemID: itemID, kind: Occurrence.Kind(rawValue: kind) ?? .duplicate, at: ReviewQueue.date(at))
  }
}

/// A ticket with its decision, if any, and how many items met it: what ``Ticket`` shows.
struct TicketInfo: Decodable, FetchableRecord {
  var ticket: TicketRecord
  var decision: DecisionRecord?
  var occurrenceCount: Int

  /// `ticket LEFT JOIN decision`, with the count of occurrences, for the tickets `base` selects.
  static func request(_ base: QueryInterfaceRequest<TicketRecord>) -> QueryInterfaceRequest<TicketInfo> {
    base
      .including(optional: TicketRecord.decision)
      .annotated(with: TicketRecord.occurrences.count.forKey("occurrenceCount"))
      .asRequest(of: TicketInfo.self)
  }

  /// The public value, as it reads at `now` (a claim whose lease ran out reads as pending).
  ///
  /// - Throws: ``ReviewQueueError`` (`corrupt`) when a stored JSON column cannot be decoded.
  func ticket(now: Int64, path: String) throws -> Ticket {
    let id = ticket.id ?? 0
    let decoder = JSONDecoder()
    func decode<T: Decodable>(_ type: T.Type, _ text: String, _ column: TicketRecord.CodingKeys) throws -> T {
      do {
        return try decoder.decode(type, from: Data(text.utf8))
      } catch {
        throw ReviewQueueError(
          .corrupt, "ticket #\(id): the stored \(column.rawValue) cannot be read: \(error)", path: path)
      }
    }
    let context = try decode(CheckContext.self, ticket.context, .context)
    let item = ModerationItem(id: ticket.itemID, text: ticket.text, context: context)
    var state = TicketState(rawValue: ticket.state) ?? .pending
    var claim: Claim?
    if state == .claimed, let reviewer = ticket.claimedBy, let expires = ticket.leaseExpiresAt {
      if expires > now {
        claim = Claim(
          reviewer: reviewer, claimedAt: ReviewQueue.date(ticket.claimedAt ?? expires),
          expiresAt: ReviewQueue.date(expires))
      } else {
        state = .pending
      }
    }
    var decided: Decision?
    if let decision {
      decided = try decision.decision()
      state = .decided
      claim = nil
    }
    return Ticket(
      id: id, textHash: ticket.textHash, item: item,
      findings: try decode([FindingRecord].self, ticket.findings, .findings),
      trail: try decode([StageRecord].self, ticket.trail, .trail), state: state, claim: claim, decision: decided,
      createdAt: ReviewQueue.date(ticket.createdAt), updatedAt: ReviewQueue.date(ticket.updatedAt),
      occurrences: occurrenceCount)
  }
}

// MARK: Queries the queue's jobs share

extension ReviewQueue {
  /// One ticket as it reads at `now`, or `nil`.
  func fetchTicket(_ id: Int64, now: Int64, in db: Database) throws -> Ticket? {
    try TicketInfo.request(TicketRecord.filter(key: id)).fetchOne(db)?.ticket(now: now, path: path)
  }

  /// One ticket as it reads at `now`; `ticketNotFound` when there is none.
  func requireTicket(_ id: Int64, now: Int64, in db: Database) throws -> Ticket {
    guard let ticket = try fetchTicket(id, now: now, in: db) else {
      throw ReviewQueueError(.ticketNotFound, "there is no ticket #\(id)", path: path)
    }
    return ticket
  }

  /// The decision on a ticket, if it has one.
  static func fetchDecision(forTicket id: Int64, in db: Database) throws -> Decision? {
    try DecisionRecord.filter(DecisionRecord.Columns.ticketID == id).fetchOne(db)?.decision()
  }

  /// Every item that met a ticket, in order.
  static func fetchOccurrences(_ ticket: Int64, in db: Database) throws -> [Occurrence] {
    try OccurrenceRecord
      .filter(OccurrenceRecord.Columns.ticketID == ticket)
      .order(OccurrenceRecord.Columns.id)
      .fetchAll(db)
      .map(\.occurrence)
  }
}
