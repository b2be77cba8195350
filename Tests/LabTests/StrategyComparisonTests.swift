// The demo's and report's findings come from the numbers: a strategy is "ahead" only when its
// CI lies above every other's, one fold gives no verdict, noise-sized values print as 0, and
// nouns agree with counts. Also: the demo's embedded specs are the files in Experiments/.
import Foundation
import Lab
import Reports
import Testing

@Suite struct StrategyComparisonTests {
  /// A summary table with the columns StrategyComparison reads, one row per strategy at one
  /// size (α = 0.05%, B = 10).
  func summary(_ rows: [(String, Double, Double)], folds: Int = 3) -> CSVTable {
    var t = CSVTable(header: [
      "strategy", "statistics", "size_kind", "size", "folds", "budget", "amplification",
      "amplification_ci", "recommendations", "recommendations_ci", "ndcg_loss", "ndcg_loss_ci",
    ])
    for (name, amp, ci) in rows {
      t.append([
        .text(name), "full", "alpha", .number(0.0005), .int(folds), .number(10), .number(amp),
        .number(ci), .number(amp / 2), .number(ci / 2), .number(-2.78e-17), .number(6.28e-17),
      ])
    }
    return t
  }

  @Test func disjointIntervalsNameALeader() throws {
    // 66.5 − 48.6 = 17.9 > 0 + 0 = Random's and AtTheEnd's upper ends.
    let c = try StrategyComparison(
      summary: summary([("dirlof", 66.5, 48.6), ("random", 0, 0), ("at-the-end", 0, 0)]))
    let row = try #require(c.rows.first)
    #expect(row.leader?.strategy == "dirlof")
    #expect(row.sizeText == "10 playlists (α = 0.05%)")
    let line = try #require(c.lines().first)
    #expect(line.contains("dirlof 66.5 ± 48.6"))
    #expect(line.contains("random 0 (every fold)"))
    #expect(line.contains("dirlof is ahead"))
  }

  @Test func overlappingIntervalsCrownNobody() throws {
    // The old demo's headline: 3.68 ± 7.21 vs 3.47 ± 6.80 — the intervals overlap.
    let c = try StrategyComparison(
      summary: summary([("dirlof", 3.68, 7.21), ("random", 3.47, 6.8)]))
    #expect(c.rows[0].leader == nil)
    #expect(c.lines()[0].hasSuffix("no strategy is clearly ahead (the 95% CIs overlap)"))
  }

  /// A study of one strategy (a DirLoF-only frontier study, a partial-information study) has
  /// no other strategy to overlap with: its verdict places its CI against 1, an ordinary
  /// song's amplification, and never claims overlapping intervals.
  @Test func oneStrategyIsPlacedAgainstAnOrdinarySong() throws {
    let cases: [(Double, Double, String)] = [
      (13.1, 4.3, "lies above 1"), (0.3, 0.2, "lies below 1"), (1.2, 0.5, "includes 1"),
    ]
    for (amp, ci, expected) in cases {
      let c = try StrategyComparison(summary: summary([("dirlof", amp, ci)]))
      let line = c.lines()[0]
      #expect(line.contains("the only strategy of this study"), "\(amp)")
      #expect(line.contains(expected), "\(amp)")
      #expect(!line.contains("overlap"), "\(amp)")
    }
    let one = try StrategyComparison(summary: summary([("dirlof", 13.1, 0)], folds: 1))
    #expect(one.lines()[0].hasSuffix("no verdict (one fold gives no confidence interval)"))
  }

  @Test func oneFoldGivesNoVerdict() throws {
    let c = try StrategyComparison(
      summary: summary([("dirlof", 12.3, 0), ("random", 0.5, 0)], folds: 1))
    #expect(c.rows[0].leader == nil)
    let line = c.lines()[0]
    #expect(line.contains("dirlof 12.3 (1 fold, no CI)"))
    #expect(line.contains("no verdict"))
    #expect(!line.contains("± 0"))
  }

  @Test func noiseSizedValuesPrintAsZero() throws {
    let v = MeasuredValue(mean: -2.78e-17, halfWidth: 6.28e-17, folds: 3)
    #expect(v.isExactlyZero)
    #expect(v.formatted() == "0 (every fold)")
    #expect(MeasuredValue(mean: 1e-4, halfWidth: 2e-4, folds: 3).formatted() == "0.0001 ± 0.0002")
    #expect(MeasuredValue(mean: .nan, halfWidth: 0, folds: 3).formatted() == "n/a")
    let c = try StrategyComparison(summary: summary([("dirlof", 1, 1), ("random", 1, 1)]))
    #expect(c.largestNDCGChange?.formatted() == "0 (every fold)")
    #expect(c.markdown().contains("NDCG (with − clean; negative is a loss) across these runs: 0"))
  }

  /// The demo's closing line follows the contrast's verdicts: "barely matters" only when no
  /// size has a leader, otherwise the leader is named.
  @Test func demoHeadlineFollowsTheVerdicts() throws {
    let finding = try StrategyComparison(
      summary: summary([("dirlof", 66.5, 48.6), ("random", 0, 0)]))
    let flat = try StrategyComparison(
      summary: summary([("dirlof", 0.7, 1.4), ("random", 0.7, 1.4)]))
    let text = StrategyComparison.demoHeadline(
      finding: finding, contrast: flat, dataset: "synthetic:small")
    #expect(text.contains("up to 40×"))
    #expect(text.contains("dirlof 66.5 ± 48.6"))
    #expect(text.contains("placement barely matters"))
    let led = try StrategyComparison(summary: summary([("dirlof", 9, 1), ("random", 1, 0.5)]))
    let other = StrategyComparison.demoHeadline(
      finding: finding, contrast: led, dataset: "synthetic:small")
    #expect(!other.contains("barely matters"))
    #expect(other.contains("in this model dirlof is ahead at some size"))
  }

  /// The note on the normal interval names the study's own fold count and the factor
  /// t(0.975; n − 1) / 1.96 (4.303 / 1.96 = 2.2 for 3 folds, 3.182 / 1.96 = 1.6 for 4); the
  /// demo's headline carries it too; one fold gets no note.
  @Test func studentNoteFollowsTheFoldCount() throws {
    let three = try StrategyComparison(summary: summary([("dirlof", 9, 1), ("random", 1, 0.5)]))
    #expect(three.studentNote == "with 3 folds a Student-t interval is 2.2 times as wide")
    #expect(
      three.markdown().contains(
        "normal approximation: with 3 folds a Student-t interval is 2.2 times as wide, so check"))
    let four = try StrategyComparison(
      summary: summary([("dirlof", 9, 1), ("random", 1, 0.5)], folds: 4))
    #expect(four.studentNote == "with 4 folds a Student-t interval is 1.6 times as wide")
    // Near 1 the factor keeps two decimals (30 folds: t = 2.045, 2.045 / 1.96 = 1.04).
    let thirty = try StrategyComparison(
      summary: summary([("dirlof", 9, 1), ("random", 1, 0.5)], folds: 30))
    #expect(thirty.studentNote == "with 30 folds a Student-t interval is 1.04 times as wide")
    let one = try StrategyComparison(
      summary: summary([("dirlof", 9, 0), ("random", 1, 0)], folds: 1))
    #expect(one.studentNote == nil)
    #expect(one.markdown().contains("the normal approximation.\n"))
    let text = StrategyComparison.demoHeadline(
      finding: three, contrast: four, dataset: "synthetic:small")
    #expect(text.contains("(1.96 · SE; with 3 folds a Student-t interval is 2.2 times as wide):"))
  }

  @Test func countsAgreeWithTheirNouns() {
    #expect(counted(1, "playlist") == "1 playlist")
    #expect(counted(10, "playlist") == "10 playlists")
    #expect(counted(0, "playlist") == "0 playlists")
    #expect(counted(2.5, "fold") == "2.5 folds")
  }

  @Test func missingColumnIsAClearError() {
    let t = CSVTable(header: ["strategy"])
    #expect {
      try StrategyComparison(summary: t, file: "x/summary.csv")
    } throws: { error in
      "\(error)".contains("x/summary.csv") && "\(error)".contains("statistics")
    }
  }

  @Test func embeddedDemoSpecsAreTheShippedFiles() throws {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Experiments")
    #expect(DemoStudies.files.count == 2)
    for (file, text) in DemoStudies.files {
      let onDisk = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
      #expect(onDisk.trimmingCharacters(in: .whitespacesAndNewlines) == text, "\(file)")
      let spec = try DemoStudies.spec(text)
      #expect(spec.name + ".json" == file)
    }
  }
}

/// The defences' tables in report.md: only with their columns, values as the summary table's
/// (mean ± CI; 0 in every fold as 0), one row per summary row.
@Suite struct DefencesTableTests {
  @Test func tablesAppearOnlyWithTheirColumns() throws {
    let base = ["strategy", "statistics", "size_kind", "size", "folds", "budget"]
    let plain = CSVTable(header: base + ["amplification", "amplification_ci"])
    #expect(SummaryTable.defencesMarkdown(plain) == nil)
    var t = CSVTable(
      header: base + [
        "detect_auc", "detect_auc_ci", "detect_flagged", "detect_flagged_ci", "detect_precision",
        "detect_precision_ci", "detect_recall", "detect_recall_ci", "detect_false_positive_rate",
        "detect_false_positive_rate_ci",
      ])
    t.append([
      "dirlof", "full", "budget", .number(48), .int(3), .number(48), .number(0.75),
      .number(0.1), .number(20), .number(0), .number(0.5), .number(0.25), .number(0.2),
      .number(0.1), .number(1e-4), .number(2e-5),
    ])
    let md = try #require(SummaryTable.defencesMarkdown(t))
    #expect(
      md.contains(
        "| strategy | statistics | size | B | ROC AUC | flagged | precision | recall | false-positive rate |"
      ))
    #expect(
      md.contains(
        "| dirlof | full | B = 48 | 48 | 0.75 ± 0.1 | 20 ± 0 | 0.5 ± 0.25 | 0.2 ± 0.1 | 0.0001 ± 2e-05 |"
      ))
    #expect(!md.contains("Re-ranking"))
    var r = CSVTable(
      header: base + [
        "ndcg_defence_loss", "ndcg_defence_loss_ci", "rerank_short_lists", "rerank_short_lists_ci",
      ])
    r.append([
      "random", "full", "alpha", .number(0.01), .int(3), .number(192), .number(-0.002),
      .number(0.0005), .number(0), .number(0),
    ])
    let rerank = try #require(SummaryTable.defencesMarkdown(r))
    #expect(!rerank.contains("ROC AUC"))
    #expect(
      rerank.contains("| random | full | α = 1% | 192 | -0.002 ± 0.0005 | – | – | 0 (every fold) |")
    )
  }
}
