// IDSort against the standard library's sort on seeded random arrays of every size class,
// and its scratch buffer reused across calls.
import ChorusCore
import Testing

@Suite struct IDSortTests {
  /// Lengths on both sides of the insertion-sort limit and values needing 1, 2 and 3 radix
  /// passes; the result must equal the standard library's sort.
  @Test(arguments: [0, 1, 2, 50, 96, 97, 1_000, 20_000], [Int32(7), 2_000, 3_000_000, Int32.max])
  func matchesStandardSort(count: Int, maxValue: Int32) {
    // Seeded per case: a failure reproduces with the same values.
    var rng = RandomStream(seed: UInt64(count), component: "test.idsort", chunk: UInt64(maxValue))
    let values = (0..<count).map { _ in Int32.random(in: 0...maxValue, using: &rng) }
    var sorted = values
    var scratch: [Int32] = []
    IDSort.sort(&sorted, scratch: &scratch)
    #expect(sorted == values.sorted())
  }

  @Test func reusesScratchAcrossCalls() {
    var scratch: [Int32] = []
    var a: [Int32] = (0..<500).map { Int32(($0 * 7919) % 1000) }
    IDSort.sort(&a, scratch: &scratch)
    #expect(a == a.sorted())
    var b: [Int32] = (0..<200).reversed().map { Int32($0 * 3) }
    IDSort.sort(&b, scratch: &scratch)
    #expect(b == (0..<200).map { Int32($0 * 3) })
    #expect(scratch.count >= 500)
  }
}
