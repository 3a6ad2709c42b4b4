import Foundation
package import Yams

/// Typed reading of a composed YAML tree with a precise location for every error.
///
/// Rulesets are decoded by hand from `Yams.Node` rather than through `Codable`, so that unknown
/// keys are rejected with the nearest valid key, and every error names `file:line:column`.
package struct YAMLReader {
  package let path: String

  package init(path: String) {
    self.path = path
  }

  package func location(_ node: Node?) -> HeguiError.Location {
    let mark = node?.mark
    return HeguiError.Location(path: path, line: mark?.line, column: mark?.column)
  }

  package func sourceLocation(_ node: Node?) -> RulesetLocation {
    RulesetLocation(path: path, line: node?.mark?.line ?? 1, column: node?.mark?.column ?? 1)
  }

  package func error(_ node: Node?, _ message: String, code: HeguiError.Code = .invalidRuleset) -> HeguiError {
    HeguiError(code, message, at: location(node))
  }

  /// The most nodes a ruleset file may stand for once its YAML aliases are expanded. The largest
  /// shipped file has a few thousand; an alias bomb has billions.
  package static let maximumExpandedNodes = 100_000

  /// Parses YAML text into a node tree.
  ///
  /// - Throws: ``HeguiError`` for invalid YAML, and for aliases that expand the text beyond
  ///   ``maximumExpandedNodes``.
  package func compose(_ text: String) throws(HeguiError) -> Node? {
    try refuseAliasBombs(text)
    return try composeUnchecked(text)
  }

  /// Parses YAML text into a node tree, however far its aliases expand.
  private func composeUnchecked(_ text: String) throws(HeguiError) -> Node? {
    do {
      return try Yams.compose(yaml: text)
    } catch let error as YamlError {
      switch error {
      case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
        let .composer(context, problem, mark, _):
        let detail = context.map { "\(problem) (\($0.text))" } ?? problem
        throw HeguiError(
          .invalidRuleset, "invalid YAML: \(detail)", at: .init(path: path, line: mark.line, column: mark.column))
      case let .duplicatedKeysInMapping(duplicates, context):
        // Yams marks the mapping; point at the second occurrence of the key instead.
        var line = context.mark.line
        var column = context.mark.column
        if let key = duplicates.first {
          var seen = 0
          for (index, text) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
          where index + 1 >= context.mark.line {
            let indent = text.prefix { $0 == " " || $0 == "-" }
            if text.dropFirst(indent.count).hasPrefix("\(key):") {
              seen += 1
              if seen == 2 {
                line = index + 1
                column = indent.count + 1
                break
              }
            }
          }
        }
        throw HeguiError(
          .invalidRuleset, "duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", ")) in a mapping",
          at: .init(path: path, line: line, column: column))
      case let .reader(problem, offset, _, _):
        throw HeguiError(
          .invalidRuleset, "invalid YAML: \(problem)\(offset.map { " at byte \($0)" } ?? "")", at: .init(path: path))
      default:
        throw HeguiError(.invalidRuleset, "invalid YAML: \(error)", at: .init(path: path))
      }
    } catch {
      throw HeguiError(.invalidRuleset, "invalid YAML: \(error)", at: .init(path: path))
    }
  }

  /// Refuses a text whose aliases expand it beyond ``maximumExpandedNodes`` (billion laughs).
  ///
  /// Yams composes an alias as a copy of its anchored node, so a few lines of anchors and aliases
  /// stand for a tree of billions of nodes. Composing stays linear, but Yams hashes the keys of
  /// every mapping to find duplicates, and a key that is such a tree never finishes hashing (nor
  /// would a reader that walked the tree). So a text that may hold both an anchor and an alias is
  /// first composed with every `*` turned into `~`: each alias becomes a plain scalar `~name`,
  /// nothing is expanded, marks stay where they were, and the tree tells how many nodes the text
  /// stands for and how many of them Yams would hash as keys (a key inside a key is hashed again).
  /// Whether the text may hold both an anchor (`&name`) and an alias (`*name`): each can only
  /// begin a node, right after the start of the text, white space, a flow indicator (`[`, `{`,
  /// `,`) or a `:`. A `*` inside a pattern (`[^，]*`, `最*便*宜`) is neither, so most rule files
  /// skip the second composition.
  static func mayHaveAnchorsAndAliases(_ text: String) -> Bool {
    var anchor = false
    var alias = false
    var previous: UInt8 = 0x0A
    for byte in text.utf8 {
      if byte == UInt8(ascii: "&") || byte == UInt8(ascii: "*") {
        switch previous {
        // (and, to be safe, after `-` and a byte-order mark's last byte)
        case 0x20, 0x09, 0x0A, 0x0D, 0xBF, UInt8(ascii: "["), UInt8(ascii: "{"), UInt8(ascii: ","), UInt8(ascii: ":"),
          UInt8(ascii: "-"):
          if byte == UInt8(ascii: "&") { anchor = true } else { alias = true }
          if anchor && alias { return true }
        default: break
        }
      }
      previous = byte
    }
    return false
  }

  private func refuseAliasBombs(_ text: String) throws(HeguiError) {
    guard Self.mayHaveAnchorsAndAliases(text) else { return }
    let probe = String(String.UnicodeScalarView(text.unicodeScalars.map { $0 == "*" ? "~" : $0 }))
    // The parser is kept: a node holds its anchor weakly, and only the parser holds it strongly.
    let parser: Yams.Parser
    let root: Node?
    do {
      parser = try Yams.Parser(yaml: probe)
      root = try parser.singleRoot()
    } catch {
      // Where a `*` is not an alias, a `~` is as valid as it was: the error is the text's own.
      // Report it from the probe, which has no alias to expand (composing the text itself could
      // hash a bomb's key before reaching the error).
      _ = try composeUnchecked(probe)
      return
    }
    guard let root else { return }
    let limit = Self.maximumExpandedNodes
    var sizes: [String: Int] = [:]  // anchor → expanded size of the node it was last set on
    var hashed = 0  // expanded nodes in mapping keys, summed over every mapping
    var culprit: Node?
    func expandedSize(_ node: Node) -> Int {
      var size = 1
      switch node {
      case let .scalar(scalar):
        if scalar.style == .plain, scalar.string.first == "~", let aliased = sizes[String(scalar.string.dropFirst())] {
          size = aliased
        }
      case let .mapping(mapping):
        for (key, value) in mapping {
          let keySize = expandedSize(key)
          hashed = min(limit + 1, hashed + keySize)
          if hashed > limit && culprit == nil { culprit = key }
          size = min(limit + 1, size + keySize + expandedSize(value))
        }
      case let .sequence(sequence):
        for item in sequence { size = min(limit + 1, size + expandedSize(item)) }
      case .alias:
        break
      }
      if let anchor = node.anchor { sizes[anchor.rawValue] = size }
      if size > limit && culprit == nil { culprit = node }
      return size
    }
    withExtendedLifetime(parser) { _ = expandedSize(root) }
    if let culprit {
      throw error(
        culprit,
        "YAML aliases expand this file to more than \(limit) nodes (an alias bomb?); write the values out instead")
    }
  }

  /// The pairs of a mapping, after checking that every key is allowed.
  package func mapping(_ node: Node, what: String, allowed: [String]) throws(HeguiError) -> [String: Node] {
    guard case let .mapping(mapping) = node else {
      throw error(node, "\(what) must be a mapping of keys to values, found \(describe(node))")
    }
    var result: [String: Node] = [:]
    for (keyNode, value) in mapping {
      guard case let .scalar(scalar) = keyNode else { throw error(keyNode, "keys in \(what) must be plain strings") }
      let key = scalar.string
      if !allowed.contains(key) {
        var message = "unknown key '\(key)' in \(what)"
        if let near = YAMLReader.nearest(key, in: allowed) { message += " (did you mean '\(near)'?)" }
        message += "; valid keys: \(allowed.joined(separator: ", "))"
        throw error(keyNode, message)
      }
      result[key] = value
    }
    return result
  }

  package func require(_ map: [String: Node], _ key: String, in parent: Node, what: String) throws(HeguiError) -> Node {
    guard let node = map[key] else { throw error(parent, "\(what) is missing required key '\(key)'") }
    return node
  }

  package func isNull(_ node: Node) -> Bool {
    if case let .scalar(scalar) = node {
      return node.null != nil || (scalar.style == .plain && ["null", "~", ""].contains(scalar.string))
    }
    return false
  }

  package func string(_ node: Node, what: String) throws(HeguiError) -> String {
    guard case let .scalar(scalar) = node, !isNull(node) else {
      throw error(node, "\(what) must be a string, found \(describe(node))")
    }
    return scalar.string
  }

  package func nonEmptyString(_ node: Node, what: String) throws(HeguiError) -> String {
    let value = try string(node, what: what)
    if value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw error(node, "\(what) must not be empty") }
    return value
  }

  /// A list of strings; a single string is accepted as a list of one.
  package func strings(_ node: Node, what: String) throws(HeguiError) -> [String] {
    if case .scalar = node { return [try nonEmptyString(node, what: what)] }
    return try sequence(node, what: what).map { (item) throws(HeguiError) in
      try nonEmptyString(item, what: "an item of \(what)")
    }
  }

  package func sequence(_ node: Node, what: String) throws(HeguiError) -> [Node] {
    guard case let .sequence(sequence) = node else {
      throw error(node, "\(what) must be a list, found \(describe(node))")
    }
    return Array(sequence)
  }

  package func bool(_ node: Node, what: String) throws(HeguiError) -> Bool {
    guard case let .scalar(scalar) = node else { throw error(node, "\(what) must be true or false") }
    switch scalar.string {
    case "true": return true
    case "false": return false
    default: throw error(node, "\(what) must be true or false, found '\(scalar.string)'")
    }
  }

  package func int(_ node: Node, what: String) throws(HeguiError) -> Int {
    guard case let .scalar(scalar) = node, let value = Int(scalar.string) else {
      throw error(node, "\(what) must be an integer, found \(describe(node))")
    }
    return value
  }

  package func oneOf<T: RawRepresentable>(_ node: Node, what: String, as: T.Type) throws(HeguiError) -> T
  where T.RawValue == String, T: CaseIterable {
    let value = try string(node, what: what)
    guard let result = T(rawValue: value) else {
      let valid = T.allCases.map(\.rawValue)
      var message = "\(what) must be one of \(valid.joined(separator: ", ")), found '\(value)'"
      if let near = YAMLReader.nearest(value, in: valid) { message += " (did you mean '\(near)'?)" }
      throw error(node, message)
    }
    return result
  }

  package func describe(_ node: Node) -> String {
    switch node {
    case let .scalar(scalar): return isNull(node) ? "null" : "'\(scalar.string)'"
    case .mapping: return "a mapping"
    case .sequence: return "a list"
    case .alias: return "an alias"
    }
  }

  /// The allowed word closest to `word` by edit distance, when it is plausibly a misspelling.
  package static func nearest(_ word: String, in candidates: [String]) -> String? {
    var best: (String, Int)?
    for candidate in candidates {
      let d = editDistance(Array(word), Array(candidate))
      if d < best?.1 ?? Int.max { best = (candidate, d) }
    }
    guard let best, best.1 <= max(2, word.count / 3) else { return nil }
    return best.0
  }

  package static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
      current[0] = i
      for j in 1...b.count {
        current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
      }
      swap(&previous, &current)
    }
    return previous[b.count]
  }
}
