// Issue 16: interference worked out by hand on a tiny case. Two settings (two songs side by
// side; one song by two strategies) on 24-playlist datasets whose every number (R of each
// song alone and together, its amplification, the interference, its % and the summary's
// means, CIs and % of means) is derived in a comment and asserted as a literal: once in the
// popularity model (retrained per run; it sees how many training playlists hold a song) and
// once in a window-1 co-occurrence model (updated exactly; it sees which playlists hold the
// song and where). A runner that planted the wrong playlists, both songs for "alone",
// measured "alone" in the wrong model or averaged wrongly fails them.
import ChorusCore
import ChorusTestSupport
import CollectiveAction
import PlaylistData
import Recommenders
import Reports
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

  /// The derivation in the popularity model.
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
    #expect(data.playlists.entryCount == 223)
    try checkHandSplit(data)
    let s = try handSpec(
      dir, data, model: .popularity, k: 10,
      settings: [
        CollectiveSetting(
          name: "pair", collectives: [group("t:a", .dirLoF, 3), group("t:b", .dirLoF, 4)]),
        CollectiveSetting(
          name: "same-song", collectives: [group("t:a", .dirLoF, 3), group("t:a", .inClust, 2)]),
      ])
    try runQuietly(s, in: dir.file("out"))
    try checkHand(
      dir.file("out"),
      rows: [
        HandRow(0, "pair", 1, budget: 3, r: (8, 6), amp: (4.8, 3.6), interference: -1.2, pct: -25),
        HandRow(0, "pair", 2, budget: 4, r: (8, 8), amp: (3.6, 3.6), interference: 0, pct: 0),
        HandRow(
          0, "same-song", 1, budget: 3, r: (8, 10), amp: (4.8, 6), interference: 1.2, pct: 25),
        HandRow(
          0, "same-song", 2, budget: 2, r: (6, 10), amp: (5.4, 9), interference: 3.6,
          pct: 200.0 / 3),
        HandRow(
          1, "pair", 1, budget: 3, r: (8, 7), amp: (856.0 / 183, 749.0 / 183),
          interference: -107.0 / 183, pct: -12.5),
        HandRow(
          1, "pair", 2, budget: 4, r: (8, 8), amp: (214.0 / 61, 214.0 / 61), interference: 0,
          pct: 0),
        HandRow(
          1, "same-song", 1, budget: 3, r: (8, 9), amp: (856.0 / 183, 963.0 / 183),
          interference: 107.0 / 183, pct: 12.5),
        HandRow(
          1, "same-song", 2, budget: 2, r: (7, 9), amp: (749.0 / 122, 963.0 / 122),
          interference: 107.0 / 61, pct: 200.0 / 7),
      ],
      lines: [
        HandLine(
          "pair", 1, r: ((8, 0), (6.5, 0.98)),
          ampAlone: ((4.8 + 856.0 / 183) / 2, 0.98 * (4.8 - 856.0 / 183)),
          ampTogether: ((3.6 + 749.0 / 183) / 2, 0.98 * (749.0 / 183 - 3.6)),
          interference: ((-1.2 - 107.0 / 183) / 2, 0.98 * (1.2 - 107.0 / 183)),
          pct: (-18.75, 12.25), ofMeans: 100 * (-1.2 - 107.0 / 183) / (4.8 + 856.0 / 183)),
        HandLine(
          "pair", 2, r: ((8, 0), (8, 0)),
          ampAlone: ((3.6 + 214.0 / 61) / 2, 0.98 * (3.6 - 214.0 / 61)),
          ampTogether: ((3.6 + 214.0 / 61) / 2, 0.98 * (3.6 - 214.0 / 61)),
          interference: (0, 0), pct: (0, 0), ofMeans: 0),
        HandLine(
          "same-song", 1, r: ((8, 0), (9.5, 0.98)),
          ampAlone: ((4.8 + 856.0 / 183) / 2, 0.98 * (4.8 - 856.0 / 183)),
          ampTogether: ((6 + 963.0 / 183) / 2, 0.98 * (6 - 963.0 / 183)),
          interference: ((1.2 + 107.0 / 183) / 2, 0.98 * (1.2 - 107.0 / 183)),
          pct: (18.75, 12.25), ofMeans: 100 * (1.2 + 107.0 / 183) / (4.8 + 856.0 / 183)),
        HandLine(
          "same-song", 2, r: ((6.5, 0.98), (9.5, 0.98)),
          ampAlone: ((5.4 + 749.0 / 122) / 2, 0.98 * (749.0 / 122 - 5.4)),
          ampTogether: ((9 + 963.0 / 122) / 2, 0.98 * (9 - 963.0 / 122)),
          interference: ((3.6 + 107.0 / 61) / 2, 0.98 * (3.6 - 107.0 / 61)),
          pct: ((200.0 / 3 + 200.0 / 7) / 2, 0.98 * (200.0 / 3 - 200.0 / 7)),
          ofMeans: 100 * (9 + 963.0 / 122 - 5.4 - 749.0 / 122) / (5.4 + 749.0 / 122)),
      ])
  }

  /// Six short playlists c2 … c11 (10 tracks: never eligible, always training) and 18
  /// eligible playlists in the places of `handDataset`'s (so the split is the same): for even
  /// e "kind a" = a, c1, …, c10 (11 tracks), for odd e "kind b" = b, c1, …, c11 (12 tracks).
  static func kindsDataset() -> Dataset {
    let short = (2...11).map { "c\($0)" }
    let eligible = (0..<18).map { e in
      e % 2 == 0 ? ["a"] + (1...10).map { "c\($0)" } : ["b"] + (1...11).map { "c\($0)" }
    }
    return Fixtures.dataset(Array(repeating: short, count: 6) + eligible)
  }

  /// The same in the co-occurrence model, where which playlists hold a song and where in them
  /// decide whom it reaches; the exact update of the clean model gives every "alone" and
  /// "together".
  ///
  /// Model: window 1 (a pair is "x right before y"), no backward pairs, context decay 0.8: a
  /// seed scores y by Σ over its tracks x (the last at weight 1, the one before at 0.8, …) of
  /// n(x → y) / n(x → ·); K = 2, popularity fills the slots no score does.
  ///
  /// Every playlist of kind k (a or b) starts k → c1 and continues c_i → c_(i+1). So a kind-k
  /// test playlist with seed length L ≥ 2, [k, c1 … c_(L−1)], scores c_L at 1 (row c_(L−1)
  /// has one neighbour) and a song planted right after k, through row k, at
  /// 0.8^(L−1) · n / f(k) < 1 (c1 is in the seed); with seed length 1, [k], it scores c1 and
  /// the planted songs by their counts in row k, ties to the lower id (c1, then t:a, then
  /// t:b). What no score fills is c2 … c10 (frequency 14) or c11 (≥ 9), never a planted song
  /// (in at most 5 playlists). DirLoF puts s* right after a member's least frequent track,
  /// its first, k (f(k) ≤ 5 < f(c1) = 8 ≤ the other c's): row k gets k → s* instead of
  /// k → c1. At the beginning puts s* before k: no row leads to s*, so that collective's
  /// song alone is never scored, never recommended.
  ///
  /// So (window min(|truth|, 2)) a song planted in row k reaches the kind-k test playlists
  /// where it is second (first, at seed length 1, when it outnumbers c1) — unless another
  /// song planted in row k outnumbers it or ties with it at a lower id, making it third; a
  /// test playlist whose truth is a single track has room for c_L only.
  ///
  /// Split facts (asserted): test playlists by block — fold 0: kinds b a a a b a a b b b,
  /// |truth| 11 9 8 7 7 5 4 4 3 2; fold 1: b a a b a b b b b a, |truth| 11 9 8 8 6 6 5 4 3 1
  /// (the last, kind a, has room for one track). The collective order's kinds — fold 0:
  /// a a b b b a b a (so f(a) = f(b) = 4); fold 1: a a a b a b a b (f(a) = 5, f(b) = 3).
  ///
  /// pair: A = t:a by DirLoF on order[0..<3], B = t:b by DirLoF on order[3..<6].
  /// - fold 0: A holds a a b (row a: t:a 2, row b: t:a 1), B b b a (row b: t:b 2, row a: t:b
  ///   1). Alone each is second in all 10 test playlists (block 0, [b]: c1 3 before t:a 1;
  ///   c1 2 ties t:b 2 and wins on id): R 10. Together row a is t:a 2, t:b 1, c1 1 and row
  ///   b t:b 2, t:a 1, c1 1: each keeps its own kind and is third in the other (block 0: t:b,
  ///   c1, t:a): R 5 and 5.
  /// - fold 1: A holds a a a (row a: t:a 3), B b a b (row b: t:b 2, row a: t:b 1). Alone t:a
  ///   reaches kind-a blocks 1, 2, 4 (not 9): R 3; t:b those 3 and all 6 kind b (block 0, [b]:
  ///   t:b 2 before c1 1): R 9. Together row a is t:a 3, t:b 1: t:a keeps 3, t:b loses kind
  ///   a: R 6.
  /// same-song: A as above; C = t:a at the beginning of order[3..<5]. C alone: R 0. Together
  /// the song's rows are A's: R 10 (fold 0) and 3 (fold 1) in both rows; A's interference is
  /// 0, C's % is empty (alone 0), and so are its summary % and % of means.
  ///
  /// N_train = 267 entries (60 + 9·11 + 9·12) minus the test playlists' 115 or 116 = 152 or
  /// 151; Σ|G| = 60 or 61. Amplification R · N_train / (Σ|G| · B): fold 0 38 R / (15 B),
  /// fold 1 151 R / (61 B):
  ///
  /// | fold | setting, collective | B | R alone → together | amplification | interference | % |
  /// |---|---|---|---|---|---|---|
  /// | 0 | pair, A | 3 | 10 → 5 | 76/9 → 38/9 | −38/9 | −50 |
  /// | 0 | pair, B | 3 | 10 → 5 | 76/9 → 38/9 | −38/9 | −50 |
  /// | 0 | same-song, A | 3 | 10 → 10 | 76/9 → 76/9 | 0 | 0 |
  /// | 0 | same-song, C | 2 | 0 → 10 | 0 → 38/3 | 38/3 | (empty) |
  /// | 1 | pair, A | 3 | 3 → 3 | 151/61 → 151/61 | 0 | 0 |
  /// | 1 | pair, B | 3 | 9 → 6 | 453/61 → 302/61 | −151/61 | −100/3 |
  /// | 1 | same-song, A | 3 | 3 → 3 | 151/61 → 151/61 | 0 | 0 |
  /// | 1 | same-song, C | 2 | 0 → 3 | 0 → 453/122 | 453/122 | (empty) |
  ///
  /// Summary: mean and 0.98 · |x₀ − x₁| as in the popularity case.
  @Test func interferenceMatchesAHandDerivationInTheCoOccurrenceModel() throws {
    let dir = TemporaryDirectory()
    let data = Self.kindsDataset()
    #expect(data.playlists.entryCount == 267)
    try checkHandSplit(data)
    let config = SplitConfig(minTracks: 10, testSize: 10, folds: 2, seed: 0)
    let kinds = try (0..<2).map { f in
      try FoldSplit(store: data.playlists, config: config, fold: f).collectiveOrder.map {
        data.catalogue.trackIDs[Int(data.playlists[$0].first!)]
      }
    }
    #expect(kinds[0] == ["a", "a", "b", "b", "b", "a", "b", "a"])
    #expect(kinds[1] == ["a", "a", "a", "b", "a", "b", "a", "b"])
    var window1 = CoOccurrenceConfig()
    window1.window = 1
    let s = try handSpec(
      dir, data, model: .cooccurrence(window1), k: 2,
      settings: [
        CollectiveSetting(
          name: "pair", collectives: [group("t:a", .dirLoF, 3), group("t:b", .dirLoF, 3)]),
        CollectiveSetting(
          name: "same-song",
          collectives: [group("t:a", .dirLoF, 3), group("t:a", .atTheBeginning, 2)]),
      ])
    try runQuietly(s, in: dir.file("out"))
    try checkHand(
      dir.file("out"),
      rows: [
        HandRow(
          0, "pair", 1, budget: 3, r: (10, 5), amp: (76.0 / 9, 38.0 / 9),
          interference: -38.0 / 9, pct: -50),
        HandRow(
          0, "pair", 2, budget: 3, r: (10, 5), amp: (76.0 / 9, 38.0 / 9),
          interference: -38.0 / 9, pct: -50),
        HandRow(
          0, "same-song", 1, budget: 3, r: (10, 10), amp: (76.0 / 9, 76.0 / 9), interference: 0,
          pct: 0),
        HandRow(
          0, "same-song", 2, budget: 2, r: (0, 10), amp: (0, 38.0 / 3), interference: 38.0 / 3,
          pct: nil),
        HandRow(
          1, "pair", 1, budget: 3, r: (3, 3), amp: (151.0 / 61, 151.0 / 61), interference: 0,
          pct: 0),
        HandRow(
          1, "pair", 2, budget: 3, r: (9, 6), amp: (453.0 / 61, 302.0 / 61),
          interference: -151.0 / 61, pct: -100.0 / 3),
        HandRow(
          1, "same-song", 1, budget: 3, r: (3, 3), amp: (151.0 / 61, 151.0 / 61),
          interference: 0, pct: 0),
        HandRow(
          1, "same-song", 2, budget: 2, r: (0, 3), amp: (0, 453.0 / 122),
          interference: 453.0 / 122, pct: nil),
      ],
      lines: [
        HandLine(
          "pair", 1, r: ((6.5, 6.86), (4, 1.96)),
          ampAlone: ((76.0 / 9 + 151.0 / 61) / 2, 0.98 * (76.0 / 9 - 151.0 / 61)),
          ampTogether: ((38.0 / 9 + 151.0 / 61) / 2, 0.98 * (38.0 / 9 - 151.0 / 61)),
          interference: (-38.0 / 9 / 2, 0.98 * 38.0 / 9), pct: (-25, 49),
          ofMeans: 100 * (-38.0 / 9) / (76.0 / 9 + 151.0 / 61)),
        HandLine(
          "pair", 2, r: ((9.5, 0.98), (5.5, 0.98)),
          ampAlone: ((76.0 / 9 + 453.0 / 61) / 2, 0.98 * (76.0 / 9 - 453.0 / 61)),
          ampTogether: ((38.0 / 9 + 302.0 / 61) / 2, 0.98 * (302.0 / 61 - 38.0 / 9)),
          interference: ((-38.0 / 9 - 151.0 / 61) / 2, 0.98 * (38.0 / 9 - 151.0 / 61)),
          pct: ((-50 - 100.0 / 3) / 2, 0.98 * (50 - 100.0 / 3)),
          ofMeans: 100 * (-38.0 / 9 - 151.0 / 61) / (76.0 / 9 + 453.0 / 61)),
        HandLine(
          "same-song", 1, r: ((6.5, 6.86), (6.5, 6.86)),
          ampAlone: ((76.0 / 9 + 151.0 / 61) / 2, 0.98 * (76.0 / 9 - 151.0 / 61)),
          ampTogether: ((76.0 / 9 + 151.0 / 61) / 2, 0.98 * (76.0 / 9 - 151.0 / 61)),
          interference: (0, 0), pct: (0, 0), ofMeans: 0),
        HandLine(
          "same-song", 2, r: ((0, 0), (6.5, 6.86)), ampAlone: (0, 0),
          ampTogether: ((38.0 / 3 + 453.0 / 122) / 2, 0.98 * (38.0 / 3 - 453.0 / 122)),
          interference: ((38.0 / 3 + 453.0 / 122) / 2, 0.98 * (38.0 / 3 - 453.0 / 122)),
          pct: nil, ofMeans: nil),
      ])
  }

  /// The split both tiny datasets share (it depends only on which playlists are eligible:
  /// playlists 6…23, every one with more than 10 tracks): the lengths of the test playlists
  /// in block order, which the derivations rest on.
  func checkHandSplit(_ data: Dataset) throws {
    let config = SplitConfig(minTracks: 10, testSize: 10, folds: 2, seed: 0)
    let lengths = try (0..<2).map { f in
      try FoldSplit(store: data.playlists, config: config, fold: f).test.map {
        data.playlists.length($0)
      }
    }
    #expect(lengths[0] == [12, 11, 11, 11, 12, 11, 11, 12, 12, 12])
    #expect(lengths[1] == [12, 11, 11, 12, 11, 12, 12, 12, 12, 11])
  }

  /// A study of `data` (written to `dir`) with the tiny datasets' split, one grid run (DirLoF,
  /// 3 playlists) and `settings`.
  func handSpec(
    _ dir: TemporaryDirectory, _ data: Dataset, model: ModelSpec, k: Int,
    settings: [CollectiveSetting]
  ) throws -> ExperimentSpec {
    try BinaryCache.write(data, to: dir.file("tiny.chorus"))
    var s = ExperimentSpec()
    s.name = "hand"
    s.dataset = dir.file("tiny.chorus")
    s.split = SplitConfig(minTracks: 10, testSize: 10, folds: 2, seed: 0)
    s.model = model
    s.strategies = [.dirLoF]
    s.sizes = [.budget(3)]
    s.k = k
    s.collectives = CollectivesStudy(settings: settings)
    return s
  }

  /// Asserts collectives.csv (in plan order: fold, setting, collective) and
  /// collectives-summary.csv (setting, collective) of `folder` against the derived values;
  /// every collective follows in full and the collectives are disjoint.
  func checkHand(_ folder: String, rows expected: [HandRow], lines: [HandLine]) throws {
    func same(_ a: CSVCell?, _ b: Double?) -> Bool {
      guard let b else { return a == .empty }
      return a?.double.map { approximatelyEqual($0, b, tolerance: 1e-12) } ?? false
    }
    let got = try rows(folder)
    #expect(got.count == expected.count)
    for (row, e) in zip(got, expected) {
      let at = "fold \(e.fold) \(e.setting) \(e.collective)"
      #expect(row["fold"]?.double == Double(e.fold), "\(at)")
      #expect(row["setting"]?.string == e.setting, "\(at)")
      #expect(row["collective"]?.double == Double(e.collective), "\(at)")
      #expect(row["budget"]?.double == Double(e.budget), "\(at)")
      #expect(row["followers"]?.double == Double(e.budget), "\(at)")
      #expect(row["shared_playlists"]?.double == 0, "\(at)")
      #expect(row["recommendations_alone"]?.double == Double(e.r.alone), "\(at)")
      #expect(row["recommendations_together"]?.double == Double(e.r.together), "\(at)")
      #expect(same(row["amplification_alone"], e.amp.alone), "\(at)")
      #expect(same(row["amplification_together"], e.amp.together), "\(at)")
      #expect(same(row["interference"], e.interference), "\(at)")
      #expect(same(row["interference_pct"], e.pct), "\(at)")
    }
    let summary = try rows(folder, "collectives-summary.csv")
    #expect(summary.count == lines.count)
    for (row, e) in zip(summary, lines) {
      let at = "\(e.setting) \(e.collective)"
      #expect(row["setting"]?.string == e.setting, "\(at)")
      #expect(row["collective"]?.double == Double(e.collective), "\(at)")
      #expect(row["folds"]?.double == 2, "\(at)")
      let pairs: [(String, (Double, Double)?)] = [
        ("recommendations_alone", e.r.alone), ("recommendations_together", e.r.together),
        ("amplification_alone", e.ampAlone), ("amplification_together", e.ampTogether),
        ("interference", e.interference), ("interference_pct", e.pct),
      ]
      for (name, value) in pairs {
        #expect(same(row[name], value?.0), "\(at) \(name)")
        #expect(same(row[name + "_ci"], value?.1), "\(at) \(name)_ci")
      }
      for name in ["budget", "followers", "shared_playlists"] {
        #expect(row[name + "_ci"]?.double == 0, "\(at) \(name)_ci")
      }
      #expect(same(row["interference_pct_of_means"], e.ofMeans), "\(at)")
    }
  }
}

/// One row of collectives.csv as derived by hand: R and the amplification alone and together,
/// the interference and its % (nil: an empty cell).
struct HandRow {
  var fold: Int
  var setting: String
  var collective: Int
  var budget: Int
  var r: (alone: Int, together: Int)
  var amp: (alone: Double, together: Double)
  var interference: Double
  var pct: Double?

  init(
    _ fold: Int, _ setting: String, _ collective: Int, budget: Int, r: (Int, Int),
    amp: (Double, Double), interference: Double, pct: Double?
  ) {
    self.fold = fold
    self.setting = setting
    self.collective = collective
    self.budget = budget
    self.r = r
    self.amp = amp
    self.interference = interference
    self.pct = pct
  }
}

/// One row of collectives-summary.csv as derived by hand: (mean, CI) of R alone and together,
/// the amplification alone and together, the interference and its %, and the % of means
/// (nil: empty cells).
struct HandLine {
  var setting: String
  var collective: Int
  var r: (alone: (Double, Double), together: (Double, Double))
  var ampAlone: (Double, Double)
  var ampTogether: (Double, Double)
  var interference: (Double, Double)
  var pct: (Double, Double)?
  var ofMeans: Double?

  init(
    _ setting: String, _ collective: Int, r: ((Double, Double), (Double, Double)),
    ampAlone: (Double, Double), ampTogether: (Double, Double), interference: (Double, Double),
    pct: (Double, Double)?, ofMeans: Double?
  ) {
    self.setting = setting
    self.collective = collective
    self.r = r
    self.ampAlone = ampAlone
    self.ampTogether = ampTogether
    self.interference = interference
    self.pct = pct
    self.ofMeans = ofMeans
  }
}
