// One detection run as a user sees it: the suspicion scores of every playlist under each trait
// alone and under their combination, each evaluated against the known collective at one flag
// rate, or above thresholds set on clean data for a chosen false-positive rate. Also renders
// the per-playlist scores as a spreadsheet-ready CSV. The CLI only prints it.
import ChorusCore
import Foundation

/// Detection of one known collective in one dataset.
public struct DetectionReport: Sendable, Codable {
  /// One evaluated detector.
  public struct Row: Sendable, Codable, Hashable {
    /// "rare-predecessor", "last-position", or "combined" (the maximum over the traits).
    public var detector: String
    public var metrics: DetectionMetrics
  }

  /// The detector whose scores `scores` holds (all chosen traits, combined by maximum).
  public let detector: PlantingDetector
  /// The share of playlists flagged (with a flag rate; nil with a false-positive rate).
  public let flagRate: Double?
  /// The false-positive rate the thresholds were set for on clean data (nil with a flag rate).
  public let falsePositiveRate: Double?
  /// With a false-positive rate: per row, the threshold set on the clean data.
  public let thresholds: [Double]?
  /// One row per trait, then the combination (when more than one trait).
  public let rows: [Row]
  /// Per playlist: the combined score.
  public let scores: [Double]
  /// Per playlist: whether it belongs to the collective.
  public let isPlanted: [Bool]
  /// Per playlist: whether the combined score flags it.
  public let flags: [Bool]

  /// - Parameters:
  ///   - playlists: the training data as the platform sees it (collective included).
  ///   - trackCount: every track id is below it.
  ///   - isPlanted: per playlist, the ground truth.
  /// - Precondition: one label per playlist; flagRate in [0, 1].
  /// - Complexity: O((entries + trackCount) · traits + playlists log playlists).
  public init(
    playlists: PlaylistStore, trackCount: Int, isPlanted: [Bool], detector: PlantingDetector,
    flagRate: Double
  ) {
    precondition(isPlanted.count == playlists.count, "one label per playlist")
    let perTrait = detector.scoresByTrait(playlists, trackCount: trackCount)
    self.init(
      detector: detector, isPlanted: isPlanted, perTrait: perTrait, flagRate: flagRate,
      falsePositiveRate: nil, thresholds: nil
    ) { DetectionMetrics.flagMostSuspicious(scores: $0, rate: flagRate) }
  }

  /// Detection at a false-positive rate chosen in advance: each row's threshold is set on the
  /// scores of `clean` (the data before planting, all honest) by
  /// `DetectionMetrics.threshold(cleanScores:falsePositiveRate:)`, and a playlist is flagged
  /// when its score lies above it.
  /// - Precondition: one label per playlist; q in (0, 1).
  /// - Complexity: that of the flag-rate form, for both datasets.
  public init(
    playlists: PlaylistStore, trackCount: Int, isPlanted: [Bool], detector: PlantingDetector,
    falsePositiveRate q: Double, clean: PlaylistStore, cleanTrackCount: Int
  ) {
    precondition(isPlanted.count == playlists.count, "one label per playlist")
    precondition(q > 0 && q < 1, "a false-positive rate must be in (0, 1)")
    let perTrait = detector.scoresByTrait(playlists, trackCount: trackCount)
    var cleanRows = detector.scoresByTrait(clean, trackCount: cleanTrackCount)
    if detector.traits.count > 1 { cleanRows.append(PlantingDetector.combined(cleanRows)) }
    let thresholds = cleanRows.map {
      DetectionMetrics.threshold(cleanScores: $0, falsePositiveRate: q)
    }
    var row = 0
    self.init(
      detector: detector, isPlanted: isPlanted, perTrait: perTrait, flagRate: nil,
      falsePositiveRate: q, thresholds: thresholds
    ) { scores in
      defer { row += 1 }
      let t = thresholds[row]
      return scores.map { $0 > t }
    }
  }

  /// The rows in order (each trait alone when there are several, then the combination), each
  /// flagged by `flag`, called once per row in that order.
  private init(
    detector: PlantingDetector, isPlanted: [Bool], perTrait: [[Double]], flagRate: Double?,
    falsePositiveRate: Double?, thresholds: [Double]?, flag: ([Double]) -> [Bool]
  ) {
    self.detector = detector
    self.flagRate = flagRate
    self.falsePositiveRate = falsePositiveRate
    self.thresholds = thresholds
    self.isPlanted = isPlanted
    let combined = PlantingDetector.combined(perTrait)
    var rows: [Row] = []
    if detector.traits.count > 1 {
      for (trait, scores) in zip(detector.traits, perTrait) {
        rows.append(
          Row(
            detector: trait.rawValue,
            metrics: DetectionMetrics(scores: scores, isPlanted: isPlanted, flags: flag(scores))))
      }
    }
    let flags = flag(combined)
    rows.append(
      Row(
        detector: detector.traits.count > 1 ? "combined" : detector.traits[0].rawValue,
        metrics: DetectionMetrics(scores: combined, isPlanted: isPlanted, flags: flags)))
    self.rows = rows
    self.scores = combined
    self.flags = flags
  }

  /// A CSV of every playlist: `pid,score,planted,flagged` (score in nats, planted/flagged 0/1),
  /// in dataset order.
  /// - Precondition: one pid per playlist.
  public func scoresCSV(pids: [Int64]) -> String {
    precondition(pids.count == scores.count)
    var out = "pid,score,planted,flagged\n"
    for i in scores.indices {
      out += "\(pids[i]),\(scores[i]),\(isPlanted[i] ? 1 : 0),\(flags[i] ? 1 : 0)\n"
    }
    return out
  }

  /// A markdown table: detector, ROC AUC, flagged, precision, recall, false-positive rate.
  public var markdownTable: String {
    func f(_ x: Double?) -> String { x.map { String(format: "%.4f", $0) } ?? "n/a" }
    var out = "| detector | ROC AUC | flagged | precision | recall | false-positive rate |\n"
    out += "|---|---:|---:|---:|---:|---:|\n"
    for r in rows {
      let m = r.metrics
      out +=
        "| \(r.detector) | \(f(m.rocAUC)) | \(m.flagged) | \(f(m.precision)) | \(f(m.recall)) | \(f(m.falsePositiveRate)) |\n"
    }
    return out
  }
}
