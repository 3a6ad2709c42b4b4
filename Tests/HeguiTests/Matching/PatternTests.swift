import Hegui
import Testing

@Suite("Pattern (PCRE2)")
struct PatternTests {
  @Test("compiles with UTF, UCP and JIT, and finds matches as UTF-8 ranges")
  func matches() throws {
    let pattern = try Pattern(#"加\s?(微信|vx)"#)
    #expect(pattern.isJITCompiled)
    let text = "😀加 vx领券，加微信"
    let ranges = try pattern.matches(in: text)
    let bytes = Array(text.utf8)
    #expect(ranges.map { String(decoding: bytes[$0], as: UTF8.self) } == ["加 vx", "加微信"])
  }

  @Test("\\w and \\d are Unicode-aware (UCP)")
  func unicodeClasses() throws {
    #expect(try Pattern(#"^\w+$"#).matches(in: "全网最低价").count == 1)
  }

  @Test("a pattern that does not compile names the offset and the reason")
  func compileError() {
    do {
      _ = try Pattern("最(低价")
      Issue.record("expected a compile error")
    } catch {
      #expect(error.code == .invalidPattern)
      #expect(error.message.contains("offset 4"))
      #expect(error.message.contains("missing closing parenthesis"))
    }
  }

  @Test("a pathological pattern stops at the match limit instead of hanging")
  func matchLimit() throws {
    let pattern = try Pattern("(a+)+$", matchLimit: 10_000)
    #expect(throws: Pattern.Failure.matchLimit) {
      _ = try pattern.matches(in: String(repeating: "a", count: 40) + "b")
    }
  }

  @Test("empty matches advance by one scalar, never loop")
  func emptyMatches() throws {
    #expect(try Pattern("x*").matches(in: "最便宜").isEmpty)
  }
}
