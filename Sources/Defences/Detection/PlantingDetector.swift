// Detection of coordinated reordering before training: every training playlist gets a
// suspicion score, computed from the training data alone (the platform does not know s* or the
// collective). The scores are track-level anomalies in the spirit of shilling detectors: a track
// whose occurrences share a positional trait far more often than chance (it nearly always follows
// a rare track, nearly always ends its playlist, or is nearly always followed by the same track)
// is suspicious, and so is every playlist in which that track shows the trait. It does not
// filter anything itself; see `DetectionMetrics`.
import ChorusCore
import Foundation

/// A positional trait of one occurrence (playlist p, position i) of a track.
public enum OccurrenceTrait: String, Sendable, Hashable, Codable, CaseIterable {
  /// Every trait's name, comma-separated, for help texts and hints.
  public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }

  /// The traits a detector uses unless told otherwise: the two built for DirLoF's and
  /// AtTheEnd's patterns. `repeatedSuccessor` is opt-in, so detectors and studies that name no
  /// traits keep their results.
  public static let defaults: [OccurrenceTrait] = [.rarePredecessor, .lastPosition]

  /// The track directly follows a rare track (frequency ≤ `rareMaxCount` in the training data).
  /// Eligible occurrences: positions i > 0. A track placed after the rarest track of many
  /// playlists (the pattern DirLoF creates) shows it in nearly every occurrence.
  case rarePredecessor = "rare-predecessor"
  /// The track is the last of its playlist. Eligible occurrences: all. A track appended to many
  /// playlists (the pattern AtTheEnd creates) shows it in nearly every occurrence.
  case lastPosition = "last-position"
  /// The track is followed by its modal successor: the track that follows it most often in
  /// the data (ties to the lower id). Eligible occurrences: all but the last of a playlist. A
  /// track placed before the same song in many playlists (the pattern InClust creates, whose
  /// members put s* before the song most of them share) shows it in many of its occurrences.
  case repeatedSuccessor = "repeated-successor"
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
  public init(traits: [OccurrenceTrait] = OccurrenceTrait.defaults, rareMaxCount: Int = 1) {
    precondition(!traits.isEmpty, "a detector needs at least one trait")
    precondition(rareMaxCount >= 0, "rareMaxCount must be non-negative")
    self.traits = traits
    self.rareMaxCount = rareMaxCount
  }

  /// One score per playlist of `store` (≥ 0, larger is more suspicious): the maximum over the
  /// traits of `scoresByTrait`.
  /// - Parameter trackCount: every track id of `store` is below it.
  /// - Complexity: O(entries + trackCount) per trait (`repeated-successor`: O(entries log
  ///   entries) and 8 bytes of scratch per entry); single-threaded and deterministic.
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
  /// - Complexity: O(entries + trackCount) per trait (`repeated-successor`: O(entries log
  ///   entries)).
  public func scoresByTrait(_ store: PlaylistStore, trackCount: Int) -> [[Double]] {
    let data = TraitData(store, trackCount: trackCount, traits: traits)
    return traits.map { trait in
      let perTrack = trackScores(store, trait: trait, data: data)
      var best = [Double](repeating: 0, count: store.count)
      for p in 0..<store.count {
        let range = store.offsets[p]..<store.offsets[p + 1]
        for i in range where shows(trait, store, p: p, index: i, data: data) {
          best[p] = Swift.max(best[p], perTrack[Int(store.tracks[i])])
        }
      }
      return best
    }
  }

  /// Per entry of `store`: the largest score, over the traits that occurrence shows, of its
  /// track for that trait (0 when it shows none). A playlist's `scores` value is the largest of
  /// its entries' values, so the two agree bit for bit.
  /// - Complexity: O(entries + trackCount) per trait (`repeated-successor`: O(entries log
  ///   entries)).
  public func occurrenceScores(_ store: PlaylistStore, trackCount: Int) -> [Double] {
    let data = TraitData(store, trackCount: trackCount, traits: traits)
    var best = [Double](repeating: 0, count: store.entryCount)
    for trait in traits {
      let perTrack = trackScores(store, trait: trait, data: data)
      for p in 0..<store.count {
        let range = store.offsets[p]..<store.offsets[p + 1]
        for i in range where shows(trait, store, p: p, index: i, data: data) {
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

  /// What the traits read besides the playlists: training frequencies, and (only when
  /// `repeatedSuccessor` is among the traits) each track's modal successor.
  public struct TraitData: Sendable {
    /// Per track: the number of playlists holding it.
    public let frequency: [Int32]
    /// Per track: the track that follows it most often (ties to the lower id), −1 when it is
    /// never followed; empty unless `repeatedSuccessor` is used.
    public let modalSuccessor: [Int32]

    /// - Complexity: O(entries + trackCount), plus O(entries log entries) for the successors.
    public init(_ store: PlaylistStore, trackCount: Int, traits: [OccurrenceTrait]) {
      frequency = store.trackFrequencies(trackCount: trackCount)
      modalSuccessor =
        traits.contains(.repeatedSuccessor)
        ? PlantingDetector.modalSuccessors(store, trackCount: trackCount) : []
    }
  }

  /// Per track: the track that follows it most often in `store` (ties to the lower id), or −1
  /// when no occurrence of it is followed by another.
  /// - Complexity: O(entries log entries) time, 8 bytes per entry of scratch memory.
  public static func modalSuccessors(_ store: PlaylistStore, trackCount: Int) -> [Int32] {
    var pairs: [UInt64] = []
    pairs.reserveCapacity(store.entryCount)
    for p in 0..<store.count {
      let end = store.offsets[p + 1]
      var i = store.offsets[p]
      while i + 1 < end {
        pairs.append(UInt64(UInt32(store.tracks[i])) << 32 | UInt64(UInt32(store.tracks[i + 1])))
        i += 1
      }
    }
    pairs.sort()
    var modal = [Int32](repeating: -1, count: trackCount)
    var best = [Int](repeating: 0, count: trackCount)
    var k = 0
    while k < pairs.count {
      var j = k + 1
      while j < pairs.count && pairs[j] == pairs[k] { j += 1 }
      let t = Int(pairs[k] >> 32)
      // Successors of t come in ascending order, so a strictly larger run keeps ties at the
      // lower id.
      if j - k > best[t] {
        best[t] = j - k
        modal[t] = Int32(truncatingIfNeeded: pairs[k] & 0xFFFF_FFFF)
      }
      k = j
    }
    return modal
  }

  /// Per track: its anomaly score for `trait` (see the type's documentation).
  /// - Complexity: O(entries + trackCount).
  public func trackScores(_ store: PlaylistStore, trait: OccurrenceTrait, data: TraitData)
    -> [Double]
  {
    let trackCount = data.frequency.count
    var eligible = [Int](repeating: 0, count: trackCount)
    var showing = [Int](repeating: 0, count: trackCount)
    var totalEligible = 0
    var totalShowing = 0
    for p in 0..<store.count {
      let start = store.offsets[p]
      let end = store.offsets[p + 1]
      for i in start..<end {
        if trait == .rarePredecessor && i == start { continue }
        if trait == .repeatedSuccessor && i == end - 1 { continue }
        let t = Int(store.tracks[i])
        eligible[t] += 1
        totalEligible += 1
        if shows(trait, store, p: p, index: i, data: data) {
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
    _ trait: OccurrenceTrait, _ store: PlaylistStore, p: Int, index i: Int, data: TraitData
  ) -> Bool {
    switch trait {
    case .rarePredecessor:
      return i > store.offsets[p]
        && Int(data.frequency[Int(store.tracks[i - 1])]) <= rareMaxCount
    case .lastPosition:
      return i == store.offsets[p + 1] - 1
    case .repeatedSuccessor:
      return i + 1 < store.offsets[p + 1]
        && store.tracks[i + 1] == data.modalSuccessor[Int(store.tracks[i])]
    }
  }
}
