// Everything a fold's runs share, computed once: the split, the training store and its
// frequencies, the clean model, its recommendations (with per-context candidate counts, to
// know which contexts an exact update can change), and the clean exposure figures.
import ChorusCore
import Evaluation
import Foundation
import PlaylistData
import Recommenders
import Reports

/// The clean state of one fold.
struct FoldContext {
  let fold: Int
  let split: FoldSplit
  /// Row j = dataset playlist split.training[j].
  let training: PlaylistStore
  /// Training frequency per base track.
  let frequency: [Int32]
  /// N_train: Σ distinct tracks over training playlists, before manipulation.
  let trainingEntries: Int
  let model: any Recommender
  /// Seed contexts of the test playlists (row i = test playlist i).
  let contexts: PlaylistStore
  let truthLengths: [Int]
  /// The shown clean lists (K per row; re-ranked when the spec has a re-ranking stage).
  let cleanTable: RecommendationTable
  /// The clean model's candidates at the spec's candidate depth (K · depth with a re-ranking
  /// stage; then the exact update recomputes and re-ranks from these), else `cleanTable`.
  let cleanDeep: RecommendationTable
  /// Per context: how many scored candidates it had at the candidate depth (fewer means the
  /// fallback filled it).
  let cleanCandidates: [Int]
  /// With a re-ranking stage: the clean model's accuracy on the first K candidates, i.e.
  /// without the stage (the honest users' cost is the difference to `cleanReport`).
  let undefendedReport: AccuracyReport?
  let cleanReport: AccuracyReport
  let cleanCounts: TopRCounts
  /// Per artist (base artists): clean R₀.
  let artistR0: [Int]
  /// With a re-ranking stage: per artist, R₀ of the first K candidates (the lists without
  /// the stage), for the concentration the stage changes.
  let artistR0Undefended: [Int]?
  /// With a detection stage that calibrates a false-positive rate: its threshold, set on this
  /// fold's clean training playlists (`DetectionStage.threshold(clean:trackCount:)`).
  let detectionThreshold: Double?

  init(
    dataset: Dataset, spec: ExperimentSpec, modelSpec: ModelSpec, fold: Int,
    progress: (String) -> Void
  ) throws {
    self.fold = fold
    split = try FoldSplit(store: dataset.playlists, config: spec.split, fold: fold)
    training = split.trainingStore(in: dataset.playlists)
    frequency = trackFrequencies(training, trackCount: dataset.trackCount)
    trainingEntries = training.entryCount
    // With a filtering detection stage the platform drops the flagged playlists here too: the
    // clean model is what the defended platform trains without a collective.
    var trainOn = training
    detectionThreshold = spec.detection?.threshold(clean: training, trackCount: dataset.trackCount)
    if let t = detectionThreshold, let q = spec.detection?.falsePositiveRate {
      progress(
        "fold \(fold): detection flags scores above \(String(format: "%.4g", t)) (at most \(MeasuredValue.number(q * 100))% of the clean training playlists)"
      )
    }
    if let stage = spec.detection, stage.filter {
      trainOn =
        stage.run(
          training: training, trackCount: dataset.trackCount,
          isPlanted: [Bool](repeating: false, count: training.count), threshold: detectionThreshold
        ).kept
      switch stage.filterUnit {
      case .playlists:
        progress(
          "fold \(fold): detection drops \(counted(Double(training.count - trainOn.count), "flagged playlist"))"
        )
      case .tracks:
        progress(
          "fold \(fold): detection drops "
            + counted(Double(training.entryCount - trainOn.entryCount), "flagged occurrence")
            + " (\(counted(Double(training.count - trainOn.count), "playlist")) left empty)")
      }
    }
    progress("fold \(fold): training \(modelSpec.name) on \(trainOn.count) playlists")
    model = try modelSpec.train(
      playlists: trainOn, trackCount: dataset.trackCount, seed: split.seed)
    contexts = split.contexts(in: dataset.playlists)
    let split = self.split
    truthLengths = (0..<split.test.count).map {
      split.context(ofTest: $0, in: dataset.playlists).truth.count
    }
    progress("fold \(fold): clean recommendations for \(split.test.count) test playlists")
    let (deep, candidates) = Self.recommendAll(model, contexts: contexts, k: spec.candidateDepth)
    cleanDeep = deep
    cleanCandidates = candidates
    let table: RecommendationTable
    var undefendedArtists: [Int]? = nil
    if let stage = spec.reranking {
      // The platform re-ranks with the frequencies of the data its model was trained on.
      let reranker = stage.reranker(
        trackArtist: dataset.catalogue.trackArtist,
        trainingCounts: trackFrequencies(trainOn, trackCount: dataset.trackCount))
      table = reranker.rerank(deep, k: spec.k)
      let undefended = RerankingStage.prefix(deep, k: spec.k)
      undefendedReport = AccuracyReport(table: undefended, split: split, dataset: dataset)
      let counts = TopRCounts(
        table: undefended, truthLengths: truthLengths, trackCount: dataset.trackCount)
      undefendedArtists = Self.perArtist(counts, dataset: dataset)
      progress(
        "fold \(fold): re-ranked \(spec.candidateDepth) candidates to \(spec.k) (\(stage.label))")
    } else {
      table = deep
      undefendedReport = nil
    }
    cleanTable = table
    cleanReport = AccuracyReport(table: table, split: split, dataset: dataset)
    let counts = TopRCounts(
      table: table, truthLengths: truthLengths, trackCount: dataset.trackCount)
    cleanCounts = counts
    artistR0 = Self.perArtist(counts, dataset: dataset)
    artistR0Undefended = undefendedArtists
  }

  /// Per base artist: the top-R counts of its tracks, summed.
  static func perArtist(_ counts: TopRCounts, dataset: Dataset) -> [Int] {
    var a = [Int](repeating: 0, count: dataset.artistCount)
    for t in 0..<dataset.trackCount {
      a[Int(dataset.catalogue.trackArtist[t])] += Int(counts.counts[t])
    }
    return a
  }
}

extension FoldContext {
  /// Top-`k` for every context, with candidate counts where the model can be updated
  /// incrementally (the runner needs them to know which rows an update can change); other
  /// models use their own exact batch path and report k candidates per row.
  static func recommendAll(_ model: any Recommender, contexts: PlaylistStore, k: Int) -> (
    RecommendationTable, [Int]
  ) {
    if model is any IncrementalRecommender {
      let rows = model.recommendRows(of: contexts, k: k)
      return (rows.table, rows.candidateCounts)
    }
    return (model.recommendAll(contexts, k: k), [Int](repeating: k, count: contexts.count))
  }
}
