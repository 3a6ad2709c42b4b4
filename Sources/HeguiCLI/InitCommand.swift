import ArgumentParser
import Foundation
import Hegui
import HeguiLint

/// `hegui init`: a commented `.hegui.yml` to start from.
struct InitCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "init",
    abstract: tr("Write a commented .hegui.yml to start a project from.", "生成带注释的 .hegui.yml 作为项目配置的起点。"),
    discussion: paragraphs(
      """
      Writes .hegui.yml in the given folder (default: the working directory) with every setting
      explained and the known categories listed; only `version` and what you pass here are set,
      the rest is commented out. An existing file is never overwritten unless --force is given.
      """))

  @Argument(help: "The folder to write .hegui.yml in.")
  var directory: String = "."

  @Option(
    help: "Category id or Chinese name for the project's texts (e.g. cosmetics or 化妆品).",
    completion: Completions.categories)
  var category: String?

  @Option(help: "Shop subject: individual (个人) or enterprise (企业).")
  var shopSubject: ShopSubject?

  @Flag(help: "Replace an existing .hegui.yml.")
  var force = false

  func run() async throws {
    let ruleset = try loadRuleset(directories: [])
    if let category, ruleset.category(named: category) == nil {
      printError(
        "error: unknown category '\(category)'; known: \(ruleset.categories.map(\.id).joined(separator: ", "))")
      throw ExitCode(Exit.inputError)
    }
    let folder = URL(
      fileURLWithPath: directory, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
      printError("\(errorWord)\(directory): no such folder")
      throw ExitCode(Exit.inputError)
    }
    let target = folder.appending(path: ".hegui.yml")
    let shown =
      directory == "." ? ".hegui.yml" : (directory.hasSuffix("/") ? directory : directory + "/") + ".hegui.yml"
    for name in [".hegui.yml", ".hegui.yaml"] where !force {
      if FileManager.default.fileExists(atPath: folder.appending(path: name).path) {
        printError(
          errorWord + folder.appending(path: name).path
            + tr(" exists; pass --force to replace it", " 已存在；要替换请加 --force"))
        throw ExitCode(Exit.inputError)
      }
    }
    let text = Self.template(ruleset: ruleset, category: category, shopSubject: shopSubject)
    do {
      try OutputFile.write(Data(text.utf8), to: target, displayPath: shown)
      // What init writes must load: a template the linter refuses would be a broken promise.
      let configuration = try ProjectConfiguration.load(target)
      try configuration.validate(against: ruleset)
    } catch {
      printError(errorWord + describeError(error))
      throw ExitCode(Exit.inputError)
    }
    print(
      tr(
        "wrote \(shown); check it with: hegui lint --print-config FILE",
        "已写入 \(shown)；用 hegui lint --print-config 文件 查看生效的配置"))
  }

  /// The commented configuration.
  static func template(ruleset: Ruleset, category: String?, shopSubject: ShopSubject?) -> String {
    let categories = ruleset.categories.map {
      "\($0.id) (\($0.names.joined(separator: "/")))" + ($0.parent.map { " < \($0)" } ?? "")
    }
    var wrapped: [String] = []
    var line = "#"
    for item in categories {
      if line.count + item.count + 2 > 96 {
        wrapped.append(line)
        line = "#"
      }
      line += (line == "#" ? "   " : ", ") + item
    }
    if line != "#" { wrapped.append(line) }
    return """
      # Hegui (合规) project configuration. `hegui lint` uses the nearest .hegui.yml above each file;
      # globs below are relative to this file's folder. See what applies to one file with
      #   hegui lint --print-config path/to/file.txt
      # Unknown keys and unknown rule ids are errors, never ignored.
      version: 1

      # The category of the project's products (id or Chinese name). Known categories:
      \(wrapped.joined(separator: "\n"))
      # ("a < b": a is within b, and b's rules hold for it)
      \(category.map { "category: \($0)" } ?? "# category: food")

      # A category per folder or file, over `category` (a script's own
      # `#! hegui category: 化妆品` line wins over both).
      # categories: {"beauty/**": cosmetics, "snacks/**": 食品}

      # The shop's subject: individual (个人) or enterprise (企业), and the licences it holds.
      \(shopSubject.map { "shop_subject: \($0.rawValue)" } ?? "# shop_subject: enterprise")
      # licences: [食品经营许可证]

      # Contexts by glob: livestream (the default for scripts), caption (the default for .srt),
      # title or description.
      # contexts: {"captions/**": caption, "titles/*.txt": title}

      # Paths not to lint.
      # exclude: ["drafts/**"]

      # The lowest severity that makes `hegui lint` exit 1: block (the default), review or info.
      # fail_on: review

      # Only these rules (ids, aliases or families), or all but these; severity overrides.
      # enable: [adlaw, livestream]
      # disable: [livestream.reference-price]
      # severity: {livestream.off-platform-contact: block}

      # The team's own rulesets, added to the shipped rules (paths relative to this file).
      # rulesets: [compliance/rules]

      # Listing export columns beyond the recognised names (标题, 商品标题, 描述, 类目, …).
      # columns: {title: 品名, description: 文案}

      """
  }
}
