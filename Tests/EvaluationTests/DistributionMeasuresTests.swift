// The appendix measures against plain computations: per-list precision@depth histograms and
// the paired gained/lost counts, checked against a direct count per list; and the cosine of s*
// with targeted and other contexts, checked against cosines computed by hand.
import ChorusCore
import ChorusTestSupport
import Evaluation
import Recommenders
import Testing

@Suite struct DistributionMeasuresTests {
  /// Four test lists, K = 4; their held-out tracks.
  static let truth: [[Int32]] = [[1, 2], [5], [7, 8, 9], [3]]
  static let clean = RecommendationTable(
    k: 4, items: [1, 2, 3, 4, 5, 6, 7, 8, 9, 8, 7, 1, 2, 4, -1, -1])
  static let manipulated = RecommendationTable(
    k: 4, items: [99, 1, 3, 4, 6, 5, 7, 8, 9, 8, 7, 1, 3, 2, -1, -1])

  @Test func precisionHistogramsMatchACountPerList() {
    let depth = 3
    let shift = ListPrecisionShift(clean: Self.clean, manipulated: Self.manipulated, depth: depth) {
      Self.truth[$0][...]
    }
    // The plain computation: per list, held-out tracks among the first `depth` entries.
    func hits(_ t: RecommendationTable, _ i: Int) -> Int {
      t[i].prefix(depth).filter { Self.truth[i].contains($0) }.count
    }
    var clean = [Int](repeating: 0, count: depth + 1)
    var with = [Int](repeating: 0, count: depth + 1)
    var gained = 0
    var lost = 0
    for i in 0..<4 {
      let (a, b) = (hits(Self.clean, i), hits(Self.manipulated, i))
      clean[a] += 1
      with[b] += 1
      gained += b > a ? 1 : 0
      lost += b < a ? 1 : 0
    }
    #expect(shift.clean == clean)
    #expect(shift.with == with)
    #expect(shift.gained == gained && shift.lost == lost)
    // By hand: clean hits [2, 1, 3, 0], with [1, 1, 3, 1].
    #expect(clean == [1, 1, 1, 1] && with == [0, 3, 0, 1])
    #expect(shift.lists == 4)
    #expect(approximatelyEqual(shift.meanPrecision(shift.clean), 6.0 / 12))
    #expect(approximatelyEqual(shift.meanPrecision(shift.with), 6.0 / 12))
  }

  @Test func paddingNeverCounts() {
    // A truth holding -1 must not match the padding of a short row.
    #expect(ListPrecisionShift.hits([-1, -1, 3], relevant: [-1, 3], depth: 3) == 1)
  }

  @Test func similaritySeparatesTargetedSeeds() {
    let star: [Float] = [1, 0]
    let contexts: [(vector: [Float]?, targeted: Bool)] = [
      ([2, 0], true), ([1, 1], true), ([0, 3], false), ([-1, 0], false), (nil, false),
    ]
    let s = ContextSimilarity(target: star, contexts: contexts)
    // Cosines by hand: 1, 1/√2 (targeted); 0, −1 (others).
    let targeted = [1, 1 / 2.0.squareRoot()]
    #expect(s.targeted.count == 2 && s.others.count == 2 && s.withoutVector == 1)
    #expect(approximatelyEqual(s.targeted.mean, targeted.reduce(0, +) / 2))
    #expect(approximatelyEqual(s.targeted.halfWidth, MeanCI(targeted).halfWidth))
    #expect(approximatelyEqual(s.others.mean, -0.5))
    #expect(ContextSimilarity.cosine([0, 0], [1, 1]) == nil)
  }
}
