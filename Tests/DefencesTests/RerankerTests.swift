// Re-rankers: hand-worked lists, the invariants a platform relies on (never more than n of one
// artist in any m consecutive positions; never more than c cold tracks; output drawn from the
// candidates without repeats), and the table form equal to row-by-row on 1 and 2 threads.
import ChorusCore
import Defences
import Recommenders
import Testing

@Suite struct RerankerTests {
  @Test func artistDiversityByHand() {
    // Artists: tracks 0, 1, 2 → A (0); 3 → B (1); 4 → C (2). n = 1 in every m = 2.
    // Slot 0: 0 (A). Slot 1: last shown A → skip 1, 2; take 3 (B). Slot 2: last B → 1 (A).
    // Slot 3: last A → skip 2; take 4 (C). Slot 4: last C → 2 (A).
    let r = ArtistDiversityReranker(trackArtist: [0, 0, 0, 1, 2], maxPerArtist: 1, window: 2)
    #expect(r.rerank([0, 1, 2, 3, 4], k: 5) == [0, 3, 1, 4, 2])
    #expect(r.rerank([0, 1, 2, 3, 4], k: 3) == [0, 3, 1])
    // Only one artist, 1 in every 3: after the first track nothing fits, the list ends.
    let single = ArtistDiversityReranker(trackArtist: [0, 0, 0], maxPerArtist: 1, window: 3)
    #expect(single.rerank([0, 1, 2], k: 3) == [0])
    // n = m allows anything: the first k candidates, padding skipped.
    let loose = ArtistDiversityReranker(trackArtist: [0, 0, 0], maxPerArtist: 2, window: 2)
    #expect(loose.rerank([2, -1, 0, 1], k: 3) == [2, 0, 1])
    // Tracks beyond the catalogue are artists of their own.
    #expect(single.rerank([0, 7, 8, 1], k: 4) == [0, 7, 8, 1])
  }

  @Test(arguments: [(1, 2), (1, 5), (2, 5), (3, 4)])
  func artistDiversityNeverBreaksTheRule(n: Int, m: Int) {
    var rng = RandomStream(seed: 11, component: "diversity")
    let artists = (0..<300).map { _ in Int32(rng.nextInt(below: 6)) }
    let r = ArtistDiversityReranker(trackArtist: artists, maxPerArtist: n, window: m)
    for _ in 0..<100 {
      var candidates = (0..<300).map { Int32($0) }
      rng.shuffle(&candidates)
      candidates = Array(candidates.prefix(60))
      let shown = r.rerank(candidates, k: 30)
      #expect(Set(shown).count == shown.count)
      #expect(Set(shown).isSubset(of: Set(candidates)))
      for start in 0..<shown.count {
        let window = shown[start..<min(shown.count, start + m)]
        let counts = Dictionary(grouping: window, by: { artists[Int($0)] }).mapValues(\.count)
        #expect(counts.values.allSatisfy { $0 <= n })
      }
      // Greedy keeps the model's order whenever the rule allows: the first candidate is shown first.
      #expect(shown.first == candidates.first)
    }
  }

  @Test func coldTrackCapByHand() {
    // Frequencies 5, 0, 1, 3; cold below 2 → tracks 1 and 2 (and 9, unseen). One cold allowed:
    // 1 (cold, kept), 0, 2 (cold, skipped), 3, 9 (cold, skipped).
    let r = ColdTrackCapReranker(trainingCounts: [5, 0, 1, 3], minCount: 2, maxCold: 1)
    #expect(r.rerank([1, 0, 2, 3, 9], k: 4) == [1, 0, 3])
    #expect(r.rerank([1, 0, 2, 3, 9], k: 2) == [1, 0])
    let none = ColdTrackCapReranker(trainingCounts: [5, 0, 1, 3], minCount: 2, maxCold: 0)
    #expect(none.rerank([1, 0, 2, 3], k: 4) == [0, 3])
  }

  @Test func popularityDiscountByHand() {
    // Frequencies 100, 0, 10; β = 1. Keys: track 0 at rank 0: ln 1 + ln 101 ≈ 4.615;
    // track 1 at rank 1: ln 2 + ln 1 ≈ 0.693; track 2 at rank 2: ln 3 + ln 11 ≈ 3.497.
    let r = PopularityDiscountReranker(trainingCounts: [100, 0, 10], beta: 1)
    #expect(r.rerank([0, 1, 2], k: 3) == [1, 2, 0])
    #expect(r.rerank([0, 1, 2], k: 1) == [1])
    // β = 0 keeps the model's order.
    let off = PopularityDiscountReranker(trainingCounts: [100, 0, 10], beta: 0)
    #expect(off.rerank([2, 0, 1], k: 3) == [2, 0, 1])
  }

  @Test func tableFormEqualsRowByRowOnAnyThreadCount() {
    var rng = RandomStream(seed: 3, component: "table")
    let depth = 12
    let rows = 700
    var items: [Int32] = []
    for _ in 0..<rows {
      var row = (0..<40).map { Int32($0) }
      rng.shuffle(&row)
      items += row.prefix(depth)
    }
    let table = RecommendationTable(k: depth, items: items)
    let artists = (0..<40).map { Int32($0 % 3) }
    let rerankers: [any Reranker] = [
      IdentityReranker(),
      ArtistDiversityReranker(trackArtist: artists, maxPerArtist: 1, window: 3),
      ColdTrackCapReranker(trainingCounts: (0..<40).map { Int32($0) }, minCount: 10, maxCold: 1),
      PopularityDiscountReranker(trainingCounts: (0..<40).map { Int32($0) }, beta: 0.5),
    ]
    for r in rerankers {
      let one = ParallelConfig.withThreads(1) { r.rerank(table, k: 5) }
      let two = ParallelConfig.withThreads(2) { r.rerank(table, k: 5) }
      #expect(one == two)
      for row in 0..<rows {
        var expected = r.rerank(Array(table[row]), k: 5)
        while expected.count < 5 { expected.append(-1) }
        #expect(Array(one[row]) == expected)
      }
    }
  }
}
