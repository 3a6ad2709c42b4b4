import Foundation
import Hegui

/// Command-line options (see `usage`).
struct Options {
  var seed: UInt64 = 20_241_126
  var megabytes = 24
  var runs = 3
  var captionLines = 20_000
  var captionRounds = 5
  var lexiconTerms = 60_000
  var naiveBudget = 2.0
  var child: Child.Kind?
  var lexiconDirectory: String?
  var profile: String?
  var loadOnly = false
  var dump: String?
  var userPath: String?
  var keepScripts = false
  var peerExport: String?
  var peerCorpus: String?
  var peerDictionary: String?

  var bytes: Int { megabytes * 1_000_000 }

  static let usage = """
    usage: hegui-bench [--seed N] [--megabytes N] [--runs N] [--quick]

    Generates a corpus from the seed and measures tier 1 against its targets, printing a
    Markdown table. Build and run in release mode:

      swift run -c release --package-path Benchmarks hegui-bench

      --seed N        corpus and lexicon seed (default 20241126)
      --megabytes N   corpus size in MB of UTF-8 (default 24)
      --runs N        timed runs per throughput figure; the best counts (default 3)
      --quick         a 4 MB corpus and one run: a smoke test, not a measurement
      --profile W     run one workload, for a profiler: shipped, shipped-no-evasions, lexicon, captions, captions-no-evasions, lines, load, scaling, patterns
      --dump W        print every finding (shipped, lexicon) or the normalisation of every
                      character (fold), to compare two builds of the engine
      --user-path BIN `hegui lint` as a process (BIN: a release hegui) on scripts of 1, 8, 32 and
                      200 MB, every output format, 1,000 files, one long line, --stdin; with
                      --quick, sizes are a quarter (Benchmarks/user-path.sh builds and runs it)
      --keep-scripts  with --user-path, keep the generated scripts (for profiling) and say where
      --peer-export DIR
                      write the corpus as DIR/corpus.txt (one check per line) and DIR/contexts.txt,
                      for the peer benchmark (Benchmarks/peers.sh)
      --peer-hegui DIR
                      time Hegui on DIR/corpus.txt as the peers are timed (--runs rounds of CPU
                      time, one check per line) and print one JSON line
      --peer-dictionary FILE
                      with --peer-hegui: the shipped rules plus FILE's terms (one per line) as a
                      lexicon rule
    """

  static func parse(_ arguments: [String]) throws -> Options {
    var options = Options()
    var index = 1
    func value() throws -> String {
      index += 1
      guard index < arguments.count else { throw BenchError("\(arguments[index - 1]) needs a value") }
      return arguments[index]
    }
    func number(_ name: String) throws -> Int {
      let text = try value()
      guard let n = Int(text), n > 0 else { throw BenchError("\(name) needs a positive number, got '\(text)'") }
      return n
    }
    while index < arguments.count {
      switch arguments[index] {
      case "--seed":
        let text = try value()
        guard let seed = UInt64(text) else { throw BenchError("--seed needs a number, got '\(text)'") }
        options.seed = seed
      case "--megabytes": options.megabytes = try number("--megabytes")
      case "--runs": options.runs = try number("--runs")
      case "--quick":
        options.megabytes = 4
        options.runs = 1
        options.captionLines = 5_000
        options.captionRounds = 2
        options.naiveBudget = 0.5
      case "--child":
        let text = try value()
        guard let kind = Child.Kind(rawValue: text) else { throw BenchError("unknown child '\(text)'") }
        options.child = kind
      case "--lexicon-dir": options.lexiconDirectory = try value()
      case "--load-only": options.loadOnly = true
      case "--profile": options.profile = try value()
      case "--dump": options.dump = try value()
      case "--user-path": options.userPath = try value()
      case "--keep-scripts": options.keepScripts = true
      case "--peer-export": options.peerExport = try value()
      case "--peer-hegui": options.peerCorpus = try value()
      case "--peer-dictionary": options.peerDictionary = try value()
      case "-h", "--help":
        print(usage)
        exit(0)
      case let other:
        throw BenchError("unknown option '\(other)'\n\n\(usage)")
      }
      index += 1
    }
    return options
  }
}

func progress(_ message: String) {
  FileHandle.standardError.write(Data(("· " + message + "\n").utf8))
}

func runAll(_ options: Options) throws {
  let runStart = Measure.clock.now
  let loadAtStart = Measure.loadAverage()
  #if DEBUG
    progress("WARNING: a debug build; measure with -c release")
  #endif

  // Corpus.
  progress("generating a \(options.megabytes) MB corpus (seed \(options.seed))")
  var generator = CorpusGenerator(seed: options.seed)
  let items = generator.items(bytes: options.bytes)
  let stats = generator.stats
  var captionGenerator = CorpusGenerator(seed: options.seed &+ 1)
  let captionLines = (0..<options.captionLines).map { _ in captionGenerator.captionLine(characters: 40) }
  let blocks = Workloads.blocks(items)

  // Lexicon on disk.
  progress("generating a \(Format.count(options.lexiconTerms))-term lexicon")
  let lexiconTerms = Lexicon.terms(count: options.lexiconTerms, seed: options.seed)
  let lexiconDirectory = try Lexicon.writeRuleset(terms: lexiconTerms)
  defer { try? FileManager.default.removeItem(at: lexiconDirectory) }

  // Fresh processes: cold load and compile (the median of several), peak memory.
  progress("fresh processes: shipped rules (load, compile, check the corpus, peak RSS)")
  let shippedChild = try Child.spawn(.shipped, options: options, lexiconDirectory: nil)
  var shippedLoads = [shippedChild.loadMilliseconds + shippedChild.compileMilliseconds]
  for _ in 0..<4 {
    let run = try Child.spawn(.shipped, options: options, lexiconDirectory: nil, loadOnly: true)
    shippedLoads.append(run.loadMilliseconds + run.compileMilliseconds)
  }
  progress("fresh processes: shipped rules + lexicon")
  let lexiconChild = try Child.spawn(.lexicon, options: options, lexiconDirectory: lexiconDirectory)
  var lexiconLoads = [lexiconChild.loadMilliseconds + lexiconChild.compileMilliseconds]
  for _ in 0..<2 {
    let run = try Child.spawn(.lexicon, options: options, lexiconDirectory: lexiconDirectory, loadOnly: true)
    lexiconLoads.append(run.loadMilliseconds + run.compileMilliseconds)
  }
  shippedLoads.sort()
  lexiconLoads.sort()

  // Tier 1 with the shipped rules.
  let shipped = try Ruleset.shipped()
  let checker = Checker(ruleset: shipped)
  progress("tier 1, shipped rules (evasion matching on and off, runs interleaved)")
  let plainChecker = Checker(ruleset: shipped, matchesEvasions: false)
  let findings = Workloads.checkAll(checker, items)
  _ = Workloads.checkAll(plainChecker, items)
  var tier1 = Double.infinity
  var tier1CPU = 0.0
  // The evasion layer's cost is a ratio of CPU times (best of the interleaved runs each): on
  // this shared host, wall-clock pairs moved by a third from run to run.
  var bestCPU = Double.infinity
  var bestPlainCPU = Double.infinity
  for _ in 0..<options.runs {
    let plainStart = Measure.cpuSeconds()
    _ = Workloads.checkAll(plainChecker, items)
    bestPlainCPU = min(bestPlainCPU, Measure.cpuSeconds() - plainStart)
    let cpu = Measure.cpuSeconds()
    let seconds = Measure.time { _ = Workloads.checkAll(checker, items) }
    let used = Measure.cpuSeconds() - cpu
    bestCPU = min(bestCPU, used)
    if seconds < tier1 {
      tier1 = seconds
      tier1CPU = used
    }
  }

  progress("baseline: ICU word segmentation of the whole corpus")
  let boundaries = WordBoundaries()
  let boundaryCount = Baselines.segmentAll(boundaries, blocks)
  let icu = Measure.best(of: options.runs) { _ = Baselines.segmentAll(boundaries, blocks) }

  progress("baseline: PCRE2 JIT, every pattern rule one by one")
  let patterns = shipped.rules.filter { $0.kind == .pattern }.flatMap(\.patterns)
  let patternRuleCount = shipped.rules.filter { $0.kind == .pattern }.count
  let patternMatches = Baselines.patternsOneByOne(patterns, blocks)
  let pcre = Measure.best(of: options.runs) { _ = Baselines.patternsOneByOne(patterns, blocks) }

  progress("two concurrent checks")
  var two = Double.infinity
  var twoCPU = 0.0
  var twoFindings = 0
  for _ in 0..<options.runs {
    let cpu = Measure.cpuSeconds()
    let run = Workloads.concurrentCheck(checker, items, threads: 2)
    if run.seconds < two {
      two = run.seconds
      twoCPU = Measure.cpuSeconds() - cpu
    }
    twoFindings = run.findings
  }
  guard twoFindings == findings else {
    throw BenchError("concurrent checks found \(twoFindings), one found \(findings)")
  }

  progress("caption lines: per-line latency")
  let captionContext = CheckContext(.caption)
  let latency = Workloads.latencies(
    checker, lines: captionLines, context: captionContext, rounds: options.captionRounds)
  let sortedLatency = latency.samples.sorted()
  let p50 = Measure.percentile(sortedLatency, 0.50)
  let p99 = Measure.percentile(sortedLatency, 0.99)
  let p999 = Measure.percentile(sortedLatency, 0.999)
  let captionsWithFindings = captionLines.filter { !checker.check($0, context: captionContext).findings.isEmpty }.count

  // Tier 1 with the lexicon.
  progress("tier 1, shipped rules + lexicon")
  let withLexicon = try Ruleset.load(directories: [lexiconDirectory], includingShipped: true)
  let lexiconChecker = Checker(ruleset: withLexicon)
  let lexiconFindings = Workloads.checkAll(lexiconChecker, items)
  let tier1Lexicon = Measure.best(of: options.runs) { _ = Workloads.checkAll(lexiconChecker, items) }

  progress("baseline: naive String.contains over every lexicon term (\(options.naiveBudget) s sample)")
  let allTerms = withLexicon.rules.filter { $0.kind == .lexicon }.flatMap(\.terms)
  let naive = NaiveContains.run(terms: allTerms, items: items, budget: options.naiveBudget)

  // Report.
  let bytes = stats.bytes
  let icuRate = Double(bytes) / icu
  var report = Report()
  let tier1Ratio = (Double(bytes) / tier1) / icuRate
  report.target(
    "Tier 1, shipped rules", Format.mbps(bytes, tier1), baseline: "ICU segmentation \(Format.mbps(bytes, icu))",
    ratio: Format.ratio(tier1Ratio), target: "≥ 5×", passed: tier1Ratio >= 5)
  let evasionCost = bestCPU / bestPlainCPU
  report.target(
    "Tier 1, shipped rules: evasion matching on (CPU time) vs off", Format.mbps(bytes, bestCPU),
    baseline: "off \(Format.mbps(bytes, bestPlainCPU))", ratio: Format.ratio(evasionCost), target: "≤ 1.2×",
    passed: evasionCost <= 1.2)
  let lexiconRatio = (Double(bytes) / tier1Lexicon) / icuRate
  report.target(
    "Tier 1, shipped + \(Format.count(options.lexiconTerms))-term lexicon", Format.mbps(bytes, tier1Lexicon),
    baseline: "ICU segmentation \(Format.mbps(bytes, icu))", ratio: Format.ratio(lexiconRatio), target: "≥ 3×",
    passed: lexiconRatio >= 3)
  report.target(
    "Peak RSS, shipped + lexicon (new process)", Format.megabytes(kilobytes: lexiconChild.peakKilobytes),
    baseline: "process at start \(Format.megabytes(kilobytes: lexiconChild.startKilobytes))", target: "≤ 100 MB",
    passed: Double(lexiconChild.peakKilobytes) * 1024 <= 100e6)
  let twoRatio = tier1 / two
  report.target(
    "Two concurrent checks (2 threads, one Checker)", Format.mbps(bytes, two),
    baseline: "one thread \(Format.mbps(bytes, tier1))", ratio: Format.ratio(twoRatio), target: "≥ 1.7×",
    passed: twoRatio >= 1.7)
  report.info(
    "Two concurrent checks: CPU time used", String(format: "%.3f s", twoCPU),
    baseline: String(format: "one thread %.3f s", tier1CPU), ratio: Format.ratio(twoCPU / tier1CPU))
  report.info("Caption line (40 chars), p50", Format.us(p50))
  report.target("Caption line (40 chars), p99", Format.us(p99), target: "≤ 20 µs", passed: p99 <= 20)
  report.info("Caption line (40 chars), p99.9", Format.us(p999))
  let shippedCold = shippedLoads[shippedLoads.count / 2]
  report.target(
    "Load + compile, shipped rules (new process, median of \(shippedLoads.count))", Format.ms(shippedCold),
    baseline: "range \(Format.ms(shippedLoads[0]))–\(Format.ms(shippedLoads[shippedLoads.count - 1]))",
    target: "≤ 50 ms", passed: shippedCold <= 50)
  if let warm = shippedChild.warmMilliseconds {
    report.info("Load + compile, shipped rules (warm, median)", Format.ms(warm))
  }
  let lexiconCold = lexiconLoads[lexiconLoads.count / 2]
  report.target(
    "Load + compile, shipped + lexicon (new process, median of \(lexiconLoads.count))", Format.ms(lexiconCold),
    baseline:
      "load \(Format.ms(lexiconChild.loadMilliseconds)) + compile \(Format.ms(lexiconChild.compileMilliseconds))",
    target: "≤ 1000 ms", passed: lexiconCold <= 1000)
  report.info("Peak RSS, shipped rules (new process)", Format.megabytes(kilobytes: shippedChild.peakKilobytes))
  report.info("Baseline: ICU word segmentation (64 KB blocks)", Format.mbps(bytes, icu))
  report.info(
    "Baseline: PCRE2 JIT, \(patterns.count) patterns of \(patternRuleCount) pattern rules one by one",
    Format.mbps(bytes, pcre), baseline: "tier 1 does all rules", ratio: Format.ratio(pcre / tier1))
  report.info(
    "Baseline: String.contains × \(Format.count(allTerms.count)) terms", Format.mbps(naive.bytes, naive.seconds),
    baseline: "tier 1 + lexicon",
    ratio: Format.ratio((Double(bytes) / tier1Lexicon) / (Double(naive.bytes) / naive.seconds)))

  let total = Measure.seconds(Measure.clock.now - runStart)
  let byContext = TextContext.allCases.compactMap { context in
    stats.bytesByContext[context].map { "\(context.rawValue) \(Int((Double($0) * 100 / Double(bytes)).rounded()))%" }
  }.joined(separator: ", ")
  print(
    """
    # hegui-bench

    Machine: \(Measure.machine()); load average \(loadAtStart) at start, \(Measure.loadAverage()) at end
    Corpus: seed \(options.seed), \(String(format: "%.1f", Double(bytes) / 1e6)) MB in \(Format.count(stats.items)) items \
    (bytes: \(byContext)), \(Format.count(stats.lines)) lines: \(stats.percent(stats.violationLines)) with violations, \
    \(stats.percent(stats.traditionalLines)) Traditional, \(stats.percent(stats.evasionLines)) full-width/emoji/noise
    Findings: \(Format.count(findings)) with the shipped rules, \(Format.count(lexiconFindings)) with the lexicon; \
    \(captionsWithFindings) of \(Format.count(captionLines.count)) caption lines have findings
    Lexicon: \(Format.count(lexiconChild.terms)) terms in all; baselines found \(Format.count(boundaryCount)) word boundaries, \
    \(Format.count(patternMatches)) pattern matches; String.contains sample \(Format.count(naive.bytes)) bytes \
    in \(String(format: "%.1f", naive.seconds)) s, \(naive.hits) hits
    Throughput: MB = 10^6 bytes of UTF-8 input, best of \(options.runs) runs; latency over \
    \(Format.count(latency.samples.count)) checks (\(options.captionRounds) rounds after a warm-up)

    \(report.markdown())

    \(report.failures == 0 ? "All targets met." : "\(report.failures) target(s) missed.") \
    Run took \(String(format: "%.0f", total)) s.
    """)
}

do {
  let options = try Options.parse(CommandLine.arguments)
  if let child = options.child {
    let report = try Child.run(child, options: options)
    let data = try JSONEncoder().encode(report)
    FileHandle.standardOutput.write(data)
  } else if let directory = options.peerExport {
    try Peers.export(to: directory, options: options)
  } else if let directory = options.peerCorpus {
    try Peers.run(corpus: directory, dictionary: options.peerDictionary, options: options)
  } else if let workload = options.dump {
    try Dump.run(workload, options: options)
  } else if let binary = options.userPath {
    try UserPath.run(binary: binary, options: options)
  } else if let workload = options.profile {
    try Profile.run(workload, options: options)
  } else {
    try runAll(options)
  }
} catch {
  FileHandle.standardError.write(Data("hegui-bench: \(error)\n".utf8))
  exit(2)
}
