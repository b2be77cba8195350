// Runs a study end to end (`chorus run`): per fold, split and train the clean model once;
// per strategy × size × statistics, plant s*, obtain the model with the collective (exact
// update for the co-occurrence model, else retrain with the same seed), recommend, measure,
// and write the run's record atomically (`concurrentRuns` of a fold at a time, on a share of
// the threads each, with the same records). Resumable and shardable; the CSVs are assembled
// from the records at the end (ResultsStore).
import ChorusCore
import CollectiveAction
import Defences
import Evaluation
import Foundation
import PlaylistData
import Recommenders
import Reports

/// Options of one invocation (not part of the spec: they never change results).
public struct RunOptions: Sendable {
  public var resume = false
  /// Shard i of n (0-based i); nil = all runs.
  public var shard: (index: Int, count: Int)? = nil
  public var showProgress = true
  /// Runs of one fold computed at the same time, each on `threads / concurrentRuns` worker
  /// threads (at least 1). Results are identical for any value; memory grows with it (one
  /// manipulated training set and retrained model per run in flight). Worth it where a run's
  /// work does not keep every core busy (retraining on small data); 1 runs them one by one.
  public var concurrentRuns = 1
  public init() {}
}

/// The study runner.
public struct ExperimentRunner {
  public let spec: ExperimentSpec
  public let folder: String
  public let options: RunOptions

  public init(spec: ExperimentSpec, folder: String, options: RunOptions) {
    self.spec = spec
    self.folder = folder
    self.options = options
  }

  /// Runs what remains of the study; returns the store (assembled when complete).
  ///
  /// Everything that can be checked before writing is checked first — the spec, the dataset
  /// (loaded), the split of the first fold, every collective size, the target and the
  /// folder's state — so an invalid study leaves nothing on disk.
  @discardableResult
  public func run() throws -> ResultsStore {
    try spec.validate()
    let log: (String) -> Void = { options.showProgress ? Console.log($0) : () }
    try ResultsStore.precheck(folder: folder, spec: spec, resume: options.resume)
    let source = try DatasetSource(spec.dataset)
    for statistics in spec.statistics {
      if case .table(let path) = statistics, !FileManager.default.fileExists(atPath: path) {
        throw ChorusError(
          .io, "the statistics table does not exist", file: path, field: "statistics",
          hint: "give the path of a CSV track_id,count")
      }
    }
    let t0 = wallClock()
    let dataset = try source.load()
    log(
      "loaded \(spec.dataset): \(dataset.playlistCount) playlists in \(formatDuration(wallClock() - t0))"
    )
    let target = TargetTrack(id: spec.target)
    let (fullCatalogue, targetID) = try ExperimentSpec.renamingField("target") {
      try target.appended(to: dataset.catalogue)
    }
    let budgets = try preflight(dataset: dataset, log: log)
    let collectives = spec.collectives.map { CollectivesRunner(spec: spec, study: $0) }
    try collectives?.preflight(dataset: dataset)
    let h0 = wallClock()
    let identity = DatasetIdentity(dataset)
    log("dataset fingerprint: \(identity) (\(formatDuration(wallClock() - h0)))")
    let store = try ResultsStore.prepare(
      folder: folder, spec: spec, dataset: identity, resume: options.resume)
    let plan = ResultsStore.plan(spec)
    let mine = plan.enumerated().filter { i, _ in
      options.shard.map { ResultsStore.shard(ofPosition: i, count: $0.count) == $0.index } ?? true
    }.map(\.element)
    let done = store.finishedRuns()
    let todo = mine.filter { !done.contains($0) }
    let todoFolds = Set(todo.map(\.fold))
    // The settings with several collectives this shard still has to run.
    let collectivesTodo = collectives?.todo(store: store, shard: options.shard) ?? []
    let foldsNeeded = Set(mine.map(\.fold)).filter {
      !store.hasFoldRecord($0) || todoFolds.contains($0)
    }.union(collectivesTodo.map(\.fold))
    log(
      "\(spec.name): \(plan.count) runs in the study, \(mine.count) in this shard, \(mine.count - todo.count) already done"
    )
    if !todo.isEmpty || !foldsNeeded.isEmpty {
      for w in dataset.warnings.lines { log("warning: \(w)") }
      try store.recordWarnings(dataset.warnings)
      if !store.hasDatasetShape {
        try store.recordDatasetShape(
          DatasetShape(playlists: dataset.playlists, trackCount: dataset.trackCount))
      }
      let progress = ProgressBar("runs", total: todo.count, enabled: options.showProgress)
      for fold in spec.foldList where foldsNeeded.contains(fold) {
        let f0 = wallClock()
        let ctx = try FoldContext(
          dataset: dataset, spec: spec, modelSpec: spec.model, fold: fold, progress: log)
        if !store.hasFoldRecord(fold) {
          try store.writeFold(foldRecord(ctx, dataset: dataset, seconds: wallClock() - f0))
        }
        let keys = todo.filter { $0.fold == fold }
        let batch = max(1, min(options.concurrentRuns, ParallelConfig.threads))
        var next = 0
        while next < keys.count {
          // Runs that repeat an earlier size's collective are copies; the others of this
          // batch are computed, `batch` at a time, and written in key order.
          var compute: [RunKey] = []
          while next < keys.count && compute.count < batch {
            let key = keys[next]
            next += 1
            let earlier = budgets.firstIndex(of: budgets[key.sizeIndex]).map {
              RunKey(
                fold: key.fold, strategyIndex: key.strategyIndex, sizeIndex: $0,
                statisticsIndex: key.statisticsIndex)
            }
            if let earlier, earlier.sizeIndex < key.sizeIndex, store.hasRun(earlier) {
              // The same collective as an earlier size: one run per distinct B (assembly
              // keeps the earlier one); the record is a copy, so the plan stays complete.
              // (Another shard or a run of the same batch may hold the earlier run: then this
              // one is computed, to the same numbers.)
              var copy = try store.readRun(earlier)
              copy.key = key
              copy.size = spec.sizes[key.sizeIndex]
              try store.writeRun(copy)
              progress.step()
              continue
            }
            compute.append(key)
          }
          // Every finished run of the batch is kept (resume skips it); then a failure stops
          // the study as it would one run at a time.
          let results = computeRuns(
            compute, ctx: ctx, dataset: dataset, catalogue: fullCatalogue, target: targetID,
            progress: progress)
          for case .success(let record) in results { try store.writeRun(record) }
          for case .failure(let error) in results { throw error }
        }
        try collectives?.run(
          keys: collectivesTodo, ctx: ctx, dataset: dataset, store: store, log: log)
      }
      progress.finish()
    }
    if store.isComplete(plan: plan) {
      try store.assemble(plan: plan)
    }
    return store
  }

  /// The records of `keys` (runs of one fold), or the error a run stopped with: one after
  /// the other, or all at once on a share of the threads each when there are several. Every
  /// run's numbers are independent of the threads it gets, so the records are the same either
  /// way (but their timings).
  func computeRuns(
    _ keys: [RunKey], ctx: FoldContext, dataset: Dataset, catalogue: Catalogue, target: Int32,
    progress: ProgressBar
  ) -> [Result<RunRecord, any Error>] {
    let inputs = RunInputs(
      runner: self, ctx: ctx, dataset: dataset, catalogue: catalogue, target: target)
    if keys.count <= 1 {
      return keys.map { key in
        let result = Result { try inputs.record(key) }
        progress.step()
        return result
      }
    }
    let threads = max(1, ParallelConfig.threads / keys.count)
    let results = Parallel.mapChunks(count: keys.count, chunkSize: 1) { i, _ in
      ParallelConfig.withThreads(threads) {
        let result = Result { try inputs.record(keys[i]) }
        progress.step()
        return result
      }
    }
    return results
  }

  /// What the runs of one fold read, handed to the threads that compute them. Unchecked:
  /// `runOne` only reads these (the fold's clean state, the data, the spec); each run builds
  /// its own planted data, model and tables.
  struct RunInputs: @unchecked Sendable {
    let runner: ExperimentRunner
    let ctx: FoldContext
    let dataset: Dataset
    let catalogue: Catalogue
    let target: Int32

    /// Run `key`'s record, with its wall time.
    func record(_ key: RunKey) throws -> RunRecord {
      let r0 = wallClock()
      var record = try runner.runOne(
        key: key, ctx: ctx, dataset: dataset, catalogue: catalogue, target: target)
      record.seconds = wallClock() - r0
      return record
    }
  }

  /// The data-dependent checks, before anything is written: the first fold's split (test
  /// size, eligible playlists; every fold has the same sizes) and every collective size.
  /// Returns B per size index and warns when several α give the same B.
  func preflight(dataset: Dataset, log: (String) -> Void) throws -> [Int] {
    let split: FoldSplit
    do {
      split = try FoldSplit(store: dataset.playlists, config: spec.split, fold: spec.foldList[0])
    } catch var e as ChorusError {
      if let f = e.field, !f.hasPrefix("split.") { e.field = "split." + f }
      throw e
    }
    let field = spec.sizesKey
    let budgets = try spec.sizes.map { size -> Int in
      let b = size.budget(in: split)
      _ = try ExperimentSpec.renamingField(field) { try split.collective(budget: b) }
      return b
    }
    for (i, b) in budgets.enumerated() {
      if let first = budgets.firstIndex(of: b), first < i {
        log(
          "warning: \(spec.sizes[i].kind) \(spec.sizes[i].value) gives the same collective as \(spec.sizes[first].value) (B = \(counted(Double(b), "playlist"))); the study keeps one run per distinct B, labelled \(spec.sizes[first].value)"
        )
      }
    }
    return budgets
  }

  func foldRecord(_ ctx: FoldContext, dataset: Dataset, seconds: Double) -> FoldRecord {
    FoldRecord(
      fold: ctx.fold, seed: ctx.split.seed, trainingPlaylists: ctx.training.count,
      trainingEntries: ctx.trainingEntries,
      eligibleForCollective: ctx.split.collectiveOrder.count, testPlaylists: ctx.split.test.count,
      clean: AccuracyReportSummary(
        overall: ctx.cleanReport.overall, perSeedLength: ctx.cleanReport.perSeedLength),
      cloud: ReferenceCloud(
        clean: ctx.cleanCounts, frequency: ctx.frequency, trainingEntries: ctx.trainingEntries
      ).bins,
      lorenzClean: Concentration(ctx.artistR0.map(Double.init)),
      cloudPoints: cloudSample(ctx, ids: dataset.catalogue.trackIDs), seconds: seconds,
      lorenzCleanUndefended: ctx.artistR0Undefended.map { Concentration($0.map(Double.init)) })
  }

  /// Songs for the frequency scatter: per training-frequency bin, up to `perBin` songs chosen
  /// by a hash of their id and the fold seed (fixed for the spec, spread over the long tail).
  func cloudSample(_ ctx: FoldContext, ids: StringPool, perBin: Int = 150) -> [CloudPoint] {
    var byBin: [Int: [(UInt64, Int)]] = [:]
    for t in 0..<ctx.frequency.count where ctx.frequency[t] > 0 {
      var h = UInt64(t) &* 0x9E37_79B9_7F4A_7C15 ^ ctx.split.seed
      h ^= h >> 31
      h = h &* 0xBF58_476D_1CE4_E5B9
      h ^= h >> 29
      byBin[FrequencyBins.bin(of: Int(ctx.frequency[t])), default: []].append((h, t))
    }
    var out: [CloudPoint] = []
    for b in byBin.keys.sorted() {
      for (_, t) in byBin[b]!.sorted(by: { $0 < $1 }).prefix(perBin).sorted(by: { $0.1 < $1.1 }) {
        out.append(
          CloudPoint(
            track: ids[t], frequency: Int(ctx.frequency[t]),
            recommendations: Int(ctx.cleanCounts.counts[t])))
      }
    }
    return out
  }

  /// The collective of run `key` with s* planted: the planting core of `chorus plant`
  /// (`PlantPipeline.plant`) on the fold's split, with the fold's training frequencies as the
  /// truth.
  func plant(_ key: RunKey, ctx: FoldContext, dataset: Dataset, target: Int32) throws
    -> PlantedCollective
  {
    try PlantPipeline.plant(
      store: dataset.playlists, catalogue: dataset.catalogue, split: ctx.split, target: target,
      strategy: spec.strategies[key.strategyIndex],
      statistics: spec.statistics[key.statisticsIndex],
      size: spec.sizes[key.sizeIndex], trueCounts: ctx.frequency)
  }

  /// Every measure of run `key`: plant, obtain the model with the collective (exact update
  /// when the model supports it, else retrain with the fold's seed — or fine-tune the clean
  /// model when the spec's `retraining` asks), recommend, measure.
  func runOne(
    key: RunKey, ctx: FoldContext, dataset: Dataset, catalogue: Catalogue, target: Int32
  ) throws -> RunRecord {
    let strategy = spec.strategies[key.strategyIndex]
    let statistics = spec.statistics[key.statisticsIndex]
    let cell = try plant(key, ctx: ctx, dataset: dataset, target: target)
    let planted = cell.plant
    let quality = cell.quality
    let b = cell.budget
    let trackCount = dataset.trackCount + 1
    // The moderation stage, when the spec has one: score the training data as the platform
    // sees it, measure against the collective, and with `filter` drop the flagged playlists.
    var detection: DetectionMetrics? = nil
    // What a retrained model learns from: the manipulated training set, minus what a filtering
    // stage flags. nil when an exact update of the clean model replaces retraining.
    var retrainOn: PlaylistStore? = nil
    // The manipulated training set, when something needs it (retraining, detection, or a
    // re-ranker that reads training frequencies).
    var manipulated: PlaylistStore? = nil
    let incremental = ctx.model as? any IncrementalRecommender
    if spec.detection != nil || incremental == nil || spec.reranking?.usesTrainingCounts == true {
      manipulated = planted.applied(to: dataset.playlists, rows: ctx.split.training)
    }
    if let manipulated, spec.detection != nil || incremental == nil {
      if incremental == nil { retrainOn = manipulated }
      if let stage = spec.detection {
        let members = Set(planted.collective)
        let (metrics, kept) = stage.run(
          training: manipulated, trackCount: trackCount,
          isPlanted: ctx.split.training.map { members.contains($0) },
          threshold: ctx.detectionThreshold)
        detection = metrics
        // Filtering changes which honest data remains: retrain (no exact update).
        if stage.filter { retrainOn = kept }
      }
    }
    // The model with the collective, and the contexts whose recommendations can change, at
    // the candidate depth (K, or K · depth when a re-ranking stage picks the K shown).
    let depth = spec.candidateDepth
    var table: RecommendationTable
    let recomputed: Int
    var retrained: (any Recommender)? = nil
    if let retrainOn {
      let model = try spec.retraining.model(
        clean: ctx.model, spec: spec.model, playlists: retrainOn, trackCount: trackCount,
        seed: ctx.split.seed)
      retrained = model
      table = FoldContext.recommendAll(model, contexts: ctx.contexts, k: depth).0
      recomputed = ctx.contexts.count
    } else if let incremental {
      let update = incremental.updating(old: planted.old, new: planted.new, trackCount: trackCount)
      let rows = update.contextsToRecompute(
        contexts: ctx.contexts, candidateCounts: ctx.cleanCandidates, k: depth)
      table =
        update.model.recommendRows(rows, of: ctx.contexts, k: depth, base: ctx.cleanDeep).table
      recomputed = rows.count
    } else {
      preconditionFailure("a model without exact updates always has training data to retrain on")
    }
    if let stage = spec.reranking {
      // Every row is re-ranked (not only the recomputed ones): a re-ranker that reads training
      // frequencies sees the collective's change to them in every list.
      let counts =
        stage.usesTrainingCounts
        ? trackFrequencies(retrainOn ?? manipulated!, trackCount: trackCount) : []
      table = stage.reranker(trackArtist: dataset.catalogue.trackArtist, trainingCounts: counts)
        .rerank(table, k: spec.k)
    }
    var direct = [Bool](repeating: false, count: trackCount)
    var indirect = [Bool](repeating: false, count: trackCount)
    for e in planted.edits {
      if e.directAnchor >= 0 { direct[Int(e.directAnchor)] = true }
      if e.indirectAnchor >= 0 { indirect[Int(e.indirectAnchor)] = true }
    }
    // The anchors the strategy aimed at (the song before s* for DirLoF, after it for InClust):
    // the success rates among playlists holding one use these, not every neighbour of s*.
    var anchors = [Bool](repeating: false, count: trackCount)
    for e in planted.edits where e.targetedAnchor >= 0 { anchors[Int(e.targetedAnchor)] = true }
    let counts = TopRCounts(table: table, truthLengths: ctx.truthLengths, trackCount: trackCount)
    let measures = TargetMeasures(
      target: target, manipulated: table, clean: ctx.cleanTable, truthLengths: ctx.truthLengths,
      seeds: ctx.contexts,
      anchors: anchors, budget: b, trainingEntries: ctx.trainingEntries)
    let accuracy = AccuracyLoss(
      cleanReport: ctx.cleanReport, manipulated: table, clean: ctx.cleanTable, target: target,
      split: ctx.split, dataset: dataset)
    let ext = Externalities(
      clean: ctx.cleanCounts, manipulated: counts, frequency: ctx.frequency, direct: direct,
      indirect: indirect, target: target,
      artistOf: dataset.catalogue.trackArtist, artistCount: dataset.artistCount)
    let ids = catalogue.trackIDs
    let artistIDs = catalogue.artistIDs
    let songs = ext.songs.filter { $0.delta != 0 || $0.category != .other }.map {
      SongRow(
        track: ids[Int($0.track)], category: $0.category.rawValue, frequency: $0.frequency,
        r0: $0.r0, r: $0.r)
    }
    let artists = ext.artists.filter { $0.delta != 0 }.map {
      ArtistRow(artist: artistIDs[Int($0.artist)], r0: $0.r0, r: $0.r)
    }
    // Per-artist totals with the collective: the target's artist holds R(s*).
    var withCounts = [Double](repeating: 0, count: dataset.artistCount + 1)
    var gained = [Double](repeating: 0, count: dataset.artistCount)
    var a1 = [Int](repeating: 0, count: dataset.artistCount)
    for t in 0..<dataset.trackCount {
      a1[Int(dataset.catalogue.trackArtist[t])] += Int(counts.counts[t])
    }
    for a in 0..<dataset.artistCount {
      withCounts[a] = Double(a1[a])
      gained[a] = Double(max(0, a1[a] - ctx.artistR0[a]))
    }
    withCounts[dataset.artistCount] = Double(measures.recommendations)
    return RunRecord(
      key: key, strategy: strategy.name, statistics: statistics.description,
      size: spec.sizes[key.sizeIndex], trainingPlaylists: ctx.split.training.count,
      target: measures,
      accuracy: accuracy, quality: quality,
      directAnchors: direct.filter { $0 }.count, indirectAnchors: indirect.filter { $0 }.count,
      bins: ext.binned(),
      songs: songs, artists: artists, lorenzWith: Concentration(withCounts),
      lorenzGained: Concentration(gained),
      recomputedContexts: recomputed, seconds: 0, detection: detection,
      reranking: ctx.undefendedReport.map {
        RerankingMeasures(
          cleanUndefended: $0.overall,
          shortLists: (0..<table.rows).filter { table[$0].contains(-1) }.count)
      },
      appendix: AppendixMeasures.measure(
        cell: cell, ctx: ctx, dataset: dataset, table: table, target: target, anchors: anchors,
        model: retrained),
      retraining: retrainOn == nil ? nil : spec.retraining.recordLabel)
  }
}
