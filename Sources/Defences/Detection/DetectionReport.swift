// One detection run as a user sees it: the suspicion scores of every playlist under each trait
// alone and under their combination, each evaluated against the known collective at one flag
// rate. Also renders the per-playlist scores as a spreadsheet-ready CSV. The CLI only prints it.
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
  /// The share of playlists flagged.
  public let flagRate: Double
  /// One row per trait, then the combination (when more than one trait).
  public let rows: [Row]
  /// Per playlist: the combined score.
  public let scores: [Double]
  /// Per playlist: whether it belongs to the collective.
  public let isPlanted: [Bool]

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
    self.detector = detector
    self.flagRate = flagRate
    self.isPlanted = isPlanted
    // Each trait's scores once, then their combination as `detector.scores` forms it.
    let perTrait = detector.scoresByTrait(playlists, trackCount: trackCount)
    let combined = PlantingDetector.combined(perTrait)
    var rows: [Row] = []
    if detector.traits.count > 1 {
      for (trait, scores) in zip(detector.traits, perTrait) {
        rows.append(
          Row(
            detector: trait.rawValue,
            metrics: DetectionMetrics(scores: scores, isPlanted: isPlanted, flagRate: flagRate)))
      }
    }
    rows.append(
      Row(
        detector: detector.traits.count > 1 ? "combined" : detector.traits[0].rawValue,
        metrics: DetectionMetrics(scores: combined, isPlanted: isPlanted, flagRate: flagRate)))
    self.rows = rows
    self.scores = combined
  }

  /// A CSV of every playlist: `pid,score,planted,flagged` (score in nats, planted/flagged 0/1),
  /// in dataset order.
  /// - Precondition: one pid per playlist.
  public func scoresCSV(pids: [Int64]) -> String {
    precondition(pids.count == scores.count)
    let flags = DetectionMetrics.flagMostSuspicious(scores: scores, rate: flagRate)
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
