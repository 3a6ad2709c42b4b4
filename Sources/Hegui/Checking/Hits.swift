/// The values a check passes from one stage to the next, all in UTF-8 byte offsets and rule
/// indices into the ``CheckPlan``: plain values, so the hot path copies no strings.

/// A possible finding before filtering: a term, or a pattern match, of a rule (normalised offsets).
struct Candidate {
  var rule: Int
  var range: Range<Int>
}

/// An occurrence of a rule's exception phrase (normalised offsets).
struct ExceptionHit {
  var rule: Int
  /// The exception's index among the rule's exceptions.
  var index: Int
  var range: Range<Int>
}

/// A line that holds an anchor of a pattern rule (normalised offsets): the pattern runs there.
struct AnchorLine {
  var rule: Int
  var line: Range<Int>
}

/// A hit that survived the filters, mapped back to the original text (original offsets).
struct RawFinding {
  var rule: Int
  var range: Range<Int>
  var severity: Severity
  var note: String?
}
