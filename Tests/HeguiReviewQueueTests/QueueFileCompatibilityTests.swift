import Foundation
import GRDB
import Hegui
import HeguiReviewQueue
import Testing

/// What `queue-v1-read.json` holds: the whole queue as the code before the migrator read it.
struct QueueSnapshot: Codable, Equatable {
  var tickets: [Ticket]
  var occurrences: [[Occurrence]]
  var decisions: [Decision]
}

@Suite("Queue files written before the migrator, and the migrator itself")
struct QueueFileCompatibilityTests {
  /// `Fixtures/`: a queue written by the code before `DatabaseMigrator` and swift-crypto, and what
  /// that code read and exported from it (see `Fixtures/README.md`).
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures")

  /// The time the fixture was read at: ticket 3's claim is live, ticket 4's has run out.
  static func fixtureClock() -> TestClock {
    let clock = TestClock()
    clock.advance(by: 10)
    return clock
  }

  static func fixture(_ name: String) throws -> Data {
    try Data(contentsOf: fixtures.appendingPathComponent(name))
  }

  /// A copy of the fixture queue in `folder` (the fixture itself is never opened).
  static func copyFixture(to folder: TemporaryFolder) throws -> String {
    let path = folder.path("queue-v1.sqlite")
    try FileManager.default.copyItem(
      at: fixtures.appendingPathComponent("queue-v1.sqlite"), to: URL(fileURLWithPath: path))
    return path
  }

  /// The queue read whole, encoded as `review show --format json` encodes tickets.
  static func snapshot(_ queue: ReviewQueue) async throws -> Data {
    let tickets = try await queue.tickets(in: Set(TicketState.allCases))
    var occurrences: [[Occurrence]] = []
    for ticket in tickets { occurrences.append(try await queue.occurrences(ofTicket: ticket.id)) }
    let snapshot = QueueSnapshot(tickets: tickets, occurrences: occurrences, decisions: try await queue.decisions())
    return try ReviewQueue.jsonEncoder().encode(snapshot)
  }

  static func export(_ queue: ReviewQueue) async throws -> Data {
    var data = Data()
    try await queue.exportDecisions { data.append($0) }
    return data
  }

  /// A plain read-only SQLite connection, to look at a file without the queue's checks.
  static func readOnlyConnection(_ path: String) throws -> DatabaseQueue {
    var configuration = GRDB.Configuration()
    configuration.readonly = true
    return try DatabaseQueue(path: path, configuration: configuration)
  }

  /// `sqlite_master` without GRDB's own table and its index: the queue's schema, statement by statement.
  static func schema(_ path: String) async throws -> [String] {
    let db = try readOnlyConnection(path)
    defer { try? db.close() }
    return try await db.read { db in
      try String.fetchAll(
        db,
        sql: """
          SELECT type || ' ' || name || ': ' || ifnull(sql, '') FROM sqlite_master
          WHERE tbl_name <> 'grdb_migrations' ORDER BY name
          """)
    }
  }

  /// `user_version` and the migrations GRDB recorded (`nil`: no `grdb_migrations` table).
  static func versions(_ path: String) async throws -> (userVersion: Int, migrations: [String]?) {
    let db = try readOnlyConnection(path)
    defer { try? db.close() }
    return try await db.read { db in
      let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
      guard try db.tableExists("grdb_migrations") else { return (version, nil) }
      return (version, try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier"))
    }
  }

  @Test("the fixture is what the code before the migrator wrote: user_version 1, no grdb_migrations")
  func fixtureIsOld() async throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let path = try Self.copyFixture(to: folder)
    let versions = try await Self.versions(path)
    #expect(versions.userVersion == 1)
    #expect(versions.migrations == nil)
  }

  @Test("an old queue opens read-only as it is: the same tickets, occurrences, decisions and export, to the byte")
  func oldQueueReadOnly() async throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let path = try Self.copyFixture(to: folder)
    let before = FileSnapshot(path)
    let queue = try ReviewQueue.open(path: path, readOnly: true, clock: Self.fixtureClock().source)
    let snapshot = try await Self.snapshot(queue)
    let export = try await Self.export(queue)
    try queue.close()
    #expect(snapshot == (try Self.fixture("queue-v1-read.json")))
    #expect(export == (try Self.fixture("queue-v1-export.jsonl")))
    #expect(FileSnapshot(path).bytes == before.bytes)
  }

  @Test("an old queue opened for writing is adopted by the migrator without running v1 again, and keeps working")
  func oldQueueMigrates() async throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let path = try Self.copyFixture(to: folder)
    let schemaBefore = try await Self.schema(path)
    let clock = Self.fixtureClock()
    let queue = try ReviewQueue.open(path: path, clock: clock.source)
    let versions = try await Self.versions(path)
    #expect(versions.userVersion == 1)
    #expect(versions.migrations == ["v1"])
    #expect(try await Self.schema(path) == schemaBefore)
    #expect(try await Self.snapshot(queue) == (try Self.fixture("queue-v1-read.json")))

    // Old tickets meet new items by hash: the hashes written before swift-crypto still match.
    let approved = try #require(try await queue.precedent(for: "这是我们家最好用的一款"))
    #expect(approved.verdict == .approve)
    #expect(approved.ticket == 1)
    let again = try await queue.enqueue(item("全网最低价，今天只要89", id: "title-9"), trail: [])
    guard case .precedent(let edit) = again else {
      Issue.record("the decided ticket 2 did not answer from precedent")
      return
    }
    #expect(edit.ticket == 2)
    #expect(edit.verdict == .requireEdit)
    #expect(try await queue.enqueue(item("国家级品质", id: "d2"), trail: []) == .ticket(id: 4, isNew: false))
    #expect(try await queue.enqueue(item("新的一句", id: "e"), trail: ruleTrail()) == .ticket(id: 5, isNew: true))

    // Ticket 3 is bob's for another hour; ticket 4's lease ran out, so it is the oldest waiting.
    let claimed = try #require(try await queue.claim(reviewer: "dave", lease: .seconds(60)))
    #expect(claimed.id == 4)
    #expect(claimed.occurrences == 2)
    let decision = try await queue.decide(ticket: 4, reviewer: "dave", verdict: .reject, note: "绝对化用语")
    #expect(decision.id == 3)
    #expect(try await queue.counts() == [.pending: 1, .claimed: 1, .decided: 3])
    try queue.close()

    // Reopening finds nothing to migrate.
    let reopened = try ReviewQueue.open(path: path, readOnly: true)
    #expect(try await reopened.decisions().count == 3)
    try reopened.close()
  }

  @Test("a new queue has the same schema, statement by statement, as one written before the migrator")
  func newQueueSameSchema() async throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let old = try Self.copyFixture(to: folder)
    let new = folder.path("new.sqlite")
    try ReviewQueue.open(path: new).close()
    #expect(try await Self.schema(new) == (try await Self.schema(old)))
    let versions = try await Self.versions(new)
    #expect(versions.userVersion == ReviewQueue.schemaVersion)
    #expect(versions.migrations == ["v1"])
  }

  /// Printed by the code that wrote the fixture, with its hand-written SHA-256.
  @Test(
    "ticket hashes are the ones earlier Hegui versions stored",
    arguments: [
      ("全网最低价", "eb083ad78db85c86ac0bffb1290882b5871fbca1ad881ad6de315d392a28fe8a"),
      ("全網最低價", "eb083ad78db85c86ac0bffb1290882b5871fbca1ad881ad6de315d392a28fe8a"),
      (" 全-网-最-低-价\n", "eb083ad78db85c86ac0bffb1290882b5871fbca1ad881ad6de315d392a28fe8a"),
      ("ＮＯ．１", "cff8d82b94d1862bebb18a2ad0ec592ba615bc75582b99f5af8ff026bbb1dd5d"),
      ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
      ("这是我们家最好用的一款", "f3da4112704e184fa808c7dce6fca7973de951f446ea069fbdaac9cb4622200f"),
    ])
  func textHashes(text: String, hash: String) {
    #expect(ReviewQueue.textHash(text) == hash)
  }

  @Test("several processes opening one unmigrated queue at once all succeed, and v1 runs once")
  func concurrentMigration() async throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let path = folder.path("q.sqlite")
    let raw = try DatabaseQueue(path: path)
    try await raw.writeWithoutTransaction { db in
      try db.execute(sql: "PRAGMA application_id = \(Int32(bitPattern: ReviewQueue.applicationID))")
      _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
    }
    try raw.close()
    // Threads, not tasks: opening blocks while another opener holds the write lock.
    let failures = await withCheckedContinuation { continuation in
      let lock = NSLock()
      nonisolated(unsafe) var failures: [String] = []
      let group = DispatchGroup()
      for _ in 0..<8 {
        group.enter()
        Thread {
          do {
            try ReviewQueue.open(path: path).close()
          } catch {
            lock.withLock { failures.append("\(error)") }
          }
          group.leave()
        }.start()
      }
      group.notify(queue: .global()) { continuation.resume(returning: lock.withLock { failures }) }
    }
    #expect(failures.isEmpty)
    let versions = try await Self.versions(path)
    #expect(versions.userVersion == 1)
    #expect(versions.migrations == ["v1"])
  }
}
