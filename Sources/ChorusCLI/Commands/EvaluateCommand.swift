// `chorus evaluate`: score recommendations made by any other system (e.g. the study's
// transformer) with the lab's evaluator, on one fold's test contexts as exported by
// `chorus dataset split --out`. Input CSV rows: test playlist pid, then ranked track ids.
// The reader and the target's numbers live in Evaluation (`ExternalRecommendations`,
// `ExternalTargetExposure`); this file parses arguments and prints.
import ChorusCore
import Evaluation
import Foundation
import PlaylistData
import Recommenders

enum EvaluateCommand {
  static var spec: CommandSpec {
    CommandSpec(
      name: "evaluate", abstract: "Score external recommendations with the lab's measures.",
      discussion:
        "The CSV has one row per test playlist: its pid, then the recommended track ids, best first (a header row starting with 'pid' is skipped; \\n or \\r\\n line ends, a UTF-8 byte order mark and double-quoted fields are accepted; empty fields are skipped). A track id repeated within one row is refused (naming the line and id): it would count twice in recall and NDCG. Export the fold's test seeds with 'chorus dataset split INPUT --fold K --out DIR'. Track ids not in the dataset count as irrelevant. NDCG's ideal score is over all held-out tracks of the playlist, not capped at the list length (as in the study's evaluator), so lists shorter than the held-out set cannot reach 1. --target names s* to report R(s*) (test playlists with s* in their first |held-out| recommendations), success rate and ranks; with --budget B (the collective's size) also amplification = [R / total held-out] / [B / training entries]. --json gives all of these as numbers. With --baseline CLEAN.csv (the same model's recommendations when trained without the collective, same fold) it also reports the externalities: per song R₀ (baseline) and R, and ΔR = R − R₀ summed by category — direct and indirect anchors from --edits (the edits.csv of 'chorus plant'), other songs — and by training-frequency bin (powers of two, as a study's externalities.csv); s* is left out, songs are the dataset's catalogue tracks. --externalities FILE writes those groups as CSV, --songs FILE every song whose R changed.",
      options: [
        .option(
          "dataset", short: "d", value: "input",
          help: "The dataset the recommendations were made for.", required: true),
        .option("fold", value: "k", help: "Fold index.", default: "0"),
        .option("folds", value: "n", help: "Number of folds.", default: "5"),
        .option("seed", value: "n", help: "Base seed.", default: "0"),
        .option(
          "test-size", value: "n", help: "Test playlists (a multiple of 10).",
          default: "min(10000, 5% of eligible)"),
        .option(
          "recommendations", short: "r", value: "csv", help: "The recommendations.", required: true),
        .option("target", value: "id", help: "External id of s* (report its exposure)."),
        .option(
          "budget", value: "b",
          help: "The collective's size in playlists (one copy of s* each): report amplification."),
        .option(
          "out", short: "o", value: "csv", help: "Also write per-seed-length accuracy to this CSV."),
        .option(
          "baseline", value: "csv",
          help:
            "Clean recommendations (the model trained without the collective) for the same fold: report the externalities."
        ),
        .option(
          "edits", value: "csv",
          help: "The edit log of 'chorus plant' (edits.csv): names the direct and indirect anchors."
        ),
        .option(
          "externalities", value: "csv",
          help: "Write ΔR by category and training-frequency bin to this CSV (needs --baseline)."),
        .option(
          "songs", value: "csv",
          help: "Write R₀, R and ΔR of every song whose R changed to this CSV (needs --baseline)."),
        .flag("json", help: "Print JSON."),
      ],
      action: { p in try run(p) })
  }

  static func run(_ p: ParsedCommand) throws -> Int32 {
    let config = try DatasetCommands.splitConfig(p)
    let targetID = p.value("target")
    let budget = try p.int("budget", min: 1)
    if budget != nil && targetID == nil {
      throw ChorusError(
        .usage, "--budget needs --target", field: "budget",
        hint: "name s* with --target ID to get its amplification")
    }
    for option in ["edits", "externalities", "songs"] where p.value(option) != nil {
      guard p.value("baseline") != nil else {
        throw ChorusError(
          .usage, "--\(option) needs --baseline", field: option,
          hint: "give the clean model's recommendations for the same fold with --baseline CSV")
      }
    }
    let anchors = try p.value("edits").map { try ExternalExternalities.anchors(editsAt: $0) }
    let dataset = try DatasetCommands.loadReporting(p.required("dataset"))
    let fold = try p.int("fold", min: 0) ?? 0
    let split = try FoldSplit(store: dataset.playlists, config: config, fold: fold)
    let recs = try ExternalRecommendations.read(
      path: p.required("recommendations"), dataset: dataset, split: split)
    let table = recs.table
    // Tracks beyond the catalogue get their own artists in the report.
    let report = AccuracyReport(table: table, split: split, dataset: dataset)
    let target = targetID.map {
      ExternalTargetExposure(
        target: $0, recommendations: recs, split: split, dataset: dataset, budget: budget)
    }
    if let t = target, let b = t.budget, t.trainingOccurrences > 0, t.trainingOccurrences != b {
      Console.log(
        "warning: --budget \(b), but \(t.trainingOccurrences) training playlists of the dataset hold \(t.id)"
      )
    }
    let externalities = try p.value("baseline").map { path in
      ExternalExternalities(
        clean: try ExternalRecommendations.read(path: path, dataset: dataset, split: split),
        planted: recs, split: split, dataset: dataset, target: targetID,
        directAnchors: anchors?.direct ?? [], indirectAnchors: anchors?.indirect ?? [])
    }
    if let out = p.value("out") {
      try FileIO.writeAtomically(report.seedLengthCSV, to: out)
    }
    if let e = externalities {
      if let path = p.value("externalities") { try FileIO.writeAtomically(e.csv, to: path) }
      if let path = p.value("songs") { try FileIO.writeAtomically(e.songsCSV, to: path) }
    }
    if p.flag("json") {
      struct Output: Encodable {
        var fold: Int
        var k: Int
        var overall: PlaylistMetrics
        var perSeedLength: [PlaylistMetrics]
        var target: ExternalTargetExposure?
        var externalities: Externalities?
        struct Externalities: Encodable {
          var categories: [ExternalExternalities.Group]
          var bins: [ExternalExternalities.Group]
        }
      }
      Console.out(
        try jsonString(
          Output(
            fold: fold, k: recs.k, overall: report.overall, perSeedLength: report.perSeedLength,
            target: target,
            externalities: externalities.map { .init(categories: $0.categories, bins: $0.bins) })))
    } else {
      Console.out("fold \(fold): \(split.test.count) test playlists, lists of \(recs.k)")
      Console.out(report.markdownTable)
      if let target { Console.out(targetText(target)) }
      if let externalities { Console.out(externalitiesText(externalities)) }
    }
    return 0
  }

  /// The human-readable lines about the other songs: ΔR per category.
  static func externalitiesText(_ e: ExternalExternalities) -> String {
    var s = "externalities against --baseline (songs with R₀ or R > 0, or anchors; s* left out):"
    for g in e.categories {
      s += "\n  \(g.category.rawValue): \(g.songs) songs, R₀ \(g.r0) → R \(g.r), ΔR \(g.deltaR)"
      if g.r0 > 0 { s += String(format: " (%+.2f%%)", 100 * g.deltaROverR0) }
    }
    return s
  }

  /// The human-readable lines about s*.
  static func targetText(_ t: ExternalTargetExposure) -> String {
    var s =
      "target \(t.id): in top-R of \(t.recommendations) of \(t.testPlaylists) test playlists"
      + String(format: " (success %.4f)", t.successAll)
    if let mean = t.meanRank, let median = t.medianRank {
      s += String(format: "; in %ld lists, rank mean %.1f, median %.1f", t.inList, mean, median)
    }
    if let b = t.budget, let a = t.amplification {
      s += String(format: "\namplification %.3f (B = %ld, N_train = %ld)", a, b, t.trainingEntries)
    }
    return s
  }
}
