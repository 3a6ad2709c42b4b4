import Foundation
import Hegui

extension LintReport {
  /// One self-contained HTML page to hand to someone: counts by severity and by rule, then each
  /// file's texts with every finding highlighted on its exact characters, and under each text the
  /// findings with message, suggestions, legal basis and notes.
  ///
  /// Nothing is loaded from elsewhere and nothing runs: the styles are inline, there is no
  /// script, and a Content-Security-Policy forbids both. Every piece of text from the files is
  /// HTML-escaped, and control and bidirectional characters are shown visibly
  /// (``TerminalSafe``), so a text can neither inject markup nor display differently from what
  /// was checked.
  ///
  /// - Parameters:
  ///   - generated: When the report was made.
  ///   - timeZone: The time zone the time is shown in (default Asia/Shanghai).
  func renderHTML(generated: Date, timeZone: TimeZone) -> String {
    let c = tally
    var out = """
      <!DOCTYPE html>
      <html lang="zh-CN">
      <head>
      <meta charset="utf-8">
      <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <meta name="generator" content="hegui \(HTML.escape(toolVersion))">
      <title>Hegui 合规检查报告</title>
      <style>\(HTML.style)</style>
      </head>
      <body>
      <header><h1>Hegui 合规检查报告 <small>compliance report</small></h1>
      <p class="meta">hegui \(HTML.escape(toolVersion)) · 生成于 \(HTML.escape(HTML.time(generated, timeZone))) · \
      \(c.files) 个文件 (files)</p></header>

      """
    out += "<section id=\"summary\"><h2>汇总 Summary</h2>\n<table class=\"counts\"><tr>"
    let total = c.counts.values.reduce(0, +)
    out += "<th>全部 findings</th><td id=\"count-all\">\(total)</td>"
    for severity in [Severity.block, .review, .info] {
      out += "<th class=\"\(severity.rawValue)\">\(HTML.label(severity))</th>"
      out += "<td id=\"count-\(severity.rawValue)\">\(c.counts[severity] ?? 0)</td>"
    }
    out += "<th>输入错误 input errors</th><td id=\"count-errors\">\(c.errors)</td></tr></table>\n"
    if !c.byRule.isEmpty {
      out += "<table class=\"rules\"><thead><tr><th>规则 rule</th><th>合计 total</th>"
      out +=
        "<th class=\"block\">block</th><th class=\"review\">review</th><th class=\"info\">info</th></tr></thead><tbody>\n"
      struct Row {
        var rule: String
        var severities: [Severity: Int]
        var count: Int
      }
      var rows: [Row] = []
      for (rule, severities) in c.byRule {
        rows.append(Row(rule: rule, severities: severities, count: severities.values.reduce(0, +)))
      }
      rows.sort { a, b in a.count != b.count ? a.count > b.count : a.rule < b.rule }
      for row in rows {
        out += "<tr><td><code>\(HTML.escape(row.rule))</code></td><td>\(row.count)</td>"
        for severity in [Severity.block, .review, .info] { out += "<td>\(row.severities[severity] ?? 0)</td>" }
        out += "</tr>\n"
      }
      out += "</tbody></table>\n"
    }
    out += "</section>\n"

    for (n, file) in files.enumerated() {
      out += "<section class=\"file\" id=\"file-\(n + 1)\"><h2>\(HTML.text(file.path))"
      out += " <small>\(file.findings.count) 条 findings</small></h2>\n"
      if !file.errors.isEmpty {
        out += "<ul class=\"errors\">"
        for error in file.errors { out += "<li>\(HTML.text(error.description))</li>" }
        out += "</ul>\n"
      }
      if file.findings.isEmpty && file.errors.isEmpty { out += "<p class=\"clean\">未发现问题 (no findings)</p>\n" }
      var start = 0
      let findings = file.findings
      while start < findings.count {
        // One text: the findings on one line of a script, or in one field of one record.
        var end = start + 1
        while end < findings.count && HTML.sameText(findings[start], findings[end]) { end += 1 }
        out += HTML.text(findings[start..<end])
        start = end
      }
      out += "</section>\n"
    }
    out += "<footer><p>\(HTML.escape(c.summary))</p></footer>\n</body>\n</html>\n"
    return out
  }
}

/// Building the HTML report.
enum HTML {
  static let style = """
    body{font:15px/1.6 -apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;\
    margin:2em auto;max-width:60em;padding:0 1em;color:#222}
    h1 small,h2 small{font-weight:normal;color:#777;font-size:60%}
    .meta{color:#666}
    table{border-collapse:collapse;margin:.5em 0 1.5em}
    th,td{border:1px solid #ddd;padding:.25em .6em;text-align:left}
    td{text-align:right}td:first-child{text-align:left}
    th.block{color:#b00020}th.review{color:#a05a00}th.info{color:#1a5fb4}
    .file{border-top:2px solid #eee;margin-top:1.5em}
    .text{margin:1em 0;padding:.5em 1em;background:#fafafa;border-left:4px solid #ddd}
    .loc{color:#666;font-size:90%}
    .source{font-size:110%;white-space:pre-wrap;word-break:break-all;margin:.3em 0}
    mark{padding:0 .1em;border-radius:2px}
    mark.block{background:#ffd6dc;box-shadow:inset 0 -2px #b00020}
    mark.review{background:#ffe9c2;box-shadow:inset 0 -2px #a05a00}
    mark.info{background:#dce9fb;box-shadow:inset 0 -2px #1a5fb4}
    .findings{margin:.3em 0;padding-left:1.4em}
    .findings li{margin:.3em 0}
    .sev{font-weight:bold;text-transform:uppercase;font-size:80%}
    li.block .sev{color:#b00020}li.review .sev{color:#a05a00}li.info .sev{color:#1a5fb4}
    .detail{color:#444;font-size:92%}
    .errors{color:#b00020}
    .clean{color:#2e7d32}
    footer{margin-top:2em;color:#666;border-top:1px solid #eee}
    """

  /// `&`, `<`, `>`, `"` and `'` as entities.
  static func escape(_ text: some StringProtocol) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for c in text.unicodeScalars {
      switch c {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      default: out.unicodeScalars.append(c)
      }
    }
    return out
  }

  /// Text from the files or rules: controls shown visibly, then escaped.
  static func text(_ text: some StringProtocol) -> String { escape(TerminalSafe.escape(text)) }

  static func label(_ severity: Severity) -> String {
    switch severity {
    case .block: "block 拦截"
    case .review: "review 复核"
    case .info: "info 提示"
    }
  }

  static func time(_ date: Date, _ timeZone: TimeZone) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = timeZone
    formatter.dateFormat = "yyyy-MM-dd HH:mm:ss xxx"
    return formatter.string(from: date) + " (\(timeZone.identifier))"
  }

  /// Whether two findings (in file order) are on the same text.
  static func sameText(_ a: LintFinding, _ b: LintFinding) -> Bool {
    a.line == b.line && a.record == b.record && a.field == b.field && a.sourceLine == b.sourceLine
  }

  /// One text with its findings' spans marked, then the findings.
  static func text(_ findings: ArraySlice<LintFinding>) -> String {
    guard let first = findings.first else { return "" }
    var out = "<div class=\"text\">\n<div class=\"loc\">"
    if let record = first.record {
      out += "记录 record \(record)" + (first.recordID.map { "（id \(text($0))）" } ?? "")
      out += " · 字段 field \(text(first.field ?? ""))"
    } else {
      out += "第 \(first.line) 行 (line \(first.line))"
    }
    out += "</div>\n"
    if !first.sourceLine.isEmpty {
      out += "<p class=\"source\">" + marked(first.sourceLine, findings) + "</p>\n"
    }
    out += "<ol class=\"findings\">\n"
    for f in findings {
      let finding = f.finding
      out += "<li class=\"\(finding.severity.rawValue)\"><span class=\"sev\">\(finding.severity.rawValue)</span> "
      out += "<code>\(text(finding.ruleID))</code> "
      if f.endLine > f.line { out += "<span class=\"loc\">\(f.line):\(f.column)–\(f.endLine):\(f.endColumn)</span> " }
      out += "<span class=\"message\">\(text(finding.message))</span>"
      if !finding.suggestions.isEmpty {
        out += "<div class=\"detail\">建议改为 suggestions: \(text(finding.suggestions.joined(separator: " / ")))"
        if let fix = finding.fix { out += "（--fix: “\(text(fix))”）" }
        out += "</div>"
      }
      if !finding.basis.isEmpty {
        out += "<div class=\"detail\">依据 basis: \(text(finding.basis.joined(separator: "；")))</div>"
      }
      if let note = finding.note { out += "<div class=\"detail\">说明 note: \(text(note))</div>" }
      out += "</li>\n"
    }
    out += "</ol>\n</div>\n"
    return out
  }

  /// `line` with each finding's characters in a `<mark>` (overlapping spans merged, coloured by
  /// the gravest severity among them, titled with their rule ids).
  static func marked(_ line: String, _ findings: ArraySlice<LintFinding>) -> String {
    let characters = Array(line)
    var spans: [(range: Range<Int>, severity: Severity, rules: [String])] = []
    for f in findings {
      guard let columns = f.sourceColumns else { continue }
      let lower = min(max(0, columns.lowerBound), characters.count)
      let upper = min(max(lower, columns.upperBound), characters.count)
      guard lower < upper else { continue }
      spans.append((lower..<upper, f.finding.severity, [f.finding.ruleID]))
    }
    spans.sort { $0.range.lowerBound < $1.range.lowerBound }
    var merged: [(range: Range<Int>, severity: Severity, rules: [String])] = []
    for span in spans {
      if let last = merged.last, span.range.lowerBound < last.range.upperBound {
        merged[merged.count - 1] = (
          last.range.lowerBound..<max(last.range.upperBound, span.range.upperBound), max(last.severity, span.severity),
          last.rules + span.rules.filter { !last.rules.contains($0) }
        )
      } else {
        merged.append(span)
      }
    }
    var out = ""
    var position = 0
    for span in merged {
      out += text(String(characters[position..<span.range.lowerBound]))
      out += "<mark class=\"\(span.severity.rawValue)\" title=\"\(escape(span.rules.joined(separator: ", ")))\">"
      out += text(String(characters[span.range])) + "</mark>"
      position = span.range.upperBound
    }
    out += text(String(characters[position...]))
    return out
  }
}
