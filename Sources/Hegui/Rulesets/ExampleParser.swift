import Yams

/// Reads rule examples: the text with its `⟦ ⟧` spans and the item it is checked as. Rules'
/// `examples` and bulk case files share it.
struct ExampleParser {
  static let keys = ["text", "context", "shop_subject", "category", "licences", "severity"]

  let reader: YAMLReader

  /// A trigger example; one for a text rule must mark the span it expects.
  func trigger(
    _ node: Node, kind: RuleKind, references: inout [CategoryReference]
  ) throws(HeguiError) -> RuleExample {
    let example = try parse(node, trigger: true, references: &references)
    if kind != .category && example.spans.isEmpty {
      throw reader.error(node, "a trigger example must mark the expected span with ⟦ ⟧")
    }
    return example
  }

  /// A pass example: no spans, no expected severity.
  func pass(_ node: Node, references: inout [CategoryReference]) throws(HeguiError) -> RuleExample {
    try parse(node, trigger: false, references: &references)
  }

  /// An example is a marked string, or a mapping with `text` and the item's context, shop
  /// subject, category and licences.
  private func parse(
    _ node: Node, trigger: Bool, references: inout [CategoryReference]
  ) throws(HeguiError) -> RuleExample {
    var marked: String
    var context = TextContext.livestream
    var subject: ShopSubject?
    var category: String?
    var licences: Set<String> = []
    var severity: Severity?
    if case .scalar = node {
      marked = try reader.nonEmptyString(node, what: "an example")
    } else {
      let e = try reader.mapping(node, what: "an example", allowed: Self.keys)
      marked = try reader.nonEmptyString(try reader.require(e, "text", in: node, what: "an example"), what: "'text'")
      if let c = e["context"] { context = try reader.oneOf(c, what: "'context'", as: TextContext.self) }
      if let s = e["shop_subject"] { subject = try reader.oneOf(s, what: "'shop_subject'", as: ShopSubject.self) }
      if let c = e["category"] {
        let name = try reader.nonEmptyString(c, what: "'category'")
        references.append(CategoryReference(name: name, location: reader.location(c)))
        category = name
      }
      if let l = e["licences"] { licences = Set(try reader.strings(l, what: "'licences'")) }
      if let s = e["severity"] {
        if !trigger { throw reader.error(s, "pass examples take no 'severity' (they must produce nothing)") }
        severity = try reader.oneOf(s, what: "'severity'", as: Severity.self)
      }
    }
    let parsed: (text: String, spans: [Range<Int>])
    do {
      parsed = try SpanMarkup.parse(marked)
    } catch {
      throw reader.error(node, error.message)
    }
    if !trigger && !parsed.spans.isEmpty { throw reader.error(node, "a pass example must not contain ⟦ ⟧ markers") }
    return RuleExample(
      text: parsed.text, marked: marked, spans: parsed.spans, context: context, shopSubject: subject,
      category: category, licences: licences, severity: severity, location: reader.sourceLocation(node))
  }
}
