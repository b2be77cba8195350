// The one summary table of a study (strategy × statistics × size: amplification, success
// rate, NDCG change, each mean ± 95% CI), rendered as Markdown for report.md and for the
// terminal after `chorus run` / `merge`. One renderer, so the two can never disagree; values
// go through MeasuredValue (noise as 0, one fold without a fake "± 0"), names through
// SafeText.
import ChorusCore
import Foundation

/// Renders summary.csv as one Markdown table.
public enum SummaryTable {
  /// The table for `summary` (the columns `chorus run` writes); "–" for a missing value.
  public static func markdown(_ summary: CSVTable) -> String {
    var out =
      "| strategy | statistics | size | B | amplification | success rate | NDCG change (with − clean) |\n|---|---|---|---|---|---|---|\n"
    func column(_ name: String) -> Int? { summary.column(name) }
    for r in summary.rows {
      let folds = column("folds").flatMap { r[$0].double }.map { Int($0) } ?? 0
      func value(_ name: String) -> String {
        guard let c = column(name), let v = r[c].double else { return "–" }
        let ci = column(name + "_ci").flatMap { r[$0].double } ?? .nan
        return MeasuredValue(mean: v, halfWidth: ci, folds: folds).formatted()
      }
      func text(_ name: String) -> String {
        column(name).map { SafeText.markdown(r[$0].string) } ?? "–"
      }
      let sizeValue = column("size").flatMap { r[$0].double }
      let kind = column("size_kind").map { r[$0].string } ?? ""
      let size: String
      if let percent = sizeValue.flatMap({ CollectiveSize(kind: kind, value: $0) })?.percent {
        size = "α = \(MeasuredValue.number(percent, digits: 4))%"
      } else {
        size = sizeValue.map { "B = \(MeasuredValue.number($0))" } ?? "–"
      }
      let b = column("budget").flatMap { r[$0].double }.map { String(format: "%.0f", $0) } ?? "–"
      out +=
        "| \(text("strategy")) | \(text("statistics")) | \(size) | \(b) | \(value("amplification")) | \(value("success_all")) | \(value("ndcg_loss")) |\n"
    }
    return out
  }
}
