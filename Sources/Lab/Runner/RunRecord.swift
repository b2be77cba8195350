// What one run of a study leaves on disk: every measure of one (fold, strategy, size,
// statistics) cell, and per fold the clean model's figures. Records are written atomically
// as runs finish; the final CSVs are assembled from them in a fixed order, which is what
// makes resume and shard merging byte-identical to an uninterrupted run.
import ChorusCore
import CollectiveAction
import Defences
import Evaluation

/// Identifies a run within a spec by indices into its lists (`strategies`, `sizes`,
/// `statistics`); the values themselves are the spec's.
public struct RunKey: Sendable, Hashable, Codable, Comparable {
  public var fold: Int
  /// Index into `ExperimentSpec.strategies`.
  public var strategyIndex: Int
  /// Index into `ExperimentSpec.sizes`.
  public var sizeIndex: Int
  /// Index into `ExperimentSpec.statistics` (the collective's statistics sources).
  public var statisticsIndex: Int

  public init(fold: Int, strategyIndex: Int, sizeIndex: Int, statisticsIndex: Int) {
    self.fold = fold
    self.strategyIndex = strategyIndex
    self.sizeIndex = sizeIndex
    self.statisticsIndex = statisticsIndex
  }

  /// File name stem, e.g. "run-f0-s1-n3-q0".
  public var id: String { "run-f\(fold)-s\(strategyIndex)-n\(sizeIndex)-q\(statisticsIndex)" }

  public static func < (a: RunKey, b: RunKey) -> Bool {
    (a.fold, a.strategyIndex, a.sizeIndex, a.statisticsIndex)
      < (b.fold, b.strategyIndex, b.sizeIndex, b.statisticsIndex)
  }
}

/// One song's row of songs.csv.
public struct SongRow: Sendable, Codable, Equatable {
  public var track: String
  public var category: String
  public var frequency: Int
  public var r0: Int
  public var r: Int
}

/// One artist's row of artists.csv.
public struct ArtistRow: Sendable, Codable, Equatable {
  public var artist: String
  public var r0: Int
  public var r: Int
}

/// Every measure of one run.
public struct RunRecord: Sendable, Codable, Equatable {
  public var key: RunKey
  public var strategy: String
  public var statistics: String
  /// The collective size as the spec gives it (α or B); the CSVs' `size_kind` and `size`.
  public var size: CollectiveSize
  /// The fold's training playlists (the base of α).
  public var trainingPlaylists: Int
  public var target: TargetMeasures
  public var accuracy: AccuracyLoss
  public var quality: EstimateQuality
  public var directAnchors: Int
  public var indirectAnchors: Int
  public var bins: [FrequencyBinSummary]
  public var songs: [SongRow]
  public var artists: [ArtistRow]
  public var lorenzWith: Concentration
  public var lorenzGained: Concentration
  /// Playlists whose recommendations were recomputed (exact update) or all (retrain).
  public var recomputedContexts: Int
  /// Wall time of the run; recorded, never part of the CSVs.
  public var seconds: Double
  /// How well the spec's detection stage found the collective; nil without one (and then
  /// absent from the record file, so records of studies without it are unchanged).
  public var detection: DetectionMetrics? = nil
  /// With a re-ranking stage: the fold's clean accuracy without it and how many shown lists
  /// were shorter than K; nil (and absent from the record file) without one.
  public var reranking: RerankingMeasures? = nil
  /// The measures behind the appendix figures (AppendixMeasures); nil in records of older
  /// versions, whose folders then get no appendix CSVs.
  public var appendix: AppendixMeasures? = nil
  /// "fine-tune:E" when the model with the collective was the fold's clean model fine-tuned
  /// E epochs (spec `retraining`); nil when retrained or updated exactly (then absent).
  public var retraining: String? = nil

  /// B, the collective's playlists: `size` on the fold's training set.
  public var budget: Int { size.budget(trainingCount: trainingPlaylists) }
  /// The realised α = B / training playlists (differs from a spec's α by the rounding of B).
  public var alpha: Double { Double(budget) / Double(trainingPlaylists) }
}

/// What a run records about its re-ranking stage.
public struct RerankingMeasures: Sendable, Codable, Equatable {
  /// The fold's clean accuracy on the first K candidates, i.e. without the stage; the run's
  /// `accuracy.clean` is with it, so the honest users' cost is the difference.
  public var cleanUndefended: PlaylistMetrics
  /// Shown lists (with the collective) shorter than K: the re-ranker ran out of candidates
  /// that keep its rule (artist diversity, a cold-track cap), so a deeper candidate list would
  /// fill them.
  public var shortLists: Int
}

/// The clean model's figures of one fold.
public struct FoldRecord: Sendable, Codable, Equatable {
  public var fold: Int
  public var seed: UInt64
  public var trainingPlaylists: Int
  public var trainingEntries: Int
  public var eligibleForCollective: Int
  public var testPlaylists: Int
  public var clean: AccuracyReportSummary
  public var cloud: [ReferenceCloud.Bin]
  public var lorenzClean: Concentration
  /// A fixed sample of songs for the frequency scatter (nil in records of older versions).
  public var cloudPoints: [CloudPoint]? = nil
  public var seconds: Double
  /// With a re-ranking stage: the concentration of the clean model's lists without it (nil
  /// otherwise, and then absent from the record, which stays as before).
  public var lorenzCleanUndefended: Concentration? = nil
}

/// One song of the clean model's frequency scatter: training frequency and recommendations.
public struct CloudPoint: Sendable, Codable, Equatable {
  public var track: String
  public var frequency: Int
  public var recommendations: Int
}

/// The dataset's shape for the report: histograms of track frequencies (powers-of-two bins)
/// and playlist lengths, over the whole dataset.
public struct DatasetShape: Sendable, Codable, Equatable {
  public struct Bin: Sendable, Codable, Equatable {
    public var low: Int
    public var high: Int
    public var count: Int
  }
  /// Tracks per frequency bin [2^b, 2^(b+1) − 1] (frequency = playlists containing the track).
  public var trackFrequencies: [Bin]
  /// Playlists per length.
  public var playlistLengths: [Bin]

  public init(playlists: PlaylistStore, trackCount: Int) {
    var freq = [Int32](repeating: 0, count: trackCount)
    for x in playlists.tracks { freq[Int(x)] += 1 }
    var bins: [Int: Int] = [:]
    for f in freq where f > 0 { bins[FrequencyBins.bin(of: Int(f)), default: 0] += 1 }
    trackFrequencies = bins.keys.sorted().map { b in
      let (lo, hi) = FrequencyBins.range(of: b)
      return Bin(low: lo, high: hi, count: bins[b]!)
    }
    var lengths: [Int: Int] = [:]
    for p in 0..<playlists.count {
      lengths[playlists.offsets[p + 1] - playlists.offsets[p], default: 0] += 1
    }
    playlistLengths = lengths.keys.sorted().map { Bin(low: $0, high: $0, count: lengths[$0]!) }
  }
}

/// The per-seed-length and overall accuracy of the clean model (without per-playlist rows).
public struct AccuracyReportSummary: Sendable, Codable, Equatable {
  public var overall: PlaylistMetrics
  public var perSeedLength: [PlaylistMetrics]
}
