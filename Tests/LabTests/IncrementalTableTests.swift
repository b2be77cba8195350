// The lab's riskiest shortcut, checked against the slow path: after a collective's rewrite,
// updating the co-occurrence model exactly and recomputing only the contexts the update can
// change gives the same recommendation table, bit for bit, as retraining on the manipulated
// training playlists and recomputing every context — for every strategy.
import ChorusCore
import ChorusTestSupport
import CollectiveAction
import Evaluation
import PlaylistData
import Recommenders
import Testing

@Suite struct IncrementalTableTests {
  static let data = Fixtures.random(playlists: 900, tracks: 400, lengths: 8...40, seed: 17)

  @Test(arguments: Strategy.examples)
  func incrementalTableEqualsFullRecompute(strategy: Strategy) throws {
    let data = Self.data
    let split = try FoldSplit(
      store: data.playlists, config: SplitConfig(testSize: 100, folds: 2, seed: 3), fold: 1)
    let training = split.trainingStore(in: data.playlists)
    let contexts = split.contexts(in: data.playlists)
    let k = 50
    let clean = try ModelSpec(name: "cooccurrence").train(
      playlists: training, trackCount: data.trackCount, seed: split.seed)
    let incremental = try #require(clean as? any IncrementalRecommender)
    let cleanRows = clean.recommendRows(of: contexts, k: k)
    let target = Int32(data.trackCount)
    let stats = FrequencyEstimate.full(
      store: data.playlists, training: split.training, trackCount: data.trackCount)
    let planted = try Planting.plant(
      strategy: strategy, store: data.playlists, collective: try split.collective(budget: 40),
      target: target, statistics: stats, seed: split.seed)
    // Fast path: exact update, only the affected rows recomputed.
    let update = incremental.updating(
      old: planted.old, new: planted.new, trackCount: data.trackCount + 1)
    let rows = update.contextsToRecompute(
      contexts: contexts, candidateCounts: cleanRows.candidateCounts, k: k)
    #expect(rows.count < contexts.count, "the shortcut should skip some contexts")
    let fast = update.model.recommendRows(rows, of: contexts, k: k, base: cleanRows.table).table
    // Slow path: retrain on the manipulated training playlists, recompute everything.
    let retrained = try ModelSpec(name: "cooccurrence").train(
      playlists: planted.applied(to: data.playlists, rows: split.training),
      trackCount: data.trackCount + 1, seed: split.seed)
    let slow = retrained.recommendAll(contexts, k: k)
    #expect(fast == slow, "\(strategy.name): incremental table differs from a full recompute")
    // Not vacuous: the rewrite changed some lists, and the shortcut had to find them. (s*
    // before the first song adds only pairs that start at s*, which no test context holds,
    // so AtTheBeginning changes no list here — the tables must still be equal.)
    #expect(!update.changedTracks.isEmpty)
    if strategy != .atTheBeginning {
      #expect(slow != cleanRows.table, "the collective changed no list")
    }
  }
}
