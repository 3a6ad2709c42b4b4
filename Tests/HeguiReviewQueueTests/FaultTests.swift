import Foundation
import Hegui
import HeguiCLITestSupport
import HeguiReviewQueue
import Testing

/// The queue file going wrong under `hegui moderate`: made read-only, filling up, deleted.
///
/// Read-only cases run hegui as an unprivileged user (``Unprivileged``): CI runs the tests as
/// root, and the superuser writes a file whatever its mode. A file that stops taking writes in
/// the middle of a run is made with a file-size limit (`ulimit -f`, with SIGXFSZ ignored so that
/// the write fails with EFBIG instead of killing the process): the kernel refuses the write
/// itself, for any user, as a full disk or an exhausted quota would. `chmod` cannot do that: a
/// process that opened a file for writing keeps writing it after its mode changes (see
/// `chmodDuringARunDoesNotStopIt`).
@Suite("Review queue faults under hegui moderate: read-only, failing writes, deleted file", .serialized)
struct FaultTests {
  static let total = 1500

  func workspace() throws -> TemporaryFolder {
    let folder = try TemporaryFolder()
    chmod(folder.url.path, 0o777)
    try ConcurrencyTests.pipeline.write(
      to: folder.url.appendingPathComponent("pipeline.yml"), atomically: true, encoding: .utf8)
    let lines = (1...Self.total).map { "第\($0)条：这是本店最新款，编号\($0 &* 7919 % 100_003)" }
    try (lines.joined(separator: "\n") + "\n").write(
      to: folder.url.appendingPathComponent("bulk.txt"), atomically: true, encoding: .utf8)
    for name in ["pipeline.yml", "bulk.txt"] { chmod(folder.path(name), 0o644) }
    return folder
  }

  /// Every line printed as pending with a ticket is an occurrence of that ticket, with its text.
  func expectOnTickets(_ lines: [String], queue path: String, sourceLocation: SourceLocation = #_sourceLocation)
    async throws
    -> Int
  {
    let queue = try ReviewQueue.open(path: path, readOnly: true)
    defer { try? queue.close() }
    #expect(try await queue.integrityCheck() == ["ok"], sourceLocation: sourceLocation)
    var onTickets = 0
    for object in try jsonObjects(lines) {
      guard let ticket = (object["ticket"] as? String).flatMap(Int64.init), let id = object["id"] as? String else {
        continue
      }
      let found = try await queue.ticket(ticket)
      #expect(
        found?.item.text == object["text"] as? String, "\(id): ticket #\(ticket) is missing",
        sourceLocation: sourceLocation)
      #expect(
        try await queue.occurrences(ofTicket: ticket).contains { $0.itemID == id }, "\(id) is not on #\(ticket)",
        sourceLocation: sourceLocation)
      onTickets += 1
    }
    return onTickets
  }

  @Test("a read-only queue file or folder: exit 2 with a clear error, the file untouched, its tickets still listed")
  func readOnlyQueue() async throws {
    let folder = try workspace()
    defer { folder.remove() }
    let db = folder.path("q.sqlite")
    let first = try await Unprivileged.run(
      [
        "moderate", "--text", "第一条：本店最新款", "--text", "第二条：本店最新款", "--pipeline", "pipeline.yml", "--db", "q.sqlite",
        "--format", "jsonl",
      ], in: folder.url)
    #expect(first.status == 1, "\(first.stderr)")
    let printed = first.stdout.split(separator: "\n").map(String.init)
    #expect(try jsonObjects(printed).compactMap { $0["ticket"] as? String } == ["1", "2"])

    chmod(db, 0o444)
    let before = FileSnapshot(db)
    let refused = try await Unprivileged.run(
      ["moderate", "--text", "第三条：本店最新款", "--pipeline", "pipeline.yml", "--db", "q.sqlite"], in: folder.url)
    #expect(refused.status == 2)
    #expect(
      refused.stderr.contains("q.sqlite: cannot open the review queue: the file is read-only"), "\(refused.stderr)")
    #expect(refused.stdout.isEmpty)
    let claim = try await Unprivileged.run(["review", "claim", "--db", "q.sqlite", "--reviewer", "甲"], in: folder.url)
    #expect(claim.status == 2)
    #expect(claim.stderr.contains("the file is read-only"), "\(claim.stderr)")
    let list = try await Unprivileged.run(["review", "list", "--db", "q.sqlite"], in: folder.url)
    #expect(list.status == 0, "\(list.stderr)")
    #expect(list.stdout.hasPrefix("2 pending, 0 claimed, 0 decided"))
    #expect(FileSnapshot(db).bytes == before.bytes)

    chmod(db, 0o644)
    chmod(folder.url.path, 0o555)
    defer { chmod(folder.url.path, 0o777) }
    let readOnlyFolder = try await Unprivileged.run(
      ["moderate", "--text", "第三条：本店最新款", "--pipeline", "pipeline.yml", "--db", "q.sqlite"], in: folder.url)
    #expect(readOnlyFolder.status == 2)
    #expect(readOnlyFolder.stderr.contains("is read-only: the queue needs to write"), "\(readOnlyFolder.stderr)")
    #expect(FileSnapshot(db).bytes == before.bytes)
    #expect(try await expectOnTickets(printed, queue: db) == 2)

    // No process has the queue open, so its -shm is gone, and reading it needs a new one.
    chmod(folder.url.path, 0o755)
    try ReviewQueue.open(path: db).close()
    #expect(!FileManager.default.fileExists(atPath: db + "-shm"))
    chmod(folder.url.path, 0o555)
    let unreadable = try await Unprivileged.run(["review", "list", "--db", "q.sqlite"], in: folder.url)
    #expect(unreadable.status == 2)
    #expect(
      unreadable.stderr.contains("cannot read the queue: its folder") && unreadable.stderr.contains("is read-only"),
      "\(unreadable.stderr)")
  }

  @Test(
    "chmod during a run does not stop it: it keeps the file it opened, every item it printed is on its ticket, the next run is refused"
  )
  func chmodDuringARunDoesNotStopIt() async throws {
    let folder = try workspace()
    defer { folder.remove() }
    let db = folder.path("q.sqlite")
    let (executable, arguments) = Unprivileged.command(
      ["moderate", "bulk.txt", "--pipeline", "pipeline.yml", "--db", "q.sqlite", "--format", "jsonl", "--jobs", "2"])
    let path = folder.url.path
    let run = try await RunningProcess.run(
      executable ?? HeguiProcess.binary, arguments, in: folder.url, afterLines: 100
    ) {
      chmod(db, 0o444)
      chmod(path, 0o555)
    }
    defer { chmod(path, 0o777) }
    #expect(run.status == 1, "\(run.stderr)")
    #expect(run.lines.count == Self.total)
    #expect(try await expectOnTickets(run.lines, queue: db) == Self.total)
    let next = try await Unprivileged.run(
      ["moderate", "--text", "再来一条：本店最新款", "--pipeline", "pipeline.yml", "--db", "q.sqlite"], in: folder.url)
    #expect(next.status == 2)
    #expect(next.stderr.contains("is read-only"), "\(next.stderr)")
    print(
      "chmod after \(run.linesBeforeAction) items: the run went on to all \(run.lines.count) in \(String(format: "%.1f", run.seconds)) s"
    )
  }

  @Test(
    "writes that start failing mid-run (file size limit): the run stops with exit 2 and a clear error; what it printed is on its tickets"
  )
  func writesFailMidRun() async throws {
    let folder = try workspace()
    defer { folder.remove() }
    let db = folder.path("q.sqlite")
    let seed = try await HeguiProcess.run(
      ["moderate", "--text", "开播：本店最新款", "--pipeline", "pipeline.yml", "--db", "q.sqlite"], in: folder.url)
    #expect(seed.status == 1, "\(seed.stderr)")
    // 1,200 blocks of 512 bytes: room for some dozens of items in the -wal, then EFBIG.
    let script = #"trap "" XFSZ; ulimit -f 1200; exec "$@""#
    let run = try await RunningProcess.run(
      StartGate.shell,
      [
        "-c", script, "sh", HeguiProcess.binary.path, "moderate", "bulk.txt", "--pipeline", "pipeline.yml", "--db",
        "q.sqlite",
        "--format", "jsonl", "--jobs", "2",
      ],
      in: folder.url, afterLines: 1
    ) {}
    #expect(run.status == 2, "\(run.stderr)")
    #expect(run.stderr.contains("error: the review queue failed; the run stopped"), "\(run.stderr)")
    #expect(run.stderr.contains("could not be written or read"), "\(run.stderr)")
    #expect(run.stderr.contains("items were not moderated"))
    #expect(!mentionsLockError(run.stderr))
    #expect(run.lines.count < Self.total, "the run went on after the queue failed")
    let queued = try await expectOnTickets(run.lines, queue: db)
    #expect(queued > 0)
    print(
      "file size limit: \(queued) items queued, then the run stopped after \(run.lines.count) of \(Self.total) items")
  }

  @Test("the queue file deleted mid-run: exit 2 saying so, and nothing printed as queued once the deletion was seen")
  func deletedMidRun() async throws {
    let folder = try workspace()
    defer { folder.remove() }
    let db = folder.path("q.sqlite")
    let run = try await RunningProcess.run(
      HeguiProcess.binary,
      // One item at a time: with two in flight, an item committed just before the deletion may
      // be printed just after another was refused, which says nothing about the deletion.
      ["moderate", "bulk.txt", "--pipeline", "pipeline.yml", "--db", "q.sqlite", "--format", "jsonl", "--jobs", "1"],
      in: folder.url, afterLines: 100
    ) {
      unlink(db)
    }
    #expect(run.status == 2, "\(run.stderr)")
    #expect(
      run.stderr.contains("the queue file was deleted or replaced while this process had it open"), "\(run.stderr)")
    #expect(run.stderr.contains("items were not moderated"))
    #expect(run.lines.count < Self.total, "the run went on writing to a deleted file")
    let objects = try jsonObjects(run.lines)
    let firstRefused = try #require(objects.firstIndex { $0["ticket"] is NSNull }, "no item was refused")
    #expect(firstRefused >= 100 - 1)
    #expect(
      !objects[firstRefused...].contains { $0["ticket"] is String },
      "an item was printed as queued after the deletion was seen")
    print(
      "deleted after \(run.linesBeforeAction) items: \(firstRefused) queued before, stopped after \(run.lines.count)")
  }
}
