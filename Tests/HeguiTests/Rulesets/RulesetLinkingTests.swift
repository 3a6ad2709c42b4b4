import Foundation
import Hegui
import Testing

/// What the loader guarantees across files and sources: the order of rules, which error comes
/// first, pack and category replacement, case files and category references.
@Suite("Ruleset loader: across files and sources")
struct RulesetLinkingTests {
  static func pack(_ id: String, rules: [String] = [], extra: String = "") -> String {
    var yaml = "version: 1\npack: \(id)\nname: 测试\n" + extra
    if !rules.isEmpty { yaml += "rules:\n" }
    for rule in rules {
      yaml += "  - id: \(rule)\n    kind: lexicon\n    severity: block\n    message: m\n    terms: [最好]\n"
    }
    return yaml
  }

  static let categories = """
    version: 1
    pack: cats
    name: 类目
    categories:
      - id: food
        names: [食品]
      - id: snack
        names: [零食]
        parent: 食品

    """

  func error(_ body: () throws(HeguiError) -> Ruleset) -> HeguiError? {
    do {
      _ = try body()
      return nil
    } catch {
      return error
    }
  }

  func expectError(
    _ files: [String: String], code: HeguiError.Code, at location: String, message: String,
    sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) {
    guard let error = error({ () throws(HeguiError) in try Ruleset.load(files: files) }) else {
      Issue.record("expected an error", sourceLocation: sourceLocation)
      return
    }
    #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    #expect(error.location?.description == location, "\(error)", sourceLocation: sourceLocation)
    #expect(error.message == message, "\(error)", sourceLocation: sourceLocation)
  }

  @Test("rules load in path order of their files, then in file order")
  func ruleOrder() throws {
    let ruleset = try Ruleset.load(files: [
      "b.yml": Self.pack("b", rules: ["b.2", "b.1"]),
      "a/z.yml": Self.pack("az", rules: ["az.1"]),
      "a.yml": Self.pack("a", rules: ["a.1"]),
    ])
    #expect(ruleset.packs.map(\.id) == ["a", "az", "b"])
    #expect(ruleset.rules.map(\.id) == ["a.1", "az.1", "b.2", "b.1"])
  }

  @Test("a rule with several mistakes reports the first in reading order")
  func firstMistake() {
    let header =
      "version: 1\npack: t\nname: x\nrules:\n  - id: t.a\n    kind: lexicon\n    severity: block\n"
      + "    message: m\n    terms: [x]\n"
    expectError(
      ["bad.yml": header + "    aliases: ['']\n    boundary: yes\n"], code: .invalidRuleset, at: "bad.yml:11:15",
      message: "'boundary' must be word or none, found 'yes'")
    expectError(
      ["bad.yml": header + "    examples: {pass: ['⟦x⟧']}\n    exceptions: [{action: drop, phrase: y}]\n"],
      code: .invalidRuleset, at: "bad.yml:11:27",
      message: "exception 'action' must be suppress or review, found 'drop'")
  }

  @Test("a pack id defined twice in one source names the first file")
  func packTwiceInOneSource() {
    expectError(
      ["a.yml": Self.pack("t", rules: ["t.a"]), "sub/b.yml": Self.pack("t", rules: ["t.b"])],
      code: .invalidRuleset, at: "sub/b.yml", message: "pack 't' is already defined in a.yml")
  }

  @Test("category names are checked once every pack is loaded, and stored as ids")
  func categoryReferences() throws {
    let rule =
      Self.pack("t", rules: ["t.a"]) + "    applies_to: {categories: [食品]}\n"
      + "    overrides: [{categories: [零食], severity: info}]\n"
    let ruleset = try Ruleset.load(files: ["a.yml": rule, "z.yml": Self.categories])
    #expect(ruleset.rules[0].applicability.categories == ["food"])
    #expect(ruleset.rules[0].overrides[0].categories == ["snack"])
    #expect(ruleset.category(named: "零食")?.parent == "food")
    expectError(
      ["a.yml": rule], code: .unknownCategory, at: "a.yml:10:31",
      message: "unknown category '食品'; no category table is loaded")
    expectError(
      ["a.yml": rule.replacingOccurrences(of: "[食品]", with: "[fod]"), "z.yml": Self.categories],
      code: .unknownCategory, at: "a.yml:10:31", message: "unknown category 'fod' (did you mean 'food'?)")
  }

  @Test("a category id or name defined twice in one source is an error at the second")
  func categoryTwice() {
    expectError(
      ["cats.yml": Self.categories + "  - id: food2\n    names: [食品]\n"], code: .invalidRuleset,
      at: "cats.yml:10:5", message: "category '食品' is already defined at cats.yml:5:5")
    expectError(
      ["cats.yml": Self.categories.replacingOccurrences(of: "parent: 食品", with: "parent: drink")],
      code: .unknownCategory, at: "cats.yml:7:5", message: "unknown parent category 'drink'")
  }

  @Test("case files add examples to the rule they name, by id or alias")
  func caseFiles() throws {
    let rule = Self.pack("t", rules: ["t.a"]) + "    aliases: [t.old]\n"
    let ruleset = try Ruleset.load(files: [
      "t.yml": rule,
      "tests/x.cases.yml": "version: 1\ncases:\n  - rule: t.old\n    trigger: ['⟦最好⟧的']\n    pass: [好]\n",
    ])
    #expect(ruleset.rules[0].triggerExamples.map(\.marked) == ["⟦最好⟧的"])
    #expect(ruleset.rules[0].passExamples.map(\.text) == ["好"])
    #expect(ruleset.rules[0].triggerExamples[0].location.description == "tests/x.cases.yml:4:15")
    expectError(
      ["t.yml": rule, "tests/x.cases.yml": "version: 1\ncases:\n  - rule: t.b\n    pass: [好]\n"],
      code: .unknownRule, at: "tests/x.cases.yml:3:11", message: "unknown rule id 't.b' (did you mean 't.a'?)")
    expectError(
      [
        "t.yml": rule, "z.yml": Self.categories,
        "tests/x.cases.yml": "version: 1\ncases:\n  - rule: t.a\n    pass: [{text: 好, category: fod}]\n",
      ],
      code: .unknownCategory, at: "tests/x.cases.yml:4:32", message: "unknown category 'fod'")
    expectError(
      ["t.yml": rule, "tests/x.cases.yml": "version: 1\ncases:\n  - rule: t.a\n    trigger: [最好]\n"],
      code: .invalidRuleset, at: "tests/x.cases.yml:4:15",
      message: "a trigger example must mark the expected span with ⟦ ⟧")
  }

  @Test("a later source replaces a pack, and a category row, with the same id")
  func laterSourceReplaces() throws {
    let root = FileManager.default.temporaryDirectory.appending(path: "hegui-linking-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: root) }
    func directory(_ name: String, _ files: [String: String]) throws -> URL {
      let directory = root.appending(path: name)
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      for (path, text) in files {
        try text.write(to: directory.appending(path: path), atomically: true, encoding: .utf8)
      }
      return directory
    }
    let first = try directory(
      "first", ["t.yml": Self.pack("t", rules: ["t.a"]), "u.yml": Self.pack("u", rules: ["u.a"])])
    let second = try directory("second", ["t.yml": Self.pack("t", rules: ["t.b"])])
    let ruleset = try Ruleset.load(directories: [first, second], includingShipped: false)
    // The replacing pack loads where its source does: after the packs it did not replace.
    #expect(ruleset.packs.map(\.id) == ["u", "t"])
    #expect(ruleset.rules.map(\.id) == ["u.a", "t.b"])

    let rule = Self.pack("t", rules: ["t.a"]) + "    applies_to: {categories: [食品]}\n"
    let table = Self.categories.replacingOccurrences(of: "parent: 食品", with: "parent: food")
    let tables = try directory("tables", ["cats.yml": table, "t.yml": rule])
    let renamed = try directory(
      "renamed",
      [
        "cats2.yml": "version: 1\npack: cats2\nname: c\ncategories:\n  - id: food\n    names: [吃的]\n"
      ])
    let replaced = try Ruleset.load(directories: [renamed, tables], includingShipped: false)
    #expect(replaced.category(named: "食品")?.id == "food")
    #expect(replaced.category(named: "吃的") == nil)
    let error = error { () throws(HeguiError) in
      try Ruleset.load(directories: [tables, renamed], includingShipped: false)
    }
    #expect(error?.code == .unknownCategory)
    #expect(error?.location?.description == tables.path + "/t.yml:10:31")
    #expect(error?.message == "unknown category '食品'")
  }
}
