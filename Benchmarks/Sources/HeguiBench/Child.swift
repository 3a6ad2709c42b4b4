import Foundation
import Hegui

/// Load time and memory measured in a fresh process (this executable, re-run with `--child`),
/// so that neither is flattered by warm caches nor polluted by the parent's corpus.
struct ChildReport: Codable {
  /// Loading and validating the rules (YAML, term files, normalising terms, PCRE2 compile + JIT).
  var loadMilliseconds: Double
  /// Compiling the checker (the automaton over every term, exception phrase and anchor).
  var compileMilliseconds: Double
  /// Median of further load + compile runs in the same process (tables and caches warm).
  var warmMilliseconds: Double?
  /// Resident set before loading (the runtime and Foundation).
  var startKilobytes: Int
  /// Resident set after loading and compiling.
  var loadedKilobytes: Int
  /// Peak resident set after checking the whole corpus (generated item by item, never held).
  var peakKilobytes: Int
  var terms: Int
  var findings: Int
}

enum Child {
  enum Kind: String {
    case shipped
    case lexicon
  }

  /// Runs in the child: load, compile, check the corpus item by item, report as JSON on stdout.
  static func run(_ kind: Kind, options: Options) throws -> ChildReport {
    let startKB = Measure.status("VmRSS") ?? 0
    func load() throws -> Ruleset {
      switch kind {
      case .shipped: return try Ruleset.shipped()
      case .lexicon:
        guard let path = options.lexiconDirectory else { throw BenchError("--child lexicon needs --lexicon-dir") }
        return try Ruleset.load(directories: [URL(fileURLWithPath: path)], includingShipped: true)
      }
    }
    var ruleset: Ruleset?
    let loadSeconds = try Measure.time { ruleset = try load() }
    guard let ruleset else { throw BenchError("no ruleset") }
    var checker: Checker?
    let compileSeconds = Measure.time { checker = Checker(ruleset: ruleset) }
    guard let checker else { throw BenchError("no checker") }
    let loadedKB = Measure.status("VmRSS") ?? 0

    var warm: Double?
    if kind == .shipped && !options.loadOnly {
      var runs: [Double] = []
      for _ in 0..<9 {
        runs.append(try Measure.time { _ = Checker(ruleset: try load()) })
      }
      warm = runs.sorted()[runs.count / 2] * 1000
    }

    var generator = CorpusGenerator(seed: options.seed)
    var findings = 0
    while !options.loadOnly && generator.stats.bytes < options.bytes {
      let item = generator.nextItem()
      findings += checker.check(item.text, context: item.context).findings.count
    }
    let terms = ruleset.rules.reduce(0) { $0 + $1.terms.count }
    return ChildReport(
      loadMilliseconds: loadSeconds * 1000, compileMilliseconds: compileSeconds * 1000, warmMilliseconds: warm,
      startKilobytes: startKB, loadedKilobytes: loadedKB, peakKilobytes: Measure.status("VmHWM") ?? 0,
      terms: terms, findings: findings)
  }

  /// Runs in the parent: starts the child and reads its report.
  static func spawn(_ kind: Kind, options: Options, lexiconDirectory: URL?, loadOnly: Bool = false) throws
    -> ChildReport
  {
    let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    var arguments = [
      "--child", kind.rawValue, "--seed", String(options.seed), "--megabytes", String(options.megabytes),
    ]
    if let lexiconDirectory { arguments += ["--lexicon-dir", lexiconDirectory.path] }
    if loadOnly { arguments.append("--load-only") }
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw BenchError("child '\(kind.rawValue)' exited with status \(process.terminationStatus)")
    }
    return try JSONDecoder().decode(ChildReport.self, from: data)
  }
}

struct BenchError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}
