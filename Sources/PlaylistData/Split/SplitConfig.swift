// Settings of the train/test protocol (Experiments/PROTOCOL.md §2): who is eligible, how big the
// test set is, how many folds, and the base seed. A typed, Codable config with documented defaults.
import ChorusCore

/// How playlists are split into training and test sets, fold by fold.
public struct SplitConfig: Sendable, Codable, Equatable {
  /// A playlist is eligible (for the test set and the collective) when it has MORE than this
  /// many distinct tracks. 20, as in the study: leaves ≥ 11 held-out tracks at seed length 10.
  public var minTracks: Int = 20
  /// Test playlists per fold; nil = min(10,000, 5% of eligible), rounded down to a multiple
  /// of 10. The study used 10,000 on the MPD.
  public var testSize: Int? = nil
  /// Number of folds (the study: 5).
  public var folds: Int = 5
  /// Base seed; fold k uses seed + k.
  public var seed: UInt64 = 0

  public init(minTracks: Int = 20, testSize: Int? = nil, folds: Int = 5, seed: UInt64 = 0) {
    self.minTracks = minTracks
    self.testSize = testSize
    self.folds = folds
    self.seed = seed
  }

  /// Number of seed-length blocks of the test set (seed contexts of 1…10 tracks).
  public static let blockCount = 10

  /// The test-set size for `eligible` eligible playlists; throws when it is impossible.
  public func resolvedTestSize(eligible: Int) throws -> Int {
    if let testSize {
      guard testSize > 0, testSize % SplitConfig.blockCount == 0 else {
        throw ChorusError(
          .config, "test size \(testSize) must be a positive multiple of 10", field: "testSize",
          hint: "the test set comes in 10 equal blocks (seed lengths 1…10)")
      }
      guard testSize < eligible else {
        throw ChorusError(
          .config,
          "test size \(testSize) needs more eligible playlists than the \(eligible) there are",
          field: "testSize",
          hint: "lower the test size or minTracks, or use a larger dataset")
      }
      return testSize
    }
    let size = min(10_000, eligible / 20) / 10 * 10
    guard size >= 10, eligible >= 2 * size else {
      throw ChorusError(
        .data,
        "too few eligible playlists (\(eligible) with more than \(minTracks) tracks) for a test set",
        hint: "use a larger dataset (at least 200 eligible playlists) or lower minTracks")
    }
    return size
  }

  /// Validates the fields that do not depend on data.
  public func validate() throws {
    guard folds >= 1 else {
      throw ChorusError(.config, "folds must be at least 1 (got \(folds))", field: "folds")
    }
    guard minTracks >= SplitConfig.blockCount else {
      throw ChorusError(
        .config, "minTracks must be at least 10 (got \(minTracks))", field: "minTracks",
        hint: "test playlists need ground truth beyond the longest seed (10 tracks)")
    }
  }
}
