// Accuracy metrics pinned by hand-computed golden cases (Experiments/PROTOCOL.md §6), and the
// report's overall and per-seed-length aggregation.
import ChorusCore
import ChorusTestSupport
import Evaluation
import PlaylistData
import Recommenders
import Testing

@Suite struct AccuracyMetricsTests {
  // Tracks 0…9; track t has artist t / 2.
  static let artistOf: [Int32] = (0..<10).map { Int32($0 / 2) }

  @Test func goldenCase() {
    var s = MetricsScratch(artistOf: Self.artistOf, artistCount: 5)
    let m = s.compute(recs: [5, 0, 3, 9, 2, 8], truth: [2, 5, 7])
    // top_R = [5, 0, 3] holds 5. Whole-list artists {2, 0, 1, 4} ∩ A(G) {1, 2, 3} = {1, 2}.
    #expect(approximatelyEqual(m.rPrecision, (1 + 0.25 * 2) / 3))
    // Official: A(S∖G) = A({0, 3}) = {0, 1}; A(G∖S) = A({2, 7}) = {1, 3}; overlap {1}.
    #expect(approximatelyEqual(m.rPrecisionOfficial, (1 + 0.25) / 3))
    // Hits at 0 and 4: (1 + 1/log2 6) / (1 + 1/log2 3 + 1/log2 4).
    #expect(approximatelyEqual(m.ndcg, 0.6508205185601091))
    #expect(m.clicks == 0)
    #expect(approximatelyEqual(m.precision, 2.0 / 6))
    #expect(approximatelyEqual(m.recall, 2.0 / 3))
  }

  @Test func noHitAndLateHit() {
    var s = MetricsScratch(artistOf: Self.artistOf, artistCount: 5)
    let none = s.compute(recs: [0, 1], truth: [9])
    #expect(none.clicks == 51)
    #expect(none.ndcg == 0)
    #expect(none.recall == 0)
    #expect(none.rPrecision == 0)
    let late = s.compute(
      recs: ArraySlice(
        [Int32](repeating: 0, count: 23).enumerated().map { Int32($0.offset % 8) } + [9]),
      truth: [9, 8])
    // Tracks 0…7 repeat for 23 places; the first relevant (9) is at index 23 → ⌊23/10⌋ = 2.
    #expect(late.clicks == 2)
  }

  @Test func scratchIsReusableAcrossCalls() {
    var s = MetricsScratch(artistOf: Self.artistOf, artistCount: 5)
    let first = s.compute(recs: [5, 0, 3, 9, 2, 8], truth: [2, 5, 7])
    _ = s.compute(recs: [1, 2, 3], truth: [1, 4])
    let again = s.compute(recs: [5, 0, 3, 9, 2, 8], truth: [2, 5, 7])
    #expect(first == again)
  }

  @Test func perfectListScoresOne() {
    var s = MetricsScratch(artistOf: Self.artistOf, artistCount: 5)
    let m = s.compute(recs: [4, 6, 0, 1], truth: [4, 6])
    #expect(approximatelyEqual(m.ndcg, 1))
    #expect(m.clicks == 0)
    #expect(approximatelyEqual(m.rPrecisionOfficial, 1))
    // Study variant adds artist credit over the whole list: artists {2, 3} of G both matched.
    #expect(approximatelyEqual(m.rPrecision, (2 + 0.5) / 2))
  }

  @Test func reportAggregatesPerSeedLength() throws {
    let data = Fixtures.random(playlists: 2000, tracks: 300, lengths: 15...40)
    let split = try FoldSplit(store: data.playlists, config: SplitConfig(testSize: 100), fold: 0)
    let train = split.trainingStore(in: data.playlists)
    let model = PopularityModel(playlists: train, trackCount: data.trackCount)
    let table = model.recommendAll(split.contexts(in: data.playlists), k: 50)
    let report = AccuracyReport(table: table, split: split, dataset: data)
    #expect(report.perPlaylist.count == 100)
    #expect(report.perSeedLength.count == 10)
    let meanOfBlocks = report.perSeedLength.reduce(0) { $0 + $1.ndcg } / 10
    #expect(approximatelyEqual(meanOfBlocks, report.overall.ndcg))
    // Check one playlist by hand through the scratch.
    var s = MetricsScratch(artistOf: data.catalogue.trackArtist, artistCount: data.artistCount)
    let i = 37
    #expect(
      report.perPlaylist[i]
        == s.compute(recs: table[i], truth: split.context(ofTest: i, in: data.playlists).truth))
    #expect(report.overall.ndcg > 0)
  }
}
