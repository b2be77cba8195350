// The trivial baseline (Experiments/PROTOCOL.md §5): recommend the most frequent training tracks,
// the same list for every context (minus the seed). Every real model must beat it clearly.
import ChorusCore

/// Most-popular recommender: frequency = number of training playlists containing a track.
public struct PopularityModel: Recommender {
  public let trackCount: Int
  /// Per track: training playlists containing it. Length trackCount.
  public let frequency: [Int32]
  public let fallbackOrder: [Int32]

  /// Trains on `playlists` (dense ids below `trackCount`).
  /// - Complexity: O(entries + trackCount log trackCount).
  public init(playlists: PlaylistStore, trackCount: Int) {
    self.trackCount = trackCount
    frequency = trackFrequencies(playlists, trackCount: trackCount)
    fallbackOrder = popularityOrder(frequency)
  }

  public func score(context: UnsafeBufferPointer<Int32>, into acc: inout ScoreAccumulator) {
    // No scores: the fallback order is the whole answer.
  }
}

/// Per track, the number of playlists containing it (`PlaylistStore.trackFrequencies`).
public func trackFrequencies(_ playlists: PlaylistStore, trackCount: Int) -> [Int32] {
  playlists.trackFrequencies(trackCount: trackCount)
}

/// Track ids with frequency > 0 ranked by frequency descending, ties by lower id.
public func popularityOrder(_ frequency: [Int32]) -> [Int32] {
  var ids = (0..<Int32(frequency.count)).filter { frequency[Int($0)] > 0 }
  ids.sort { a, b in
    let fa = frequency[Int(a)]
    let fb = frequency[Int(b)]
    return fa > fb || (fa == fb && a < b)
  }
  return ids
}
