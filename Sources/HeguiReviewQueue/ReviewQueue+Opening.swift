public import Foundation
import GRDB
import Hegui

// Opening a queue file: refuse what is not ours before writing anything, then migrate.

extension ReviewQueue {
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
        throw ReviewQueueError(
          .notFound, "no review queue here (it is created by the first enqueue, e.g. `hegui moderate --db`)",
          path: path)
      }
      if fileManager.fileExists(atPath: fullPath + "-wal") {
        throw ReviewQueueError(
          .io, "a -wal file exists without its database; restore the database or remove the stale -wal file",
          path: path)
      }
      try requireWritableFolder(folder, path: path)
      try create(fullPath, displayPath: path, existed: exists)
    } else {
      try inspectHeader(of: fullPath, displayPath: path)
      if !readOnly {
        try requireWritableFolder(folder, path: path)
        if access(fullPath, W_OK) != 0 {
          throw ReviewQueueError(
            .readOnly, "the file is read-only; open it read-only or make it writable", path: path)
        }
      }
    }

    var configuration = GRDB.Configuration()
    configuration.readonly = readOnly
    configuration.label = "HeguiReviewQueue"
    configuration.busyMode = .timeout(TimeInterval(busyTimeout.wholeMilliseconds) / 1000)
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
        // On the writer connection, not a reader: GRDB closes the writer first, and a read-only
        // connection closed last leaves the -wal file behind instead of checkpointing it.
        try pool.writeWithoutTransaction { db in try queue.checkIdentity(db, readOnly: false) }
        try Schema.migrate(pool)
      }
    } catch {
      try? pool.close()
      throw wrap(error, path: path)
    }
    return queue
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
          throw ReviewQueueError(
            .io, "SQLite could not switch the queue to WAL mode (got \(mode ?? "nothing"))", path: displayPath)
        }
      }
      try queue.close()
    } catch {
      if !existed {
        for suffix in ["", "-wal", "-shm", "-journal"] {
          try? FileManager.default.removeItem(atPath: fullPath + suffix)
        }
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

  /// Fails unless the application id is a review queue's and the schema is not newer than ours.
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
        "the queue has schema version \(userVersion), newer than this Hegui's \(schemaVersion); "
          + "use a newer Hegui (the file was left untouched)",
        path: path)
    }
  }

  /// The identity check again, through SQLite, on the connection the queue will use; a queue
  /// opened read-only must already have the current schema (it cannot migrate).
  private func checkIdentity(_ db: Database, readOnly: Bool) throws {
    let applicationID = UInt32(bitPattern: try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0)
    let userVersion = try Schema.userVersion(db)
    try Self.checkIdentity(applicationID: applicationID, userVersion: userVersion, path: path)
    if readOnly && userVersion < Self.schemaVersion {
      throw ReviewQueueError(
        .readOnly, "the queue has schema version \(userVersion) and must be migrated: open it once for writing",
        path: path)
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
        .readOnly,
        "the folder \(folder) is read-only: the queue needs to write its database and -wal/-shm files there",
        path: path)
    }
  }
}
