// The co-occurrence model: hand-computed counts and scores, the shared conformance suite,
// and the exact update — bit-identical to retraining on the rewritten playlists (and equal
// to the plain counter of CoOccurrenceTwinTests), also after two successive updates and
// with backward pairs.
import ChorusCore
import ChorusTestSupport
import Recommenders
import Testing

func store(_ lists: [[Int32]]) -> PlaylistStore {
  var b = PlaylistStoreBuilder(dedup: false)
  for l in lists { b.append(l) }
  return b.finish()
}

@Suite(.serialized) struct CoOccurrenceModelTests {
  @Test func goldenCountsAndScores() throws {
    var config = CoOccurrenceConfig()
    config.window = 2
    // lcm(1,2) = 2: distance 1 weighs 2, distance 2 weighs 1.
    #expect(config.forwardWeights == [2, 1])
    let m = try CoOccurrenceModel(
      playlists: store([[0, 1, 2], [1, 2]]), trackCount: 4, config: config)
    #expect(m.row(0).map(\.neighbor) == [1, 2])
    #expect(m.row(0).map(\.count) == [2, 1])
    #expect(m.row(1).map(\.count) == [4])
    #expect(m.row(2).isEmpty)
    #expect(m.rowTotal(0) == 3)
    // Context [0]: 1 scores 2/3, 2 scores 1/3; then the fallback (by frequency: 1, 2, 0).
    #expect(m.recommend([0], k: 3) == [1, 2])
    // Context [1, 0]: last track 0 weighs 1, track 1 weighs 0.8: 2 gets 1/3 + 0.8 = 1.133 > 1's 2/3.
    #expect(m.recommend([1, 0], k: 1) == [2])
    #expect(m.fallbackOrder == [1, 2, 0])
  }

  @Test func weightingsAndValidation() throws {
    var c = CoOccurrenceConfig()
    c.window = 4
    #expect(c.forwardWeights == [12, 6, 4, 3])
    c.weighting = .linear
    #expect(c.forwardWeights == [4, 3, 2, 1])
    c.weighting = .uniform
    c.backwardWeight = 0.5
    #expect(c.backwardWeights == [1, 1, 1, 1])  // round(0.5) = 1 (ties away from zero)
    c.window = 0
    #expect(throws: ChorusError.self) { try c.validate() }
    c.window = 3
    c.contextDecay = 0
    #expect(throws: ChorusError.self) { try c.validate() }
  }

  @Test func conformance() throws {
    let data = Fixtures.random(playlists: 300, tracks: 400)
    let m = try CoOccurrenceModel(playlists: data.playlists, trackCount: data.trackCount)
    var rng = RandomStream(seed: 4)
    let contexts = (0..<40).map { i in
      (0..<(i % 10 + 1)).map { _ in Int32(rng.nextInt(below: data.trackCount)) }
    }
    .map { Array(Set($0)).sorted() }
    ModelConformance.check(m, contexts: contexts, k: 50)
    ModelConformance.check(m, contexts: [[0]], k: data.trackCount + 5)
  }

  /// Rewrites `indices` of `data` by inserting `target` at a random position each.
  func rewrite(_ data: PlaylistStore, indices: [Int], target: Int32, seed: UInt64) -> (
    old: PlaylistStore, new: PlaylistStore, all: PlaylistStore
  ) {
    var rng = RandomStream(seed: seed)
    var lists = data.arrays
    var oldLists: [[Int32]] = []
    var newLists: [[Int32]] = []
    for p in indices {
      var l = lists[p]
      oldLists.append(l)
      l.insert(target, at: rng.nextInt(below: l.count + 1))
      lists[p] = l
      newLists.append(l)
    }
    return (store(oldLists), store(newLists), store(lists))
  }

  func expectIdentical(_ a: CoOccurrenceModel, _ b: CoOccurrenceModel, contexts: [[Int32]]) {
    #expect(a.trackCount == b.trackCount)
    for t in 0..<Int32(a.trackCount) {
      let ra = a.row(t)
      let rb = b.row(t)
      #expect(ra.map(\.neighbor) == rb.map(\.neighbor))
      #expect(ra.map(\.count) == rb.map(\.count))
      #expect(a.rowTotal(t) == b.rowTotal(t))
    }
    #expect(a.fallbackOrder == b.fallbackOrder)
    var builder = PlaylistStoreBuilder(dedup: false)
    for c in contexts { builder.append(c) }
    let ctx = builder.finish()
    #expect(a.recommendAll(ctx, k: 30) == b.recommendAll(ctx, k: 30))
    // Bit-level check of the scores themselves.
    var accA = ScoreAccumulator(trackCount: a.trackCount)
    var accB = ScoreAccumulator(trackCount: b.trackCount)
    for c in contexts {
      accA.reset()
      accB.reset()
      c.withUnsafeBufferPointer { a.score(context: $0, into: &accA) }
      c.withUnsafeBufferPointer { b.score(context: $0, into: &accB) }
      #expect(accA.scores.map(\.bitPattern) == accB.scores.map(\.bitPattern))
    }
  }

  @Test(arguments: [0.0, 0.5])
  func exactUpdateEqualsRetraining(backward: Double) throws {
    var config = CoOccurrenceConfig()
    config.backwardWeight = backward
    let data = Fixtures.random(playlists: 400, tracks: 300)
    let target = Int32(data.trackCount)
    let clean = try CoOccurrenceModel(
      playlists: data.playlists, trackCount: data.trackCount, config: config)
    let indices = [3, 17, 18, 99, 250, 399]
    let (old, new, all) = rewrite(data.playlists, indices: indices, target: target, seed: 1)
    let updated = clean.updated(old: old, new: new, trackCount: data.trackCount + 1)
    let retrained = try CoOccurrenceModel(
      playlists: all, trackCount: data.trackCount + 1, config: config)
    var rng = RandomStream(seed: 8)
    var contexts = (0..<30).map { _ in
      [Int32(rng.nextInt(below: data.trackCount)), Int32(rng.nextInt(below: data.trackCount))]
    }
    .filter { $0[0] != $0[1] }
    // Contexts that end in an anchor (the track before the target) exercise the changed rows.
    for l in new.arrays {
      if let i = l.firstIndex(of: target), i > 0 { contexts.append([l[i - 1]]) }
    }
    expectIdentical(updated, retrained, contexts: contexts)
    #expect(updated.overlay!.pairCount > 0)
    // Both sides above share the counter; the plain one counts the rewritten data itself.
    let plain = PlainCoOccurrence(all.arrays, config: config)
    for t in Int32(0)..<Int32(data.trackCount + 1) {
      #expect(updated.row(t).map(\.count) == plain.row(t).map(\.count), "row \(t)")
      #expect(updated.row(t).map(\.neighbor) == plain.row(t).map(\.neighbor), "row \(t)")
    }
    // The clean model is untouched: it never recommends the target.
    #expect(!clean.recommend(contexts.last!, k: 30).contains(target))
  }

  @Test func successiveUpdatesCompose() throws {
    let data = Fixtures.random(playlists: 300, tracks: 200, seed: 5)
    let target = Int32(data.trackCount)
    let clean = try CoOccurrenceModel(playlists: data.playlists, trackCount: data.trackCount)
    let (old1, new1, all1) = rewrite(data.playlists, indices: [1, 2, 3], target: target, seed: 2)
    let step1 = clean.updated(old: old1, new: new1, trackCount: data.trackCount + 1)
    // Second step: undo playlist 2's change and rewrite playlist 10.
    let lists1 = all1.arrays
    let (old2, new2, all2) = { () -> (PlaylistStore, PlaylistStore, PlaylistStore) in
      var lists = lists1
      let restored = data.playlists.arrays[2]
      var moved = lists[10]
      moved.append(target)
      let o = store([lists[2], lists[10]])
      lists[2] = restored
      lists[10] = moved
      return (o, store([restored, moved]), store(lists))
    }()
    _ = all1
    let step2 = step1.updated(old: old2, new: new2, trackCount: data.trackCount + 1)
    let retrained = try CoOccurrenceModel(playlists: all2, trackCount: data.trackCount + 1)
    expectIdentical(step2, retrained, contexts: [[0], [1, 2], [5, 6, 7]])
  }
}
