// The shared conformance suite every Recommender must pass: K results, none from the seed,
// no duplicates, fallback fill, and identical batch results on any thread count.
// Model-specific tests call `ModelConformance.check` with their trained model.
import ChorusCore
import Recommenders
import Testing

/// Checks the Recommender contract on `model` for the given contexts.
public enum ModelConformance {
  public static func check<M: Recommender>(
    _ model: M, contexts: [[Int32]], k: Int, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    var b = PlaylistStoreBuilder(dedup: false)
    for c in contexts { b.append(c) }
    let store = b.finish()
    let one = ParallelConfig.withThreads(1) { model.recommendAll(store, k: k) }
    let two = ParallelConfig.withThreads(2) { model.recommendAll(store, k: k) }
    let three = ParallelConfig.withThreads(3) { model.recommendAll(store, k: k) }
    #expect(one == two, "batch results depend on the thread count", sourceLocation: sourceLocation)
    #expect(
      one == three, "batch results depend on the thread count", sourceLocation: sourceLocation)
    for (i, context) in contexts.enumerated() {
      let single = model.recommend(context, k: k)
      let row = Array(one[i])
      #expect(
        Array(row.prefix(single.count)) == single, "single and batch differ",
        sourceLocation: sourceLocation)
      let valid = row.filter { $0 >= 0 }
      // Every recommendable track not in the seed, up to k: never fewer (fallback fill) and
      // never more (a longer list would hold tracks the model cannot recommend).
      let recommendable = Set(model.fallbackOrder).subtracting(context)
      #expect(
        valid.count == min(k, recommendable.count), "list has \(valid.count) tracks",
        sourceLocation: sourceLocation)
      #expect(
        valid.allSatisfy(recommendable.contains), "a track outside the recommendable set",
        sourceLocation: sourceLocation)
      #expect(
        Set(valid).count == valid.count, "duplicates in the list", sourceLocation: sourceLocation)
      #expect(
        Set(valid).isDisjoint(with: context), "seed tracks recommended",
        sourceLocation: sourceLocation)
      #expect(
        valid.allSatisfy { $0 < Int32(model.trackCount) }, "track id out of range",
        sourceLocation: sourceLocation)
    }
  }
}
