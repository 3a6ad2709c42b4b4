import ArgumentParser
import Foundation
import Hegui
import HeguiLint

extension LintCommand {
  /// `hegui lint --print-config FILE`: the configuration that applies to one file and where each
  /// setting comes from (the file's front matter, a command-line option, a glob or key of the
  /// configuration, or the default).
  func printConfiguration(for path: String, setups: inout LintSetups, workingDirectory cwd: URL) throws {
    let url = URL(fileURLWithPath: path, relativeTo: cwd).standardizedFileURL
    let setup: LintSetup
    let search = setups.resolver.search(from: url.deletingLastPathComponent())
    do {
      setup = try setups.setup(forFile: url)
    } catch {
      printError(errorWord + describeError(error))
      throw ExitCode(Exit.inputError)
    }
    let configuration = setup.configuration
    let splitter = setup.linter.options.splitter
    var lines: [String] = []
    func add(_ key: String, _ value: String) { lines.append("\(key): \(value)") }
    func quoted(_ items: [String]) -> String { items.map { "'\($0)'" }.joined(separator: ", ") }

    add("file", path + (FileManager.default.fileExists(atPath: url.path) ? "" : " (does not exist yet)"))
    if config != nil, let file = configuration.path {
      add("configuration", "\(file) (--config: applies to every file)")
    } else if let file = configuration.path {
      add("configuration", "\(file) (the nearest above the file)")
    } else {
      add(
        "configuration",
        "none: no .hegui.yml or .hegui.yaml from \(url.deletingLastPathComponent().path) up to \(search.stoppedAt); the defaults apply"
      )
    }
    let globPath = splitter.globPath(path)
    if let base = configuration.base { add("globs relative to", "\(base) (this file: \(globPath))") }

    if let glob = situation.exclude.map(Glob.init).first(where: { $0.matches(path) }) {
      add("excluded", "yes, by --exclude '\(glob.pattern)'")
    } else if let glob = configuration.exclude.first(where: { $0.matches(globPath) }) {
      add("excluded", "yes, by '\(glob.pattern)' in exclude: a walk leaves it out")
    } else {
      add("excluded", "no")
    }

    let format = InputFormat(pathExtension: url.pathExtension)
    if format.isListing {
      add("format", "listing export (\(url.pathExtension)): titles in the title context, descriptions in description")
    } else {
      add("format", format == .srt ? "subtitles (SRT)" : "script")
      let context: String
      if let forced = situation.context {
        context = "\(forced.rawValue) (--context)"
      } else if let match = configuration.contexts.first(where: { $0.0.matches(globPath) }) {
        context = "\(match.1.rawValue) (contexts: '\(match.0.pattern)')"
      } else {
        context = format == .srt ? "caption (the default for .srt)" : "livestream (the default for scripts)"
      }
      add("context", context)
    }

    var own: (name: String, line: Int)?
    if !format.isListing, let handle = FileHandle(forReadingAtPath: url.path) {
      let head = (try? handle.read(upToCount: 8192)) ?? Data()
      try? handle.close()
      own = Suppressions.frontMatterCategory(String(decoding: head, as: UTF8.self))
    }
    let category: String
    if let own {
      let known = setup.ruleset.category(named: own.name) != nil
      category =
        "\(own.name) (the file's front matter, line \(own.line)\(known ? "" : "; not a known category: a finding"))"
    } else if let forced = situation.category {
      category = "\(forced) (--category)"
    } else if let match = configuration.categories.first(where: { $0.0.matches(globPath) }) {
      category = "\(match.1) (categories: '\(match.0.pattern)')"
    } else if let configured = configuration.category {
      category = "\(configured) (category)"
    } else {
      category = "none"
    }
    add("category", category + (format.isListing ? "; a record's own category column wins" : ""))
    if let subject = situation.shopSubject {
      add("shop subject", "\(subject.rawValue) (--shop-subject)")
    } else {
      add("shop subject", configuration.shopSubject.map { "\($0.rawValue) (shop_subject)" } ?? "none")
    }
    let licences = configuration.licences + situation.licences
    add("licences", licences.isEmpty ? "none" : licences.joined(separator: ", "))
    add(
      "fail on",
      setup.failOn.rawValue
        + (failOn != nil ? " (--fail-on)" : configuration.failOn != nil ? " (fail_on)" : " (the default)"))
    let extra = configuration.rulesets.map(\.path) + rulesets
    add("rulesets", (["shipped"] + extra).joined(separator: " + "))
    var selection: [String] = []
    if !configuration.enable.isEmpty { selection.append("enable: " + quoted(configuration.enable)) }
    if !configuration.disable.isEmpty { selection.append("disable: " + quoted(configuration.disable)) }
    if !onlyRule.isEmpty { selection.append("--only-rule " + quoted(onlyRule)) }
    if !disableRule.isEmpty { selection.append("--disable-rule " + quoted(disableRule)) }
    add(
      "rules",
      "\(setup.ruleset.rules.count)" + (selection.isEmpty ? " (all)" : " (" + selection.joined(separator: "; ") + ")"))
    for (id, severity) in configuration.severities.sorted(by: { $0.key < $1.key }) {
      add("severity", "\(id) → \(severity.rawValue)")
    }
    if format.isListing {
      var mapped = configuration.columns.sorted(by: { $0.key < $1.key }).map { "\($0.key)=\($0.value) (columns)" }
      if let columns = situation.columns { mapped.append("\(columns) (--columns)") }
      add("columns", (["the recognised names (标题, 商品标题, 描述, 类目, …)"] + mapped).joined(separator: " + "))
    }
    print(lines.map(TerminalSafe.escape).joined(separator: "\n"))
  }
}
