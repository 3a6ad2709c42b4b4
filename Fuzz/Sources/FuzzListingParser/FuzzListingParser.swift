// Fuzz target: the listing parsers of `HeguiLint` (CSV, JSON, JSON Lines, Excel workbooks) and
// `--fix`'s rewriting of listing fields.
//
// Any bytes are a listing export, parsed as each of the three formats (invalid UTF-8 is decoded to
// U+FFFD, as the linter's file reader does). Parsing must return records and errors, never crash
// or hang; every record's line must lie in the file and its index count from 1; every error must
// name the file. Each record that parses is then checked as a listing with the shipped rules, and
// its findings must lie where they say in their field (see `checkSpans`).
//
// The same bytes are read as an Excel workbook (never a crash or hang; records on the rows they
// name). And the fixes `hegui lint --fix` would write are applied: they must lie in the file, and
// the rewritten file must parse into as many records, with as many errors, as the original — a
// fix rewrites a field's text, never the structure around it.

import Foundation
import FuzzSupport
import Hegui
import HeguiLint

enum Fixture {
  static let ruleset: Ruleset = {
    do { return try Ruleset.shipped() } catch { fatalError("the shipped rules do not load: \(error)") }
  }()
  static let checker = Checker(ruleset: ruleset)
  static let linter = Linter(checker: checker)
}

/// libFuzzer's entry point: one input, checked for crashes and the target's properties.
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let text = Fuzz.text(data, size)
  let lines = text.utf8.count(where: { $0 == 0x0A }) + 1
  for format in [InputFormat.csv, .json, .jsonl] {
    let path = "fuzz.\(format.rawValue)"
    let parsed = ListingParser.parse(text, path: path, format: format)
    var previousIndex = 0
    for record in parsed.records {
      Fuzz.require(
        1 <= record.line && record.line <= lines, "\(format): record \(record.index) on line \(record.line) of \(lines)"
      )
      Fuzz.require(record.index > previousIndex, "\(format): record \(record.index) after \(previousIndex)")
      previousIndex = record.index
      let result = Fixture.checker.check(listing: record.listing)
      for field in result.fields {
        let findings = CheckResult(findings: field.result.findings, diagnostics: [])
        Fuzz.checkSpans(findings, text: field.text, ruleset: Fixture.ruleset, label: "\(format) \(field.field)")
      }
    }
    let fix = Fixture.linter.fix(text: text, path: path, format: format)
    for edit in fix.edits {
      Fuzz.require(edit.utf8.upperBound <= text.utf8.count, "\(format): a fix past the end of the file")
    }
    if fix.changed {
      let again = ListingParser.parse(fix.fixed, path: path, format: format)
      Fuzz.require(
        again.records.count == parsed.records.count && again.errors.count == parsed.errors.count,
        "\(format): fixing changed the file's structure: \(parsed.records.count) records, \(parsed.errors.count) errors before; \(again.records.count), \(again.errors.count) after"
      )
    }
    for error in parsed.errors {
      Fuzz.require(error.location?.path == path, "\(format): an error that does not name the file: \(error)")
      if let line = error.location?.line {
        Fuzz.require(1 <= line && line <= lines, "\(format): an error on line \(line) of \(lines): \(error)")
      }
    }
  }
  let workbook = ListingParser.parse(workbook: Data(UnsafeBufferPointer(start: data, count: size)), path: "fuzz.xlsx")
  for error in workbook.errors {
    Fuzz.require(error.location?.path == "fuzz.xlsx", "xlsx: an error that does not name the file: \(error)")
  }
  for record in workbook.records {
    Fuzz.require(record.line >= 1, "xlsx: record \(record.index) on row \(record.line)")
  }
  return 0
}

@main
enum Main {
  static func main() { Fuzz.run(testOneInput) }
}
