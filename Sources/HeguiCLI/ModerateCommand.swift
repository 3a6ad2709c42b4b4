import ArgumentParser
import Foundation
import Hegui
import HeguiLint

#if ReviewQueue
  import HeguiReviewQueue
#endif
#if TencentCloud
  import HeguiTencentCloud
#endif

/// Output formats of `hegui moderate`.
enum ModerateFormat: String, CaseIterable, ExpressibleByArgument {
  case text, jsonl
}

struct ModerateCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "moderate",
    abstract: "Run the risk-escalation pipeline (rules → cloud → human review) over scripts and listings.",
    discussion: paragraphs(
      """
      Every non-empty script line (.txt, .md, .srt cue text) and every listing title and
      description (.json, .jsonl, .csv) is one item. The pipeline file says which stages run, in
      which order and when (see Docs/escalation.md). Each item's outcome and trail is printed as
      soon as it is decided; with --format jsonl, one JSON object per line, written at once: an
      item printed as pending with a ticket is already in the review queue.

      Several runs and reviewers may use one review queue at once: each waits for the others'
      locks up to --busy-timeout. When the review queue fails during the run (it cannot be
      written, its file was deleted, it stayed busy past the timeout), the run stops there with
      exit 2: items printed with a ticket before that are in the queue; the rest were not moderated.

      Exit codes: 0 every item passed; 1 an item was blocked or is pending review; 2 unreadable
      input, a pipeline, stage or review queue that cannot be set up, or a review queue that
      failed during the run; 64 usage error.
      """))

  @Argument(help: "Files or directories of scripts and listings.")
  var paths: [String] = []

  @Option(help: ArgumentHelp("The pipeline file (YAML).", valueName: "file"))
  var pipeline: String

  @Option(help: ArgumentHelp("The review queue file for `review` stages (created if missing).", valueName: "file"))
  var db: String?

  @Option(
    help: ArgumentHelp(
      "How long to wait for other processes using the review queue: 500ms, 30s, 2m (default 30s).",
      valueName: "duration"))
  var busyTimeout: String = "30s"

  @Option(help: "Output format: text or jsonl.")
  var format: ModerateFormat = .text

  @Option(name: .customLong("text"), help: ArgumentHelp("A text to moderate (repeatable).", valueName: "text"))
  var texts: [String] = []

  @Flag(help: "Read script lines from standard input.")
  var stdin = false

  @OptionGroup var situation: ContextOptions

  @Option(help: "Items moderated at the same time (default 4; 1 prints in input order).")
  var jobs: Int = 4

  func validate() throws {
    if paths.isEmpty && texts.isEmpty && !stdin {
      throw ValidationError("give files or directories, --text or --stdin")
    }
    if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    if BusyTimeout.parse(busyTimeout) == nil {
      throw ValidationError("--busy-timeout must look like 500ms, 30s or 2m")
    }
  }

  func run() async throws {
    let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    let (pipeline, queueStages) = try buildPipeline(cwd: cwd)

    var splitter = ItemSplitter()
    splitter.columns = try situation.listingColumns()
    splitter.context = situation.context
    splitter.defaults = CheckContext(
      .livestream, shopSubject: situation.shopSubject, category: situation.category,
      licences: Set(situation.licences))
    var input = ModerationInput(splitter: splitter)
    for (index, text) in texts.enumerated() {
      input.items.append(
        ModerationItem(
          id: "text:\(index + 1)", text: text, context: splitter.scriptSituation(path: "", format: .script)))
    }
    if stdin {
      let data = FileHandle.standardInput.readDataToEndOfFile()
      do {
        input.add(text: try TextInput.decode(data, path: "<stdin>"), path: "<stdin>", format: .script)
      } catch {
        input.errors.append(error)
      }
    }
    if !paths.isEmpty {
      do {
        let walk = try FileWalker.walk(paths, excluding: situation.exclude.map(Glob.init), relativeTo: cwd)
        input.errors += walk.errors
        for target in walk.files {
          do {
            let format = InputFormat(pathExtension: target.url.pathExtension)
            if format == .xlsx {
              input.add(workbook: try TextInput.bytes(target.url, displayPath: target.display), path: target.display)
              continue
            }
            input.add(
              text: try TextInput.read(target.url, displayPath: target.display), path: target.display, format: format)
          } catch {
            input.errors.append(error)
          }
        }
      } catch {
        input.errors.append(error)
      }
    }
    for error in input.errors { printError(errorWord + TerminalSafe.escape(describeError(error))) }

    let printer = ModerationPrinter(format: format)
    var pending = input.items.makeIterator()
    // The first failure of a review stage: the queue cannot take items (read-only, disk full,
    // its file deleted, busy past the timeout). Every later item would fail the same way and be
    // left pending without a ticket, so no new item is started; those running are printed.
    var queueFailure: StageRecord?
    await withTaskGroup(of: PipelineResult.self) { group in
      for _ in 0..<jobs {
        guard let item = pending.next() else { break }
        group.addTask { await pipeline.run(item) }
      }
      while let result = await group.next() {
        printer.print(result)
        if queueFailure == nil {
          queueFailure = result.trail.first {
            queueStages.contains($0.stage) && [.failed, .timedOut].contains($0.status)
          }
        }
        if queueFailure == nil, let item = pending.next() { group.addTask { await pipeline.run(item) } }
      }
    }
    printer.finish()

    if let queueFailure {
      let left = input.items.count - printer.printed
      printError(
        "\(errorWord)the review queue failed; the run stopped: \(TerminalSafe.escape(queueFailure.outcome.reason))")
      printError(
        "error: \(left) of \(input.items.count) items were not moderated; items printed with a ticket before the "
          + "failure were committed to the queue")
      throw ExitCode(Exit.inputError)
    }
    if !input.errors.isEmpty { throw ExitCode(Exit.inputError) }
    if printer.blocked + printer.pending > 0 { throw ExitCode(Exit.findings) }
  }

  /// Reads the pipeline file and builds its stages; any problem is an error (exit 2), so that a
  /// run never starts with a pipeline other than the one configured. Returns the pipeline and
  /// the names of its review stages.
  private func buildPipeline(cwd: URL) throws -> (Pipeline, Set<String>) {
    do {
      let url = URL(fileURLWithPath: pipeline, relativeTo: cwd)
      let configuration = try PipelineConfiguration.load(contentsOf: url, displayPath: pipeline)
      let queueStages = Set(configuration.stages.filter { $0.type == "review" }.map(\.name))
      var registry = StageRegistry.standard
      #if TencentCloud
        registry.registerTencentStage()
      #endif
      #if ReviewQueue
        if let db {
          let queue: ReviewQueue
          do {
            queue = try ReviewQueue.open(
              path: URL(fileURLWithPath: db, relativeTo: cwd).path,
              busyTimeout: BusyTimeout.parse(busyTimeout) ?? BusyTimeout.standard)
          } catch {
            throw HeguiError(.io, "cannot open the review queue: \(error.message)", at: .init(path: db))
          }
          registry.registerReviewStage(queue: queue)
          if !configuration.stages.contains(where: { $0.type == "review" }) {
            printError("warning: --db is given, but the pipeline \(pipeline) has no review stage")
          }
        } else {
          registry.registerReviewStage(busyTimeout: BusyTimeout.parse(busyTimeout) ?? BusyTimeout.standard)
        }
      #else
        if db != nil {
          throw HeguiError(
            .invalidConfiguration, "this hegui was built without the ReviewQueue trait: --db is not available")
        }
      #endif
      let built = try configuration.makePipeline(registry: registry)
      guard built.problems.isEmpty else {
        for problem in built.problems { printError("\(errorWord)\(problem)") }
        printError("\(errorWord)the pipeline cannot be set up as configured; nothing was moderated")
        throw ExitCode(Exit.inputError)
      }
      return (built, queueStages)
    } catch let error as HeguiError {
      printError(errorWord + describeError(error))
      throw ExitCode(Exit.inputError)
    }
  }
}

/// `--busy-timeout`: how long a command waits for other processes using the review queue.
enum BusyTimeout {
  /// 30 seconds: several `moderate` runs and reviewers on one queue wait for each other well
  /// within it, and a user still hears about a queue that stays locked.
  static let standard: Duration = .seconds(30)

  /// `500ms`, `30s`, `2m`, or plain seconds; at most an hour. `0` never waits.
  static func parse(_ text: String) -> Duration? {
    var text = text.trimmingCharacters(in: .whitespaces).lowercased()
    var milliseconds: Int64 = 1000
    for (suffix, value) in [("ms", Int64(1)), ("s", 1000), ("m", 60_000)] where text.hasSuffix(suffix) {
      milliseconds = value
      text.removeLast(suffix.count)
      break
    }
    guard let number = Int64(text), number >= 0, number <= 3_600_000 / milliseconds else { return nil }
    return .milliseconds(number * milliseconds)
  }
}

/// The items of a run, read from texts, files and listings by the shared ``ItemSplitter``.
struct ModerationInput {
  var items: [ModerationItem] = []
  var errors: [HeguiError] = []
  let splitter: ItemSplitter

  init(splitter: ItemSplitter) {
    self.splitter = splitter
  }

  mutating func add(workbook data: Data, path: String) {
    let split = splitter.moderationItems(workbook: data, path: path)
    items += split.items
    errors += split.errors
  }

  mutating func add(text: String, path: String, format: InputFormat) {
    let split = splitter.moderationItems(text: text, path: path, format: format)
    items += split.items
    errors += split.errors
  }
}

/// Prints each result as it comes, one write per item, and a summary at the end.
final class ModerationPrinter {
  let format: ModerateFormat
  private(set) var passed = 0
  private(set) var blocked = 0
  private(set) var pending = 0
  private(set) var queued = 0
  var printed: Int { passed + blocked + pending }
  private let encoder: JSONEncoder

  init(format: ModerateFormat) {
    self.format = format
    encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
  }

  func print(_ result: PipelineResult) {
    switch result.outcome {
    case .pass: passed += 1
    case .block: blocked += 1
    case .pending, .escalate:
      pending += 1
      if result.ticket != nil { queued += 1 }
    }
    let line: String
    switch format {
    case .jsonl:
      let data = (try? encoder.encode(ItemLine(result))) ?? Data(#"{"error":"unencodable result"}"#.utf8)
      line = String(decoding: data, as: UTF8.self) + "\n"
    case .text:
      line = Self.text(result)
    }
    // One write(2) per item: nothing is held in a buffer that a killed process would lose.
    FileHandle.standardOutput.write(Data(line.utf8))
  }

  func finish() {
    let total = passed + blocked + pending
    var summary =
      "\(total) \(total == 1 ? "item" : "items"): \(passed) passed, \(blocked) blocked, \(pending) pending review"
    if pending > 0 {
      summary += " (\(queued) in the review queue\(pending > queued ? ", \(pending - queued) not queued" : ""))"
    }
    if format == .text {
      FileHandle.standardOutput.write(Data("\n\(summary)\n".utf8))
    } else {
      printError(summary)
    }
  }

  static func text(_ result: PipelineResult) -> String {
    let label: String
    switch result.outcome {
    case .pass: label = "PASS"
    case .block: label = "BLOCK"
    case .pending, .escalate: label = "PENDING"
    }
    // Item texts, ids, findings and cloud reasons are shown, never obeyed (TerminalSafe).
    let safe: (String) -> String = { TerminalSafe.escape($0) }
    var head = "\(label.padding(toLength: 8, withPad: " ", startingAt: 0))\(safe(result.item.id))"
    if case let .pending(ticket, _) = result.outcome {
      head += ticket.map { "  [ticket #\($0)]" } ?? "  [not queued]"
    }
    var lines = [head, "        \(safe(result.item.text))"]
    for record in result.trail {
      var step = "        \(record.stage): "
      step += record.outcome.name
      if record.status != .skipped && record.status != .unavailable {
        step += String(format: " (%.1f ms)", record.milliseconds)
      }
      step += " — \(safe(record.outcome.reason))"
      lines.append(step)
      for finding in record.findings {
        let place = finding.line.map { ":\($0):\(finding.column ?? 1)" } ?? ""
        let match = finding.match.isEmpty ? "" : " 「\(safe(finding.match))」"
        lines.append(
          "          \(finding.severity.rawValue) \(safe(finding.rule))\(place)\(match) \(safe(finding.message))")
      }
    }
    if result.decidedBy == nil {
      lines.append("        no stage decided: \(safe(result.outcome.reason))")
    }
    return lines.joined(separator: "\n") + "\n"
  }
}

/// One item in `--format jsonl`.
struct ItemLine: Encodable {
  let result: PipelineResult

  init(_ result: PipelineResult) {
    self.result = result
  }

  enum Keys: String, CodingKey {
    case id, text, outcome, reason, stage, ticket, trail, milliseconds
  }

  struct Step: Encodable {
    let stage: String
    let outcome: String
    let status: String
    let reason: String
    let milliseconds: Double
    let findings: [FindingRecord]
  }

  func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: Keys.self)
    try c.encode(result.item.id, forKey: .id)
    try c.encode(result.item.text, forKey: .text)
    try c.encode(result.outcome.name, forKey: .outcome)
    try c.encode(result.outcome.reason, forKey: .reason)
    // The deciding stage: null when none decided (every stage escalated, failed or was skipped).
    try c.encode(result.decidedBy, forKey: .stage)
    if case let .pending(ticket, _) = result.outcome {
      // Present for every pending item: the ticket id, or null when it is not in a queue.
      try c.encode(ticket, forKey: .ticket)
    }
    try c.encode(Self.rounded(result.milliseconds), forKey: .milliseconds)
    try c.encode(
      result.trail.map {
        Step(
          stage: $0.stage, outcome: $0.outcome.name, status: $0.status.rawValue, reason: $0.outcome.reason,
          milliseconds: Self.rounded($0.milliseconds), findings: $0.findings)
      }, forKey: .trail)
  }

  static func rounded(_ milliseconds: Double) -> Double { (milliseconds * 1000).rounded() / 1000 }
}
