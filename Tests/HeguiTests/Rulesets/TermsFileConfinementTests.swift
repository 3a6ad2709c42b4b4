import Foundation
import Hegui
import Testing

/// A ruleset is data from wherever the user got it: its `terms_file` must not read outside the
/// folder the user pointed at, whether by `..`, an absolute path or a symbolic link.
@Suite("terms_file stays inside the ruleset folder")
struct TermsFileConfinementTests {
  static func pack(termsFile: String) -> String {
    """
    version: 1
    pack: probe
    name: 探测
    rules:
      - id: probe.terms
        kind: lexicon
        severity: review
        message: “{match}”
        basis: 测试
        terms_file: \(termsFile)
        examples:
          trigger: [⟦秘密⟧]
          pass: [公开]
    """
  }

  @Test(
    "'..', absolute paths and symbolic links out of the folder are errors at the key; inside is read",
    arguments: [
      "../outside/secret.txt", "../../outside/secret.txt", "/etc/passwd", "lexicons/link-out.txt",
    ])
  func outside(_ termsFile: String) throws {
    let base = FileManager.default.temporaryDirectory.appending(path: "hegui-confine-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: base) }
    let rules = base.appending(path: "rules")
    let fm = FileManager.default
    try fm.createDirectory(at: rules.appending(path: "lexicons"), withIntermediateDirectories: true)
    try fm.createDirectory(at: base.appending(path: "outside"), withIntermediateDirectories: true)
    try Data("秘密\n".utf8).write(to: base.appending(path: "outside/secret.txt"))
    try fm.createSymbolicLink(
      atPath: rules.appending(path: "lexicons/link-out.txt").path,
      withDestinationPath: base.appending(path: "outside/secret.txt").path)
    try Data(Self.pack(termsFile: termsFile).utf8).write(to: rules.appending(path: "probe.yml"))
    let error = #expect(throws: HeguiError.self) {
      try Ruleset.load(directories: [rules], includingShipped: false)
    }
    #expect(error?.location?.line == 10, "\(String(describing: error))")
    #expect(error?.message.contains("does not exist") == true)

    try Data("秘密\n".utf8).write(to: rules.appending(path: "lexicons/inside.txt"))
    try Data(Self.pack(termsFile: "lexicons/inside.txt").utf8).write(to: rules.appending(path: "probe.yml"))
    let loaded = try Ruleset.load(directories: [rules], includingShipped: false)
    #expect(loaded.rules.first?.terms == ["秘密"])
  }
}
