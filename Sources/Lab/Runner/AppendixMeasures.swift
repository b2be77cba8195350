// The measures behind the study's appendix figures, for one run: every edit's anchors (true
// training frequency and the collective's estimate, for the anchor-selection and
// estimated-vs-true scatters), the distribution of per-list precision@50 clean and with the
// collective, and — for vector models — how close s* sits to the targeted contexts. Kept
// apart from the run's scalar measures so runs.csv and summary.csv stay as they were; the
// results folder gets them as anchors.csv, precision-at-50.csv and similarity.csv.
import ChorusCore
import CollectiveAction
import Evaluation
import PlaylistData
import Recommenders

/// One edit of a run: the songs right before and after s*.
public struct AnchorPoint: Sendable, Codable, Equatable {
  /// Which neighbour the strategy aimed at: "direct" (before s*) or "indirect" (after it).
  public var targeted: String
  /// True training frequency of the song before s* (-1: s* is first).
  public var directFrequency: Int
  /// True training frequency of the song after s* (-1: s* is last).
  public var indirectFrequency: Int
  /// The collective's estimate for the song before s* (nil: none there, or unknown to it).
  public var directEstimate: Double?
  /// The collective's estimate for the song after s*.
  public var indirectEstimate: Double?
}

/// The appendix measures of one run.
public struct AppendixMeasures: Sendable, Codable, Equatable {
  /// One entry per collective playlist, in collective order.
  public var anchors: [AnchorPoint]
  /// Per-list precision@50, clean and with the collective.
  public var precision: ListPrecisionShift
  /// Cosine of s* with targeted and other test contexts; nil for models without vectors.
  public var similarity: ContextSimilarity?

  /// The list depth of the precision distribution (the study's top-50 lists).
  public static let precisionDepth = 50

  /// Measures run `cell` on its fold: `table` holds the recommendations with the collective,
  /// `model` the retrained model when there is one.
  static func measure(
    cell: PlantedCollective, ctx: FoldContext, dataset: Dataset, table: RecommendationTable,
    target: Int32, anchors isTargeted: [Bool], model: (any Recommender)?
  ) -> AppendixMeasures {
    func frequency(_ t: Int32) -> Int { t >= 0 ? Int(ctx.frequency[Int(t)]) : -1 }
    func estimate(_ t: Int32) -> Double? { t >= 0 ? cell.estimate.estimate(of: t) : nil }
    let points = cell.plant.edits.map { e in
      AnchorPoint(
        targeted: e.targeted.rawValue, directFrequency: frequency(e.directAnchor),
        indirectFrequency: frequency(e.indirectAnchor), directEstimate: estimate(e.directAnchor),
        indirectEstimate: estimate(e.indirectAnchor))
    }
    let split = ctx.split
    let precision = ListPrecisionShift(
      clean: ctx.cleanTable, manipulated: table, depth: min(precisionDepth, table.k)
    ) { split.context(ofTest: $0, in: dataset.playlists).truth }
    var similarity: ContextSimilarity? = nil
    if let vectors = model as? any ContextVectorModel, let star = vectors.candidateVector(target) {
      let contexts = (0..<ctx.contexts.count).map { i -> (vector: [Float]?, targeted: Bool) in
        let seed = Array(ctx.contexts[i])
        let last = seed.last ?? -1
        return (
          vectors.contextVector(seed),
          last >= 0 && Int(last) < isTargeted.count
            && isTargeted[Int(last)]
        )
      }
      similarity = ContextSimilarity(target: star, contexts: contexts)
    }
    return AppendixMeasures(anchors: points, precision: precision, similarity: similarity)
  }
}
