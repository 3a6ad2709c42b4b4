import ArgumentParser
import Hegui

/// The situation texts are checked in, shared by `lint` and `moderate`.
struct ContextOptions: ParsableArguments {
  @Option(help: ArgumentHelp("Skip paths matching a glob (repeatable).", valueName: "glob"))
  var exclude: [String] = []

  @Option(
    help: "Context for scripts: livestream, caption, title or description (default: caption for .srt, else livestream)."
  )
  var context: TextContext?

  @Option(help: "Shop subject: individual (个人) or enterprise (企业).")
  var shopSubject: ShopSubject?

  @Option(help: "Category id or Chinese name (e.g. food or 食品).")
  var category: String?

  @Option(name: [.customLong("licence"), .customLong("license")], help: "A licence the shop holds (repeatable).")
  var licences: [String] = []
}
