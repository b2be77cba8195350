// Shared data for the CollectiveAction tests: the hand-made golden dataset (a 4-playlist
// collective whose placements are computed by hand in PlantingGoldenTests) and helpers that
// run a strategy on seeded random data.
import ChorusCore
import ChorusTestSupport
import CollectiveAction
import PlaylistData

enum TestData {
  /// Nine playlists; the collective is P0…P3, the training set is all nine.
  ///
  /// Track ids (first seen): a0 b1 c2 d3 e4 f5 g6 h7 i8 j9 k10.
  /// True frequencies: a4 b3 c3 d4 e1 f3 g2 h2 i1 j1 k1.
  /// Collective counts c: b3 c3, every other collective song 1.
  static let golden = Fixtures.dataset([
    ["a", "b", "c", "d"],  // P0
    ["e", "c", "f", "b"],  // P1
    ["g", "c", "h"],  // P2
    ["i", "j", "b", "k"],  // P3
    ["a", "d", "f"],
    ["a", "d", "h"],
    ["d", "f"],
    ["g"],
    ["a"],
  ])
  static let goldenCollective: ArraySlice<Int> = [0, 1, 2, 3]
  static var goldenTraining: [Int] { Array(0..<golden.playlistCount) }
  static var goldenTarget: Int32 { Int32(golden.trackCount) }

  /// Full statistics of the golden dataset.
  static var goldenStatistics: FrequencyEstimate {
    FrequencyEstimate.full(
      store: golden.playlists, training: goldenTraining, trackCount: golden.trackCount)
  }

  /// Plants on the golden collective and returns the new playlists as letters, s* as "*".
  static func goldenPlant(
    _ strategy: Strategy, statistics: FrequencyEstimate? = nil
  ) throws -> [[String]] {
    let result = try Planting.plant(
      strategy: strategy, store: golden.playlists, collective: goldenCollective,
      target: goldenTarget, statistics: statistics ?? goldenStatistics, seed: 1)
    return letters(result.new)
  }

  static func letters(_ store: PlaylistStore) -> [[String]] {
    store.arrays.map { row in
      row.map { $0 == goldenTarget ? "*" : golden.catalogue.trackIDs[Int($0)] }
    }
  }

  /// A seeded random dataset with some short playlists (lengths 1…40).
  static let random = Fixtures.random(playlists: 900, tracks: 400, lengths: 1...40, seed: 11)
  /// Every third playlist.
  static let randomCollective: ArraySlice<Int> = ArraySlice(stride(from: 0, to: 900, by: 3))
  static var randomTraining: [Int] { Array(0..<random.playlistCount) }
  static var randomStatistics: FrequencyEstimate {
    FrequencyEstimate.full(
      store: random.playlists, training: randomTraining, trackCount: random.trackCount)
  }

  static func plantRandom(_ strategy: Strategy, seed: UInt64 = 5) throws -> PlantResult {
    try Planting.plant(
      strategy: strategy, store: random.playlists, collective: randomCollective,
      target: Int32(random.trackCount), statistics: randomStatistics, seed: seed)
  }

  /// c over the random collective.
  static var randomCollectiveCounts: [Int32] {
    SongCounts.count(
      in: random.playlists, playlists: randomCollective, trackCount: random.trackCount)
  }
}
