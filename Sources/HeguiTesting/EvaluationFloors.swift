public import Foundation
public import Hegui
import Yams

/// The worst figures a ruleset may show on labelled corpora before a build fails: a checked-in
/// file that `hegui rules eval --floors FILE` (and `make test`) enforces.
///
/// Floors only move up in a deliberate commit: when rules get better, the figures in the report
/// are copied into the file; a change that makes the rules worse on real text fails the gate.
///
/// ```yaml
/// corpora:
///   - file: dev.jsonl            # relative to this file
///     min_recall: 0.55           # phrases caught, overall
///     min_recall_by_context:     # phrases caught in one context
///       livestream: 0.40
///     max_false_block: 0.01      # clean texts with a block finding
///     max_review: 0.10           # clean texts sent to review
/// ```
public struct EvaluationFloors: Sendable {
  /// The floors of one corpus file.
  public struct Corpus: Sendable {
    /// The corpus file, resolved against the floors file's folder.
    public var file: URL
    /// The lowest overall recall allowed.
    public var minRecall: Double?
    /// The lowest recall allowed per context (`livestream`, `caption`, `title`, `description`).
    public var minRecallByContext: [String: Double] = [:]
    /// The highest share of clean texts that may be blocked.
    public var maxFalseBlock: Double?
    /// The highest share of clean texts that may be sent to review.
    public var maxReview: Double?

    /// Floors for `file`; a floor left `nil` is not checked.
    public init(
      file: URL, minRecall: Double? = nil, minRecallByContext: [String: Double] = [:], maxFalseBlock: Double? = nil,
      maxReview: Double? = nil
    ) {
      self.file = file
      self.minRecall = minRecall
      self.minRecallByContext = minRecallByContext
      self.maxFalseBlock = maxFalseBlock
      self.maxReview = maxReview
    }
  }

  /// One floor compared with a measured figure.
  public struct Check: Sendable, Hashable {
    /// What is measured, e.g. `recall`, `recall (livestream)`, `false-block rate`.
    public var measure: String
    /// The measured figure.
    public var value: Double
    /// The floor (or ceiling).
    public var bound: Double
    /// Whether the bound is a minimum (recall) rather than a maximum (rates).
    public var isMinimum: Bool
    /// Whether the figure is within the bound.
    public var passed: Bool { isMinimum ? value >= bound : value <= bound }
  }

  /// The corpora and their floors, in file order.
  public var corpora: [Corpus]

  /// Reads a floors file.
  ///
  /// - Throws: ``HeguiError`` naming the file, line and column of anything it does not understand.
  public static func load(_ url: URL) throws(HeguiError) -> EvaluationFloors {
    let reader = YAMLReader(path: url.path)
    let text = try TextFile.read(url)
    guard let root = try reader.compose(text) else {
      throw HeguiError(.invalidInput, "the floors file is empty", at: .init(path: url.path))
    }
    let top = try reader.mapping(root, what: "floors file", allowed: ["corpora"])
    let list = try reader.sequence(try reader.require(top, "corpora", in: root, what: "floors file"), what: "corpora")
    let folder = url.deletingLastPathComponent()
    var corpora: [Corpus] = []
    for node in list {
      let map = try reader.mapping(
        node, what: "corpus floors",
        allowed: ["file", "min_recall", "min_recall_by_context", "max_false_block", "max_review"])
      let name = try reader.nonEmptyString(
        try reader.require(map, "file", in: node, what: "corpus floors"), what: "file")
      func ratio(_ key: String) throws(HeguiError) -> Double? {
        guard let value = map[key] else { return nil }
        return try Self.ratio(value, key, reader)
      }
      var corpus = Corpus(
        file: folder.appending(path: name), minRecall: try ratio("min_recall"),
        maxFalseBlock: try ratio("max_false_block"),
        maxReview: try ratio("max_review"))
      if let contexts = map["min_recall_by_context"] {
        let allowed = ["livestream", "caption", "title", "description"]
        for (key, value) in try reader.mapping(contexts, what: "min_recall_by_context", allowed: allowed) {
          corpus.minRecallByContext[key] = try Self.ratio(value, "min_recall_by_context.\(key)", reader)
        }
      }
      corpora.append(corpus)
    }
    return EvaluationFloors(corpora: corpora)
  }

  private static func ratio(_ node: Node, _ key: String, _ reader: YAMLReader) throws(HeguiError) -> Double {
    guard let value = node.float, (0...1).contains(value) else {
      throw reader.error(node, "'\(key)' must be a ratio from 0 to 1", code: .invalidInput)
    }
    return value
  }

  /// Compares an evaluation of `corpus` with its floors, every floor in a fixed order.
  public static func checks(_ evaluation: RuleEvaluation, against corpus: Corpus) -> [Check] {
    var checks: [Check] = []
    if let bound = corpus.minRecall {
      checks.append(Check(measure: "recall", value: evaluation.overall.recall, bound: bound, isMinimum: true))
    }
    for context in corpus.minRecallByContext.keys.sorted() {
      guard let bound = corpus.minRecallByContext[context] else { continue }
      let value = evaluation.byContext[context]?.recall ?? 1
      checks.append(Check(measure: "recall (\(context))", value: value, bound: bound, isMinimum: true))
    }
    if let bound = corpus.maxFalseBlock {
      checks.append(
        Check(measure: "clean texts blocked", value: evaluation.falseBlockRate, bound: bound, isMinimum: false))
    }
    if let bound = corpus.maxReview {
      checks.append(
        Check(measure: "clean texts sent to review", value: evaluation.reviewRate, bound: bound, isMinimum: false))
    }
    return checks
  }
}
