import ArgumentParser
import Hegui

/// Shell completion of rule ids and categories (`hegui --generate-completion-script bash|zsh|fish`
/// writes the scripts; the shell asks `hegui` itself for these words as you type).
enum Completions {
  /// Rule ids, aliases and families (`adlaw`, `adlaw.absolute`) of the shipped rules.
  static let ruleIDs = CompletionKind.custom { arguments, index, prefix in
    guard let ruleset = try? Ruleset.shipped() else { return [] }
    var words = Set<String>()
    for rule in ruleset.rules {
      words.insert(rule.id)
      words.formUnion(rule.aliases)
      let parts = rule.id.split(separator: ".")
      for n in 1..<max(1, parts.count) { words.insert(parts.prefix(n).joined(separator: ".")) }
    }
    return words.filter { $0.hasPrefix(prefix) }.sorted()
  }

  /// Category ids and their Chinese names.
  static let categories = CompletionKind.custom { arguments, index, prefix in
    guard let ruleset = try? Ruleset.shipped() else { return [] }
    let words = ruleset.categories.flatMap { [$0.id] + $0.names }
    return words.filter { $0.hasPrefix(prefix) }
  }
}
