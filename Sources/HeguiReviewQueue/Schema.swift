import GRDB

// The queue's schema and its migrations.

extension ReviewQueue {
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

  func migrate(_ db: Database) throws {
    let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
    guard version < Self.schemaVersion else { return }
    for index in version..<Self.schemaVersion { try Self.migrations[index](db) }
    try db.execute(sql: "PRAGMA user_version = \(Self.schemaVersion)")
  }
}
