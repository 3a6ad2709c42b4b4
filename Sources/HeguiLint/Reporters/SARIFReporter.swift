import Foundation
import Hegui

extension LintReport {
  /// SARIF 2.1.0 as GitHub code scanning accepts it. Columns are UTF-16 code units
  /// (`columnKind: utf16CodeUnits`), which is what GitHub's UI counts; emoji before a match
  /// therefore count 2.
  func renderSARIF() -> String {
    var ruleIndex: [String: Int] = [:]
    var rules: [[String: Any]] = []
    func descriptor(for id: String, finding: Finding?) -> Int {
      if let index = ruleIndex[id] { return index }
      let rule = ruleset.rule(withID: id)
      // A rule's description is about every match: its placeholders name what they stand for.
      let message =
        rule.map {
          $0.message.replacingOccurrences(of: "“{match}”", with: "该用语").replacingOccurrences(of: "{match}", with: "该用语")
            .replacingOccurrences(of: "{contact}", with: "联系方式")
        } ?? finding?.message ?? id
      let basis = rule?.basis ?? finding?.basis ?? []
      let suggestions = rule?.suggestions ?? []
      var markdown = "**\(id)**\n\n\(message)"
      if !basis.isEmpty { markdown += "\n\n依据 (basis): " + basis.joined(separator: "；") }
      if rule?.policy == .platform { markdown += "（平台规则 platform policy）" }
      if !suggestions.isEmpty { markdown += "\n\n建议改为 (suggestions): " + suggestions.joined(separator: " / ") }
      var text = message
      if !basis.isEmpty { text += " 依据: " + basis.joined(separator: "；") }
      let severity = rule?.severity ?? finding?.severity ?? .review
      var tags = ["compliance"]
      if let pack = rule?.pack { tags.append(pack) }
      if let kind = rule?.kind.rawValue ?? finding?.kind.rawValue { tags.append(kind) }
      rules.append([
        "id": id,
        "name": LintReport.sarifName(id),
        "shortDescription": ["text": String(message.prefix(1000))],
        "fullDescription": ["text": String(text.prefix(1000))],
        "help": ["text": text, "markdown": markdown],
        "defaultConfiguration": ["level": LintReport.sarifLevel(severity)],
        "properties": ["tags": tags, "precision": severity == .block ? "high" : "medium"],
      ])
      ruleIndex[id] = rules.count - 1
      return rules.count - 1
    }
    for rule in ruleset.rules { _ = descriptor(for: rule.id, finding: nil) }

    var results: [[String: Any]] = []
    var occurrences: [String: Int] = [:]
    for file in files {
      for f in file.findings {
        let index = descriptor(for: f.finding.ruleID, finding: f.finding)
        var region: [String: Any] = ["startLine": f.line]
        if let columns = f.utf16Columns {
          region["startColumn"] = columns.lowerBound + 1
          if f.endLine == f.line {
            region["endLine"] = f.line
            region["endColumn"] = max(columns.upperBound, columns.lowerBound + 1) + 1
          }
        }
        let lineKey = "\(f.finding.ruleID)|\(f.sourceLine.trimmingCharacters(in: .whitespaces))"
        let hash = LintReport.fnv1a(lineKey)
        let occurrence = occurrences[hash, default: 0] + 1
        occurrences[hash] = occurrence
        var message = f.finding.message
        if !f.finding.match.isEmpty { message = "“\(f.finding.match)”：" + message }
        if !f.finding.suggestions.isEmpty { message += " 建议改为：" + f.finding.suggestions.joined(separator: " / ") }
        if let record = f.record {
          message += "（记录 \(record)\(f.recordID.map { " id=\($0)" } ?? "")，字段 \(f.field ?? "")）"
        }
        results.append([
          "ruleId": f.finding.ruleID,
          "ruleIndex": index,
          "level": LintReport.sarifLevel(f.finding.severity),
          "message": ["text": message],
          "locations": [
            ["physicalLocation": ["artifactLocation": ["uri": LintReport.uri(file.path)], "region": region]]
          ],
          "partialFingerprints": ["primaryLocationLineHash": "\(hash):\(occurrence)"],
        ])
      }
    }
    let notifications: [[String: Any]] = files.flatMap { file in
      file.errors.map { error -> [String: Any] in
        var location: [String: Any] = ["artifactLocation": ["uri": LintReport.uri(file.path)]]
        if let line = error.location?.line { location["region"] = ["startLine": line] }
        return ["level": "error", "message": ["text": error.message], "locations": [["physicalLocation": location]]]
      }
    }
    var invocation: [String: Any] = ["executionSuccessful": errorCount == 0]
    if !notifications.isEmpty { invocation["toolExecutionNotifications"] = notifications }
    let log: [String: Any] = [
      "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
      "version": "2.1.0",
      "runs": [
        [
          "tool": [
            "driver": [
              "name": "hegui", "semanticVersion": toolVersion,
              "rules": rules,
            ]
          ],
          "columnKind": "utf16CodeUnits",
          "invocations": [invocation],
          "results": results,
        ]
      ],
    ]
    guard
      let data = try? JSONSerialization.data(
        withJSONObject: log, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
    else { return "{}\n" }
    return String(decoding: data, as: UTF8.self) + "\n"
  }

  static func sarifLevel(_ severity: Severity) -> String {
    switch severity {
    case .block: "error"
    case .review: "warning"
    case .info: "note"
    }
  }

  static func sarifName(_ id: String) -> String {
    id.split(whereSeparator: { $0 == "." || $0 == "-" }).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
  }

  static func uri(_ path: String) -> String {
    var p = path
    while p.hasPrefix("./") { p.removeFirst(2) }
    return p.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? p
  }

  static func fnv1a(_ s: String) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in s.utf8 {
      hash ^= UInt64(byte)
      hash = hash &* 0x100_0000_01b3
    }
    return String(hash, radix: 16)
  }
}
