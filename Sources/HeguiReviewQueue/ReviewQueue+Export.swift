public import Foundation
import GRDB

// The audit export: every decision with its ticket and occurrences, as JSON Lines.

extension ReviewQueue {
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
        let rows = try Row.fetchAll(
          db, sql: "SELECT * FROM decision WHERE id > ? AND decided_at >= ? ORDER BY id LIMIT 500", arguments: [after, start])
        return try rows.map { row in
          let decision = try Self.decision(from: row)
          guard let ticket = try self.fetchTicket(decision.ticket, now: Int64.max, in: db) else {
            throw ReviewQueueError(.corrupt, "decision #\(decision.id) names ticket #\(decision.ticket), which is missing", path: self.path)
          }
          return AuditRecord(decision: decision, ticket: ticket, occurrences: try Self.fetchOccurrences(decision.ticket, in: db))
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
