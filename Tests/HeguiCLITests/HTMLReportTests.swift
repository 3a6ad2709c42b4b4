import Foundation
import HeguiCLITestSupport
import Testing

/// The HTML report, rendered by a real browser: headless Chromium (installed by `make deps`).
@Suite("hegui lint --format html (in headless Chromium)")
struct HTMLReportTests {
  static let chromium: URL? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
    .map(URL.init(fileURLWithPath:)).first { FileManager.default.isExecutableFile(atPath: $0.path) }

  /// The page as Chromium has parsed and built it.
  static func renderedDOM(of page: URL, in directory: URL) async throws -> String {
    let browser = try #require(chromium, "Chromium is not installed: run `make deps` (Debian package chromium)")
    let profile = directory.appending(path: "chromium-profile")
    let result = try await HeguiProcess.run(
      [
        "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(profile.path)",
        "--dump-dom", page.absoluteString,
      ], in: directory, executable: browser)
    #expect(result.status == 0, "\(result.stderr)")
    return result.stdout
  }

  static func unescape(_ html: String) -> String {
    html.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
      .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
      .replacingOccurrences(of: "&amp;", with: "&")
  }

  @Test("each finding is highlighted on exactly its characters; counts match; hostile text stays text")
  func rendered() async throws {
    let directory = try HeguiProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try FileManager.default.createDirectory(at: directory.appending(path: ".git"), withIntermediateDirectories: true)
    try "顶级面料<script>document.title='pwned'</script>极品\n欢迎来到直播间\n全网最低价 & 第一品牌\u{202E}反转\n".write(
      to: directory.appending(path: "a.txt"), atomically: true, encoding: .utf8)
    try "商品ID,商品标题,类目\n7,\"顶级<img src=x onerror=alert(1)>羊绒\",服装\n8,纯棉T恤,服装\n".write(
      to: directory.appending(path: "b.csv"), atomically: true, encoding: .utf8)
    try "今天天气不错\n".write(to: directory.appending(path: "clean.txt"), atomically: true, encoding: .utf8)

    let json = try await HeguiProcess.run(["lint", "--format", "json", "."], in: directory)
    let document = try #require(
      try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json.stderr)")
    let files = try #require(document["files"] as? [[String: Any]])
    let expected = files.flatMap { ($0["findings"] as? [[String: Any]]) ?? [] }.map {
      ($0["match"] as? String ?? "", $0["severity"] as? String ?? "")
    }
    #expect(expected.count >= 5, "\(expected)")
    let summary = try #require(document["summary"] as? [String: Any])

    let html = try await HeguiProcess.run(
      ["lint", "--format", "html", "--output", "report.html", "--time-zone", "Asia/Shanghai", "."], in: directory)
    #expect(html.status == 1, "\(html.stderr)")
    let page = directory.appending(path: "report.html")
    let source = try String(contentsOf: page, encoding: .utf8)
    #expect(!source.contains("<script"), "the page has no script, and text from the files is escaped")
    #expect(source.contains("+08:00 (Asia/Shanghai)"))

    let dom = try await Self.renderedDOM(of: page, in: directory)
    #expect(dom.contains("<title>Hegui 合规检查报告</title>"), "\(dom.prefix(400))")
    #expect(!dom.contains("<script"), "no script element was built from the text")
    #expect(!dom.contains("<img"), "no image element was built from the text")
    #expect(dom.contains("&lt;script&gt;document.title="))
    #expect(dom.contains("&lt;U+202E&gt;"), "a bidirectional override is shown, not obeyed")

    let marks = try Regex(#"<mark class="(block|review|info)" title="[^"]*">([^<]*)</mark>"#)
    let found = dom.matches(of: marks).map {
      (Self.unescape(String($0.output[2].substring ?? "")), String($0.output[1].substring ?? ""))
    }
    #expect(found.map(\.0) == expected.map(\.0), "highlighted: \(found)\nfindings: \(expected)")
    #expect(found.map(\.1) == expected.map(\.1))
    #expect(dom.contains("<td id=\"count-block\">\(summary["block"] as? Int ?? -1)</td>"))
    #expect(dom.contains("<td id=\"count-all\">\(summary["findings"] as? Int ?? -1)</td>"))
    #expect(dom.contains("未发现问题"), "a clean file says so")
    #expect(dom.contains("依据 basis: 《广告法》第九条第三项"))
  }
}
