import Foundation
@_spi(Internals) import Hegui

/// One workload, run once, for `valgrind --tool=callgrind` or `perf record`; `scaling` prints one
/// and two threads (and two separate checkers) with the CPU time each used.
enum Profile {
  /// The shipped rules, plus the generated lexicon for the `lexicon` workload. The lexicon's
  /// temporary ruleset folder is removed once loaded: the ruleset is held in memory.
  static func checker(for workload: String, options: Options) throws -> Checker {
    guard workload == "lexicon" else { return Checker(ruleset: try Ruleset.shipped()) }
    let url = try Lexicon.writeRuleset(terms: Lexicon.terms(count: options.lexiconTerms, seed: options.seed))
    defer { try? FileManager.default.removeItem(at: url) }
    return Checker(ruleset: try Ruleset.load(directories: [url], includingShipped: true))
  }

  static func run(_ workload: String, options: Options) throws {
    var generator = CorpusGenerator(seed: options.seed)
    switch workload {
    case "shipped", "lexicon", "shipped-no-evasions":
      let items = generator.items(bytes: options.bytes)
      let checker =
        workload == "shipped-no-evasions"
        ? Checker(ruleset: try Ruleset.shipped(), matchesEvasions: false)
        : try Profile.checker(for: workload, options: options)
      let seconds = Measure.time { print("findings:", Workloads.checkAll(checker, items)) }
      print(Format.mbps(generator.stats.bytes, seconds))
    case "load":
      let seconds = try Measure.time { _ = Checker(ruleset: try Ruleset.shipped()) }
      print(Format.ms(seconds * 1000))
    case "scaling":
      try Scaling.run(options: options)
    case "captions", "captions-no-evasions":
      let lines = (0..<options.captionLines).map { _ in generator.captionLine(characters: 40) }
      var checker = Checker(ruleset: try Ruleset.shipped(), matchesEvasions: workload == "captions")
      if let path = options.peerDictionary {
        // With --peer-dictionary FILE: the shipped rules and FILE's terms (the peer benchmark's).
        let terms = try String(contentsOfFile: path, encoding: .utf8).split(whereSeparator: \.isNewline).map(
          String.init)
        let url = try Lexicon.writeRuleset(terms: terms)
        defer { try? FileManager.default.removeItem(at: url) }
        checker = Checker(
          ruleset: try Ruleset.load(directories: [url], includingShipped: true), matchesEvasions: workload == "captions"
        )
      }
      let result = Workloads.latencies(
        checker, lines: lines, context: CheckContext(.caption), rounds: options.captionRounds)
      let sorted = result.samples.sorted()
      print("p50", Measure.percentile(sorted, 0.5), "p99", Measure.percentile(sorted, 0.99))
      // The lines that are slow in every round (the median of their rounds), slowest first.
      var perLine = [[Double]](repeating: [], count: lines.count)
      for (k, sample) in result.samples.enumerated() { perLine[k % lines.count].append(sample) }
      let medians = perLine.enumerated().map { ($0.offset, $0.element.sorted()[$0.element.count / 2]) }
      for (k, median) in medians.sorted(by: { $0.1 > $1.1 }).prefix(8) {
        print(String(format: "%7.1f µs  ", median) + lines[k])
      }
    case "lines":
      // Each line of standard input as a caption, with evasion matching on and off: the median
      // of 2,000 checks each (where a slow caption line spends its time).
      var lines: [String] = []
      while let line = readLine() { lines.append(line) }
      let on = Checker(ruleset: try Ruleset.shipped())
      let off = Checker(ruleset: try Ruleset.shipped(), matchesEvasions: false)
      for line in lines {
        let medians = [on, off].map { checker in
          Workloads.latencies(
            checker, lines: [String](repeating: line, count: 2_000), context: CheckContext(.caption), rounds: 1
          )
          .samples.sorted()[1_000]
        }
        print(String(format: "%7.1f %7.1f µs  ", medians[0], medians[1]) + line)
      }
    case "patterns":
      // Each pattern of the shipped rules alone over the corpus (whole blocks, no anchors, no
      // gates: the worst case the checker avoids), slowest first: where to look when a rule
      // makes checking slower.
      let items = generator.items(bytes: options.bytes)
      let blocks = Workloads.blocks(items)
      var rows: [(seconds: Double, rule: String, index: Int)] = []
      for rule in try Ruleset.shipped().rules where rule.kind == .pattern {
        for (index, pattern) in rule.patterns.enumerated() {
          rows.append((Measure.time { _ = Baselines.patternsOneByOne([pattern], blocks) }, rule.id, index))
        }
      }
      for row in rows.sorted(by: { $0.seconds > $1.seconds }).prefix(25) {
        print(String(format: "%8.1f ms  %@ #%d", row.seconds * 1000, row.rule, row.index + 1))
      }
    default:
      throw BenchError(
        "unknown workload '\(workload)' (shipped, shipped-no-evasions, lexicon, captions, captions-no-evasions, lines, load, scaling, patterns)"
      )
    }
  }
}

/// Every finding and diagnostic of every item, one per line: two builds of the engine must
/// print the same (`--dump shipped` / `--dump lexicon`, then `diff`).
enum Dump {
  static func run(_ workload: String, options: Options) throws {
    if workload == "fold" {
      // Every BMP scalar (surrogates aside) and the astral planes' first 4,096 of each, each alone
      // and between two Han characters (the noise collapse), normalised.
      let normalizer = Normalizer()
      var out = ""
      var values = Array(0..<0xD800) + Array(0xE000..<0x10000)
      for plane in 1...16 { values += Array((plane << 16)..<((plane << 16) + 0x1000)) }
      for value in values {
        guard let scalar = Unicode.Scalar(UInt32(value)) else { continue }
        let alone = normalizer.normalize(String(scalar))
        let between = normalizer.normalize("最" + String(scalar) + "好")
        out += "\(value)\t\(alone.string.unicodeScalars.map { String($0.value, radix: 16) })\t\(between.string)\t"
        out += "\(between.originalRange(of: 0..<between.bytes.count))\n"
        if out.utf8.count > 1 << 20 {
          FileHandle.standardOutput.write(Data(out.utf8))
          out = ""
        }
      }
      FileHandle.standardOutput.write(Data(out.utf8))
      return
    }
    var generator = CorpusGenerator(seed: options.seed)
    let items = generator.items(bytes: options.bytes)
    var captions = CorpusGenerator(seed: options.seed &+ 1)
    let lines = (0..<options.captionLines).map { _ in
      CorpusItem(text: captions.captionLine(characters: 40), context: CheckContext(.caption))
    }
    let checker = try Profile.checker(for: workload, options: options)
    // The same texts again as whole documents, so that multi-line and chunked paths are covered.
    var documents: [CorpusItem] = []
    var current = ""
    for item in items.prefix(20_000) {
      current += item.text + "\n"
      if current.utf8.count > 200_000 {
        documents.append(CorpusItem(text: current, context: CheckContext(.description, category: "food")))
        current = ""
      }
    }
    var out = ""
    for (index, item) in (items + lines + documents).enumerated() {
      let result = checker.check(item.text, context: item.context)
      for f in result.findings {
        let span =
          f.span.map {
            "\($0.utf8) \($0.utf16) \($0.line):\($0.column)-\($0.endLine):\($0.endColumn) \($0.range == (item.text.utf8.index(item.text.startIndex, offsetBy: $0.utf8.lowerBound)..<item.text.utf8.index(item.text.startIndex, offsetBy: $0.utf8.upperBound)))"
          } ?? "-"
        out +=
          "\(index)\t\(f.ruleID)\t\(f.severity)\t\(span)\t\(f.match)\t\(f.message)\t\(f.note ?? "-")\t\(f.field ?? "-")\t\(f.suggestions)\t\(f.basis)\t\(f.isSuppressible)\n"
      }
      for d in result.diagnostics { out += "\(index)\tdiagnostic\t\(d)\n" }
      if out.utf8.count > 1 << 20 {
        FileHandle.standardOutput.write(Data(out.utf8))
        out = ""
      }
    }
    FileHandle.standardOutput.write(Data(out.utf8))
  }
}

/// One and two threads over the same items, repeatedly: the scaling figure alone.
enum Scaling {
  static func run(options: Options) throws {
    var generator = CorpusGenerator(seed: options.seed)
    let items = generator.items(bytes: options.bytes)
    let checker = Checker(ruleset: try Ruleset.shipped())
    _ = Workloads.checkAll(checker, items)
    for _ in 0..<options.runs {
      let cpu0 = Measure.cpuSeconds()
      let one = Measure.time { _ = Workloads.checkAll(checker, items) }
      let cpu1 = Measure.cpuSeconds()
      let two = Workloads.concurrentCheck(checker, items, threads: 2).seconds
      let cpu2 = Measure.cpuSeconds()
      print(
        Format.mbps(generator.stats.bytes, one), Format.mbps(generator.stats.bytes, two), Format.ratio(one / two),
        "cpu one \(cpu1 - cpu0) two \(cpu2 - cpu1)")
      let separate = [checker, Checker(ruleset: try Ruleset.shipped())]
      let cpu3 = Measure.cpuSeconds()
      let apart = Workloads.concurrentCheck(separate, items).seconds
      let cpu4 = Measure.cpuSeconds()
      print("  separate checkers:", Format.mbps(generator.stats.bytes, apart), "cpu \(cpu4 - cpu3)")
    }
  }
}
