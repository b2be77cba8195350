// The platform's moderation stage in a study (spec key `detection`): before training, every
// training playlist is scored by the planting detector; the run records how well the scores
// find the collective, and with `filter` the flagged playlists (or, with `"filter": "tracks"`,
// only their flagged occurrences) are dropped before the model is trained — in the clean world
// as in the planted one, since the platform cannot tell them apart. The platform flags either a
// fixed share of its playlists (`flagRate`) or every playlist scoring above a threshold set on
// the fold's clean training data (`falsePositiveRate`: at most that share of the honest
// playlists, as a platform would calibrate on data from before the collective acted).
// Off (no key), the runner's path and every output byte are as before.
import ChorusCore
import Defences
import Foundation

/// The `detection` block of a spec.
public struct DetectionStage: Sendable, Equatable, Codable {
  /// Traits combined by maximum (default: `OccurrenceTrait.defaults`, rare-predecessor and
  /// last-position).
  public var traits: [OccurrenceTrait] = OccurrenceTrait.defaults
  /// A predecessor is rare at this training frequency or below (default 1).
  public var rareMaxCount: Int = 1
  /// Share of training playlists flagged, in [0, 1) (default 0.001). Ignored when
  /// `falsePositiveRate` is set.
  public var flagRate: Double = 0.001
  /// When set, in (0, 1): flag every playlist whose score is above the threshold that at most
  /// this share of the fold's clean training playlists exceed (`threshold(clean:trackCount:)`),
  /// instead of a fixed share.
  public var falsePositiveRate: Double? = nil
  /// Drop flagged data before training (default false: measure detection only).
  public var filter: Bool = false
  /// What a filter drops: whole flagged playlists (default) or their flagged occurrences.
  public var filterUnit: FilterUnit = .playlists

  /// What the filter removes from the training data.
  public enum FilterUnit: String, Sendable, Equatable, Codable {
    /// Every flagged playlist.
    case playlists
    /// In every flagged playlist, the occurrences whose suspicion (`PlantingDetector.
    /// occurrenceScores`) reaches the flag threshold — the lowest score of a flagged playlist
    /// — and is above 0: the insertions that made the playlist suspicious. The rest of the
    /// playlist stays; a playlist left empty is dropped.
    case tracks
  }

  public init() {}

  /// The spec keys of the block.
  public static let keys = ["traits", "rareMaxCount", "flagRate", "falsePositiveRate", "filter"]

  enum CodingKeys: String, CodingKey {
    case traits, rareMaxCount, flagRate, falsePositiveRate, filter
  }

  /// Encodes `filter` as true/false for playlists (as before the unit existed, so the hashes
  /// of existing specs stay) and as "tracks" for the track filter; `falsePositiveRate`, when
  /// set, in place of `flagRate` (which it replaces).
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(traits, forKey: .traits)
    try c.encode(rareMaxCount, forKey: .rareMaxCount)
    if let falsePositiveRate {
      try c.encode(falsePositiveRate, forKey: .falsePositiveRate)
    } else {
      try c.encode(flagRate, forKey: .flagRate)
    }
    if filter && filterUnit == .tracks {
      try c.encode(FilterUnit.tracks.rawValue, forKey: .filter)
    } else {
      try c.encode(filter, forKey: .filter)
    }
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    traits = try c.decode([OccurrenceTrait].self, forKey: .traits)
    rareMaxCount = try c.decode(Int.self, forKey: .rareMaxCount)
    falsePositiveRate = try c.decodeIfPresent(Double.self, forKey: .falsePositiveRate)
    flagRate = try c.decodeIfPresent(Double.self, forKey: .flagRate) ?? 0.001
    if let unit = try? c.decode(FilterUnit.self, forKey: .filter) {
      filter = true
      filterUnit = unit
    } else {
      filter = try c.decode(Bool.self, forKey: .filter)
    }
  }

  /// The stage in words, e.g. "detection 0.1% (filter)", "detection 1% (filter tracks)",
  /// "detection 0.1% (measure only)", "detection FPR 1% (filter)"; traits other than the
  /// default two are named ("detection 1% (filter; repeated-successor)"), so that two
  /// frontier rows that differ only there stay apart.
  public var label: String {
    let rate =
      falsePositiveRate.map { String(format: "FPR %g%%", $0 * 100) }
      ?? String(format: "%g%%", flagRate * 100)
    var mode =
      !filter ? "measure only" : filterUnit == .tracks ? "filter tracks" : "filter"
    if traits != OccurrenceTrait.defaults {
      mode += "; " + traits.map(\.rawValue).joined(separator: ", ")
    }
    return "detection \(rate) (\(mode))"
  }

  /// The detector this stage runs.
  public var detector: PlantingDetector {
    PlantingDetector(traits: traits, rareMaxCount: rareMaxCount)
  }

  /// Decodes the block strictly (unknown keys, wrong kinds and out-of-range values name the key).
  static func decode(_ o: [String: Any]) throws -> DetectionStage {
    try SpecFields.checkKeys(o, allowed: keys, context: "detection", prefix: "detection.")
    var d = DetectionStage()
    if let v = o["traits"], !(v is NSNull) {
      d.traits = try SpecFields.array(v, "detection.traits").map { item in
        let name = try SpecFields.text(item, "detection.traits")
        guard let t = OccurrenceTrait(rawValue: name) else {
          throw ChorusError(
            .config, "unknown trait '\(name)'", field: "detection.traits",
            hint: "choose from \(OccurrenceTrait.names)")
        }
        return t
      }
    }
    if let v = o["rareMaxCount"], !(v is NSNull) {
      d.rareMaxCount = try SpecFields.integer(v, "detection.rareMaxCount", in: 0...1_000_000)
    }
    if let v = o["flagRate"], !(v is NSNull) {
      guard let n = SpecFields.number(v), n.doubleValue.isFinite else {
        throw SpecFields.wrong("detection.flagRate", v, expected: "a number in [0, 1)")
      }
      d.flagRate = n.doubleValue
    }
    if let v = o["falsePositiveRate"], !(v is NSNull) {
      guard let n = SpecFields.number(v), n.doubleValue.isFinite else {
        throw SpecFields.wrong("detection.falsePositiveRate", v, expected: "a number in (0, 1)")
      }
      if let f = o["flagRate"], !(f is NSNull) {
        throw ChorusError(
          .config, "'detection' sets both flagRate and falsePositiveRate",
          field: "detection.falsePositiveRate",
          hint:
            "keep one: a share of playlists to flag, or a false-positive rate to calibrate on the clean fold (with --set: add detection.flagRate=null)"
        )
      }
      d.falsePositiveRate = n.doubleValue
    }
    if let v = o["filter"], !(v is NSNull) {
      let expected = "true, false, \"playlists\" or \"tracks\""
      if let n = v as? NSNumber, ConfigCoding.isBoolean(n) {
        d.filter = n.boolValue
      } else if let name = v as? String {
        guard let unit = FilterUnit(rawValue: name) else {
          throw SpecFields.wrong("detection.filter", v, expected: expected)
        }
        d.filter = true
        d.filterUnit = unit
      } else {
        throw SpecFields.wrong("detection.filter", v, expected: expected)
      }
    }
    try d.validate()
    return d
  }

  /// Checks the values (also for stages built in code).
  func validate() throws {
    guard !traits.isEmpty else {
      throw ChorusError(
        .config, "'detection.traits' is empty", field: "detection.traits",
        hint: "leave it out to use the default traits (rare-predecessor, last-position)")
    }
    guard Set(traits).count == traits.count else {
      throw ChorusError(
        .config, "'detection.traits' lists a trait twice", field: "detection.traits")
    }
    guard rareMaxCount >= 0 else {
      throw ChorusError(
        .config, "'detection.rareMaxCount' must be at least 0", field: "detection.rareMaxCount")
    }
    guard flagRate >= 0, flagRate < 1 else {
      throw ChorusError(
        .config, "'detection.flagRate' \(flagRate) is outside [0, 1)", field: "detection.flagRate",
        hint: "the share of training playlists the platform flags, e.g. 0.001")
    }
    if let q = falsePositiveRate {
      guard q > 0, q < 1 else {
        throw ChorusError(
          .config, "'detection.falsePositiveRate' \(q) is outside (0, 1)",
          field: "detection.falsePositiveRate",
          hint: "the share of honest playlists the platform accepts to flag, e.g. 0.01")
      }
    } else if filter && flagRate == 0 {
      throw ChorusError(
        .config, "'detection.filter' drops nothing at flagRate 0", field: "detection.flagRate",
        hint: "set a flag rate above 0, or filter false to measure detection only")
    }
  }

  /// With a false-positive rate q: the threshold the platform sets on the fold's clean
  /// training playlists (all honest), so that at most ⌊q · n⌋ of their n scores lie above it
  /// (`DetectionMetrics.threshold(cleanScores:falsePositiveRate:)`); nil with a flag rate.
  func threshold(clean: PlaylistStore, trackCount: Int) -> Double? {
    falsePositiveRate.map {
      DetectionMetrics.threshold(
        cleanScores: detector.scores(clean, trackCount: trackCount), falsePositiveRate: $0)
    }
  }

  /// The flags for `scores`: every score above `threshold` with a false-positive rate, else
  /// the ⌈flagRate · n⌉ most suspicious.
  /// - Precondition: a threshold with a false-positive rate.
  func flags(_ scores: [Double], threshold: Double?) -> [Bool] {
    guard falsePositiveRate != nil else {
      return DetectionMetrics.flagMostSuspicious(scores: scores, rate: flagRate)
    }
    guard let threshold else { preconditionFailure("a false-positive rate needs its threshold") }
    return scores.map { $0 > threshold }
  }

  /// Scores the training playlists and flags the most suspicious.
  /// - Parameters:
  ///   - training: the training playlists as the platform sees them.
  ///   - isPlanted: per training playlist, whether the collective holds it (for the metrics).
  ///   - threshold: with a false-positive rate, the fold's `threshold(clean:trackCount:)`.
  /// - Returns: the metrics and what a filter would train on (`training` without the flagged
  ///   playlists, or without their flagged occurrences, as `filterUnit` says; `training`
  ///   itself when the stage does not filter).
  func run(training: PlaylistStore, trackCount: Int, isPlanted: [Bool], threshold: Double?) -> (
    metrics: DetectionMetrics, kept: PlaylistStore
  ) {
    guard filter && filterUnit == .tracks else {
      let scores = detector.scores(training, trackCount: trackCount)
      let flags = flags(scores, threshold: threshold)
      let metrics = DetectionMetrics(scores: scores, isPlanted: isPlanted, flags: flags)
      guard filter else { return (metrics, training) }
      return (metrics, Self.unflagged(training, flags: flags))
    }
    let occurrences = detector.occurrenceScores(training, trackCount: trackCount)
    let scores = PlantingDetector.playlistScores(training, occurrenceScores: occurrences)
    let flags = flags(scores, threshold: threshold)
    let metrics = DetectionMetrics(scores: scores, isPlanted: isPlanted, flags: flags)
    return (
      metrics,
      Self.withoutFlaggedOccurrences(
        training, flags: flags, playlistScores: scores, occurrenceScores: occurrences)
    )
  }

  /// The playlists of `store` that are not flagged, in order.
  static func unflagged(_ store: PlaylistStore, flags: [Bool]) -> PlaylistStore {
    store.subset(flags.indices.filter { !flags[$0] })
  }

  /// `store` with, in each flagged playlist, every entry whose occurrence score is above 0 and
  /// at least the threshold (the lowest playlist score among the flagged) removed, in order; a
  /// playlist left empty is dropped. Unflagged playlists are copied unchanged.
  static func withoutFlaggedOccurrences(
    _ store: PlaylistStore, flags: [Bool], playlistScores: [Double], occurrenceScores: [Double]
  ) -> PlaylistStore {
    let threshold = flags.indices.lazy.filter { flags[$0] }.map { playlistScores[$0] }.min()
    guard let threshold else { return store }
    var offsets = [0]
    var tracks: [Int32] = []
    offsets.reserveCapacity(store.count + 1)
    tracks.reserveCapacity(store.entryCount)
    for p in 0..<store.count {
      let before = tracks.count
      for i in store.offsets[p]..<store.offsets[p + 1] {
        let s = occurrenceScores[i]
        if flags[p] && s > 0 && s >= threshold { continue }
        tracks.append(store.tracks[i])
      }
      if tracks.count > before { offsets.append(tracks.count) }
    }
    return PlaylistStore(offsets: offsets, tracks: tracks)
  }
}
