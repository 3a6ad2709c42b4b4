import Foundation
import Hegui
import Testing

@testable import HeguiLint

/// `--format json` is written file by file, and must stay byte for byte what `JSONEncoder` writes
/// for the whole envelope (the format's documented shape).
@Suite("JSON report written as files arrive")
struct JSONStreamTests {
  static let linter = LinterTests.linter

  func streamed(_ files: [LintedFile], pieces: Int = 1) -> String {
    var out = ""
    let writer = ReportWriter(format: .json, ruleset: LinterTests.sample, toolVersion: "9.9.9") { out += $0 }
    for file in files {
      // A long script arrives in pieces; split the findings as the linter would.
      let size = max(1, (file.findings.count + pieces - 1) / pieces)
      var start = 0
      repeat {
        let end = min(file.findings.count, start + size)
        writer.add(
          LintedFile(
            path: file.path, findings: Array(file.findings[start..<end]), errors: start == 0 ? file.errors : []))
        start = end
      } while start < file.findings.count
      writer.endFile()
    }
    writer.finish()
    return out
  }

  @Test("findings, errors, listing fields, control characters, quotes, slashes and empty files")
  func identical() {
    let script = Self.linter.lint(
      text: "全网\u{1B}[2J最低价 \"引号\" \\ / 斜杠\t制表\n第二行全网最低价\r\n", path: "dir/a \"b\".txt", format: .script)
    let listing = Self.linter.lint(
      text: #"{"id": "x1", "title": "全网最低价", "description": "好物"}"#, path: "l.jsonl", format: .jsonl)
    let broken = LintedFile(
      path: "bad.txt", findings: [],
      errors: [HeguiError(.invalidInput, "not valid UTF-8: byte 0xFF", at: .init(path: "bad.txt", line: 1))])
    let empty = LintedFile(path: "empty.txt", findings: [], errors: [])
    #expect(!script.findings.isEmpty && !listing.findings.isEmpty)
    for files in [[script, listing, broken, empty], [empty], [], [broken, script]] {
      let whole = LintReport(files: files, ruleset: LinterTests.sample, toolVersion: "9.9.9").renderJSON()
      #expect(streamed(files) == whole)
      #expect(streamed(files, pieces: 3) == whole)
    }
  }
}
