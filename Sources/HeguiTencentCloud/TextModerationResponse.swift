/// Tencent's advice for a text or a label (`Suggestion`): `Block`, `Review` or `Pass`.
///
/// Values Tencent may add later are kept as they are; ``isKnown`` tells them apart.
public struct TextModerationSuggestion: RawRepresentable, Sendable, Hashable, Decodable, CustomStringConvertible {
  /// Act on the violation (建议屏蔽).
  public static let block = TextModerationSuggestion(rawValue: "Block")
  /// A person should check (建议人工复审).
  public static let review = TextModerationSuggestion(rawValue: "Review")
  /// No risk found (建议通过).
  public static let pass = TextModerationSuggestion(rawValue: "Pass")

  /// The value as Tencent sent it.
  public let rawValue: String

  /// Wraps a value.
  public init(rawValue: String) { self.rawValue = rawValue }

  /// Decodes a string.
  public init(from decoder: any Decoder) throws {
    self.rawValue = try decoder.singleValueContainer().decode(String.self)
  }

  /// Whether this is `Block`, `Review` or `Pass`.
  public var isKnown: Bool { self == .block || self == .review || self == .pass }

  /// How strong the advice is: Pass 0, Review 1, Block 2; an unknown value counts as Review,
  /// so that nothing unknown is ever taken for a pass.
  var rank: Int {
    switch self {
    case .pass: 0
    case .block: 2
    default: 1
    }
  }

  /// The value as Tencent sent it.
  public var description: String { rawValue }
}

/// A risk label (`Label`): `Normal`, `Porn`, `Abuse`, `Ad`, `Polity`, `Illegal`, `Terror`,
/// `Custom`, or any label Tencent or a custom strategy adds (kept as a string).
public struct TextModerationLabel: RawRepresentable, Sendable, Hashable, Decodable, CustomStringConvertible {
  /// No risk (正常).
  public static let normal = TextModerationLabel(rawValue: "Normal")
  /// Pornography (色情).
  public static let porn = TextModerationLabel(rawValue: "Porn")
  /// Abuse (谩骂).
  public static let abuse = TextModerationLabel(rawValue: "Abuse")
  /// Advertising (广告).
  public static let ad = TextModerationLabel(rawValue: "Ad")
  /// Politically sensitive (涉政).
  public static let polity = TextModerationLabel(rawValue: "Polity")
  /// Illegal (违法).
  public static let illegal = TextModerationLabel(rawValue: "Illegal")
  /// Terrorism and violence (暴恐).
  public static let terror = TextModerationLabel(rawValue: "Terror")
  /// A custom keyword library of your own (自定义).
  public static let custom = TextModerationLabel(rawValue: "Custom")

  /// The value as Tencent sent it.
  public let rawValue: String

  /// Wraps a value.
  public init(rawValue: String) { self.rawValue = rawValue }

  /// Decodes a string.
  public init(from decoder: any Decoder) throws {
    self.rawValue = try decoder.singleValueContainer().decode(String.self)
  }

  /// The Chinese name of a documented label, else the raw value.
  public var chineseName: String {
    switch rawValue {
    case "Normal": "正常"
    case "Porn": "色情"
    case "Abuse": "谩骂"
    case "Ad": "广告"
    case "Polity": "涉政"
    case "Illegal": "违法"
    case "Terror": "暴恐"
    case "Custom": "自定义"
    default: rawValue
    }
  }

  /// The value as Tencent sent it.
  public var description: String { rawValue }
}

/// The decoded `Response` of one successful `TextModeration` call.
///
/// Decoding is tolerant, as the API documentation demands: every field may be missing or `null`
/// (arrays then decode as empty), a field of an unexpected type decodes as `nil`, unknown keys
/// are ignored, and unknown labels and suggestions are kept as strings.
public struct TextModerationResponse: Sendable, Hashable, Decodable {
  /// Echo of the request's `BizType`.
  public var bizType: String?
  /// The advice for the whole text (`Suggestion`).
  public var suggestion: TextModerationSuggestion?
  /// The highest-priority label (`Label`).
  public var label: TextModerationLabel?
  /// The second-level label (`SubLabel`), may be empty.
  public var subLabel: String?
  /// Confidence 0–100 for the label (`Score`).
  public var score: Int?
  /// The keywords hit (`Keywords`). Empty with a score means the semantic model decided.
  public var keywords: [String]
  /// One result per label (`DetailResults`).
  public var detailResults: [TextModerationDetailResult]
  /// Account risk (`RiskDetails`).
  public var riskDetails: [TextModerationRiskDetail]
  /// Customer-specific extra information (`Extra`).
  public var extra: String?
  /// Echo of the request's `DataId`.
  public var dataID: String?
  /// Echo of the request's `SessionId`.
  public var sessionID: String?
  /// Hit snippets for the whole text (`HitSnippetInfos`).
  public var hitSnippetInfos: [TextModerationHitSnippet]
  /// Tencent's request id (`RequestId`): quote it to Tencent support.
  public var requestID: String?

  enum CodingKeys: String, CodingKey {
    case bizType = "BizType", suggestion = "Suggestion", label = "Label", subLabel = "SubLabel", score = "Score"
    case keywords = "Keywords", detailResults = "DetailResults", riskDetails = "RiskDetails", extra = "Extra"
    case dataID = "DataId", sessionID = "SessionId", hitSnippetInfos = "HitSnippetInfos", requestID = "RequestId"
  }

  /// Decodes tolerantly (see the type's discussion).
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    bizType = c.lenient(String.self, .bizType)
    suggestion = c.lenient(TextModerationSuggestion.self, .suggestion)
    label = c.lenient(TextModerationLabel.self, .label)
    subLabel = c.lenient(String.self, .subLabel)
    score = c.lenientInt(.score)
    keywords = c.lenientArray(String.self, .keywords)
    detailResults = c.lenientArray(TextModerationDetailResult.self, .detailResults)
    riskDetails = c.lenientArray(TextModerationRiskDetail.self, .riskDetails)
    extra = c.lenient(String.self, .extra)
    dataID = c.lenient(String.self, .dataID)
    sessionID = c.lenient(String.self, .sessionID)
    hitSnippetInfos = c.lenientArray(TextModerationHitSnippet.self, .hitSnippetInfos)
    requestID = c.lenient(String.self, .requestID)
  }
}

/// The result for one label (`DetailResults[]`).
public struct TextModerationDetailResult: Sendable, Hashable, Decodable {
  /// The label (`Label`).
  public var label: TextModerationLabel?
  /// The advice for this label (`Suggestion`).
  public var suggestion: TextModerationSuggestion?
  /// The keywords hit for this label (`Keywords`).
  public var keywords: [String]
  /// Confidence 0–100 (`Score`).
  public var score: Int?
  /// The library type (`LibType`): 1 black/white list, 2 custom keyword library.
  public var libType: Int?
  /// The library id (`LibId`).
  public var libID: String?
  /// The library name (`LibName`).
  public var libName: String?
  /// The second-level label (`SubLabel`).
  public var subLabel: String?
  /// Keyword tags (`Tags`).
  public var tags: [TextModerationTag]
  /// Where keywords hit (`HitInfos`).
  public var hitInfos: [TextModerationHitInfo]
  /// Hit snippets (`HitSnippetInfos`).
  public var hitSnippetInfos: [TextModerationHitSnippet]

  enum CodingKeys: String, CodingKey {
    case label = "Label", suggestion = "Suggestion", keywords = "Keywords", score = "Score", libType = "LibType"
    case libID = "LibId", libName = "LibName", subLabel = "SubLabel", tags = "Tags", hitInfos = "HitInfos"
    case hitSnippetInfos = "HitSnippetInfos"
  }

  /// Decodes tolerantly.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    label = c.lenient(TextModerationLabel.self, .label)
    suggestion = c.lenient(TextModerationSuggestion.self, .suggestion)
    keywords = c.lenientArray(String.self, .keywords)
    score = c.lenientInt(.score)
    libType = c.lenientInt(.libType)
    libID = c.lenient(String.self, .libID)
    libName = c.lenient(String.self, .libName)
    subLabel = c.lenient(String.self, .subLabel)
    tags = c.lenientArray(TextModerationTag.self, .tags)
    hitInfos = c.lenientArray(TextModerationHitInfo.self, .hitInfos)
    hitSnippetInfos = c.lenientArray(TextModerationHitSnippet.self, .hitSnippetInfos)
  }
}

/// A keyword tag (`Tag`).
public struct TextModerationTag: Sendable, Hashable, Decodable {
  /// The keyword (`Keyword`).
  public var keyword: String?
  /// Its second-level label (`SubLabel`).
  public var subLabel: String?
  /// Confidence 0–100 (`Score`).
  public var score: Int?

  enum CodingKeys: String, CodingKey {
    case keyword = "Keyword", subLabel = "SubLabel", score = "Score"
  }

  /// Decodes tolerantly.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    keyword = c.lenient(String.self, .keyword)
    subLabel = c.lenient(String.self, .subLabel)
    score = c.lenientInt(.score)
  }
}

/// Where a keyword hit (`HitInfo`).
public struct TextModerationHitInfo: Sendable, Hashable, Decodable {
  /// `Keyword`, or the kind of model that hit (`Type`).
  public var type: String?
  /// The keyword (`Keyword`).
  public var keyword: String?
  /// The library it comes from (`LibName`).
  public var libName: String?
  /// Where in the text (`Positions`).
  public var positions: [TextModerationPosition]

  enum CodingKeys: String, CodingKey {
    case type = "Type", keyword = "Keyword", libName = "LibName", positions = "Positions"
  }

  /// Decodes tolerantly.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    type = c.lenient(String.self, .type)
    keyword = c.lenient(String.self, .keyword)
    libName = c.lenient(String.self, .libName)
    positions = c.lenientArray(TextModerationPosition.self, .positions)
  }
}

/// A hit snippet (`HitSnippetInfo`).
public struct TextModerationHitSnippet: Sendable, Hashable, Decodable {
  /// The text hit (`Snippet`).
  public var snippet: String?
  /// The name of the rule atom that hit (`AtomicName`).
  public var atomicName: String?
  /// Its id (`AtomicId`).
  public var atomicID: String?
  /// Where in the text (`Positions`).
  public var positions: [TextModerationPosition]

  enum CodingKeys: String, CodingKey {
    case snippet = "Snippet", atomicName = "AtomicName", atomicID = "AtomicId", positions = "Positions"
  }

  /// Decodes tolerantly.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    snippet = c.lenient(String.self, .snippet)
    atomicName = c.lenient(String.self, .atomicName)
    atomicID = c.lenient(String.self, .atomicID)
    positions = c.lenientArray(TextModerationPosition.self, .positions)
  }
}

/// A hit position (`HitPosition`): Unicode-scalar indices into the text sent, `Start`
/// inclusive, `End` exclusive.
public struct TextModerationPosition: Sendable, Hashable, Decodable {
  /// The first scalar of the hit (`Start`).
  public var start: Int?
  /// The scalar after the hit (`End`).
  public var end: Int?

  enum CodingKeys: String, CodingKey {
    case start = "Start", end = "End"
  }

  /// Decodes tolerantly.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    start = c.lenientInt(.start)
    end = c.lenientInt(.end)
  }
}

/// Account risk (`RiskDetails[]`).
public struct TextModerationRiskDetail: Sendable, Hashable, Decodable {
  /// `RiskAccount`, `RiskIP` or `RiskIMEI` (`Label`).
  public var label: String?
  /// 1 suspicious, 2 malicious (`Level`).
  public var level: Int?

  enum CodingKeys: String, CodingKey {
    case label = "Label", level = "Level"
  }

  /// Decodes tolerantly.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    label = c.lenient(String.self, .label)
    level = c.lenientInt(.level)
  }
}

/// The `{"Response": …}` wrapper: either an error or a result.
struct ResponseEnvelope: Decodable {
  struct ServiceError: Decodable {
    var code: String?
    var message: String?

    enum CodingKeys: String, CodingKey {
      case code = "Code", message = "Message"
    }

    init(from decoder: any Decoder) throws {
      let c = try decoder.container(keyedBy: CodingKeys.self)
      code = c.lenient(String.self, .code)
      message = c.lenient(String.self, .message)
    }
  }

  struct Body: Decodable {
    var error: ServiceError?
    var requestID: String?
    var result: TextModerationResponse

    enum CodingKeys: String, CodingKey {
      case error = "Error", requestID = "RequestId"
    }

    init(from decoder: any Decoder) throws {
      let c = try decoder.container(keyedBy: CodingKeys.self)
      error = c.lenient(ServiceError.self, .error)
      requestID = c.lenient(String.self, .requestID)
      result = try TextModerationResponse(from: decoder)
    }
  }

  var response: Body

  enum CodingKeys: String, CodingKey {
    case response = "Response"
  }
}

/// Decodes an element and swallows its failure, so one bad element does not lose the array.
private struct Failable<Value: Decodable>: Decodable {
  var value: Value?

  init(from decoder: any Decoder) throws {
    value = try? Value(from: decoder)
  }
}

extension KeyedDecodingContainer {
  /// The value, or `nil` when it is missing, `null` or of another type.
  fileprivate func lenient<Value: Decodable>(_ type: Value.Type, _ key: Key) -> Value? {
    (try? decodeIfPresent(type, forKey: key)) ?? nil
  }

  /// An integer that may arrive as an integer, a float or a numeric string.
  fileprivate func lenientInt(_ key: Key) -> Int? {
    if let value = lenient(Int.self, key) { return value }
    if let value = lenient(Double.self, key), value.isFinite, abs(value) < 1e15 { return Int(value.rounded()) }
    if let text = lenient(String.self, key) { return Int(text) }
    return nil
  }

  /// The elements that decode; empty when the array is missing, `null` or not an array.
  fileprivate func lenientArray<Value: Decodable>(_ type: Value.Type, _ key: Key) -> [Value] {
    (lenient([Failable<Value>].self, key) ?? []).compactMap(\.value)
  }
}
