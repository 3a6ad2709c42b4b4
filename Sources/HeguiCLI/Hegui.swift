import ArgumentParser
import Foundation
import Hegui
import HeguiLint

@main
struct HeguiCommand: AsyncParsableCommand {
  static let version = "0.1.0"

  static let configuration = CommandConfiguration(
    commandName: "hegui",
    abstract: tr(
      "Checks Chinese livestream scripts, captions and product listings for compliance (合规检查).",
      "检查直播话术、字幕和商品信息是否合规。"),
    discussion: paragraphs(
      """
      Exit codes:
        0   nothing at or above --fail-on
        1   findings at or above --fail-on (for `rules test`: a failing case)
        2   unreadable input, invalid configuration or ruleset
        64  usage error
      """),
    version: version,
    subcommands: subcommands,
    defaultSubcommand: LintCommand.self
  )
}

extension HeguiCommand {
  /// `review` exists only in builds with the ReviewQueue trait (the default).
  static var subcommands: [any ParsableCommand.Type] {
    var commands: [any ParsableCommand.Type] = [
      LintCommand.self, RulesCommand.self, ModerateCommand.self, ExplainCommand.self, InitCommand.self,
    ]
    #if ReviewQueue
      commands.append(ReviewCommand.self)
    #endif
    return commands
  }
}

/// Exit codes shared by every subcommand.
enum Exit {
  static let clean: Int32 = 0
  static let findings: Int32 = 1
  static let inputError: Int32 = 2
}

/// The language of the CLI's own words (``Language``): Chinese under a Chinese locale.
let language = Language.current

/// `english` or `chinese`, by the locale.
func tr(_ english: String, _ chinese: String) -> String { language.pick(english, chinese) }

/// An error as people read it, in the locale's language (``Language/describe(_:)``).
func describeError(_ error: any Error) -> String {
  (error as? HeguiError).map(language.describe) ?? "\(error)"
}

/// The word before an error on standard error.
var errorWord: String { tr("error: ", "错误：") }

/// Help text as paragraphs for argument-parser, which wraps to the terminal itself: the single
/// line breaks written to keep the source narrow are joined with a space, so the help is
/// wrapped once, not twice. Blank lines, indented lines (examples) and breaks next to Chinese
/// characters are kept as written: argument-parser wraps only at spaces, which Chinese text
/// does not have, so its source lines are its wrapping.
func paragraphs(_ text: String) -> String {
  var out: [String] = []
  for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
    if let last = out.last, !last.isEmpty, !line.isEmpty, !line.hasPrefix(" "), !last.hasPrefix(" ") {
      let cjk = { (c: Character?) in c.map { $0.unicodeScalars.first.map { $0.value >= 0x2E80 } ?? false } ?? false }
      if cjk(last.last) || cjk(line.first) {
        out.append(line)
        continue
      }
      out[out.count - 1] = last + " " + line
    } else {
      out.append(line)
    }
  }
  return out.joined(separator: "\n")
}

/// The time zone times are shown to people in: `--time-zone` where a command has it, else the
/// `HEGUI_TIME_ZONE` environment variable, else Asia/Shanghai (the users' own).
func displayTimeZone(_ option: String? = nil) -> TimeZone {
  if let option, let zone = TimeZone(identifier: option) { return zone }
  return environmentTimeZone
}

/// `HEGUI_TIME_ZONE`, or Asia/Shanghai; an unknown name is said once on standard error.
let environmentTimeZone: TimeZone = {
  let shanghai = TimeZone(identifier: "Asia/Shanghai") ?? .current
  guard let name = ProcessInfo.processInfo.environment["HEGUI_TIME_ZONE"], !name.isEmpty else { return shanghai }
  guard let zone = TimeZone(identifier: name) else {
    printError(
      tr(
        "warning: HEGUI_TIME_ZONE '\(name)' is not a time zone (an IANA id such as Asia/Shanghai or UTC); showing times in Asia/Shanghai",
        "警告：HEGUI_TIME_ZONE '\(name)' 不是时区（应为 IANA 时区名，如 Asia/Shanghai 或 UTC）；时间按 Asia/Shanghai 显示"))
    return shanghai
  }
  return zone
}()

/// A time as people read it: `2026-12-08 09:15:20 +08:00`, in ``displayTimeZone(_:)``.
func displayTime(_ date: Date, in zone: TimeZone = displayTimeZone()) -> String {
  var style = Date.ISO8601FormatStyle(timeZone: zone)
  style = style.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false)
    .timeSeparator(.colon).timeZone(separator: .colon)
  let text = date.formatted(style)
  // 2026-12-08T09:15:20+08:00 → 2026-12-08 09:15:20 +08:00
  guard text.count >= 19 else { return text }
  let day = text.prefix(10)
  let time = text.dropFirst(11).prefix(8)
  let offset = text.dropFirst(19)
  return "\(day) \(time) \(offset == "Z" ? "+00:00" : String(offset))"
}

/// Prints to standard error.
func printError(_ message: String) {
  FileHandle.standardError.write(Data((message.hasSuffix("\n") ? message : message + "\n").utf8))
}

/// Loads rulesets from `--rulesets` directories (plus config) on top of the shipped ones;
/// reports a ruleset error and exits 2.
func loadRuleset(directories: [String], includingShipped: Bool = true) throws -> Ruleset {
  do {
    let urls = directories.map { URL(fileURLWithPath: $0) }
    return try Ruleset.load(directories: urls, includingShipped: includingShipped)
  } catch {
    printError(errorWord + describeError(error))
    throw ExitCode(Exit.inputError)
  }
}
