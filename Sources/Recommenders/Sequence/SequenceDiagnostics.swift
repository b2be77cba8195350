// What a vector model does to rare tracks: the norms and mean pairwise cosines of rare and
// of frequent tracks' vectors, and how alike the query after a single rare track is across
// rare tracks. One candidate mechanism for DirLoF in the study's model class: ALS gives
// every rare track a near-zero, hence similar, vector, so that whatever follows one rare
// track is learned to follow them all. These numbers say whether that happens here.
import ChorusCore

/// Norms and cosines of one group of tracks (rare or frequent).
public struct VectorGroupStats: Codable, Sendable, Equatable {
  /// Tracks measured (the group, or an evenly spaced sample of it).
  public var tracks: Int
  /// Mean Euclidean norm of their vectors.
  public var meanNorm: Double
  /// Mean cosine over all pairs of their vectors (a zero vector has cosine 0 with any).
  public var meanCosine: Double
  /// Mean norm of the query of a context holding only the track.
  public var queryMeanNorm: Double
  /// Mean cosine over all pairs of those queries: near 1 when the model answers every
  /// one-track context of the group with (nearly) the same representation.
  public var queryMeanCosine: Double
  /// The same after subtracting the mean query of both groups (the part every one-track
  /// query shares, such as a position embedding): near 1 when the group's queries are
  /// alike beyond what all queries share. Only meaningful when both groups' queries have
  /// comparable norms: queries much shorter than that mean all centre to about −mean, so
  /// their centred cosine is near 1 whatever their directions.
  public var queryCenteredCosine: Double
}

/// Rare versus frequent tracks in a track table and its model's one-track queries.
public struct SequenceDiagnostics: Codable, Sendable, Equatable {
  /// Rare: seen in training, in at most this many training playlists.
  public var rareMaxFrequency: Int
  /// Frequent: the most frequent tracks (ties by id); the least frequent of them has this
  /// frequency.
  public var frequentMinFrequency: Int
  /// Tracks seen in training that are rare (before sampling).
  public var rareCount: Int
  /// The rare tracks measured.
  public var rare: VectorGroupStats
  /// The frequent tracks measured.
  public var frequent: VectorGroupStats

  /// Measures `table` (row-major, frequency.count × dim) and `query` (the representation a
  /// model builds for the one-track context `[t]`, dim floats, nil when it has none).
  /// Each group holds at most `sample` tracks: rare ones evenly spaced in id order, the
  /// `sample` most frequent ones. O(sample² × dim) plus `2 × sample` queries.
  public init(
    table: [Float], dim: Int, frequency: [Int32], rareMaxFrequency: Int = 2, sample: Int = 300,
    query: (Int32) -> [Float]?
  ) {
    precondition(dim > 0 && table.count == frequency.count * dim, "table must be tracks × dim")
    precondition(rareMaxFrequency >= 1 && sample >= 2)
    let seen = (0..<Int32(frequency.count)).filter { frequency[Int($0)] > 0 }
    let rareAll = seen.filter { frequency[Int($0)] <= rareMaxFrequency }
    let step = max(1, rareAll.count / sample)
    let rare = Array(
      stride(from: 0, to: rareAll.count, by: step).map { rareAll[$0] }.prefix(sample))
    let byFrequency = seen.sorted {
      frequency[Int($0)] > frequency[Int($1)]
        || (frequency[Int($0)] == frequency[Int($1)] && $0 < $1)
    }
    let frequent = Array(byFrequency.prefix(sample))
    func vectors(_ ids: [Int32]) -> [[Float]] {
      ids.map { Array(table[(Int($0) * dim)..<(Int($0) * dim + dim)]) }
    }
    let rareQueries = rare.compactMap(query)
    let frequentQueries = frequent.compactMap(query)
    let all = rareQueries + frequentQueries
    var center = [Float](repeating: 0, count: all.first?.count ?? 0)
    for q in all {
      for d in 0..<center.count { center[d] += q[d] / Float(all.count) }
    }
    func stats(_ ids: [Int32], _ q: [[Float]]) -> VectorGroupStats {
      let v = vectors(ids)
      return VectorGroupStats(
        tracks: ids.count, meanNorm: Self.meanNorm(v), meanCosine: Self.meanPairwiseCosine(v),
        queryMeanNorm: Self.meanNorm(q), queryMeanCosine: Self.meanPairwiseCosine(q),
        queryCenteredCosine: Self.meanPairwiseCosine(
          q.map { row in zip(row, center).map { $0 - $1 } }))
    }
    self.rareMaxFrequency = rareMaxFrequency
    self.frequentMinFrequency = frequent.last.map { Int(frequency[Int($0)]) } ?? 0
    self.rareCount = rareAll.count
    self.rare = stats(rare, rareQueries)
    self.frequent = stats(frequent, frequentQueries)
  }

  /// A trained sequence model: its embedding table and its queries.
  public init(model: SequenceModel, rareMaxFrequency: Int = 2, sample: Int = 300) {
    self.init(
      table: model.embeddings, dim: model.config.dim, frequency: model.frequency,
      rareMaxFrequency: rareMaxFrequency, sample: sample
    ) { model.contextVector([$0]) }
  }

  /// An ALS model: its item factors, queried as the mean of the seeds' factors (the factor
  /// itself for one track), as the MF baseline and the sequence models' ALS start.
  public init(als model: ALSModel, rareMaxFrequency: Int = 2, sample: Int = 300) {
    let dim = model.config.factors
    self.init(
      table: (0..<Int32(model.trackCount)).flatMap { model.itemFactor($0) }, dim: dim,
      frequency: model.frequency, rareMaxFrequency: rareMaxFrequency, sample: sample
    ) { model.contextVector([$0]) }
  }

  /// The table a sequence model with `config` starts from on `playlists` (ALS item factors
  /// or seeded Gaussians, as training does), measured with the `mean` query (the vector
  /// itself for one track).
  public static func initial(
    playlists: PlaylistStore, trackCount: Int, config: SequenceConfig, rareMaxFrequency: Int = 2,
    sample: Int = 300
  ) throws -> SequenceDiagnostics {
    let table = try SequenceTraining.initialTable(
      playlists: playlists, trackCount: trackCount, config: config)
    let dim = config.dim
    return SequenceDiagnostics(
      table: table, dim: dim, frequency: trackFrequencies(playlists, trackCount: trackCount),
      rareMaxFrequency: rareMaxFrequency, sample: sample
    ) { Array(table[(Int($0) * dim)..<(Int($0) * dim + dim)]) }
  }

  /// A small Markdown table: one row per group.
  public var markdownTable: String {
    func f(_ x: Double) -> String { String(format: "%.4f", x) }
    func row(_ name: String, _ s: VectorGroupStats) -> String {
      "| \(name) | \(s.tracks) | \(f(s.meanNorm)) | \(f(s.meanCosine)) | \(f(s.queryMeanNorm)) | \(f(s.queryMeanCosine)) | \(f(s.queryCenteredCosine)) |"
    }
    return [
      "| tracks | measured | mean norm | mean pairwise cosine | query norm | query pairwise cosine | centred query cosine |",
      "|---|---:|---:|---:|---:|---:|---:|",
      row("rare (≤ \(rareMaxFrequency) playlists; \(rareCount) in all)", rare),
      row("frequent (≥ \(frequentMinFrequency) playlists)", frequent),
    ].joined(separator: "\n")
  }

  static func meanNorm(_ v: [[Float]]) -> Double {
    guard !v.isEmpty else { return 0 }
    return v.map { norm($0) }.reduce(0, +) / Double(v.count)
  }

  static func norm(_ x: [Float]) -> Double {
    x.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
  }

  /// Mean of cos(a, b) over unordered pairs (0 for a pair with a zero vector; 0 when fewer
  /// than two vectors).
  static func meanPairwiseCosine(_ v: [[Float]]) -> Double {
    guard v.count >= 2 else { return 0 }
    let norms = v.map { norm($0) }
    var total = 0.0
    for i in 0..<v.count {
      for j in (i + 1)..<v.count where norms[i] > 0 && norms[j] > 0 {
        var dot = 0.0
        for d in 0..<v[i].count { dot += Double(v[i][d]) * Double(v[j][d]) }
        total += dot / (norms[i] * norms[j])
      }
    }
    return total / Double(v.count * (v.count - 1) / 2)
  }
}

#if canImport(Glibc)
  import Glibc
#else
  import Foundation
#endif
