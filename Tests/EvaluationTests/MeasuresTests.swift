// Hand-computed cases for the run measures (Experiments/PROTOCOL.md §6): top_R counts,
// amplification, success rates, ΔR categories and bins, the Gini and Lorenz curve of known
// distributions, the 95% CI formula, and the accuracy-loss bounds.
import ChorusCore
import ChorusTestSupport
import Evaluation
import PlaylistData
import Recommenders
import Testing

@Suite struct MeasuresTests {
  @Test func meanCIFormula() {
    let ci = MeanCI([1, 2, 3, 4])
    #expect(ci.mean == 2.5)
    // s = sqrt(((1.5²+0.5²)·2)/3) = sqrt(5/3); half = 1.96·s/2.
    #expect(approximatelyEqual(ci.halfWidth, 1.96 * (5.0 / 3).squareRoot() / 2))
    #expect(MeanCI([7]).halfWidth == 0)
    #expect(MeanCI([Double]()).mean.isNaN)
  }

  @Test func giniOfKnownDistributions() {
    #expect(Concentration([1, 1, 1, 1]).gini == 0)
    // One holder has everything among n = 4: G = (n − 1)/n = 0.75.
    let c = Concentration([0, 0, 0, 8])
    #expect(approximatelyEqual(c.gini, 0.75))
    #expect(approximatelyEqual(c.top10Share, 1))
    // [1, 2, 3, 4]: Σ(2i−n−1)x = (−3·1 − 1·2 + 1·3 + 3·4) = 10; G = 10 / (4·10) = 0.25.
    #expect(approximatelyEqual(Concentration([4, 1, 3, 2]).gini, 0.25))
    let curve = Concentration([1, 2, 3, 4], points: 4).curve
    #expect(curve.map(\.share) == [0, 0.1, 0.3, 0.6, 1])
    // The head is sampled exactly: with 100,000 holders the curve has the points where the
    // top 1% and top 0.1% begin, even on a coarse grid.
    let many = Concentration((0..<100_000).map { Double($0) }, points: 10)
    let populations = many.curve.map(\.population)
    #expect(populations.contains(0.99) && populations.contains(0.999))
    #expect(populations == populations.sorted())
    let head = many.curve.first { $0.population == 0.999 }!
    // The poorest 99,900 hold Σ_{i<99,900} i of Σ_{i<100,000} i.
    #expect(approximatelyEqual(head.share, (99_899.0 * 99_900 / 2) / (99_999.0 * 100_000 / 2)))
  }

  /// Three test playlists with |G| = 2, 3, 1 and K = 4; target = 9.
  static let truthLengths = [2, 3, 1]
  static let clean = RecommendationTable(k: 4, items: [1, 2, 3, 4, 2, 5, 6, 1, 3, 1, 2, 7])
  static let manipulated = RecommendationTable(k: 4, items: [9, 1, 2, 3, 2, 5, 9, 6, 1, 9, 3, 2])

  @Test func topRCounts() {
    let c = TopRCounts(table: Self.manipulated, truthLengths: Self.truthLengths, trackCount: 10)
    // Windows: [9, 1], [2, 5, 9], [1].
    #expect(c.counts == [0, 2, 1, 0, 0, 1, 0, 0, 0, 2])
    #expect(c.totalTruth == 6)
  }

  @Test func amplificationAndSuccess() {
    var b = PlaylistStoreBuilder(dedup: false)
    b.append([4] as [Int32])  // seed holds anchor 4
    b.append([8] as [Int32])
    b.append([0] as [Int32])
    var anchors = [Bool](repeating: false, count: 10)
    anchors[4] = true
    anchors[7] = true  // in playlist 2's clean list
    let m = TargetMeasures(
      target: 9, manipulated: Self.manipulated, clean: Self.clean, truthLengths: Self.truthLengths,
      seeds: b.finish(),
      anchors: anchors, budget: 2, trainingEntries: 100)
    #expect(m.recommendations == 2)  // rows 0 and 1; row 2's s* is at rank 2 > |G| = 1
    // [2 / 6] ÷ [2 / 100] = 50/3.
    #expect(approximatelyEqual(m.amplification, 50.0 / 3))
    #expect(approximatelyEqual(m.successAll, 2.0 / 3))
    #expect(m.seedAnchorPlaylists == 1)
    #expect(m.successSeedAnchor == 1)
    // Clean lists holding an anchor: row 0 (4) and row 2 (7); hits among them: row 0 only.
    #expect(m.cleanAnchorPlaylists == 2)
    #expect(m.successCleanAnchor == 0.5)
    #expect(m.inList == 3)
    #expect(approximatelyEqual(m.meanRank, (1 + 3 + 2) / 3.0))
    #expect(m.medianRank == 2)
    #expect(
      Amplification.value(recommendations: 0, totalTruth: 6, occurrences: 0, trainingEntries: 100)
        .isNaN)
  }

  @Test func externalitiesByCategory() {
    let c0 = TopRCounts(table: Self.clean, truthLengths: Self.truthLengths, trackCount: 10)
    let c1 = TopRCounts(table: Self.manipulated, truthLengths: Self.truthLengths, trackCount: 10)
    // Clean windows: [1, 2], [2, 5, 6], [3] → R₀: 1:1, 2:2, 3:1, 5:1, 6:1.
    var direct = [Bool](repeating: false, count: 10)
    var indirect = [Bool](repeating: false, count: 10)
    direct[1] = true
    indirect[2] = true
    indirect[1] = true  // direct wins over indirect
    let freq: [Int32] = [0, 3, 5, 1, 0, 2, 9, 0, 0]
    let artistOf: [Int32] = [0, 0, 1, 1, 2, 2, 3, 3, 4]
    let e = Externalities(
      clean: c0, manipulated: c1, frequency: freq, direct: direct, indirect: indirect, target: 9,
      artistOf: artistOf, artistCount: 5)
    let byTrack = Dictionary(uniqueKeysWithValues: e.songs.map { ($0.track, $0) })
    #expect(byTrack[1]!.category == .direct)
    #expect(byTrack[1]!.delta == 1)  // 1 → 2
    #expect(byTrack[2]!.category == .indirect)
    #expect(byTrack[2]!.delta == -1)  // 2 → 1
    #expect(byTrack[3]!.delta == -1)
    #expect(byTrack[6]!.delta == -1)
    #expect(byTrack[9]!.category == .target)
    #expect(byTrack[9]!.r == 2)
    #expect(byTrack[0] == nil)
    // Artists: 0 = {1}: 1 → 2; 1 = {2, 3}: 3 → 1; 2 = {5}: 1 → 1; 3 = {6}: 1 → 0.
    #expect(e.artists.map(\.r0) == [1, 3, 1, 1])
    #expect(e.artists.map(\.r) == [2, 1, 1, 0])
    let bins = e.binned()
    // "other" songs: 3 (f 1, bin [1,1]), 5 (f 2, bin [2,3]), 6 (f 9, bin [8,15]).
    let other = bins.filter { $0.category == .other }
    #expect(other.map(\.low) == [1, 2, 8])
    #expect(other.map(\.deltaR.mean) == [-1, 0, -1])
    #expect(bins.first { $0.category == .direct }!.low == 2)
  }

  @Test func accuracyLossBounds() throws {
    let data = Fixtures.random(playlists: 1500, tracks: 200, lengths: 22...30)
    let split = try FoldSplit(store: data.playlists, config: SplitConfig(testSize: 50), fold: 0)
    let train = split.trainingStore(in: data.playlists)
    let model = PopularityModel(playlists: train, trackCount: data.trackCount)
    let clean = model.recommendAll(split.contexts(in: data.playlists), k: 20)
    let cleanReport = AccuracyReport(table: clean, split: split, dataset: data)
    // Put the target first in every list: it always lands in top_R.
    let target = Int32(data.trackCount)
    var items = clean.items
    for r in 0..<clean.rows {
      items.replaceSubrange((r * 20)..<((r + 1) * 20), with: [target] + clean[r].prefix(19))
    }
    let manipulated = RecommendationTable(k: 20, items: items)
    let loss = AccuracyLoss(
      cleanReport: cleanReport, manipulated: manipulated, clean: clean, target: target,
      split: split, dataset: data)
    #expect(loss.clean == cleanReport.overall)
    #expect(loss.loss.ndcg < 0)  // pushing every list down one place costs NDCG
    #expect(loss.adversarialLoss.ndcg <= loss.loss.ndcg + 1e-12)
    #expect(loss.optimisticLoss.ndcg > loss.loss.ndcg)
    #expect(loss.optimisticLoss.recall >= 0)
  }
}
