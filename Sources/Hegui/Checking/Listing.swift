/// A product listing: the texts a shop publishes for one item and the facts that decide which
/// rules apply to them.
public struct Listing: Sendable, Hashable, Codable {
  /// The item's id in the shop, when known.
  public var id: String?
  /// Title (checked in the `title` context).
  public var title: String?
  /// Description (checked in the `description` context).
  public var description: String?
  /// Category id (`food`) or Chinese name (`食品`).
  public var category: String?
  /// The shop's legal form.
  public var shopSubject: ShopSubject?
  /// Licences the shop declares for this item.
  public var licences: Set<String>

  /// Creates a listing.
  public init(
    id: String? = nil, title: String? = nil, description: String? = nil, category: String? = nil,
    shopSubject: ShopSubject? = nil, licences: Set<String> = []
  ) {
    self.id = id
    self.title = title
    self.description = description
    self.category = category
    self.shopSubject = shopSubject
    self.licences = licences
  }
}

/// A text field of a listing.
public enum ListingField: String, Sendable, Hashable, Codable, CaseIterable {
  /// The title.
  case title
  /// The description.
  case description

  /// The context the field is checked in.
  public var context: TextContext {
    switch self {
    case .title: .title
    case .description: .description
    }
  }
}

/// The result of checking one listing (``Checker/check(listing:context:)``).
public struct ListingResult: Sendable, Hashable, Codable {
  /// One checked text field.
  public struct Field: Sendable, Hashable, Codable {
    /// Which field.
    public let field: ListingField
    /// Its text, as checked (spans point into it).
    public let text: String
    /// The findings on the text and the diagnostics of its check (no category findings).
    public let result: CheckResult

    private enum CodingKeys: String, CodingKey {
      case field, text, result
    }

    init(field: ListingField, text: String, result: CheckResult) {
      self.field = field
      self.text = text
      self.result = result
    }

    /// Decodes a field; its spans are rebuilt against its own `text`.
    public init(from decoder: any Decoder) throws {
      let container = try decoder.container(keyedBy: CodingKeys.self)
      field = try container.decode(ListingField.self, forKey: .field)
      let text = try container.decode(String.self, forKey: .text)
      self.text = text
      result = try TextSpan.$checkedText.withValue(text) {
        try container.decode(CheckResult.self, forKey: .result)
      }
    }
  }

  /// Findings about the listing's facts (category rules), once for the listing.
  public let metadata: [Finding]
  /// The title and description, in that order, where the listing has them.
  public let fields: [Field]
  /// Problems with the listing's facts (an unknown category), once for the listing.
  public let diagnostics: [Diagnostic]

  /// The verdict over the facts and every field.
  public var verdict: Verdict {
    var verdict = CheckResult(findings: metadata, diagnostics: diagnostics).verdict
    for field in fields { verdict = max(verdict, field.result.verdict) }
    return verdict
  }
}
