import GRDB

// Reading the queue: what `hegui review list` and `show` print; works on a queue opened read-only.

extension ReviewQueue {
  /// Tickets in some states, oldest first.
  ///
  /// - Parameters:
  ///   - states: Which states (default: what waits for a reviewer: pending and claimed).
  ///   - limit: At most this many (default: all).
  /// - Throws: ``ReviewQueueError`` when the database fails.
  public func tickets(
    in states: Set<TicketState> = [.pending, .claimed], limit: Int? = nil
  ) async throws(ReviewQueueError) -> [Ticket] {
    let now = Self.milliseconds(clock())
    var conditions: [SQLExpression] = []
    if states.contains(.pending) { conditions.append(TicketRecord.isWaiting(at: now)) }
    if states.contains(.claimed) { conditions.append(TicketRecord.isClaimed(at: now)) }
    if states.contains(.decided) { conditions.append(TicketRecord.isDecided) }
    guard !conditions.isEmpty else { return [] }
    var request = TicketRecord.filter(conditions.joined(operator: .or)).order(TicketRecord.oldestFirst)
    if let limit { request = request.limit(max(0, limit)) }
    let tickets = TicketInfo.request(request)
    return try await read { db in
      try tickets.fetchAll(db).map { try $0.ticket(now: now, path: self.path) }
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
    // One read, one snapshot: the three counts add up even while others write.
    return try await read { db in
      [
        .pending: try TicketRecord.filter(TicketRecord.isWaiting(at: now)).fetchCount(db),
        .claimed: try TicketRecord.filter(TicketRecord.isClaimed(at: now)).fetchCount(db),
        .decided: try TicketRecord.filter(TicketRecord.isDecided).fetchCount(db),
      ]
    }
  }

  /// Every decision, in the order they were made.
  ///
  /// - Throws: ``ReviewQueueError`` when the database fails.
  public func decisions() async throws(ReviewQueueError) -> [Decision] {
    try await read { db in
      try DecisionRecord.order(DecisionRecord.Columns.id).fetchAll(db).map { try $0.decision() }
    }
  }

  /// Checks the database file with SQLite's `PRAGMA integrity_check`.
  ///
  /// - Returns: SQLite's messages; `["ok"]` for a sound file.
  /// - Throws: ``ReviewQueueError`` when the check cannot run.
  public func integrityCheck() async throws(ReviewQueueError) -> [String] {
    try await read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
  }

  /// A `PRAGMA`'s value on the connection that writes (tests check the durability settings);
  /// on a reader for a queue opened read-only.
  package func pragma(_ name: String) async throws(ReviewQueueError) -> String? {
    let sql = "PRAGMA \(name)"
    do {
      if isReadOnly { return try await pool.read { db in try String.fetchOne(db, sql: sql) } }
      return try await pool.writeWithoutTransaction { db in try String.fetchOne(db, sql: sql) }
    } catch {
      throw Self.wrap(error, path: path)
    }
  }
}
