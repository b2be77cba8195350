// Accuracy of a whole recommendation table on a fold's test contexts: per test playlist,
// overall means, and means per seed-length block (1…10 seed tracks), as the study reports.
import ChorusCore
import PlaylistData
import Recommenders

/// Accuracy of one model on one fold.
public struct AccuracyReport: Sendable, Codable, Equatable {
  /// Per test playlist, in the order of `FoldSplit.test`.
  public var perPlaylist: [PlaylistMetrics]
  /// Means over all test playlists.
  public var overall: PlaylistMetrics
  /// Means per seed length: index b holds seed length b + 1.
  public var perSeedLength: [PlaylistMetrics]

  /// Scores `table` (row i = test playlist i of `split`) against the held-out tracks.
  /// - Complexity: O(test playlists × K), in parallel.
  public init(table: RecommendationTable, split: FoldSplit, dataset: Dataset) {
    precondition(table.rows == split.test.count, "one row per test playlist")
    let store = dataset.playlists
    var artistOf = dataset.catalogue.trackArtist
    var artistCount = dataset.artistCount
    // Tracks added after the catalogue (a target) get their own artist.
    let maxTrack = Int(table.items.max() ?? -1)
    if maxTrack >= artistOf.count {
      for _ in artistOf.count...maxTrack {
        artistOf.append(Int32(artistCount))
        artistCount += 1
      }
    }
    let chunks = Parallel.mapChunks(count: split.test.count, chunkSize: 256) {
      [artistOf, artistCount] _, range in
      var scratch = MetricsScratch(artistOf: artistOf, artistCount: artistCount)
      return range.map { i in
        scratch.compute(recs: table[i], truth: split.context(ofTest: i, in: store).truth)
      }
    }
    perPlaylist = chunks.flatMap { $0 }
    let n = Double(perPlaylist.count)
    overall = perPlaylist.reduce(PlaylistMetrics.zero, +).scaled(by: 1 / n)
    var blocks: [PlaylistMetrics] = []
    let size = split.blockSize
    for b in 0..<SplitConfig.blockCount {
      let slice = perPlaylist[(b * size)..<((b + 1) * size)]
      blocks.append(slice.reduce(PlaylistMetrics.zero, +).scaled(by: 1 / Double(size)))
    }
    perSeedLength = blocks
  }
}

extension FoldSplit {
  /// The seed contexts of all test playlists as a CSR store (row i = test playlist i).
  public func contexts(in store: PlaylistStore) -> PlaylistStore {
    var b = PlaylistStoreBuilder(dedup: false)
    for i in 0..<test.count { b.append(context(ofTest: i, in: store).seed) }
    return b.finish()
  }

  /// The training playlists as a CSR store (row j = `training[j]`).
  public func trainingStore(in store: PlaylistStore) -> PlaylistStore { store.subset(training) }
}
