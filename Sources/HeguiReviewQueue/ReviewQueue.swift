package import Foundation
import GRDB

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
/// - Several processes at once: each operation waits for the others' locks up to the busy timeout
///   given to ``open(path:readOnly:busyTimeout:clock:)``, with a busy handler and retries (see
///   `LockWait`); past it, the error is ``ReviewQueueError/Code/busy``. A write made after the file
///   was deleted or replaced under the queue is refused (``ReviewQueueError/Code/io``) instead of
///   going to a file that is no longer at its path.
/// - A file that is not a queue (not SQLite, another application's database, a newer schema)
///   is refused before anything is written to it; so is a folder where the queue cannot write.
///
/// ```swift
/// let queue = try ReviewQueue.open(path: "review.sqlite")
/// if let ticket = try await queue.claim(reviewer: "王审核", lease: .seconds(1800)) {
///   try await queue.decide(ticket: ticket.id, reviewer: "王审核", verdict: .reject, note: "绝对化用语")
/// }
/// ```
///
/// The type's jobs live in files named for them: opening and identity checks
/// (`ReviewQueue+Opening.swift`), the schema (`Schema.swift`), the tables as records
/// (`Records.swift`), the ticket's life (`ReviewQueue+Tickets.swift`), reading
/// (`ReviewQueue+Reading.swift`), the audit export (`ReviewQueue+Export.swift`) and the text hash
/// (`ReviewQueue+TextHash.swift`). This file holds what they share.
public final class ReviewQueue: Sendable {
  /// The SQLite `application_id` of a review queue: `HGRQ`.
  public static let applicationID: UInt32 = 0x4847_5251
  /// The schema version this library writes (SQLite `user_version`).
  public static let schemaVersion = Schema.version

  /// The database file.
  public let path: String
  /// Whether the queue was opened read-only (list, show and export only).
  public let isReadOnly: Bool
  let pool: DatabasePool
  let clock: @Sendable () -> Date
  /// How operations wait for other processes.
  let wait: LockWait
  /// The file's absolute path, and which file it was when the queue was opened.
  let fullPath: String
  let file: FileIdentity?

  init(
    path: String, fullPath: String, pool: DatabasePool, isReadOnly: Bool, wait: LockWait,
    clock: @escaping @Sendable () -> Date
  ) {
    self.path = path
    self.fullPath = fullPath
    self.pool = pool
    self.isReadOnly = isReadOnly
    self.wait = wait
    self.clock = clock
    self.file = FileIdentity(path: fullPath)
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

  // MARK: Database access

  /// Runs `body` in a write transaction (IMMEDIATE: it takes the write lock before reading, so
  /// it never has to upgrade a stale snapshot), waiting for other processes as `wait` says;
  /// refused when the queue was opened read-only.
  func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(ReviewQueueError) -> T {
    if isReadOnly { throw ReviewQueueError(.readOnly, "the queue was opened read-only", path: path) }
    do {
      return try await wait.run {
        try await pool.write { db in
          let result = try body(db)
          // Last, right before the commit: a change committed to a file that was deleted or
          // replaced under us would be reported as stored and then lost with the old file.
          try self.requireSameFile()
          return result
        }
      }
    } catch {
      throw Self.wrap(error, path: path, busyTimeout: wait.timeout)
    }
  }

  /// Runs `body` on a snapshot of the queue, waiting for other processes as `wait` says.
  func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(ReviewQueueError) -> T {
    do {
      return try await wait.run { try await pool.read(body) }
    } catch {
      throw Self.wrap(error, path: path, busyTimeout: wait.timeout)
    }
  }

  /// Fails when the path no longer names the file the queue opened (deleted, moved away or
  /// replaced). SQLite keeps writing to the file it has open, even unlinked: those writes would
  /// vanish when the last process closes it, and the next one would start an empty queue.
  func requireSameFile() throws(ReviewQueueError) {
    guard let file, FileIdentity(path: fullPath) != file else { return }
    throw ReviewQueueError(
      .io,
      "the queue file was deleted or replaced while this process had it open; nothing more is written to it, "
        + "and the tickets written to it are no longer at this path",
      path: path)
  }

  /// Turns any error into a ``ReviewQueueError`` that names the file, keeping SQLite's reason,
  /// except for a lock held too long: that one says what happened in words of its own.
  static func wrap(_ error: any Error, path: String, busyTimeout: Duration? = nil) -> ReviewQueueError {
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
    case .SQLITE_CANTOPEN:
      return ReviewQueueError(.io, "\(message)", path: path, underlying: error)
    case .SQLITE_IOERR, .SQLITE_FULL:
      return ReviewQueueError(
        .io,
        "the queue file could not be written or read (\(message)): the disk may be full or failing, or the file "
          + "past a size limit; what was not committed was not stored",
        path: path, underlying: error)
    case .SQLITE_BUSY, .SQLITE_LOCKED:
      let limit = busyTimeout.map { " (\(LockWait.describe($0)))" } ?? ""
      return ReviewQueueError(
        .busy,
        "other processes kept the queue busy for longer than the busy timeout\(limit); nothing was changed, "
          + "try again or allow a longer wait",
        path: path, underlying: error)
    default:
      return ReviewQueueError(.database, "\(message)", path: path, underlying: error)
    }
  }

  // MARK: Encoding and time

  /// The JSON encoder of the queue's stored columns, `review show --format json` and the audit
  /// export: sorted keys, dates as ``format(_:)`` strings.
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

  /// A time as the database stores it: milliseconds since 1970.
  static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

  /// A stored time (milliseconds since 1970) as a date.
  static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }
}

/// Which file a path named: device and inode, as `stat(2)` gives them.
struct FileIdentity: Hashable, Sendable {
  let device: UInt64
  let inode: UInt64

  /// The file at `path` now, or `nil` when there is none.
  init?(path: String) {
    var status = stat()
    guard stat(path, &status) == 0 else { return nil }
    device = UInt64(status.st_dev)
    inode = UInt64(status.st_ino)
  }

  /// The file an open descriptor refers to.
  init?(descriptor: Int32) {
    var status = stat()
    guard fstat(descriptor, &status) == 0 else { return nil }
    device = UInt64(status.st_dev)
    inode = UInt64(status.st_ino)
  }
}
