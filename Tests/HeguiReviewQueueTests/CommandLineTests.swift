import Foundation
import Hegui
import HeguiCLITestSupport
import HeguiReviewQueue
import Testing

/// Runs the built `hegui` binary (``HeguiProcess``: the binary beside the test bundle, stdout
/// and stderr drained together).
enum HeguiBinary {
  static var url: URL { HeguiProcess.binary }

  struct Output {
    var status: Int32
    var stdout: String
    var stderr: String

    var lines: [String] { stdout.split(separator: "\n").map(String.init) }

    func objects() throws -> [[String: Any]] {
      try lines.map { line in
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
          throw CocoaError(.coderReadCorrupt)
        }
        return object
      }
    }
  }

  /// Runs hegui to the end.
  static func run(_ arguments: [String], in folder: URL, environment: [String: String] = [:]) async throws -> Output {
    let output = try await HeguiProcess.run(arguments, in: folder, environment: environment)
    return Output(status: output.status, stdout: output.stdout, stderr: output.stderr)
  }
}

@Suite("hegui moderate and hegui review (end to end)")
struct CommandLineTests {
  static let rules = """
    version: 1
    pack: shop
    name: 店铺规则
    rules:
      - id: shop.lowest-price
        kind: lexicon
        severity: block
        message: 绝对化价格用语「{match}」
        basis: 《广告法》第九条第三项
        terms: [全网最低价]
        examples:
          trigger: [⟦全网最低价⟧]
          pass: [价格实惠]
      - id: shop.newest
        kind: lexicon
        severity: review
        message: 「{match}」须能证明
        basis: 《广告法》第九条第三项
        terms: [最新款]
        examples:
          trigger: [本店⟦最新款⟧]
          pass: [新款]
    """

  static let pipeline = """
    version: 1
    stages:
      - type: rules
        rulesets: [rules]
        include_shipped: false
      - type: model
        when: {env: [HEGUI_TEST_NO_SUCH_VARIABLE]}
      - type: review
    """

  func workspace() throws -> TemporaryFolder {
    let folder = try TemporaryFolder()
    try FileManager.default.createDirectory(
      at: folder.url.appendingPathComponent("rules"), withIntermediateDirectories: true)
    try Self.rules.write(to: folder.url.appendingPathComponent("rules/shop.yml"), atomically: true, encoding: .utf8)
    let script = "欢迎来到直播间\n全网最低价，今天只要89\n这是本店最新款\n\n這是本店最新款\n"
    try script.write(to: folder.url.appendingPathComponent("script.txt"), atomically: true, encoding: .utf8)
    return folder
  }

  @Test("the built hegui binary is there (make test builds it before running tests)")
  func binaryExists() {
    #expect(
      FileManager.default.isExecutableFile(atPath: HeguiBinary.url.path), "build it first: swift build --build-tests")
  }

  @Test("moderate --format jsonl: one object per item with id, outcome, deciding stage, ticket and trail")
  func moderateJSONLines() async throws {
    let folder = try workspace()
    defer { folder.remove() }
    // The pipeline's `model` stage type is unknown to the CLI: an error naming the place.
    try Self.pipeline.write(to: folder.url.appendingPathComponent("bad.yml"), atomically: true, encoding: .utf8)
    let bad = try await HeguiBinary.run(
      ["moderate", "script.txt", "--pipeline", "bad.yml", "--db", "q.sqlite"], in: folder.url)
    #expect(bad.status == 2)
    #expect(bad.stderr.contains("bad.yml:6:11: unknown stage type 'model'"))
    #expect(bad.stdout.isEmpty)

    let pipeline = Self.pipeline.replacingOccurrences(of: "type: model", with: "type: rules\n    name: second-opinion")
    try pipeline.write(to: folder.url.appendingPathComponent("pipeline.yml"), atomically: true, encoding: .utf8)
    let run = try await HeguiBinary.run(
      ["moderate", "script.txt", "--pipeline", "pipeline.yml", "--db", "q.sqlite", "--format", "jsonl", "--jobs", "1"],
      in: folder.url)
    #expect(run.status == 1, "\(run.stderr)")
    let objects = try run.objects()
    #expect(objects.map { $0["id"] as? String } == ["script.txt:1", "script.txt:2", "script.txt:3", "script.txt:5"])
    #expect(objects.map { $0["outcome"] as? String } == ["pass", "block", "pending", "pending"])
    #expect(objects.map { $0["stage"] as? String } == ["rules", "rules", "review", "review"])
    #expect(objects[2]["ticket"] as? String == "1")
    #expect(objects[3]["ticket"] as? String == "1")  // 這 → 这: the same normalised text, the same ticket
    #expect(objects[0]["ticket"] == nil)
    let trail = try #require(objects[2]["trail"] as? [[String: Any]])
    #expect(trail.map { $0["stage"] as? String } == ["rules", "second-opinion", "review"])
    #expect(trail.map { $0["status"] as? String } == ["completed", "skipped", "completed"])
    #expect(trail[1]["reason"] as? String == "skipped: HEGUI_TEST_NO_SUCH_VARIABLE is not set")
    let findings = try #require(trail[0]["findings"] as? [[String: Any]])
    #expect(findings.first?["rule"] as? String == "shop.newest")
    #expect(run.stderr.contains("4 items: 1 passed, 1 blocked, 2 pending review (2 in the review queue)"))
  }

  @Test("review list, show, claim, decide, export; a decided text is answered from precedent on the next run")
  func reviewWorkflow() async throws {
    let folder = try workspace()
    defer { folder.remove() }
    try Self.pipeline.replacingOccurrences(of: "type: model", with: "type: rules\n    name: second-opinion")
      .write(to: folder.url.appendingPathComponent("pipeline.yml"), atomically: true, encoding: .utf8)
    let moderate = [
      "moderate", "script.txt", "--pipeline", "pipeline.yml", "--db", "q.sqlite", "--format", "jsonl", "--jobs", "1",
    ]
    _ = try await HeguiBinary.run(moderate, in: folder.url)

    let list = try await HeguiBinary.run(["review", "list", "--db", "q.sqlite"], in: folder.url)
    #expect(list.status == 0)
    #expect(list.stdout.contains("1 pending, 0 claimed, 0 decided"))
    #expect(list.stdout.contains("#1  pending"))
    #expect(list.stdout.contains("review shop.newest 1:5 「最新款」"))

    let anonymous = try await HeguiBinary.run(
      ["review", "claim", "--db", "q.sqlite"], in: folder.url, environment: ["HEGUI_REVIEWER": ""])
    #expect(anonymous.status == 64)

    let claim = try await HeguiBinary.run(
      ["review", "claim", "--db", "q.sqlite", "--reviewer", "alice", "--lease", "10m"], in: folder.url)
    #expect(claim.status == 0, "\(claim.stderr)")
    #expect(claim.stdout.contains("ticket #1  claimed by alice"))
    let nothing = try await HeguiBinary.run(
      ["review", "claim", "--db", "q.sqlite", "--reviewer", "bob"], in: folder.url)
    #expect(nothing.status == 1)
    #expect(nothing.stderr.contains("nothing waits for review"))
    let stolen = try await HeguiBinary.run(
      ["review", "decide", "1", "--db", "q.sqlite", "--reviewer", "bob", "--verdict", "approve"], in: folder.url)
    #expect(stolen.status == 1)
    #expect(stolen.stderr.contains("claimed by alice"))

    let decide = try await HeguiBinary.run(
      [
        "review", "decide", "1", "--db", "q.sqlite", "--reviewer", "alice", "--verdict", "require-edit", "--note",
        "写明上新日期",
      ], in: folder.url)
    #expect(decide.status == 0, "\(decide.stderr)")
    #expect(decide.stdout.hasPrefix("ticket #1: require-edit by alice at "))
    let twice = try await HeguiBinary.run(
      ["review", "decide", "1", "--db", "q.sqlite", "--reviewer", "alice", "--verdict", "approve"], in: folder.url)
    #expect(twice.status == 1)
    #expect(twice.stderr.contains("already decided (require-edit) by alice"))

    let show = try await HeguiBinary.run(["review", "show", "1", "--db", "q.sqlite"], in: folder.url)
    #expect(show.stdout.contains("decision:  require-edit by alice"))
    #expect(show.stdout.contains("script.txt:5  duplicate"))
    #expect(try await HeguiBinary.run(["review", "show", "9", "--db", "q.sqlite"], in: folder.url).status == 1)

    let export = try await HeguiBinary.run(["review", "export", "--db", "q.sqlite"], in: folder.url)
    #expect(export.status == 0)
    let records = try export.objects()
    #expect(records.count == 1)
    #expect((records[0]["decision"] as? [String: Any])?["verdict"] as? String == "require-edit")
    #expect(export.stderr.contains("exported 1 decision"))

    let again = try await HeguiBinary.run(moderate, in: folder.url)
    let third = try again.objects()[2]
    #expect(third["outcome"] as? String == "block")
    #expect((third["reason"] as? String)?.contains("precedent: ticket #1") == true)
    #expect(third["ticket"] == nil)
  }

  @Test("a foreign file given as --db is refused (exit 2) and left untouched")
  func foreignDatabase() async throws {
    let folder = try workspace()
    defer { folder.remove() }
    try Self.pipeline.replacingOccurrences(of: "type: model", with: "type: rules\n    name: second-opinion")
      .write(to: folder.url.appendingPathComponent("pipeline.yml"), atomically: true, encoding: .utf8)
    let path = folder.path("notes.txt")
    try "这是一份笔记，不是数据库\n".write(toFile: path, atomically: true, encoding: .utf8)
    let before = FileSnapshot(path)
    let run = try await HeguiBinary.run(
      ["moderate", "script.txt", "--pipeline", "pipeline.yml", "--db", "notes.txt"], in: folder.url)
    #expect(run.status == 2)
    #expect(run.stderr.contains("file is not a database"))
    #expect(FileSnapshot(path) == before)
    let list = try await HeguiBinary.run(["review", "list", "--db", "notes.txt"], in: folder.url)
    #expect(list.status == 2)
    #expect(FileSnapshot(path) == before)
  }

  @Test("control characters in item texts never reach the terminal raw: moderate, review list, review show")
  func controlCharacters() async throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    try "version: 1\nstages:\n  - type: review\n".write(
      to: folder.url.appendingPathComponent("pipeline.yml"), atomically: true, encoding: .utf8)
    // What the reviewer would see on a raw terminal: "本店最新款" — the ESC sequences hide and
    // rewrite the line that is being approved.
    let hostile = "\u{1B}[2J\u{1B}[8m全网最低价\u{1B}[0m\r本店最新款\u{202E}"
    try (hostile + "\n").write(to: folder.url.appendingPathComponent("s.txt"), atomically: true, encoding: .utf8)
    let moderate = try await HeguiBinary.run(
      ["moderate", "s.txt", "--pipeline", "pipeline.yml", "--db", "q.sqlite"], in: folder.url)
    let list = try await HeguiBinary.run(["review", "list", "--db", "q.sqlite"], in: folder.url)
    let show = try await HeguiBinary.run(["review", "show", "1", "--db", "q.sqlite"], in: folder.url)
    for output in [moderate, list, show] {
      #expect(
        !output.stdout.unicodeScalars.contains {
          ($0.value < 0x20 && $0 != "\n") || $0.value == 0x7F || $0 == "\u{202E}"
        })
      #expect(output.stdout.contains("^[[2J^[[8m全网最低价^[[0m^M本店最新款<U+202E>"), "\(output.stdout)")
    }
  }

  @Test("durability: SIGKILL in the middle of a bulk enqueue loses nothing that was printed as pending")
  func sigkillDuringBulkEnqueue() async throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    try "version: 1\nstages:\n  - type: review\n".write(
      to: folder.url.appendingPathComponent("pipeline.yml"), atomically: true, encoding: .utf8)
    let total = 20_000
    let lines = (1...total).map { "第\($0)条：这款是我们本店最新款，库存编号\($0 &* 7919 % 100_003)" }
    try (lines.joined(separator: "\n") + "\n").write(
      to: folder.url.appendingPathComponent("bulk.txt"), atomically: true, encoding: .utf8)

    var printed: [(id: String, ticket: String)] = []
    for round in 1...2 {
      let (seen, status, reason, seconds) = try await Self.runAndKill(
        ["moderate", "bulk.txt", "--pipeline", "pipeline.yml", "--db", "q.sqlite", "--format", "jsonl", "--jobs", "2"],
        in: folder.url, afterLines: 300 * round)
      #expect(reason == .uncaughtSignal && status == SIGKILL, "the child was not killed: status \(status)")
      #expect(seen.count >= 300 * round && seen.count < total, "round \(round): killed after \(seen.count) lines")
      for line in seen {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["outcome"] as? String == "pending")
        let ticket = try #require(object["ticket"] as? String, "a pending line without a ticket: \(line)")
        printed.append((try #require(object["id"] as? String), ticket))
      }
      print(
        "SIGKILL round \(round): \(seen.count) items printed as pending in \(String(format: "%.2f", seconds)) s (\(Int(Double(seen.count) / seconds)) items/s)"
      )
    }

    let queue = try ReviewQueue.open(path: folder.path("q.sqlite"))
    #expect(try await queue.integrityCheck() == ["ok"])
    var missing: [String] = []
    for (id, ticketID) in printed {
      guard let number = Int64(ticketID), let ticket = try await queue.ticket(number) else {
        missing.append("\(id) → #\(ticketID)")
        continue
      }
      let occurrences = try await queue.occurrences(ofTicket: number)
      if ticket.item.id != id && !occurrences.contains(where: { $0.itemID == id }) {
        missing.append("\(id) not on #\(ticketID)")
      }
      let line = Int(id.split(separator: ":").last ?? "") ?? 0
      if line < 1 || line > total || ticket.item.text != lines[line - 1] {
        missing.append("\(id): wrong text on #\(ticketID)")
      }
    }
    #expect(missing.isEmpty, "lost: \(missing.prefix(10))")
    // The second round re-read the file: lines the first round queued joined their tickets.
    #expect(try await queue.counts()[.pending] ?? 0 >= Set(printed.map(\.ticket)).count)
  }

  /// Starts hegui, reads its standard output until `afterLines` complete lines arrived, kills it
  /// with SIGKILL, and returns every complete line it wrote (including those still in the pipe).
  static func runAndKill(_ arguments: [String], in folder: URL, afterLines: Int) async throws -> (
    lines: [String], status: Int32, reason: Process.TerminationReason, seconds: Double
  ) {
    let process = Process()
    process.executableURL = HeguiBinary.url
    process.arguments = arguments
    process.currentDirectoryURL = folder
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let started = Date()
    let data: Data = await withCheckedContinuation { continuation in
      DispatchQueue.global().async {
        let handle = out.fileHandleForReading
        var data = Data()
        var killed = false
        let deadline = Date().addingTimeInterval(120)
        while true {
          let chunk = handle.availableData
          if chunk.isEmpty { break }  // EOF: the child is gone
          data.append(chunk)
          if !killed && (data.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 } >= afterLines || Date() > deadline) {
            kill(process.processIdentifier, SIGKILL)
            killed = true
          }
        }
        continuation.resume(returning: data)
      }
    }
    let seconds = Date().timeIntervalSince(started)
    process.waitUntilExit()
    // Only complete lines count: a line cut by the kill was never printed as a whole.
    var text = String(decoding: data, as: UTF8.self)
    if !text.hasSuffix("\n") { text = text.lastIndex(of: "\n").map { String(text[...$0]) } ?? "" }
    return (text.split(separator: "\n").map(String.init), process.terminationStatus, process.terminationReason, seconds)
  }
}
