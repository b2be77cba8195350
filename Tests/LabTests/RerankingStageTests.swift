// The re-ranking stage in a study: the spec block is decoded strictly (kind first, then only
// that kind's keys); the identity re-ranker gives the numbers of a study without the stage;
// on the exact-update path the deeper candidate lists give what retraining gives; and every
// shown list obeys the re-ranker's rule, with the honest users' cost recorded per run.
import ChorusCore
import ChorusTestSupport
import CollectiveAction
import Defences
import Evaluation
import Foundation
import PlaylistData
import Recommenders
import Reports
import Testing

@testable import Lab

@Suite struct RerankingStageTests {
  @Test func theBlockIsDecodedStrictly() throws {
    var base: [String: Any] = ["budgets": [5], "k": 50]
    #expect(try ExperimentSpec.decode(base).reranking == nil)
    base["reranking"] = ["kind": "artist-diversity", "window": 4]
    let r = try #require(try ExperimentSpec.decode(base).reranking)
    #expect(r.kind == .artistDiversity && r.window == 4 && r.maxPerArtist == 1 && r.depth == 2)
    #expect(r.minCount == nil && r.beta == nil)
    base["reranking"] = ["kind": "cold-cap", "minCount": 12, "maxCold": 1, "depth": 3]
    let c = try #require(try ExperimentSpec.decode(base).reranking)
    #expect(c.kind == .coldCap && c.minCount == 12 && c.maxCold == 1 && c.depth == 3)
    #expect(try ExperimentSpec.decode(base).candidateDepth == 150)
    let bad: [([String: Any], String)] = [
      ([:], "reranking.kind"),
      (["kind": "shuffle"], "reranking.kind"),
      (["kind": 3], "reranking.kind"),
      (["kind": "identity", "beta": 1], "reranking.beta"),
      (["kind": "cold-cap", "window": 3], "reranking.window"),
      (["kind": "artist-diversity", "maxPerArtist": 4, "window": 3], "reranking.maxPerArtist"),
      (["kind": "artist-diversity", "window": 0], "reranking.window"),
      (["kind": "popularity-discount", "beta": -0.5], "reranking.beta"),
      (["kind": "popularity-discount", "beta": "big"], "reranking.beta"),
      (["kind": "cold-cap", "minCount": 0], "reranking.minCount"),
      (["kind": "identity", "depth": 0], "reranking.depth"),
      (["kind": "identity", "depth": 1000], "reranking.depth"),
    ]
    for (block, field) in bad {
      base["reranking"] = block
      do {
        _ = try ExperimentSpec.decode(base)
        Issue.record("\(block) was accepted")
      } catch let e as ChorusError {
        #expect(e.field == field, "\(block): \(e)")
        #expect(e.kind == .config)
      }
    }
  }

  @Test func aStageBuiltInCodeIsValidatedToo() throws {
    var s = ExperimentSpec()
    s.sizes = [.budget(3)]
    var stage = RerankingStage(kind: .artistDiversity)
    stage.beta = 1
    s.reranking = stage
    #expect(throws: ChorusError.self) { try s.validate() }
    stage = RerankingStage(kind: .coldCap)
    stage.minCount = nil
    s.reranking = stage
    #expect(throws: ChorusError.self) { try s.validate() }
  }

  @Test func aSpecWithoutTheBlockEncodesAsBefore() throws {
    var s = ExperimentSpec()
    s.sizes = [.budget(3)]
    let plain = String(decoding: try s.canonicalJSON(), as: UTF8.self)
    #expect(!plain.contains("reranking"))
    s.reranking = RerankingStage(kind: .popularityDiscount)
    let with = String(decoding: try s.canonicalJSON(), as: UTF8.self)
    #expect(with.contains("\"reranking\"") && with.contains("\"popularity-discount\""))
    // The resolved spec decodes back to the same stage.
    let object = try JSONSerialization.jsonObject(with: try s.canonicalJSON()) as! [String: Any]
    #expect(try ExperimentSpec.decode(object).reranking == s.reranking)
  }

  /// DirLoF and AtTheEnd with 20 playlists of a 400-playlist dataset of `tracks` tracks, two
  /// folds, K = 20.
  func spec(_ dir: TemporaryDirectory, reranking: RerankingStage?, tracks: Int = 300) throws
    -> ExperimentSpec
  {
    let path = dir.file("data.chorus")
    if !FileManager.default.fileExists(atPath: path) {
      try BinaryCache.write(
        Fixtures.random(playlists: 400, tracks: tracks, lengths: 20...40, seed: 4), to: path)
    }
    var s = ExperimentSpec()
    s.name = "rerank"
    s.dataset = path
    s.split = SplitConfig(testSize: 40, folds: 2, seed: 1)
    s.strategies = [.dirLoF, .atTheEnd]
    s.sizes = [.budget(20)]
    s.k = 20
    s.reranking = reranking
    return s
  }

  @Test func theIdentityStageGivesTheNumbersOfNoStage() throws {
    let dir = TemporaryDirectory()
    try runQuietly(try spec(dir, reranking: nil), in: dir.file("plain"))
    try runQuietly(
      try spec(dir, reranking: RerankingStage(kind: .identity, depth: 3)), in: dir.file("identity"))
    let plain = try CSVTable.read(path: dir.file("plain/runs.csv"))
    let identity = try CSVTable.read(path: dir.file("identity/runs.csv"))
    #expect(!plain.header.contains("ndcg_clean_undefended"))
    #expect(identity.header.contains("ndcg_defence_loss"))
    for name in plain.header where name != "recomputed_contexts" {
      let a = plain.column(name)!
      let b = identity.column(name)!
      #expect(plain.rows.map { $0[a] } == identity.rows.map { $0[b] }, "\(name)")
    }
    // Not vacuous: s* reaches some lists.
    let recommendations = plain.column("recommendations")!
    #expect(plain.rows.contains { ($0[recommendations].double ?? 0) > 0 })
    // Without re-ranking the shown lists are the undefended ones: no cost to honest users.
    for name in PlaylistMetrics.names {
      let loss = identity.column("\(name)_defence_loss")!
      let clean = identity.column("\(name)_clean")!
      let undefended = identity.column("\(name)_clean_undefended")!
      for row in identity.rows {
        #expect(row[loss].double == 0)
        #expect(row[clean] == row[undefended])
      }
    }
    // lorenz.csv: the stage's folder adds the clean lists without the stage
    // ("clean-undefended"), here the same curve as "clean"; the rest is the same.
    let plainLorenz = try CSVTable.read(path: dir.file("plain/lorenz.csv"))
    let identityLorenz = try CSVTable.read(path: dir.file("identity/lorenz.csv"))
    let series = identityLorenz.column("series")!
    let undefendedRows = identityLorenz.rows.filter { $0[series].string == "clean-undefended" }
    let cleanRows = identityLorenz.rows.filter { $0[series].string == "clean" }
    #expect(
      !undefendedRows.isEmpty
        && !plainLorenz.rows.contains { $0[series].string == "clean-undefended" })
    #expect(
      identityLorenz.rows.filter { $0[series].string != "clean-undefended" } == plainLorenz.rows)
    #expect(undefendedRows.map { Array($0[6...]) } == cleanRows.map { Array($0[6...]) })
    // The per-song, per-artist and clean files are the same bytes.
    for file in [
      "songs.csv", "artists.csv", "externalities.csv", "clean-accuracy.csv",
    ] {
      #expect(
        try FileIO.read(dir.file("plain/" + file)) == FileIO.read(dir.file("identity/" + file)),
        "\(file)")
    }
  }

  /// The runner's numbers on the exact-update path (co-occurrence) against retraining on the
  /// manipulated data, scoring K · depth candidates and re-ranking them by hand.
  @Test(arguments: [
    RerankingStage(kind: .coldCap, depth: 10), RerankingStage(kind: .artistDiversity, depth: 10),
  ])
  func theExactUpdateAtDepthEqualsRetraining(stage: RerankingStage) throws {
    let dir = TemporaryDirectory()
    // A sparse catalogue: many contexts have more than K but fewer than K · depth scored
    // candidates, so which rows the update recomputes depends on the depth.
    var spec = try spec(dir, reranking: stage, tracks: 3000)
    spec.sizes = [.budget(150)]
    if stage.kind == .coldCap {
      // Only tracks with 10 or more training playlists are shown: in this sparse catalogue
      // most scored candidates are cold, so lists fill from deep in the candidates, where the
      // popularity fallback now holds s* near the top (150 playlists). A row scored with fewer than K · depth
      // candidates must therefore be recomputed even when it holds no changed track.
      spec.reranking!.minCount = 10
      spec.reranking!.maxCold = 0
    }
    try runQuietly(spec, in: dir.file("out"))
    let runs = try CSVTable.read(path: dir.file("out/runs.csv"))
    let dataset = try DatasetSource(spec.dataset).load()
    let (_, target) = try TargetTrack(id: spec.target).appended(to: dataset.catalogue)
    let runner = ExperimentRunner(spec: spec, folder: dir.file("out"), options: RunOptions())
    let trackCount = dataset.trackCount + 1
    var someRowDiffersFromThePrefix = false
    for fold in spec.foldList {
      let ctx = try FoldContext(
        dataset: dataset, spec: spec, modelSpec: spec.model, fold: fold, progress: { _ in })
      for s in spec.strategies.indices {
        let key = RunKey(fold: fold, strategyIndex: s, sizeIndex: 0, statisticsIndex: 0)
        let planted = try runner.plant(key, ctx: ctx, dataset: dataset, target: target).plant
        let manipulated = planted.applied(to: dataset.playlists, rows: ctx.split.training)
        let retrained = try spec.model.train(
          playlists: manipulated, trackCount: trackCount, seed: ctx.split.seed)
        let deep = retrained.recommendAll(ctx.contexts, k: spec.candidateDepth)
        let shown = spec.reranking!.reranker(
          trackArtist: dataset.catalogue.trackArtist,
          trainingCounts: trackFrequencies(manipulated, trackCount: trackCount)
        ).rerank(deep, k: spec.k)
        if shown != RerankingStage.prefix(deep, k: spec.k) { someRowDiffersFromThePrefix = true }
        let expected = AccuracyReport(table: shown, split: ctx.split, dataset: dataset).overall
        let counts = TopRCounts(
          table: shown, truthLengths: ctx.truthLengths, trackCount: trackCount)
        let row = try #require(
          runs.rows.first {
            $0[runs.column("fold")!].double == Double(fold)
              && $0[runs.column("strategy")!].string == spec.strategies[s].name
          })
        #expect(row[runs.column("recommendations")!].double == Double(counts.counts[Int(target)]))
        #expect(
          approximatelyEqual(
            row[runs.column("ndcg_with")!].double!, expected.ndcg, tolerance: 1e-12))
        #expect(
          approximatelyEqual(
            row[runs.column("r_precision_with")!].double!, expected.rPrecision, tolerance: 1e-12))
        #expect(
          approximatelyEqual(
            row[runs.column("clicks_with")!].double!, expected.clicks, tolerance: 1e-12))
      }
    }
    #expect(someRowDiffersFromThePrefix, "the re-ranker changed no list: the test is vacuous")
  }

  @Test func shownListsKeepTheArtistRuleAndTheCostIsRecorded() throws {
    let dir = TemporaryDirectory()
    var stage = RerankingStage(kind: .artistDiversity, depth: 4)
    stage.maxPerArtist = 1
    stage.window = 3
    let spec = try spec(dir, reranking: stage)
    try runQuietly(spec, in: dir.file("out"))
    let dataset = try DatasetSource(spec.dataset).load()
    let ctx = try FoldContext(
      dataset: dataset, spec: spec, modelSpec: spec.model, fold: 0, progress: { _ in })
    let artist = dataset.catalogue.trackArtist
    for r in 0..<ctx.cleanTable.rows {
      let row = Array(ctx.cleanTable[r].filter { $0 >= 0 })
      for i in row.indices {
        let window = row[max(0, i - 2)...i].map { artist[Int($0)] }
        #expect(Set(window).count == window.count, "row \(r) repeats an artist within 3")
      }
    }
    // The recorded cost is the defended clean minus the clean without the stage.
    let undefended = try #require(ctx.undefendedReport).overall
    let runs = try CSVTable.read(path: dir.file("out/runs.csv"))
    let loss = runs.column("ndcg_defence_loss")!
    let fold = runs.column("fold")!
    for row in runs.rows where row[fold].double == 0 {
      #expect(
        approximatelyEqual(
          row[loss].double!, ctx.cleanReport.overall.ndcg - undefended.ndcg, tolerance: 1e-12))
    }
    #expect(ctx.cleanReport.overall != undefended, "diversity changed no clean list")
    // Concentration with and without the stage: lorenz.csv's "clean-undefended" series is the
    // Gini of the first K candidates' top-R counts per artist, recomputed here.
    let firstK = TopRCounts(
      table: RerankingStage.prefix(ctx.cleanDeep, k: spec.k), truthLengths: ctx.truthLengths,
      trackCount: dataset.trackCount)
    var perArtist = [Double](repeating: 0, count: dataset.artistCount)
    for t in 0..<dataset.trackCount { perArtist[Int(artist[t])] += Double(firstK.counts[t]) }
    let lorenz = try CSVTable.read(path: dir.file("out/lorenz.csv"))
    func gini(_ name: String) -> Double? {
      lorenz.rows.first {
        $0[lorenz.column("fold")!].double == 0 && $0[lorenz.column("series")!].string == name
      }?[lorenz.column("gini")!].double
    }
    let expected = Concentration(perArtist).gini
    #expect(approximatelyEqual(try #require(gini("clean-undefended")), expected, tolerance: 1e-12))
    #expect(gini("clean") != gini("clean-undefended"), "diversity left the concentration as it was")
  }
}
