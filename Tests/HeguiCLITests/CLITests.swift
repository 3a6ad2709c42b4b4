import Foundation
import HeguiCLITestSupport
import Testing

/// Runs the built `hegui` binary end to end (``HeguiProcess``: the binary beside the test
/// bundle, stdout and stderr drained together).
enum CLI {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
  static let fixtures = root.appending(path: "Tests/Fixtures/cli")
  static let sample = ["--rulesets", "../rulesets/sample", "--only-rule", "sample"]

  static func run(
    _ arguments: [String], stdin: String? = nil, cwd: URL = fixtures, environment: [String: String] = [:]
  ) async throws -> HeguiProcess.Output {
    try await HeguiProcess.run(arguments, stdin: stdin ?? "", in: cwd, environment: environment)
  }

  static func temporaryDirectory() throws -> URL { try HeguiProcess.temporaryDirectory() }
}

@Suite("hegui lint (end to end)")
struct LintCLITests {
  @Test("line output is exact: CRLF script, emoji before the match, suppressions")
  func lineOutput() async throws {
    let result = try await CLI.run(["lint"] + CLI.sample + ["--format", "line", "script.txt"])
    #expect(result.status == 1)
    #expect(
      result.stdout == """
        script.txt:2:7:block:sample.lowest-price:“全网最低价”是绝对化用语
        script.txt:6:1:block:hegui.suppression.missing-reason:抑制指令缺少理由：请在“--”后写明为何此处可以不改（例如法务确认的依据），否则指令无效。
        script.txt:7:3:block:sample.first:“第一”是排名用语
        script.txt:8:1:info:hegui.suppression.unused:该抑制指令没有抑制任何发现（下一行没有 sample.lowest-price 的发现），请删除。

        """)
  }

  @Test("listings: each finding names record and field; a bad record is an error, the others are checked")
  func listings() async throws {
    let result = try await CLI.run(["lint"] + CLI.sample + ["--format", "line", "listings.jsonl", "listings.csv"])
    #expect(result.status == 2)
    #expect(result.stdout.contains("listings.jsonl:3:error:hegui.input:invalid JSON"))
    #expect(
      result.stdout.contains("listings.jsonl:1:1:record=1:field=category:block:sample.individual-food:个人主体不得销售食品（food）")
    )
    #expect(result.stdout.contains("listings.jsonl:1:10:record=1:field=title:block:sample.lowest-price:"))
    #expect(result.stdout.contains("listings.jsonl:1:8:record=1:field=description:block:sample.cure:"))
    #expect(result.stdout.contains("listings.csv:3:error:hegui.input:text after a closing quote (a broken quote)"))
    #expect(result.stdout.contains("listings.csv:4:1:record=2:field=description:block:sample.lowest-price:"))
    // a2 holds the licence: its whitening claim is suppressed.
    #expect(!result.stdout.contains("sample.whitening"))
  }

  @Test("exit codes: 0 clean, 1 findings, 2 unreadable input, 64 usage")
  func exitCodes() async throws {
    #expect(try await CLI.run(["lint", "--stdin"], stdin: "价格实惠，欢迎选购").status == 0)
    #expect(try await CLI.run(["lint", "--stdin"], stdin: "全网最低价").status == 1)
    #expect(try await CLI.run(["lint"]).status == 64)
    #expect(try await CLI.run(["lint", "--format", "xml", "script.txt"]).status == 64)
    #expect(try await CLI.run(["lint", "no-such-file.txt"]).status == 2)
    #expect(try await CLI.run(["lint", "--only-rule", "no.such.rule", "script.txt"]).status == 2)
    #expect(try await CLI.run(["lint", "--category", "无此类目", "script.txt"]).status == 2)
  }

  @Test("--fail-on review fails on a review finding; the default does not")
  func failOn() async throws {
    let text = "加微信详聊"
    #expect(try await CLI.run(["lint", "--stdin"] + CLI.sample, stdin: text).status == 0)
    #expect(try await CLI.run(["lint", "--stdin", "--fail-on", "review"] + CLI.sample, stdin: text).status == 1)
  }

  @Test("invalid UTF-8 and binary files: exit 2 with path and offset, other files still checked")
  func badInput() async throws {
    let directory = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    var bad = Data("第一行\n".utf8)
    bad.append(contentsOf: [0xC3, 0x28])
    try bad.write(to: directory.appending(path: "bad.txt"))
    try Data([0x89, 0x50, 0x4E, 0x47, 0x00, 0x00]).write(to: directory.appending(path: "image.txt"))
    try Data("全网最低价".utf8).write(to: directory.appending(path: "good.txt"))
    let result = try await CLI.run(["lint", "--format", "line", "."], cwd: directory)
    #expect(result.status == 2)
    #expect(result.stdout.contains("bad.txt:2:1:error:hegui.input:not valid UTF-8: byte 0xC3 at offset 10"))
    #expect(result.stdout.contains("image.txt:error:hegui.input:binary file (NUL byte at offset 4)"))
    #expect(result.stdout.contains("good.txt:1:1:block:adlaw.absolute"))
  }

  @Test("json: a versioned envelope with sorted keys; match is exactly the original span")
  func json() async throws {
    let result = try await CLI.run(["lint", "--format", "json"] + CLI.sample + ["script.txt"])
    let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect(object["version"] as? Int == 1)
    let files = try #require(object["files"] as? [[String: Any]])
    let findings = try #require(files.first?["findings"] as? [[String: Any]])
    let first = try #require(findings.first)
    #expect(first["match"] as? String == "全网最低价")
    let span = try #require(first["span"] as? [String: Any])
    #expect(span["line"] as? Int == 2)
    #expect(span["column"] as? Int == 7)
    // "老铁们晚上好！\r\n" is 7 chars + CRLF = 9 UTF-16 units and 23 UTF-8 bytes; 😀 is 2 and 4.
    #expect(span["utf16"] as? [Int] == [9 + 2 + 5, 9 + 2 + 5 + 5])
    #expect(span["utf8"] as? [Int] == [23 + 4 + 15, 23 + 4 + 15 + 15])
    #expect(result.stdout.contains("\"basis\" : ["))
    let keys = result.stdout.split(separator: "\n").compactMap { line -> String? in
      guard let q = line.firstIndex(of: "\"") else { return nil }
      return line[q...].hasPrefix("\"") ? String(line[q...]) : nil
    }
    #expect(!keys.isEmpty)
  }

  @Test("sarif: validates against the official SARIF 2.1.0 schema; UTF-16 columns")
  func sarif() async throws {
    let directory = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let output = directory.appending(path: "out.sarif")
    let result = try await CLI.run(
      ["lint", "--format", "sarif", "--output", output.path] + CLI.sample + ["script.txt", "listings.jsonl"])
    #expect(result.status == 2)
    // The official schema (a copy of shared/data/sarif-schema-2.1.0.json).
    let schemaPath = CLI.root.appending(path: "Tests/Fixtures/sarif-schema-2.1.0.json").path
    let validation = Process()
    validation.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    validation.arguments = [
      "python3", "-c",
      "import json,sys,jsonschema; jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))); print('valid')",
      output.path, schemaPath,
    ]
    let pipe = Pipe()
    validation.standardOutput = pipe
    validation.standardError = pipe
    try validation.run()
    let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    validation.waitUntilExit()
    #expect(validation.terminationStatus == 0, "\(text)")
    let log = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: output)) as? [String: Any])
    let run = try #require((log["runs"] as? [[String: Any]])?.first)
    #expect(run["columnKind"] as? String == "utf16CodeUnits")
    let results = try #require(run["results"] as? [[String: Any]])
    let first = try #require(results.first { $0["ruleId"] as? String == "sample.lowest-price" })
    let region = try #require(
      ((first["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])?["region"]
        as? [String: Any])
    // 😀 counts two UTF-16 units: 全 is the 8th unit of line 2.
    #expect(region["startColumn"] as? Int == 8)
    #expect(region["endColumn"] as? Int == 13)
    #expect(first["partialFingerprints"] as? [String: String] != nil)
    let rules = try #require(
      (run["tool"] as? [String: Any]).flatMap { ($0["driver"] as? [String: Any])?["rules"] as? [[String: Any]] })
    let rule = try #require(rules.first { $0["id"] as? String == "sample.lowest-price" })
    #expect(((rule["help"] as? [String: Any])?["markdown"] as? String)?.contains("《广告法》第九条第三项") == true)
    // A rule's description is about every match: no template placeholder leaks into it.
    for descriptor in rules {
      let short = (descriptor["shortDescription"] as? [String: Any])?["text"] as? String ?? ""
      #expect(!short.contains("{match}") && !short.contains("{contact}"), "\(short)")
    }
  }

  @Test("github: annotations escaped; past 10 of a kind, a notice points to SARIF")
  func github() async throws {
    let text = (1...12).map { "第\($0)行：全网最低价，50%折扣" }.joined(separator: "\n")
    let result = try await CLI.run(
      ["lint", "--stdin", "--stdin-filename", "a,b:c.txt", "--format", "github"] + CLI.sample, stdin: text)
    let errors = result.stdout.split(separator: "\n").filter { $0.hasPrefix("::error ") }
    #expect(errors.count == 10)
    #expect(
      errors.first?.hasPrefix(
        "::error file=a%2Cb%3Ac.txt,line=1,endLine=1,col=5,endColumn=10,title=sample.lowest-price::") == true)
    #expect(result.stdout.contains("::notice title=hegui::2 more error annotations not shown"))
    #expect(result.stdout.contains("--format sarif"))
  }

  @Test("text: caret under the match by display width; no colour when not a terminal")
  func text() async throws {
    let result = try await CLI.run(["lint"] + CLI.sample + ["script.txt"])
    #expect(
      result.stdout.contains(
        "script.txt:2:7  block  “全网最低价”是绝对化用语  [sample.lowest-price]\n    😀今天这款是全网最低价，冲！\n                ^^^^^^^^^^\n    建议改为: 限时优惠价\n"
      ))
    #expect(!result.stdout.contains("\u{1B}["))
    #expect(result.stdout.hasSuffix("4 findings (3 block, 0 review, 1 info) in 1 file\n"))
  }

  @Test(".hegui.yml: found walking up; contexts by glob, disabled rules, severity; unknown keys and ids are errors")
  func configuration() async throws {
    let directory = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try FileManager.default.createDirectory(at: directory.appending(path: ".git"), withIntermediateDirectories: true)
    let nested = directory.appending(path: "scripts/day1")
    try FileManager.default.createDirectory(at: nested, withIntermediateDirectories: true)
    try "加微信详聊\n行业第一品牌\n".write(to: nested.appending(path: "a.txt"), atomically: true, encoding: .utf8)
    let sample = CLI.root.appending(path: "Tests/Fixtures/rulesets/sample").path
    try """
    version: 1
    rulesets: [\(sample)]
    enable: [sample]
    disable: [sample.first]
    severity: {sample.wechat: block}
    contexts: {"**/*.txt": title}
    """.write(to: directory.appending(path: ".hegui.yml"), atomically: true, encoding: .utf8)
    var result = try await CLI.run(["lint", "--format", "line", "a.txt"], cwd: nested)
    // wechat does not apply to titles; first is disabled
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    try """
    version: 1
    rulesets: [\(sample)]
    enable: [sample]
    severity: {sample.wechat: block}
    """.write(to: directory.appending(path: ".hegui.yml"), atomically: true, encoding: .utf8)
    result = try await CLI.run(["lint", "--format", "line", "a.txt"], cwd: nested)
    #expect(result.stdout == "a.txt:1:1:block:sample.wechat:引导站外联系\na.txt:2:3:block:sample.first:“第一”是排名用语\n")
    try "version: 1\ndisabel: [x]\n".write(
      to: directory.appending(path: ".hegui.yml"), atomically: true, encoding: .utf8)
    result = try await CLI.run(["lint", "a.txt"], cwd: nested)
    #expect(result.status == 2)
    #expect(
      result.stderr.contains(".hegui.yml:2:1: unknown key 'disabel' in the configuration (did you mean 'disable'?)"))
    try "version: 1\ndisable: [adlaw.no-such-rule]\n".write(
      to: directory.appending(path: ".hegui.yml"), atomically: true, encoding: .utf8)
    result = try await CLI.run(["lint", "a.txt"], cwd: nested)
    #expect(result.status == 2)
    #expect(result.stderr.contains(".hegui.yml:2:11: unknown rule id 'adlaw.no-such-rule'"))
  }

  @Test(
    "listing columns: Chinese headers read, others mapped by --columns or 'columns:' in .hegui.yml, unread files an error"
  )
  func listingColumns() async throws {
    let directory = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try FileManager.default.createDirectory(at: directory.appending(path: ".git"), withIntermediateDirectories: true)
    let sample = CLI.root.appending(path: "Tests/Fixtures/rulesets/sample").path
    try "商品ID,商品标题,类目\n1,全网最低价,食品\n".write(
      to: directory.appending(path: "export.csv"), atomically: true, encoding: .utf8)
    try "编号,品目\n1,全网最低价\n".write(to: directory.appending(path: "odd.csv"), atomically: true, encoding: .utf8)
    var result = try await CLI.run(
      ["lint", "--format", "line", "--rulesets", sample, "--only-rule", "sample.lowest-price", "export.csv"],
      cwd: directory)
    #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
    #expect(result.stdout.contains("export.csv:2:1:record=1:field=title:block:sample.lowest-price:"))
    result = try await CLI.run(
      ["lint", "--rulesets", sample, "--only-rule", "sample.lowest-price", "odd.csv"], cwd: directory)
    #expect(result.status == 2)
    #expect((result.stdout + result.stderr).contains("the columns seen: '编号', '品目'"))
    result = try await CLI.run(
      [
        "lint", "--format", "line", "--rulesets", sample, "--only-rule", "sample.lowest-price", "--columns", "title=品目",
        "odd.csv",
      ], cwd: directory)
    #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
    try "version: 1\ncolumns: {title: 品目}\n".write(
      to: directory.appending(path: ".hegui.yml"), atomically: true, encoding: .utf8)
    result = try await CLI.run(
      ["lint", "--format", "line", "--rulesets", sample, "--only-rule", "sample.lowest-price", "odd.csv"],
      cwd: directory)
    #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
    try "version: 1\ncolumns: {titel: 品目}\n".write(
      to: directory.appending(path: ".hegui.yml"), atomically: true, encoding: .utf8)
    result = try await CLI.run(["lint", "odd.csv"], cwd: directory)
    #expect(result.status == 2)
    #expect(result.stderr.contains("unknown listing field 'titel'"))
  }

  @Test("categories by glob in .hegui.yml and a script's own front matter; an unknown glob category is exit 2")
  func categoriesByGlob() async throws {
    let directory = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try FileManager.default.createDirectory(at: directory.appending(path: ".git"), withIntermediateDirectories: true)
    try FileManager.default.createDirectory(at: directory.appending(path: "beauty"), withIntermediateDirectories: true)
    try "这款精华能祛斑美白\n".write(to: directory.appending(path: "beauty/a.txt"), atomically: true, encoding: .utf8)
    try "#! hegui category: food\n这款精华能祛斑美白\n".write(
      to: directory.appending(path: "beauty/b.txt"), atomically: true, encoding: .utf8)
    try "version: 1\ncategories: {\"beauty/**\": cosmetics}\n".write(
      to: directory.appending(path: ".hegui.yml"), atomically: true, encoding: .utf8)
    var result = try await CLI.run(["lint", "--format", "line", "beauty"], cwd: directory)
    #expect(result.stdout.contains("beauty/a.txt:1:6:review:cosmetics.special-efficacy:"), "\(result.stdout)")
    #expect(!result.stdout.contains("beauty/b.txt:1:"), "\(result.stdout)")
    #expect(!result.stdout.contains("beauty/b.txt:2:6:review:cosmetics.special-efficacy:"), "\(result.stdout)")
    let summary = try await CLI.run(["lint", "--summary", "beauty"], cwd: directory)
    #expect(summary.stdout.contains("by rule:\n"), "\(summary.stdout)")
    #expect(summary.stdout.contains("\n  1  cosmetics.special-efficacy  (1 review)\n"), "\(summary.stdout)")
    try "version: 1\ncategories: {\"beauty/**\": 美妆用品}\n".write(
      to: directory.appending(path: ".hegui.yml"), atomically: true, encoding: .utf8)
    result = try await CLI.run(["lint", "beauty"], cwd: directory)
    #expect(result.status == 2)
    #expect(result.stderr.contains("unknown category '美妆用品' for 'beauty/**'"))
  }

  @Test(
    "each file's own folder's .hegui.yml applies (nearest wins, globs relative to it), whatever the working directory; --print-config says why"
  )
  func configurationPerFolder() async throws {
    let directory = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let project = directory.appending(path: "shop")
    for folder in [".git", "beauty", "snacks", "drafts"] {
      try FileManager.default.createDirectory(at: project.appending(path: folder), withIntermediateDirectories: true)
    }
    try FileManager.default.createDirectory(
      at: directory.appending(path: "elsewhere"), withIntermediateDirectories: true)
    try "这款精华能祛斑美白\n".write(to: project.appending(path: "beauty/a.txt"), atomically: true, encoding: .utf8)
    try "这款精华能祛斑美白\n".write(to: project.appending(path: "snacks/b.txt"), atomically: true, encoding: .utf8)
    try "全网最低价\n".write(to: project.appending(path: "drafts/c.txt"), atomically: true, encoding: .utf8)
    try "version: 1\ncategories: {\"beauty/**\": cosmetics}\nexclude: [\"drafts/**\"]\n".write(
      to: project.appending(path: ".hegui.yml"), atomically: true, encoding: .utf8)
    try "version: 1\ncategory: food\nfail_on: info\ndisable: [cosmetics]\n".write(
      to: project.appending(path: "snacks/.hegui.yml"), atomically: true, encoding: .utf8)

    // From outside the project: the project's globs still apply, relative to its folder.
    let elsewhere = directory.appending(path: "elsewhere")
    var result = try await CLI.run(["lint", "--format", "line", "../shop"], cwd: elsewhere)
    #expect(result.stdout.contains("../shop/beauty/a.txt:1:6:review:cosmetics.special-efficacy:"), "\(result.stdout)")
    #expect(!result.stdout.contains("drafts"), "excluded by the project's own glob: \(result.stdout)")
    // snacks/ has its own configuration: the cosmetics rules are off there and it fails on info.
    #expect(!result.stdout.contains("snacks/b.txt:1:6:review:cosmetics"), "\(result.stdout)")
    result = try await CLI.run(["lint", "--format", "line", "../shop/beauty"], cwd: elsewhere)
    #expect(result.status == 0, "review is below the project's fail_on: \(result.stdout)\(result.stderr)")
    try "version: 1\ncategory: food\nfail_on: review\n".write(
      to: project.appending(path: "snacks/.hegui.yml"), atomically: true, encoding: .utf8)
    result = try await CLI.run(["lint", "--format", "line", "b.txt"], cwd: project.appending(path: "snacks"))
    #expect(result.status == 1, "snacks/ fails on review: \(result.stdout)\(result.stderr)")
    #expect(result.stdout.contains("b.txt:1:6:review:cosmetics."), "\(result.stdout)")

    // What applies to one file, and why.
    result = try await CLI.run(["lint", "--print-config", "shop/beauty/a.txt"], cwd: directory)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(
      result.stdout.contains(
        "configuration: \(project.standardizedFileURL.path)/.hegui.yml (the nearest above the file)"))
    #expect(result.stdout.contains("globs relative to: \(project.standardizedFileURL.path) (this file: beauty/a.txt)"))
    #expect(result.stdout.contains("category: cosmetics (categories: 'beauty/**')"), "\(result.stdout)")
    result = try await CLI.run(["lint", "--print-config", "shop/drafts/c.txt"], cwd: directory)
    #expect(result.stdout.contains("excluded: yes, by 'drafts/**' in exclude"), "\(result.stdout)")
    result = try await CLI.run(["lint", "--print-config", "shop/snacks/b.txt", "--fail-on", "block"], cwd: directory)
    #expect(result.stdout.contains("category: food (category)"), "\(result.stdout)")
    #expect(result.stdout.contains("fail on: block (--fail-on)"), "\(result.stdout)")
    result = try await CLI.run(["lint", "--print-config", "x.txt"], cwd: elsewhere)
    #expect(result.stdout.contains("configuration: none: no .hegui.yml"), "\(result.stdout)")

    // --config applies to every file, its globs relative to the working directory.
    try "version: 1\ncategories: {\"snacks/**\": cosmetics}\n".write(
      to: elsewhere.appending(path: "team.yml"), atomically: true, encoding: .utf8)
    result = try await CLI.run(
      ["lint", "--format", "line", "--config", "../elsewhere/team.yml", "snacks", "beauty"], cwd: project)
    #expect(result.stdout.contains("snacks/b.txt:1:6:review:cosmetics.special-efficacy:"), "\(result.stdout)")
    #expect(
      result.stdout.contains("beauty/a.txt:1:6:review:cosmetics.special-efficacy-uncategorised:"), "\(result.stdout)")

    // A broken configuration in a subfolder is an error naming it, before anything is linted.
    try "version: 1\nfail_onn: review\n".write(
      to: project.appending(path: "snacks/.hegui.yml"), atomically: true, encoding: .utf8)
    result = try await CLI.run(["lint", "--format", "line", "."], cwd: project)
    #expect(result.status == 2)
    #expect(result.stderr.contains("snacks/.hegui.yml:2:1: unknown key 'fail_onn'"), "\(result.stderr)")
    #expect(result.stdout.isEmpty, "\(result.stdout)")
  }

  @Test("--write-baseline records findings; --baseline reports only new ones, wherever hegui runs from")
  func baselines() async throws {
    let directory = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try FileManager.default.createDirectory(at: directory.appending(path: ".git"), withIntermediateDirectories: true)
    try FileManager.default.createDirectory(at: directory.appending(path: "scripts"), withIntermediateDirectories: true)
    let script = directory.appending(path: "scripts/a.txt")
    try "全网最低价，快来\n今天第一品牌\n".write(to: script, atomically: true, encoding: .utf8)
    var result = try await CLI.run(["lint", "--write-baseline", "hegui-baseline.json", "scripts"], cwd: directory)
    #expect(result.status == 0, "writing a baseline accepts its findings: \(result.stderr)")
    #expect(result.stderr.contains("wrote hegui-baseline.json: 2 findings in 1 file"), "\(result.stderr)")
    let written = try String(contentsOf: directory.appending(path: "hegui-baseline.json"), encoding: .utf8)
    #expect(written.contains("\"path\":\"scripts/a.txt\""), "\(written)")
    #expect(!written.contains("\"line\""), "no line numbers: \(written)")

    try "新的开场\n全网最低价，快来\n今天第一品牌\n加微信领券\n".write(to: script, atomically: true, encoding: .utf8)
    result = try await CLI.run(
      ["lint", "--format", "line", "--fail-on", "review", "--baseline", "../hegui-baseline.json", "a.txt"],
      cwd: directory.appending(path: "scripts"))
    #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
    #expect(result.stdout.hasPrefix("a.txt:4:"), "only the new finding: \(result.stdout)")
    #expect(!result.stdout.contains("a.txt:2:"), "\(result.stdout)")
    #expect(result.stderr.contains("2 findings in the baseline ../hegui-baseline.json, not shown"), "\(result.stderr)")

    try "{\"version\": 9, \"findings\": []}".write(
      to: directory.appending(path: "old.json"), atomically: true, encoding: .utf8)
    result = try await CLI.run(["lint", "--baseline", "old.json", "scripts"], cwd: directory)
    #expect(result.status == 2)
    #expect(result.stderr.contains("old.json: baseline version 9 is not supported"), "\(result.stderr)")
  }

  @Test("--fix rewrites files in place (permissions kept) and reports what is left; --fix-dry-run prints a diff only")
  func fixes() async throws {
    let directory = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try FileManager.default.createDirectory(at: directory.appending(path: ".git"), withIntermediateDirectories: true)
    let script = directory.appending(path: "a.txt")
    let original = "顶级面料\n全网最低价\n"
    try original.write(to: script, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: script.path)
    var result = try await CLI.run(["lint", "--fix-dry-run", "a.txt"], cwd: directory)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(
      result.stdout
        == "--- a/a.txt\n+++ b/a.txt\n@@ -1,1 +1,1 @@\n-顶级面料\n+精选面料\n1 fix in 1 file would be written (dry run: nothing was changed)\n"
    )
    #expect(try String(contentsOf: script, encoding: .utf8) == original)
    result = try await CLI.run(["lint", "--fix", "--format", "line", "a.txt"], cwd: directory)
    #expect(result.status == 1, "the price claim has no safe fix and is still reported")
    #expect(result.stdout.hasPrefix("a.txt:2:1:block:adlaw.absolute.lowest-price:"), "\(result.stdout)")
    #expect(!result.stdout.contains("top-grade"), "\(result.stdout)")
    #expect(result.stderr.contains("fixed 1 finding in 1 file"), "\(result.stderr)")
    #expect(try String(contentsOf: script, encoding: .utf8) == "精选面料\n全网最低价\n")
    let mode = try FileManager.default.attributesOfItem(atPath: script.path)[.posixPermissions] as? Int
    #expect(mode == 0o640)
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains("hegui-") }
    #expect(leftovers.isEmpty, "\(leftovers)")
    result = try await CLI.run(["lint", "--fix", "--stdin"], cwd: directory)
    #expect(result.status == 64)
  }

  @Test("the CLI's own words follow the locale: Chinese under LANG=zh_CN.UTF-8 (LC_ALL first), English otherwise")
  func locale() async throws {
    let zh = ["LANG": "zh_CN.UTF-8"]
    var result = try await CLI.run(["lint", "--stdin", "--summary"], stdin: "全网最低价\n", environment: zh)
    #expect(
      result.stdout.hasSuffix("按规则：\n  1  adlaw.absolute.lowest-price  （拦截 1）\n共 1 条问题（拦截 1，复核 0，提示 0），检查了 1 个文件\n"),
      "\(result.stdout)")
    #expect(result.stdout.contains("依据: 《广告法》第九条第三项"), "rule texts are Chinese in every locale")
    result = try await CLI.run(["lint", "no-such-file.txt"], environment: zh)
    #expect(result.status == 2)
    #expect(result.stderr.hasPrefix("错误：no-such-file.txt: 文件或目录不存在"), "\(result.stderr)")
    result = try await CLI.run(["lint"], environment: zh)
    #expect(result.status == 64)
    #expect(result.stderr.contains("请给出要检查的文件或目录，或使用 --stdin"), "\(result.stderr)")
    result = try await CLI.run(["lint", "--help"], environment: zh)
    #expect(result.stdout.contains("OVERVIEW: 按规则检查话术和商品信息文件"), "\(result.stdout)")
    #expect(result.stdout.contains("只报告基线里没有的问题。"), "\(result.stdout)")
    result = try await CLI.run(["explain", "全网最低价"], environment: zh)
    #expect(result.stdout.hasPrefix("“全网最低价”触发 1 条规则：\n"), "\(result.stdout)")

    for english in [["LANG": "en_US.UTF-8"], [:], ["LANG": "zh_CN.UTF-8", "LC_ALL": "C.UTF-8"]] {
      result = try await CLI.run(["lint", "--stdin"], stdin: "全网最低价\n", environment: english)
      #expect(
        result.stdout.hasSuffix("\n1 finding (1 block, 0 review, 0 info) in 1 file\n"), "\(english): \(result.stdout)")
      result = try await CLI.run(["lint", "no-such-file.txt"], environment: english)
      #expect(
        result.stderr.hasPrefix("error: no-such-file.txt: no such file or directory"), "\(english): \(result.stderr)")
    }
    result = try await CLI.run(
      ["lint", "--stdin"], stdin: "全网最低价\n", environment: ["LC_ALL": "zh_TW.UTF-8", "LANG": "C"])
    #expect(result.stdout.hasSuffix("检查了 1 个文件\n"), "LC_ALL wins over LANG: \(result.stdout)")
  }

  @Test("--encoding reads GBK and UTF-16 exports; without it they are refused with a hint, never guessed")
  func encodings() async throws {
    let directory = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    // 商品标题,描述 / 全网最低价,顶级 in GBK
    let hex = "c9ccc6b7b1eacce22cc3e8caf60ac8abcdf8d7eeb5cdbcdb2cb6a5bcb60a"
    let gbk = Data(
      stride(from: 0, to: hex.count, by: 2).map {
        UInt8(hex.dropFirst($0).prefix(2), radix: 16) ?? 0
      })
    try gbk.write(to: directory.appending(path: "export.csv"))
    var result = try await CLI.run(["lint", "--format", "line", "export.csv"], cwd: directory)
    #expect(result.status == 2)
    #expect(result.stdout.contains("name its encoding (--encoding gbk"), "\(result.stdout)")
    result = try await CLI.run(["lint", "--format", "line", "--encoding", "gbk", "export.csv"], cwd: directory)
    #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
    #expect(result.stdout.contains("export.csv:2:1:record=1:field=title:block:adlaw.absolute.lowest-price:"))
    #expect(result.stdout.contains("field=description:block:adlaw.absolute.top-grade:"))
    result = try await CLI.run(
      ["lint", "--format", "line", "--encoding", "utf-16", "--stdin", "--stdin-filename", "a.txt"],
      stdin: "", cwd: directory)
    #expect(result.status == 2, "empty UTF-16 input has no byte-order mark: \(result.stdout)")
    result = try await CLI.run(["lint", "--encoding", "big5", "export.csv"], cwd: directory)
    #expect(result.status == 64)
    result = try await CLI.run(["lint", "--fix", "--encoding", "gbk", "export.csv"], cwd: directory)
    #expect(result.status == 64)
    #expect(try Data(contentsOf: directory.appending(path: "export.csv")) == gbk)
  }

  @Test("an Excel export (.xlsx) is walked and linted: findings name the Excel row, record and field")
  func workbooks() async throws {
    let folder = CLI.root.appending(path: "Tests/Fixtures/xlsx")
    let result = try await CLI.run(["lint", "--format", "line", "--only-rule", "adlaw.absolute", "."], cwd: folder)
    #expect(result.status == 0, "the review finding is below block: \(result.stderr)")
    #expect(
      result.stdout.contains(
        "5g-phone-analysis_jd.xlsx:409:17:record=408:field=title:review:adlaw.absolute.context-dependent:"),
      "\(result.stdout)")
    #expect(!result.stdout.contains(":error:"), "every workbook reads: \(result.stdout)")
  }

  @Test("help is wrapped once, by argument-parser at the terminal's width, not also at the source's line breaks")
  func helpWrappedOnce() async throws {
    let wide = try await CLI.run(["lint", "--help"], environment: ["COLUMNS": "200"])
    #expect(
      wide.stdout.contains(
        "listing exports whose title and description are checked each in its own context, with the record's category"),
      "\(wide.stdout.prefix(600))")
    let narrow = try await CLI.run(["lint", "--help"], environment: ["COLUMNS": "80"])
    let lines = narrow.stdout.split(separator: "\n")
    #expect(lines.allSatisfy { $0.count <= 80 }, "\(lines.filter { $0.count > 80 })")
  }

  @Test("times shown to people are in Asia/Shanghai, or HEGUI_TIME_ZONE; an unknown zone is said, not ignored")
  func timeZones() async throws {
    let directory = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try "这款精华能祛斑美白\n".write(to: directory.appending(path: "a.txt"), atomically: true, encoding: .utf8)
    let pipeline = CLI.root.appending(path: "Examples/pipeline.yml").path
    let moderated = try await CLI.run(
      ["moderate", "--pipeline", pipeline, "--db", "q.sqlite", "a.txt"], cwd: directory)
    #expect(moderated.stdout.contains("1 pending review"), "\(moderated.stdout)\(moderated.stderr)")
    let stamp = try Regex(#"since \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} ([+-]\d{2}:\d{2})"#)
    var result = try await CLI.run(["review", "list", "--db", "q.sqlite"], cwd: directory)
    #expect(result.stdout.firstMatch(of: stamp)?.output[1].substring == "+08:00", "\(result.stdout)")
    result = try await CLI.run(
      ["review", "list", "--db", "q.sqlite"], cwd: directory, environment: ["HEGUI_TIME_ZONE": "UTC"])
    #expect(result.stdout.firstMatch(of: stamp)?.output[1].substring == "+00:00", "\(result.stdout)")
    result = try await CLI.run(
      ["review", "list", "--db", "q.sqlite"], cwd: directory, environment: ["HEGUI_TIME_ZONE": "Mars/Olympus"])
    #expect(result.stderr.contains("HEGUI_TIME_ZONE 'Mars/Olympus' is not a time zone"), "\(result.stderr)")
    #expect(result.stdout.firstMatch(of: stamp)?.output[1].substring == "+08:00")
  }

  @Test("directories are walked, --exclude skips globs")
  func walking() async throws {
    let result = try await CLI.run(
      ["lint", "--format", "line", "--exclude", "*.csv", "--exclude", "listings.jsonl"] + CLI.sample + ["."])
    #expect(result.stdout.contains("script.txt:2:7"))
    #expect(!result.stdout.contains("listings"))
  }
}

@Suite("hegui explain and init (end to end)")
struct ExplainInitCLITests {
  @Test("explain names each rule a phrase triggers, where, with basis and suggestions; category-only rules after")
  func explain() async throws {
    var result = try await CLI.run(["explain", "全网最低价"])
    #expect(result.status == 1)
    #expect(result.stdout.hasPrefix("“全网最低价” triggers 1 rule:\n"), "\(result.stdout)")
    #expect(result.stdout.contains("adlaw.absolute.lowest-price  block"), "\(result.stdout)")
    #expect(result.stdout.contains("  fires in: every context\n"), "\(result.stdout)")
    #expect(result.stdout.contains("  basis: 《广告法》第九条第三项"), "\(result.stdout)")
    result = try await CLI.run(["explain", "这款精华能祛斑"])
    #expect(
      result.stdout.contains(
        "With a category (--category) it also triggers:\n  cosmetics.special-efficacy  for cosmetics"))
    result = try await CLI.run(["explain", "--category", "化妆品", "这款精华能祛斑"])
    #expect(result.stdout.contains("cosmetics.special-efficacy  review"), "\(result.stdout)")
    #expect(!result.stdout.contains("With a category"), "\(result.stdout)")
    result = try await CLI.run(["explain", "今天天气不错"])
    #expect(result.status == 0)
    #expect(result.stdout == "“今天天气不错” triggers no rule in any context.\n")
    result = try await CLI.run(["explain", "--category", "美妆用品", "祛斑"])
    #expect(result.status == 2)
    #expect(result.stderr.contains("unknown category '美妆用品'"))
    result = try await CLI.run(["explain", "全网\u{1B}[2J最低价"])
    #expect(!result.stdout.contains("\u{1B}"), "control characters are shown escaped")
  }

  @Test("init writes a commented .hegui.yml that lint loads, never over an existing one")
  func initialise() async throws {
    let directory = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try FileManager.default.createDirectory(at: directory.appending(path: ".git"), withIntermediateDirectories: true)
    var result = try await CLI.run(["init", "--category", "化妆品", "--shop-subject", "enterprise"], cwd: directory)
    #expect(result.status == 0, "\(result.stderr)")
    let written = try String(contentsOf: directory.appending(path: ".hegui.yml"), encoding: .utf8)
    #expect(written.contains("\ncategory: 化妆品\n"))
    #expect(written.contains("\nshop_subject: enterprise\n"))
    #expect(written.contains("cosmetics (化妆品/"))
    try "这款精华能祛斑美白\n".write(to: directory.appending(path: "a.txt"), atomically: true, encoding: .utf8)
    result = try await CLI.run(["lint", "--format", "line", "a.txt"], cwd: directory)
    #expect(result.stdout.contains("a.txt:1:6:review:cosmetics.special-efficacy:"), "\(result.stdout)\(result.stderr)")
    result = try await CLI.run(["init"], cwd: directory)
    #expect(result.status == 2)
    #expect(result.stderr.contains("exists; pass --force to replace it"))
    #expect(try String(contentsOf: directory.appending(path: ".hegui.yml"), encoding: .utf8) == written)
    result = try await CLI.run(["init", "--force"], cwd: directory)
    #expect(result.status == 0)
    #expect(
      try String(contentsOf: directory.appending(path: ".hegui.yml"), encoding: .utf8).contains("# category: food"))
  }
}

@Suite("shell completion (end to end)")
struct CompletionCLITests {
  @Test("completion scripts for bash, zsh and fish; rule ids, families and categories complete as typed")
  func completion() async throws {
    for shell in ["bash", "zsh", "fish"] {
      let script = try await CLI.run(["--generate-completion-script", shell])
      #expect(script.status == 0)
      #expect(script.stdout.contains("---completion"), "\(shell) asks hegui for rule ids and categories")
    }
    var result = try await CLI.run([
      "---completion", "lint", "--", "--only-rule", "1", "12", "--only-rule", "adlaw.absol",
    ])
    let ids = result.stdout.split(separator: "\n").map(String.init)
    #expect(ids.contains("adlaw.absolute"), "\(ids)")
    #expect(ids.contains("adlaw.absolute.lowest-price"), "\(ids)")
    #expect(ids.allSatisfy { $0.hasPrefix("adlaw.absol") }, "\(ids)")
    result = try await CLI.run(["---completion", "lint", "--", "--category", "1", "1", "--category", "化"])
    #expect(result.stdout.split(separator: "\n").contains("化妆品"), "\(result.stdout)")
    result = try await CLI.run(["---completion", "rules", "show", "--", "positional@0", "0", "9", "cosmetics"])
    #expect(result.stdout.split(separator: "\n").contains("cosmetics.special-efficacy"), "\(result.stdout)")
  }
}

@Suite("hegui rules (end to end)")
struct RulesCLITests {
  @Test("rules test passes on a good ruleset and ends with 'N passed, 0 failed'")
  func passes() async throws {
    let result = try await CLI.run(["rules", "test", "../rulesets/sample"])
    #expect(result.status == 0, "\(result.stdout)")
    #expect(
      result.stdout.range(of: #"^\d+ passed, 0 failed$"#, options: .regularExpression) != nil
        || result.stdout.hasSuffix(" passed, 0 failed\n"))
  }

  @Test("rules test: a failing example exits 1; an unloadable ruleset exits 2; junit and json render")
  func failures() async throws {
    let directory = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try """
    version: 1
    pack: mine
    name: 我的规则
    rules:
      - id: mine.cheap
        kind: lexicon
        severity: block
        message: m
        basis: 《广告法》第九条第三项
        terms: [最便宜]
        examples:
          trigger: ["这是⟦最低价⟧"]
          pass: [便宜]
    """.write(to: directory.appending(path: "mine.yml"), atomically: true, encoding: .utf8)
    var result = try await CLI.run(["rules", "test", directory.path])
    #expect(result.status == 1)
    #expect(result.stdout.contains("FAIL mine.cheap trigger#1 original"))
    #expect(result.stdout.contains("missing: expected: 这是⟦最低价⟧"))
    #expect(result.stdout.hasSuffix(" failed\n"))
    result = try await CLI.run(["rules", "test", directory.path, "--format", "junit"])
    #expect(result.stdout.contains("<testsuite name=\"mine.cheap\""))
    result = try await CLI.run(["rules", "test", directory.path, "--format", "json"])
    #expect(
      (try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])?["failed"] as? Int ?? 0 > 0)
    try "version: 1\npack: mine\nname: x\nrules:\n  - id: mine.x\n    kind: lexicon\n    severty: block\n".write(
      to: directory.appending(path: "mine.yml"), atomically: true, encoding: .utf8)
    result = try await CLI.run(["rules", "test", directory.path])
    #expect(result.status == 2)
    #expect(result.stderr.contains("mine.yml:7:5: unknown key 'severty'"))
  }

  @Test("rules list and rules show")
  func listAndShow() async throws {
    let list = try await CLI.run(["rules", "list"])
    #expect(list.status == 0)
    #expect(list.stdout.contains("adlaw.absolute"))
    let show = try await CLI.run(["rules", "show", "sample.best", "--rulesets", "../rulesets/sample"])
    #expect(show.status == 0)
    #expect(show.stdout.contains("basis: 《广告法》第九条第三项"))
    #expect(show.stdout.contains("exception (review): 最佳食用期"))
    #expect(try await CLI.run(["rules", "show", "no.such"]).status == 2)
    let typo = try await CLI.run(["rules", "show", "adlaw.absolute.lowst"])
    #expect(typo.status == 2)
    #expect(typo.stderr.contains("did you mean 'adlaw.absolute.lowest-price'?"))
  }
}

@Suite("hegui: case files, corpus files, --update, non-suppressible rules")
struct RegressionSourcesCLITests {
  static let pack = """
    version: 1
    pack: mine
    name: 我的规则
    rules:
      - id: mine.cheap
        kind: lexicon
        severity: block
        message: 绝对化价格用语
        basis: 《广告法》第九条第三项
        suppressible: false
        terms: [最便宜]
        examples:
          trigger: ["这是⟦最便宜⟧的"]
          pass: [便宜]
      - id: mine.wechat
        kind: lexicon
        severity: review
        message: 站外引流
        basis: 《网络直播营销管理办法（试行）》第十八条
        terms: [加微信]
        examples:
          trigger: ["⟦加微信⟧", "快⟦加微信⟧"]
          pass: [微信支付]
    """

  func makeRules() throws -> URL {
    let directory = try CLI.temporaryDirectory()
    try Self.pack.write(to: directory.appending(path: "mine.yml"), atomically: true, encoding: .utf8)
    return directory
  }

  @Test("bulk case files add cases; a failing bulk case fails the run")
  func caseFiles() async throws {
    let directory = try makeRules()
    defer { try? FileManager.default.removeItem(at: directory) }
    try FileManager.default.createDirectory(at: directory.appending(path: "tests"), withIntermediateDirectories: true)
    try """
    version: 1
    cases:
      - rule: mine.cheap
        trigger: ["全场⟦最便宜⟧"]
        pass: [价格便宜]
    """.write(to: directory.appending(path: "tests/mine.cases.yml"), atomically: true, encoding: .utf8)
    let passing = try await CLI.run(["rules", "test", directory.path, "--rule", "mine.cheap", "--format", "json"])
    #expect(passing.status == 0, "\(passing.stdout)")
    try """
    version: 1
    cases:
      - rule: mine.cheap
        pass: [这是最便宜的]
    """.write(to: directory.appending(path: "tests/mine.cases.yml"), atomically: true, encoding: .utf8)
    let failing = try await CLI.run(["rules", "test", directory.path])
    #expect(failing.status == 1)
    #expect(failing.stdout.contains("FAIL mine.cheap pass#2 original"))
    try "version: 1\ncases:\n  - rule: mine.nope\n    pass: [x]\n".write(
      to: directory.appending(path: "tests/mine.cases.yml"), atomically: true, encoding: .utf8)
    let unknown = try await CLI.run(["rules", "test", directory.path])
    #expect(unknown.status == 2)
    #expect(unknown.stderr.contains("tests/mine.cases.yml:3:11: unknown rule id 'mine.nope'"))
  }

  @Test("corpus files: missing expectations fail; --update writes them; an interfering change is caught")
  func corpus() async throws {
    let directory = try makeRules()
    defer { try? FileManager.default.removeItem(at: directory) }
    try FileManager.default.createDirectory(at: directory.appending(path: "corpus"), withIntermediateDirectories: true)
    try "老铁们，这是最便宜的\n快加微信\n".write(to: directory.appending(path: "corpus/day1.txt"), atomically: true, encoding: .utf8)
    var result = try await CLI.run(["rules", "test", directory.path, "--disable-shipped-check"])
    #expect(result.status == 64)  // not an option: usage error
    result = try await CLI.run(["rules", "test", directory.path])
    #expect(result.status == 1)
    #expect(result.stdout.contains("day1.expect.json does not exist"))
    result = try await CLI.run(["rules", "test", directory.path, "--update"])
    #expect(result.status == 0)
    let expectations = try String(contentsOf: directory.appending(path: "corpus/day1.expect.json"), encoding: .utf8)
    #expect(expectations.contains("\"rule\" : \"mine.cheap\""))
    #expect(expectations.contains("\"match\" : \"加微信\""))
    result = try await CLI.run(["rules", "test", directory.path])
    #expect(result.status == 0, "\(result.stdout)")
    // A rule change that adds a finding shows up as unexpected in the corpus.
    try Self.pack.replacingOccurrences(of: "terms: [加微信]", with: "terms: [加微信, 老铁]")
      .write(to: directory.appending(path: "mine.yml"), atomically: true, encoding: .utf8)
    result = try await CLI.run(["rules", "test", directory.path])
    #expect(result.status == 1)
    #expect(result.stdout.contains("unexpected: 1:1 review mine.wechat “老铁”"))
  }

  @Test("a non-suppressible rule keeps its finding and the attempt is reported")
  func nonSuppressible() async throws {
    let directory = try makeRules()
    defer { try? FileManager.default.removeItem(at: directory) }
    let script =
      "#! hegui disable-next-line mine.cheap -- 想抑制\n这是最便宜的\n#! hegui disable-next-line mine.wechat -- 已改为平台内客服\n快加微信\n"
    let result = try await CLI.run(
      ["lint", "--stdin", "--format", "line", "--rulesets", directory.path, "--only-rule", "mine"], stdin: script)
    #expect(
      result.stdout == """
        <stdin>:1:1:review:hegui.suppression.not-suppressible:规则 mine.cheap 不允许行内抑制，该发现仍然有效；如确属例外，请交由人工审核。
        <stdin>:2:3:block:mine.cheap:绝对化价格用语

        """)
    #expect(result.status == 1)
  }
}
