import Foundation
import GRDB
import Hegui
import HeguiCLITestSupport
import HeguiReviewQueue
import Testing

/// Several processes on one queue file, as a team runs it: `hegui moderate` runs started
/// together, reviewers claiming and deciding at the same time, a queue created by many at once.
/// Serialized: each test loads the machine with processes of its own.
@Suite("Review queue: concurrent processes, busy timeout and retries", .serialized)
struct ConcurrencyTests {
  static let pipeline = "version: 1\nstages:\n  - type: review\n"

  static let rulesPipeline = """
    version: 1
    stages:
      - type: rules
        rulesets: [rules]
        include_shipped: false
      - type: review
    """

  func workspace() throws -> TemporaryFolder {
    let folder = try TemporaryFolder()
    try FileManager.default.createDirectory(
      at: folder.url.appendingPathComponent("rules"), withIntermediateDirectories: true)
    try CommandLineTests.rules.write(
      to: folder.url.appendingPathComponent("rules/shop.yml"), atomically: true, encoding: .utf8)
    try Self.pipeline.write(to: folder.url.appendingPathComponent("pipeline.yml"), atomically: true, encoding: .utf8)
    try Self.rulesPipeline.write(to: folder.url.appendingPathComponent("rules.yml"), atomically: true, encoding: .utf8)
    return folder
  }

  /// Runs `hegui` once per argument list, all started at the same moment through a gate.
  static func runTogether(_ commands: [[String]], in folder: URL) async throws -> [HeguiProcess.Output] {
    let gate = try StartGate(in: folder)
    return try await withThrowingTaskGroup(of: (Int, HeguiProcess.Output).self) { group in
      for (index, arguments) in commands.enumerated() {
        group.addTask {
          (index, try await HeguiProcess.run(gate.arguments(arguments), in: folder, executable: StartGate.shell))
        }
      }
      try await gate.release(whenWaiting: commands.count)
      var outputs = [HeguiProcess.Output?](repeating: nil, count: commands.count)
      for try await (index, output) in group { outputs[index] = output }
      return outputs.compactMap { $0 }
    }
  }

  @Test("8 processes creating the same new queue at the same moment all succeed, and it holds all 8 tickets")
  func eightProcessesCreateOneQueue() async throws {
    let folder = try workspace()
    defer { folder.remove() }
    for round in 1...3 {
      let db = "new-\(round).sqlite"
      let started = Date()
      let outputs = try await Self.runTogether(
        (1...8).map {
          ["moderate", "--text", "第\($0)号进程：本店最新款", "--pipeline", "pipeline.yml", "--db", db, "--format", "jsonl"]
        },
        in: folder.url)
      for (index, output) in outputs.enumerated() {
        #expect(output.status == 1, "process \(index + 1) of round \(round): \(output.stderr)")
        #expect(!output.stderr.contains("error"), "process \(index + 1) of round \(round): \(output.stderr)")
        let objects = try jsonObjects(output.stdout.split(separator: "\n").map(String.init))
        #expect(objects.count == 1 && objects.first?["ticket"] is String, "\(output.stdout)")
      }
      let queue = try ReviewQueue.open(path: folder.path(db))
      #expect(try await queue.integrityCheck() == ["ok"])
      #expect(try await Set(queue.tickets().map(\.item.text)) == Set((1...8).map { "第\($0)号进程：本店最新款" }))
      try queue.close()
      print(
        "round \(round): 8 processes created \(db) together in \(String(format: "%.2f", Date().timeIntervalSince(started))) s"
      )
    }
  }

  /// The input of one `moderate` process: its own review-worthy lines, and lines every process
  /// has (in an order of its own), so that they meet on the same tickets.
  static func input(process: Int, own: Int, shared: Int) -> [String] {
    var lines = (1...own).map { "第\(process)场第\($0)句：这是本店最新款，货号\(process * 10_000 + $0)" }
    let common = (1...shared).map { "大家都说：这是本店最新款，第\($0)批" }
    let rotated = Array(common[(process * shared / 4)...] + common[..<(process * shared / 4)])
    for (index, line) in rotated.enumerated() { lines.insert(line, at: min(lines.count, index * (own / shared + 1))) }
    return lines
  }

  @Test("4 moderate processes and 4 reviewers on one queue: no item lost, no ticket decided twice, no lock error")
  func moderatorsAndReviewers() async throws {
    let folder = try workspace()
    defer { folder.remove() }
    let (processes, own, shared) = (4, 150, 50)
    var inputs: [String: String] = [:]
    for process in 1...processes {
      let lines = Self.input(process: process, own: own, shared: shared)
      try (lines.joined(separator: "\n") + "\n").write(
        to: folder.url.appendingPathComponent("live-\(process).txt"), atomically: true, encoding: .utf8)
      for (index, line) in lines.enumerated() { inputs["live-\(process).txt:\(index + 1)"] = line }
    }
    let db = folder.path("q.sqlite")
    let started = Date()
    let moderatorsDone = Locked(false)
    let reviewed = Locked<[String: [Int64]]>([:])
    let reviewerErrors = Locked<[String]>([])

    /// A reviewer at a terminal: `hegui review claim`, then `hegui review decide`, until nothing waits.
    /// The moderate runs, started together, create the queue; reviewers join as soon as it exists.
    @Sendable func waitForQueue() async throws {
      while !FileManager.default.fileExists(atPath: db) && !moderatorsDone.withLock({ $0 }) {
        try await Task.sleep(for: .milliseconds(10))
      }
    }

    @Sendable func commandLineReviewer(_ name: String) async throws {
      try await waitForQueue()
      while true {
        let doneBefore = moderatorsDone.withLock { $0 }
        let claim = try await HeguiProcess.run(
          ["review", "claim", "--db", db, "--reviewer", name, "--lease", "10m"], in: folder.url)
        if claim.status == 1 && claim.stderr.contains("nothing waits for review") {
          if doneBefore { return }
          try await Task.sleep(for: .milliseconds(20))
          continue
        }
        guard claim.status == 0, let id = Self.ticketID(claimed: claim.stdout) else {
          reviewerErrors.withLock { $0.append("\(name) claim: \(claim.status) \(claim.stderr)") }
          return
        }
        let verdict = id % 2 == 0 ? "approve" : "reject"
        let decide = try await HeguiProcess.run(
          ["review", "decide", String(id), "--db", db, "--reviewer", name, "--verdict", verdict], in: folder.url)
        if decide.status == 0 {
          reviewed.withLock { $0[name, default: []].append(id) }
        } else {
          reviewerErrors.withLock { $0.append("\(name) decide #\(id): \(decide.status) \(decide.stderr)") }
        }
      }
    }

    /// A reviewer in a program of its own: the library, with its own connections to the file.
    @Sendable func libraryReviewer(_ name: String) async throws {
      try await waitForQueue()
      let queue = try ReviewQueue.open(path: db)
      defer { try? queue.close() }
      while true {
        let doneBefore = moderatorsDone.withLock { $0 }
        guard let ticket = try await queue.claim(reviewer: name, lease: .seconds(600)) else {
          if doneBefore { return }
          try await Task.sleep(for: .milliseconds(20))
          continue
        }
        do {
          try await queue.decide(ticket: ticket.id, reviewer: name, verdict: ticket.id % 2 == 0 ? .approve : .reject)
          reviewed.withLock { $0[name, default: []].append(ticket.id) }
        } catch {
          reviewerErrors.withLock { $0.append("\(name) decide #\(ticket.id): \(error)") }
        }
      }
    }

    let outputs = try await withThrowingTaskGroup(of: [HeguiProcess.Output].self) { group in
      group.addTask {
        defer { moderatorsDone.withLock { $0 = true } }
        return try await Self.runTogether(
          (1...processes).map {
            ["moderate", "live-\($0).txt", "--pipeline", "rules.yml", "--db", db, "--format", "jsonl"]
          },
          in: folder.url)
      }
      for name in ["终端审核甲", "终端审核乙"] {
        group.addTask {
          try await commandLineReviewer(name)
          return []
        }
      }
      for name in ["程序审核丙", "程序审核丁"] {
        group.addTask {
          try await libraryReviewer(name)
          return []
        }
      }
      var all: [HeguiProcess.Output] = []
      for try await outputs in group { all += outputs }
      return all
    }
    let seconds = Date().timeIntervalSince(started)

    #expect(reviewerErrors.withLock { $0 }.isEmpty, "\(reviewerErrors.withLock { $0 }.prefix(5))")
    #expect(outputs.count == processes)
    let queue = try ReviewQueue.open(path: db, readOnly: true)
    #expect(try await queue.integrityCheck() == ["ok"])
    var seen: Set<String> = []
    var precedents = 0
    for (index, output) in outputs.enumerated() {
      #expect(output.status == 1, "moderate \(index + 1): \(output.stderr)")
      #expect(!mentionsLockError(output.stdout + output.stderr), "moderate \(index + 1): \(output.stderr)")
      #expect(!output.stderr.contains("error"), "moderate \(index + 1): \(output.stderr)")
      for object in try jsonObjects(output.stdout.split(separator: "\n").map(String.init)) {
        let id = try #require(object["id"] as? String)
        #expect(seen.insert(id).inserted, "\(id) printed twice")
        #expect(object["text"] as? String == inputs[id])
        // Pending on a ticket, or answered from the precedent of a ticket decided meanwhile.
        let ticket: Int64
        if let pending = object["ticket"] as? String {
          ticket = try #require(Int64(pending))
        } else {
          let reason = try #require(object["reason"] as? String, "\(object)")
          let number = try #require(reason.firstMatch(of: /precedent: ticket #(\d+)/)?.1, "\(object)")
          ticket = try #require(Int64(number))
          precedents += 1
        }
        let occurrences = try await queue.occurrences(ofTicket: ticket)
        #expect(occurrences.contains { $0.itemID == id }, "\(id) is not on ticket #\(ticket)")
        #expect(try await queue.ticket(ticket)?.item.text == inputs[id], "\(id) is on the ticket of another text")
      }
    }
    #expect(seen == Set(inputs.keys), "lost: \(Set(inputs.keys).subtracting(seen).sorted().prefix(10))")

    let tickets = try await queue.tickets(in: [.pending, .claimed, .decided])
    let decisions = try await queue.decisions()
    let decidedByLoops = reviewed.withLock { $0 }.values.flatMap { $0 }
    #expect(tickets.count == processes * own + shared)
    #expect(
      tickets.allSatisfy { $0.state == .decided },
      "left undecided: \(tickets.filter { $0.state != .decided }.map(\.id).prefix(10))")
    #expect(decisions.count == tickets.count)
    #expect(Set(decisions.map(\.ticket)).count == decisions.count)
    #expect(decidedByLoops.count == decisions.count, "a ticket was reported decided twice, or a decision was lost")
    #expect(Set(decidedByLoops) == Set(tickets.map(\.id)))
    let counts = reviewed.withLock { $0 }.mapValues(\.count)
    print(
      "\(processes) moderate runs, \(inputs.count) items (\(precedents) answered from precedent), \(tickets.count) tickets, "
        + "decided by \(counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")) "
        + "in \(String(format: "%.1f", seconds)) s")
  }

  @Test("opening a queue twice in one process keeps its locks: another process closing last cannot take the -wal away")
  func secondOpenKeepsLocks() async throws {
    let folder = try workspace()
    defer { folder.remove() }
    let path = folder.path("q.sqlite")
    let first = try ReviewQueue.open(path: path)
    _ = try await first.enqueue(item("第一条"), trail: [])
    // A second open reads the file's header. Had it closed a descriptor of the file, the process
    // would have lost its POSIX locks, and the reviewer below, closing its connection, would have
    // believed itself the last user: checkpoint, delete -wal and -shm, and the next enqueue of
    // `first` would go to a deleted -wal.
    let second = try ReviewQueue.open(path: path)
    let claim = try await HeguiProcess.run(["review", "claim", "--db", "q.sqlite", "--reviewer", "甲"], in: folder.url)
    #expect(claim.status == 0, "\(claim.stderr)")
    #expect(FileManager.default.fileExists(atPath: path + "-wal"), "another process deleted the -wal this one uses")
    _ = try await first.enqueue(item("第二条"), trail: [])
    _ = try await second.enqueue(item("第三条"), trail: [])
    let list = try await HeguiProcess.run(["review", "list", "--db", "q.sqlite", "--state", "all"], in: folder.url)
    #expect(list.stdout.hasPrefix("2 pending, 1 claimed, 0 decided"), "\(list.stdout)\(list.stderr)")
    try first.close()
    try second.close()
    #expect(try await ReviewQueue.open(path: path, readOnly: true).integrityCheck() == ["ok"])
  }

  /// `ticket #12  claimed by …` → 12.
  static func ticketID(claimed output: String) -> Int64? {
    guard let match = output.firstMatch(of: /ticket #(\d+)  claimed by/) else { return nil }
    return Int64(match.1)
  }

  /// Holds the queue's write lock from a connection of its own, on a thread of its own, for
  /// `seconds`: what another process's long write transaction looks like to the queue.
  static func holdWriteLock(_ path: String, for seconds: Double) async throws -> Thread {
    let locked = Locked(false)
    let holder = Thread {
      do {
        let connection = try DatabaseQueue(path: path)
        try connection.writeWithoutTransaction { db in
          try db.execute(sql: "BEGIN IMMEDIATE TRANSACTION")
          locked.withLock { $0 = true }
          Thread.sleep(forTimeInterval: seconds)
          try db.execute(sql: "COMMIT")
        }
        try connection.close()
      } catch {
        Issue.record("could not hold the lock: \(error)")
        locked.withLock { $0 = true }
      }
    }
    holder.start()
    while !locked.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
    return holder
  }

  @Test("an enqueue waits for another writer's lock within the busy timeout, and fails clearly past it")
  func busyTimeoutInProcess() async throws {
    let folder = try workspace()
    defer { folder.remove() }
    let path = folder.path("q.sqlite")
    let patient = try ReviewQueue.open(path: path, busyTimeout: .seconds(20))
    let hurried = try ReviewQueue.open(path: path, busyTimeout: .milliseconds(300))

    _ = try await Self.holdWriteLock(path, for: 1.0)
    var started = ContinuousClock.now
    #expect(try await patient.enqueue(item("等一等"), trail: []) == .ticket(id: 1, isNew: true))
    let waited = ContinuousClock.now - started
    #expect(waited >= .milliseconds(700), "it did not wait for the lock: \(waited)")

    _ = try await Self.holdWriteLock(path, for: 2.0)
    started = ContinuousClock.now
    do {
      _ = try await hurried.enqueue(item("来不及"), trail: [])
      Issue.record("the enqueue went through a held lock")
    } catch {
      let gaveUp = ContinuousClock.now - started
      #expect(error.code == .busy)
      #expect(error.description.contains("busy timeout (300 ms)"), "\(error)")
      #expect(!mentionsLockError(error.description), "\(error)")
      #expect(gaveUp >= .milliseconds(300) && gaveUp < .milliseconds(1800), "gave up after \(gaveUp)")
    }
    // Nothing was half-written: the queue still holds exactly the first ticket.
    try await Task.sleep(for: .seconds(1.2))
    #expect(try await patient.tickets().map(\.item.text) == ["等一等"])
    #expect(try await patient.pragma("synchronous") == "2", "the writer must sync every commit (FULL)")
  }

  @Test(
    "hegui review waits for a lock another process holds, or fails past --busy-timeout with exit 2 and no SQLite wording"
  )
  func busyTimeoutCommandLine() async throws {
    let folder = try workspace()
    defer { folder.remove() }
    let seed = try await HeguiProcess.run(
      ["moderate", "--text", "第一条：本店最新款", "--text", "第二条：本店最新款", "--pipeline", "pipeline.yml", "--db", "q.sqlite"],
      in: folder.url)
    #expect(seed.status == 1, "\(seed.stderr)")

    _ = try await Self.holdWriteLock(folder.path("q.sqlite"), for: 1.0)
    let waited = try await HeguiProcess.run(
      ["review", "claim", "--db", "q.sqlite", "--reviewer", "甲", "--busy-timeout", "20s"], in: folder.url)
    #expect(waited.status == 0, "\(waited.stderr)")
    #expect(waited.stdout.contains("claimed by 甲"))

    _ = try await Self.holdWriteLock(folder.path("q.sqlite"), for: 2.0)
    let impatient = try await HeguiProcess.run(
      ["review", "claim", "--db", "q.sqlite", "--reviewer", "乙", "--busy-timeout", "200ms"], in: folder.url)
    #expect(impatient.status == 2)
    #expect(impatient.stderr.contains("busy timeout (200 ms)"), "\(impatient.stderr)")
    #expect(!mentionsLockError(impatient.stderr), "\(impatient.stderr)")

    let badValue = try await HeguiProcess.run(
      ["review", "list", "--db", "q.sqlite", "--busy-timeout", "soon"], in: folder.url)
    #expect(badValue.status == 64)
    try await Task.sleep(for: .seconds(1.2))
  }

  @Test(
    "an operation that meets SQLITE_BUSY outside the busy handler is run again, until it succeeds or the timeout passes"
  )
  func retries() async throws {
    let calls = Locked(0)
    let value = try await LockWait(timeout: .seconds(10)).run { () async throws -> Int in
      let call = calls.withLock {
        $0 += 1
        return $0
      }
      // What a stale snapshot or a WAL recovery returns at once, without calling the busy handler.
      if call < 4 {
        throw DatabaseError(resultCode: call.isMultiple(of: 2) ? .SQLITE_BUSY_SNAPSHOT : .SQLITE_BUSY_RECOVERY)
      }
      return call
    }
    #expect(value == 4)

    calls.withLock { $0 = 0 }
    let started = ContinuousClock.now
    do {
      _ = try LockWait(timeout: .milliseconds(200)).runBlocking { () throws -> Int in
        calls.withLock { $0 += 1 }
        throw DatabaseError(resultCode: .SQLITE_BUSY)
      }
      Issue.record("a lock that never frees was waited out")
    } catch let error as DatabaseError {
      #expect(error.resultCode == .SQLITE_BUSY)
    }
    #expect(ContinuousClock.now - started >= .milliseconds(200))
    #expect(calls.withLock { $0 } > 2)

    calls.withLock { $0 = 0 }
    await #expect(throws: DatabaseError.self) {
      try await LockWait(timeout: .seconds(10)).run { () async throws -> Int in
        calls.withLock { $0 += 1 }
        throw DatabaseError(resultCode: .SQLITE_CONSTRAINT)
      }
    }
    #expect(calls.withLock { $0 } == 1, "only lock errors are retried")
  }

  @Test("the busy handler waits in short jittered pauses and gives up once the timeout has passed")
  func busyHandler() throws {
    guard case .callback(let handler) = LockWait(timeout: .milliseconds(150)).busyMode else {
      Issue.record("the queue does not install its own busy handler")
      return
    }
    let started = ContinuousClock.now
    var tries = 0
    while handler(tries) { tries += 1 }
    let waited = ContinuousClock.now - started
    #expect(waited >= .milliseconds(150) && waited < .milliseconds(1000), "\(waited)")
    // Pauses of about 10 ms: many tries, where SQLite's own handler makes a few of up to 100 ms.
    #expect(tries >= 8, "\(tries) tries")
    guard case .callback(let never) = LockWait(timeout: .zero).busyMode else { return }
    #expect(!never(0), "a zero timeout never waits")
  }
}
