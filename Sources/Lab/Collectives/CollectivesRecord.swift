// What one (fold, setting) of a study's several-collectives part leaves on disk: per collective
// its playlists, how many followed the plan, and the measures of its song alone (the others
// absent) and together (every collective of the setting planted on the same training split).
// Written atomically under runs/ like the single-collective records, and read in a fixed order.
import ChorusCore
import CollectiveAction
import Defences
import Evaluation

/// Identifies one setting on one fold.
public struct CollectivesKey: Sendable, Hashable, Codable, Comparable {
  public var fold: Int
  /// Index into `CollectivesStudy.settings`.
  public var setting: Int

  public init(fold: Int, setting: Int) {
    self.fold = fold
    self.setting = setting
  }

  /// File name stem, e.g. "collectives-f0-c3".
  public var id: String { "collectives-f\(fold)-c\(setting)" }

  public static func < (a: CollectivesKey, b: CollectivesKey) -> Bool {
    (a.fold, a.setting) < (b.fold, b.setting)
  }
}

/// One collective of a setting on one fold.
public struct CollectiveRow: Sendable, Codable, Equatable {
  /// Its index in the setting.
  public var collective: Int
  public var target: String
  public var strategy: String
  public var statistics: String
  /// The size as the spec gives it.
  public var size: CollectiveSize
  /// B: its playlists (the denominator of its amplification, whoever followed).
  public var budget: Int
  public var follow: Double
  /// Members that applied the strategy.
  public var followers: Int
  /// Its playlists that another collective of the setting also holds (0 when disjoint).
  public var shared: Int
  /// Its homogeneity as the spec gives it; nil (not recorded) in studies without the key.
  public var homogeneity: Double? = nil
  /// The mean Jaccard similarity of its members' artist sets over all pairs (nil in studies
  /// without homogeneity, and for a single member).
  public var memberSimilarity: Double? = nil
  /// Its song's measures with only this collective planted.
  public var alone: TargetMeasures
  /// Its song's measures with every collective of the setting planted.
  public var together: TargetMeasures
  /// With a detection stage: how the detector finds this collective's rewritten playlists
  /// when only it acted (nil without the stage, or when none of its members followed).
  public var detectionAlone: DetectionMetrics? = nil
  /// Same for the rewritten playlists of every collective of the setting, all planted.
  public var detectionTogether: DetectionMetrics? = nil

  /// Amplification together − alone: the change the other collectives cause.
  public var interference: Double { together.amplification - alone.amplification }

  /// The interference in % of the amplification alone (NaN when that is 0).
  public var interferencePercent: Double {
    alone.amplification > 0 ? 100 * interference / alone.amplification : .nan
  }
}

/// Every collective of one setting on one fold.
public struct CollectivesRecord: Sendable, Codable, Equatable {
  public var key: CollectivesKey
  /// The setting's name and memberships.
  public var name: String
  public var memberships: Memberships
  public var rows: [CollectiveRow]
  /// Models trained (or updated) for this record: cached alone measures are not counted.
  public var models: Int
  /// Wall-clock seconds (varies between runs; not in any CSV).
  public var seconds: Double
}
