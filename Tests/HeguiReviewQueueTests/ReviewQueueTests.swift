import Foundation
import GRDB
import Hegui
import HeguiReviewQueue
import Testing

@Suite("Review queue: tickets, precedent, leases, decisions, export")
struct ReviewQueueTests {
  @Test("a new queue file gets the schema, the application id, the schema version and WAL")
  func createsSchema() async throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let path = folder.path("queue.sqlite")
    let queue = try ReviewQueue.open(path: path)
    #expect(try await queue.tickets().isEmpty)
    try queue.close()
    let header = try #require(FileManager.default.contents(atPath: path)).prefix(100)
    #expect(header.prefix(15) == Data("SQLite format 3".utf8))
    #expect(Array(header[68..<72]) == [0x48, 0x47, 0x52, 0x51])  // application_id 'HGRQ'
    let db = try DatabaseQueue(path: path)
    let (version, mode, tables) = try await db.read { db in
      (
        try Int.fetchOne(db, sql: "PRAGMA user_version"), try String.fetchOne(db, sql: "PRAGMA journal_mode"),
        try Set(String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"))
      )
    }
    try db.close()
    #expect(version == ReviewQueue.schemaVersion)
    #expect(mode == "wal")
    #expect(tables.isSuperset(of: ["ticket", "decision", "occurrence"]))
    // Reopening an existing queue migrates nothing and keeps its tickets.
    let again = try ReviewQueue.open(path: path)
    #expect(try await again.counts() == [.pending: 0, .claimed: 0, .decided: 0])
  }

  @Test("a ticket holds the item, its findings and trail, the hash of its normalised text, state and timestamps")
  func ticketContents() async throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let clock = TestClock()
    let queue = try ReviewQueue.open(path: folder.path("q.sqlite"), clock: clock.source)
    let item = ModerationItem(
      id: "script.txt:12", text: "这是我们家最好用的一款",
      context: CheckContext(.livestream, shopSubject: .enterprise, category: "cosmetics", licences: ["化妆品生产许可证"]))
    let result = try await queue.enqueue(item, trail: ruleTrail())
    #expect(result == .ticket(id: 1, isNew: true))
    let ticket = try #require(try await queue.ticket(1))
    #expect(ticket.item == item)
    #expect(ticket.findings.map(\.rule) == ["adlaw.absolute.best"])
    #expect(ticket.trail == ruleTrail())
    #expect(ticket.textHash == ReviewQueue.textHash(item.text))
    #expect(ticket.textHash.count == 64)
    #expect(ticket.state == .pending)
    #expect(ticket.createdAt == clock.date)
    #expect(ticket.updatedAt == clock.date)
    #expect(ticket.occurrences == 1)
    #expect(try await queue.ticket(99) == nil)
  }

  @Test("the same normalised text enqueued twice (and in other spellings) yields one ticket")
  func sameTextOneTicket() async throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let queue = try ReviewQueue.open(path: folder.path("q.sqlite"))
    let first = try await queue.enqueue(item("全网最低价，今天只要89", id: "a"), trail: ruleTrail())
    let spellings = ["全网最低价，今天只要89", "全網最低價，今天只要89", "全-网-最-低-价，今天只要８９", "  全网最低价，今天只要89\n"]
    for (index, text) in spellings.enumerated() {
      #expect(try await queue.enqueue(item(text, id: "b\(index)"), trail: ruleTrail()) == .ticket(id: 1, isNew: false))
    }
    #expect(first == .ticket(id: 1, isNew: true))
    #expect(try await queue.tickets().count == 1)
    let occurrences = try await queue.occurrences(ofTicket: 1)
    #expect(occurrences.map(\.kind) == [.new, .duplicate, .duplicate, .duplicate, .duplicate])
    #expect(occurrences.map(\.itemID) == ["a", "b0", "b1", "b2", "b3"])
    #expect(try await queue.enqueue(item("另一句话"), trail: []) == .ticket(id: 2, isNew: true))
  }

  @Test("a text already decided is answered from precedent without a new ticket")
  func precedent() async throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let queue = try ReviewQueue.open(path: folder.path("q.sqlite"))
    _ = try await queue.enqueue(item("这是我们家最好用的一款", id: "first"), trail: ruleTrail())
    let decision = try await queue.decide(ticket: 1, reviewer: "王审核", verdict: .approve, note: "本店自有系列内比较，可用")
    let again = try await queue.enqueue(item("这是我们家最好用的一款", id: "second"), trail: ruleTrail())
    #expect(again == .precedent(decision))
    #expect(try await queue.counts() == [.pending: 0, .claimed: 0, .decided: 1])
    #expect(try await queue.occurrences(ofTicket: 1).map(\.kind) == [.new, .precedent])
    #expect(try await queue.precedent(for: "这是我们家最好用的一款") == decision)
    #expect(try await queue.precedent(for: "别的文本") == nil)
  }

  @Test("claim takes the oldest waiting ticket; a claim is a lease that runs out")
  func claimIsALease() async throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let clock = TestClock()
    let queue = try ReviewQueue.open(path: folder.path("q.sqlite"), clock: clock.source)
    _ = try await queue.enqueue(item("第一条"), trail: [])
    clock.advance(by: 1)
    _ = try await queue.enqueue(item("第二条"), trail: [])

    let alice = try #require(try await queue.claim(reviewer: "alice", lease: .seconds(60)))
    #expect(alice.id == 1)
    #expect(alice.state == .claimed)
    #expect(
      alice.claim == Claim(reviewer: "alice", claimedAt: clock.date, expiresAt: clock.date.addingTimeInterval(60)))
    let bob = try #require(try await queue.claim(reviewer: "bob", lease: .seconds(60)))
    #expect(bob.id == 2)
    #expect(try await queue.claim(reviewer: "carol", lease: .seconds(60)) == nil)

    // Alice disappears. Before her lease runs out, her ticket stays hers.
    clock.advance(by: 59)
    await #expect(throws: ReviewQueueError.self) {
      try await queue.claim(ticket: 1, reviewer: "carol", lease: .seconds(60))
    }
    await #expect(throws: ReviewQueueError.self) {
      try await queue.decide(ticket: 1, reviewer: "carol", verdict: .reject, note: "")
    }
    #expect(try await queue.tickets(in: [.pending]).isEmpty)

    // After it, the ticket is pending again, in its place (oldest first), and carol may claim it.
    clock.advance(by: 2)
    #expect(try await queue.tickets(in: [.pending]).map(\.id) == [1, 2])
    #expect(try await queue.counts() == [.pending: 2, .claimed: 0, .decided: 0])
    let carol = try #require(try await queue.claim(reviewer: "carol", lease: .seconds(60)))
    #expect(carol.id == 1)
    #expect(carol.claim?.reviewer == "carol")
    // Alice is back, too late: the ticket is carol's now.
    do {
      try await queue.decide(ticket: 1, reviewer: "alice", verdict: .approve)
      Issue.record("alice decided a ticket carol holds")
    } catch {
      #expect(error.code == .claimedByOther)
      #expect(error.message.contains("claimed by carol"))
    }
    #expect(try await queue.decide(ticket: 1, reviewer: "carol", verdict: .reject, note: "绝对化用语").verdict == .reject)
  }

  @Test("a reviewer renews and releases their own claim; a lapsed claim nobody took may still be decided by its holder")
  func renewAndRelease() async throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let clock = TestClock()
    let queue = try ReviewQueue.open(path: folder.path("q.sqlite"), clock: clock.source)
    _ = try await queue.enqueue(item("第一条"), trail: [])
    _ = try await queue.claim(ticket: 1, reviewer: "alice", lease: .seconds(10))
    clock.advance(by: 5)
    let renewed = try await queue.claim(ticket: 1, reviewer: "alice", lease: .seconds(10))
    #expect(renewed.claim?.expiresAt == clock.date.addingTimeInterval(10))
    await #expect(throws: ReviewQueueError.self) { try await queue.release(ticket: 1, reviewer: "bob") }
    try await queue.release(ticket: 1, reviewer: "alice")
    #expect(try await queue.ticket(1)?.state == .pending)
    _ = try await queue.claim(ticket: 1, reviewer: "alice", lease: .seconds(10))
    clock.advance(by: 3600)
    #expect(try await queue.decide(ticket: 1, reviewer: "alice", verdict: .approve).reviewer == "alice")
  }

  @Test("a decision records reviewer, verdict, note and time, and is final")
  func decisions() async throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let clock = TestClock()
    let queue = try ReviewQueue.open(path: folder.path("q.sqlite"), clock: clock.source)
    _ = try await queue.enqueue(item("第一条"), trail: [])
    clock.advance(by: 30)
    let decision = try await queue.decide(ticket: 1, reviewer: "王审核", verdict: .requireEdit, note: "删去「第一」")
    #expect(
      decision
        == Decision(id: 1, ticket: 1, reviewer: "王审核", verdict: .requireEdit, note: "删去「第一」", decidedAt: clock.date))
    #expect(try await queue.ticket(1)?.decision == decision)
    #expect(try await queue.ticket(1)?.state == .decided)
    do {
      try await queue.decide(ticket: 1, reviewer: "李审核", verdict: .approve)
      Issue.record("a second decision was accepted")
    } catch {
      #expect(error.code == .alreadyDecided)
      #expect(error.message.contains("already decided (require-edit) by 王审核"))
    }
    await #expect(throws: ReviewQueueError.self) {
      try await queue.claim(ticket: 1, reviewer: "李审核", lease: .seconds(5))
    }
    #expect(try await queue.decisions() == [decision])
    #expect(try await queue.claim(reviewer: "李审核", lease: .seconds(5)) == nil)
  }

  @Test(
    "bad arguments are refused with clear errors",
    arguments: [
      ("", ReviewVerdict.approve, "ok", "a reviewer name is required"),
      ("王审核", .requireEdit, " ", "require-edit needs a note"),
    ])
  func badArguments(reviewer: String, verdict: ReviewVerdict, note: String, message: String) async throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let queue = try ReviewQueue.open(path: folder.path("q.sqlite"))
    _ = try await queue.enqueue(item("第一条"), trail: [])
    do {
      try await queue.decide(ticket: 1, reviewer: reviewer, verdict: verdict, note: note)
      Issue.record("accepted")
    } catch {
      #expect(error.code == .invalidArgument)
      #expect(error.message.contains(message))
    }
    do {
      try await queue.decide(ticket: 42, reviewer: "王审核", verdict: .approve)
    } catch {
      #expect(error.code == .ticketNotFound)
    }
    await #expect(throws: ReviewQueueError.self) { try await queue.claim(reviewer: "x", lease: .zero) }
  }

  @Test("decisions are append-only: the database refuses to change or delete them, or to reopen a decided ticket")
  func appendOnly() async throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let path = folder.path("q.sqlite")
    let queue = try ReviewQueue.open(path: path)
    _ = try await queue.enqueue(item("第一条"), trail: [])
    try await queue.decide(ticket: 1, reviewer: "王审核", verdict: .reject, note: "违规")
    let db = try DatabasePool(path: path)
    for sql in [
      "UPDATE decision SET verdict = 'approve'", "DELETE FROM decision", "UPDATE ticket SET state = 'pending'",
      "DELETE FROM ticket",
      "INSERT INTO decision (ticket_id, reviewer, verdict, note, decided_at) VALUES (1, 'x', 'approve', '', 0)",
    ] {
      await #expect(throws: DatabaseError.self, "\(sql)") { try await db.write { try $0.execute(sql: sql) } }
    }
    #expect(try await queue.decisions().map(\.verdict) == [.reject])
  }

  @Test("two reviewers can never both decide one ticket: 16 concurrent deciders, one wins")
  func concurrentDeciders() async throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let path = folder.path("q.sqlite")
    let setup = try ReviewQueue.open(path: path)
    for i in 0..<6 { _ = try await setup.enqueue(item("第\(i)条"), trail: []) }
    // Each decider has its own connection pool, as separate processes would.
    let deciders = try (0..<16).map { _ in try ReviewQueue.open(path: path) }
    for ticket in Int64(1)...6 {
      let results = await withTaskGroup(of: Result<Decision, ReviewQueueError>.self) { group in
        for (index, queue) in deciders.enumerated() {
          group.addTask {
            do {
              let verdict: ReviewVerdict = index % 2 == 0 ? .approve : .reject
              return .success(
                try await queue.decide(ticket: ticket, reviewer: "reviewer-\(index)", verdict: verdict, note: "n"))
            } catch {
              return .failure(error as? ReviewQueueError ?? ReviewQueueError(.database, "\(error)"))
            }
          }
        }
        var results: [Result<Decision, ReviewQueueError>] = []
        for await result in group { results.append(result) }
        return results
      }
      let winners = results.compactMap { try? $0.get() }
      #expect(winners.count == 1, "ticket \(ticket)")
      for case let .failure(error) in results {
        #expect(error.code == .alreadyDecided, "\(error)")
        #expect(error.message.contains("by \(winners.first?.reviewer ?? "?")"))
      }
      #expect(try await setup.ticket(ticket)?.decision == winners.first)
    }
    #expect(try await setup.decisions().count == 6)
  }

  @Test("concurrent claimers never share a ticket")
  func concurrentClaimers() async throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let path = folder.path("q.sqlite")
    let setup = try ReviewQueue.open(path: path)
    for i in 0..<20 { _ = try await setup.enqueue(item("第\(i)条"), trail: []) }
    let claimers = try (0..<6).map { _ in try ReviewQueue.open(path: path) }
    let claimed = await withTaskGroup(of: [Int64].self) { group in
      for (index, queue) in claimers.enumerated() {
        group.addTask {
          var ids: [Int64] = []
          while let ticket = try? await queue.claim(reviewer: "r\(index)", lease: .seconds(600)) {
            ids.append(ticket.id)
          }
          return ids
        }
      }
      var all: [Int64] = []
      for await ids in group { all += ids }
      return all
    }
    #expect(claimed.sorted() == Array(1...20))
  }

  @Test("list shows what waits, oldest first, with the findings that sent it there")
  func listOldestFirst() async throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let clock = TestClock()
    let queue = try ReviewQueue.open(path: folder.path("q.sqlite"), clock: clock.source)
    for (index, text) in ["甲", "乙", "丙", "丁"].enumerated() {
      _ = try await queue.enqueue(item(text, id: "i\(index)"), trail: ruleTrail("rule.\(index)", match: text))
      clock.advance(by: 1)
    }
    try await queue.decide(ticket: 2, reviewer: "r", verdict: .approve)
    _ = try await queue.claim(ticket: 4, reviewer: "r", lease: .seconds(60))
    let waiting = try await queue.tickets()
    #expect(waiting.map(\.id) == [1, 3, 4])
    #expect(waiting.map(\.state) == [.pending, .pending, .claimed])
    #expect(waiting.map { $0.findings.map(\.rule) } == [["rule.0"], ["rule.2"], ["rule.3"]])
    #expect(try await queue.tickets(in: [.decided]).map(\.id) == [2])
    #expect(try await queue.tickets(in: Set(TicketState.allCases), limit: 2).map(\.id) == [1, 2])
  }

  @Test("decisions export as JSON Lines for audits")
  func exportJSONLines() async throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let clock = TestClock()
    let queue = try ReviewQueue.open(path: folder.path("q.sqlite"), clock: clock.source)
    for i in 0..<520 { _ = try await queue.enqueue(item("文本\(i)", id: "item-\(i)"), trail: ruleTrail()) }
    for ticket in Int64(1)...520 {
      try await queue.decide(
        ticket: ticket, reviewer: "r\(ticket % 3)", verdict: ticket % 2 == 0 ? .approve : .reject, note: "第\(ticket)号")
    }
    _ = try await queue.enqueue(item("文本0", id: "again"), trail: [])
    var data = Data()
    let count = try await queue.exportDecisions { data.append($0) }
    #expect(count == 520)
    let lines = data.split(separator: 0x0A)
    #expect(lines.count == 520)  // more than one export batch of 500
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601withFractionalSeconds
    let first = try decoder.decode(AuditRecord.self, from: Data(lines[0]))
    #expect(first.decision.ticket == 1)
    #expect(first.decision.reviewer == "r1")
    #expect(first.ticket.item.text == "文本0")
    #expect(first.ticket.findings.map(\.rule) == ["adlaw.absolute.best"])
    #expect(first.occurrences.map(\.itemID) == ["item-0", "again"])
    #expect(first.occurrences.map(\.kind) == [.new, .precedent])
    let text = String(decoding: lines[0], as: UTF8.self)
    #expect(text.contains("\"decidedAt\":\"2027-01-15T08:00:00.000Z\""))
    let last = try decoder.decode(AuditRecord.self, from: Data(lines[519]))
    #expect(last.decision.id == 520)

    var since = Data()
    #expect(try await queue.exportDecisions(since: clock.date.addingTimeInterval(1)) { since.append($0) } == 0)
  }
}

extension JSONDecoder.DateDecodingStrategy {
  static let iso8601withFractionalSeconds = JSONDecoder.DateDecodingStrategy.custom { decoder in
    let text = try decoder.singleValueContainer().decode(String.self)
    guard let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) else {
      throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a date: \(text)"))
    }
    return date
  }
}
