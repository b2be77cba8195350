// The platform's moderation stage in a study (spec key `detection`): before training, every
// training playlist is scored by the planting detector; the run records how well the scores
// find the collective, and with `filter` the flagged playlists are dropped before the model is
// trained — in the clean world as in the planted one, since the platform cannot tell them apart.
// Off (no key), the runner's path and every output byte are as before.
import ChorusCore
import Defences
import Foundation

/// The `detection` block of a spec.
public struct DetectionStage: Sendable, Equatable, Codable {
  /// Traits combined by maximum (default: all).
  public var traits: [OccurrenceTrait] = OccurrenceTrait.allCases
  /// A predecessor is rare at this training frequency or below (default 1).
  public var rareMaxCount: Int = 1
  /// Share of training playlists flagged, in [0, 1) (default 0.001).
  public var flagRate: Double = 0.001
  /// Drop the flagged playlists before training (default false: measure detection only).
  public var filter: Bool = false

  public init() {}

  /// The spec keys of the block.
  public static let keys = ["traits", "rareMaxCount", "flagRate", "filter"]

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
    if let v = o["filter"], !(v is NSNull) {
      guard let n = v as? NSNumber, ConfigCoding.isBoolean(n) else {
        throw SpecFields.wrong("detection.filter", v, expected: "true or false")
      }
      d.filter = n.boolValue
    }
    try d.validate()
    return d
  }

  /// Checks the values (also for stages built in code).
  func validate() throws {
    guard !traits.isEmpty else {
      throw ChorusError(
        .config, "'detection.traits' is empty", field: "detection.traits",
        hint: "leave it out to use every trait")
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
    if filter && flagRate == 0 {
      throw ChorusError(
        .config, "'detection.filter' drops nothing at flagRate 0", field: "detection.flagRate",
        hint: "set a flag rate above 0, or filter false to measure detection only")
    }
  }

  /// Scores the training playlists and flags the most suspicious.
  /// - Parameters:
  ///   - training: the training playlists as the platform sees them.
  ///   - isPlanted: per training playlist, whether the collective holds it (for the metrics).
  /// - Returns: the metrics and, per training playlist, whether it is flagged.
  func run(training: PlaylistStore, trackCount: Int, isPlanted: [Bool]) -> (
    DetectionMetrics, [Bool]
  ) {
    let scores = detector.scores(training, trackCount: trackCount)
    let metrics = DetectionMetrics(scores: scores, isPlanted: isPlanted, flagRate: flagRate)
    return (metrics, DetectionMetrics.flagMostSuspicious(scores: scores, rate: flagRate))
  }

  /// The playlists of `store` that are not flagged, in order.
  static func unflagged(_ store: PlaylistStore, flags: [Bool]) -> PlaylistStore {
    store.subset(flags.indices.filter { !flags[$0] })
  }
}
