import ArgumentParser
import Foundation
import Hegui
import HeguiTesting

struct RulesCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rules",
    abstract: "List, explain and regression-test rules.",
    subcommands: [RulesTestCommand.self, RulesEvalCommand.self, RulesListCommand.self, RulesShowCommand.self])
}

/// Where rules come from for the `rules` subcommands: the given directories on top of the
/// shipped rules; without directories, `./Rulesets` when it exists, else the shipped rules.
struct RuleSource: ParsableArguments {
  @Argument(help: "Ruleset directories (default: ./Rulesets if present, else the shipped rules).")
  var directories: [String] = []

  func load() throws -> (ruleset: Ruleset, directories: [String]) {
    var dirs = directories
    if dirs.isEmpty && FileManager.default.fileExists(atPath: "Rulesets") { dirs = ["Rulesets"] }
    return (try loadRuleset(directories: dirs), dirs)
  }

  /// Whether a rule was loaded from one of the directories (or all rules, without directories).
  static func rule(_ rule: Rule, isFrom directories: [String], in ruleset: Ruleset) -> Bool {
    if directories.isEmpty { return true }
    let roots = directories.map { URL(fileURLWithPath: $0).standardizedFileURL.resolvingSymlinksInPath().path }
    return roots.contains { rule.location.path.hasPrefix($0 + "/") }
  }
}

enum RuleEvalFormat: String, ExpressibleByArgument, CaseIterable {
  case text, json
}

struct RulesEvalCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eval",
    abstract: "Measure rules on labelled real text: recall, precision, false blocks, misses.",
    discussion: paragraphs(
      """
      Each FILE is JSON Lines, one labelled text a line (the format is in Rulesets/README.md). \
      Every text is checked in its context and category; a labelled phrase is caught when a block \
      or review finding overlaps it; a finding on no labelled phrase is a false alarm; a clean text \
      with a block finding is a false block.

      With --floors FILE, each corpus the floors file names is evaluated on its own and compared \
      with its floors (recall overall and per context, clean texts blocked and sent to review); \
      FILE arguments are then optional. `make test` runs the shipped rules this way on \
      Rulesets/corpus/real/floors.yml.

      Exit codes: 0 thresholds met (or none given); 1 a threshold missed; 2 unreadable corpus, \
      floors file or ruleset.
      """))

  @Argument(help: "Labelled corpus files (JSON Lines).")
  var files: [String] = []

  @Option(help: ArgumentHelp("Ruleset directories added to the shipped rules (repeatable).", valueName: "dir"))
  var rulesets: [String] = []

  @Option(help: "Output format: text or json.")
  var format: RuleEvalFormat = .text

  @Option(help: ArgumentHelp("Fail (exit 1) when overall recall is below this (0–1).", valueName: "ratio"))
  var minRecall: Double?

  @Option(
    help: ArgumentHelp("Fail (exit 1) when more than this share of clean texts is blocked (0–1).", valueName: "ratio"))
  var maxFalseBlock: Double?

  @Option(
    help: ArgumentHelp(
      "Fail (exit 1) when more than this share of clean texts is sent to review (0–1).", valueName: "ratio"))
  var maxReview: Double?

  @Option(
    help: ArgumentHelp(
      "A floors file (YAML) naming corpora and the worst figures allowed on each.", valueName: "file"))
  var floors: String?

  @Flag(help: "With --floors, print only the gate lines, not each corpus's report.")
  var summary = false

  @Flag(
    name: .customLong("no-evasions"),
    help: "Turn off matching terms written in pinyin, with homophones or look-alikes (to measure what it adds).")
  var noEvasions = false

  func validate() throws {
    if files.isEmpty && floors == nil { throw ValidationError("give at least one labelled corpus file, or --floors") }
    for value in [minRecall, maxFalseBlock, maxReview].compactMap({ $0 }) where !(0...1).contains(value) {
      throw ValidationError("thresholds are ratios from 0 to 1")
    }
  }

  func run() async throws {
    let ruleset = try loadRuleset(directories: rulesets)
    let checker = Checker(ruleset: ruleset, matchesEvasions: !noEvasions)
    var failed = false
    if !files.isEmpty {
      let corpus = try Self.corpus(files.map { URL(fileURLWithPath: $0) })
      let evaluation = RuleEvaluation(checker: checker, corpus: corpus)
      FileHandle.standardOutput.write(Data((format == .json ? evaluation.json() : evaluation.text()).utf8))
      let bounds = EvaluationFloors.Corpus(
        file: URL(fileURLWithPath: files[0]), minRecall: minRecall, maxFalseBlock: maxFalseBlock, maxReview: maxReview)
      for check in EvaluationFloors.checks(evaluation, against: bounds) where !check.passed {
        printError(Self.describe(check, option: true))
        failed = true
      }
    }
    if let floors {
      let gate: EvaluationFloors
      do {
        gate = try EvaluationFloors.load(URL(fileURLWithPath: floors))
      } catch {
        printError(errorWord + describeError(error))
        throw ExitCode(Exit.inputError)
      }
      for corpusFloors in gate.corpora {
        let evaluation = RuleEvaluation(checker: checker, corpus: try Self.corpus([corpusFloors.file]))
        let name = corpusFloors.file.lastPathComponent
        if !summary {
          let report = format == .json ? evaluation.json() : "== \(name)\n" + evaluation.text() + "\n"
          FileHandle.standardOutput.write(Data(report.utf8))
        }
        for check in EvaluationFloors.checks(evaluation, against: corpusFloors) {
          let line = "\(name): " + Self.describe(check, option: false)
          if check.passed {
            if format == .text { print(line) }
          } else {
            printError(line)
            failed = true
          }
        }
      }
    }
    if failed { throw ExitCode(Exit.findings) }
  }

  private static func corpus(_ urls: [URL]) throws -> LabelledCorpus {
    do {
      return try LabelledCorpus.load(urls)
    } catch {
      printError(errorWord + describeError(error))
      throw ExitCode(Exit.inputError)
    }
  }

  private static func describe(_ check: EvaluationFloors.Check, option: Bool) -> String {
    func figure(_ value: Double) -> String { String(format: "%.3f", value) }
    let relation = check.isMinimum ? (check.passed ? "≥" : "is below") : (check.passed ? "≤" : "is above")
    var bound = figure(check.bound)
    if option {
      let flag =
        check.isMinimum ? "--min-recall" : check.measure == "clean texts blocked" ? "--max-false-block" : "--max-review"
      bound = "\(flag) \(bound)"
    } else if !check.passed {
      bound += " (floor)"
    }
    return "\(check.measure) \(figure(check.value)) \(relation) \(bound)"
  }
}

enum RuleTestFormat: String, ExpressibleByArgument, CaseIterable {
  case text, json, junit
}

struct RulesTestCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "test",
    abstract: "Run every rule's examples, their automatic variants, case files and corpus files.",
    discussion: paragraphs(
      """
      Ends with the line "N passed, M failed" (", K skipped" when variants could not be built).
      Exit codes: 0 all pass; 1 a case or gate fails; 2 a ruleset cannot be loaded.
      """))

  @OptionGroup var source: RuleSource

  @Option(
    help: ArgumentHelp("Only this rule id or family (repeatable).", valueName: "id"), completion: Completions.ruleIDs)
  var rule: [String] = []

  @Option(help: "Output format: text, json or junit.")
  var format: RuleTestFormat = .text

  @Flag(help: "Rewrite corpus expectations (*.expect.json) from the current findings, after review.")
  var update = false

  func run() async throws {
    let (ruleset, directories) = try source.load()
    var runner = RuleTestRunner(ruleset: ruleset)
    runner.timeBudget = .milliseconds(250)
    let selected = ruleset.rules.filter {
      RuleSource.rule($0, isFrom: directories, in: ruleset) && RuleTestRunner.rule($0, matches: rule)
    }
    for selector in rule where !ruleset.rules.contains(where: { RuleTestRunner.rule($0, matches: [selector]) }) {
      let near = YAMLReader.nearest(selector, in: ruleset.rules.map(\.id)).map { " (did you mean '\($0)'?)" } ?? ""
      printError("\(errorWord)unknown rule id '\(selector)'\(near)")
      throw ExitCode(Exit.inputError)
    }
    let ids = selected.map(\.id)
    let built = ids.isEmpty ? (cases: [], skipped: []) : runner.cases(rules: ids)
    let results = built.cases.map(runner.run)
    let gates = ids.isEmpty ? [] : runner.gates(rules: ids)
    var corpusResults: [(CorpusCase, CorpusCase.Outcome)] = []
    if rule.isEmpty {
      let checker = Checker(ruleset: ruleset)
      for directory in directories {
        for corpus in CorpusCase.find(in: URL(fileURLWithPath: directory)) {
          corpusResults.append((corpus, corpus.run(with: checker, update: update)))
        }
      }
    }
    let report = RuleTestReport(results: results, skipped: built.skipped, gates: gates, corpus: corpusResults)
    print(report.render(format), terminator: "")
    if report.failed > 0 { throw ExitCode(Exit.findings) }
  }
}

struct RulesListCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "list", abstract: "List rules: id, kind, severity, pack, examples.")

  @OptionGroup var source: RuleSource

  func run() async throws {
    let (ruleset, _) = try source.load()
    let rows = ruleset.rules.map {
      [$0.id, $0.kind.rawValue, $0.severity.rawValue, $0.pack, "\($0.triggerExamples.count)+\($0.passExamples.count)"]
    }
    let header = ["ID", "KIND", "SEVERITY", "PACK", "EXAMPLES"]
    let widths = (0..<header.count).map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
    for row in [header] + rows {
      print(
        row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  "))
    }
    print("\(ruleset.rules.count) rules in \(ruleset.packs.count) packs; \(ruleset.categories.count) categories")
  }
}

struct RulesShowCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "show", abstract: "Explain a rule: message, basis, suggestions, examples.")

  @Argument(help: "Rule id or alias.", completion: Completions.ruleIDs)
  var id: String

  @Option(help: ArgumentHelp("Ruleset directory (repeatable).", valueName: "dir"))
  var rulesets: [String] = []

  func run() async throws {
    let ruleset = try loadRuleset(directories: rulesets)
    guard let rule = ruleset.rule(withID: id) else {
      let ids = ruleset.rules.map(\.id)
      var near = Array(ids.filter { $0.hasPrefix(id) || id.hasPrefix($0) }.prefix(5))
      // A typo (adlaw.absolute.lowst): the nearest id by edit distance.
      if near.isEmpty, let nearest = Self.nearestRuleID(to: id, in: ids) { near = [nearest] }
      let hint =
        near.count == 1
        ? " (did you mean '\(near[0])'?)" : near.isEmpty ? "" : "; similar: \(near.joined(separator: ", "))"
      printError("\(errorWord)unknown rule id '\(id)'\(hint)")
      throw ExitCode(Exit.inputError)
    }
    try show(rule, in: ruleset)
  }

  /// The id nearest to a mistyped one: by edit distance over the whole id, or over its last
  /// part against the start of a rule's last part in the same family (adlaw.absolute.lowst →
  /// adlaw.absolute.lowest-price).
  static func nearestRuleID(to typed: String, in ids: [String]) -> String? {
    let parts = typed.split(separator: ".")
    let family = parts.dropLast().joined(separator: ".")
    let last = Array(parts.last ?? "")
    var best: (String, Int)?
    for id in ids {
      var d = YAMLReader.editDistance(Array(typed), Array(id))
      let idParts = id.split(separator: ".")
      if idParts.dropLast().joined(separator: ".") == family, let idLast = idParts.last {
        d = min(d, YAMLReader.editDistance(last, Array(idLast.prefix(last.count + 1))))
      }
      if d <= max(2, typed.count / 3), best.map({ d < $0.1 }) ?? true { best = (id, d) }
    }
    return best?.0
  }

  private func show(_ rule: Rule, in ruleset: Ruleset) throws {
    var out = "\(rule.id)  (\(rule.kind.rawValue), \(rule.severity.rawValue), pack \(rule.pack))\n"
    out += "  defined at: \(rule.location)\n"
    if !rule.aliases.isEmpty { out += "  aliases: \(rule.aliases.joined(separator: ", "))\n" }
    out += "  message: \(rule.message)\n"
    if let english = rule.messageEnglish { out += "  message (en): \(english)\n" }
    out +=
      "  basis: \(rule.basis.isEmpty ? "(none)" : rule.basis.joined(separator: "；"))\(rule.policy == .platform ? " (platform policy)" : "")\n"
    if !rule.suggestions.isEmpty { out += "  suggestions: \(rule.suggestions.joined(separator: " / "))\n" }
    if !rule.rawTerms.isEmpty { out += "  terms: \(rule.rawTerms.joined(separator: "、"))\n" }
    if !rule.patterns.isEmpty { out += "  patterns: \(rule.patterns.map(\.source).joined(separator: "  "))\n" }
    if rule.requiresWordBoundary { out += "  boundary: word\n" }
    let a = rule.applicability
    if !a.contexts.isEmpty { out += "  contexts: \(a.contexts.map(\.rawValue).sorted().joined(separator: ", "))\n" }
    if !a.shopSubjects.isEmpty {
      out += "  shop subjects: \(a.shopSubjects.map(\.rawValue).sorted().joined(separator: ", "))\n"
    }
    if !a.categories.isEmpty { out += "  categories: \(a.categories.sorted().joined(separator: ", "))\n" }
    if !a.excludedCategories.isEmpty { out += "  not for: \(a.excludedCategories.sorted().joined(separator: ", "))\n" }
    for exception in rule.exceptions { out += "  exception (\(exception.action.rawValue)): \(exception.source)\n" }
    if !rule.isSuppressible { out += "  cannot be suppressed inline\n" }
    out += "  triggers:\n"
    for example in rule.triggerExamples {
      out += "    \(example.marked)\(example.severity.map { "  → \($0.rawValue)" } ?? "")\n"
    }
    out += "  passes:\n"
    for example in rule.passExamples { out += "    \(example.marked)\n" }
    print(out, terminator: "")
  }
}
