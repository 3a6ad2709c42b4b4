// Runs a pipeline file that uses the `keyword-model` stage type over the texts given as arguments:
//
//   swift run custom-moderate pipeline.yml "本品可根治失眠，保证有效" "欢迎来到直播间"
import Foundation
import Hegui
import KeywordModel

let arguments = CommandLine.arguments.dropFirst()
guard let path = arguments.first, arguments.count >= 2 else {
  FileHandle.standardError.write(Data("usage: custom-moderate PIPELINE.yml TEXT…\n".utf8))
  exit(64)
}

var registry = StageRegistry.standard  // `rules`
registry.register(KeywordModelFactory())  // our own type: no change to Hegui

do {
  let pipeline = try PipelineConfiguration.load(contentsOf: URL(fileURLWithPath: path)).makePipeline(registry: registry)
  for problem in pipeline.problems { FileHandle.standardError.write(Data("warning: \(problem)\n".utf8)) }
  for (index, text) in arguments.dropFirst().enumerated() {
    let result = await pipeline.run(ModerationItem(id: "text:\(index + 1)", text: text))
    print("\(result.outcome.name.uppercased())  \(text)")
    for record in result.trail { print("  \(record.stage): \(record.outcome.name) — \(record.outcome.reason)") }
  }
} catch {
  FileHandle.standardError.write(Data("error: \(error)\n".utf8))
  exit(2)
}
