import Foundation
public import Hegui

/// What `hegui lint --fix` does to one file: the rules' safe replacements (``Finding/fix``)
/// written over their matches.
public struct FileFix: Sendable {
  /// The file as shown to people.
  public let path: String
  /// Its text before.
  public let original: String
  /// Its text after.
  public let fixed: String
  /// The replacements made, in file order (UTF-8 offsets in ``original``).
  public let edits: [Fixes.Edit]
  /// Fixes that could not be written, each saying why (the finding stays).
  public let skipped: [String]

  /// Whether anything changed.
  public var changed: Bool { !edits.isEmpty }

  /// A unified diff of the change (`--- a/…`, `+++ b/…`, one hunk per run of changed lines, no
  /// context: a fix never adds or removes a line), or `""` when nothing changed.
  public var diff: String {
    guard changed else { return "" }
    // Split on the byte: a CRLF pair is one Character, and each line keeps its CR.
    func lines(_ text: String) -> [Substring] {
      text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).map { Substring($0) }
    }
    let before = lines(original)
    let after = lines(fixed)
    guard before.count == after.count else { return "" }
    var out = "--- a/\(path)\n+++ b/\(path)\n"
    var i = 0
    while i < before.count {
      guard before[i] != after[i] else {
        i += 1
        continue
      }
      var j = i
      while j < before.count && before[j] != after[j] { j += 1 }
      out += "@@ -\(i + 1),\(j - i) +\(i + 1),\(j - i) @@\n"
      for k in i..<j { out += "-\(before[k])\n" }
      for k in i..<j { out += "+\(after[k])\n" }
      i = j
    }
    return out
  }
}

extension Linter {
  /// The fixes for a file's text: in a script, over the matches in the file; in a listing
  /// export, inside each title and description, rewritten in place (the rest of the record —
  /// other fields, key order, spacing and quoting — is left as it is).
  public func fix(text: String, path: String, format: InputFormat) -> FileFix {
    let linted = lint(text: text, path: path, format: format)
    var edits: [Fixes.Edit] = []
    var skipped: [String] = []
    if !format.isListing {
      edits = Fixes.edits(for: linted.findings.compactMap { f in f.utf8.map { (f.finding, $0) } }, in: text)
    } else {
      let source = ListingSource(text: text, format: format, columns: options.splitter.columns)
      var byField: [ListingSource.RecordKey: [String: [Finding]]] = [:]
      for f in linted.findings where f.finding.fix != nil {
        guard let field = f.field, let record = f.record else { continue }
        let key: ListingSource.RecordKey = format == .jsonl || format == .csv ? .line(f.line) : .index(record)
        byField[key, default: [:]][field, default: []].append(f.finding)
      }
      for (key, fields) in byField {
        for (name, findings) in fields {
          guard let field = source.fields[key]?[name] else {
            skipped.append("\(path): record \(key): the \(name) field could not be placed in the file; not fixed")
            continue
          }
          for edit in Fixes.edits(for: findings, in: field.text) {
            guard let range = field.sourceRange(of: edit.utf8), let written = field.encoded(edit.replacement) else {
              skipped.append("\(path): '\(edit.replacement)' cannot be written into an unquoted CSV field; not fixed")
              continue
            }
            edits.append(Fixes.Edit(utf8: range, replacement: written, ruleID: edit.ruleID))
          }
        }
      }
      edits.sort { $0.utf8.lowerBound < $1.utf8.lowerBound }
    }
    return FileFix(path: path, original: text, fixed: Fixes.apply(edits, to: text), edits: edits, skipped: skipped)
  }
}
