// Detection of coordinated reordering before training: every training playlist gets a
// suspicion score, computed from the training data alone (the platform does not know s* or the
// collective). The scores are track-level anomalies in the spirit of shilling detectors: a track
// whose occurrences share a positional trait far more often than chance (it nearly always follows
// a rare track, or nearly always ends its playlist) is suspicious, and so is every playlist in
// which that track shows the trait. It does not filter anything itself; see `DetectionMetrics`.
import ChorusCore
import Foundation

/// A positional trait of one occurrence (playlist p, position i) of a track.
public enum OccurrenceTrait: String, Sendable, Hashable, Codable, CaseIterable {
  /// Every trait's name, comma-separated, for help texts and hints.
  public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }

  /// The track directly follows a rare track (frequency ≤ `rareMaxCount` in the training data).
  /// Eligible occurrences: positions i > 0. A track placed after the rarest track of many
  /// playlists (the pattern DirLoF creates) shows it in nearly every occurrence.
  case rarePredecessor = "rare-predecessor"
  /// The track is the last of its playlist. Eligible occurrences: all. A track appended to many
  /// playlists (the pattern AtTheEnd creates) shows it in nearly every occurrence.
  case lastPosition = "last-position"
}

/// Per-playlist suspicion scores from track-level positional anomalies.
///
/// For a trait, each track t has n_t eligible occurrences of which x_t show the trait; over all
/// tracks the trait's rate is q = Σx / Σn. The track's score is the Chernoff exponent of the
/// binomial tail, n_t · KL(x_t/n_t ‖ q) when x_t/n_t > q and 0 otherwise (KL the relative entropy
/// of two Bernoulli laws, in nats), so −log P(X ≥ x_t) ≥ score under the null "t shows the trait
/// at the common rate". A playlist's score for the trait is the largest score of a track that
/// shows the trait in that playlist (0 when none does); its overall score is the largest over
/// the chosen traits.
public struct PlantingDetector: Sendable, Hashable, Codable {
  /// The traits combined (by maximum).
  public var traits: [OccurrenceTrait]
  /// A predecessor is rare when its training frequency is at most this. Default 1: tracks in a
  /// single playlist, which DirLoF targets first and which make up about half of a catalogue.
  public var rareMaxCount: Int

  /// - Precondition: at least one trait, `rareMaxCount` ≥ 0.
  public init(traits: [OccurrenceTrait] = OccurrenceTrait.allCases, rareMaxCount: Int = 1) {
    precondition(!traits.isEmpty, "a detector needs at least one trait")
    precondition(rareMaxCount >= 0, "rareMaxCount must be non-negative")
    self.traits = traits
    self.rareMaxCount = rareMaxCount
  }

  /// One score per playlist of `store` (≥ 0, larger is more suspicious): the maximum over the
  /// traits of `scoresByTrait`.
  /// - Parameter trackCount: every track id of `store` is below it.
  /// - Complexity: O(entries + trackCount) per trait; single-threaded and deterministic.
  public func scores(_ store: PlaylistStore, trackCount: Int) -> [Double] {
    Self.combined(scoresByTrait(store, trackCount: trackCount))
  }

  /// The combined score of each playlist: the maximum over the traits' scores.
  /// - Precondition: at least one trait, every list equally long.
  public static func combined(_ perTrait: [[Double]]) -> [Double] {
    var best = perTrait[0]
    for scores in perTrait.dropFirst() {
      for p in best.indices { best[p] = Swift.max(best[p], scores[p]) }
    }
    return best
  }

  /// Per trait (in the order of `traits`): one score per playlist of `store`, the largest
  /// score of a track that shows the trait in that playlist (0 when none does).
  /// - Complexity: O(entries + trackCount) per trait.
  public func scoresByTrait(_ store: PlaylistStore, trackCount: Int) -> [[Double]] {
    let frequency = store.trackFrequencies(trackCount: trackCount)
    return traits.map { trait in
      let perTrack = trackScores(store, trait: trait, frequency: frequency)
      var best = [Double](repeating: 0, count: store.count)
      for p in 0..<store.count {
        let range = store.offsets[p]..<store.offsets[p + 1]
        for i in range where shows(trait, store, p: p, index: i, frequency: frequency) {
          best[p] = Swift.max(best[p], perTrack[Int(store.tracks[i])])
        }
      }
      return best
    }
  }

  /// Per entry of `store`: the largest score, over the traits that occurrence shows, of its
  /// track for that trait (0 when it shows none). A playlist's `scores` value is the largest of
  /// its entries' values, so the two agree bit for bit.
  /// - Complexity: O(entries + trackCount) per trait.
  public func occurrenceScores(_ store: PlaylistStore, trackCount: Int) -> [Double] {
    let frequency = store.trackFrequencies(trackCount: trackCount)
    var best = [Double](repeating: 0, count: store.entryCount)
    for trait in traits {
      let perTrack = trackScores(store, trait: trait, frequency: frequency)
      for p in 0..<store.count {
        let range = store.offsets[p]..<store.offsets[p + 1]
        for i in range where shows(trait, store, p: p, index: i, frequency: frequency) {
          best[i] = Swift.max(best[i], perTrack[Int(store.tracks[i])])
        }
      }
    }
    return best
  }

  /// Per playlist of `store`: the largest of its entries' `occurrenceScores` (0 when empty).
  public static func playlistScores(_ store: PlaylistStore, occurrenceScores: [Double])
    -> [Double]
  {
    (0..<store.count).map { p in
      var best = 0.0
      for i in store.offsets[p]..<store.offsets[p + 1] {
        best = Swift.max(best, occurrenceScores[i])
      }
      return best
    }
  }

  /// Per track: its anomaly score for `trait` (see the type's documentation).
  /// - Complexity: O(entries + trackCount).
  public func trackScores(_ store: PlaylistStore, trait: OccurrenceTrait, frequency: [Int32])
    -> [Double]
  {
    let trackCount = frequency.count
    var eligible = [Int](repeating: 0, count: trackCount)
    var showing = [Int](repeating: 0, count: trackCount)
    var totalEligible = 0
    var totalShowing = 0
    for p in 0..<store.count {
      let start = store.offsets[p]
      for i in start..<store.offsets[p + 1] {
        if trait == .rarePredecessor && i == start { continue }
        let t = Int(store.tracks[i])
        eligible[t] += 1
        totalEligible += 1
        if shows(trait, store, p: p, index: i, frequency: frequency) {
          showing[t] += 1
          totalShowing += 1
        }
      }
    }
    guard totalEligible > 0, totalShowing > 0, totalShowing < totalEligible else {
      return [Double](repeating: 0, count: trackCount)
    }
    let q = Double(totalShowing) / Double(totalEligible)
    return (0..<trackCount).map { t in
      Self.tailExponent(showing: showing[t], of: eligible[t], rate: q)
    }
  }

  /// n · KL(x/n ‖ q) when x/n > q, else 0: the Chernoff exponent of P(Binomial(n, q) ≥ x).
  /// - Precondition: 0 < q < 1, 0 ≤ x ≤ n.
  public static func tailExponent(showing x: Int, of n: Int, rate q: Double) -> Double {
    precondition(q > 0 && q < 1 && x >= 0 && x <= n)
    guard n > 0 else { return 0 }
    let a = Double(x) / Double(n)
    guard a > q else { return 0 }
    var kl = a * log(a / q)
    if a < 1 { kl += (1 - a) * log((1 - a) / (1 - q)) }
    return Double(n) * kl
  }

  /// Whether the occurrence at entry `index` (of playlist `p`) shows `trait`.
  @inline(__always)
  func shows(
    _ trait: OccurrenceTrait, _ store: PlaylistStore, p: Int, index i: Int, frequency: [Int32]
  ) -> Bool {
    switch trait {
    case .rarePredecessor:
      return i > store.offsets[p] && Int(frequency[Int(store.tracks[i - 1])]) <= rareMaxCount
    case .lastPosition:
      return i == store.offsets[p + 1] - 1
    }
  }
}
