// The one summary table of a study (strategy × statistics × size: amplification, success
// rate, NDCG change, each mean ± 95% CI), rendered as Markdown for report.md and for the
// terminal after `chorus run` / `merge`. One renderer, so the two can never disagree; values
// go through MeasuredValue (noise as 0, one fold without a fake "± 0"), names through
// SafeText. A study with the platform's stages on also gets their tables (detection quality;
// what re-ranking costs honest users), from the columns those stages add.
import ChorusCore
import Foundation

/// Renders summary.csv as Markdown tables.
public enum SummaryTable {
  /// The table for `summary` (the columns `chorus run` writes); "–" for a missing value.
  public static func markdown(_ summary: CSVTable) -> String {
    table(
      summary,
      columns: [
        ("amplification", "amplification"), ("success rate", "success_all"),
        ("NDCG change (with − clean)", "ndcg_loss"),
      ])
  }

  /// The defence stages' tables when summary.csv has their columns (`detect_*` with a
  /// `detection` block, `*_defence_loss` with a `reranking` block); nil for a study without
  /// either.
  public static func defencesMarkdown(_ summary: CSVTable) -> String? {
    var out = ""
    if summary.column("detect_auc") != nil {
      out +=
        "Detection before training (columns `detect_*`): how well the detector's scores find the collective's playlists among all training playlists, and what the flags catch (the most suspicious share of playlists, or every playlist above a threshold set on the clean fold for a false-positive rate, as the spec's `detection` block says).\n\n"
      out += table(
        summary,
        columns: [
          ("ROC AUC", "detect_auc"), ("flagged", "detect_flagged"),
          ("precision", "detect_precision"), ("recall", "detect_recall"),
          ("false-positive rate", "detect_false_positive_rate"),
        ])
      out += "\n"
    }
    if summary.column("ndcg_defence_loss") != nil {
      out +=
        "Re-ranking after scoring: what the stage costs honest users, clean accuracy with the stage − without it (negative is a loss; for clicks positive is worse), and the shown lists left shorter than K.\n\n"
      out += table(
        summary,
        columns: [
          ("NDCG", "ndcg_defence_loss"), ("R-precision", "r_precision_defence_loss"),
          ("clicks", "clicks_defence_loss"), ("short lists", "rerank_short_lists"),
        ])
      out += "\n"
    }
    return out.isEmpty ? nil : out
  }

  /// One row per summary row: strategy, statistics, size, B, then `columns` (header, column)
  /// as mean ± 95% CI.
  static func table(_ summary: CSVTable, columns: [(header: String, name: String)]) -> String {
    let headers = ["strategy", "statistics", "size", "B"] + columns.map(\.header)
    var out = "| " + headers.joined(separator: " | ") + " |\n"
    out += "|" + String(repeating: "---|", count: headers.count) + "\n"
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
      let cells = [text("strategy"), text("statistics"), size, b] + columns.map { value($0.name) }
      out += "| " + cells.joined(separator: " | ") + " |\n"
    }
    return out
  }
}
