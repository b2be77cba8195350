// The heap top-K kernel is tied to its plain twin (full sort) on random scores with many
// ties, for k below, at and above the candidate count.
import ChorusCore
import Recommenders
import Testing

@Suite struct TopKTests {
  @Test(arguments: [1, 5, 37, 100, 250])
  func heapMatchesSorting(k: Int) {
    var rng = RandomStream(seed: UInt64(k))
    let n = 200
    // Coarse scores force ties; ties must go to the lower id.
    let scores = (0..<n).map { _ in Float(rng.nextInt(below: 12)) }
    var candidates = (0..<Int32(n)).filter { _ in rng.nextInt(below: 4) != 0 }
    rng.shuffle(&candidates)
    #expect(
      TopK.select(scores: scores, candidates: candidates, k: k)
        == TopK.selectBySorting(scores: scores, candidates: candidates, k: k))
  }

  @Test func tiesGoToLowerID() {
    let scores: [Float] = [1, 3, 3, 2, 3]
    #expect(TopK.select(scores: scores, candidates: [4, 2, 1, 3, 0], k: 4) == [1, 2, 4, 3])
  }

  @Test func accumulatorFillsFromFallbackSkippingSeedAndChosen() {
    var acc = ScoreAccumulator(trackCount: 6)
    acc.exclude(0)
    acc.add(3, 2)
    acc.add(0, 9)  // excluded: never returned
    acc.add(5, 1)
    var out = [Int32](repeating: -1, count: 5)
    let fallback: [Int32] = [0, 3, 1, 2, 4, 5]
    let n = fallback.withUnsafeBufferPointer { f in
      out.withUnsafeMutableBufferPointer { acc.topK(k: 5, fallback: f, output: $0) }
    }
    #expect(n == 5)
    #expect(out == [3, 5, 1, 2, 4])
    acc.reset()
    acc.add(2, 1)
    let m = fallback.withUnsafeBufferPointer { f in
      out.withUnsafeMutableBufferPointer { acc.topK(k: 2, fallback: f, output: $0) }
    }
    #expect(m == 2)
    #expect(Array(out.prefix(2)) == [2, 0])  // 0 is no longer excluded after reset
  }
}
