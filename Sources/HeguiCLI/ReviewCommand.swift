public import ArgumentParser
import Foundation
import Hegui
import HeguiLint

#if ReviewQueue
  import HeguiReviewQueue

  extension ReviewVerdict: ExpressibleByArgument {}

  struct ReviewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "review",
      abstract: "Work the human review queue (中级人工复核) from a terminal.",
      discussion: paragraphs(
        """
        A ticket is pending until a reviewer claims it; a claim is a lease (default 30m) that
        returns the ticket to the queue if the reviewer goes away; a decision (approve, reject,
        require-edit) is final and recorded with the reviewer and time. The reviewer's name comes
        from --reviewer or HEGUI_REVIEWER.

        Several reviewers and moderate runs may use one queue at once: each command waits for the
        others' locks up to --busy-timeout (default 30s), then fails with exit 2.

        Exit codes: 0 done; 1 refused (nothing to claim, no such ticket, already decided, claimed
        by someone else); 2 the queue cannot be opened or written; 64 usage error.
        """),
      subcommands: [
        ReviewList.self, ReviewShow.self, ReviewClaim.self, ReviewRelease.self, ReviewDecide.self, ReviewExport.self,
      ])
  }

  /// Options every review subcommand has.
  struct QueueOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The review queue file.", valueName: "file"))
    var db: String

    @Option(
      help: ArgumentHelp(
        "How long to wait for other processes using the queue: 500ms, 30s, 2m (default 30s).", valueName: "duration"))
    var busyTimeout: String = "30s"

    func validate() throws {
      if BusyTimeout.parse(busyTimeout) == nil {
        throw ValidationError("--busy-timeout must look like 500ms, 30s or 2m")
      }
    }

    func open(readOnly: Bool) throws -> ReviewQueue {
      do {
        return try ReviewQueue.open(
          path: db, readOnly: readOnly, busyTimeout: BusyTimeout.parse(busyTimeout) ?? BusyTimeout.standard)
      } catch {
        throw ReviewFailure.exit(error)
      }
    }
  }

  /// The reviewer's name: `--reviewer`, else `HEGUI_REVIEWER`.
  struct ReviewerOptions: ParsableArguments {
    @Option(
      help: ArgumentHelp("Your name, recorded with claims and decisions (default: $HEGUI_REVIEWER).", valueName: "name")
    )
    var reviewer: String?

    func name() throws -> String {
      if let reviewer, !reviewer.trimmingCharacters(in: .whitespaces).isEmpty { return reviewer }
      if let name = ProcessInfo.processInfo.environment["HEGUI_REVIEWER"],
        !name.trimmingCharacters(in: .whitespaces).isEmpty
      {
        return name
      }
      throw ValidationError("say who you are: --reviewer NAME, or set HEGUI_REVIEWER")
    }
  }

  enum ReviewFailure {
    /// Prints a queue error and picks the exit code: 1 for a refusal, 64 for a bad argument, 2
    /// for a queue that cannot be used.
    static func exit(_ error: ReviewQueueError) -> ExitCode {
      printError(errorWord + describeError(error))
      switch error.code {
      case .alreadyDecided, .claimedByOther, .notClaimed, .ticketNotFound: return ExitCode(Exit.findings)
      case .invalidArgument: return ExitCode.validationFailure
      default: return ExitCode(Exit.inputError)
      }
    }
  }

  /// Which tickets `review list` shows.
  enum TicketFilter: String, CaseIterable, ExpressibleByArgument {
    case waiting, pending, claimed, decided, all

    var states: Set<TicketState> {
      switch self {
      case .waiting: [.pending, .claimed]
      case .pending: [.pending]
      case .claimed: [.claimed]
      case .decided: [.decided]
      case .all: Set(TicketState.allCases)
      }
    }
  }

  /// Output formats of the review subcommands.
  enum ReviewFormat: String, CaseIterable, ExpressibleByArgument {
    case text, jsonl
  }

  struct ReviewList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list", abstract: "Show what waits for review, oldest first, with the findings that sent it there.")

    @OptionGroup var queue: QueueOptions

    @Option(help: "Which tickets: waiting (pending and claimed), pending, claimed, decided or all.")
    var state: TicketFilter = .waiting

    @Option(help: "Show at most this many.")
    var limit: Int?

    @Option(help: "Output format: text or jsonl (one ticket per line).")
    var format: ReviewFormat = .text

    func run() async throws {
      let queue = try queue.open(readOnly: true)
      do {
        let tickets = try await queue.tickets(in: state.states, limit: limit)
        switch format {
        case .jsonl:
          let encoder = ReviewQueue.jsonEncoder()
          for ticket in tickets {
            var line = try encoder.encode(ticket)
            line.append(0x0A)
            FileHandle.standardOutput.write(line)
          }
        case .text:
          let counts = try await queue.counts()
          var out =
            "\(counts[.pending] ?? 0) pending, \(counts[.claimed] ?? 0) claimed, \(counts[.decided] ?? 0) decided\n"
          if tickets.isEmpty { out += "nothing \(state == .all ? "in the queue" : state.rawValue)\n" }
          for ticket in tickets { out += "\n" + TicketText.summary(ticket) }
          FileHandle.standardOutput.write(Data(out.utf8))
        }
      } catch let error as ReviewQueueError {
        throw ReviewFailure.exit(error)
      }
    }
  }

  struct ReviewShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "show", abstract: "Show one ticket in full: text, context, findings, trail, claim, decision, items.")

    @OptionGroup var queue: QueueOptions

    @Argument(help: "The ticket id.")
    var ticket: Int64

    @Option(help: "Output format: text or jsonl (the ticket as one JSON object).")
    var format: ReviewFormat = .text

    func run() async throws {
      let queue = try queue.open(readOnly: true)
      do {
        guard let found = try await queue.ticket(ticket) else {
          throw ReviewQueueError(.ticketNotFound, "there is no ticket #\(ticket)", path: queue.path)
        }
        let occurrences = try await queue.occurrences(ofTicket: ticket)
        switch format {
        case .jsonl:
          var line = try ReviewQueue.jsonEncoder().encode(found)
          line.append(0x0A)
          FileHandle.standardOutput.write(line)
        case .text:
          FileHandle.standardOutput.write(Data(TicketText.full(found, occurrences: occurrences).utf8))
        }
      } catch let error as ReviewQueueError {
        throw ReviewFailure.exit(error)
      }
    }
  }

  struct ReviewClaim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "claim",
      abstract: "Claim the oldest waiting ticket (or the one given) for a while; claiming your own ticket renews it.")

    @OptionGroup var queue: QueueOptions
    @OptionGroup var reviewer: ReviewerOptions

    @Argument(help: "A ticket id (default: the oldest waiting ticket).")
    var ticket: Int64?

    @Option(help: ArgumentHelp("How long the claim holds: 90s, 30m, 2h (default 30m).", valueName: "duration"))
    var lease: String = "30m"

    func validate() throws {
      _ = try reviewer.name()
      guard Self.parse(lease: lease) != nil else { throw ValidationError("--lease must look like 90s, 30m or 2h") }
    }

    func run() async throws {
      let name = try reviewer.name()
      let lease = Self.parse(lease: self.lease) ?? .seconds(1800)
      let queue = try queue.open(readOnly: false)
      do {
        let claimed: Ticket
        if let ticket {
          claimed = try await queue.claim(ticket: ticket, reviewer: name, lease: lease)
        } else {
          guard let next = try await queue.claim(reviewer: name, lease: lease) else {
            printError("nothing waits for review")
            throw ExitCode(Exit.findings)
          }
          claimed = next
        }
        let occurrences = try await queue.occurrences(ofTicket: claimed.id)
        FileHandle.standardOutput.write(Data(TicketText.full(claimed, occurrences: occurrences).utf8))
      } catch let error as ReviewQueueError {
        throw ReviewFailure.exit(error)
      }
    }

    /// `90s`, `30m`, `2h`, or plain seconds.
    static func parse(lease: String) -> Duration? {
      let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600]
      var text = lease.trimmingCharacters(in: .whitespaces).lowercased()
      var unit: Int64 = 1
      if let last = text.last, let multiplier = units[last] {
        unit = multiplier
        text.removeLast()
      }
      guard let value = Int64(text), value > 0, value <= 7 * 24 * 3600 else { return nil }
      return .seconds(value * unit)
    }
  }

  struct ReviewRelease: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "release", abstract: "Give a ticket you claimed back to the queue.")

    @OptionGroup var queue: QueueOptions
    @OptionGroup var reviewer: ReviewerOptions

    @Argument(help: "The ticket id.")
    var ticket: Int64

    func validate() throws { _ = try reviewer.name() }

    func run() async throws {
      let queue = try queue.open(readOnly: false)
      do {
        try await queue.release(ticket: ticket, reviewer: try reviewer.name())
        FileHandle.standardOutput.write(Data("ticket #\(ticket) is back in the queue\n".utf8))
      } catch let error as ReviewQueueError {
        throw ReviewFailure.exit(error)
      }
    }
  }

  struct ReviewDecide: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "decide",
      abstract: "Decide a ticket: approve, reject or require-edit. Decisions are final.")

    @OptionGroup var queue: QueueOptions
    @OptionGroup var reviewer: ReviewerOptions

    @Argument(help: "The ticket id.")
    var ticket: Int64

    @Option(help: "approve (may go live), reject (must not), or require-edit (blocked until edited as the note says).")
    var verdict: ReviewVerdict

    @Option(help: "Why; required for require-edit (what to change).")
    var note: String = ""

    func validate() throws {
      _ = try reviewer.name()
      if verdict == .requireEdit && note.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
        throw ValidationError("require-edit needs --note saying what to change")
      }
    }

    func run() async throws {
      let queue = try queue.open(readOnly: false)
      do {
        let decision = try await queue.decide(
          ticket: ticket, reviewer: try reviewer.name(), verdict: verdict, note: note)
        let line =
          "ticket #\(ticket): \(decision.verdict.rawValue) by \(decision.reviewer) at \(displayTime(decision.decidedAt))\n"
        FileHandle.standardOutput.write(Data(line.utf8))
      } catch let error as ReviewQueueError {
        throw ReviewFailure.exit(error)
      }
    }
  }

  struct ReviewExport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "export",
      abstract: "Export decisions as JSON Lines for audits: each with its ticket, text, findings, trail and items.")

    @OptionGroup var queue: QueueOptions

    @Option(help: ArgumentHelp("Write to a file instead of standard output.", valueName: "file"))
    var output: String?

    @Option(
      help: ArgumentHelp(
        "Only decisions made at or after this time (ISO 8601, e.g. 2026-11-01T00:00:00Z).", valueName: "time"))
    var since: String?

    func validate() throws {
      if let since, Self.date(since) == nil {
        throw ValidationError("--since must be an ISO 8601 time, e.g. 2026-11-01T00:00:00Z")
      }
    }

    static func date(_ text: String) -> Date? {
      if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
      if let date = try? Date(text, strategy: Date.ISO8601FormatStyle()) { return date }
      return try? Date(text + "T00:00:00Z", strategy: Date.ISO8601FormatStyle())
    }

    func run() async throws {
      let queue = try queue.open(readOnly: true)
      let handle: FileHandle
      if let output {
        guard FileManager.default.createFile(atPath: output, contents: nil),
          let file = FileHandle(forWritingAtPath: output)
        else {
          printError("\(errorWord)cannot write \(output)")
          throw ExitCode(Exit.inputError)
        }
        handle = file
      } else {
        handle = FileHandle.standardOutput
      }
      do {
        let count = try await queue.exportDecisions(since: since.flatMap(Self.date)) { handle.write($0) }
        if output != nil {
          try handle.synchronize()
          try handle.close()
        }
        printError("exported \(count) \(count == 1 ? "decision" : "decisions")")
      } catch let error as ReviewQueueError {
        throw ReviewFailure.exit(error)
      }
    }
  }

  /// How tickets look in a terminal.
  enum TicketText {
    static func state(_ ticket: Ticket) -> String {
      switch ticket.state {
      case .pending: return "pending"
      case .claimed:
        return
          "claimed by \(ticket.claim?.reviewer ?? "?") until \(ticket.claim.map { displayTime($0.expiresAt) } ?? "?")"
      case .decided:
        guard let decision = ticket.decision else { return "decided" }
        return "decided: \(decision.verdict.rawValue) by \(decision.reviewer)"
      }
    }

    static func summary(_ ticket: Ticket) -> String {
      let text = ticket.item.text.count > 80 ? String(ticket.item.text.prefix(79)) + "…" : ticket.item.text
      var lines = [
        "#\(ticket.id)  \(state(ticket))  since \(displayTime(ticket.createdAt))  \(ticket.item.id)"
          + (ticket.occurrences > 1 ? "  (seen \(ticket.occurrences)×)" : ""),
        "    \(text)",
      ]
      for finding in ticket.findings { lines.append("    · " + describe(finding)) }
      if ticket.findings.isEmpty, let reason = ticket.trail.last?.outcome.reason { lines.append("    · \(reason)") }
      // Ticket texts, notes and cloud reasons are shown, never obeyed: one line each, controls visible.
      return lines.map { TerminalSafe.escape($0) }.joined(separator: "\n") + "\n"
    }

    static func full(_ ticket: Ticket, occurrences: [Occurrence]) -> String {
      let context = ticket.item.context
      var lines = [
        "ticket #\(ticket.id)  \(state(ticket))",
        "item:      \(ticket.item.id)",
        "context:   \(context.context.rawValue)"
          + (context.shopSubject.map { ", shop subject \($0.rawValue)" } ?? "")
          + (context.category.map { ", category \($0)" } ?? "")
          + (context.licences.isEmpty ? "" : ", licences \(context.licences.sorted().joined(separator: "、"))"),
        "created:   \(displayTime(ticket.createdAt))",
        "updated:   \(displayTime(ticket.updatedAt))",
        "text hash: \(ticket.textHash)",
        "",
        ticket.item.text,
        "",
        "findings:",
      ]
      if ticket.findings.isEmpty { lines.append("  (none)") }
      for finding in ticket.findings { lines.append("  " + describe(finding)) }
      lines.append("trail:")
      if ticket.trail.isEmpty { lines.append("  (none: review was the first stage)") }
      for record in ticket.trail {
        let status = record.status == .completed ? record.outcome.name : "\(record.status.rawValue) → escalate"
        lines.append("  \(record.stage): \(status) — \(record.outcome.reason)")
      }
      if let claim = ticket.claim {
        lines.append(
          "claim:     \(claim.reviewer) since \(displayTime(claim.claimedAt)), until \(displayTime(claim.expiresAt))"
        )
      }
      if let decision = ticket.decision {
        lines.append(
          "decision:  \(decision.verdict.rawValue) by \(decision.reviewer) at \(displayTime(decision.decidedAt))"
            + (decision.note.isEmpty ? "" : " — \(decision.note)"))
      }
      lines.append("items:")
      for occurrence in occurrences {
        lines.append("  \(occurrence.itemID)  \(occurrence.kind.rawValue)  \(displayTime(occurrence.at))")
      }
      // The text keeps its line breaks; every other control is written visibly (TerminalSafe), so the
      // reviewer sees exactly the text being approved.
      return lines.flatMap { $0.split(separator: "\n", omittingEmptySubsequences: false) }
        .map { TerminalSafe.escape($0) }.joined(separator: "\n") + "\n"
    }

    static func describe(_ finding: FindingRecord) -> String {
      let place = finding.line.map { " \($0):\(finding.column ?? 1)" } ?? ""
      let match = finding.match.isEmpty ? "" : " 「\(finding.match)」"
      return "\(finding.severity.rawValue) \(finding.rule)\(place)\(match) \(finding.message)"
    }
  }
#endif
