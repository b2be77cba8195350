// The platform's cost (Experiments/PROTOCOL.md §6): loss = metric(with collective) − metric(clean),
// plus two bounds. Adversarial: wherever s* lands in top_R, the clean list loses its first relevant
// track. Optimistic: s* counts as relevant — it is replaced by the first held-out track missing
// from the list.
import ChorusCore
import PlaylistData
import Recommenders

/// Accuracy of the manipulated model and the two bounds, with losses against clean.
public struct AccuracyLoss: Sendable, Codable, Equatable {
  public var clean: PlaylistMetrics
  public var manipulated: PlaylistMetrics
  public var adversarial: PlaylistMetrics
  public var optimistic: PlaylistMetrics

  /// manipulated − clean.
  public var loss: PlaylistMetrics { manipulated + clean.scaled(by: -1) }
  public var adversarialLoss: PlaylistMetrics { adversarial + clean.scaled(by: -1) }
  public var optimisticLoss: PlaylistMetrics { optimistic + clean.scaled(by: -1) }

  /// - Parameter cleanReport: the clean model's per-playlist metrics (cached per fold).
  public init(
    cleanReport: AccuracyReport, manipulated table: RecommendationTable,
    clean cleanTable: RecommendationTable, target: Int32, split: FoldSplit, dataset: Dataset
  ) {
    let store = dataset.playlists
    var artistOf = dataset.catalogue.trackArtist
    var artistCount = dataset.artistCount
    while artistOf.count <= Int(target) {
      artistOf.append(Int32(artistCount))
      artistCount += 1
    }
    let n = split.test.count
    let parts = Parallel.mapChunks(count: n, chunkSize: 256) {
      [artistOf, artistCount] _, range -> (PlaylistMetrics, PlaylistMetrics, PlaylistMetrics) in
      var scratch = MetricsScratch(artistOf: artistOf, artistCount: artistCount)
      var m = PlaylistMetrics.zero
      var adv = PlaylistMetrics.zero
      var opt = PlaylistMetrics.zero
      for i in range {
        let truth = split.context(ofTest: i, in: store).truth
        let row = table[i]
        let manipulatedMetrics = scratch.compute(recs: row, truth: truth)
        m = m + manipulatedMetrics
        let window = min(truth.count, table.k)
        guard let pos = row.firstIndex(of: target), pos - row.startIndex < window else {
          adv = adv + cleanReport.perPlaylist[i]
          opt = opt + manipulatedMetrics
          continue
        }
        // Adversarial: the clean list without its first relevant track.
        var cleanRow = Array(cleanTable[i])
        let truthSet = Set(truth)
        if let first = cleanRow.firstIndex(where: { truthSet.contains($0) }) {
          cleanRow[first] = -1
        }
        adv = adv + scratch.compute(recs: ArraySlice(cleanRow), truth: truth)
        // Optimistic: s* replaced by the first held-out track missing from the list.
        var optRow = Array(row)
        let listed = Set(row)
        if let missing = truth.first(where: { !listed.contains($0) }) {
          optRow[pos - row.startIndex] = missing
        }
        opt = opt + scratch.compute(recs: ArraySlice(optRow), truth: truth)
      }
      return (m, adv, opt)
    }
    let scale = 1 / Double(n)
    clean = cleanReport.overall
    manipulated = parts.reduce(PlaylistMetrics.zero) { $0 + $1.0 }.scaled(by: scale)
    adversarial = parts.reduce(PlaylistMetrics.zero) { $0 + $1.1 }.scaled(by: scale)
    optimistic = parts.reduce(PlaylistMetrics.zero) { $0 + $1.2 }.scaled(by: scale)
  }
}
