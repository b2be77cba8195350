// Properties every strategy must have on seeded random data (Experiments/PROTOCOL.md §2–3): exactly
// one s* per collective playlist, the rest in order, no other playlist touched, a consistent edit
// log, determinism; plus the defining property of each coordinated strategy and the bounds of the
// positional baselines. Thread-count independence is in a serialized suite.
import ChorusCore
import ChorusTestSupport
import CollectiveAction
import Testing

@Suite struct PlantingInvariantTests {
  @Test(arguments: Strategy.examples)
  func insertsTheTargetOnceAndKeepsTheRest(strategy: Strategy) throws {
    let store = TestData.random.playlists
    let target = Int32(TestData.random.trackCount)
    let result = try TestData.plantRandom(strategy)
    #expect(result.collective == Array(TestData.randomCollective))
    #expect(result.new.count == result.collective.count)
    for (i, p) in result.collective.enumerated() {
      let original = Array(store[p])
      let updated = Array(result.new[i])
      #expect(Array(result.old[i]) == original)
      #expect(updated.filter { $0 == target }.count == 1)
      #expect(updated.filter { $0 != target } == original)
      let e = result.edits[i]
      #expect(e.playlist == p)
      #expect(updated[e.position] == target)
      #expect(e.directAnchor == (e.position > 0 ? updated[e.position - 1] : -1))
      #expect(e.indirectAnchor == (e.position < original.count ? updated[e.position + 1] : -1))
    }
  }

  @Test(arguments: Strategy.examples)
  func touchesNoOtherPlaylist(strategy: Strategy) throws {
    let store = TestData.random.playlists
    let result = try TestData.plantRandom(strategy)
    let whole = result.applied(to: store)
    #expect(whole.count == store.count)
    #expect(whole.entryCount == store.entryCount + result.collective.count)
    var row = [Int: Int]()
    for (i, p) in result.collective.enumerated() { row[p] = i }
    for p in 0..<store.count {
      if let i = row[p] {
        #expect(whole[p] == result.new[i])
      } else {
        #expect(whole[p] == store[p])
      }
    }
    // A subset of rows (e.g. the training set), in the given order.
    let rows = [5, 3, 0, 899]
    let part = result.applied(to: store, rows: rows)
    #expect(part.arrays == rows.map { Array(whole[$0]) })
  }

  @Test(arguments: Strategy.examples)
  func isDeterministicGivenTheSeed(strategy: Strategy) throws {
    let a = try TestData.plantRandom(strategy, seed: 5)
    let b = try TestData.plantRandom(strategy, seed: 5)
    #expect(a == b)
  }

  @Test func randomPlacementsDependOnTheSeed() throws {
    let a = try TestData.plantRandom(.random, seed: 5)
    let b = try TestData.plantRandom(.random, seed: 6)
    #expect(a.edits != b.edits)
  }

  @Test func aPlaylistIsPlacedTheSameWayInANestedCollective() throws {
    let big = try TestData.plantRandom(.random, seed: 5)
    let small = try Planting.plant(
      strategy: .random, store: TestData.random.playlists,
      collective: TestData.randomCollective.prefix(50),
      target: Int32(TestData.random.trackCount), statistics: TestData.randomStatistics, seed: 5)
    #expect(small.edits == Array(big.edits.prefix(50)))
  }

  @Test func dirLoFAnchorHasTheLowestEstimateEarliestOnTies() throws {
    let result = try TestData.plantRandom(.dirLoF)
    let f = TestData.randomStatistics.estimates
    for (i, e) in result.edits.enumerated() {
      let playlist = Array(result.old[i])
      let lowest = playlist.map { f[Int($0)] }.min()!
      let first = playlist.firstIndex { f[Int($0)] == lowest }!
      #expect(e.position == first + 1)
      #expect(f[Int(e.directAnchor)] == lowest)
    }
  }

  @Test func inClustAnchorHasTheHighestCollectiveCount() throws {
    let result = try TestData.plantRandom(.inClust)
    let c = TestData.randomCollectiveCounts
    for (i, e) in result.edits.enumerated() {
      let playlist = Array(result.old[i])
      let highest = playlist.map { c[Int($0)] }.max()!
      let first = playlist.firstIndex { c[Int($0)] == highest }!
      #expect(e.position == first)
      #expect(c[Int(e.indirectAnchor)] == highest)
    }
  }

  @Test func inClustTopKUsesAgreedSongsWhenPresent() throws {
    let k = 5
    let result = try TestData.plantRandom(.inClustTop(k: k))
    let c = TestData.randomCollectiveCounts
    // By c descending, ties by lower id.
    let present: [Int] = (0..<c.count).filter { c[$0] > 0 }
    let ranked: [Int] = present.sorted { a, b in c[a] != c[b] ? c[a] > c[b] : a < b }
    let agreed = Set<Int32>(ranked.prefix(k).map { Int32($0) })
    #expect(agreed.count == k)
    var usedAgreed = 0
    for (i, e) in result.edits.enumerated() {
      let playlist = Array(result.old[i])
      if playlist.contains(where: agreed.contains) {
        #expect(agreed.contains(e.indirectAnchor))
        let best = playlist.filter(agreed.contains).map { c[Int($0)] }.max()!
        #expect(c[Int(e.indirectAnchor)] == best)
        usedAgreed += 1
      } else {
        #expect(c[Int(e.indirectAnchor)] == playlist.map { c[Int($0)] }.max()!)
      }
    }
    #expect(usedAgreed > 0)
  }

  @Test func hybridProducesBothKindsOfAnchor() throws {
    // τ chosen so that some playlists have a song shared that widely and some do not.
    let c = TestData.randomCollectiveCounts
    let f = TestData.randomStatistics.estimates
    let maxima = TestData.randomCollective.map { p in
      TestData.random.playlists[p].map { c[Int($0)] }.max()!
    }.sorted()
    let tau = Int(maxima[maxima.count / 2])
    let result = try TestData.plantRandom(.hybrid(tau: tau))
    var indirect = 0
    var direct = 0
    for (i, e) in result.edits.enumerated() {
      let playlist = Array(result.old[i])
      let cs = playlist.map { c[Int($0)] }
      if Int(cs.max()!) >= tau {
        #expect(e.position == cs.firstIndex(of: cs.max()!)!)
        indirect += 1
      } else {
        let fs = playlist.map { f[Int($0)] }
        #expect(e.position == fs.firstIndex(of: fs.min()!)! + 1)
        direct += 1
      }
    }
    #expect(indirect > 0 && direct > 0)
  }

  @Test(arguments: [0, 1, 5, 17, 40])
  func insertAtRespectsBounds(index: Int) throws {
    let result = try TestData.plantRandom(.insertAt(index))
    for (i, e) in result.edits.enumerated() {
      #expect(e.position == min(index, result.old.length(i)))
    }
  }

  @Test(arguments: [(1, 10), (3, 8), (5, 5), (20, 60)])
  func randomInRespectsBoundsAndCoversTheRange(first: Int, last: Int) throws {
    let result = try TestData.plantRandom(.randomIn(first: first, last: last))
    var seenLong = Set<Int>()
    for (i, e) in result.edits.enumerated() {
      let length = result.old.length(i)
      #expect(e.position >= min(first, length) && e.position <= min(last, length))
      if length >= last { seenLong.insert(e.position) }
    }
    // Playlists long enough for the whole range hit every position in it.
    if last <= 40 { #expect(seenLong == Set(first...last)) }
  }

  @Test(arguments: [1, 3, 10])
  func randomInLastRespectsBounds(n: Int) throws {
    let result = try TestData.plantRandom(.randomInLast(n))
    var seen = Set<Int>()
    for (i, e) in result.edits.enumerated() {
      let length = result.old.length(i)
      #expect(e.position >= max(1, length - n + 1) && e.position <= length)
      if length >= 30 { seen.insert(length - e.position) }
    }
    #expect(seen == Set(0..<n))
  }

  @Test func randomGoesAfterSomeSong() throws {
    let result = try TestData.plantRandom(.random)
    var beginnings = 0
    var ends = 0
    for (i, e) in result.edits.enumerated() {
      let length = result.old.length(i)
      #expect(e.position >= 1 && e.position <= length)
      if e.position == 1 { beginnings += 1 }
      if e.position == length { ends += 1 }
    }
    #expect(beginnings > 0 && ends > 0)
  }
}

/// Each test sets its own thread count (ParallelConfig.withThreads), whatever other suites do.
@Suite struct PlantingThreadTests {
  /// Large enough for several planting chunks (512 playlists) and the parallel counter.
  static let data = Fixtures.random(playlists: 3000, tracks: 2000, lengths: 1...40, seed: 21)

  func withThreads<T>(_ n: Int, _ body: () throws -> T) rethrows -> T {
    try ParallelConfig.withThreads(n, body)
  }

  @Test(arguments: Strategy.examples)
  func resultsDoNotDependOnThreadCount(strategy: Strategy) throws {
    let data = Self.data
    let collective = ArraySlice(stride(from: 1, to: 3000, by: 2))
    let stats = FrequencyEstimate.full(
      store: data.playlists, training: Array(0..<3000), trackCount: data.trackCount)
    func run() throws -> (PlantResult, PlaylistStore) {
      let r = try Planting.plant(
        strategy: strategy, store: data.playlists, collective: collective,
        target: Int32(data.trackCount), statistics: stats, seed: 9)
      return (r, r.applied(to: data.playlists))
    }
    let one = try withThreads(1, run)
    let two = try withThreads(2, run)
    #expect(one.0 == two.0)
    #expect(one.1 == two.1)
  }

  @Test func proxyDoesNotDependOnThreadCount() {
    // More tracks than one proxy stream chunk (65,536), so several chunks run in parallel.
    let counts = (0..<200_000).map { Int32($0 % 97) }
    let one = withThreads(1) { FrequencyEstimate.proxy(sigma: 0.7, trueCounts: counts, seed: 3) }
    let two = withThreads(2) { FrequencyEstimate.proxy(sigma: 0.7, trueCounts: counts, seed: 3) }
    #expect(one == two)
    #expect(one.estimates[1] != Double(counts[1]))
  }
}
