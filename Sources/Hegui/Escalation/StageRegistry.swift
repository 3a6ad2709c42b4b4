public import Foundation

/// Builds stages of one `type` from a pipeline file.
///
/// Hegui registers `rules` (``RuleStage``); `HeguiReviewQueue` registers `review`;
/// `HeguiTencentCloud` registers `tencent`. Add your own type (a model, an allow-list service)
/// by registering a factory in a ``StageRegistry``, without touching Hegui's code:
///
/// ```swift
/// struct AllowListFactory: StageFactory {
///   let type = "allowlist"
///   let optionKeys = ["phrases"]
///   func makeStage(_ definition: StageDefinition) throws -> any ModerationStage {
///     AllowListStage(name: definition.name, phrases: try definition.options.strings("phrases") ?? [])
///   }
/// }
/// var registry = StageRegistry.standard
/// registry.register(AllowListFactory())
/// ```
public protocol StageFactory: Sendable {
  /// The `type:` this factory builds (`rules`, `review`, `tencent`, …).
  var type: String { get }

  /// The option keys a stage of this type accepts, besides the keys every stage has (`type`,
  /// `name`, `timeout_ms`, `when`). Any other key in the file is an error naming its
  /// `file:line:column`.
  var optionKeys: [String] { get }

  /// Builds a stage.
  ///
  /// - Parameter definition: The stage's entry in the pipeline file: name, options, location,
  ///   the file's folder and the environment.
  /// - Returns: The stage.
  /// - Throws: Any error; read options with ``StageOptions``'s accessors, whose errors name the
  ///   option's place in the file. A stage that cannot be built is kept as an unavailable step
  ///   (items escalate past it) and reported in ``Pipeline/problems``.
  func makeStage(_ definition: StageDefinition) throws -> any ModerationStage
}

/// A stage's entry in a pipeline file, as a factory receives it.
public struct StageDefinition: Sendable {
  /// The stage type (`rules`, `review`, `tencent`, or a registered custom type).
  public var type: String
  /// The name shown in trails (the `name:` key, or the type).
  public var name: String
  /// The per-item timeout (`timeout_ms:`), if any.
  public var timeout: Duration?
  /// The condition for running the stage (`when:`), if any.
  public var condition: StageCondition?
  /// The type-specific options: every key of the entry other than `type`, `name`, `timeout_ms`
  /// and `when`.
  public var options: StageOptions
  /// Where the entry is in the pipeline file.
  public var location: HeguiError.Location
  /// The folder of the pipeline file, against which relative paths in options are resolved
  /// (`nil` for a pipeline parsed from text without a file).
  public var baseDirectory: URL?
  /// The environment the pipeline is built in (credentials and the like).
  public var environment: [String: String]

  /// Creates a definition (for building stages in code or in tests).
  public init(
    type: String, name: String? = nil, timeout: Duration? = nil, condition: StageCondition? = nil,
    options: StageOptions = StageOptions(), location: HeguiError.Location = .init(path: "<code>"),
    baseDirectory: URL? = nil, environment: [String: String] = [:]
  ) {
    self.type = type
    self.name = name ?? type
    self.timeout = timeout
    self.condition = condition
    self.options = options
    self.location = location
    self.baseDirectory = baseDirectory
    self.environment = environment
  }
}

/// When a stage runs: a `when:` condition in a pipeline file.
///
/// `when: {env: [TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY]}` runs the stage only when
/// every listed environment variable is set and not empty; otherwise the stage is skipped, and
/// the skip is recorded in every item's trail.
public struct StageCondition: Sendable, Hashable {
  /// Environment variables that must all be set and not empty.
  public var environmentVariables: [String]

  /// Creates a condition.
  public init(environmentVariables: [String]) {
    self.environmentVariables = environmentVariables
  }

  /// Why the condition is not met in an environment, or `nil` when it is.
  ///
  /// - Parameter environment: The environment, as in `ProcessInfo.processInfo.environment`.
  public func unmetReason(in environment: [String: String]) -> String? {
    let missing = environmentVariables.filter { (environment[$0] ?? "").isEmpty }
    guard !missing.isEmpty else { return nil }
    let verb = missing.count == 1 ? "is" : "are"
    return "\(missing.joined(separator: ", ")) \(verb) not set"
  }
}

/// The factories a pipeline file's stage types are built with.
public struct StageRegistry: Sendable {
  private var factories: [String: any StageFactory] = [:]

  /// An empty registry.
  public init() {}

  /// A registry with Hegui's own stage types: `rules` (``RuleStage``).
  public static var standard: StageRegistry {
    var registry = StageRegistry()
    registry.register(RuleStage.Factory())
    return registry
  }

  /// Adds a factory, replacing any factory registered for the same type.
  public mutating func register(_ factory: any StageFactory) {
    factories[factory.type] = factory
  }

  /// Adds a factory given as a closure, replacing any factory registered for the same type.
  ///
  /// - Parameters:
  ///   - type: The `type:` it builds.
  ///   - optionKeys: The option keys it accepts (see ``StageFactory/optionKeys``).
  ///   - make: Builds a stage from its definition.
  public mutating func register(
    type: String, optionKeys: [String] = [],
    make: @escaping @Sendable (StageDefinition) throws -> any ModerationStage
  ) {
    register(ClosureStageFactory(type: type, optionKeys: optionKeys, make: make))
  }

  /// The factory for a type, if one is registered.
  public func factory(for type: String) -> (any StageFactory)? {
    factories[type]
  }

  /// The registered types, sorted.
  public var types: [String] { factories.keys.sorted() }
}

struct ClosureStageFactory: StageFactory {
  let type: String
  let optionKeys: [String]
  let make: @Sendable (StageDefinition) throws -> any ModerationStage

  func makeStage(_ definition: StageDefinition) throws -> any ModerationStage {
    try make(definition)
  }
}

/// A stage's options from a pipeline file, with typed accessors whose errors name the option's
/// `file:line:column`.
///
/// Values are kept as YAML gives them: scalars as strings, lists, mappings and nulls; the
/// accessors convert and check.
public struct StageOptions: Sendable {
  /// An option's value as written in the file.
  public indirect enum Value: Sendable, Hashable {
    /// `null`, `~` or nothing.
    case null
    /// A scalar, as written (`"42"`, `"true"`, `"rules"`).
    case scalar(String)
    /// A list.
    case list([Value])
    /// A mapping.
    case mapping([String: Value])
  }

  private var values: [String: Value]
  private var locations: [String: HeguiError.Location]
  /// Where the stage's entry is, for errors about a missing option.
  public var location: HeguiError.Location
  /// The folder relative paths are resolved against (the pipeline file's).
  public var baseDirectory: URL?

  /// Creates options (for building stages in code or in tests).
  ///
  /// - Parameters:
  ///   - values: The options by key.
  ///   - locations: Where each key is, for errors (optional).
  ///   - location: Where the stage's entry is.
  ///   - baseDirectory: The folder relative paths are resolved against.
  public init(
    _ values: [String: Value] = [:], locations: [String: HeguiError.Location] = [:],
    location: HeguiError.Location = .init(path: "<code>"), baseDirectory: URL? = nil
  ) {
    self.values = values
    self.locations = locations
    self.location = location
    self.baseDirectory = baseDirectory
  }

  /// The keys present, sorted.
  public var keys: [String] { values.keys.sorted() }

  /// The raw value of a key.
  public subscript(key: String) -> Value? { values[key] }

  /// Where a key's value is in the file (the entry's location when the key is absent).
  public func location(of key: String) -> HeguiError.Location {
    locations[key] ?? location
  }

  /// An `invalidConfiguration` error located at a key.
  ///
  /// - Parameters:
  ///   - key: The option the error is about.
  ///   - message: What is wrong, in words a person can act on.
  public func error(_ key: String, _ message: String) -> HeguiError {
    HeguiError(.invalidConfiguration, message, at: location(of: key))
  }

  /// A string option.
  ///
  /// - Returns: The value, or `nil` when the key is absent or null.
  /// - Throws: ``HeguiError`` when the value is a list or mapping.
  public func string(_ key: String) throws(HeguiError) -> String? {
    switch values[key] {
    case nil, .null?: return nil
    case let .scalar(value)?: return value
    case .list?, .mapping?: throw error(key, "'\(key)' must be a single value, not a list or mapping")
    }
  }

  /// A string option that must be present and not empty.
  ///
  /// - Throws: ``HeguiError`` when it is absent, empty, a list or a mapping.
  public func requiredString(_ key: String) throws(HeguiError) -> String {
    guard let value = try string(key), !value.trimmingCharacters(in: .whitespaces).isEmpty else {
      throw HeguiError(.invalidConfiguration, "missing required option '\(key)'", at: location(of: key))
    }
    return value
  }

  /// An integer option.
  ///
  /// - Throws: ``HeguiError`` when the value is not an integer.
  public func int(_ key: String) throws(HeguiError) -> Int? {
    guard let text = try string(key) else { return nil }
    guard let value = Int(text) else { throw error(key, "'\(key)' must be an integer, found '\(text)'") }
    return value
  }

  /// A number option.
  ///
  /// - Throws: ``HeguiError`` when the value is not a number.
  public func double(_ key: String) throws(HeguiError) -> Double? {
    guard let text = try string(key) else { return nil }
    guard let value = Double(text), value.isFinite else {
      throw error(key, "'\(key)' must be a number, found '\(text)'")
    }
    return value
  }

  /// A boolean option (`true` or `false`).
  ///
  /// - Throws: ``HeguiError`` for any other value.
  public func bool(_ key: String) throws(HeguiError) -> Bool? {
    guard let text = try string(key) else { return nil }
    switch text {
    case "true": return true
    case "false": return false
    default: throw error(key, "'\(key)' must be true or false, found '\(text)'")
    }
  }

  /// A list of strings; a single string is a list of one.
  ///
  /// - Throws: ``HeguiError`` when an item is not a plain value.
  public func strings(_ key: String) throws(HeguiError) -> [String]? {
    switch values[key] {
    case nil, .null?: return nil
    case let .scalar(value)?: return [value]
    case let .list(items)?:
      var result: [String] = []
      for item in items {
        guard case let .scalar(value) = item else { throw error(key, "every item of '\(key)' must be a single value") }
        result.append(value)
      }
      return result
    case .mapping?: throw error(key, "'\(key)' must be a list, not a mapping")
    }
  }

  /// One of a fixed set of words.
  ///
  /// - Throws: ``HeguiError`` naming the valid words (and the nearest one) for any other value.
  public func oneOf(_ key: String, _ allowed: [String]) throws(HeguiError) -> String? {
    guard let value = try string(key) else { return nil }
    guard allowed.contains(value) else {
      var message = "'\(key)' must be one of \(allowed.joined(separator: ", ")), found '\(value)'"
      if let near = YAMLReader.nearest(value, in: allowed) { message += " (did you mean '\(near)'?)" }
      throw error(key, message)
    }
    return value
  }

  /// A path option, resolved against the pipeline file's folder when relative (`~` expands).
  ///
  /// - Throws: ``HeguiError`` when the value is not a single string.
  public func path(_ key: String) throws(HeguiError) -> URL? {
    guard let text = try string(key) else { return nil }
    return resolve(text)
  }

  /// A list of paths, each resolved like ``path(_:)``.
  ///
  /// - Throws: ``HeguiError`` when an item is not a single string.
  public func paths(_ key: String) throws(HeguiError) -> [URL]? {
    try strings(key)?.map(resolve)
  }

  private func resolve(_ text: String) -> URL {
    let expanded = (text as NSString).expandingTildeInPath
    if expanded.hasPrefix("/") { return URL(fileURLWithPath: expanded) }
    if let baseDirectory { return baseDirectory.appendingPathComponent(expanded) }
    return URL(fileURLWithPath: expanded)
  }
}

extension RuleStage {
  /// Builds `type: rules` stages.
  ///
  /// Options: `rulesets` (folders of extra rulesets, relative to the pipeline file),
  /// `include_shipped` (default `true`), `enable` / `disable` (rule ids, aliases or families),
  /// `block_at` and `escalate_at` (`block`, `review`, `info` or `never`; defaults `block` and
  /// `review`).
  public struct Factory: StageFactory {
    /// `rules`.
    public let type = "rules"
    /// The options of a `rules` stage.
    public let optionKeys = ["rulesets", "include_shipped", "enable", "disable", "block_at", "escalate_at"]
    private let wordBoundaries: WordBoundaries

    /// Creates the factory.
    ///
    /// - Parameter wordBoundaries: The ICU word-boundary service the checkers share.
    public init(wordBoundaries: WordBoundaries = WordBoundaries()) {
      self.wordBoundaries = wordBoundaries
    }

    /// Loads the rulesets and builds a ``RuleStage``.
    ///
    /// - Throws: ``HeguiError`` for an invalid option, ruleset or rule selector.
    public func makeStage(_ definition: StageDefinition) throws -> any ModerationStage {
      let options = definition.options
      let severities = Severity.allCases.map(\.rawValue) + ["never"]
      func threshold(_ key: String, default value: Severity) throws(HeguiError) -> Severity? {
        guard let word = try options.oneOf(key, severities) else { return value }
        return Severity(rawValue: word)
      }
      let blockAt = try threshold("block_at", default: .block)
      let escalateAt = try threshold("escalate_at", default: .review)
      if let blockAt, let escalateAt, escalateAt > blockAt {
        throw options.error(
          "escalate_at",
          "escalate_at (\(escalateAt.rawValue)) is above block_at (\(blockAt.rawValue)): nothing would escalate")
      }
      var ruleset = try Ruleset.load(
        directories: try options.paths("rulesets") ?? [], includingShipped: try options.bool("include_shipped") ?? true)
      let enable = try options.strings("enable") ?? []
      let disable = try options.strings("disable") ?? []
      do {
        ruleset = try ruleset.selecting(only: enable, disabling: disable)
      } catch {
        throw options.error(enable.isEmpty ? "disable" : "enable", error.message)
      }
      return RuleStage(
        name: definition.name, checker: Checker(ruleset: ruleset, wordBoundaries: wordBoundaries), blockAt: blockAt,
        escalateAt: escalateAt)
    }
  }
}
