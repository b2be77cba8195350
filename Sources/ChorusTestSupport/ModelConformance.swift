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
    let saved = ParallelConfig.threads
    defer { ParallelConfig.threads = saved }
    ParallelConfig.threads = 1
    let one = model.recommendAll(store, k: k)
    ParallelConfig.threads = 2
    let two = model.recommendAll(store, k: k)
    ParallelConfig.threads = 3
    let three = model.recommendAll(store, k: k)
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
      let recommendable = model.fallbackOrder.filter { !context.contains($0) }.count
      #expect(
        valid.count == min(k, max(recommendable, valid.count)), "list is short",
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
