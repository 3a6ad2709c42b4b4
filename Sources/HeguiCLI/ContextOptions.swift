import ArgumentParser
import Foundation
import Hegui
import HeguiLint

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

  @Option(help: "Category id or Chinese name (e.g. food or 食品).", completion: Completions.categories)
  var category: String?

  @Option(name: [.customLong("licence"), .customLong("license")], help: "A licence the shop holds (repeatable).")
  var licences: [String] = []

  @Option(
    help: ArgumentHelp(
      "Listing columns beyond the recognised names (标题, 商品标题, 描述, 类目, …): field=header pairs, e.g. title=品名,description=文案.",
      valueName: "field=header,…"))
  var columns: String?

  /// The column mapping: the configuration's, then `--columns` over it.
  func listingColumns(configured: [String: String] = [:]) throws(HeguiError) -> ListingColumns {
    var mapping = configured
    if let columns {
      for pair in columns.split(separator: ",") {
        let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
          throw HeguiError(
            .invalidInput, "--columns takes field=header pairs separated by commas, e.g. title=品名,description=文案")
        }
        mapping[parts[0]] = parts[1]
      }
    }
    return try ListingColumns(mapping: mapping)
  }
}
