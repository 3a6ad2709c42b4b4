/// The values a check passes from one stage to the next, all in UTF-8 byte offsets and rule
/// indices into the ``CheckPlan``: plain values, so the hot path copies no strings.

/// A possible finding before filtering: a term, or a pattern match, of a rule (normalised offsets).
struct Candidate {
  var rule: Int
  var range: Range<Int>
  /// For a hit through pinyin, homophones or look-alikes: the term's index in the plan's
  /// ``EvasionMatcher``; -1 otherwise.
  var evaded: Int32 = -1
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
  /// As ``Candidate/evaded``.
  var evaded: Int32 = -1
}

/// What a chunk and its neighbours across a cut inside a line (``Chunks``) tell each other, so
/// that the chunk after the cut reads the overlap in step with the one before it.
///
/// Where a rule's matches can be parsed two ways (治愈率98%治愈率98%… as 治愈率98% or as
/// 98%治愈率, over and over), where a scan starts decides which parse wins. The chunk after a cut
/// therefore resumes every pattern where the previous chunk's last match that it keeps ended, and
/// lets each rule's hits begin only after the previous chunk's last finding of that rule: a long
/// line gives the same findings in one chunk or in many.
struct ChunkSeam {
  /// From the previous chunk, when this one reaches back over a cut.
  struct Incoming {
    /// Hits that end at or before it (original offset) are the previous chunk's.
    var handoff: Int
    /// Per rule: the end (original offset) of the previous chunk's last finding it keeps.
    var ruleEnds: [Int: Int]
    /// Per pattern slot: the end (original offset) of the previous chunk's last match it keeps.
    var patternEnds: [Int32: Int]
  }

  var incoming: Incoming?
  /// The next chunk's cut, when it reaches back into this one.
  var outgoing: Chunks.Cut?
  /// Per pattern slot: the end (original offset) of this chunk's last match that the next chunk
  /// leaves to it (it starts before the next chunk or ends by its handoff).
  var outgoingPatternEnds: [Int32: Int] = [:]
}
