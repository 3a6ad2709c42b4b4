import Foundation
import Hegui
import Testing

@Suite("Checker")
struct CheckerTests {
  let checker = Fixtures.sampleChecker

  /// Asserts that the one finding of `rule` covers exactly `expected` at its first occurrence
  /// after `prefix`, with consistent UTF-8, UTF-16, index, line and column.
  func expectSpan(
    _ text: String, rule: String, expected: String, context: CheckContext = CheckContext(),
    sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) {
    let findings = Fixtures.findings(text, rule: rule, context: context)
    guard findings.count == 1, let finding = findings.first, let span = finding.span else {
      Issue.record(
        "expected one finding of \(rule) in \(text.debugDescription), got \(findings.map(\.match))",
        sourceLocation: sourceLocation)
      return
    }
    #expect(finding.match == expected, sourceLocation: sourceLocation)
    #expect(String(text[span.range]) == expected, sourceLocation: sourceLocation)
    let utf8 = Array(text.utf8)
    #expect(String(decoding: utf8[span.utf8], as: UTF8.self) == expected, sourceLocation: sourceLocation)
    let utf16 = Array(text.utf16)
    #expect(String(decoding: utf16[span.utf16], as: UTF16.self) == expected, sourceLocation: sourceLocation)
    // Line and column, counted independently: lines split at \n, columns in characters.
    let before = String(decoding: utf8[..<span.utf8.lowerBound], as: UTF8.self)
    let line = before.utf8.filter { $0 == 0x0A }.count + 1
    let lineStart = before.utf8.lastIndex(of: 0x0A).map { before.utf8.index(after: $0) } ?? before.startIndex
    let column = before[lineStart...].count + 1
    #expect(span.line == line, sourceLocation: sourceLocation)
    #expect(span.column == column, sourceLocation: sourceLocation)
  }

  @Test(
    "the finding's original substring is exactly the matched text",
    arguments: [
      ("😀🎉全网最低价", "全网最低价"), ("第一行\r\n第二行全网最低价", "全网最低价"), ("ＡＢＣ　全网最低价", "全网最低价"),
      ("全網最低價來了", "全網最低價"), ("今天最*便*宜", "最*便*宜"), ("👨‍👩‍👧最 便 宜", "最 便 宜"),
      ("\r\n\r\n😀\r\n最🔥便宜", "最🔥便宜"), ("\u{FEFF}全网最低价", "全网最低价"), ("e\u{301}全网最低价", "全网最低价"),
      ("𠀀𠀁全網最低價", "全網最低價"), ("ＮＯ．１全网最\u{200B}低价", "全网最\u{200B}低价"),
    ])
  func spanExactness(_ text: String, _ expected: String) {
    expectSpan(text, rule: "sample.lowest-price", expected: expected)
  }

  @Test("randomised prefixes: spans stay exact")
  func randomisedPrefixes() {
    var rng = SplitMix64(state: 2026)
    let prefixes = [
      "😀", "🎉", "\r\n", "\n", "ＡＢＣ", "　", "國家", "最*", "e\u{301}", "𠀀", "，", "abc", "①", " ", "\u{200B}", "👍🏻",
    ]
    let targets = ["全网最低价", "全網最低價", "最*便*宜", "最 便 宜", "ＮＯ．１最便宜"]
    for _ in 0..<400 {
      let prefix = (0..<Int.random(in: 0...10, using: &rng)).map { _ in prefixes.randomElement(using: &rng)! }.joined()
      let target = targets.randomElement(using: &rng)!
      // A separator so that prefix noise never glues onto the target.
      let text = prefix + "。" + target + "。"
      let expected = target.hasPrefix("ＮＯ．１") ? String(target.dropFirst(4)) : target
      expectSpan(text, rule: "sample.lowest-price", expected: expected)
    }
  }

  @Test("the verdict follows the most severe finding")
  func verdict() {
    #expect(checker.check("价格实惠").verdict == .pass)
    #expect(checker.check("全网最低价").verdict == .block)
    #expect(checker.check("加微信详聊").verdict == .review)
  }

  @Test("an empty text has no findings")
  func empty() {
    let result = checker.check("")
    #expect(result.findings.isEmpty)
    #expect(result.verdict == .pass)
  }

  @Test("exceptions suppress or downgrade, as the rule says; pattern exceptions too")
  func exceptions() {
    #expect(Fixtures.findings("我们是最佳拍档", rule: "sample.best").isEmpty)
    #expect(Fixtures.findings("最佳食用期三天", rule: "sample.best").map(\.severity) == [.review])
    #expect(Fixtures.findings("2023年度最佳", rule: "sample.best").map(\.severity) == [.review])
    #expect(Fixtures.findings("最佳选择", rule: "sample.best").map(\.severity) == [.block])
  }

  @Test("applies_to: contexts, categories and excluded categories")
  func applicability() {
    #expect(Fixtures.findings("加微信", rule: "sample.wechat", context: CheckContext(.title)).isEmpty)
    #expect(Fixtures.findings("加微信", rule: "sample.wechat", context: CheckContext(.caption)).count == 1)
    #expect(Fixtures.findings("美白精华", rule: "sample.whitening").isEmpty)
    #expect(Fixtures.findings("可以治疗", rule: "sample.cure", context: CheckContext(category: "drug")).isEmpty)
    #expect(Fixtures.findings("可以治疗", rule: "sample.cure", context: CheckContext(category: "food")).count == 1)
  }

  @Test("overrides: a licence suppresses, an individual shop blocks")
  func overrides() {
    let cosmetics = CheckContext(category: "化妆品")
    #expect(Fixtures.findings("美白精华", rule: "sample.whitening", context: cosmetics).map(\.severity) == [.review])
    var licensed = cosmetics
    licensed.licences = ["特殊化妆品注册证"]
    #expect(Fixtures.findings("美白精华", rule: "sample.whitening", context: licensed).isEmpty)
    var individual = cosmetics
    individual.shopSubject = .individual
    #expect(Fixtures.findings("美白精华", rule: "sample.whitening", context: individual).map(\.severity) == [.block])
  }

  @Test("evasion: false drops hits through removed noise")
  func evasionFalse() {
    #expect(Fixtures.findings("治*疗失眠", rule: "sample.cure").isEmpty)
    #expect(Fixtures.findings("治疗失眠", rule: "sample.cure").count == 1)
  }

  @Test("category rules: subject and licence, with sub-categories, no text span")
  func categoryRules() {
    let individualFood = Fixtures.findings(
      "坚果", rule: "sample.individual-food", context: CheckContext(shopSubject: .individual, category: "食品"))
    #expect(individualFood.count == 1)
    #expect(individualFood.first?.span == nil)
    #expect(individualFood.first?.field == "category")
    #expect(individualFood.first?.message == "个人主体不得销售食品（food）")
    #expect(
      Fixtures.findings(
        "鱼油", rule: "sample.individual-food", context: CheckContext(shopSubject: .individual, category: "health-food")
      ).count == 1)
    #expect(
      Fixtures.findings(
        "鱼油", rule: "sample.licence",
        context: CheckContext(shopSubject: .enterprise, category: "health-food", licences: ["食品经营许可证"])
      ).count == 1)
    #expect(
      Fixtures.findings(
        "坚果", rule: "sample.licence",
        context: CheckContext(shopSubject: .enterprise, category: "food", licences: ["食品经营许可证"])
      ).isEmpty)
  }

  @Test("an unknown category is a diagnostic and makes the verdict review, never pass")
  func unknownCategory() {
    let result = checker.check("价格实惠", context: CheckContext(category: "无此类目"))
    #expect(result.diagnostics.contains { $0.code == .unknownCategory && $0.message.contains("unknown category") })
    #expect(result.verdict == .review)
  }

  @Test("a pattern that hits its match limit is a diagnostic, and the verdict is review")
  func matchLimitDiagnostic() throws {
    let ruleset = try Ruleset.load(files: [
      "p.yml":
        "version: 1\npack: p\nname: p\nrules:\n  - id: p.x\n    kind: pattern\n    severity: block\n    message: m\n    patterns: ['(a+)+$']\n"
    ])
    let result = Checker(ruleset: ruleset).check(String(repeating: "a", count: 40) + "b")
    #expect(result.diagnostics.contains { $0.code == .matchLimit && $0.message.contains("match limit") })
    #expect(result.verdict == .review)
  }

  @Test("the checker is Sendable and gives the same answers from many tasks")
  func concurrency() async {
    let text = "今天全网最低价，行业第一品牌，加微信详聊"
    let expected = checker.check(text).findings
    await withTaskGroup(of: [Finding].self) { group in
      for _ in 0..<16 { group.addTask { checker.check(text).findings } }
      for await findings in group { #expect(findings == expected) }
    }
  }

  @Test("a 50 MB text completes, finds every violation, in bounded memory")
  func largeText() async {
    // Seconds of CPU work: run it on a thread of its own, not on Swift's cooperative pool.
    await withCheckedContinuation { continuation in
      Thread {
        // Alone among the memory-heavy tests: the bound below is on this process's peak.
        heavyWork.withLock { largeTextBody() }
        continuation.resume()
      }.start()
    }
  }

  func largeTextBody() {
    let lines = ["今天给大家带来一款超好用的保温杯，容量500毫升，保温12小时。", "宝宝们，最近天气冷了，记得多喝热水哦。", "这款面膜补水保湿，敏感肌也可以用。", "第一次来直播间的朋友点个关注。"]
    var text = ""
    text.reserveCapacity(52 * 1024 * 1024)
    var violations = 0
    var i = 0
    while text.utf8.count < 50 * 1024 * 1024 {
      i += 1
      if i % 5000 == 0 {
        text += "全网最低价，错过再等一年！\n"
        violations += 1
      } else {
        text += lines[i % lines.count] + "\n"
      }
    }
    let before = Fixtures.peakResidentBytes()
    let result = checker.check(text)
    let after = Fixtures.peakResidentBytes()
    #expect(result.findings.filter { $0.ruleID == "sample.lowest-price" }.count == violations)
    #expect(result.findings.allSatisfy { $0.ruleID != "sample.first" })
    // Checking works in chunks: it needs a few chunk buffers, not a copy of the text. Peak
    // memory is process-wide and other suites run in parallel, so the bound leaves room for
    // them; an engine that normalised the whole text at once (9 bytes per byte: ≈ 450 MB) or
    // copied it would still fail it.
    #expect(after - before < 160 * 1024 * 1024, "peak memory grew by \(after - before) bytes")
  }
}
