public import Foundation
import GRDB
@_spi(Internals) public import Hegui

/// Tier 2 (中级): the human review queue, kept in one SQLite file.
///
/// The database file is the queue: the library creates its schema and migrates it, and every
/// process that opens the file sees the same tickets. A ticket holds an item, the findings and
/// trail that sent it to review, the SHA-256 of its normalised text, and its state:
/// pending → claimed → decided.
///
/// - The same normalised text is enqueued once: a second item with it joins the waiting ticket;
///   once the ticket is decided, later items are answered from that precedent without a ticket.
/// - A claim is a lease: when it runs out (the reviewer went away), the ticket is pending again.
/// - Exactly one decision per ticket, recorded with reviewer, verdict, note and time. Decisions
///   are append-only (the database refuses to change or delete them) and export as JSON Lines.
/// - Durability: WAL journal with `synchronous = FULL`. When ``enqueue(_:trail:)`` returns, the
///   ticket is on disk and survives the process being killed or the machine losing power.
/// - A file that is not a queue (not SQLite, another application's database, a newer schema)
///   is refused before anything is written to it; so is a folder where the queue cannot write.
///
/// ```swift
/// let queue = try ReviewQueue.open(path: "review.sqlite")
/// if let ticket = try await queue.claim(reviewer: "王审核", lease: .seconds(1800)) {
///   try await queue.decide(ticket: ticket.id, reviewer: "王审核", verdict: .reject, note: "绝对化用语")
/// }
/// ```
public final class ReviewQueue: Sendable {
  /// The SQLite `application_id` of a review queue: `HGRQ`.
  public static let applicationID: UInt32 = 0x4847_5251
  /// The schema version this library writes (SQLite `user_version`).
  public static let schemaVersion = 1

  /// The database file.
  public let path: String
  /// Whether the queue was opened read-only (list, show and export only).
  public let isReadOnly: Bool
  private let pool: DatabasePool
  private let clock: @Sendable () -> Date

  private init(path: String, pool: DatabasePool, isReadOnly: Bool, clock: @escaping @Sendable () -> Date) {
    self.path = path
    self.pool = pool
    self.isReadOnly = isReadOnly
    self.clock = clock
  }

  // MARK: Opening

  /// Opens the queue at a path, creating and migrating it when needed.
  ///
  /// A missing (or empty) file is created with the current schema. An existing file is first
  /// inspected without writing: its header must say SQLite, its `application_id` must be a
  /// review queue's and its schema no newer than this library's; only then is it opened for
  /// writing and migrated.
  ///
  /// - Parameters:
  ///   - path: The database file.
  ///   - readOnly: Open for reading only (list, show, export); the file must exist.
  ///   - busyTimeout: How long to wait for another process's write before failing.
  ///   - clock: The time source for timestamps and lease expiry (tests inject their own).
  /// - Throws: ``ReviewQueueError`` with code `notADatabase`, `foreignDatabase`, `newerSchema`,
  ///   `corrupt`, `readOnly`, `notFound` or `io`; the file is then left untouched.
  public static func open(
    path: String, readOnly: Bool = false, busyTimeout: Duration = .seconds(10),
    clock: @escaping @Sendable () -> Date = { Date() }
  ) throws(ReviewQueueError) -> ReviewQueue {
    let url = URL(fileURLWithPath: path)
    let fullPath = url.standardizedFileURL.path
    let fileManager = FileManager.default
    var isDirectory: ObjCBool = false
    let exists = fileManager.fileExists(atPath: fullPath, isDirectory: &isDirectory)
    if exists && isDirectory.boolValue {
      throw ReviewQueueError(.io, "is a folder, not a review queue file", path: path)
    }
    let size = (try? fileManager.attributesOfItem(atPath: fullPath)[.size] as? Int) ?? 0
    let folder = url.standardizedFileURL.deletingLastPathComponent().path

    if !exists || size == 0 {
      if readOnly {
        throw ReviewQueueError(.notFound, "no review queue here (it is created by the first enqueue, e.g. `hegui moderate --db`)", path: path)
      }
      if fileManager.fileExists(atPath: fullPath + "-wal") {
        throw ReviewQueueError(
          .io, "a -wal file exists without its database; restore the database or remove the stale -wal file", path: path)
      }
      try requireWritableFolder(folder, path: path)
      try create(fullPath, displayPath: path, existed: exists)
    } else {
      try inspectHeader(of: fullPath, displayPath: path)
      if !readOnly {
        try requireWritableFolder(folder, path: path)
        if access(fullPath, W_OK) != 0 {
          throw ReviewQueueError(.readOnly, "the file is read-only; open it read-only or make it writable", path: path)
        }
      }
    }

    var configuration = GRDB.Configuration()
    configuration.readonly = readOnly
    configuration.label = "HeguiReviewQueue"
    configuration.busyMode = .timeout(Self.seconds(busyTimeout))
    if !readOnly {
      configuration.prepareDatabase { db in
        // WAL with FULL syncs the WAL at every commit: an enqueue that returned survives power loss.
        try db.execute(sql: "PRAGMA synchronous = FULL")
      }
    }
    let pool: DatabasePool
    do {
      pool = try DatabasePool(path: fullPath, configuration: configuration)
    } catch {
      throw wrap(error, path: path)
    }
    let queue = ReviewQueue(path: path, pool: pool, isReadOnly: readOnly, clock: clock)
    do {
      if readOnly {
        try pool.read { db in try queue.checkIdentity(db, readOnly: true) }
      } else {
        try pool.write { db in
          try queue.checkIdentity(db, readOnly: false)
          try queue.migrate(db)
        }
      }
    } catch {
      try? pool.close()
      throw wrap(error, path: path)
    }
    return queue
  }

  /// Closes the database connections. Further calls fail.
  ///
  /// - Throws: ``ReviewQueueError`` when a connection cannot be closed (a statement is still
  ///   running).
  public func close() throws(ReviewQueueError) {
    do {
      try pool.close()
    } catch {
      throw Self.wrap(error, path: path)
    }
  }

  /// Creates a new queue file: stamps the application id and switches to WAL in the main file
  /// (so that even a crash right after creation leaves a file that says it is a queue).
  private static func create(_ fullPath: String, displayPath: String, existed: Bool) throws(ReviewQueueError) {
    do {
      let queue = try DatabaseQueue(path: fullPath)
      try queue.writeWithoutTransaction { db in
        try db.execute(sql: "PRAGMA application_id = \(Int32(bitPattern: applicationID))")
        let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
        if mode?.lowercased() != "wal" {
          throw ReviewQueueError(.io, "SQLite could not switch the queue to WAL mode (got \(mode ?? "nothing"))", path: displayPath)
        }
      }
      try queue.close()
    } catch {
      if !existed {
        for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: fullPath + suffix) }
      }
      throw wrap(error, path: displayPath)
    }
  }

  /// Reads the 100-byte SQLite header directly: no SQLite connection, so nothing is written to a
  /// file that may not be ours (opening a foreign file for writing could switch it to WAL).
  private static func inspectHeader(of fullPath: String, displayPath: String) throws(ReviewQueueError) {
    guard let handle = FileHandle(forReadingAtPath: fullPath) else {
      throw ReviewQueueError(.io, "cannot read the file", path: displayPath)
    }
    defer { try? handle.close() }
    let header: [UInt8]
    do {
      header = Array(try handle.read(upToCount: 100) ?? Data())
    } catch {
      throw ReviewQueueError(.io, "cannot read the file: \(error.localizedDescription)", path: displayPath)
    }
    let magic = Array("SQLite format 3\u{0}".utf8)
    guard header.count == 100, Array(header[0..<16]) == magic else {
      throw ReviewQueueError(
        .notADatabase, "not a review queue: file is not a database (no SQLite header); it was left untouched",
        path: displayPath)
    }
    func word(at offset: Int) -> UInt32 {
      header[offset..<(offset + 4)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }
    let applicationID = word(at: 68)
    let userVersion = Int(Int32(bitPattern: word(at: 60)))
    try checkIdentity(applicationID: applicationID, userVersion: userVersion, path: displayPath)
  }

  private static func checkIdentity(applicationID: UInt32, userVersion: Int, path: String) throws(ReviewQueueError) {
    guard applicationID == Self.applicationID else {
      let what =
        applicationID == 0
        ? "an SQLite database, but not a Hegui review queue"
        : String(format: "an SQLite database of another application (application_id 0x%08X)", applicationID)
      throw ReviewQueueError(.foreignDatabase, "\(what); it was left untouched", path: path)
    }
    guard userVersion <= schemaVersion else {
      throw ReviewQueueError(
        .newerSchema,
        "the queue has schema version \(userVersion), newer than this Hegui's \(schemaVersion); use a newer Hegui (the file was left untouched)",
        path: path)
    }
  }

  private func checkIdentity(_ db: Database, readOnly: Bool) throws {
    let applicationID = UInt32(bitPattern: try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0)
    let userVersion = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
    try Self.checkIdentity(applicationID: applicationID, userVersion: userVersion, path: path)
    if readOnly && userVersion < Self.schemaVersion {
      throw ReviewQueueError(
        .readOnly, "the queue has schema version \(userVersion) and must be migrated: open it once for writing", path: path)
    }
  }

  /// Fails unless the queue may create files in its folder (its `-wal` and `-shm` files).
  ///
  /// The superuser passes `access(2)` everywhere; a folder without any write permission bit is
  /// still treated as read-only then, as the operator who made it so meant.
  private static func requireWritableFolder(_ folder: String, path: String) throws(ReviewQueueError) {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw ReviewQueueError(.io, "the folder \(folder) does not exist", path: path)
    }
    var status = stat()
    let noWriteBits = stat(folder, &status) == 0 && status.st_mode & 0o222 == 0
    if access(folder, W_OK) != 0 || noWriteBits {
      throw ReviewQueueError(
        .readOnly, "the folder \(folder) is read-only: the queue needs to write its database and -wal/-shm files there",
        path: path)
    }
  }

  // MARK: Schema

  /// Migrations by target version: `migrations[0]` brings an empty database to version 1.
  private static let migrations: [@Sendable (Database) throws -> Void] = [
    { db in
      try db.execute(
        sql: """
          CREATE TABLE ticket (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            text_hash TEXT NOT NULL UNIQUE,
            item_id TEXT NOT NULL,
            text TEXT NOT NULL,
            context TEXT NOT NULL,
            findings TEXT NOT NULL,
            trail TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('pending', 'claimed', 'decided')),
            claimed_by TEXT,
            claimed_at INTEGER,
            lease_expires_at INTEGER,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            CHECK (state <> 'claimed' OR (claimed_by IS NOT NULL AND lease_expires_at IS NOT NULL))
          );
          CREATE INDEX ticket_by_state ON ticket (state, created_at, id);

          CREATE TABLE decision (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            ticket_id INTEGER NOT NULL UNIQUE REFERENCES ticket (id),
            reviewer TEXT NOT NULL CHECK (reviewer <> ''),
            verdict TEXT NOT NULL CHECK (verdict IN ('approve', 'reject', 'require-edit')),
            note TEXT NOT NULL,
            decided_at INTEGER NOT NULL
          );
          CREATE TRIGGER decision_is_append_only_update BEFORE UPDATE ON decision
          BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
          CREATE TRIGGER decision_is_append_only_delete BEFORE DELETE ON decision
          BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
          CREATE TRIGGER decided_ticket_is_final BEFORE UPDATE ON ticket WHEN OLD.state = 'decided'
          BEGIN SELECT RAISE(ABORT, 'a decided ticket is final'); END;
          CREATE TRIGGER ticket_is_kept BEFORE DELETE ON ticket
          BEGIN SELECT RAISE(ABORT, 'tickets are never deleted'); END;

          CREATE TABLE occurrence (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            ticket_id INTEGER NOT NULL REFERENCES ticket (id),
            item_id TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('new', 'duplicate', 'precedent')),
            at INTEGER NOT NULL
          );
          CREATE INDEX occurrence_by_ticket ON occurrence (ticket_id, id);
          """)
    }
  ]

  private func migrate(_ db: Database) throws {
    let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
    guard version < Self.schemaVersion else { return }
    for index in version..<Self.schemaVersion { try Self.migrations[index](db) }
    try db.execute(sql: "PRAGMA user_version = \(Self.schemaVersion)")
  }

  // MARK: Enqueueing

  /// The key of a text: SHA-256 (hex) of its normalised form (Hegui's ``Normalizer``, then
  /// trimmed), so that 全网最低价, 全網最低價 and 全-网-最-低-价 share one ticket.
  ///
  /// - Parameter text: The original text.
  public static func textHash(_ text: String) -> String {
    let normalized = Normalizer().normalize(text).string.trimmingCharacters(in: .whitespacesAndNewlines)
    return SHA256.hex(normalized.utf8)
  }

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

  // MARK: Reading

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

  /// Checks the database file with SQLite's `PRAGMA integrity_check`.
  ///
  /// - Returns: SQLite's messages; `["ok"]` for a sound file.
  /// - Throws: ``ReviewQueueError`` when the check cannot run.
  public func integrityCheck() async throws(ReviewQueueError) -> [String] {
    try await read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
  }

  // MARK: Rows

  private static let ticketSelect = """
    SELECT t.*, d.id AS d_id, d.reviewer AS d_reviewer, d.verdict AS d_verdict, d.note AS d_note,
      d.decided_at AS d_decided_at, (SELECT count(*) FROM occurrence o WHERE o.ticket_id = t.id) AS occurrences
    FROM ticket t LEFT JOIN decision d ON d.ticket_id = t.id
    """

  private func fetchTicket(_ id: Int64, now: Int64, in db: Database) throws -> Ticket? {
    guard let row = try Row.fetchOne(db, sql: Self.ticketSelect + " WHERE t.id = ?", arguments: [id]) else { return nil }
    return try ticket(from: row, now: now)
  }

  private func requireTicket(_ id: Int64, now: Int64, in db: Database) throws -> Ticket {
    guard let ticket = try fetchTicket(id, now: now, in: db) else {
      throw ReviewQueueError(.ticketNotFound, "there is no ticket #\(id)", path: path)
    }
    return ticket
  }

  private func ticket(from row: Row, now: Int64) throws -> Ticket {
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

  private static func decision(forTicket id: Int64, in db: Database) throws -> Decision? {
    try Row.fetchOne(db, sql: "SELECT * FROM decision WHERE ticket_id = ?", arguments: [id]).map(decision(from:))
  }

  private static func decision(from row: Row) throws -> Decision {
    let verdict: String = row["verdict"]
    guard let value = ReviewVerdict(rawValue: verdict) else {
      throw ReviewQueueError(.corrupt, "decision #\(row["id"] as Int64) has the unknown verdict '\(verdict)'")
    }
    return Decision(
      id: row["id"], ticket: row["ticket_id"], reviewer: row["reviewer"], verdict: value, note: row["note"],
      decidedAt: date(row["decided_at"]))
  }

  private static func fetchOccurrences(_ ticket: Int64, in db: Database) throws -> [Occurrence] {
    try Row.fetchAll(db, sql: "SELECT * FROM occurrence WHERE ticket_id = ? ORDER BY id", arguments: [ticket]).map { row in
      Occurrence(itemID: row["item_id"], kind: Occurrence.Kind(rawValue: row["kind"]) ?? .duplicate, at: date(row["at"]))
    }
  }

  // MARK: Plumbing

  private func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(ReviewQueueError) -> T {
    if isReadOnly { throw ReviewQueueError(.readOnly, "the queue was opened read-only", path: path) }
    do {
      return try await pool.write(body)
    } catch {
      throw Self.wrap(error, path: path)
    }
  }

  private func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(ReviewQueueError) -> T {
    do {
      return try await pool.read(body)
    } catch {
      throw Self.wrap(error, path: path)
    }
  }

  static func wrap(_ error: any Error, path: String) -> ReviewQueueError {
    if let error = error as? ReviewQueueError {
      var copy = error
      if copy.path == nil { copy.path = path }
      return copy
    }
    guard let error = error as? DatabaseError else {
      return ReviewQueueError(.database, "\(error)", path: path, underlying: error)
    }
    let message = error.message ?? "\(error.resultCode)"
    switch error.resultCode {
    case .SQLITE_NOTADB:
      return ReviewQueueError(.notADatabase, "not a review queue: \(message)", path: path, underlying: error)
    case .SQLITE_CORRUPT:
      return ReviewQueueError(.corrupt, "the queue is damaged: \(message)", path: path, underlying: error)
    case .SQLITE_READONLY, .SQLITE_PERM:
      return ReviewQueueError(.readOnly, "cannot write: \(message)", path: path, underlying: error)
    case .SQLITE_CANTOPEN, .SQLITE_IOERR, .SQLITE_FULL:
      return ReviewQueueError(.io, "\(message)", path: path, underlying: error)
    case .SQLITE_BUSY, .SQLITE_LOCKED:
      return ReviewQueueError(.database, "the queue stayed locked by another process: \(message)", path: path, underlying: error)
    default:
      return ReviewQueueError(.database, "\(message)", path: path, underlying: error)
    }
  }

  package static func jsonEncoder() -> JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .custom { date, encoder in
      var container = encoder.singleValueContainer()
      try container.encode(format(date))
    }
    return encoder
  }

  /// `2026-11-26T08:53:23.990Z`
  package static func format(_ date: Date) -> String {
    date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
  }

  static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

  static func milliseconds(_ duration: Duration) -> Int64 {
    duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
  }

  static func seconds(_ duration: Duration) -> TimeInterval {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
  }

  static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }
}
