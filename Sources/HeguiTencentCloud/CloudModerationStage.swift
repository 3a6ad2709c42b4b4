internal import Crypto
public import Hegui

/// Tier 3 of the risk escalation (高级): Tencent Cloud text moderation as a pipeline stage.
///
/// The stage sends the item's text to TMS `TextModeration` (split under the 10,000-character
/// limit) and maps Tencent's advice: `Block` → block, `Review` → escalate, `Pass` → pass. Every
/// keyword and label hit becomes a finding (rule `tencent.<Label>`) on its span of the original
/// text. The stage fails closed: an error of any kind — credentials, network, timeout, an
/// unusable response, a suggestion it does not know — escalates with the failure as reason, so
/// the next stage (human review) decides. Content is never passed because a call failed.
public struct CloudModerationStage: ModerationStage {
  /// The name shown in trails (`tencent`).
  public let name: String
  /// The client that calls Tencent.
  public let client: TextModerationClient
  /// What to send with every text.
  public var options: TextModerationOptions
  /// Whether an item's id is sent as `DataId` (made to fit Tencent's rules) when ``options``
  /// has none.
  public var sendsItemIDAsDataID: Bool

  /// Creates the stage.
  ///
  /// - Parameters:
  ///   - name: The stage name in trails (default `tencent`).
  ///   - client: The TMS client.
  ///   - options: Strategy (`BizType`), ids, user and device to send.
  ///   - sendsItemIDAsDataID: Send the item's id as `DataId` when `options` has none
  ///     (default `true`).
  public init(
    name: String = "tencent", client: TextModerationClient, options: TextModerationOptions = TextModerationOptions(),
    sendsItemIDAsDataID: Bool = true
  ) {
    self.name = name
    self.client = client
    self.options = options
    self.sendsItemIDAsDataID = sendsItemIDAsDataID
  }

  /// Moderates the item's text with Tencent Cloud.
  ///
  /// - Parameters:
  ///   - item: The item.
  ///   - trail: Earlier outcomes (not used: Tencent judges the text alone).
  /// - Returns: block, escalate or pass with Tencent's hits as findings; escalate on any failure.
  public func evaluate(_ item: ModerationItem, trail: [StageRecord]) async throws -> StageResult {
    var options = self.options
    if options.dataID == nil && sendsItemIDAsDataID {
      options.dataID = Self.dataID(for: item.id)
    }
    let result: TextModerationResult
    do {
      result = try await client.moderate(item.text, options: options)
    } catch {
      return StageResult(.escalate(reason: "Tencent Cloud moderation failed, a person must decide: \(error)"))
    }
    let findings = FindingLocator(text: item.text).findings(for: result.hits)
    let summary = Self.summary(of: result)
    switch result.suggestion {
    case .block?:
      return StageResult(.block(reason: "Tencent Cloud TMS: Block\(summary)"), findings: findings)
    case .review?:
      return StageResult(.escalate(reason: "Tencent Cloud TMS: Review\(summary)"), findings: findings)
    case .pass?:
      return StageResult(.pass(reason: "Tencent Cloud TMS: Pass\(summary)"), findings: findings)
    case let other?:
      return StageResult(
        .escalate(reason: "Tencent Cloud TMS returned the unknown suggestion '\(other)'\(summary)"), findings: findings)
    case nil:
      return StageResult(
        .escalate(reason: "Tencent Cloud TMS returned no Suggestion for part of the text\(summary)"),
        findings: findings)
    }
  }

  /// ` — Ad (score 100); keywords 优惠券; RequestId …`, or an empty string.
  private static func summary(of result: TextModerationResult) -> String {
    var notes: [String] = []
    let labels = result.responses.compactMap { response -> String? in
      guard let label = response.label, label != .normal else { return nil }
      return response.score.map { "\(label) (score \($0))" } ?? label.rawValue
    }
    if !labels.isEmpty { notes.append(Array(Set(labels)).sorted().joined(separator: ", ")) }
    var keywords: [String] = []
    for keyword in result.hits.compactMap(\.keyword) where !keywords.contains(keyword) { keywords.append(keyword) }
    if !keywords.isEmpty { notes.append("keywords " + keywords.joined(separator: "、")) }
    if !result.requestIDs.isEmpty { notes.append("RequestId " + result.requestIDs.joined(separator: ", ")) }
    return notes.isEmpty ? "" : " — " + notes.joined(separator: "; ")
  }

  /// An item id made to fit `DataId` (`[A-Za-z0-9_\-@#]`, at most 64): other characters become
  /// `_`; a longer id keeps its first 47 characters, `#`, and 16 hex digits of its SHA-256, so
  /// that distinct ids stay distinct.
  package static func dataID(for id: String) -> String? {
    guard !id.isEmpty else { return nil }
    let allowed = id.unicodeScalars.map { scalar -> Character in
      let isAllowed =
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
        || scalar == "_" || scalar == "-" || scalar == "@" || scalar == "#"
      return isAllowed ? Character(scalar) : "_"
    }
    if allowed.count <= 64 { return String(allowed) }
    let digest = Hex.encode(SHA256.hash(data: Array(id.utf8))).prefix(16)
    return String(allowed.prefix(47)) + "#" + digest
  }
}

/// Turns hits (Unicode-scalar ranges) into finding records (UTF-8 offsets, line, column).
struct FindingLocator {
  let text: String
  /// The UTF-8 offset of each scalar index (one more entry than there are scalars).
  private let utf8Offsets: [Int]
  /// The UTF-8 offsets where lines start.
  private let lineStarts: [Int]

  init(text: String) {
    self.text = text
    var offsets: [Int] = [0]
    var lineStarts: [Int] = [0]
    var offset = 0
    for scalar in text.unicodeScalars {
      offset += UTF8.width(scalar)
      offsets.append(offset)
      if scalar == "\n" { lineStarts.append(offset) }
    }
    self.utf8Offsets = offsets
    self.lineStarts = lineStarts
  }

  func findings(for hits: [TextModerationHit]) -> [FindingRecord] {
    hits.map(finding)
  }

  func finding(for hit: TextModerationHit) -> FindingRecord {
    let severity: Severity =
      switch hit.suggestion {
      case .block?: .block
      case .pass?: .info
      default: .review
      }
    let rule = "tencent.\(hit.label.rawValue)"
    var message = "腾讯云内容安全：\(hit.label.chineseName)"
    if hit.label.chineseName != hit.label.rawValue { message += "（\(hit.label.rawValue)）" }
    if let subLabel = hit.subLabel { message += "/\(subLabel)" }
    switch hit.suggestion {
    case .block?: message += "，建议屏蔽"
    case .review?: message += "，建议人工复审"
    case .pass?: message += "，建议通过"
    default: break
    }
    if let keyword = hit.keyword { message += "；命中「\(keyword)」" } else { message += "；语义模型判定，无关键词" }
    if let score = hit.score { message += "（分数 \(score)）" }

    guard let range = hit.scalarRange, range.upperBound < utf8Offsets.count else {
      return FindingRecord(rule: rule, severity: severity, match: hit.keyword ?? "", message: message)
    }
    let utf8Range = utf8Offsets[range.lowerBound]..<utf8Offsets[range.upperBound]
    let utf8 = text.utf8
    let start = utf8.index(utf8.startIndex, offsetBy: utf8Range.lowerBound)
    let end = utf8.index(utf8.startIndex, offsetBy: utf8Range.upperBound)
    let line = lineIndex(of: utf8Range.lowerBound)
    let lineStart = utf8.index(utf8.startIndex, offsetBy: lineStarts[line])
    let column = Substring(text.unicodeScalars[lineStart..<start]).count + 1
    return FindingRecord(
      rule: rule, severity: severity, match: String(text.unicodeScalars[start..<end]), message: message,
      utf8: utf8Range, line: line + 1, column: column)
  }

  /// The 0-based line containing a UTF-8 offset.
  private func lineIndex(of offset: Int) -> Int {
    var low = 0
    var high = lineStarts.count - 1
    while low < high {
      let mid = (low + high + 1) / 2
      if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
    }
    return low
  }
}
