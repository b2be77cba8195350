// What the collective believes about training frequencies (Experiments/PROTOCOL.md §4): one
// estimate per track, NaN where it knows nothing. Built from full counts, a seeded sample of
// playlists, a user table (FrequencyEstimate+Table.swift) or a noisy proxy of the truth. It never
// changes the data; Planting reads it and EstimateQuality scores it against the truth.
import ChorusCore
import Foundation

/// The collective's estimate f of every track's training frequency (Baumann &
/// Mendler-Dünner 2024 study full knowledge, samples of 10% and 1%, and scraped counts).
public struct FrequencyEstimate: Sendable, Equatable {
  /// The source of the estimate.
  public let source: EstimateSource
  /// Per track (catalogue id): the estimate f, ≥ 0; `.nan` = unknown. Length = trackCount,
  /// Double (a table may hold counts beyond Int32). Only the order of values matters to the
  /// strategies; sample counts are not rescaled.
  public let estimates: [Double]
  /// Number of tracks with a known estimate.
  public let knownCount: Int
  /// For `full` and `sample`: the number of playlists counted; nil otherwise.
  public let playlistsCounted: Int?
  /// For `table`: how the rows of the file were used; nil otherwise.
  public let table: TableSummary?

  /// Wraps precomputed estimates (`.nan` = unknown).
  /// - Complexity: O(trackCount).
  public init(
    source: EstimateSource, estimates: [Double], playlistsCounted: Int? = nil,
    table: TableSummary? = nil
  ) {
    self.source = source
    self.estimates = estimates
    self.knownCount = estimates.reduce(0) { $0 + ($1.isNaN ? 0 : 1) }
    self.playlistsCounted = playlistsCounted
    self.table = table
  }

  /// Number of tracks covered (the catalogue size the estimate was built for).
  public var trackCount: Int { estimates.count }

  /// The estimate of track `t`, or nil when the collective does not know it.
  public func estimate(of t: Int32) -> Double? {
    let v = estimates[Int(t)]
    return v.isNaN ? nil : v
  }

  // MARK: - Builders

  /// Full information: f = `trueCounts`.
  /// - Complexity: O(trackCount).
  public static func full(trueCounts: [Int32]) -> FrequencyEstimate {
    FrequencyEstimate(
      source: .full, estimates: trueCounts.map { Double($0) }, playlistsCounted: nil)
  }

  /// Full information counted over `training`.
  /// - Complexity: O(entries of the training playlists + trackCount).
  public static func full(store: PlaylistStore, training: [Int], trackCount: Int)
    -> FrequencyEstimate
  {
    let counts = SongCounts.count(in: store, playlists: training, trackCount: trackCount)
    return FrequencyEstimate(
      source: .full, estimates: counts.map { Double($0) }, playlistsCounted: training.count)
  }

  /// Partial information: counts over the `collective` plus ⌈q · n⌉ playlists drawn
  /// uniformly without replacement from the n training playlists outside the collective,
  /// with the stream (seed, "statistics.sample"). q = 1 gives exactly the full counts.
  /// - Complexity: O(|training| + entries counted + trackCount).
  public static func sample(
    fraction q: Double, store: PlaylistStore, training: [Int], collective: ArraySlice<Int>,
    trackCount: Int, seed: UInt64
  ) -> FrequencyEstimate {
    precondition(q >= 0 && q <= 1, "sample fraction outside [0, 1]")
    var inCollective = [Bool](repeating: false, count: store.count)
    for p in collective { inCollective[p] = true }
    var others: [Int] = []
    others.reserveCapacity(training.count)
    for p in training where !inCollective[p] { others.append(p) }
    let take = min(others.count, Int((q * Double(others.count)).rounded(.up)))
    // Partial Fisher–Yates: the first `take` slots become the sample.
    var rng = RandomStream(seed: seed, component: "statistics.sample")
    for i in 0..<take {
      others.swapAt(i, i + rng.nextInt(below: others.count - i))
    }
    var counted = Array(collective)
    counted.append(contentsOf: others[0..<take])
    let counts = SongCounts.count(in: store, playlists: counted, trackCount: trackCount)
    return FrequencyEstimate(
      source: .sample(fraction: q), estimates: counts.map { Double($0) },
      playlistsCounted: counted.count)
  }

  /// Tracks per random stream of the proxy: the noise of track t comes from stream
  /// t / proxyChunk, so it does not depend on the thread count.
  static let proxyChunk = 1 << 16

  /// A simulated public popularity signal **[lab]**: f(t) = trueCounts[t] · exp(σ·Z_t) with
  /// Z_t ~ N(0, 1) from the streams (seed, "statistics.proxy", t / 65536). σ = 0 gives the
  /// truth exactly. Values that overflow are capped at the largest finite Double.
  /// - Complexity: O(trackCount), split over the worker threads.
  public static func proxy(sigma: Double, trueCounts: [Int32], seed: UInt64) -> FrequencyEstimate {
    precondition(sigma >= 0 && sigma.isFinite, "sigma must be finite and ≥ 0")
    let n = trueCounts.count
    if n == 0 { return FrequencyEstimate(source: .proxy(sigma: sigma), estimates: []) }
    let estimates = [Double](unsafeUninitializedCapacity: n) { buffer, initialized in
      let out = SendablePointer(buffer.baseAddress!)
      Parallel.forEachChunk(count: n, chunkSize: proxyChunk) { chunk, range in
        var rng = RandomStream(seed: seed, component: "statistics.proxy", chunk: UInt64(chunk))
        trueCounts.withUnsafeBufferPointer { counts in
          for t in range {
            let noise = sigma == 0 ? 1 : exp(sigma * rng.nextGaussian())
            let v = Double(counts[t]) * noise
            (out.base + t).initialize(to: v.isFinite ? v : .greatestFiniteMagnitude)
          }
        }
      }
      initialized = n
    }
    return FrequencyEstimate(source: .proxy(sigma: sigma), estimates: estimates)
  }

  /// Builds the estimate that `source` names.
  ///
  /// - Parameters:
  ///   - trueCounts: the full training counts when already computed (reused by `full` and
  ///     `proxy`); computed from `training` when nil.
  ///   - seed: the fold seed; `sample` and `proxy` derive their streams from it.
  /// - Throws: the table reader's `ChorusError`s (missing file, bad rows).
  /// - Complexity: see the builders; `table` is O(file size + catalogue bytes).
  public static func make(
    _ source: EstimateSource, store: PlaylistStore, catalogue: Catalogue, training: [Int],
    collective: ArraySlice<Int>, trueCounts: [Int32]? = nil, seed: UInt64
  ) throws -> FrequencyEstimate {
    let trackCount = catalogue.trackCount
    func truth() -> [Int32] {
      trueCounts ?? SongCounts.count(in: store, playlists: training, trackCount: trackCount)
    }
    switch source {
    case .full:
      return FrequencyEstimate(
        source: .full, estimates: truth().map { Double($0) }, playlistsCounted: training.count)
    case .sample(let q):
      return sample(
        fraction: q, store: store, training: training, collective: collective,
        trackCount: trackCount, seed: seed)
    case .table(let path):
      return try table(path: path, catalogue: catalogue)
    case .proxy(let sigma):
      return proxy(sigma: sigma, trueCounts: truth(), seed: seed)
    }
  }
}
