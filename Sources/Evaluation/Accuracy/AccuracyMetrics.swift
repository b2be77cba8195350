// Accuracy of one recommendation list against a test playlist's held-out tracks
// (Experiments/PROTOCOL.md §6): R-precision in the study's variant and in the official RecSys 2018
// variant, NDCG over the whole list, clicks, precision and recall. Membership tests use stamped
// scratch arrays, so a list of 500 costs 500 lookups and no allocation.

/// The metrics of one test playlist.
public struct PlaylistMetrics: Sendable, Equatable, Codable {
  /// Study variant (Baumann & Mendler-Dünner 2024, after APC-RTA): (|top_R ∩ G| + 0.25 ·
  /// |artists(whole list) ∩ artists(G)|) / |G|. Can exceed 1.
  public var rPrecision: Double
  /// Official RecSys Challenge 2018 variant: (|S ∩ G| + 0.25 · |A(S ∖ G) ∩ A(G ∖ S)|) / |G|
  /// with S = top_R: artist credit only for tracks that did not match exactly.
  public var rPrecisionOfficial: Double
  /// DCG over the whole list (1/log2(i+2) per relevant item) over the ideal DCG of |G|.
  public var ndcg: Double
  /// ⌊index of the first relevant item / 10⌋; 51 when none is relevant.
  public var clicks: Double
  /// |list ∩ G| / |list|.
  public var precision: Double
  /// |list ∩ G| / |G|.
  public var recall: Double

  public init(
    rPrecision: Double, rPrecisionOfficial: Double, ndcg: Double, clicks: Double, precision: Double,
    recall: Double
  ) {
    self.rPrecision = rPrecision
    self.rPrecisionOfficial = rPrecisionOfficial
    self.ndcg = ndcg
    self.clicks = clicks
    self.precision = precision
    self.recall = recall
  }

  /// All zeros (the identity for sums).
  public static let zero = PlaylistMetrics(
    rPrecision: 0, rPrecisionOfficial: 0, ndcg: 0, clicks: 0, precision: 0, recall: 0)

  /// Names in a fixed order, for tables.
  public static let names = [
    "r_precision", "r_precision_official", "ndcg", "clicks", "precision", "recall",
  ]
  /// Values in the order of `names`.
  public var values: [Double] { [rPrecision, rPrecisionOfficial, ndcg, clicks, precision, recall] }

  public static func + (a: PlaylistMetrics, b: PlaylistMetrics) -> PlaylistMetrics {
    PlaylistMetrics(
      rPrecision: a.rPrecision + b.rPrecision,
      rPrecisionOfficial: a.rPrecisionOfficial + b.rPrecisionOfficial,
      ndcg: a.ndcg + b.ndcg, clicks: a.clicks + b.clicks, precision: a.precision + b.precision,
      recall: a.recall + b.recall)
  }

  public func scaled(by s: Double) -> PlaylistMetrics {
    PlaylistMetrics(
      rPrecision: rPrecision * s, rPrecisionOfficial: rPrecisionOfficial * s, ndcg: ndcg * s,
      clicks: clicks * s, precision: precision * s, recall: recall * s)
  }
}

/// Computes `PlaylistMetrics`; owns stamped membership scratch sized to the catalogue.
public struct MetricsScratch {
  private var trackStamp: [UInt32]
  private var topStamp: [UInt32]
  private var artistStamp: [UInt32]
  private var artistStamp2: [UInt32]
  private var stamp: UInt32 = 0
  /// Per track: its artist id.
  private let artistOf: [Int32]

  /// - Parameters:
  ///   - artistOf: per track id, the artist id (length ≥ every track id used).
  ///   - artistCount: number of artists.
  public init(artistOf: [Int32], artistCount: Int) {
    self.artistOf = artistOf
    trackStamp = [UInt32](repeating: 0, count: artistOf.count)
    topStamp = [UInt32](repeating: 0, count: artistOf.count)
    artistStamp = [UInt32](repeating: 0, count: artistCount)
    artistStamp2 = [UInt32](repeating: 0, count: artistCount)
  }

  @inline(__always)
  private func artist(_ t: Int32) -> Int { Int(artistOf[Int(t)]) }

  /// Metrics of `recs` (best first; -1 entries are ignored) against ground truth `truth`.
  public mutating func compute(recs: ArraySlice<Int32>, truth: ArraySlice<Int32>) -> PlaylistMetrics
  {
    precondition(!truth.isEmpty, "ground truth must not be empty")
    stamp &+= 2
    if stamp < 2 {  // wrapped: clear
      for i in trackStamp.indices {
        trackStamp[i] = 0
        topStamp[i] = 0
      }
      for i in artistStamp.indices {
        artistStamp[i] = 0
        artistStamp2[i] = 0
      }
      stamp = 2
    }
    let s = stamp
    for t in truth {
      trackStamp[Int(t)] = s
      artistStamp[artist(t)] = s
    }
    let r = truth.count
    var hitsAll = 0
    var hitsTopR = 0
    var dcg = 0.0
    var firstHit = -1
    var listLength = 0
    var artistHits = 0  // distinct artists of the whole list that are in A(G)
    for (i, t) in recs.enumerated() where t >= 0 {
      listLength += 1
      if trackStamp[Int(t)] == s {
        hitsAll += 1
        if i < r { hitsTopR += 1 }
        dcg += 1 / log2(Double(i + 2))
        if firstHit < 0 { firstHit = i }
      }
      let a = artist(t)
      if artistStamp[a] == s {
        artistHits += 1
        artistStamp[a] = s + 1  // count each artist once; s+1 still marks "in A(G)"
      }
    }
    // Official variant: artists of G∖S versus artists of S∖G, S = top_R.
    let top = recs.prefix(r)
    for x in top where x >= 0 { topStamp[Int(x)] = s }
    for t in truth where topStamp[Int(t)] != s {
      artistStamp2[artist(t)] = s  // artists of G ∖ S
    }
    var officialArtist = 0
    for x in top where x >= 0 && trackStamp[Int(x)] != s {
      let a = artist(x)
      if artistStamp2[a] == s {
        officialArtist += 1
        artistStamp2[a] = s + 1
      }
    }
    var idcg = 0.0
    for i in 0..<r { idcg += 1 / log2(Double(i + 2)) }
    return PlaylistMetrics(
      rPrecision: (Double(hitsTopR) + 0.25 * Double(artistHits)) / Double(r),
      rPrecisionOfficial: (Double(hitsTopR) + 0.25 * Double(officialArtist)) / Double(r),
      ndcg: dcg / idcg,
      clicks: firstHit < 0 ? 51 : Double(firstHit / 10),
      precision: listLength == 0 ? 0 : Double(hitsAll) / Double(listLength),
      recall: Double(hitsAll) / Double(r))
  }
}

#if canImport(Glibc)
  import Glibc
#else
  import Foundation
#endif
