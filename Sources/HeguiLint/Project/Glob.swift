/// Shell-style path globs: `*` (within a path component), `?`, `**` (any number of
/// components), and `[abc]` classes. A glob without `/` matches the file name anywhere.
public struct Glob: Sendable, Hashable, CustomStringConvertible {
  /// The glob as written.
  public let pattern: String

  /// Creates a glob.
  public init(_ pattern: String) {
    self.pattern = pattern
  }

  /// The glob as written.
  public var description: String { pattern }

  /// Whether `path` (relative, `/`-separated) matches.
  public func matches(_ path: String) -> Bool {
    let p = Array(pattern.hasPrefix("./") ? String(pattern.dropFirst(2)) : pattern)
    let s = Array(path.hasPrefix("./") ? String(path.dropFirst(2)) : path)
    if !pattern.contains("/") {
      // Match the last component, or any directory component (so `vendor` excludes vendor/…).
      let components = path.split(separator: "/").map(Array.init)
      return components.contains { Glob.match(p[...], $0[...]) }
    }
    if Glob.match(p[...], s[...]) { return true }
    // A directory glob also matches everything below it.
    return Glob.match((p + Array("/**"))[...], s[...])
  }

  private static func match(_ p: ArraySlice<Character>, _ s: ArraySlice<Character>) -> Bool {
    guard let first = p.first else { return s.isEmpty }
    if first == "*" {
      if p.dropFirst().first == "*" {
        var rest = p.dropFirst(2)
        if rest.first == "/" { rest = rest.dropFirst() }
        // A trailing `**` matches everything below (captions/** matches captions/a.srt).
        if rest.isEmpty { return true }
        var i = s.startIndex
        while true {
          if match(rest, s[i...]) { return true }
          guard let slash = s[i...].firstIndex(of: "/") else { return false }
          i = slash + 1
        }
      }
      var i = s.startIndex
      while true {
        if match(p.dropFirst(), s[i...]) { return true }
        if i == s.endIndex || s[i] == "/" { return false }
        i += 1
      }
    }
    guard let c = s.first else { return false }
    if first == "?" { return c != "/" && match(p.dropFirst(), s.dropFirst()) }
    if first == "[", let close = p.dropFirst().firstIndex(of: "]") {
      let set = p[(p.startIndex + 1)..<close]
      let negate = set.first == "!" || set.first == "^"
      let members = negate ? set.dropFirst() : set
      return (members.contains(c) != negate) && match(p[(close + 1)...], s.dropFirst())
    }
    return first == c && match(p.dropFirst(), s.dropFirst())
  }
}
