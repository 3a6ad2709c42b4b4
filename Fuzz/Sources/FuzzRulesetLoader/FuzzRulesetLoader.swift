// Fuzz target: the ruleset loader.
//
// Any bytes are a YAML ruleset pack, `fuzz.yml`, loaded on its own (no shipped rules). The loader
// must return an error or a ruleset, never crash or hang (libFuzzer's `-timeout` turns a hang into
// a finding; YAML alias bombs — billion laughs, an alias bomb as a mapping key — must be refused
// quickly). A ruleset that loads is compiled into a checker, which checks every example text of
// its rules in the example's situation; the findings must lie where they say (see `checkSpans`).

import FuzzSupport
import Hegui

/// libFuzzer's entry point: loads one input as a ruleset and runs what loads.
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let text = Fuzz.text(data, size)
  let ruleset: Ruleset
  do {
    ruleset = try Ruleset.load(files: ["fuzz.yml": text])
  } catch {
    Fuzz.require(!error.message.isEmpty, "an error without a message: \(error)")
    return 0
  }
  let checker = Checker(ruleset: ruleset)
  for rule in ruleset.rules {
    for example in rule.triggerExamples + rule.passExamples {
      let context = CheckContext(
        example.context, shopSubject: example.shopSubject, category: example.category, licences: example.licences)
      let result = checker.check(example.text, context: context)
      Fuzz.checkSpans(result, text: example.text, ruleset: ruleset, label: "example of \(rule.id)")
      for span in example.spans {
        Fuzz.require(
          0 <= span.lowerBound && span.upperBound <= example.text.utf8.count,
          "\(rule.id): an example's marked span \(span) lies outside its text '\(example.text)'")
      }
    }
  }
  return 0
}

@main
enum Main {
  static func main() { Fuzz.run(testOneInput) }
}
