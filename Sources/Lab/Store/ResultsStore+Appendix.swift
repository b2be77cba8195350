// The appendix CSVs of a finished study, from the runs' AppendixMeasures: anchors.csv (every
// edit: which neighbour of s* was targeted, the true training frequency of the songs before
// and after s* and the collective's estimates of them), precision-at-50.csv (per run, how many
// test lists have h held-out tracks in their top 50, clean and with the collective) and, for
// vector models, similarity.csv (cosine of s* with targeted and other test contexts). New
// files beside the others, so the existing CSVs keep their bytes.
import ChorusCore
import Evaluation
import Reports

extension ResultsStore {
  /// The appendix files `records` give (names and tables); none when no record has them.
  func appendixTables(_ records: [RunRecord]) -> [(String, CSVTable)] {
    let measured = records.filter { $0.appendix != nil }
    guard !measured.isEmpty else { return [] }
    var anchors = CSVTable(
      header: Self.idColumns + [
        "edit", "targeted", "direct_true_freq", "direct_estimate", "indirect_true_freq",
        "indirect_estimate",
      ])
    var precision = CSVTable(
      header: Self.idColumns + ["depth", "series", "hits", "precision", "lists"])
    var similarity = CSVTable(
      header: Self.idColumns + [
        "targeted_seeds", "targeted_cosine_mean", "targeted_cosine_ci", "other_seeds",
        "other_cosine_mean", "other_cosine_ci", "seeds_without_vector",
      ])
    var changes = CSVTable(
      header: Self.idColumns + [
        "depth", "lists", "lists_gained", "lists_lost", "precision_clean", "precision_with",
      ])
    func frequency(_ f: Int) -> CSVCell { f >= 0 ? .int(f) : .empty }
    for r in measured {
      let a = r.appendix!
      let id = idCells(r)
      for (i, p) in a.anchors.enumerated() {
        anchors.append(
          id + [
            .int(i), .text(p.targeted), frequency(p.directFrequency), Self.cell(p.directEstimate),
            frequency(p.indirectFrequency), Self.cell(p.indirectEstimate),
          ])
      }
      let shift = a.precision
      for (series, histogram) in [("clean", shift.clean), ("with", shift.with)] {
        for (h, n) in histogram.enumerated() where n > 0 {
          precision.append(
            id + [
              .int(shift.depth), .text(series), .int(h),
              .number(Double(h) / Double(shift.depth)), .int(n),
            ])
        }
      }
      changes.append(
        id + [
          .int(shift.depth), .int(shift.lists), .int(shift.gained), .int(shift.lost),
          .number(shift.meanPrecision(shift.clean)), .number(shift.meanPrecision(shift.with)),
        ])
      if let s = a.similarity {
        similarity.append(
          id + [
            .int(s.targeted.count), Self.cell(s.targeted.mean), .number(s.targeted.halfWidth),
            .int(s.others.count), Self.cell(s.others.mean), .number(s.others.halfWidth),
            .int(s.withoutVector),
          ])
      }
    }
    var out = [
      ("anchors.csv", anchors), ("precision-at-50.csv", precision),
      ("precision-at-50-change.csv", changes),
    ]
    if !similarity.rows.isEmpty { out.append(("similarity.csv", similarity)) }
    return out
  }
}
