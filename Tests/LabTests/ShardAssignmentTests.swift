// How `--shard i/n` deals out a study's runs: every run to exactly one shard, shard sizes
// within one of each other, and no shard left with only the largest collectives when the
// plan's inner loop over sizes has a length divisible by the shard count.
import Lab
import Testing

@Suite struct ShardAssignmentTests {
  @Test(arguments: [1, 2, 3, 4, 7])
  func everyRunGoesToOneShardAndShardsAreEven(count: Int) {
    let positions = 0..<53
    var sizes = [Int](repeating: 0, count: count)
    for p in positions {
      let s = ResultsStore.shard(ofPosition: p, count: count)
      #expect((0..<count).contains(s))
      sizes[s] += 1
    }
    #expect(sizes.reduce(0, +) == positions.count)
    #expect(sizes.max()! - sizes.min()! <= 1)
  }

  /// Plan order is fold → strategy → size: with two sizes and two shards, dealing every
  /// second run (the earlier rule) gave shard 2 every large collective; now each shard gets
  /// both sizes of alternating strategies.
  @Test func twoSizesOnTwoShardsAreMixed() {
    let sizeOfPosition = { (p: Int) in p % 2 }
    for shard in 0..<2 {
      let mine = (0..<12).filter { ResultsStore.shard(ofPosition: $0, count: 2) == shard }
      #expect(Set(mine.map(sizeOfPosition)) == [0, 1])
      #expect(mine.filter { sizeOfPosition($0) == 1 }.count == 3)
    }
  }
}
