public import Foundation
import Yams

/// A pipeline file: which stages run, in which order, and when.
///
/// ```yaml
/// version: 1
/// stages:
///   - type: rules              # tier 1 (初级): the local rule checker
///     escalate_at: review
///   - type: tencent            # tier 3 (高级), only when credentials are set
///     when: {env: [TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY]}
///     timeout_ms: 8000
///   - type: review             # tier 2 (中级): the human review queue
/// ```
///
/// Every stage entry has `type` and optionally `name` (default: the type; names must be
/// unique), `timeout_ms` (per item; past it the item escalates) and `when` (`{env: [VAR, …]}`:
/// run only when every variable is set, else skip and record the skip). Its other keys are the
/// options of its type, checked against the type's ``StageFactory/optionKeys``. Unknown keys,
/// unknown types and wrong values are errors naming `file:line:column`; a higher `version` than
/// ``formatVersion`` is an error.
public struct PipelineConfiguration: Sendable {
  /// The highest pipeline file version this library reads.
  public static let formatVersion = 1
  /// Keys every stage entry may have, whatever its type.
  public static let commonStageKeys = ["type", "name", "timeout_ms", "when"]

  /// The file's format version.
  public var version: Int
  /// The file's description, if it has one.
  public var description: String?
  /// The file the configuration was read from (as given), for messages.
  public var path: String
  /// The stages, in order.
  public var stages: [StageDefinition]
  private var places: [Places]

  /// Where the parts of a stage entry are, for errors found when building the pipeline.
  struct Places: Sendable {
    var type: HeguiError.Location
    var keys: [(key: String, location: HeguiError.Location)]
  }

  /// Reads a pipeline file.
  ///
  /// - Parameters:
  ///   - url: The file. Relative paths in stage options are resolved against its folder.
  ///   - displayPath: The path to show in errors (default: the URL's path).
  /// - Throws: ``HeguiError`` (`io`, `invalidConfiguration`, `unsupportedVersion`) naming
  ///   `file:line:column`.
  public static func load(contentsOf url: URL, displayPath: String? = nil) throws(HeguiError) -> PipelineConfiguration {
    let path = displayPath ?? url.path
    let text: String
    do {
      text = try TextFile.read(url, displayPath: path)
    } catch {
      throw HeguiError(error.code, error.message, at: error.location ?? .init(path: path), underlying: error.underlying)
    }
    return try parse(text, path: path, baseDirectory: url.deletingLastPathComponent())
  }

  /// Parses pipeline YAML.
  ///
  /// - Parameters:
  ///   - yaml: The text.
  ///   - path: The name to use in errors.
  ///   - baseDirectory: The folder relative paths in options are resolved against.
  /// - Throws: ``HeguiError`` naming `file:line:column`.
  public static func parse(_ yaml: String, path: String = "<pipeline>", baseDirectory: URL? = nil) throws(HeguiError)
    -> PipelineConfiguration
  {
    do {
      return try Parser(reader: YAMLReader(path: path), baseDirectory: baseDirectory).parse(yaml)
    } catch  where error.code == .invalidRuleset {
      // YAMLReader speaks of rulesets; this is a pipeline file.
      throw HeguiError(.invalidConfiguration, error.message, at: error.location, underlying: error.underlying)
    }
  }

  /// Builds the pipeline: looks up each stage's factory, checks its options, evaluates `when`
  /// conditions and builds the stages.
  ///
  /// A stage whose condition is not met is skipped (and the skip recorded in every trail). A
  /// stage whose factory throws is kept as an unavailable step: items escalate past it (fail
  /// closed) and the error is listed in ``Pipeline/problems`` — refuse to start on problems if
  /// you would rather, as `hegui moderate` does.
  ///
  /// - Parameters:
  ///   - registry: The factories (default: Hegui's own `rules`).
  ///   - environment: The environment `when` conditions and factories read.
  /// - Throws: ``HeguiError`` (`invalidConfiguration`) for an unknown type or option key.
  public func makePipeline(
    registry: StageRegistry = .standard, environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws(HeguiError) -> Pipeline {
    var steps: [Pipeline.Step] = []
    var problems: [HeguiError] = []
    for (index, var definition) in stages.enumerated() {
      definition.environment = environment
      let place = places[index]
      guard let factory = registry.factory(for: definition.type) else {
        var message = "unknown stage type '\(definition.type)'"
        if let near = YAMLReader.nearest(definition.type, in: registry.types) {
          message += " (did you mean '\(near)'?)"
        }
        message += "; registered types: \(registry.types.joined(separator: ", "))"
        throw HeguiError(.invalidConfiguration, message, at: place.type)
      }
      let allowed = Self.commonStageKeys + factory.optionKeys
      for (key, location) in place.keys where !allowed.contains(key) {
        var message = "unknown key '\(key)' in a '\(definition.type)' stage"
        if let near = YAMLReader.nearest(key, in: allowed) { message += " (did you mean '\(near)'?)" }
        message += "; valid keys: \(allowed.joined(separator: ", "))"
        throw HeguiError(.invalidConfiguration, message, at: location)
      }
      if let condition = definition.condition, let reason = condition.unmetReason(in: environment) {
        steps.append(.skipped(name: definition.name, reason: reason))
        continue
      }
      do {
        let stage = try factory.makeStage(definition)
        steps.append(Pipeline.Step(stage, name: definition.name, timeout: definition.timeout))
      } catch {
        let problem: HeguiError
        if let error = error as? HeguiError {
          problem = error
        } else {
          problem = HeguiError(
            .invalidConfiguration, "stage '\(definition.name)' cannot be built: \(error)", at: definition.location,
            underlying: error)
        }
        steps.append(.unavailable(name: definition.name, reason: problem.description))
        problems.append(problem)
      }
    }
    return Pipeline(steps: steps, problems: problems)
  }

  // MARK: Parsing

  private struct Parser {
    let reader: YAMLReader
    let baseDirectory: URL?

    func parse(_ yaml: String) throws(HeguiError) -> PipelineConfiguration {
      guard let root = try reader.compose(yaml) else {
        throw HeguiError(.invalidConfiguration, "the pipeline file is empty", at: .init(path: reader.path))
      }
      let map = try reader.mapping(root, what: "a pipeline file", allowed: ["version", "description", "stages"])
      let versionNode = try reader.require(map, "version", in: root, what: "a pipeline file")
      let version = try reader.int(versionNode, what: "version")
      if version > PipelineConfiguration.formatVersion || version < 1 {
        throw HeguiError(
          .unsupportedVersion,
          "pipeline file version \(version) is not supported; this Hegui reads version \(PipelineConfiguration.formatVersion)",
          at: reader.location(versionNode))
      }
      let description = try map["description"].map { (node) throws(HeguiError) in
        try reader.string(node, what: "description")
      }
      let stagesNode = try reader.require(map, "stages", in: root, what: "a pipeline file")
      var stages: [StageDefinition] = []
      var places: [Places] = []
      var names: [String: HeguiError.Location] = [:]
      for node in try reader.sequence(stagesNode, what: "stages") {
        let (definition, place) = try stage(node)
        if let other = names[definition.name] {
          throw reader.error(
            node,
            "two stages are named '\(definition.name)' (the other is at \(other)); give one a different 'name'",
            code: .invalidConfiguration)
        }
        names[definition.name] = definition.location
        stages.append(definition)
        places.append(place)
      }
      return PipelineConfiguration(
        version: version, description: description, path: reader.path, stages: stages, places: places)
    }

    func stage(_ node: Node) throws(HeguiError) -> (StageDefinition, Places) {
      guard case let .mapping(mapping) = node else {
        throw reader.error(node, "a stage must be a mapping with at least 'type', found \(reader.describe(node))")
      }
      var type: String?
      var typeLocation = reader.location(node)
      var name: String?
      var timeout: Duration?
      var condition: StageCondition?
      var options: [String: StageOptions.Value] = [:]
      var optionLocations: [String: HeguiError.Location] = [:]
      var keys: [(key: String, location: HeguiError.Location)] = []
      for (keyNode, value) in mapping {
        guard case let .scalar(scalar) = keyNode else {
          throw reader.error(keyNode, "keys in a stage must be plain strings")
        }
        let key = scalar.string
        keys.append((key, reader.location(keyNode)))
        switch key {
        case "type":
          type = try reader.nonEmptyString(value, what: "type")
          typeLocation = reader.location(value)
        case "name":
          name = try reader.nonEmptyString(value, what: "name")
        case "timeout_ms":
          let milliseconds = try reader.int(value, what: "timeout_ms")
          guard milliseconds > 0 else {
            throw reader.error(value, "timeout_ms must be a positive number of milliseconds")
          }
          timeout = .milliseconds(milliseconds)
        case "when":
          condition = try self.condition(value)
        default:
          options[key] = try self.value(value)
          optionLocations[key] = reader.location(value)
        }
      }
      guard let type else { throw reader.error(node, "a stage is missing required key 'type'") }
      let location = reader.location(node)
      let definition = StageDefinition(
        type: type, name: name, timeout: timeout, condition: condition,
        options: StageOptions(options, locations: optionLocations, location: location, baseDirectory: baseDirectory),
        location: location, baseDirectory: baseDirectory)
      return (definition, Places(type: typeLocation, keys: keys))
    }

    func condition(_ node: Node) throws(HeguiError) -> StageCondition {
      let map = try reader.mapping(node, what: "'when'", allowed: ["env"])
      let envNode = try reader.require(map, "env", in: node, what: "'when'")
      let names = try reader.strings(envNode, what: "'env'")
      for (index, name) in names.enumerated() where name.contains(where: { $0.isWhitespace || $0 == "=" }) {
        let itemNode: Node? = if case let .sequence(sequence) = envNode { Array(sequence)[index] } else { envNode }
        throw reader.error(itemNode, "'\(name)' is not an environment variable name")
      }
      return StageCondition(environmentVariables: names)
    }

    func value(_ node: Node) throws(HeguiError) -> StageOptions.Value {
      switch node {
      case .scalar(let scalar):
        return reader.isNull(node) ? .null : .scalar(scalar.string)
      case .sequence(let sequence):
        var items: [StageOptions.Value] = []
        for item in sequence { items.append(try value(item)) }
        return .list(items)
      case .mapping(let mapping):
        var result: [String: StageOptions.Value] = [:]
        for (keyNode, item) in mapping {
          guard case let .scalar(scalar) = keyNode else {
            throw reader.error(keyNode, "keys in an option must be plain strings")
          }
          result[scalar.string] = try value(item)
        }
        return .mapping(result)
      case .alias:
        throw reader.error(node, "YAML aliases are not supported in a pipeline file")
      }
    }
  }
}
