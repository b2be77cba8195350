// The library side of `chorus plant`: from a dataset, a fold split, a strategy, a collective
// size and a statistics spec to the manipulated dataset (collective playlists rewritten, s*
// appended to the catalogue), the edit log text and the quality of the estimate. Everything
// is validated and computed in memory first; this file writes nothing except on request.
import ChorusCore
import PlaylistData

extension CollectiveSize {
  /// The collective of `split` (a prefix of its `collectiveOrder`, so sizes are nested).
  /// - Throws: `ChorusError(.config)` for α outside (0, 1) or B out of range.
  public func collective(in split: FoldSplit) throws -> ArraySlice<Int> {
    switch self {
    case .budget(let b): return try split.collective(budget: b)
    case .alpha(let a): return try split.collective(alpha: a)
    }
  }

  /// B on `split`, unchecked: B itself, or max(1, round(α · |training|)).
  public func budget(in split: FoldSplit) -> Int {
    budget(trainingCount: split.training.count)
  }

  /// B on a training set of `trainingCount` playlists, unchecked: B itself, or
  /// max(1, round(α · trainingCount)).
  public func budget(trainingCount: Int) -> Int {
    switch self {
    case .budget(let b): return b
    case .alpha(let a): return FoldSplit.budget(alpha: a, trainingCount: trainingCount)
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
  public var statistics: EstimateSource
  /// The song s* (default: `chorus:target:0`, "Target song", its own new artist).
  public var target: TargetTrack

  /// A request; statistics default to full information, the target to `TargetTrack()`.
  public init(
    strategy: Strategy, size: CollectiveSize, statistics: EstimateSource = .full,
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
  public let estimate: FrequencyEstimate
  /// Per track (original catalogue): the true training frequency before planting.
  public let trueCounts: [Int32]
  /// How good f was, and the true frequencies of the chosen anchors.
  public let quality: EstimateQuality
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

/// A collective with s* planted, in memory: what `chorus plant` and the study runner both
/// need from one (collective, strategy, statistics) cell, computed by one function
/// (`PlantPipeline.plant`), so the two can never plant differently.
public struct PlantedCollective: Sendable {
  /// The collective's estimate f.
  public let estimate: FrequencyEstimate
  /// The placements: old/new collective playlists and the edit log.
  public let plant: PlantResult
  /// How good f was, and the true frequencies of the chosen anchors.
  public let quality: EstimateQuality
  /// Per track (original catalogue): the true training frequency before planting.
  public let trueCounts: [Int32]

  /// B, the number of playlists the collective controls.
  public var budget: Int { plant.collective.count }
}

/// The `chorus plant` pipeline as a library call, and its planting core shared with the
/// study runner.
public enum PlantPipeline {
  /// The planting core: the collective of `size` on `split`, the collective's statistics of
  /// `statistics`, s* (`target`, already in the catalogue the caller uses) placed by
  /// `strategy`, and the estimate's quality. Random choices use `split.seed`.
  ///
  /// Order of checks: collective size, split/dataset consistency, statistics; nothing is
  /// planted before all pass.
  /// - Parameters:
  ///   - store: every playlist of the dataset (`split` indexes it).
  ///   - catalogue: the dataset's catalogue without s* (statistics tables are matched by id).
  ///   - trueCounts: the training frequencies per track of `catalogue`, when the caller has
  ///     them already (else counted here).
  /// - Throws: `ChorusError` for α outside (0, 1), a budget beyond the eligible training
  ///   playlists, a split from another dataset, a bad statistics table (named by file and
  ///   line), or s* already in a collective playlist.
  /// - Complexity: O(entries of the training playlists + trackCount) when `trueCounts` is
  ///   nil; else O(entries of the collective + trackCount) for `.full` statistics.
  public static func plant(
    store: PlaylistStore, catalogue: Catalogue, split: FoldSplit, target: Int32,
    strategy: Strategy, statistics: EstimateSource, size: CollectiveSize,
    trueCounts: [Int32]? = nil
  ) throws -> PlantedCollective {
    try plant(
      store: store, catalogue: catalogue, split: split, target: target, strategy: strategy,
      statistics: statistics, members: size.collective(in: split), trueCounts: trueCounts)
  }

  /// The planting core for a collective given by its members (playlist indices of `store`,
  /// distinct eligible training playlists of `split`) instead of a size: what
  /// `plant(…size:…)` does once it has drawn the prefix of `split.collectiveOrder`, for
  /// callers that draw collectives otherwise (several collectives in one study).
  /// - Throws: as `plant(…size:…)`, without the size checks.
  public static func plant(
    store: PlaylistStore, catalogue: Catalogue, split: FoldSplit, target: Int32,
    strategy: Strategy, statistics: EstimateSource, members collective: ArraySlice<Int>,
    trueCounts: [Int32]? = nil
  ) throws -> PlantedCollective {
    guard split.training.count + split.test.count == store.count,
      (split.training.last ?? -1) < store.count, (split.test.max() ?? -1) < store.count
    else {
      throw ChorusError(
        .config,
        "the fold split does not match the dataset (\(store.count) playlists)",
        field: "fold", hint: "draw the split from this dataset")
    }
    let counts =
      trueCounts
      ?? SongCounts.count(in: store, playlists: split.training, trackCount: catalogue.trackCount)
    let estimate = try FrequencyEstimate.make(
      statistics, store: store, catalogue: catalogue, training: split.training,
      collective: collective, trueCounts: counts, seed: split.seed)
    let plant = try Planting.plant(
      strategy: strategy, store: store, collective: collective, target: target,
      statistics: estimate, seed: split.seed)
    let quality = EstimateQuality.evaluate(
      statistics: estimate, trueCounts: counts, store: store, collective: collective,
      edits: plant.edits)
    return PlantedCollective(
      estimate: estimate, plant: plant, quality: quality, trueCounts: counts)
  }

  /// Plants s* for one fold and returns the manipulated dataset, the edit log and reports.
  ///
  /// Order: target, then the checks of `plant(store:catalogue:split:…)` (collective size,
  /// split/dataset consistency, statistics), all before any planting; nothing is written.
  /// - Throws: `ChorusError` for a target that already exists, and what `plant` throws.
  /// - Complexity: O(entries of the dataset + trackCount), dominated by the true counts and
  ///   the copy of the whole store.
  public static func run(dataset: Dataset, split: FoldSplit, request: PlantRequest) throws
    -> PlantOutcome
  {
    let (catalogue, target) = try request.target.appended(to: dataset.catalogue)
    let planted = try plant(
      store: dataset.playlists, catalogue: dataset.catalogue, split: split, target: target,
      strategy: request.strategy, statistics: request.statistics, size: request.size)
    let csv = EditsCSV.text(
      edits: planted.plant.edits, pids: dataset.pids, catalogue: catalogue,
      trueCounts: planted.trueCounts, statistics: planted.estimate)
    let manipulated = Dataset(
      playlists: planted.plant.applied(to: dataset.playlists), pids: dataset.pids,
      names: dataset.names, catalogue: catalogue, warnings: dataset.warnings)
    return PlantOutcome(
      dataset: manipulated, plant: planted.plant, estimate: planted.estimate,
      trueCounts: planted.trueCounts, quality: planted.quality, editsCSV: csv)
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
