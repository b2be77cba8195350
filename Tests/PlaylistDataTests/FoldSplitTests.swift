// Experiments/PROTOCOL.md §2: test and training disjoint and complete, test drawn from eligible
// playlists only, 10 equal blocks with seed lengths 1…10, folds seeded and distinct, collectives
// nested prefixes of eligible training playlists, and the errors for impossible settings.
import ChorusCore
import ChorusTestSupport
import PlaylistData
import Testing

@Suite struct FoldSplitTests {
  static let data = Fixtures.random(playlists: 3000, tracks: 2000, lengths: 5...60)

  @Test func invariantsHold() throws {
    let store = Self.data.playlists
    let config = SplitConfig(testSize: 100, folds: 3, seed: 9)
    let split = try FoldSplit(store: store, config: config, fold: 1)
    #expect(split.seed == 10)
    #expect(split.test.count == 100)
    #expect(split.blockSize == 10)
    let test = Set(split.test)
    let training = Set(split.training)
    #expect(test.count == 100)
    #expect(test.isDisjoint(with: training))
    #expect(test.union(training) == Set(0..<store.count))
    #expect(split.training == split.training.sorted())
    for p in split.test { #expect(store.length(p) > 20) }
    // Collective order: exactly the eligible training playlists, each once.
    let eligibleTraining = split.training.filter { store.length($0) > 20 }
    #expect(split.collectiveOrder.sorted() == eligibleTraining)
    #expect(split.collectiveOrder != eligibleTraining)  // shuffled
  }

  @Test func blocksGiveSeedLengthsOneToTen() throws {
    let store = Self.data.playlists
    let split = try FoldSplit(store: store, config: SplitConfig(testSize: 50), fold: 0)
    for i in 0..<split.test.count {
      let (seed, truth) = split.context(ofTest: i, in: store)
      #expect(seed.count == i / 5 + 1)
      #expect(seed.count + truth.count == store.length(split.test[i]))
      #expect(Array(seed) + Array(truth) == Array(store[split.test[i]]))
    }
  }

  @Test func deterministicAndFoldsDiffer() throws {
    let store = Self.data.playlists
    let config = SplitConfig(testSize: 100)
    let a = try FoldSplit(store: store, config: config, fold: 2)
    let b = try FoldSplit(store: store, config: config, fold: 2)
    let c = try FoldSplit(store: store, config: config, fold: 3)
    #expect(a == b)
    #expect(a.test != c.test)
  }

  @Test func collectivesAreNestedPrefixes() throws {
    let split = try FoldSplit(
      store: Self.data.playlists, config: SplitConfig(testSize: 100), fold: 0)
    let small = try split.collective(budget: 5)
    let large = try split.collective(alpha: 0.01)
    #expect(large.count == FoldSplit.budget(alpha: 0.01, trainingCount: split.training.count))
    #expect(Array(large.prefix(5)) == Array(small))
    #expect(FoldSplit.budget(alpha: 1e-9, trainingCount: 1000) == 1)
  }

  @Test func defaultTestSizeIsFivePercentOfEligibleInTens() throws {
    let store = Self.data.playlists
    let eligible = (0..<store.count).filter { store.length($0) > 20 }.count
    let split = try FoldSplit(store: store, config: SplitConfig(), fold: 0)
    #expect(split.test.count == min(10_000, eligible / 20) / 10 * 10)
  }

  @Test func impossibleSettingsAreErrors() throws {
    let store = Self.data.playlists
    #expect(throws: ChorusError.self) {
      try FoldSplit(store: store, config: SplitConfig(testSize: 15), fold: 0)
    }
    #expect(throws: ChorusError.self) {
      try FoldSplit(store: store, config: SplitConfig(testSize: 100_000), fold: 0)
    }
    let e = #expect(throws: ChorusError.self) {
      try FoldSplit(store: store, config: SplitConfig(folds: 2), fold: 2)
    }
    #expect(e?.field == "fold")
    let split = try FoldSplit(store: store, config: SplitConfig(testSize: 100), fold: 0)
    for alpha in [0.0, 1.0, -0.1, 1.5] {
      let ae = #expect(throws: ChorusError.self) { try split.collective(alpha: alpha) }
      #expect(ae?.field == "alpha")
    }
    #expect(throws: ChorusError.self) {
      try split.collective(budget: split.collectiveOrder.count + 1)
    }
    #expect(throws: ChorusError.self) { try split.collective(budget: 0) }
    let tiny = Fixtures.random(playlists: 30, lengths: 25...30)
    let te = #expect(throws: ChorusError.self) {
      try FoldSplit(store: tiny.playlists, config: SplitConfig(), fold: 0)
    }
    #expect(te?.message.contains("too few eligible") == true)
  }
}
