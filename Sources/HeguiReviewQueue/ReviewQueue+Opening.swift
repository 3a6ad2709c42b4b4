public import Foundation
import GRDB
import Hegui
import Synchronization

// Opening a queue file: refuse what is not ours before writing anything, then migrate.

extension ReviewQueue {
  /// Opens the queue at a path, creating and migrating it when needed.
  ///
  /// A missing (or empty) file is created with the current schema. An existing file is first
  /// inspected without writing: its header must say SQLite, its `application_id` must be a
  /// review queue's and its schema no newer than this library's; only then is it opened for
  /// writing and migrated.
  ///
  /// Any number of processes may open, create and migrate the same queue at once: each waits
  /// for the others up to `busyTimeout` (see ``ReviewQueue``), and exactly one of them creates it.
  ///
  /// - Parameters:
  ///   - path: The database file.
  ///   - readOnly: Open for reading only (list, show, export); the file must exist.
  ///   - busyTimeout: How long one operation (opening included) waits for other processes'
  ///     locks, retries included, before it fails with ``ReviewQueueError/Code/busy``.
  ///   - clock: The time source for timestamps and lease expiry (tests inject their own).
  /// - Throws: ``ReviewQueueError`` with code `notADatabase`, `foreignDatabase`, `newerSchema`,
  ///   `corrupt`, `readOnly`, `notFound`, `io` or `busy`; the file is then left untouched.
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
    let folder = url.standardizedFileURL.deletingLastPathComponent().path
    let wait = LockWait(timeout: busyTimeout)

    if !exists || fileSize(fullPath) == 0 {
      if readOnly {
        throw ReviewQueueError(
          .notFound, "no review queue here (it is created by the first enqueue, e.g. `hegui moderate --db`)",
          path: path)
      }
      try requireWritableFolder(folder, path: path)
      try create(fullPath, displayPath: path, wait: wait)
    }
    // Also after creating: another process may have created the file first.
    try inspectHeader(of: fullPath, displayPath: path)
    if !readOnly {
      try requireWritableFolder(folder, path: path)
      if access(fullPath, W_OK) != 0 {
        throw ReviewQueueError(
          .readOnly, "the file is read-only; open it read-only or make it writable", path: path)
      }
    }

    var configuration = GRDB.Configuration()
    configuration.readonly = readOnly
    configuration.label = "HeguiReviewQueue"
    configuration.busyMode = wait.busyMode
    do {
      // Every step may meet another process creating, migrating or writing the same file.
      return try wait.runBlocking { () throws -> ReviewQueue in
        let pool = try DatabasePool(path: fullPath, configuration: configuration)
        let queue = ReviewQueue(
          path: path, fullPath: fullPath, pool: pool, isReadOnly: readOnly, wait: wait, clock: clock)
        do {
          if readOnly {
            try pool.read { db in try queue.checkIdentity(db, readOnly: true) }
          } else {
            // On the writer connection, not a reader: GRDB closes the writer first, and a read-only
            // connection closed last leaves the -wal file behind instead of checkpointing it.
            try pool.writeWithoutTransaction { db in
              // WAL with FULL syncs the WAL at every commit: an enqueue that returned survives power
              // loss. Set here, not in `prepareDatabase`: GRDB sets `synchronous = NORMAL` when it
              // switches the writer to WAL, after `prepareDatabase` ran.
              try db.execute(sql: "PRAGMA synchronous = FULL")
              try queue.checkIdentity(db, readOnly: false)
            }
            try Schema.migrate(pool)
          }
        } catch {
          try? pool.close()
          throw error
        }
        return queue
      }
    } catch {
      if readOnly, let error = error as? DatabaseError,
        [.SQLITE_READONLY, .SQLITE_CANTOPEN].contains(error.resultCode),
        (try? requireWritableFolder(folder, path: path)) == nil
      {
        // SQLite reads a WAL queue through its -shm file, and must create it when no process has
        // the queue open: in a read-only folder it cannot, and says "attempt to write".
        throw ReviewQueueError(
          .readOnly,
          "cannot read the queue: its folder \(folder) is read-only, and SQLite needs to create the queue's -shm "
            + "file beside it to read it; make the folder writable, or copy the queue to a writable folder",
          path: path, underlying: error)
      }
      throw wrap(error, path: path, busyTimeout: busyTimeout)
    }
  }

  /// The size of a file in bytes; 0 when it cannot be read.
  private static func fileSize(_ fullPath: String) -> Int {
    (try? FileManager.default.attributesOfItem(atPath: fullPath)[.size] as? Int) ?? 0
  }

  /// Creates a new queue file: stamps the application id and switches to WAL in the main file
  /// (so that even a crash right after creation leaves a file that says it is a queue).
  ///
  /// Several processes may create the same queue at once (eight `hegui moderate` runs started
  /// together). The stamp is written in an IMMEDIATE transaction, one process at a time, and only
  /// while the file is still empty: exactly one process stamps it, the others find it stamped and
  /// go on to open it. Nothing is deleted when creation fails: another process may already be
  /// using the file, and an empty file left behind is taken as a new queue next time.
  private static func create(_ fullPath: String, displayPath: String, wait: LockWait) throws(ReviewQueueError) {
    // A -wal file beside a missing or empty database is what is left of a lost queue (SQLite
    // would delete it). The -wal is looked at first, then the database: a process creating the
    // queue gives the database its first page before it makes the -wal, so a -wal beside a
    // database that is still empty afterwards is not another process's fresh one.
    if FileManager.default.fileExists(atPath: fullPath + "-wal") && fileSize(fullPath) == 0 {
      throw ReviewQueueError(
        .io, "a -wal file exists without its database; restore the database or remove the stale -wal file",
        path: displayPath)
    }
    var configuration = GRDB.Configuration()
    configuration.label = "HeguiReviewQueue.create"
    configuration.busyMode = wait.busyMode
    do {
      try wait.runBlocking {
        let database = try DatabaseQueue(path: fullPath, configuration: configuration)
        defer { try? database.close() }
        let stamped = try database.writeWithoutTransaction { db -> Bool in
          var isEmpty = false
          try db.inTransaction(.immediate) {
            // The file itself, not `PRAGMA page_count`: SQLite counts page 1 of an empty file as
            // soon as a write transaction begins. No other process writes while we hold the lock.
            isEmpty = fileSize(fullPath) == 0
            if isEmpty {
              try db.execute(sql: "PRAGMA application_id = \(Int32(bitPattern: applicationID))")
            }
            return .commit
          }
          return isEmpty
        }
        // Someone else's file now: it is inspected before anything more is written to it.
        guard stamped else { return }
        let mode = try database.writeWithoutTransaction { db in
          try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
        }
        if mode?.lowercased() != "wal" {
          throw ReviewQueueError(
            .io, "SQLite could not switch the queue to WAL mode (got \(mode ?? "nothing"))", path: displayPath)
        }
      }
    } catch {
      throw wrap(error, path: displayPath, busyTimeout: wait.timeout)
    }
  }

  /// Reads the 100-byte SQLite header directly: no SQLite connection, so nothing is written to a
  /// file that may not be ours (opening a foreign file for writing could switch it to WAL).
  private static func inspectHeader(of fullPath: String, displayPath: String) throws(ReviewQueueError) {
    let header: [UInt8]
    do {
      header = try HeaderReader.header(of: fullPath)
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

/// Reads the header of a queue file without ever closing a descriptor of an SQLite file.
///
/// Closing any descriptor of a file releases every POSIX advisory lock the process holds on it,
/// SQLite's included (https://www.sqlite.org/howtocorrupt.html, section 2.2). When the process
/// already has the queue open (a second `ReviewQueue.open` of the same file, two review stages
/// with one database), its connections would silently lose their locks: another process closing
/// its last connection would then take the database as its own, checkpoint it and delete the
/// -wal and -shm files this process still writes to, losing commits or damaging the file. So the
/// descriptor that read an SQLite header stays open for the life of the process, one per file
/// (SQLite keeps descriptors open for the same reason), and is reused to read it again.
enum HeaderReader {
  private static let descriptors = Mutex<[FileIdentity: Int32]>([:])

  /// The first 100 bytes of the file (fewer when it is shorter).
  static func header(of fullPath: String) throws -> [UInt8] {
    if let identity = FileIdentity(path: fullPath), let descriptor = descriptors.withLock({ $0[identity] }) {
      return try read(descriptor)
    }
    let descriptor = open(fullPath, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw POSIXError(POSIXError.Code(rawValue: errno) ?? .EIO) }
    let header: [UInt8]
    do {
      header = try read(descriptor)
    } catch {
      // Unreadable: it cannot be a database SQLite has open here either.
      close(descriptor)
      throw error
    }
    if !header.starts(with: Array("SQLite format 3".utf8)) {
      // Not SQLite: no connection of this process can hold a lock on it.
      close(descriptor)
    } else if let identity = FileIdentity(descriptor: descriptor) {
      descriptors.withLock { descriptors in
        // A second descriptor of the same file (opened in a race) is kept too, never closed.
        if descriptors[identity] == nil { descriptors[identity] = descriptor }
      }
    }
    return header
  }

  private static func read(_ descriptor: Int32) throws -> [UInt8] {
    var header = [UInt8](repeating: 0, count: 100)
    let count = header.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, 100, 0) }
    guard count >= 0 else { throw POSIXError(POSIXError.Code(rawValue: errno) ?? .EIO) }
    return Array(header.prefix(count))
  }
}
