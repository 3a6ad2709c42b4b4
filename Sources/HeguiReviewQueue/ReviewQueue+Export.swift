public import Foundation
import GRDB

// The audit export: every decision with its ticket and occurrences, as JSON Lines.

extension ReviewQueue {
  /// Decisions read per transaction: bounds memory and keeps each read short, so that
  /// reviewers' writes do not wait behind a long export.
  private static let exportBatchSize = 500

  /// Writes every decision (made at or after `since`) as JSON Lines: one ``AuditRecord`` per
  /// line, with the ticket's text, hash, findings and trail and every item that met it.
  ///
  /// - Parameters:
  ///   - output: Receives each line, newline included.
  ///   - since: Only decisions made at or after this time (default: all).
  /// - Returns: The number of records written.
  /// - Throws: ``ReviewQueueError`` when the database fails, or the error `output` throws.
  @discardableResult
  public func exportDecisions(since: Date? = nil, to output: (Data) throws -> Void) async throws -> Int {
    let encoder = Self.jsonEncoder()
    let start = since.map(Self.milliseconds) ?? Int64.min
    var lastID: Int64 = 0
    var written = 0
    while true {
      let after = lastID
      let batch: [AuditRecord] = try await read { db in
        typealias Columns = DecisionRecord.Columns
        let decisions =
          try DecisionRecord
          .filter(Columns.id > after && Columns.decidedAt >= start)
          .order(Columns.id)
          .limit(Self.exportBatchSize)
          .fetchAll(db)
        if decisions.isEmpty { return [] }
        // The batch's tickets and occurrences in one query each, not one per decision.
        let ticketIDs = decisions.map(\.ticketID)
        let tickets = try TicketInfo.request(TicketRecord.filter(keys: ticketIDs)).fetchAll(db)
        let ticketsByID = Dictionary(tickets.map { ($0.ticket.id ?? 0, $0) }) { first, _ in first }
        let occurrences = Dictionary(
          grouping:
            try OccurrenceRecord
            .filter(ticketIDs.contains(OccurrenceRecord.Columns.ticketID))
            .order(OccurrenceRecord.Columns.id)
            .fetchAll(db),
          by: \.ticketID)
        return try decisions.map { record in
          let decision = try record.decision()
          guard let ticket = try ticketsByID[decision.ticket]?.ticket(now: Int64.max, path: self.path) else {
            throw ReviewQueueError(
              .corrupt, "decision #\(decision.id) names ticket #\(decision.ticket), which is missing", path: self.path)
          }
          let met = occurrences[decision.ticket, default: []].map(\.occurrence)
          return AuditRecord(decision: decision, ticket: ticket, occurrences: met)
        }
      }
      if batch.isEmpty { return written }
      for record in batch {
        var line = try encoder.encode(record)
        line.append(0x0A)
        try output(line)
        written += 1
        lastID = record.decision.id
      }
    }
  }
}
