// No Foundation here: `contains` below is the standard library's `StringProtocol.contains(_:)`,
// the loop a Swift programmer would write first.

/// The naive lexicon check: `String.contains` for every term over every text, until `budget`
/// seconds have passed (the full corpus would take hours).
enum NaiveContains {
  /// Returns the bytes checked, the seconds taken and the number of (text, term) hits.
  static func run(terms: [String], items: [CorpusItem], budget: Double) -> (bytes: Int, seconds: Double, hits: Int) {
    var bytes = 0
    var hits = 0
    let start = Measure.clock.now
    var elapsed = 0.0
    for item in items {
      for term in terms where item.text.contains(term) { hits += 1 }
      bytes += item.text.utf8.count
      elapsed = Measure.seconds(Measure.clock.now - start)
      if elapsed >= budget { break }
    }
    return (bytes, elapsed, hits)
  }
}
