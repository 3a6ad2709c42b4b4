import ArgumentParser
import Foundation
import Hegui
import HeguiLint

/// `hegui explain 全网最低价`: which rules a phrase triggers, where, and why.
struct ExplainCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "explain",
    abstract: tr("Find the rules a phrase triggers and explain them.", "查找一个说法会触发的规则并解释。"),
    discussion: paragraphs(
      """
      The phrase is checked in every context (livestream, caption, title, description), with the
      category, shop subject and licences given; each rule it triggers is shown once, with the
      contexts it fires in, the words it matched, its message, legal basis and suggestions.
      Without --category, rules that fire only for some categories are listed after them.

      Exit codes: 0 the phrase triggers nothing; 1 it triggers a rule; 2 unreadable ruleset.
      """))

  @Argument(help: "The phrase (quote it if it has spaces).")
  var phrase: String

  @Option(help: "Category id or Chinese name (e.g. cosmetics or 化妆品).", completion: Completions.categories)
  var category: String?

  @Option(help: "Shop subject: individual (个人) or enterprise (企业).")
  var shopSubject: ShopSubject?

  @Option(name: [.customLong("licence"), .customLong("license")], help: "A licence the shop holds (repeatable).")
  var licences: [String] = []

  @Option(help: ArgumentHelp("A directory of extra rulesets (repeatable).", valueName: "dir"))
  var rulesets: [String] = []

  func validate() throws {
    if phrase.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
      throw ValidationError("give a phrase to explain")
    }
  }

  /// What one rule did to the phrase across contexts.
  private struct Fired {
    var rule: Rule?
    var id: String
    var contexts: [TextContext] = []
    var severities: Set<Severity> = []
    var matches: [String] = []
    var message: String
  }

  func run() async throws {
    let ruleset = try loadRuleset(directories: rulesets)
    if let category, ruleset.category(named: category) == nil {
      printError(
        "error: unknown category '\(category)'; known: \(ruleset.categories.map { "\($0.id) (\($0.names.joined(separator: "/")))" }.joined(separator: ", "))"
      )
      throw ExitCode(Exit.inputError)
    }
    let checker = Checker(ruleset: ruleset)
    let base = CheckContext(shopSubject: shopSubject, category: category, licences: Set(licences))

    var fired: [String: Fired] = [:]
    var order: [String] = []
    for context in TextContext.allCases {
      var situation = base
      situation.context = context
      for finding in checker.check(phrase, context: situation).findings {
        let id = finding.ruleID
        if fired[id] == nil {
          order.append(id)
          fired[id] = Fired(rule: ruleset.rule(withID: id), id: id, message: finding.message)
        }
        if fired[id]?.contexts.last != context { fired[id]?.contexts.append(context) }
        fired[id]?.severities.insert(finding.severity)
        if !finding.match.isEmpty, fired[id]?.matches.contains(finding.match) == false {
          fired[id]?.matches.append(finding.match)
        }
      }
    }

    var out = ""
    let shown = TerminalSafe.escape(phrase)
    if order.isEmpty {
      out += tr("“\(shown)” triggers no rule in any context", "“\(shown)”在任何语境下都不触发规则")
      out += category.map { tr(" for category \($0)", "（类目 \($0)）") } ?? ""
      out += tr(".\n", "。\n")
    } else {
      out += tr(
        "“\(shown)” triggers \(order.count) rule\(order.count == 1 ? "" : "s"):\n", "“\(shown)”触发 \(order.count) 条规则：\n"
      )
      for id in order {
        guard let entry = fired[id] else { continue }
        out += "\n" + describe(entry)
      }
    }

    // Rules that need a category to fire: the phrase checked once per top-level category.
    if category == nil {
      var byRule: [String: [String]] = [:]
      var ruleOrder: [String] = []
      for entry in ruleset.categories where entry.parent == nil {
        var situation = base
        situation.category = entry.id
        var here = Set<String>()
        for context in TextContext.allCases {
          situation.context = context
          for finding in checker.check(phrase, context: situation).findings
          where !finding.match.isEmpty && fired[finding.ruleID] == nil {
            here.insert(finding.ruleID)
          }
        }
        for id in here.sorted() {
          if byRule[id] == nil { ruleOrder.append(id) }
          byRule[id, default: []].append("\(entry.id) (\(entry.names.first ?? entry.id))")
        }
      }
      if !ruleOrder.isEmpty {
        out += tr("\nWith a category (--category) it also triggers:\n", "\n给出类目（--category）时还会触发：\n")
        for id in ruleOrder {
          out += "  \(id)  " + tr("for ", "类目：") + byRule[id, default: []].joined(separator: ", ") + "\n"
        }
      }
    }
    print(out, terminator: "")
    if !order.isEmpty { throw ExitCode(Exit.findings) }
  }

  private func describe(_ entry: Fired) -> String {
    let severities = entry.severities.sorted(by: >).map(\.rawValue).joined(separator: "/")
    var lines = ["\(entry.id)  \(severities)" + (entry.rule.map { "  (\($0.kind.rawValue), pack \($0.pack))" } ?? "")]
    let every = entry.contexts.count == TextContext.allCases.count
    lines.append(
      tr("  fires in: ", "  触发语境：")
        + (every ? tr("every context", "全部语境") : entry.contexts.map(\.rawValue).joined(separator: ", ")))
    if !entry.matches.isEmpty {
      lines.append(tr("  matched: ", "  命中：") + entry.matches.map { "“\($0)”" }.joined(separator: "、"))
    }
    lines.append(tr("  message: ", "  提示：") + entry.message)
    if let rule = entry.rule {
      if !rule.basis.isEmpty {
        lines.append(
          tr("  basis: ", "  依据：") + rule.basis.joined(separator: "；")
            + (rule.policy == .platform ? " (platform policy)" : ""))
      }
      if !rule.suggestions.isEmpty {
        lines.append(tr("  suggestions: ", "  建议改为：") + rule.suggestions.joined(separator: " / "))
      }
      let a = rule.applicability
      if !a.categories.isEmpty { lines.append("  only for: " + a.categories.sorted().joined(separator: ", ")) }
      if !a.excludedCategories.isEmpty {
        lines.append("  not for: " + a.excludedCategories.sorted().joined(separator: ", "))
      }
      lines.append(tr("  more: ", "  详情：") + "hegui rules show \(rule.id)")
    }
    return lines.map(TerminalSafe.escape).joined(separator: "\n") + "\n"
  }
}
