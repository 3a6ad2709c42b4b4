import Foundation

/// The result table, printed as Markdown so it can be pasted into `Docs/performance.md`.
struct Report {
  struct Row {
    var measurement: String
    var figure: String
    var baseline: String = ""
    var ratio: String = ""
    var target: String = ""
    var result: String = ""
  }

  private(set) var rows: [Row] = []
  private(set) var failures = 0

  mutating func info(_ measurement: String, _ figure: String, baseline: String = "", ratio: String = "") {
    rows.append(Row(measurement: measurement, figure: figure, baseline: baseline, ratio: ratio))
  }

  /// A row with a target: `passed` decides PASS or FAIL.
  mutating func target(
    _ measurement: String, _ figure: String, baseline: String = "", ratio: String = "", target: String, passed: Bool
  ) {
    if !passed { failures += 1 }
    rows.append(
      Row(
        measurement: measurement, figure: figure, baseline: baseline, ratio: ratio, target: target,
        result: passed ? "PASS" : "FAIL"))
  }

  func markdown() -> String {
    let header = Row(
      measurement: "Measurement", figure: "Figure", baseline: "Baseline (same run)", ratio: "Ratio", target: "Target",
      result: "Result")
    let all = [header] + rows
    func cells(_ row: Row) -> [String] {
      [row.measurement, row.figure, row.baseline, row.ratio, row.target, row.result]
    }
    var widths = [Int](repeating: 0, count: 6)
    for row in all {
      for (index, cell) in cells(row).enumerated() { widths[index] = max(widths[index], cell.count) }
    }
    func line(_ values: [String]) -> String {
      "| "
        + values.enumerated().map { $1 + String(repeating: " ", count: widths[$0] - $1.count) }
        .joined(separator: " | ") + " |"
    }
    var lines = [line(cells(header))]
    lines.append("|" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "|") + "|")
    for row in rows { lines.append(line(cells(row))) }
    return lines.joined(separator: "\n")
  }
}

enum Format {
  static func mbps(_ bytes: Int, _ seconds: Double) -> String {
    let rate = Double(bytes) / seconds / 1e6
    return rate >= 1 ? String(format: "%.1f MB/s", rate) : String(format: "%.1f KB/s", rate * 1000)
  }

  static func ratio(_ value: Double) -> String {
    String(format: value >= 100 ? "%.0f×" : "%.2f×", value)
  }

  static func megabytes(kilobytes: Int) -> String {
    String(format: "%.1f MB", Double(kilobytes) * 1024 / 1e6)
  }

  static func ms(_ value: Double) -> String {
    String(format: value < 10 ? "%.2f ms" : "%.1f ms", value)
  }

  static func us(_ value: Double) -> String {
    String(format: "%.1f µs", value)
  }

  static func count(_ value: Int) -> String {
    let digits = String(value)
    var out = ""
    for (index, character) in digits.enumerated() {
      if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
      out.append(character)
    }
    return out
  }
}
