/// An error from the Hegui library: what went wrong, where, and what caused it.
///
/// Switch on ``code`` to react; show ``description`` to people. Ruleset errors carry the
/// file, line and column of the offending YAML node.
public struct HeguiError: Error, CustomStringConvertible, Sendable {
  /// The kind of failure. New codes may be added; switch with a `default`.
  public struct Code: Hashable, Sendable, CustomStringConvertible {
    fileprivate enum Value: String, Sendable {
      case invalidRuleset, invalidPattern, unsupportedVersion, duplicateRuleID, unknownRule
      case unknownCategory, invalidInput, io, icu, pcre2, invalidConfiguration
    }
    fileprivate let value: Value

    /// A ruleset file is malformed: bad YAML, an unknown or missing key, a wrong value.
    public static let invalidRuleset = Code(value: .invalidRuleset)
    /// A PCRE2 pattern does not compile.
    public static let invalidPattern = Code(value: .invalidPattern)
    /// A ruleset declares a format version this library does not know.
    public static let unsupportedVersion = Code(value: .unsupportedVersion)
    /// Two rules (or a rule and an alias) share an id.
    public static let duplicateRuleID = Code(value: .duplicateRuleID)
    /// A rule id that no loaded ruleset defines.
    public static let unknownRule = Code(value: .unknownRule)
    /// A category id or name that no category table defines.
    public static let unknownCategory = Code(value: .unknownCategory)
    /// Input that cannot be checked: not UTF-8, binary, unparsable.
    public static let invalidInput = Code(value: .invalidInput)
    /// A file or directory could not be read or written.
    public static let io = Code(value: .io)
    /// ICU reported a failure.
    public static let icu = Code(value: .icu)
    /// PCRE2 reported a failure while matching.
    public static let pcre2 = Code(value: .pcre2)
    /// A configuration value is invalid.
    public static let invalidConfiguration = Code(value: .invalidConfiguration)

    /// The code's name.
    public var description: String { value.rawValue }
  }

  /// A place in a file: path, 1-based line and column (columns count Unicode scalars).
  public struct Location: Hashable, Sendable, CustomStringConvertible {
    /// The file path as the user gave it (shipped rulesets read `Rulesets/<file>`).
    public var path: String
    /// 1-based line, or `nil` when the error concerns the whole file.
    public var line: Int?
    /// 1-based column, or `nil`.
    public var column: Int?

    /// Creates a location.
    public init(path: String, line: Int? = nil, column: Int? = nil) {
      self.path = path
      self.line = line
      self.column = column
    }

    /// `path:line:column`, `path:line` or `path`.
    public var description: String {
      switch (line, column) {
      case let (line?, column?): return "\(path):\(line):\(column)"
      case let (line?, nil): return "\(path):\(line)"
      default: return path
      }
    }
  }

  /// What kind of failure this is.
  public var code: Code
  /// A message a person can act on.
  public var message: String
  /// Where the problem is, when it is in a file.
  public var location: Location?
  /// The error that caused this one, if any.
  public var underlying: (any Error & Sendable)?

  /// Creates an error.
  public init(_ code: Code, _ message: String, at location: Location? = nil, underlying: (any Error & Sendable)? = nil)
  {
    self.code = code
    self.message = message
    self.location = location
    self.underlying = underlying
  }

  /// `location: message`, or the message alone.
  public var description: String {
    if let location { return "\(location): \(message)" }
    return message
  }
}
