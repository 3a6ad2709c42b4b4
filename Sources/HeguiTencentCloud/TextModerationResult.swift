/// The outcome of moderating one text, over all of its parts, with hits located in the
/// original text.
public struct TextModerationResult: Sendable, Hashable {
  /// The text moderated.
  public var text: String
  /// The strongest advice over all parts: `Block` if any part says Block; else `Review` or a
  /// value this library does not know if any part says so; else `Pass`. `nil` when a part came
  /// back without a `Suggestion` and no part says Block: nothing unknown is taken for a pass.
  public var suggestion: TextModerationSuggestion?
  /// The raw response of each part, in order (for audit: each carries its `RequestId`).
  public var responses: [TextModerationResponse]
  /// Every keyword and label hit, in the order Tencent listed them, with ranges in the
  /// original text.
  public var hits: [TextModerationHit]

  /// Creates a result.
  public init(
    text: String, suggestion: TextModerationSuggestion?, responses: [TextModerationResponse],
    hits: [TextModerationHit]
  ) {
    self.text = text
    self.suggestion = suggestion
    self.responses = responses
    self.hits = hits
  }

  /// The request ids of all parts.
  public var requestIDs: [String] { responses.compactMap(\.requestID) }

  /// The labels Tencent gave the text (top-level `Label` of each part), without `Normal` and
  /// without repeats.
  public var labels: [TextModerationLabel] {
    var seen: Set<TextModerationLabel> = []
    return responses.compactMap(\.label).filter { $0 != .normal && seen.insert($0).inserted }
  }

  /// Merges the suggestions of the parts (see ``suggestion``).
  static func merge(_ suggestions: [TextModerationSuggestion?]) -> TextModerationSuggestion? {
    if suggestions.contains(.block) { return .block }
    if suggestions.contains(where: { $0 == nil }) { return nil }
    let known = suggestions.compactMap { $0 }
    return known.first(where: { !$0.isKnown }) ?? (known.contains(.review) ? .review : .pass)
  }
}

/// One hit: a label, the advice for it, and where in the original text, when Tencent said or
/// the keyword could be found.
public struct TextModerationHit: Sendable, Hashable {
  /// The label (`DetailResults[].Label`).
  public var label: TextModerationLabel
  /// The second-level label, when there is one.
  public var subLabel: String?
  /// The advice for this label.
  public var suggestion: TextModerationSuggestion?
  /// Confidence 0–100.
  public var score: Int?
  /// The keyword or snippet hit; `nil` when the semantic model decided without one.
  public var keyword: String?
  /// The keyword library, when Tencent named it.
  public var libName: String?
  /// Unicode-scalar offsets into the original text (start inclusive, end exclusive); `nil`
  /// when the hit has no place.
  public var scalarRange: Range<Int>?
  /// The index of the part the hit came from.
  public var part: Int

  /// Creates a hit.
  public init(
    label: TextModerationLabel, subLabel: String? = nil, suggestion: TextModerationSuggestion?, score: Int? = nil,
    keyword: String? = nil, libName: String? = nil, scalarRange: Range<Int>? = nil, part: Int = 0
  ) {
    self.label = label
    self.subLabel = subLabel
    self.suggestion = suggestion
    self.score = score
    self.keyword = keyword
    self.libName = libName
    self.scalarRange = scalarRange
    self.part = part
  }
}

/// Collects the hits of one part's response and maps their positions to the whole text.
///
/// Positions come from `DetailResults[].HitInfos[].Positions` and `HitSnippetInfos`; a keyword
/// without a valid position is looked up in the part's text (every occurrence); a label that is
/// not Pass but has no keyword (the semantic model) becomes a hit without a place. Positions
/// outside the part are ignored, never trusted.
struct HitCollector {
  let part: TextSplitter.Part
  let partIndex: Int
  let response: TextModerationResponse
  private let scalars: [Unicode.Scalar]

  init(part: TextSplitter.Part, partIndex: Int, response: TextModerationResponse) {
    self.part = part
    self.partIndex = partIndex
    self.response = response
    self.scalars = Array(part.text.unicodeScalars)
  }

  func hits() -> [TextModerationHit] {
    var hits: [TextModerationHit] = []
    var seen: Set<TextModerationHit> = []
    func add(_ hit: TextModerationHit) {
      if seen.insert(hit).inserted { hits.append(hit) }
    }
    var located: Set<String> = []

    for detail in response.detailResults {
      let label = detail.label ?? response.label ?? TextModerationLabel(rawValue: "Unknown")
      let suggestion = detail.suggestion ?? response.suggestion
      func hit(_ keyword: String?, libName: String?, range: Range<Int>?) -> TextModerationHit {
        TextModerationHit(
          label: label, subLabel: detail.subLabel.flatMap { $0.isEmpty ? nil : $0 }, suggestion: suggestion,
          score: detail.score, keyword: keyword, libName: libName.flatMap { $0.isEmpty ? nil : $0 },
          scalarRange: range, part: partIndex)
      }
      var keywordsOfDetail: Set<String> = []
      var detailHasHit = false
      let positioned =
        detail.hitInfos.map { ($0.keyword, $0.libName ?? detail.libName, $0.positions) }
        + detail.hitSnippetInfos.map { ($0.snippet, detail.libName, $0.positions) }
      for (keyword, libName, positions) in positioned {
        let keyword = keyword.flatMap { $0.isEmpty ? nil : $0 }
        let ranges = positions.compactMap(validRange)
        if !ranges.isEmpty {
          for range in ranges { add(hit(keyword, libName: libName, range: mapped(range))) }
        } else if let keyword {
          let found = occurrences(of: keyword)
          if found.isEmpty { add(hit(keyword, libName: libName, range: nil)) }
          for range in found { add(hit(keyword, libName: libName, range: mapped(range))) }
        } else {
          continue
        }
        detailHasHit = true
        if let keyword {
          keywordsOfDetail.insert(keyword)
          located.insert(keyword)
        }
      }
      for keyword in detail.keywords where !keyword.isEmpty && !keywordsOfDetail.contains(keyword) {
        let ranges = occurrences(of: keyword)
        if ranges.isEmpty {
          add(hit(keyword, libName: detail.libName, range: nil))
        }
        for range in ranges { add(hit(keyword, libName: detail.libName, range: mapped(range))) }
        located.insert(keyword)
        detailHasHit = true
      }
      if !detailHasHit, let suggestion, suggestion != .pass {
        add(hit(nil, libName: detail.libName, range: nil))
      }
    }

    // Top-level keywords and snippets that no detail result accounted for.
    let label = response.label ?? TextModerationLabel(rawValue: "Unknown")
    func topHit(_ keyword: String?, range: Range<Int>?) -> TextModerationHit {
      TextModerationHit(
        label: label, subLabel: response.subLabel.flatMap { $0.isEmpty ? nil : $0 }, suggestion: response.suggestion,
        score: response.score, keyword: keyword, scalarRange: range, part: partIndex)
    }
    for snippet in response.hitSnippetInfos {
      guard let text = snippet.snippet, !text.isEmpty, !located.contains(text) else { continue }
      let ranges = snippet.positions.compactMap(validRange)
      for range in ranges.isEmpty ? occurrences(of: text) : ranges { add(topHit(text, range: mapped(range))) }
      located.insert(text)
    }
    for keyword in response.keywords where !keyword.isEmpty && !located.contains(keyword) {
      let ranges = occurrences(of: keyword)
      if ranges.isEmpty { add(topHit(keyword, range: nil)) }
      for range in ranges { add(topHit(keyword, range: mapped(range))) }
      located.insert(keyword)
    }
    if hits.isEmpty, let suggestion = response.suggestion, suggestion != .pass {
      add(topHit(nil, range: nil))
    }
    return hits
  }

  /// A position as a range in the part, if it is inside the part and not empty.
  private func validRange(_ position: TextModerationPosition) -> Range<Int>? {
    guard let start = position.start, let end = position.end, start >= 0, start < end, end <= scalars.count else {
      return nil
    }
    return start..<end
  }

  /// A range in the part as a range in the whole text.
  private func mapped(_ range: Range<Int>) -> Range<Int> {
    (range.lowerBound + part.scalarOffset)..<(range.upperBound + part.scalarOffset)
  }

  /// Every non-overlapping occurrence of `keyword` in the part, as scalar ranges.
  private func occurrences(of keyword: String) -> [Range<Int>] {
    let needle = Array(keyword.unicodeScalars)
    guard !needle.isEmpty, needle.count <= scalars.count else { return [] }
    var ranges: [Range<Int>] = []
    var index = 0
    while index + needle.count <= scalars.count {
      if scalars[index] == needle[0] && Array(scalars[index..<(index + needle.count)]) == needle {
        ranges.append(index..<(index + needle.count))
        index += needle.count
      } else {
        index += 1
      }
    }
    return ranges
  }
}
