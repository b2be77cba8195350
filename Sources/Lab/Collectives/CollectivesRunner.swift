// The several-collectives part of a study: per fold and setting, draw each collective's
// playlists (disjoint, overlapping or shared), plant each one's song with the planting core
// (PlantPipeline.plant on the original playlists; members that do not follow keep theirs),
// obtain the model alone and together (exact update for the co-occurrence model, else retrain
// with the fold's seed, as the single-collective runs; behind the spec's detection filter and
// re-ranking stage when it has them) and measure each song.
import ChorusCore
import CollectiveAction
import Defences
import Evaluation
import Foundation
import PlaylistData
import Recommenders

/// Runs the settings of a spec's `collectives` block.
struct CollectivesRunner {
  let spec: ExperimentSpec
  let study: CollectivesStudy

  /// Every (fold, setting) of the study in canonical order: fold, then setting.
  static func plan(_ spec: ExperimentSpec) -> [CollectivesKey] {
    guard let study = spec.collectives else { return [] }
    return spec.foldList.flatMap { f in
      study.settings.indices.map { CollectivesKey(fold: f, setting: $0) }
    }
  }

  /// The (fold, setting) records this process still has to write: those of its shard (dealt
  /// out over `plan` like the single-collective runs, `ResultsStore.shard(ofPosition:count:)`)
  /// without a record.
  func todo(store: ResultsStore, shard: (index: Int, count: Int)?) -> [CollectivesKey] {
    Self.plan(spec).enumerated().filter { i, key in
      (shard.map { ResultsStore.shard(ofPosition: i, count: $0.count) == $0.index } ?? true)
        && !store.hasCollectivesRecord(key)
    }.map(\.element)
  }

  /// The data-dependent checks before anything is written: every target is a new song, every
  /// statistics table exists and every setting's collectives fit in the first fold's eligible
  /// playlists (every fold has the same number).
  func preflight(dataset: Dataset) throws {
    let split = try FoldSplit(store: dataset.playlists, config: spec.split, fold: spec.foldList[0])
    for (i, setting) in study.settings.enumerated() {
      _ = try Self.members(study, setting: i, split: split) {
        Self.artists(of: $0, in: dataset)
      }
      for (j, g) in setting.collectives.enumerated() {
        if case .table(let path) = g.statistics, !FileManager.default.fileExists(atPath: path) {
          throw ChorusError(
            .io, "the statistics table does not exist", file: path,
            field: CollectivesStudy.field(i, j, "statistics"),
            hint: "give the path of a CSV track_id,count")
        }
      }
    }
    var catalogue = dataset.catalogue
    for (t, id) in study.targets.enumerated() {
      let (i, j) = study.firstUse(of: id)
      _ = try ExperimentSpec.renamingField(CollectivesStudy.field(i, j, "target")) {
        try Self.targetTrack(id, index: t).append(to: &catalogue)
      }
    }
  }

  /// Target number `index` of the study: the first is the lab's s* (its default artist), the
  /// others get artists of their own.
  static func targetTrack(_ id: String, index: Int) -> TargetTrack {
    index == 0
      ? TargetTrack(id: id)
      : TargetTrack(
        id: id, name: "Target song \(index + 1)",
        artistKey: "chorus:target-artist:\(index)", artistName: "Chorus collective \(index + 1)")
  }

  /// Each collective's playlists (indices of the dataset) on `split`, in collective order.
  /// A collective with homogeneity h draws from the same candidates (the rest of the fold's
  /// order when disjoint, the order or its shuffle when overlapping, the order when shared):
  /// round(h · B) of them — at least 1 when h > 0 — by artist overlap with the first candidate
  /// (`artistSimilarityOrder`), then the rest in candidate order. At h = 0 it is the prefix of
  /// its candidates, as before the key existed.
  /// - Parameter artists: per playlist of the dataset, its sorted distinct artists; needed only
  ///   when a collective of the setting has homogeneity > 0.
  /// - Throws: `ChorusError(.config)` naming the size field of the first collective that
  ///   does not fit in the fold's eligible playlists.
  static func members(
    _ study: CollectivesStudy, setting i: Int, split: FoldSplit,
    artists: (Int) -> [Int32] = { _ in [] }
  ) throws -> [ArraySlice<Int>] {
    let setting = study.settings[i]
    let order = split.collectiveOrder
    var out: [ArraySlice<Int>] = []
    var taken = Set<Int>()
    var next = 0
    for (j, g) in setting.collectives.enumerated() {
      let b = g.size.budget(in: split)
      let field = CollectivesStudy.field(i, j, g.size.isAlpha ? "alpha" : "budget")
      var candidates: [Int]
      switch setting.memberships {
      case .disjoint:
        guard next + b <= order.count else {
          throw ChorusError(
            .config,
            "the disjoint collectives of setting '\(setting.name)' need \(next + b) playlists up to this one; the fold has \(order.count) eligible training playlists",
            field: field, hint: "make the collectives smaller or their memberships overlapping")
        }
        next += b
        // Whatever the earlier collectives took is not a candidate; with homogeneity 0
        // everywhere this is the rest of the fold's order, as before the key existed.
        candidates = taken.isEmpty ? order : order.filter { !taken.contains($0) }
      case .overlapping, .shared:
        guard b <= order.count else {
          throw ChorusError(
            .config,
            "a collective of \(b) playlists is impossible: the fold has \(order.count) eligible training playlists",
            field: field, hint: "use a size of at most \(order.count) playlists")
        }
        if j == 0 || setting.memberships == .shared {
          candidates = order
        } else {
          candidates = order
          var rng = RandomStream(
            seed: split.seed, component: "collectives.overlap", chunk: UInt64(j))
          rng.shuffle(&candidates)
        }
      }
      let chosen: [Int]
      if g.homogeneity == 0 {
        chosen = Array(candidates[0..<b])
      } else {
        let similar = max(1, Int((g.homogeneity * Double(b)).rounded()))
        let ranked = artistSimilarityOrder(candidates, artists: artists)
        let picked = Array(ranked.prefix(similar))
        let pickedSet = Set(picked)
        chosen = picked + candidates.lazy.filter { !pickedSet.contains($0) }.prefix(b - similar)
      }
      out.append(chosen[...])
      if setting.memberships == .disjoint { taken.formUnion(chosen) }
    }
    return out
  }

  /// `candidates` ordered by the Jaccard similarity of their artist sets to the first
  /// candidate's (descending; the first candidate leads, ties keep candidate order).
  /// - Complexity: O(Σ artists of the candidates · log).
  static func artistSimilarityOrder(_ candidates: [Int], artists: (Int) -> [Int32]) -> [Int] {
    guard let centre = candidates.first else { return [] }
    let c = artists(centre)
    let similarity = candidates.map { jaccard(c, artists($0)) }
    return candidates.indices.sorted { a, b in
      similarity[a] != similarity[b] ? similarity[a] > similarity[b] : a < b
    }.map { candidates[$0] }
  }

  /// |A ∩ B| / |A ∪ B| of two sorted, distinct lists (1 when both are empty).
  static func jaccard(_ a: [Int32], _ b: [Int32]) -> Double {
    var i = 0
    var j = 0
    var common = 0
    while i < a.count && j < b.count {
      if a[i] == b[j] {
        common += 1
        i += 1
        j += 1
      } else if a[i] < b[j] {
        i += 1
      } else {
        j += 1
      }
    }
    let union = a.count + b.count - common
    return union == 0 ? 1 : Double(common) / Double(union)
  }

  /// The mean Jaccard similarity of the artist sets over all pairs of `members` (nil for fewer
  /// than two): how alike the collective's tastes are, whatever drew them.
  /// - Complexity: O(B² · artists per playlist).
  static func meanPairwiseSimilarity(_ members: ArraySlice<Int>, artists: (Int) -> [Int32])
    -> Double?
  {
    let sets = members.map(artists)
    guard sets.count >= 2 else { return nil }
    var sum = 0.0
    for a in sets.indices {
      for b in (a + 1)..<sets.count { sum += jaccard(sets[a], sets[b]) }
    }
    return sum / Double(sets.count * (sets.count - 1) / 2)
  }

  /// The sorted distinct artists of playlist `p` of `dataset`.
  static func artists(of p: Int, in dataset: Dataset) -> [Int32] {
    let store = dataset.playlists
    let artistOf = dataset.catalogue.trackArtist
    var out = (store.offsets[p]..<store.offsets[p + 1]).map { artistOf[Int(store.tracks[$0])] }
    out.sort()
    var unique: [Int32] = []
    for a in out where unique.last != a { unique.append(a) }
    return unique
  }

  /// Per member of collective `j`: whether it applies the strategy, drawn from the stream
  /// (fold seed, "collectives.follow.<j>", playlist) so that a member follows at p whenever
  /// it follows at any smaller p.
  static func follows(_ members: ArraySlice<Int>, collective j: Int, p: Double, seed: UInt64)
    -> [Bool]
  {
    members.map { playlist in
      var rng = RandomStream(
        seed: seed, component: "collectives.follow.\(j)", chunk: UInt64(playlist))
      return rng.nextDouble() < p
    }
  }

  /// Runs the settings `keys` of fold `ctx.fold` and writes each record as it finishes.
  /// Measures of a collective alone are shared between settings of the fold that plant the
  /// same playlists the same way on the same catalogue.
  func run(
    keys: [CollectivesKey], ctx: FoldContext, dataset: Dataset, store: ResultsStore,
    log: (String) -> Void
  ) throws {
    var cache: [String: (TargetMeasures, DetectionMetrics?)] = [:]
    for key in keys where key.fold == ctx.fold {
      let t0 = wallClock()
      var record = try measure(setting: key.setting, ctx: ctx, dataset: dataset, cache: &cache)
      record.seconds = wallClock() - t0
      try store.writeCollectivesRecord(record)
      log(
        "fold \(ctx.fold): collectives '\(record.name)' done (\(record.models) models, \(formatDuration(record.seconds)))"
      )
    }
  }

  /// The record of setting `i` on the fold of `ctx`.
  func measure(
    setting i: Int, ctx: FoldContext, dataset: Dataset,
    cache: inout [String: (TargetMeasures, DetectionMetrics?)]
  ) throws -> CollectivesRecord {
    let setting = study.settings[i]
    let targets = study.targets
    let trackCount = dataset.trackCount + targets.count
    let artists = { (p: Int) in Self.artists(of: p, in: dataset) }
    let members = try Self.members(study, setting: i, split: ctx.split, artists: artists)
    var plants: [PlantResult] = []
    var cacheKeys: [String] = []
    for (j, g) in setting.collectives.enumerated() {
      let target = Int32(dataset.trackCount + targets.firstIndex(of: g.target)!)
      let planted = try ExperimentSpec.renamingField(CollectivesStudy.field(i, j)) {
        try PlantPipeline.plant(
          store: dataset.playlists, catalogue: dataset.catalogue, split: ctx.split,
          target: target, strategy: g.strategy, statistics: g.statistics, members: members[j],
          trueCounts: ctx.frequency)
      }
      let keep = Self.follows(members[j], collective: j, p: g.follow, seed: ctx.split.seed)
      let plant = planted.plant.restricted(to: keep)
      plants.append(plant)
      cacheKeys.append(
        "\(targets)|\(target)|\(g.strategy.name)|\(g.statistics.name)|\(Array(members[j]))|\(plant.collective)"
      )
    }
    var models = 0
    /// The measures of each active collective's song, and with a detection stage how well it
    /// finds the planted playlists of all the active collectives.
    func measures(_ active: [Int]) throws -> (
      targets: [TargetMeasures], detection: DetectionMetrics?
    ) {
      let combined = CombinedPlant(active.map { plants[$0] }, store: dataset.playlists)
      let table: RecommendationTable
      var detection: DetectionMetrics? = nil
      if combined.collective.isEmpty {
        // Nobody acted: the training data and so the recommendations are the clean ones.
        table = ctx.cleanTable
      } else {
        (table, detection) = try recommendations(
          combined, ctx: ctx, dataset: dataset, trackCount: trackCount)
        models += 1
      }
      let targets = active.map { j in
        var anchors = [Bool](repeating: false, count: trackCount)
        for e in plants[j].edits where e.targetedAnchor >= 0 {
          anchors[Int(e.targetedAnchor)] = true
        }
        return TargetMeasures(
          target: plants[j].target, manipulated: table, clean: ctx.cleanTable,
          truthLengths: ctx.truthLengths, seeds: ctx.contexts, anchors: anchors,
          budget: members[j].count, trainingEntries: ctx.trainingEntries)
      }
      return (targets, detection)
    }
    var alone: [TargetMeasures] = []
    var aloneDetection: [DetectionMetrics?] = []
    for j in plants.indices {
      if let (m, d) = cache[cacheKeys[j]] {
        alone.append(m)
        aloneDetection.append(d)
      } else {
        let (m, d) = try measures([j])
        cache[cacheKeys[j]] = (m[0], d)
        alone.append(m[0])
        aloneDetection.append(d)
      }
    }
    let together: [TargetMeasures]
    let togetherDetection: DetectionMetrics?
    if plants.count == 1 {
      together = alone
      togetherDetection = aloneDetection[0]
    } else {
      (together, togetherDetection) = try measures(Array(plants.indices))
    }
    var rows: [CollectiveRow] = []
    for (j, g) in setting.collectives.enumerated() {
      let others = Set(members.indices.filter { $0 != j }.flatMap { members[$0] })
      rows.append(
        CollectiveRow(
          collective: j, target: g.target, strategy: g.strategy.name,
          statistics: g.statistics.name, size: g.size, budget: members[j].count,
          follow: g.follow, followers: plants[j].collective.count,
          shared: members[j].filter { others.contains($0) }.count,
          homogeneity: study.usesHomogeneity ? g.homogeneity : nil,
          memberSimilarity: study.usesHomogeneity
            ? Self.meanPairwiseSimilarity(members[j], artists: artists) : nil,
          alone: alone[j], together: together[j], detectionAlone: aloneDetection[j],
          detectionTogether: togetherDetection))
    }
    return CollectivesRecord(
      key: CollectivesKey(fold: ctx.fold, setting: i), name: setting.name,
      memberships: setting.memberships, rows: rows, models: models, seconds: 0)
  }

  /// The shown lists with the planted playlists of `combined`, as the single-collective runs
  /// obtain them: an exact update of the clean model when it supports one and no detection
  /// stage filters, else a model retrained with the fold's seed on the manipulated training set
  /// (minus what a filtering detection stage removes, as the clean model of the fold); its
  /// top-K for every test context, or the re-ranked top-K of its deeper candidates when the
  /// spec has a re-ranking stage.
  /// With a detection stage (filtering or not) it also returns the detector's metrics
  /// against the rewritten playlists of `combined` (nil without the stage).
  func recommendations(
    _ combined: CombinedPlant, ctx: FoldContext, dataset: Dataset, trackCount: Int
  ) throws -> (table: RecommendationTable, detection: DetectionMetrics?) {
    let depth = spec.candidateDepth
    // The training playlists with every active collective's edits, built once when needed
    // (by the detector, a retrained model or a re-ranker's counts).
    var manipulatedStore: PlaylistStore? = nil
    func manipulated() -> PlaylistStore {
      if let m = manipulatedStore { return m }
      let m = combined.applied(to: dataset.playlists, rows: ctx.split.training)
      manipulatedStore = m
      return m
    }
    var table: RecommendationTable
    // What the platform trained on, when a model was retrained (for a re-ranker's counts).
    var trainedOn: PlaylistStore? = nil
    var detection: DetectionMetrics? = nil
    // What a filtering detection stage keeps (nil without one).
    var filtered: PlaylistStore? = nil
    if let stage = spec.detection {
      // Scored as the platform sees the training data: with every active collective's edits.
      let rewritten = Set(combined.collective)
      let run = stage.run(
        training: manipulated(), trackCount: trackCount,
        isPlanted: ctx.split.training.map { rewritten.contains($0) },
        threshold: ctx.detectionThreshold)
      detection = run.metrics
      if stage.filter { filtered = run.kept }
    }
    if filtered == nil, let incremental = ctx.model as? any IncrementalRecommender {
      let update = incremental.updating(
        old: combined.old, new: combined.new, trackCount: trackCount)
      let rows = update.contextsToRecompute(
        contexts: ctx.contexts, candidateCounts: ctx.cleanCandidates, k: depth)
      table =
        update.model.recommendRows(rows, of: ctx.contexts, k: depth, base: ctx.cleanDeep).table
    } else {
      let training = filtered ?? manipulated()
      trainedOn = training
      let model = try spec.model.train(
        playlists: training, trackCount: trackCount, seed: ctx.split.seed)
      table = FoldContext.recommendAll(model, contexts: ctx.contexts, k: depth).0
    }
    if let stage = spec.reranking {
      let counts =
        stage.usesTrainingCounts
        ? trackFrequencies(trainedOn ?? manipulated(), trackCount: trackCount) : []
      table = stage.reranker(trackArtist: dataset.catalogue.trackArtist, trainingCounts: counts)
        .rerank(table, k: spec.k)
    }
    return (table, detection)
  }
}
