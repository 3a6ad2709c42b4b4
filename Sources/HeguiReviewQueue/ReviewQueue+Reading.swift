import GRDB

// Reading the queue: what `hegui review list` and `show` print; works on a queue opened read-only.

extension ReviewQueue {
  /// Tickets in some states, oldest first.
  ///
  /// - Parameters:
  ///   - states: Which states (default: what waits for a reviewer: pending and claimed).
  ///   - limit: At most this many (default: all).
  /// - Throws: ``ReviewQueueError`` when the database fails.
  public func tickets(in states: Set<TicketState> = [.pending, .claimed], limit: Int? = nil) async throws(ReviewQueueError) -> [Ticket] {
    let now = Self.milliseconds(clock())
    var conditions: [String] = []
    if states.contains(.pending) { conditions.append("t.state = 'pending' OR (t.state = 'claimed' AND t.lease_expires_at <= :now)") }
    if states.contains(.claimed) { conditions.append("(t.state = 'claimed' AND t.lease_expires_at > :now)") }
    if states.contains(.decided) { conditions.append("t.state = 'decided'") }
    guard !conditions.isEmpty else { return [] }
    let sql = Self.ticketSelect + " WHERE " + conditions.map { "(\($0))" }.joined(separator: " OR ")
      + " ORDER BY t.created_at, t.id" + (limit.map { " LIMIT \(max(0, $0))" } ?? "")
    return try await read { db in
      try Row.fetchAll(db, sql: sql, arguments: ["now": now]).map { try self.ticket(from: $0, now: now) }
    }
  }

  /// One ticket, with its claim and decision.
  ///
  /// - Parameter id: The ticket's id.
  /// - Returns: The ticket, or `nil` when there is none with that id.
  /// - Throws: ``ReviewQueueError`` when the database fails.
  public func ticket(_ id: Int64) async throws(ReviewQueueError) -> Ticket? {
    let now = Self.milliseconds(clock())
    return try await read { db in try self.fetchTicket(id, now: now, in: db) }
  }

  /// Every item that met a ticket, in order.
  ///
  /// - Parameter ticket: The ticket's id.
  /// - Throws: ``ReviewQueueError`` when the database fails.
  public func occurrences(ofTicket ticket: Int64) async throws(ReviewQueueError) -> [Occurrence] {
    try await read { db in try Self.fetchOccurrences(ticket, in: db) }
  }

  /// How many tickets are in each state now.
  ///
  /// - Throws: ``ReviewQueueError`` when the database fails.
  public func counts() async throws(ReviewQueueError) -> [TicketState: Int] {
    let now = Self.milliseconds(clock())
    return try await read { db in
      let row = try Row.fetchOne(
        db,
        sql: """
          SELECT
            count(*) FILTER (WHERE state = 'pending' OR (state = 'claimed' AND lease_expires_at <= ?)) AS pending,
            count(*) FILTER (WHERE state = 'claimed' AND lease_expires_at > ?) AS claimed,
            count(*) FILTER (WHERE state = 'decided') AS decided
          FROM ticket
          """,
        arguments: [now, now])
      return [
        .pending: row?["pending"] ?? 0, .claimed: row?["claimed"] ?? 0, .decided: row?["decided"] ?? 0,
      ]
    }
  }

  /// Every decision, in the order they were made.
  ///
  /// - Throws: ``ReviewQueueError`` when the database fails.
  public func decisions() async throws(ReviewQueueError) -> [Decision] {
    try await read { db in
      try Row.fetchAll(db, sql: "SELECT * FROM decision ORDER BY id").map(Self.decision(from:))
    }
  }

  /// Checks the database file with SQLite's `PRAGMA integrity_check`.
  ///
  /// - Returns: SQLite's messages; `["ok"]` for a sound file.
  /// - Throws: ``ReviewQueueError`` when the check cannot run.
  public func integrityCheck() async throws(ReviewQueueError) -> [String] {
    try await read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
  }
}
