public import Foundation
public import Hegui

/// The findings a project has accepted for now, so that an old catalogue can adopt Hegui and be
/// told only about what is new (`hegui lint --write-baseline FILE`, then `--baseline FILE`).
///
/// A finding is recorded by its file, its rule and a fingerprint of the matched text with what
/// surrounds it on its line (or in its listing field) — never by line number, so a finding that
/// moved when lines were added above it still matches, while the same wording added in a new
/// place does not. Identical findings in one file are counted: the baseline absorbs as many as
/// it recorded, and a further copy is new.
///
/// Paths are relative to the baseline file's folder, so the baseline holds wherever `hegui` is
/// run from. The file is JSON (sorted, one entry per line) and meant to be committed and
/// reviewed like code.
public struct Baseline: Sendable, Equatable {
  /// One accepted finding (with how many identical ones there were).
  public struct Entry: Sendable, Hashable, Codable {
    /// The file, relative to the baseline's folder (`/`-separated), or as displayed when it lies
    /// outside it (standard input).
    public var path: String
    /// The rule id.
    public var rule: String
    /// The fingerprint of the match and its surroundings (``Baseline/fingerprint(of:)``).
    public var fingerprint: String
    /// The matched text, for people reading the file.
    public var match: String
    /// How many identical findings the file had.
    public var count: Int
  }

  /// The version of the file format this reads and writes.
  public static let formatVersion = 1
  /// Characters of the line kept on each side of the match in a fingerprint.
  static let surroundings = 12

  /// The accepted findings, sorted by path, rule and fingerprint.
  public private(set) var entries: [Entry]

  /// A baseline of `findings`, each with the path it is recorded under.
  public init(findings: [(path: String, finding: LintFinding)]) {
    var counts: [Key: (match: String, count: Int)] = [:]
    var lines = LineCache()
    for (path, finding) in findings {
      let key = Key(path: path, rule: finding.finding.ruleID, fingerprint: Baseline.fingerprint(of: finding, &lines))
      counts[key, default: (finding.finding.match, 0)].count += 1
    }
    entries = counts.map {
      Entry(
        path: $0.key.path, rule: $0.key.rule, fingerprint: $0.key.fingerprint, match: $0.value.match,
        count: $0.value.count)
    }.sorted { ($0.path, $0.rule, $0.fingerprint) < ($1.path, $1.rule, $1.fingerprint) }
  }

  /// The fingerprint of a finding: its rule, listing field, matched text and up to 12 characters
  /// on each side of it within its line (whitespace removed, so re-indenting keeps it).
  public static func fingerprint(of finding: LintFinding) -> String {
    var lines = LineCache()
    return fingerprint(of: finding, &lines)
  }

  /// The characters of the last line fingerprinted: findings on one line (or one long listing
  /// field) come together, and the line is split into characters once for all of them.
  struct LineCache {
    private var line = ""
    private var characters: [Character] = []

    mutating func characters(of text: String) -> [Character] {
      if text != line || characters.isEmpty && !text.isEmpty {
        line = text
        characters = Array(text)
      }
      return characters
    }
  }

  static func fingerprint(of finding: LintFinding, _ lines: inout LineCache) -> String {
    var before = ""
    var after = ""
    if let columns = finding.sourceColumns {
      let characters = lines.characters(of: finding.sourceLine)
      let lower = min(max(columns.lowerBound, 0), characters.count)
      let upper = min(max(columns.upperBound, lower), characters.count)
      before = String(characters[max(0, lower - surroundings)..<lower])
      after = String(characters[upper..<min(characters.count, upper + surroundings)])
    }
    let squeezed = { (s: String) in s.filter { !$0.isWhitespace } }
    let key = [finding.finding.ruleID, finding.field ?? "", squeezed(before), finding.finding.match, squeezed(after)]
      .joined(separator: "\u{1F}")
    return LintReport.fnv1a(key)
  }

  /// Reads a baseline file.
  ///
  /// - Throws: `HeguiError` (`io` when it cannot be read, `invalidInput` when it is not a
  ///   baseline of a version this reads), naming the file.
  public static func load(_ url: URL, displayPath: String) throws(HeguiError) -> Baseline {
    let data: Data
    do {
      data = try Data(contentsOf: url)
    } catch {
      throw HeguiError(
        .io, "cannot read the baseline: \((error as NSError).localizedDescription)", at: .init(path: displayPath))
    }
    struct File: Decodable {
      var version: Int
      var findings: [Entry]
    }
    let file: File
    do {
      file = try JSONDecoder().decode(File.self, from: data)
    } catch {
      throw HeguiError(
        .invalidInput, "not a Hegui baseline (write one with --write-baseline): \(Baseline.reason(error))",
        at: .init(path: displayPath))
    }
    guard file.version == formatVersion else {
      throw HeguiError(
        .invalidInput, "baseline version \(file.version) is not supported (expected \(formatVersion))",
        at: .init(path: displayPath))
    }
    if let bad = file.findings.first(where: { $0.count < 1 || $0.rule.isEmpty || $0.fingerprint.isEmpty }) {
      throw HeguiError(
        .invalidInput, "an entry for '\(bad.path)' has no rule, no fingerprint or a count below 1",
        at: .init(path: displayPath))
    }
    var baseline = Baseline(findings: [])
    baseline.entries = file.findings
    return baseline
  }

  /// The file's text: a versioned JSON object, one entry per line, sorted.
  public func rendered(toolVersion: String) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let lines = entries.map { String(decoding: (try? encoder.encode($0)) ?? Data(), as: UTF8.self) }
    var text = "{\n\"version\": \(Baseline.formatVersion),\n\"tool\": \"hegui \(toolVersion)\",\n\"findings\": [\n"
    text += lines.joined(separator: ",\n")
    text += lines.isEmpty ? "]\n}\n" : "\n]\n}\n"
    return text
  }

  /// How many findings it holds (counting identical ones).
  public var count: Int { entries.reduce(0) { $0 + $1.count } }

  private struct Key: Hashable {
    var path: String
    var rule: String
    var fingerprint: String
  }

  private static func reason(_ error: any Error) -> String {
    switch error {
    case DecodingError.keyNotFound(let key, let context):
      return "no '\(key.stringValue)'" + (context.codingPath.isEmpty ? "" : " in \(path(context.codingPath))")
    case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
      return "'\(path(context.codingPath))' has the wrong type"
    case DecodingError.dataCorrupted(let context):
      return context.codingPath.isEmpty ? "not JSON" : "'\(path(context.codingPath))' is invalid"
    default:
      return "\(error)"
    }
  }

  private static func path(_ codingPath: [any CodingKey]) -> String {
    codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
  }

  /// Takes findings out of a run as long as the baseline has them, and remembers what it took.
  public final class Filter: @unchecked Sendable {
    // @unchecked: fed one piece at a time by the run (LintRun hands events on in order).
    private var remaining: [Key: Int] = [:]
    private var seen: Set<String> = []
    private var lines = LineCache()
    /// How many findings matched the baseline and were left out.
    public private(set) var absorbed = 0

    /// A filter for `baseline`.
    public init(_ baseline: Baseline) {
      for entry in baseline.entries {
        remaining[Key(path: entry.path, rule: entry.rule, fingerprint: entry.fingerprint), default: 0] += entry.count
      }
    }

    /// The findings of `path` that the baseline does not hold.
    public func newFindings(_ findings: [LintFinding], path: String) -> [LintFinding] {
      seen.insert(path)
      return findings.filter { finding in
        let key = Key(path: path, rule: finding.finding.ruleID, fingerprint: Baseline.fingerprint(of: finding, &lines))
        guard let left = remaining[key], left > 0 else { return true }
        remaining[key] = left - 1
        absorbed += 1
        return false
      }
    }

    /// How many findings recorded for the files checked no finding matched (fixed, or their
    /// text changed); files the run did not check are not counted.
    public var unmatched: Int { remaining.filter { seen.contains($0.key.path) }.values.reduce(0, +) }
  }
}
