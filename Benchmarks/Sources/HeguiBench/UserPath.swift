import Foundation
import Hegui

#if canImport(Glibc)
  import Glibc
#endif

/// `hegui lint` as users run it: whole processes on files of the sizes they have, each row with
/// its throughput and how its cost grows with size, against the engine's own throughput on the
/// same text in the same run.
enum UserPath {
  struct Run {
    var seconds: Double
    var peakKB: Int
    var status: Int32
  }

  /// Runs `binary` with `arguments` (stdout to /dev/null, stdin from `stdin` or /dev/null) and
  /// returns its wall time and peak resident memory (`ru_maxrss` of the child).
  static func spawn(_ binary: String, _ arguments: [String], stdin: String? = nil, stdout: String = "/dev/null") -> Run
  {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, stdin ?? "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let argv = ([binary] + arguments).map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var pid: pid_t = 0
    let start = Measure.clock.now
    guard posix_spawn(&pid, binary, &actions, nil, argv, environ) == 0 else {
      return Run(seconds: .nan, peakKB: 0, status: -1)
    }
    var status: Int32 = 0
    var usage = rusage()
    _ = wait4(pid, &status, 0, &usage)
    return Run(
      seconds: Measure.seconds(Measure.clock.now - start), peakKB: usage.ru_maxrss, status: (status >> 8) & 0xFF)
  }

  /// The peak resident memory of one `binary` process, in KB, as GNU time reports it.
  ///
  /// Not `ru_maxrss` of a child this process spawns: `posix_spawn` starts the child with this
  /// process's address space (vfork), and Linux carries that address space's high-water mark into
  /// the child at `exec`, so the child would report the benchmark's own peak (the 200 MB script
  /// it generated). GNU time forks from a small process, so its child starts from nothing.
  static func peakKB(_ binary: String, _ arguments: [String], stdin: String? = nil) throws -> Int {
    let time = "/usr/bin/time"
    guard FileManager.default.isExecutableFile(atPath: time) else {
      throw BenchError("peak memory needs GNU time at \(time) (Debian: apt-get install time)")
    }
    let report = FileManager.default.temporaryDirectory.appending(path: "hegui-peak-\(getpid()).txt")
    defer { try? FileManager.default.removeItem(at: report) }
    let run = spawn(time, ["-f", "%M", "-o", report.path, binary] + arguments, stdin: stdin)
    guard run.status == 0 || run.status == 1,
      let text = try? String(contentsOf: report, encoding: .utf8),
      let kb = text.split(separator: "\n").last.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) })
    else { throw BenchError("GNU time did not report the peak memory of \(binary) (exit \(run.status))") }
    return kb
  }

  /// The median of `runs` runs (by time); its peak memory is the largest seen.
  static func median(_ runs: Int, _ body: () -> Run) -> Run {
    var all: [Run] = []
    for _ in 0..<max(1, runs) { all.append(body()) }
    all.sort { $0.seconds < $1.seconds }
    var middle = all[all.count / 2]
    middle.peakKB = all.map(\.peakKB).max() ?? 0
    return middle
  }

  static func run(binary: String, options: Options) throws {
    let folder = FileManager.default.temporaryDirectory.appending(path: "hegui-userpath-\(getpid())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer {
      if options.keepScripts {
        progress("user path: the scripts are kept in \(folder.path)")
      } else {
        try? FileManager.default.removeItem(at: folder)
      }
    }
    let quick = options.runs == 1
    let runs = quick ? 1 : 3
    let unit = quick ? 250_000 : 1_000_000
    let loadAtStart = Measure.loadAverage()

    // Texts: realistic merchant lines (about 5 % violating), and a finding on every line.
    progress("user path: generating scripts")
    var generator = CorpusGenerator(seed: options.seed)
    var lines: [String] = []
    var bytes = 0
    while bytes < 32 * unit {
      for line in generator.nextItem().text.split(separator: "\n") where !line.isEmpty {
        lines.append(String(line))
        bytes += line.utf8.count + 1
      }
    }
    func file(_ name: String, _ text: String) throws -> String {
      let url = folder.appending(path: name)
      try Data(text.utf8).write(to: url)
      return url.path
    }
    func script(_ size: Int) -> String {
      var out = ""
      out.reserveCapacity(size + 200)
      var k = 0
      while out.utf8.count < size {
        out += lines[k % lines.count] + "\n"
        k += 1
      }
      return out
    }
    func everyLine(_ size: Int) -> String {
      var out = ""
      var k = 0
      while out.utf8.count < size {
        out += "第\(k)件：\(lines[k % lines.count].prefix(20))，全网最低价\n"
        k += 1
      }
      return out
    }
    let sizes = [1, 8, 32]
    var realistic: [Int: String] = [:]
    var dense: [Int: String] = [:]
    for size in sizes {
      realistic[size] = try file("script-\(size).txt", script(size * unit))
      dense[size] = try file("every-line-\(size).txt", everyLine(size * unit))
    }
    let singleLine1 = try file("line-1.txt", script(unit).replacingOccurrences(of: "\n", with: "，"))
    let singleLine8 = try file("line-8.txt", script(8 * unit).replacingOccurrences(of: "\n", with: "，"))
    let directory = folder.appending(path: "many")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let eight = script(8 * unit)
    let perFile = eight.utf8.count / 1000
    var rest = Substring(eight)
    for k in 0..<1000 {
      let cut = rest.utf8.index(rest.utf8.startIndex, offsetBy: min(perFile, rest.utf8.count))
      var piece = rest[..<cut]
      while let last = piece.last, last != "\n", piece.endIndex < rest.endIndex { piece = rest[...piece.endIndex] }
      try Data(piece.utf8).write(to: directory.appending(path: String(format: "s%04d.txt", k)))
      rest = rest[piece.endIndex...]
    }
    let caption = try file("caption.txt", "家人们这款今天直播间全网最低价，三二一上链接\n")

    func lint(_ path: String, format: String = "line") -> Run {
      median(runs) { spawn(binary, ["lint", "--format", format, path]) }
    }
    var rows: [[String]] = []
    func mbps(_ size: Double, _ run: Run) -> String { String(format: "%.1f MB/s", size / run.seconds) }
    func growth(_ small: Run, _ large: Run, _ factor: Double) -> Double { large.seconds / (factor * small.seconds) }
    func row(_ name: String, _ small: Run, _ large: Run, factor: Double, size: Double) {
      let ratio = growth(small, large, factor)
      rows.append([
        name, String(format: "%.3f s", small.seconds), String(format: "%.3f s", large.seconds), mbps(size, large),
        String(format: "%.2f", ratio), ratio <= 1.25 ? "PASS" : "FAIL",
      ])
    }

    progress("user path: one script of 1, 8 and 32 MB (realistic findings)")
    let r = sizes.map { lint(realistic[$0] ?? "") }
    row("script, realistic findings, 1 → 8 MB", r[0], r[1], factor: 8, size: 8)
    row("script, realistic findings, 8 → 32 MB", r[1], r[2], factor: 4, size: 32)
    progress("user path: a finding on every line")
    let d = sizes.map { lint(dense[$0] ?? "") }
    row("script, a finding on every line, 1 → 8 MB", d[0], d[1], factor: 8, size: 8)
    row("script, a finding on every line, 8 → 32 MB", d[1], d[2], factor: 4, size: 32)
    progress("user path: every output format, 8 → 32 MB, a finding on every line")
    for format in ["text", "line", "json", "sarif", "github", "jsonl"] {
      let small = lint(dense[8] ?? "", format: format)
      let large = lint(dense[32] ?? "", format: format)
      row("`--format \(format)`, 8 → 32 MB", small, large, factor: 4, size: 32)
    }
    progress("user path: one line of 1 and 8 MB")
    row("one line without breaks, 1 → 8 MB", lint(singleLine1), lint(singleLine8), factor: 8, size: 8)
    progress("user path: 125 and 1,000 files of 8 KB")
    let few = folder.appending(path: "few")
    try FileManager.default.createDirectory(at: few, withIntermediateDirectories: true)
    for k in 0..<125 {
      let name = String(format: "s%04d.txt", k)
      try FileManager.default.copyItem(at: directory.appending(path: name), to: few.appending(path: name))
    }
    let fewRun = median(runs) { spawn(binary, ["lint", "--format", "line", few.path]) }
    let many = median(runs) { spawn(binary, ["lint", "--format", "line", directory.path]) }
    row("a folder of 8 KB files, 125 → 1,000 files", fewRun, many, factor: 8, size: 8)
    progress("user path: --stdin, one caption line")
    var starts: [Double] = []
    for _ in 0..<(quick ? 5 : 20) {
      starts.append(
        spawn(binary, ["lint", "--stdin", "--context", "caption", "--format", "line"], stdin: caption).seconds)
    }
    starts.sort()

    // The engine on the same text, in this process: the ceiling `hegui lint` is measured against.
    progress("user path: the engine on the same 32 MB script")
    let checker = Checker(ruleset: try Ruleset.shipped())
    let text32 = try String(contentsOfFile: realistic[32] ?? "", encoding: .utf8)
    _ = checker.check(text32)
    let engine = Measure.best(of: runs) { _ = checker.check(text32) }
    let lint32 = r[2].seconds

    progress("user path: peak memory, 8 MB and 200 MB scripts (a finding on every line)")
    let big = try file("every-line-200.txt", everyLine(200 * unit))
    let peak8 = try peakKB(binary, ["lint", "--format", "line", dense[8] ?? ""])
    let peak200 = try peakKB(binary, ["lint", "--format", "line", big])
    let peak200Stdin = try peakKB(binary, ["lint", "--format", "line", "--stdin"], stdin: big)

    var out = "\n## hegui lint on the user's path\n\n"
    out += "Load average at start: \(loadAtStart); binary: `\(binary)`; unit: \(unit) bytes per \"MB\".\n\n"
    out += "| Workload | Small | Large | Large MB/s | Growth ratio | ≤ 1.25 |\n|---|---|---|---|---|---|\n"
    for row in rows { out += "| " + row.joined(separator: " | ") + " |\n" }
    let engineMBps = 32.0 / engine
    let lintMBps = 32.0 / lint32
    out += "\n| Measurement | Figure | Baseline (same run) | Ratio | Target |\n|---|---|---|---|---|\n"
    out += String(
      format:
        "| `hegui lint` on the 32 MB script, whole process | %.1f MB/s | engine on the same text %.1f MB/s | %.2f | ≥ 0.50 %@ |\n",
      lintMBps, engineMBps, lintMBps / engineMBps, lintMBps / engineMBps >= 0.5 ? "PASS" : "FAIL")
    out += String(
      format: "| Peak memory, 200 MB script (line) | %.1f MB | 8 MB script %.1f MB | %.2f | ≤ 2 %@ |\n",
      Double(peak200) / 1024, Double(peak8) / 1024, Double(peak200) / Double(max(1, peak8)),
      Double(peak200) <= 2 * Double(peak8) ? "PASS" : "FAIL")
    out += String(
      format: "| Peak memory, 200 MB script on --stdin | %.1f MB | 8 MB script %.1f MB | %.2f | ≤ 2 %@ |\n",
      Double(peak200Stdin) / 1024, Double(peak8) / 1024, Double(peak200Stdin) / Double(max(1, peak8)),
      Double(peak200Stdin) <= 2 * Double(peak8) ? "PASS" : "FAIL")
    out += String(
      format: "| `--stdin`, one caption line, process start to exit, p50 / max | %.1f / %.1f ms | | | |\n",
      Measure.percentile(starts, 0.5) * 1000, (starts.last ?? 0) * 1000)
    print(out)
  }
}
