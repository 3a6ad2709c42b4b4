import Foundation
public import Hegui

/// The language of the CLI's own words (summaries, progress, notes, labels, help where
/// argument-parser allows): Chinese when the locale is Chinese (`LC_ALL`, else `LC_MESSAGES`,
/// else `LANG`, as gettext reads them: `zh_CN.UTF-8`, `zh_TW`, `zh`), English otherwise.
///
/// Rule messages, suggestions and legal bases are Chinese whatever the locale (they are what a
/// merchant acts on); machine formats (JSON, SARIF, JSON Lines, line) never change; the reasons
/// in input and configuration errors, which come from the library with their `file:line:column`,
/// are English.
public enum Language: Sendable, Hashable {
  /// English.
  case english
  /// Simplified Chinese.
  case chinese

  /// The language the environment asks for.
  public static func from(environment: [String: String]) -> Language {
    for key in ["LC_ALL", "LC_MESSAGES", "LANG"] {
      guard let value = environment[key], !value.isEmpty else { continue }
      return value.lowercased().hasPrefix("zh") ? .chinese : .english
    }
    return .english
  }

  /// The language of this process's environment.
  public static let current = from(environment: ProcessInfo.processInfo.environment)

  /// `english` or `chinese`, by the language.
  public func pick(_ english: String, _ chinese: String) -> String {
    self == .chinese ? chinese : english
  }

  /// A severity's name: `block`, or 拦截 (block).
  public func name(_ severity: Severity) -> String {
    guard self == .chinese else { return severity.rawValue }
    switch severity {
    case .block: return "拦截"
    case .review: return "复核"
    case .info: return "提示"
    }
  }

  /// `n thing` / `n things` in English; `n 个thing` in Chinese (`unit` is the Chinese measure
  /// word and noun, e.g. `个文件`).
  public func count(_ n: Int, _ english: String, _ chinese: String) -> String {
    self == .chinese ? "\(n) \(chinese)" : "\(n) \(english)\(n == 1 ? "" : "s")"
  }

  /// The lint summary line.
  func summary(total: Int, counts: [Severity: Int], files: Int, errors: Int) -> String {
    let b = counts[.block] ?? 0
    let r = counts[.review] ?? 0
    let i = counts[.info] ?? 0
    if self == .chinese {
      var text = "共 \(total) 条问题（拦截 \(b)，复核 \(r)，提示 \(i)），检查了 \(files) 个文件"
      if errors > 0 { text += "；\(errors) 个输入错误" }
      return text
    }
    var text = "\(count(total, "finding", "")) (\(b) block, \(r) review, \(i) info) in \(count(files, "file", ""))"
    if errors > 0 { text += "; \(count(errors, "input error", ""))" }
    return text
  }
}
