public import ArgumentParser
import Foundation
import Hegui
import HeguiLint

extension TextContext: ExpressibleByArgument {}
extension ShopSubject: ExpressibleByArgument {}
extension Severity: ExpressibleByArgument {}
extension LintFormat: ExpressibleByArgument {}

struct LintCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "lint",
    abstract: "Check script and listing files (or standard input) against the rules.",
    discussion: """
      Text files (.txt, .md, .srt) are scripts; .json, .jsonl and .csv are listing exports whose
      title and description are checked each in its own context, with the record's category,
      shop subject and licences. Directories are walked.

      Each file is checked under the nearest .hegui.yml from its own folder up to the repository
      root (the nearest one wins whole; its globs are relative to its folder), or under --config
      for every file (its globs relative to the working directory). --print-config FILE shows
      what applies to one file and why.

      Inline suppression, on a line of its own in a script:
        #! hegui disable-next-line RULE-ID -- reason

      Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it; 2 unreadable input,
      invalid configuration or ruleset; 64 usage error.
      """)

  @Argument(help: "Files or directories to check.")
  var paths: [String] = []

  @Flag(help: "Read the text to check from standard input.")
  var stdin = false

  @Option(help: "Name to show for standard input; its extension selects the format.")
  var stdinFilename = "<stdin>"

  @OptionGroup var situation: ContextOptions

  @Option(
    help: ArgumentHelp("A directory of extra rulesets (repeatable), added to the shipped ones.", valueName: "dir"))
  var rulesets: [String] = []

  @Option(help: ArgumentHelp("Run only this rule, alias or family (repeatable).", valueName: "id"))
  var onlyRule: [String] = []

  @Option(help: ArgumentHelp("Do not run this rule, alias or family (repeatable).", valueName: "id"))
  var disableRule: [String] = []

  @Option(help: "Output format: text, line, json, jsonl, sarif, github or html.")
  var format: LintFormat = .text

  @Option(help: ArgumentHelp("Time zone for times shown to people (default: Asia/Shanghai).", valueName: "id"))
  var timeZone: String?

  @Option(help: "Write the report to a file instead of standard output.")
  var output: String?

  @Option(help: "Lowest severity that makes the exit code 1: block, review or info. Default: block.")
  var failOn: Severity?

  @Flag(help: "End the text report with the findings counted by rule.")
  var summary = false

  @Flag(help: "Never colour the output (NO_COLOR is respected too).")
  var noColor = false

  @Option(help: "Files checked in parallel (default: the number of cores).")
  var jobs: Int?

  @Option(help: "Configuration file for every file (default: the nearest .hegui.yml above each file).")
  var config: String?

  @Flag(help: "Write the rules' safe replacements over their matches, in place, then report what is left.")
  var fix = false

  @Flag(help: "Print the changes --fix would make as a unified diff; write nothing.")
  var fixDryRun = false

  @Option(help: ArgumentHelp("Report only findings this baseline does not hold.", valueName: "file"))
  var baseline: String?

  @Option(
    help: ArgumentHelp(
      "Record every current finding in a baseline file (exit 0 unless input errors).", valueName: "file"))
  var writeBaseline: String?

  @Option(help: ArgumentHelp("Show the configuration that applies to a file, and why, then exit.", valueName: "file"))
  var printConfig: String?

  func validate() throws {
    if printConfig != nil {
      if !paths.isEmpty || stdin { throw ValidationError("--print-config takes one file and no other paths") }
      return
    }
    if paths.isEmpty && !stdin { throw ValidationError("give files or directories to check, or --stdin") }
    if fix && fixDryRun { throw ValidationError("give either --fix or --fix-dry-run, not both") }
    if (fix || fixDryRun) && stdin {
      throw ValidationError("--fix and --fix-dry-run rewrite files; they do not take --stdin")
    }
    if !paths.isEmpty && stdin { throw ValidationError("give either paths or --stdin, not both") }
    if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    if let timeZone, TimeZone(identifier: timeZone) == nil {
      throw ValidationError("unknown time zone '\(timeZone)' (an IANA id such as Asia/Shanghai or UTC)")
    }
  }

  func run() async throws {
    let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    var setups: LintSetups
    do {
      setups = try LintSetups(command: self, workingDirectory: cwd)
    } catch {
      printError("error: \(error)")
      throw ExitCode(Exit.inputError)
    }
    if let printConfig {
      try printConfiguration(for: printConfig, setups: &setups, workingDirectory: cwd)
      return
    }

    // Each file is linted under the configuration of its own folder; every configuration that
    // applies is read and checked before anything is linted (a broken one is exit 2).
    var work: [(FileWalker.Entry, LintSetup)] = []
    var walkErrors: [HeguiError] = []
    var stdinSetup: LintSetup?
    var setupErrors: [String: HeguiError] = [:]
    func note(_ error: HeguiError) { setupErrors[error.description] = error }
    if stdin {
      // Standard input is governed by the configuration of the folder its --stdin-filename names.
      let named = URL(fileURLWithPath: stdinFilename, relativeTo: cwd)
      do throws(HeguiError) {
        stdinSetup = try stdinFilename == "<stdin>" ? setups.setup(forDirectory: cwd) : setups.setup(forFile: named)
      } catch {
        note(error)
      }
    } else {
      do throws(HeguiError) {
        let walk = try FileWalker.walk(paths, excluding: situation.exclude.map(Glob.init), relativeTo: cwd) {
          url, isDirectory in
          do throws(HeguiError) {
            return try setups.resolver.configuration(forFile: url).excludes(url, isDirectory: isDirectory)
          } catch {
            note(error)
            return false
          }
        }
        walkErrors = walk.errors
        for entry in walk.files {
          do throws(HeguiError) {
            work.append((entry, try setups.setup(forFile: entry.url)))
          } catch {
            note(error)
          }
        }
      } catch {
        note(error)
      }
    }
    if !setupErrors.isEmpty {
      for error in setupErrors.values.sorted(by: { $0.description < $1.description }) {
        printError("error: \(error)")
      }
      throw ExitCode(Exit.inputError)
    }
    let primary: LintSetup
    do {
      primary = try stdinSetup ?? work.first?.1 ?? setups.setup(forDirectory: cwd)
    } catch {
      printError("error: \(error)")
      throw ExitCode(Exit.inputError)
    }

    if fix || fixDryRun {
      let done = applyFixes(to: work)
      if fixDryRun {
        print(
          "\(done.fixes) fix\(done.fixes == 1 ? "" : "es") in \(done.files) file\(done.files == 1 ? "" : "s") would be written (dry run: nothing was changed)"
        )
        if done.failed { throw ExitCode(Exit.inputError) }
        return
      }
      printError(
        "fixed \(done.fixes) finding\(done.fixes == 1 ? "" : "s") in \(done.files) file\(done.files == 1 ? "" : "s")")
      if done.failed { throw ExitCode(Exit.inputError) }
    }

    let useColor =
      output == nil && !noColor && format == .text && isatty(STDOUT_FILENO) != 0
      && ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) != false
    let sink: OutputFile.Stream
    do {
      sink =
        try output.map { try OutputFile.Stream.open(URL(fileURLWithPath: $0, relativeTo: cwd), displayPath: $0) }
        ?? .standardOutput()
    } catch {
      printError("error: \(error)")
      throw ExitCode(Exit.inputError)
    }
    // The report streams (text, line, github, jsonl) or is written at the end (json, sarif); the
    // input errors are repeated on standard error when the report itself is a document on stdout.
    let writer = ReportWriter(
      format: format, ruleset: primary.ruleset, toolVersion: HeguiCommand.version, color: useColor, write: sink.write)
    writer.summaryByRule = summary
    if let zone = timeZone.flatMap(TimeZone.init(identifier:)) { writer.timeZone = zone }
    let repeatErrors = !format.streams && output == nil
    var thresholds: [String: Severity] = [:]
    for (entry, setup) in work { thresholds[entry.display] = setup.failOn }
    if stdin { thresholds[stdinFilename] = primary.failOn }
    let state = RunState(writer: writer, repeatErrors: repeatErrors, thresholds: thresholds, fallback: primary.failOn)
    // Baselines record each file by its path relative to the baseline's own folder.
    let files =
      stdin
      ? [(stdinFilename, URL(fileURLWithPath: stdinFilename, relativeTo: cwd))] : work.map { ($0.0.display, $0.0.url) }
    if let baseline {
      let url = URL(fileURLWithPath: baseline, relativeTo: cwd)
      do {
        state.filter = Baseline.Filter(try Baseline.load(url, displayPath: baseline))
      } catch {
        printError("error: \(error)")
        throw ExitCode(Exit.inputError)
      }
      state.filterKeys = BaselinePaths.keys(for: files, baseline: url)
    }
    if let writeBaseline {
      state.recordKeys = BaselinePaths.keys(for: files, baseline: URL(fileURLWithPath: writeBaseline, relativeTo: cwd))
    }

    if stdin {
      let format = InputFormat(pathExtension: URL(fileURLWithPath: stdinFilename).pathExtension)
      if format.isListing {
        let data = FileHandle.standardInput.readDataToEndOfFile()
        do {
          state.add(
            primary.linter.lint(
              text: try TextInput.decode(data, path: stdinFilename), path: stdinFilename, format: format))
        } catch {
          state.add(LintedFile(path: stdinFilename, findings: [], errors: [error]))
        }
      } else {
        primary.linter.lint(FileHandle.standardInput, path: stdinFilename, format: format) { state.add($0) }
      }
      state.endFile()
    } else {
      let progress = Progress(files: work.map(\.0))
      await LintRun.lint(
        work.map { ($0.0, $0.1.linter) }, jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount
      ) {
        event in
        switch event {
        case let .piece(piece): state.add(piece)
        case .fileEnd:
          state.endFile()
          progress.advance()
        }
      }
      progress.finish()
      // What the walk could not read is reported like an unreadable file: never skipped silently.
      for error in walkErrors {
        state.add(LintedFile(path: error.location?.path ?? ".", findings: [], errors: [error]))
        state.endFile()
      }
    }
    writer.finish()
    do {
      try sink.close()
    } catch {
      printError("error: \(error)")
      throw ExitCode(Exit.inputError)
    }
    if output != nil && format != .text { printError(writer.summary) }
    for error in state.errors { printError("error: \(TerminalSafe.escape(error.description))") }

    if let filter = state.filter, let baseline {
      var note = "\(filter.absorbed) finding\(filter.absorbed == 1 ? "" : "s") in the baseline \(baseline), not shown"
      if filter.unmatched > 0 {
        note +=
          "; \(filter.unmatched) recorded there no longer found in the files checked (fixed or reworded: --write-baseline drops them)"
      }
      printError(note)
    }
    if let writeBaseline {
      let recorded = Baseline(findings: state.recorded)
      do {
        try OutputFile.write(
          Data(recorded.rendered(toolVersion: HeguiCommand.version).utf8),
          to: URL(fileURLWithPath: writeBaseline, relativeTo: cwd), displayPath: writeBaseline)
      } catch {
        printError("error: \(error)")
        throw ExitCode(Exit.inputError)
      }
      let fileCount = Set(recorded.entries.map(\.path)).count
      printError(
        "wrote \(writeBaseline): \(recorded.count) finding\(recorded.count == 1 ? "" : "s") in \(fileCount) file\(fileCount == 1 ? "" : "s")"
      )
    }
    if writer.errorCount > 0 { throw ExitCode(Exit.inputError) }
    // Writing a baseline accepts every finding it records.
    if state.failing && writeBaseline == nil { throw ExitCode(Exit.findings) }
  }
}

extension LintCommand {
  /// `--fix` and `--fix-dry-run`: each file's fixes, written in place or printed as a diff. A file
  /// that cannot be read is left to the lint run, which reports it.
  func applyFixes(to work: [(FileWalker.Entry, LintSetup)]) -> (fixes: Int, files: Int, failed: Bool) {
    var fixes = 0
    var files = 0
    var failed = false
    for (entry, setup) in work {
      guard let text = try? TextInput.read(entry.url, displayPath: entry.display) else { continue }
      let result = setup.linter.fix(
        text: text, path: entry.display, format: InputFormat(pathExtension: entry.url.pathExtension))
      for reason in result.skipped { printError("note: \(TerminalSafe.escape(reason))") }
      guard result.changed else { continue }
      if fixDryRun {
        // A diff for `patch` goes out as it is; one shown on a terminal is made safe to show.
        let diff = result.diff
        print(
          isatty(STDOUT_FILENO) != 0
            ? diff.split(separator: "\n", omittingEmptySubsequences: false).map(TerminalSafe.escape).joined(
              separator: "\n") : diff, terminator: "")
      } else {
        do {
          try OutputFile.replace(Data(result.fixed.utf8), at: entry.url, displayPath: entry.display)
        } catch {
          printError("error: \(error)")
          failed = true
          continue
        }
      }
      fixes += result.edits.count
      files += 1
    }
    return (fixes, files, failed)
  }
}

/// The writer and what must be said after the report, fed one event at a time by the run.
final class RunState: @unchecked Sendable {
  // @unchecked: LintRun hands on events one at a time, in order (under its lock).
  let writer: ReportWriter
  let repeatErrors: Bool
  /// The `fail_on` of each file's configuration (or `--fail-on`), by displayed path.
  let thresholds: [String: Severity]
  let fallback: Severity
  private(set) var errors: [HeguiError] = []
  /// Whether a finding is at or above its file's `fail_on`.
  private(set) var failing = false
  /// `--baseline`: what it holds is left out of the report.
  var filter: Baseline.Filter?
  /// The baseline path of each displayed path, for ``filter``.
  var filterKeys: [String: String] = [:]
  /// `--write-baseline`: the baseline path of each displayed path; every finding is recorded.
  var recordKeys: [String: String]?
  private(set) var recorded: [(path: String, finding: LintFinding)] = []

  init(writer: ReportWriter, repeatErrors: Bool, thresholds: [String: Severity] = [:], fallback: Severity = .block) {
    self.writer = writer
    self.repeatErrors = repeatErrors
    self.thresholds = thresholds
    self.fallback = fallback
  }

  func add(_ piece: LintedFile) {
    var piece = piece
    if let recordKeys {
      let key = recordKeys[piece.path] ?? piece.path
      recorded += piece.findings.map { (key, $0) }
    }
    if let filter {
      piece = LintedFile(
        path: piece.path, findings: filter.newFindings(piece.findings, path: filterKeys[piece.path] ?? piece.path),
        errors: piece.errors)
    }
    writer.add(piece)
    if repeatErrors { errors += piece.errors }
    if !failing {
      let threshold = thresholds[piece.path] ?? fallback
      failing = piece.findings.contains { $0.finding.severity >= threshold }
    }
  }

  func endFile() { writer.endFile() }
}

/// A progress line on standard error, only on a terminal and only once a run takes more than
/// a moment.
final class Progress: @unchecked Sendable {
  // @unchecked: advanced from the run's events, one at a time.
  private let files: [FileWalker.Entry]
  private var total: Int { files.count }
  private var done = 0
  private var bytes = 0
  private let start = Date()
  private var shown = false
  private let enabled = isatty(STDERR_FILENO) != 0

  init(files: [FileWalker.Entry]) {
    self.files = files
  }

  /// One more file is done (files finish in order).
  func advance() {
    if done < files.count {
      bytes += (try? FileManager.default.attributesOfItem(atPath: files[done].url.path)[.size] as? Int) ?? 0
    }
    done += 1
    guard enabled else { return }
    let elapsed = Date().timeIntervalSince(start)
    guard elapsed > 0.5 else { return }
    shown = true
    let width = 24
    let filled = total == 0 ? width : width * done / total
    let rate = Double(self.bytes) / 1_048_576 / max(elapsed, 0.001)
    let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
    FileHandle.standardError.write(Data(String(format: "\r%@ %d/%d files  %.1f MB/s", bar, done, total, rate).utf8))
  }

  func finish() {
    if shown { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
  }
}

/// Where baselines record files: relative to the baseline file's folder.
enum BaselinePaths {
  /// The baseline path of each displayed path.
  static func keys(for files: [(display: String, url: URL)], baseline: URL) -> [String: String] {
    let root = baseline.deletingLastPathComponent().standardizedFileURL.path
    let prefix = root.hasSuffix("/") ? root : root + "/"
    var keys: [String: String] = [:]
    for (display, url) in files {
      let path = url.standardizedFileURL.path
      keys[display] = path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : display
    }
    return keys
  }
}
