// Issue 16: interference worked out by hand on a tiny case. Two settings of the popularity
// model on a 24-playlist dataset whose every number (R of each song alone and together, its
// amplification, the interference, its % and the summary's means, CIs and % of means) is
// derived below and asserted as a literal, so a runner that planted too few or too many
// playlists (or test playlists), both songs for "alone", measured "alone" in the wrong model
// or averaged wrongly would fail. (Popularity sees how many training playlists hold a song,
// not which ones or where in them.)
import ChorusCore
import ChorusTestSupport
import CollectiveAction
import PlaylistData
import Recommenders
import Testing

@testable import Lab

extension CollectivesTests {
  /// Six short playlists of four "hits" (at most 10 tracks: never eligible, so always
  /// training) and 18 eligible playlists of tracks of their own, 11 tracks (even e) or 12 (odd
  /// e) long. Track ids follow first appearance: h1 = 0, h2 = 1, h3 = 2, h4 = 3, then the
  /// eligible playlists' tracks; the study's songs t:a and t:b come after all of them.
  static func handDataset() -> Dataset {
    let hits: [[String]] = [
      ["h1", "h2", "h3", "h4"], ["h1", "h2", "h3", "h4"], ["h1", "h2", "h3"], ["h1", "h2", "h3"],
      ["h1"], ["h1"],
    ]
    let eligible = (0..<18).map { e in (0..<(11 + e % 2)).map { "p\(e)-\($0)" } }
    return Fixtures.dataset(hits + eligible)
  }

  /// The derivation.
  ///
  /// Model: popularity — every test playlist gets the training tracks by the number of
  /// training playlists holding them, ties to the lower id, minus its seed. A test playlist's
  /// seed holds only its own tracks, which no training playlist holds, so every test
  /// playlist gets the same list: h1 (6), h2 (4), h3 (4), h4 (2), then the eligible training
  /// playlists' tracks (1 each). A song planted in n playlists (n ≥ 2) enters that list after
  /// every hit with frequency ≥ n (a hit wins a tie: lower id) — where it is placed in a
  /// playlist, and which training playlists hold it, do not matter; how many do.
  ///
  /// Songs (frequency → rank of the song in every list):
  /// - pair, alone: A = t:a in 3 playlists → 4 (h1, h2, h3 before it); B = t:b in 4 → 4 (h2,
  ///   h3 tie at 4 and win on id).
  /// - pair, together: t:b (4) now also comes before t:a (3): A → 5, B stays 4.
  /// - same-song, alone: A as above → 4; C = t:a in its own 2 playlists → 5 (h4 ties at 2).
  /// - same-song, together: t:a in 3 + 2 = 5 disjoint playlists → 2 (only h1 before it); one
  ///   song, so both rows report the same R.
  ///
  /// R(song at rank r) = test playlists whose top-min(|truth|, K = 10) holds it = test
  /// playlists with |truth| ≥ r. Split (minTracks 10, 10 test playlists, seed 0): test
  /// playlist i has seed length i + 1, and the lengths the seeded draw gives (asserted below)
  /// are, in block order,
  /// - fold 0: 12 11 11 11 12 11 11 12 12 12 → |truth| 11 9 8 7 7 5 4 4 3 2, Σ|G| = 60;
  /// - fold 1: 12 11 11 12 11 12 12 12 12 11 → |truth| 11 9 8 8 6 6 5 4 3 1, Σ|G| = 61.
  /// So R(2), R(4), R(5) = 10, 8, 6 in fold 0 and 9, 8, 7 in fold 1.
  /// N_train = the dataset's 223 entries (16 in the hits' playlists, 9·11 + 9·12 in the
  /// eligible ones) minus the test playlists' 115 (fold 0) or 116 (fold 1) = 108 or 107.
  ///
  /// Amplification = (R / Σ|G|) / (B / N_train) with B the collective's playlists:
  /// fold 0: 1.8 · R / B; fold 1: 107 R / (61 B). Interference = together − alone, its % =
  /// 100 · interference / alone (= 100 · ΔR / R alone, as B, Σ|G| and N_train are the
  /// fold's):
  ///
  /// | fold | setting, collective | B | R alone → together | amplification alone → together | interference | % |
  /// |---|---|---|---|---|---|---|
  /// | 0 | pair, A | 3 | 8 → 6 | 4.8 → 3.6 | −1.2 | −25 |
  /// | 0 | pair, B | 4 | 8 → 8 | 3.6 → 3.6 | 0 | 0 |
  /// | 0 | same-song, A | 3 | 8 → 10 | 4.8 → 6 | 1.2 | 25 |
  /// | 0 | same-song, C | 2 | 6 → 10 | 5.4 → 9 | 3.6 | 200/3 |
  /// | 1 | pair, A | 3 | 8 → 7 | 856/183 → 749/183 | −107/183 | −12.5 |
  /// | 1 | pair, B | 4 | 8 → 8 | 214/61 → 214/61 | 0 | 0 |
  /// | 1 | same-song, A | 3 | 8 → 9 | 856/183 → 963/183 | 107/183 | 12.5 |
  /// | 1 | same-song, C | 2 | 7 → 9 | 749/122 → 963/122 | 107/61 | 200/7 |
  ///
  /// Summary over the two folds: the mean, and the CI half-width 1.96 · s / √2 with s the
  /// sample standard deviation |x₀ − x₁| / √2, i.e. 0.98 · |x₀ − x₁|; the % of means is
  /// 100 · (mean together − mean alone) / mean alone, which is not the mean of the % (pair A:
  /// −18.75 against 100 · (−1.2 − 107/183) / (4.8 + 856/183) = −18.83).
  @Test func interferenceMatchesAHandDerivationOnATinyCase() throws {
    let dir = TemporaryDirectory()
    let data = Self.handDataset()
    try BinaryCache.write(data, to: dir.file("tiny.chorus"))
    var s = ExperimentSpec()
    s.name = "hand"
    s.dataset = dir.file("tiny.chorus")
    s.split = SplitConfig(minTracks: 10, testSize: 10, folds: 2, seed: 0)
    s.model = .popularity
    s.strategies = [.dirLoF]
    s.sizes = [.budget(3)]
    s.k = 10
    s.collectives = CollectivesStudy(settings: [
      CollectiveSetting(
        name: "pair", collectives: [group("t:a", .dirLoF, 3), group("t:b", .dirLoF, 4)]),
      CollectiveSetting(
        name: "same-song", collectives: [group("t:a", .dirLoF, 3), group("t:a", .inClust, 2)]),
    ])
    // The split facts the derivation rests on: test playlist lengths in block order.
    let lengths = try (0..<2).map { f in
      try FoldSplit(store: data.playlists, config: s.split, fold: f).test.map {
        data.playlists.length($0)
      }
    }
    #expect(lengths[0] == [12, 11, 11, 11, 12, 11, 11, 12, 12, 12])
    #expect(lengths[1] == [12, 11, 11, 12, 11, 12, 12, 12, 12, 11])
    #expect(data.playlists.entryCount == 223)

    try runQuietly(s, in: dir.file("out"))

    // collectives.csv, row by row, in plan order (fold, setting, collective).
    struct Row {
      var fold: Int
      var setting: String
      var collective: Int
      var budget: Int
      var alone: Int
      var together: Int
      var ampAlone: Double
      var ampTogether: Double
      var interference: Double
      var percent: Double
    }
    let expected = [
      Row(
        fold: 0, setting: "pair", collective: 1, budget: 3, alone: 8, together: 6, ampAlone: 4.8,
        ampTogether: 3.6, interference: -1.2, percent: -25),
      Row(
        fold: 0, setting: "pair", collective: 2, budget: 4, alone: 8, together: 8, ampAlone: 3.6,
        ampTogether: 3.6, interference: 0, percent: 0),
      Row(
        fold: 0, setting: "same-song", collective: 1, budget: 3, alone: 8, together: 10,
        ampAlone: 4.8, ampTogether: 6, interference: 1.2, percent: 25),
      Row(
        fold: 0, setting: "same-song", collective: 2, budget: 2, alone: 6, together: 10,
        ampAlone: 5.4, ampTogether: 9, interference: 3.6, percent: 200.0 / 3),
      Row(
        fold: 1, setting: "pair", collective: 1, budget: 3, alone: 8, together: 7,
        ampAlone: 856.0 / 183, ampTogether: 749.0 / 183, interference: -107.0 / 183,
        percent: -12.5),
      Row(
        fold: 1, setting: "pair", collective: 2, budget: 4, alone: 8, together: 8,
        ampAlone: 214.0 / 61, ampTogether: 214.0 / 61, interference: 0, percent: 0),
      Row(
        fold: 1, setting: "same-song", collective: 1, budget: 3, alone: 8, together: 9,
        ampAlone: 856.0 / 183, ampTogether: 963.0 / 183, interference: 107.0 / 183,
        percent: 12.5),
      Row(
        fold: 1, setting: "same-song", collective: 2, budget: 2, alone: 7, together: 9,
        ampAlone: 749.0 / 122, ampTogether: 963.0 / 122, interference: 107.0 / 61,
        percent: 200.0 / 7),
    ]
    func same(_ a: Double?, _ b: Double) -> Bool {
      a.map { approximatelyEqual($0, b, tolerance: 1e-12) } ?? false
    }
    let got = try rows(dir.file("out"))
    #expect(got.count == expected.count)
    for (row, e) in zip(got, expected) {
      let at = "fold \(e.fold) \(e.setting) \(e.collective)"
      #expect(row["fold"]?.double == Double(e.fold), "\(at)")
      #expect(row["setting"]?.string == e.setting, "\(at)")
      #expect(row["collective"]?.double == Double(e.collective), "\(at)")
      #expect(row["budget"]?.double == Double(e.budget), "\(at)")
      #expect(row["followers"]?.double == Double(e.budget), "\(at)")
      #expect(row["shared_playlists"]?.double == 0, "\(at)")
      #expect(row["recommendations_alone"]?.double == Double(e.alone), "\(at)")
      #expect(row["recommendations_together"]?.double == Double(e.together), "\(at)")
      #expect(same(row["amplification_alone"]?.double, e.ampAlone), "\(at)")
      #expect(same(row["amplification_together"]?.double, e.ampTogether), "\(at)")
      #expect(same(row["interference"]?.double, e.interference), "\(at)")
      #expect(same(row["interference_pct"]?.double, e.percent), "\(at)")
    }

    // collectives-summary.csv: per setting and collective, mean ± 0.98 · |fold 0 − fold 1|.
    struct Line {
      var setting: String
      var collective: Int
      /// (mean, CI) of recommendations alone and together, amplification alone and together,
      /// interference and its %, then the % of means.
      var alone: (Double, Double)
      var together: (Double, Double)
      var ampAlone: (Double, Double)
      var ampTogether: (Double, Double)
      var interference: (Double, Double)
      var percent: (Double, Double)
      var ofMeans: Double
    }
    let lines = [
      Line(
        setting: "pair", collective: 1, alone: (8, 0), together: (6.5, 0.98),
        ampAlone: ((4.8 + 856.0 / 183) / 2, 0.98 * (4.8 - 856.0 / 183)),
        ampTogether: ((3.6 + 749.0 / 183) / 2, 0.98 * (749.0 / 183 - 3.6)),
        interference: ((-1.2 - 107.0 / 183) / 2, 0.98 * (1.2 - 107.0 / 183)),
        percent: (-18.75, 12.25),
        ofMeans: 100 * (-1.2 - 107.0 / 183) / (4.8 + 856.0 / 183)),
      Line(
        setting: "pair", collective: 2, alone: (8, 0), together: (8, 0),
        ampAlone: ((3.6 + 214.0 / 61) / 2, 0.98 * (3.6 - 214.0 / 61)),
        ampTogether: ((3.6 + 214.0 / 61) / 2, 0.98 * (3.6 - 214.0 / 61)),
        interference: (0, 0), percent: (0, 0), ofMeans: 0),
      Line(
        setting: "same-song", collective: 1, alone: (8, 0), together: (9.5, 0.98),
        ampAlone: ((4.8 + 856.0 / 183) / 2, 0.98 * (4.8 - 856.0 / 183)),
        ampTogether: ((6 + 963.0 / 183) / 2, 0.98 * (6 - 963.0 / 183)),
        interference: ((1.2 + 107.0 / 183) / 2, 0.98 * (1.2 - 107.0 / 183)),
        percent: (18.75, 12.25),
        ofMeans: 100 * (1.2 + 107.0 / 183) / (4.8 + 856.0 / 183)),
      Line(
        setting: "same-song", collective: 2, alone: (6.5, 0.98), together: (9.5, 0.98),
        ampAlone: ((5.4 + 749.0 / 122) / 2, 0.98 * (749.0 / 122 - 5.4)),
        ampTogether: ((9 + 963.0 / 122) / 2, 0.98 * (9 - 963.0 / 122)),
        interference: ((3.6 + 107.0 / 61) / 2, 0.98 * (3.6 - 107.0 / 61)),
        percent: ((200.0 / 3 + 200.0 / 7) / 2, 0.98 * (200.0 / 3 - 200.0 / 7)),
        ofMeans: 100 * (9 + 963.0 / 122 - 5.4 - 749.0 / 122) / (5.4 + 749.0 / 122)),
    ]
    let summary = try rows(dir.file("out"), "collectives-summary.csv")
    #expect(summary.count == lines.count)
    for (row, e) in zip(summary, lines) {
      let at = "\(e.setting) \(e.collective)"
      #expect(row["setting"]?.string == e.setting, "\(at)")
      #expect(row["collective"]?.double == Double(e.collective), "\(at)")
      #expect(row["folds"]?.double == 2, "\(at)")
      for (name, (mean, ci)) in [
        ("recommendations_alone", e.alone), ("recommendations_together", e.together),
        ("amplification_alone", e.ampAlone), ("amplification_together", e.ampTogether),
        ("interference", e.interference), ("interference_pct", e.percent),
      ] {
        #expect(same(row[name]?.double, mean), "\(at) \(name)")
        #expect(same(row[name + "_ci"]?.double, ci), "\(at) \(name)_ci")
      }
      for name in ["budget", "followers", "shared_playlists"] {
        #expect(row[name + "_ci"]?.double == 0, "\(at) \(name)_ci")
      }
      #expect(same(row["interference_pct_of_means"]?.double, e.ofMeans), "\(at)")
    }
  }
}
