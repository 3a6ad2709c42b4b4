import Foundation
import Hegui

/// Hegui's side of the peer benchmark (`Benchmarks/peers.sh`): the corpus written for every
/// contender, and Hegui timed the way the peers are (`Benchmarks/peers/peer.py`): one check per
/// line, CPU time of the timed loop only, one JSON line out.
enum Peers {
  /// `--peer-export DIR`: the throughput corpus of the seed as `corpus.txt`, one check per line
  /// (a script's lines are separate checks, as a caption stream's are), and `contexts.txt`, the
  /// context of each line (Hegui checks a title as a title; the peers have no contexts).
  static func export(to directory: String, options: Options) throws {
    var generator = CorpusGenerator(seed: options.seed)
    var lines: [Substring] = []
    var contexts: [String] = []
    for item in generator.items(bytes: options.bytes) {
      for line in item.text.split(separator: "\n", omittingEmptySubsequences: false) {
        lines.append(line)
        contexts.append(item.context.context.rawValue)
      }
    }
    let folder = URL(fileURLWithPath: directory)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try Data(lines.joined(separator: "\n").utf8).write(to: folder.appendingPathComponent("corpus.txt"))
    try Data(contexts.joined(separator: "\n").utf8).write(to: folder.appendingPathComponent("contexts.txt"))
    progress("wrote \(lines.count) lines to \(folder.path)/corpus.txt")
  }

  /// The result line, in the peers' format.
  struct Result: Encodable {
    var contender: String
    var version: String
    var rounds: [Double]
    var bytes: Int
    var lines: Int
    var hits: Int
    var buildSeconds: Double
    var maxrssKB: Int
    var captionP50: Double
    var captionP99: Double

    enum CodingKeys: String, CodingKey {
      case contender, version, rounds, bytes, lines, hits
      case buildSeconds = "build_seconds"
      case maxrssKB = "maxrss_kb"
      case captionP50 = "caption_p50_us"
      case captionP99 = "caption_p99_us"
    }
  }

  /// `--peer-hegui CORPUS_DIR [--peer-dictionary FILE]`: builds a checker (the shipped rules,
  /// plus the dictionary as one lexicon rule when given), then checks every line of the exported
  /// corpus `runs` times, timing each round's CPU time; and a caption line's latency with the
  /// same checker.
  static func run(corpus directory: String, dictionary: String?, options: Options) throws {
    let folder = URL(fileURLWithPath: directory)
    let text = try String(contentsOf: folder.appendingPathComponent("corpus.txt"), encoding: .utf8)
    let contextNames = try String(contentsOf: folder.appendingPathComponent("contexts.txt"), encoding: .utf8)
      .split(separator: "\n", omittingEmptySubsequences: false)
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    guard lines.count == contextNames.count else {
      throw BenchError("\(directory): corpus.txt has \(lines.count) lines, contexts.txt \(contextNames.count)")
    }
    var known: [Substring: CheckContext] = [:]
    for context in TextContext.allCases { known[Substring(context.rawValue)] = CheckContext(context) }
    let contexts = try contextNames.map { name in
      guard let context = known[name] else { throw BenchError("\(directory): unknown context '\(name)'") }
      return context
    }

    let buildStart = Measure.cpuSeconds()
    let checker: Checker
    if let dictionary {
      let terms = try String(contentsOfFile: dictionary, encoding: .utf8)
        .split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty }
      guard !terms.isEmpty else { throw BenchError("\(dictionary): no terms") }
      let url = try Lexicon.writeRuleset(terms: terms)
      defer { try? FileManager.default.removeItem(at: url) }
      checker = Checker(ruleset: try Ruleset.load(directories: [url], includingShipped: true))
    } else {
      checker = Checker(ruleset: try Ruleset.shipped())
    }
    let build = Measure.cpuSeconds() - buildStart

    var rounds: [Double] = []
    var hits = 0
    for _ in 0..<options.runs {
      hits = 0
      let start = Measure.cpuSeconds()
      for (line, context) in zip(lines, contexts) {
        hits &+= checker.check(line, context: context).findings.count
      }
      rounds.append(Measure.cpuSeconds() - start)
    }

    var captions = CorpusGenerator(seed: options.seed &+ 1)
    let captionLines = (0..<options.captionLines).map { _ in captions.captionLine(characters: 40) }
    let latency = Workloads.latencies(
      checker, lines: captionLines, context: CheckContext(.caption), rounds: options.captionRounds)
    let sorted = latency.samples.sorted()

    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let result = Result(
      contender: dictionary == nil ? "hegui-shipped" : "hegui", version: "hegui-bench", rounds: rounds,
      bytes: lines.reduce(0) { $0 + $1.utf8.count } + max(0, lines.count - 1), lines: lines.count, hits: hits,
      buildSeconds: build, maxrssKB: Int(usage.ru_maxrss),
      captionP50: Measure.percentile(sorted, 0.5), captionP99: Measure.percentile(sorted, 0.99))
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    FileHandle.standardOutput.write(try encoder.encode(result) + Data("\n".utf8))
  }
}
