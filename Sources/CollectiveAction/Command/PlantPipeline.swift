// The library side of `chorus plant`: from a dataset, a fold split, a strategy, a collective
// size and a statistics spec to the manipulated dataset (collective playlists rewritten, s*
// appended to the catalogue), the edit log text and the quality of the estimate. Everything
// is validated and computed in memory first; this file writes nothing except on request.
import ChorusCore
import PlaylistData

/// How big the collective is: a number of playlists B, or a fraction α of the training set
/// (B = max(1, round(α · |training|)), Experiments/PROTOCOL.md §2).
public enum CollectiveSize: Sendable, Hashable, Codable {
  /// B playlists, 1 ≤ B ≤ the fold's eligible training playlists.
  case budget(Int)
  /// A fraction α ∈ (0, 1) of the training playlists.
  case alpha(Double)

  /// The collective of `split` (a prefix of its `collectiveOrder`, so sizes are nested).
  /// - Throws: `ChorusError(.config)` for α outside (0, 1) or B out of range.
  public func collective(in split: FoldSplit) throws -> ArraySlice<Int> {
    switch self {
    case .budget(let b): return try split.collective(budget: b)
    case .alpha(let a): return try split.collective(alpha: a)
    }
  }
}

/// What to plant and how.
public struct PlantRequest: Sendable, Hashable, Codable {
  /// Where s* goes.
  public var strategy: Strategy
  /// How many playlists the collective controls.
  public var size: CollectiveSize
  /// What the collective knows about song frequencies (default: full information, the
  /// study's main setting).
  public var statistics: StatisticsSpec
  /// The song s* (default: `chorus:target:0`, "Target song", its own new artist).
  public var target: TargetTrack

  /// A request; statistics default to full information, the target to `TargetTrack()`.
  public init(
    strategy: Strategy, size: CollectiveSize, statistics: StatisticsSpec = .full,
    target: TargetTrack = TargetTrack()
  ) {
    self.strategy = strategy
    self.size = size
    self.statistics = statistics
    self.target = target
  }
}

/// Everything `chorus plant` produces.
public struct PlantOutcome: Sendable {
  /// The whole dataset with the collective's playlists rewritten and s* appended to the
  /// catalogue (pids, names and every other playlist unchanged).
  public let dataset: Dataset
  /// The placements: old/new collective playlists and the edit log.
  public let plant: PlantResult
  /// The collective's estimate f.
  public let statistics: SongStatistics
  /// Per track (original catalogue): the true training frequency before planting.
  public let trueCounts: [Int32]
  /// How good f was, and the true frequencies of the chosen anchors.
  public let quality: StatisticsQuality
  /// The edit log as CSV text (see `EditsCSV`).
  public let editsCSV: String

  /// The id of s* in `dataset`.
  public var target: Int32 { plant.target }

  /// Writes `editsCSV` atomically to `path`.
  /// - Throws: `ChorusError(.io)`.
  public func writeEdits(to path: String) throws {
    try EditsCSV.write(editsCSV, to: path)
  }
}

/// The `chorus plant` pipeline as a library call.
public enum PlantPipeline {
  /// Plants s* for one fold and returns the manipulated dataset, the edit log and reports.
  ///
  /// Order: collective size, target, split/dataset consistency and statistics are checked
  /// before any planting; nothing is written.
  /// - Throws: `ChorusError` for α outside (0, 1), a budget beyond the eligible training
  ///   playlists, a split from another dataset, a target that already exists, or a bad
  ///   statistics table (named by file and line).
  /// - Complexity: O(entries of the dataset + trackCount), dominated by the true counts and
  ///   the copy of the whole store.
  public static func run(dataset: Dataset, split: FoldSplit, request: PlantRequest) throws
    -> PlantOutcome
  {
    let collective = try request.size.collective(in: split)
    let (catalogue, target) = try request.target.appended(to: dataset.catalogue)
    let store = dataset.playlists
    guard split.training.count + split.test.count == store.count,
      (split.training.last ?? -1) < store.count, (split.test.max() ?? -1) < store.count
    else {
      throw ChorusError(
        .config,
        "the fold split does not match the dataset (\(store.count) playlists)",
        field: "fold", hint: "draw the split from this dataset")
    }
    let trueCounts = SongCounts.count(
      in: store, playlists: split.training, trackCount: dataset.trackCount)
    let statistics = try SongStatistics.make(
      request.statistics, store: store, catalogue: dataset.catalogue, training: split.training,
      collective: collective, trueCounts: trueCounts, seed: split.seed)
    let plant = try Planting.plant(
      strategy: request.strategy, store: store, collective: collective, target: target,
      statistics: statistics, seed: split.seed)
    let quality = StatisticsQuality.evaluate(
      statistics: statistics, trueCounts: trueCounts, store: store, collective: collective,
      edits: plant.edits)
    let csv = EditsCSV.text(
      edits: plant.edits, pids: dataset.pids, catalogue: catalogue, trueCounts: trueCounts,
      statistics: statistics)
    let manipulated = Dataset(
      playlists: plant.applied(to: store), pids: dataset.pids, names: dataset.names,
      catalogue: catalogue, warnings: dataset.warnings)
    return PlantOutcome(
      dataset: manipulated, plant: plant, statistics: statistics, trueCounts: trueCounts,
      quality: quality, editsCSV: csv)
  }

  /// Draws fold `fold` of `dataset` under `config`, then runs `run(dataset:split:request:)`.
  /// - Throws: also `ChorusError(.config, field: "fold")` for a fold out of range.
  /// - Complexity: as `run`, plus O(playlists) for the split.
  public static func run(
    dataset: Dataset, config: SplitConfig, fold: Int, request: PlantRequest
  ) throws -> PlantOutcome {
    let split = try FoldSplit(store: dataset.playlists, config: config, fold: fold)
    return try run(dataset: dataset, split: split, request: request)
  }
}
