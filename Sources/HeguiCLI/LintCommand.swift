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
    abstract: tr(
      "Check script and listing files (or standard input) against the rules.", "按规则检查话术和商品信息文件（或标准输入）。"),
    discussion: paragraphs(
      language == .chinese
        ? """
        .txt、.md、.srt 是话术；.json、.jsonl、.csv、.xlsx 是商品导出文件，标题和描述各按自己的语境检查，
        并带上记录的类目、店铺主体和资质。目录会逐层遍历。

        每个文件按它所在目录向上最近的 .hegui.yml 检查（直到仓库根目录；最近的一份整体生效，
        其中的通配路径相对它所在的目录）；--config 给出的配置对所有文件生效（通配路径相对当前目录）。
        --print-config FILE 显示某个文件适用的配置及来源。

        话术中单独一行的行内豁免：
          #! hegui disable-next-line 规则ID -- 理由

        退出码：0 没有达到 --fail-on 的问题；1 有达到的问题；2 输入无法读取、配置或规则有误；64 用法错误。
        """
        : """
        Text files (.txt, .md, .srt) are scripts; .json, .jsonl, .csv and .xlsx are listing exports whose
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
        """))

  @Argument(help: ArgumentHelp(tr("Files or directories to check.", "要检查的文件或目录。")))
  var paths: [String] = []

  @Flag(help: ArgumentHelp(tr("Read the text to check from standard input.", "从标准输入读取要检查的文本。")))
  var stdin = false

  @Option(
    help: ArgumentHelp(tr("Name to show for standard input; its extension selects the format.", "标准输入显示的文件名；扩展名决定格式。")))
  var stdinFilename = "<stdin>"

  @OptionGroup var situation: ContextOptions

  @Option(
    help: ArgumentHelp(
      tr("A directory of extra rulesets (repeatable), added to the shipped ones.", "额外规则包目录（可重复），与内置规则一起加载。"),
      valueName: "dir"))
  var rulesets: [String] = []

  @Option(
    help: ArgumentHelp(tr("Run only this rule, alias or family (repeatable).", "只运行此规则、别名或规则族（可重复）。"), valueName: "id"),
    completion: Completions.ruleIDs)
  var onlyRule: [String] = []

  @Option(
    help: ArgumentHelp(
      tr("Do not run this rule, alias or family (repeatable).", "不运行此规则、别名或规则族（可重复）。"), valueName: "id"),
    completion: Completions.ruleIDs)
  var disableRule: [String] = []

  @Option(
    help: ArgumentHelp(
      tr(
        "Output format: text, line, json, jsonl, sarif, github or html.",
        "输出格式：text、line、json、jsonl、sarif、github 或 html。")))
  var format: LintFormat = .text

  @Option(
    help: ArgumentHelp(
      tr(
        "Time zone for times shown to people (default: $HEGUI_TIME_ZONE, else Asia/Shanghai).",
        "给人看的时间所用的时区（默认取 $HEGUI_TIME_ZONE，否则 Asia/Shanghai）。"),
      valueName: "id"))
  var timeZone: String?

  @Option(
    help: ArgumentHelp(
      tr(
        "Encoding of the files: utf-8 (default), gbk, gb18030, utf-16 (with a byte-order mark), utf-16le or utf-16be. Never guessed.",
        "输入文件的编码：utf-8（默认）、gbk、gb18030、utf-16（须有字节序标记）、utf-16le 或 utf-16be。不会自动猜测。"),
      valueName: "name"))
  var encoding: String?

  @Option(help: ArgumentHelp(tr("Write the report to a file instead of standard output.", "把报告写入文件而不是标准输出。")))
  var output: String?

  @Option(
    help: ArgumentHelp(
      tr(
        "Lowest severity that makes the exit code 1: block, review or info. Default: block.",
        "使退出码为 1 的最低级别：block、review 或 info，默认 block。")))
  var failOn: Severity?

  @Flag(help: ArgumentHelp(tr("End the text report with the findings counted by rule.", "在文本报告末尾按规则统计问题。")))
  var summary = false

  @Flag(help: ArgumentHelp(tr("Never colour the output (NO_COLOR is respected too).", "不使用颜色（也遵循 NO_COLOR）。")))
  var noColor = false

  @Option(help: ArgumentHelp(tr("Files checked in parallel (default: the number of cores).", "并行检查的文件数（默认等于 CPU 核数）。")))
  var jobs: Int?

  @Option(
    help: ArgumentHelp(
      tr(
        "Configuration file for every file (default: the nearest .hegui.yml above each file).",
        "对所有文件生效的配置文件（默认：每个文件向上最近的 .hegui.yml）。")))
  var config: String?

  @Flag(
    help: ArgumentHelp(
      tr(
        "Write the rules' safe replacements over their matches, in place, then report what is left.",
        "把规则标明的安全改写直接写入文件，再报告剩下的问题。")))
  var fix = false

  @Flag(
    help: ArgumentHelp(
      tr("Print the changes --fix would make as a unified diff; write nothing.", "以 unified diff 显示 --fix 会做的修改，不写文件。"))
  )
  var fixDryRun = false

  @Option(
    help: ArgumentHelp(tr("Report only findings this baseline does not hold.", "只报告基线里没有的问题。"), valueName: "file"))
  var baseline: String?

  @Option(
    help: ArgumentHelp(
      tr(
        "Record every current finding in a baseline file (exit 0 unless input errors).", "把当前全部问题记入基线文件（无输入错误时退出码为 0）。"),
      valueName: "file"))
  var writeBaseline: String?

  @Option(
    help: ArgumentHelp(
      tr("Show the configuration that applies to a file, and why, then exit.", "显示某个文件适用的配置及来源，然后退出。"),
      valueName: "file"))
  var printConfig: String?

  func validate() throws {
    if printConfig != nil {
      if !paths.isEmpty || stdin {
        throw ValidationError(tr("--print-config takes one file and no other paths", "--print-config 只接受一个文件，不能再给其他路径"))
      }
      return
    }
    if paths.isEmpty && !stdin {
      throw ValidationError(tr("give files or directories to check, or --stdin", "请给出要检查的文件或目录，或使用 --stdin"))
    }
    if fix && fixDryRun {
      throw ValidationError(tr("give either --fix or --fix-dry-run, not both", "--fix 和 --fix-dry-run 只能选一个"))
    }
    if (fix || fixDryRun) && stdin {
      throw ValidationError(
        tr(
          "--fix and --fix-dry-run rewrite files; they do not take --stdin",
          "--fix 和 --fix-dry-run 改写文件，不能与 --stdin 一起用"))
    }
    if !paths.isEmpty && stdin {
      throw ValidationError(tr("give either paths or --stdin, not both", "路径和 --stdin 只能选一个"))
    }
    if let encoding {
      guard let named = TextEncoding(name: encoding) else {
        throw ValidationError(
          tr(
            "unknown encoding '\(encoding)': utf-8, gbk, gb18030, utf-16, utf-16le or utf-16be",
            "未知编码 '\(encoding)'：可用 utf-8、gbk、gb18030、utf-16、utf-16le 或 utf-16be"))
      }
      if named != .utf8 && (fix || fixDryRun) {
        throw ValidationError(
          tr(
            "--fix writes UTF-8 only: convert the file to UTF-8 first, then fix it",
            "--fix 只写 UTF-8：请先把文件转换为 UTF-8 再自动改写"))
      }
    }
    if let jobs, jobs < 1 { throw ValidationError(tr("--jobs must be at least 1", "--jobs 至少为 1")) }
    if let timeZone, TimeZone(identifier: timeZone) == nil {
      throw ValidationError(
        tr(
          "unknown time zone '\(timeZone)' (an IANA id such as Asia/Shanghai or UTC)",
          "未知时区 '\(timeZone)'（应为 IANA 时区名，如 Asia/Shanghai 或 UTC）"))
    }
  }

  func run() async throws {
    let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    var setups: LintSetups
    do {
      setups = try LintSetups(command: self, workingDirectory: cwd)
    } catch {
      printError(errorWord + describeError(error))
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
        printError(errorWord + describeError(error))
      }
      throw ExitCode(Exit.inputError)
    }
    let primary: LintSetup
    do {
      primary = try stdinSetup ?? work.first?.1 ?? setups.setup(forDirectory: cwd)
    } catch {
      printError(errorWord + describeError(error))
      throw ExitCode(Exit.inputError)
    }

    if fix || fixDryRun {
      let done = applyFixes(to: work)
      if fixDryRun {
        print(
          tr(
            "\(done.fixes) fix\(done.fixes == 1 ? "" : "es") in \(done.files) file\(done.files == 1 ? "" : "s") would be written (dry run: nothing was changed)",
            "将在 \(done.files) 个文件中做 \(done.fixes) 处修改（试运行：没有改动任何文件）")
        )
        if done.failed { throw ExitCode(Exit.inputError) }
        return
      }
      printError(
        tr(
          "fixed \(done.fixes) finding\(done.fixes == 1 ? "" : "s") in \(done.files) file\(done.files == 1 ? "" : "s")",
          "已在 \(done.files) 个文件中自动改写 \(done.fixes) 处问题"))
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
      printError(errorWord + describeError(error))
      throw ExitCode(Exit.inputError)
    }
    // The report streams (text, line, github, jsonl) or is written at the end (json, sarif); the
    // input errors are repeated on standard error when the report itself is a document on stdout.
    let writer = ReportWriter(
      format: format, ruleset: primary.ruleset, toolVersion: HeguiCommand.version, color: useColor, write: sink.write)
    writer.summaryByRule = summary
    writer.language = language
    writer.timeZone = displayTimeZone(timeZone)
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
        printError(errorWord + describeError(error))
        throw ExitCode(Exit.inputError)
      }
      state.filterKeys = BaselinePaths.keys(for: files, baseline: url)
    }
    if let writeBaseline {
      state.recordKeys = BaselinePaths.keys(for: files, baseline: URL(fileURLWithPath: writeBaseline, relativeTo: cwd))
    }

    if stdin {
      let format = InputFormat(pathExtension: URL(fileURLWithPath: stdinFilename).pathExtension)
      let encoding = primary.linter.options.encoding
      if format == .xlsx {
        state.add(primary.linter.lint(workbook: FileHandle.standardInput.readDataToEndOfFile(), path: stdinFilename))
      } else if format.isListing || encoding != .utf8 {
        let data = FileHandle.standardInput.readDataToEndOfFile()
        do {
          state.add(
            primary.linter.lint(
              text: try TextInput.decode(data, path: stdinFilename, encoding: encoding), path: stdinFilename,
              format: format))
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
      printError(errorWord + describeError(error))
      throw ExitCode(Exit.inputError)
    }
    if output != nil && format != .text { printError(writer.summary) }
    for error in state.errors { printError(errorWord + TerminalSafe.escape(describeError(error))) }

    if let filter = state.filter, let baseline {
      var note = tr(
        "\(filter.absorbed) finding\(filter.absorbed == 1 ? "" : "s") in the baseline \(baseline), not shown",
        "基线 \(baseline) 中已有的 \(filter.absorbed) 条问题未显示")
      if filter.unmatched > 0 {
        note += tr(
          "; \(filter.unmatched) recorded there no longer found in the files checked (fixed or reworded: --write-baseline drops them)",
          "；基线记录的 \(filter.unmatched) 条在本次检查的文件中已不存在（已改正或改写：用 --write-baseline 重写基线即可去掉）")
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
        printError(errorWord + describeError(error))
        throw ExitCode(Exit.inputError)
      }
      let fileCount = Set(recorded.entries.map(\.path)).count
      printError(
        tr(
          "wrote \(writeBaseline): \(recorded.count) finding\(recorded.count == 1 ? "" : "s") in \(fileCount) file\(fileCount == 1 ? "" : "s")",
          "已写入 \(writeBaseline)：\(fileCount) 个文件中的 \(recorded.count) 条问题")
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
      if InputFormat(pathExtension: entry.url.pathExtension) == .xlsx {
        printError(
          tr("note: ", "提示：")
            + tr(
              "\(entry.display): Excel workbooks are not rewritten by --fix (change them in Excel)",
              "\(entry.display)：--fix 不改写 Excel 工作簿（请在 Excel 中修改）"))
        continue
      }
      guard let text = try? TextInput.read(entry.url, displayPath: entry.display) else { continue }
      let result = setup.linter.fix(
        text: text, path: entry.display, format: InputFormat(pathExtension: entry.url.pathExtension))
      for reason in result.skipped { printError(tr("note: ", "提示：") + TerminalSafe.escape(reason)) }
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
          printError(errorWord + describeError(error))
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
    let format = tr("\r%@ %d/%d files  %.1f MB/s", "\r%@ %d/%d 个文件  %.1f MB/s")
    FileHandle.standardError.write(Data(String(format: format, bar, done, total, rate).utf8))
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
