import Foundation
import Hegui
import HeguiLint

/// What lints the files one configuration governs: the configuration, the rules it selects and
/// the linter made from them, with the command line's options over it.
struct LintSetup {
  let configuration: ProjectConfiguration
  let ruleset: Ruleset
  let linter: Linter
  /// The lowest severity that fails the run for these files.
  let failOn: Severity
}

/// One ``LintSetup`` per configuration file, each built once however many files it governs.
struct LintSetups {
  var resolver: ConfigurationResolver
  let command: LintCommand
  let workingDirectory: URL
  private var built: [String: LintSetup] = [:]

  init(command: LintCommand, workingDirectory: URL) throws(HeguiError) {
    self.command = command
    self.workingDirectory = workingDirectory
    var override: ProjectConfiguration?
    if let path = command.config {
      var configuration = try ProjectConfiguration.load(URL(fileURLWithPath: path, relativeTo: workingDirectory))
      // A configuration named on the command line may live anywhere; its globs are relative to
      // the working directory, as ESLint's `-c` are.
      configuration.base = workingDirectory.standardizedFileURL.path
      override = configuration
    }
    resolver = ConfigurationResolver(override: override)
  }

  /// The setup for the file at `url`.
  mutating func setup(forFile url: URL) throws(HeguiError) -> LintSetup {
    try setup(for: resolver.configuration(forFile: url))
  }

  /// The setup for the files directly in the folder at `url`.
  mutating func setup(forDirectory url: URL) throws(HeguiError) -> LintSetup {
    try setup(for: resolver.configuration(forDirectory: url))
  }

  private mutating func setup(for configuration: ProjectConfiguration) throws(HeguiError) -> LintSetup {
    let key = configuration.path ?? ""
    if let setup = built[key] { return setup }
    let situation = command.situation
    var ruleset = try Ruleset.load(
      directories: configuration.rulesets
        + command.rulesets.map { URL(fileURLWithPath: $0, relativeTo: workingDirectory) })
    try configuration.validate(against: ruleset)
    ruleset = try ruleset.selecting(only: configuration.enable, disabling: configuration.disable)
    ruleset = try ruleset.selecting(only: command.onlyRule, disabling: command.disableRule)
    ruleset = try ruleset.overridingSeverity(configuration.severities)
    let known = { [ruleset] in ruleset.categories.map { "\($0.id) (\($0.names.joined(separator: "/")))" } }
    let at = configuration.path.map { " in \($0)" } ?? ""
    for (glob, category) in configuration.categories where ruleset.category(named: category) == nil {
      throw HeguiError(
        .unknownCategory,
        "unknown category '\(category)' for '\(glob.pattern)' in 'categories'\(at); known: \(known().joined(separator: ", "))"
      )
    }
    if let category = configuration.category, ruleset.category(named: category) == nil {
      throw HeguiError(
        .unknownCategory, "unknown category '\(category)'\(at); known: \(known().joined(separator: ", "))")
    }
    if let category = situation.category, ruleset.category(named: category) == nil {
      throw HeguiError(
        .unknownCategory, "unknown category '\(category)' (--category); known: \(known().joined(separator: ", "))")
    }
    var options = LintOptions()
    options.encoding = command.encoding.flatMap(TextEncoding.init(name:)) ?? .utf8
    options.splitter.columns = try situation.listingColumns(configured: configuration.columns)
    options.splitter.context = situation.context
    options.splitter.contextsByGlob = configuration.contexts
    options.splitter.category = situation.category
    options.splitter.categoriesByGlob = configuration.categories
    options.splitter.globRoot = configuration.base
    options.splitter.displayRoot = workingDirectory.standardizedFileURL.path
    options.splitter.defaults = CheckContext(
      shopSubject: situation.shopSubject ?? configuration.shopSubject,
      category: situation.category ?? configuration.category,
      licences: Set(configuration.licences + situation.licences))
    let setup = LintSetup(
      configuration: configuration, ruleset: ruleset,
      linter: Linter(checker: Checker(ruleset: ruleset), options: options),
      failOn: command.failOn ?? configuration.failOn ?? .block)
    built[key] = setup
    return setup
  }
}
