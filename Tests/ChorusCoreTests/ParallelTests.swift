// The parallel helper returns results in chunk order and the same results on any thread
// count (each test sets its own count with ParallelConfig.withThreads).
import ChorusCore
import Testing

@Suite struct ParallelTests {
  @Test func chunksCoverTheRangeInOrder() {
    let ranges = Parallel.mapChunks(count: 1003, chunkSize: 100) { c, r in (c, r) }
    #expect(ranges.count == 11)
    #expect(ranges.map(\.0) == Array(0..<11))
    #expect(ranges.first!.1 == 0..<100)
    #expect(ranges.last!.1 == 1000..<1003)
    #expect(Parallel.mapChunks(count: 0, chunkSize: 10) { c, _ in c }.isEmpty)
  }

  @Test func resultsDoNotDependOnThreadCount() {
    func work() -> [UInt64] {
      Parallel.mapChunks(count: 10_000, chunkSize: 97) { c, r in
        var rng = RandomStream(seed: 1, component: "test", chunk: UInt64(c))
        return r.reduce(0) { acc, _ in acc &+ rng.next() }
      }
    }
    let one = ParallelConfig.withThreads(1) { work() }
    let two = ParallelConfig.withThreads(2) { work() }
    let seven = ParallelConfig.withThreads(7) { work() }
    #expect(one == two)
    #expect(one == seven)
  }
}
