import GRDB

/// The review queue's schema: its migrations, run by GRDB's `DatabaseMigrator`.
///
/// Two records say what schema a queue file has, and both are kept:
///
/// - SQLite's `user_version` in the file header is the schema *version*: `N` after migration
///   `vN`. It is what ``ReviewQueue/open(path:readOnly:busyTimeout:clock:)`` reads from the raw
///   header, without a connection, to refuse a newer queue before writing anything; what a queue
///   opened read-only checks (it cannot migrate, and cannot write GRDB's table either); and what
///   older Hegui versions read. Each migration sets it as its last statement, in its own
///   transaction, so the version and the schema it names are committed together.
/// - GRDB's `grdb_migrations` table lists the migrations that ran. The migrator uses it to run
///   the ones that did not.
///
/// Queues written before the migrator was adopted have `user_version = 1` and no
/// `grdb_migrations` table. Their schema is exactly v1's (that code created it in one
/// transaction, with the same SQL as ``v1(_:)``), so v1 does nothing when the version says the
/// schema is there: the migrator then only records `v1` as applied. Later migrations need no such
/// care: every queue that reaches them has `grdb_migrations`.
///
/// To change the schema, register a migration `v2` that ends with `setUserVersion(2, db)`; never
/// edit a migration that has shipped.
enum Schema {
  /// The schema version this library writes: the number of migrations.
  static var version: Int { migrator.migrations.count }

  /// The migrations, in order.
  static let migrator: DatabaseMigrator = {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("v1", migrate: v1)
    return migrator
  }()

  /// The schema version recorded in the file header (`PRAGMA user_version`).
  static func userVersion(_ db: Database) throws -> Int {
    try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
  }

  /// Brings a queue opened for writing to the current schema.
  ///
  /// Opening an up-to-date queue writes nothing. Another process may be migrating the same file
  /// at the same time (two `hegui` commands opening a new queue). `DatabaseMigrator` reads which
  /// migrations ran before it starts a migration's transaction, so the slower process may run a
  /// migration the other one has just committed: the migration does nothing on a schema that has
  /// it (see ``v1(_:)``), and GRDB then fails to record it a second time. When the queue turns
  /// out to be fully migrated after a failure, the failure was only that race.
  ///
  /// Everything here runs on the writer connection (see `ReviewQueue.open`: a reader connection
  /// would keep the queue's -wal file from being checkpointed at close).
  static func migrate(_ pool: DatabasePool) throws {
    if isCurrent(pool) { return }
    do {
      try migrator.migrate(pool)
    } catch  where isCurrent(pool) {
      // Another process migrated the queue first.
    }
  }

  /// Whether every migration ran and the header says so; `false` when that cannot be read (the
  /// migrator then says why, or, in the race above, finds `grdb_migrations` being created).
  private static func isCurrent(_ pool: DatabasePool) -> Bool {
    let current = try? pool.writeWithoutTransaction { db in
      try migrator.hasCompletedMigrations(db) && userVersion(db) == version
    }
    return current ?? false
  }

  private static func setUserVersion(_ version: Int, _ db: Database) throws {
    try db.execute(sql: "PRAGMA user_version = \(version)")
  }

  /// Tickets, decisions and occurrences, with triggers that make decisions append-only.
  ///
  /// This SQL is frozen: it is the schema every queue created before the migrator has, and the
  /// triggers have no GRDB schema-builder equivalent. Keeping it verbatim gives old and new
  /// queues the same `sqlite_master`.
  private static func v1(_ db: Database) throws {
    // A queue from before the migrator (see the type's comment), or another process that just
    // ran v1 (see migrate(_:)): the schema is there.
    if try userVersion(db) >= 1 { return }
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
    try setUserVersion(1, db)
  }
}
