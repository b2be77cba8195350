// Everything a fold's runs share, computed once: the split, the training store and its
// frequencies, the clean model, its recommendations (with per-context candidate counts, to
// know which contexts an exact update can change), and the clean exposure figures.
import ChorusCore
import Evaluation
import PlaylistData
import Recommenders

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
  let cleanTable: RecommendationTable
  /// Per context: how many scored candidates it had (< K means the fallback filled it).
  let cleanCandidates: [Int]
  let cleanReport: AccuracyReport
  let cleanCounts: TopRCounts
  /// Per artist (base artists): clean R₀.
  let artistR0: [Int]

  init(
    dataset: Dataset, spec: ExperimentSpec, modelSpec: ModelSpec, fold: Int,
    progress: (String) -> Void
  ) throws {
    self.fold = fold
    split = try FoldSplit(store: dataset.playlists, config: spec.split, fold: fold)
    training = split.trainingStore(in: dataset.playlists)
    frequency = trackFrequencies(training, trackCount: dataset.trackCount)
    trainingEntries = training.entryCount
    progress("fold \(fold): training \(modelSpec.name) on \(training.count) playlists")
    model = try modelSpec.train(
      playlists: training, trackCount: dataset.trackCount, seed: split.seed)
    contexts = split.contexts(in: dataset.playlists)
    let split = self.split
    truthLengths = (0..<split.test.count).map {
      split.context(ofTest: $0, in: dataset.playlists).truth.count
    }
    progress("fold \(fold): clean recommendations for \(split.test.count) test playlists")
    let (table, candidates) = LabRecommend.all(model, contexts: contexts, k: spec.k)
    cleanTable = table
    cleanCandidates = candidates
    cleanReport = AccuracyReport(table: table, split: split, dataset: dataset)
    let counts = TopRCounts(
      table: table, truthLengths: truthLengths, trackCount: dataset.trackCount)
    cleanCounts = counts
    var a0 = [Int](repeating: 0, count: dataset.artistCount)
    for t in 0..<dataset.trackCount {
      a0[Int(dataset.catalogue.trackArtist[t])] += Int(counts.counts[t])
    }
    artistR0 = a0
  }
}

/// Batch recommendation that also reports candidate counts, and incremental recomputation
/// of only the contexts an exact update can have changed.
enum LabRecommend {
  /// All contexts; returns the table and per-context candidate counts.
  static func all(_ model: any Recommender, contexts: PlaylistStore, k: Int) -> (
    RecommendationTable, [Int]
  ) {
    if model is CoOccurrenceModel {
      return rows(model, contexts: contexts, k: k, rows: Array(0..<contexts.count), base: nil)
    }
    // Other models use their own (possibly dense, batched) exact path; candidate counts only
    // matter for incremental updates, which only the co-occurrence model has.
    return (model.recommendAll(contexts, k: k), [Int](repeating: k, count: contexts.count))
  }

  /// Recomputes `rows` and copies every other row from `base`.
  static func rows(
    _ model: any Recommender, contexts: PlaylistStore, k: Int, rows: [Int],
    base: RecommendationTable?
  ) -> (RecommendationTable, [Int]) {
    var items = base?.items ?? [Int32](repeating: -1, count: contexts.count * k)
    var candidates = [Int](repeating: -1, count: contexts.count)
    let trackCount = model.trackCount
    items.withUnsafeMutableBufferPointer { buf in
      let out = SendablePointer(buf.baseAddress!)
      let parts = Parallel.mapChunks(count: rows.count, chunkSize: 256) {
        _, range -> [(Int, Int)] in
        var acc = ScoreAccumulator(trackCount: trackCount)
        var counts: [(Int, Int)] = []
        for j in range {
          let r = rows[j]
          let row = UnsafeMutableBufferPointer(start: out.base + r * k, count: k)
          for i in 0..<k { row[i] = -1 }
          contexts.withPlaylist(r) { ctx in
            _ = model.recommend(ctx, k: k, acc: &acc, output: row)
          }
          counts.append((r, acc.lastCandidateCount))
        }
        return counts
      }
      for part in parts { for (r, c) in part { candidates[r] = c } }
    }
    return (RecommendationTable(k: k, items: items), candidates)
  }
}
