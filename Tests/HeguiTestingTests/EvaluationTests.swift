import Foundation
import Hegui
import HeguiTesting
import Testing

@Suite("rules eval: labelled real text")
struct EvaluationTests {
  static let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appending(path: "Fixtures/eval/real-sample.jsonl")

  @Test("every label is caught or listed as a miss; every finding is correct or a false alarm; clean texts counted")
  func accounting() throws {
    let corpus = try LabelledCorpus.load([Self.sample])
    let evaluation = RuleEvaluation(checker: Checker(ruleset: try Ruleset.shipped()), corpus: corpus)
    let labels = corpus.entries.reduce(0) { $0 + $1.labels.count }
    #expect(evaluation.overall.labels == labels)
    #expect(evaluation.overall.caught + evaluation.misses.count == labels)
    #expect(evaluation.overall.correct + evaluation.falseAlarms.count == evaluation.overall.findings)
    #expect(evaluation.cleanTexts == corpus.entries.filter(\.labels.isEmpty).count)
    #expect(evaluation.byKind.values.reduce(0) { $0 + $1.labels } == labels)
    #expect(evaluation.bySource.values.reduce(0) { $0 + $1.findings } == evaluation.overall.findings)
    // Spans are the phrase's place in its text.
    for miss in evaluation.misses {
      let entry = corpus.entries.first { $0.id == miss.id }
      let bytes = Array((entry?.text ?? "").utf8)
      #expect(String(decoding: bytes[miss.range], as: UTF8.self) == miss.phrase)
    }
    #expect(evaluation.json().contains("\"falseBlockRate\""))
    #expect(evaluation.text().hasPrefix("phrases caught: \(evaluation.overall.caught)/\(labels)"))
  }

  @Test("a label that is not in its text, an unknown context or a duplicate id is an error at its line")
  func errors() throws {
    let folder = FileManager.default.temporaryDirectory.appending(path: "hegui-eval-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let cases = [
      #"{"id": "a", "text": "今天", "context": "livestream", "labels": [{"phrase": "明天", "kind": "x", "severity": "block"}]}"#:
        "label '明天' is not in the text",
      #"{"id": "a", "text": "今天", "context": "radio", "labels": []}"#: "unknown context 'radio'",
      "{\"id\": \"a\", \"text\": \"x\", \"context\": \"title\"}\n{\"id\": \"a\", \"text\": \"y\", \"context\": \"title\"}":
        "duplicate id 'a'",
    ]
    for (text, message) in cases {
      let file = folder.appending(path: "c.jsonl")
      try Data(text.utf8).write(to: file)
      let error = #expect(throws: HeguiError.self) { try LabelledCorpus.load([file]) }
      #expect(error?.message.contains(message) == true, "\(String(describing: error))")
      #expect(error?.location?.line != nil)
    }
  }
}
