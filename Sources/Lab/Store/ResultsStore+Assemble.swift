// Assembles the CSVs of a finished study from its records: runs.csv (one row per run, every
// scalar), summary.csv (mean ± 95% CI over folds), songs.csv, artists.csv, lorenz.csv,
// cloud.csv, externalities.csv, the appendix CSVs, and last manifest.json (version, fingerprint, timings,
// warnings), whose presence marks the folder complete. Reads records in plan order, so the
// output never depends on how the runs were scheduled.
import ChorusCore
import Evaluation
import Foundation
import PlaylistData
import Reports

extension ResultsStore {
  /// Scalar columns of runs.csv after the identifying columns, with their values.
  static func scalarColumns(_ r: RunRecord) -> [(String, CSVCell)] {
    var cols: [(String, CSVCell)] = [
      ("budget", .int(r.budget)), ("alpha", .number(r.alpha)),
      ("recommendations", .int(r.target.recommendations)),
      ("amplification", .number(r.target.amplification)),
      ("success_all", .number(r.target.successAll)),
      ("success_seed_anchor", .number(r.target.successSeedAnchor)),
      ("seed_anchor_playlists", .int(r.target.seedAnchorPlaylists)),
      ("success_clean_anchor", .number(r.target.successCleanAnchor)),
      ("clean_anchor_playlists", .int(r.target.cleanAnchorPlaylists)),
      ("in_list", .int(r.target.inList)),
      ("mean_rank", .number(r.target.meanRank)), ("median_rank", .number(r.target.medianRank)),
      ("direct_anchors", .int(r.directAnchors)), ("indirect_anchors", .int(r.indirectAnchors)),
      ("spearman", r.quality.spearman.map { .number($0) } ?? .empty),
      ("known_tracks", .int(r.quality.knownTracks)),
      ("direct_anchor_true_freq_mean", cell(r.quality.directAnchors.mean)),
      ("direct_anchor_true_freq_median", cell(r.quality.directAnchors.median)),
      ("indirect_anchor_true_freq_mean", cell(r.quality.indirectAnchors.mean)),
      ("gini_with", .number(r.lorenzWith.gini)), ("gini_gained", .number(r.lorenzGained.gini)),
      ("recomputed_contexts", .int(r.recomputedContexts)),
    ]
    if let d = r.detection {
      // Only in studies with a detection stage, so other studies' CSVs are unchanged.
      cols += [
        ("detect_auc", cell(d.rocAUC)), ("detect_flagged", .int(d.flagged)),
        ("detect_true_positives", .int(d.truePositives)),
        ("detect_precision", cell(d.precision)), ("detect_recall", cell(d.recall)),
        ("detect_false_positive_rate", cell(d.falsePositiveRate)),
      ]
    }
    let a = r.accuracy
    for (i, name) in PlaylistMetrics.names.enumerated() {
      cols.append(("\(name)_clean", .number(a.clean.values[i])))
      cols.append(("\(name)_with", .number(a.manipulated.values[i])))
      cols.append(("\(name)_loss", .number(a.loss.values[i])))
      cols.append(("\(name)_loss_adversarial", .number(a.adversarialLoss.values[i])))
      cols.append(("\(name)_loss_optimistic", .number(a.optimisticLoss.values[i])))
    }
    if let m = r.reranking {
      // Only in studies with a re-ranking stage: the clean accuracy without the stage and the
      // stage's cost to honest users (defended clean − undefended clean, < 0 = a loss).
      cols.append(("rerank_short_lists", .int(m.shortLists)))
      for (i, name) in PlaylistMetrics.names.enumerated() {
        cols.append(("\(name)_clean_undefended", .number(m.cleanUndefended.values[i])))
        cols.append(
          ("\(name)_defence_loss", .number(a.clean.values[i] - m.cleanUndefended.values[i])))
      }
    }
    return cols
  }

  static func cell(_ x: Double?) -> CSVCell { x.map { .number($0) } ?? .empty }

  static let idColumns = ["fold", "strategy", "statistics", "size_kind", "size"]

  func idCells(_ r: RunRecord) -> [CSVCell] {
    [
      .int(r.key.fold), .text(r.strategy), .text(r.statistics), .text(r.size.kind),
      .number(r.size.value),
    ]
  }

  /// Writes every CSV and then the manifest. Call when `isComplete`.
  ///
  /// The manifest is removed first and written last, so a folder whose assembly was
  /// interrupted has no manifest, and `report`/`merge` refuse it (ResultsFolder) until
  /// `--resume` assembles it again. Runs whose collective equals that of an earlier size
  /// (several α rounding to one B) are left out: one run per distinct B.
  public func assemble(plan: [RunKey]) throws {
    let manifestPath = folder + "/" + ResultsFolder.manifestName
    if FileManager.default.fileExists(atPath: manifestPath) {
      try FileManager.default.removeItem(atPath: manifestPath)
    }
    var seen = Set<[Int]>()
    let records = try plan.map { try readRun($0) }.filter {
      seen.insert([$0.key.fold, $0.key.strategyIndex, $0.key.statisticsIndex, $0.budget]).inserted
    }
    let folds = try spec.foldList.map { try readFold($0) }
    guard let first = records.first else { return }

    // runs.csv
    let scalarNames = Self.scalarColumns(first).map(\.0)
    var runs = CSVTable(header: Self.idColumns + scalarNames)
    for r in records { runs.append(idCells(r) + Self.scalarColumns(r).map(\.1)) }
    try runs.write(to: folder + "/runs.csv")

    // summary.csv: mean and CI over folds per (strategy, statistics, size).
    var summaryHeader = ["strategy", "statistics", "size_kind", "size", "folds"]
    for n in scalarNames { summaryHeader += [n, n + "_ci"] }
    var summary = CSVTable(header: summaryHeader)
    var groups: [RunKey: [RunRecord]] = [:]
    for r in records {
      groups[
        RunKey(
          fold: 0, strategyIndex: r.key.strategyIndex, sizeIndex: r.key.sizeIndex,
          statisticsIndex: r.key.statisticsIndex),
        default: []
      ].append(r)
    }
    for g in groups.keys.sorted() {
      let rs = groups[g]!
      var row: [CSVCell] = [
        .text(rs[0].strategy), .text(rs[0].statistics), .text(rs[0].size.kind),
        .number(rs[0].size.value), .int(rs.count),
      ]
      let columns = rs.map { Self.scalarColumns($0).map(\.1) }
      for c in 0..<scalarNames.count {
        let values = columns.compactMap { $0[c].double }.filter { $0.isFinite }
        let ci = MeanCI(values)
        row += values.isEmpty ? [.empty, .empty] : [.number(ci.mean), .number(ci.halfWidth)]
      }
      summary.append(row)
    }
    try summary.write(to: folder + "/summary.csv")

    // songs.csv and artists.csv
    var songs = CSVTable(
      header: Self.idColumns + ["track_id", "category", "training_frequency", "r0", "r", "delta_r"])
    var artists = CSVTable(header: Self.idColumns + ["artist_id", "r0", "r", "delta_r"])
    var ext = CSVTable(
      header: Self.idColumns + [
        "category", "freq_low", "freq_high", "songs", "delta_r_mean", "delta_r_ci",
        "delta_r_pct_mean", "delta_r_pct_ci", "songs_with_r0",
      ])
    var lorenz = CSVTable(header: [
      "fold", "strategy", "statistics", "size_kind", "size", "series", "gini", "population",
      "share",
    ])
    for r in records {
      let id = idCells(r)
      for s in r.songs {
        songs.append(
          id + [
            .text(SafeText.spreadsheetCell(s.track)), .text(s.category), .int(s.frequency),
            .int(s.r0), .int(s.r),
            .int(s.r - s.r0),
          ])
      }
      for a in r.artists {
        artists.append(
          id + [.text(SafeText.spreadsheetCell(a.artist)), .int(a.r0), .int(a.r), .int(a.r - a.r0)])
      }
      for b in r.bins {
        ext.append(
          id + [
            .text(b.category.rawValue), .int(b.low), .int(b.high), .int(b.deltaR.count),
            .number(b.deltaR.mean), .number(b.deltaR.halfWidth), .number(b.deltaRPercent.mean),
            .number(b.deltaRPercent.halfWidth), .int(b.deltaRPercent.count),
          ])
      }
      for (series, c) in [("with", r.lorenzWith), ("gained", r.lorenzGained)] {
        for p in c.curve {
          lorenz.append(
            id + [.text(series), .number(c.gini), .number(p.population), .number(p.share)])
        }
      }
    }
    for f in folds {
      // With a re-ranking stage, also the clean lists without it ("clean-undefended").
      let series =
        [("clean", f.lorenzClean)]
        + (f.lorenzCleanUndefended.map { [("clean-undefended", $0)] } ?? [])
      for (name, c) in series {
        for p in c.curve {
          lorenz.append([
            .int(f.fold), .text("clean"), .empty, .empty, .empty, .text(name),
            .number(c.gini), .number(p.population), .number(p.share),
          ])
        }
      }
    }
    try songs.write(to: folder + "/songs.csv")
    try artists.write(to: folder + "/artists.csv")
    try ext.write(to: folder + "/externalities.csv")
    try lorenz.write(to: folder + "/lorenz.csv")

    // cloud.csv and the clean accuracy per fold
    var cloud = CSVTable(header: [
      "fold", "freq_low", "freq_high", "songs", "amplification_mean", "amplification_ci",
      "recommendations_mean", "recommendations_ci",
    ])
    var clean = CSVTable(header: ["fold", "seed_length"] + PlaylistMetrics.names)
    for f in folds {
      for b in f.cloud {
        cloud.append([
          .int(f.fold), .int(b.low), .int(b.high), .int(b.songs), .number(b.amplification.mean),
          .number(b.amplification.halfWidth), .number(b.recommendations.mean),
          .number(b.recommendations.halfWidth),
        ])
      }
      for (i, m) in f.clean.perSeedLength.enumerated() {
        clean.append([.int(f.fold), .int(i + 1)] + m.values.map { .number($0) })
      }
      clean.append([.int(f.fold), .text("all")] + f.clean.overall.values.map { .number($0) })
    }
    try cloud.write(to: folder + "/cloud.csv")
    var points = CSVTable(header: ["fold", "track_id", "training_frequency", "recommendations"])
    for f in folds {
      for p in f.cloudPoints ?? [] {
        points.append([
          .int(f.fold), .text(SafeText.spreadsheetCell(p.track)), .int(p.frequency),
          .int(p.recommendations),
        ])
      }
    }
    try points.write(to: folder + "/cloud-points.csv")
    if let shape = readDatasetShape() {
      var d = CSVTable(header: ["histogram", "low", "high", "count"])
      for b in shape.trackFrequencies {
        d.append([.text("track_frequency"), .int(b.low), .int(b.high), .int(b.count)])
      }
      for b in shape.playlistLengths {
        d.append([.text("playlist_length"), .int(b.low), .int(b.high), .int(b.count)])
      }
      try d.write(to: folder + "/dataset.csv")
    }
    try clean.write(to: folder + "/clean-accuracy.csv")
    try assembleCollectives()
    // The appendix measures, in files of their own (ResultsStore+Appendix.swift).
    let appendix = appendixTables(records)
    for (name, table) in appendix { try table.write(to: folder + "/" + name) }

    try writeManifest(
      records: records, folds: folds, planned: plan.count, extraFiles: appendix.map(\.0))
  }

  func writeManifest(
    records: [RunRecord], folds: [FoldRecord], planned: Int, extraFiles: [String] = []
  ) throws {
    struct Manifest: Encodable {
      var chorusVersion: String
      var kernels: String
      var spec: String
      var hash: String
      var dataset: DatasetIdentity
      var collapsedRuns: Int
      var seed: UInt64
      var runs: Int
      var folds: [FoldInfo]
      var runSeconds: Double
      var foldSeconds: Double
      var dataWarnings: [String]
      var files: [String]
      var note: String
      /// The spec's `retraining` when it is not the reference (absent otherwise).
      var retraining: Retraining?
    }
    struct FoldInfo: Encodable {
      var fold: Int
      var seed: UInt64
      var trainingPlaylists: Int
      var testPlaylists: Int
      var eligibleForCollective: Int
    }
    var warnings: [String] = []
    if let data = try? FileIO.read(runsFolder + "/warnings.json"),
      let w = try? Self.decoder.decode(DataWarnings.self, from: data)
    {
      warnings = w.lines
    }
    let m = Manifest(
      chorusVersion: fingerprint.chorusVersion, kernels: fingerprint.kernels, spec: spec.name,
      hash: hash,
      dataset: fingerprint.dataset, collapsedRuns: planned - records.count, seed: spec.split.seed,
      runs: records.count,
      folds: folds.map {
        FoldInfo(
          fold: $0.fold, seed: $0.seed, trainingPlaylists: $0.trainingPlaylists,
          testPlaylists: $0.testPlaylists, eligibleForCollective: $0.eligibleForCollective)
      },
      runSeconds: records.reduce(0) { $0 + $1.seconds },
      foldSeconds: folds.reduce(0) { $0 + $1.seconds },
      dataWarnings: warnings,
      files: [
        "runs.csv", "summary.csv", "songs.csv", "artists.csv", "externalities.csv", "lorenz.csv",
        "cloud.csv", "cloud-points.csv", "clean-accuracy.csv",
      ]
        + (readDatasetShape() == nil ? [] : ["dataset.csv"]) + collectivesManifestFiles
        + extraFiles,
      note: "Timings vary between machines and runs; every CSV is deterministic for the spec.",
      retraining: spec.retraining == .retrain ? nil : spec.retraining)
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys]
    try FileIO.writeAtomically(try e.encode(m), to: folder + "/" + ResultsFolder.manifestName)
  }
}
