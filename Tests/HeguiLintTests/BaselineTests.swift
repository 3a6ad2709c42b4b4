import Foundation
import Hegui
import Testing

@testable import HeguiLint

@Suite("Baseline")
struct BaselineTests {
  static func findings(_ text: String, path: String = "a.txt") -> [(path: String, finding: LintFinding)] {
    LinterTests.linter.lint(text: text, path: path, format: .script).findings.map { (path, $0) }
  }

  @Test("a finding that moved lines still matches; the same wording in a new place, or one copy more, is new")
  func movedAndNew() {
    let baseline = Baseline(findings: Self.findings("全网最低价，快来\n今天全网最低价\n"))
    #expect(baseline.count == 2)
    let filter = Baseline.Filter(baseline)
    let now = Self.findings("开场白\n\n全网最低价，快来\n今天全网最低价\n明天也是全网最低价\n全网最低价，快来\n").map(\.finding)
    let new = filter.newFindings(now, path: "a.txt")
    #expect(new.map(\.line) == [5, 6])
    #expect(filter.absorbed == 2)
    #expect(filter.unmatched == 0)
  }

  @Test("files are told apart; recorded findings no longer found are counted only for files checked")
  func pathsAndUnmatched() {
    let baseline = Baseline(findings: Self.findings("全网最低价\n") + Self.findings("全网最低价\n", path: "b.txt"))
    let filter = Baseline.Filter(baseline)
    let other = Self.findings("全网最低价\n", path: "c.txt").map(\.finding)
    #expect(filter.newFindings(other, path: "c.txt").count == 1)
    #expect(filter.unmatched == 0)
    #expect(filter.newFindings([], path: "a.txt").isEmpty)
    #expect(filter.unmatched == 1)
  }

  @Test("rendered, read back equal; wrong version, not JSON, bad entries are errors naming the file")
  func roundTrip() throws {
    let directory = FileManager.default.temporaryDirectory.appending(path: "hegui-baseline-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let baseline = Baseline(findings: Self.findings("全网最低价\n第一品牌\n"))
    let url = directory.appending(path: "baseline.json")
    try baseline.rendered(toolVersion: "test").write(to: url, atomically: true, encoding: .utf8)
    #expect(try Baseline.load(url, displayPath: "baseline.json") == baseline)
    for (text, message) in [
      ("{\"version\": 2, \"findings\": []}", "baseline version 2 is not supported"),
      ("[1, 2]", "not a Hegui baseline"),
      ("{\"version\": 1}", "no 'findings'"),
      (
        "{\"version\": 1, \"findings\": [{\"path\": \"a\", \"rule\": \"r\", \"fingerprint\": \"f\", \"match\": \"m\", \"count\": 0}]}",
        "count below 1"
      ),
    ] {
      try text.write(to: url, atomically: true, encoding: .utf8)
      #expect(throws: HeguiError.self) { try Baseline.load(url, displayPath: "baseline.json") }
      do {
        _ = try Baseline.load(url, displayPath: "baseline.json")
      } catch {
        #expect(error.description.contains("baseline.json"), "\(error)")
        #expect(error.description.contains(message), "\(error)")
      }
    }
  }
}
