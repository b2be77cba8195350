// The two text forms of an accuracy report that `chorus train` and `chorus evaluate` print
// or write: a Markdown table (one row per seed length, then all) and the same numbers as
// CSV. Kept beside the report so both commands show one layout.
import Foundation

extension AccuracyReport {
  /// A Markdown table: one row per seed length plus the overall row, 4 decimals.
  public var markdownTable: String {
    var out = "| seed | R-prec | R-prec (official) | NDCG | clicks | precision | recall |\n"
    out += "|---|---|---|---|---|---|---|\n"
    func row(_ label: String, _ m: PlaylistMetrics) -> String {
      "| \(label) | " + m.values.map { String(format: "%.4f", $0) }.joined(separator: " | ")
        + " |\n"
    }
    for (b, m) in perSeedLength.enumerated() { out += row("\(b + 1)", m) }
    out += row("all", overall)
    return out
  }

  /// CSV with a header `seed_length,<PlaylistMetrics.names>`, one row per seed length and a
  /// last row `all`; values in Swift's shortest round-trip form.
  public var seedLengthCSV: String {
    var csv = "seed_length," + PlaylistMetrics.names.joined(separator: ",") + "\n"
    for (b, m) in perSeedLength.enumerated() {
      csv += "\(b + 1)," + m.values.map { "\($0)" }.joined(separator: ",") + "\n"
    }
    csv += "all," + overall.values.map { "\($0)" }.joined(separator: ",") + "\n"
    return csv
  }
}
