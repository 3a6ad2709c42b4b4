/// The id syntax that packs, rules and categories share.
enum RulesetID {
  /// Whether `id` is lower-case ASCII letters, digits, `.` and `-`, with no leading, trailing or
  /// doubled `.`.
  static func isValid(_ id: String) -> Bool {
    !id.isEmpty
      && id.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "." || $0 == "-" }
      && !id.hasPrefix(".") && !id.hasSuffix(".") && !id.contains("..")
  }
}

/// A category named in a rule or an example. Category tables may be defined in any pack of any
/// source, so names are checked only when every pack is loaded (``RulesetLinker``).
struct CategoryReference {
  /// The id or Chinese name as written.
  var name: String
  /// Where it is written.
  var location: HeguiError.Location
}
