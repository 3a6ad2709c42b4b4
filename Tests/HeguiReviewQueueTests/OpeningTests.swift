import Foundation
import GRDB
import Hegui
import HeguiReviewQueue
import Testing

@Suite("Review queue files: foreign, corrupt, newer, read-only")
struct OpeningTests {
  func expectRefused(
    _ path: String, readOnly: Bool = false, code: ReviewQueueError.Code, containing text: String,
    sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) {
    let before = FileSnapshot(path)
    do {
      let queue = try ReviewQueue.open(path: path, readOnly: readOnly)
      try? queue.close()
      Issue.record("opened \(path)", sourceLocation: sourceLocation)
    } catch {
      #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
      #expect(error.description.contains(text), "\(error)", sourceLocation: sourceLocation)
    }
    #expect(FileSnapshot(path) == before, "the file was changed", sourceLocation: sourceLocation)
  }

  /// The error a body throws, or `nil` when it succeeds.
  static func failure(_ body: () async throws(ReviewQueueError) -> Void) async -> ReviewQueueError? {
    do {
      try await body()
      return nil
    } catch {
      return error
    }
  }

  @Test(
    "a file that is not a database is refused and left untouched",
    arguments: [
      Data("version: 1\nstages: []\n".utf8), Data(repeating: 0xAB, count: 8192), Data("SQLite format 3".utf8),
    ])
  func notADatabase(contents: Data) throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let path = folder.path("pipeline.yml")
    _ = FileManager.default.createFile(atPath: path, contents: contents)
    expectRefused(path, code: .notADatabase, containing: "file is not a database")
    expectRefused(path, readOnly: true, code: .notADatabase, containing: "file is not a database")
  }

  @Test("another application's SQLite database is refused and left untouched")
  func foreignDatabase() async throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let path = folder.path("shop.sqlite")
    let other = try DatabaseQueue(path: path)
    try await other.write { db in
      try db.execute(sql: "CREATE TABLE orders (id INTEGER PRIMARY KEY, total INTEGER)")
      try db.execute(sql: "INSERT INTO orders (total) VALUES (42)")
    }
    try other.close()
    expectRefused(path, code: .foreignDatabase, containing: "an SQLite database, but not a Hegui review queue")

    let tagged = folder.path("tagged.sqlite")
    let app = try DatabaseQueue(path: tagged)
    try await app.write { db in try db.execute(sql: "PRAGMA application_id = 1234") }
    try app.close()
    expectRefused(tagged, code: .foreignDatabase, containing: "another application (application_id 0x000004D2)")
  }

  @Test("a queue with a newer schema version is refused and left untouched")
  func newerSchema() async throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let path = folder.path("q.sqlite")
    let queue = try ReviewQueue.open(path: path)
    _ = try await queue.enqueue(item("第一条"), trail: [])
    try queue.close()
    let raw = try DatabaseQueue(path: path)
    try await raw.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA user_version = 7") }
    try raw.close()
    expectRefused(path, code: .newerSchema, containing: "schema version 7, newer than this Hegui's 1")
    expectRefused(path, readOnly: true, code: .newerSchema, containing: "schema version 7")
  }

  @Test("a damaged queue gives a clear error and is left untouched")
  func corrupt() async throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let path = folder.path("q.sqlite")
    let queue = try ReviewQueue.open(path: path)
    for i in 0..<60 {
      _ = try await queue.enqueue(item("第\(i)条 " + String(repeating: "很长的文本", count: 50)), trail: ruleTrail())
    }
    try queue.close()
    // Keep the header (it still says "review queue"), overwrite the rest with garbage.
    var bytes = try #require(FileManager.default.contents(atPath: path))
    for index in 100..<bytes.count { bytes[index] = UInt8(truncatingIfNeeded: index &* 31) }
    try bytes.write(to: URL(fileURLWithPath: path))
    let before = FileSnapshot(path)
    let error = try #require(
      await Self.failure { () async throws(ReviewQueueError) in
        let damaged = try ReviewQueue.open(path: path)
        defer { try? damaged.close() }
        _ = try await damaged.tickets()
      })
    #expect([.corrupt, .notADatabase].contains(error.code), "\(error)")
    #expect(error.description.contains("malformed") || error.description.contains("not a database"), "\(error)")
    #expect(FileSnapshot(path).bytes == before.bytes)
  }

  @Test("a folder where the queue cannot write is refused; nothing is created and an existing queue is untouched")
  func readOnlyFolder() async throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let existing = folder.path("q.sqlite")
    let queue = try ReviewQueue.open(path: existing)
    _ = try await queue.enqueue(item("第一条"), trail: [])
    try queue.close()
    chmod(folder.url.path, 0o555)
    defer { chmod(folder.url.path, 0o755) }

    let new = folder.path("new.sqlite")
    expectRefused(new, code: .readOnly, containing: "is read-only")
    #expect(!FileManager.default.fileExists(atPath: new))
    expectRefused(existing, code: .readOnly, containing: "is read-only")
  }

  @Test("a read-only queue file can still be listed and exported")
  func readOnlyOpening() async throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let path = folder.path("q.sqlite")
    let queue = try ReviewQueue.open(path: path)
    _ = try await queue.enqueue(item("第一条"), trail: [])
    try await queue.decide(ticket: 1, reviewer: "r", verdict: .approve)
    try queue.close()
    let before = FileSnapshot(path)
    let reader = try ReviewQueue.open(path: path, readOnly: true)
    #expect(try await reader.tickets(in: [.decided]).count == 1)
    var lines = 0
    try await reader.exportDecisions { _ in lines += 1 }
    #expect(lines == 1)
    do {
      _ = try await reader.enqueue(item("第二条"), trail: [])
      Issue.record("a read-only queue accepted a ticket")
    } catch {
      #expect(error.code == .readOnly)
    }
    try reader.close()
    #expect(FileSnapshot(path).bytes == before.bytes)
  }

  @Test("opening a missing queue read-only says so and creates nothing")
  func missingReadOnly() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let path = folder.path("missing.sqlite")
    expectRefused(path, readOnly: true, code: .notFound, containing: "no review queue here")
    #expect(!FileManager.default.fileExists(atPath: path))
  }

  @Test("a folder or a missing folder is refused")
  func folders() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    expectRefused(folder.url.path, code: .io, containing: "is a folder")
    expectRefused(folder.path("no/such/q.sqlite"), code: .io, containing: "does not exist")
  }

  @Test("a queue file stamped but never migrated (a crash right after creation) is migrated on open")
  func unmigratedQueue() async throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let path = folder.path("q.sqlite")
    let raw = try DatabaseQueue(path: path)
    try await raw.writeWithoutTransaction { db in
      try db.execute(sql: "PRAGMA application_id = \(Int32(bitPattern: ReviewQueue.applicationID))")
      _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
    }
    try raw.close()
    let before = try #require(FileManager.default.contents(atPath: path))
    let error = await Self.failure { () async throws(ReviewQueueError) in
      _ = try ReviewQueue.open(path: path, readOnly: true)
    }
    #expect(error?.code == .readOnly)
    #expect(error?.message.contains("must be migrated: open it once for writing") == true)
    #expect(FileManager.default.contents(atPath: path) == before)
    let queue = try ReviewQueue.open(path: path)
    #expect(try await queue.enqueue(item("第一条"), trail: []) == .ticket(id: 1, isNew: true))
    try queue.close()
    #expect(try await ReviewQueue.open(path: path, readOnly: true).counts()[.pending] == 1)
  }

  @Test("an empty file (e.g. from mktemp) becomes a queue")
  func emptyFile() async throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let path = folder.path("q.sqlite")
    _ = FileManager.default.createFile(atPath: path, contents: Data())
    let queue = try ReviewQueue.open(path: path)
    #expect(try await queue.enqueue(item("第一条"), trail: []) == .ticket(id: 1, isNew: true))
  }
}
