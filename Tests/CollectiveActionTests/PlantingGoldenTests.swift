// Golden cases computed by hand on TestData.golden (a 4-playlist collective): DirLoF,
// InClust, InClust(k), DirLoF-target, Hybrid, the fixed-position baselines, unknown
// estimates, and the edit log's anchors.
import ChorusCore
import ChorusTestSupport
import CollectiveAction
import Testing

@Suite struct PlantingGoldenTests {
  @Test func dirLoFInsertsAfterTheRarestSongEarliestOnTies() throws {
    // P0: a4 b3 c3 d4 → after b (b and c tie; b is earlier). P1: e1 → after e.
    // P2: g2 c3 h2 → after g (g and h tie). P3: i1 j1 b3 k1 → after i.
    #expect(
      try TestData.goldenPlant(.dirLoF) == [
        ["a", "b", "*", "c", "d"], ["e", "*", "c", "f", "b"], ["g", "*", "c", "h"],
        ["i", "*", "j", "b", "k"],
      ])
  }

  @Test func inClustInsertsBeforeTheMostSharedSong() throws {
    // c: b3 c3, others 1. P0 → before b; P1 → before c (earlier than b); P2 → before c;
    // P3 → before b.
    #expect(
      try TestData.goldenPlant(.inClust) == [
        ["a", "*", "b", "c", "d"], ["e", "*", "c", "f", "b"], ["g", "*", "c", "h"],
        ["i", "j", "*", "b", "k"],
      ])
  }

  @Test func inClustTopKUsesTheAgreedSongs() throws {
    // k = 1: b and c tie at c = 3, b has the lower id, so the collective agrees on b.
    // P1 now goes before b (not c); P2 has no b and uses its own most shared song c.
    #expect(
      try TestData.goldenPlant(.inClustTop(k: 1)) == [
        ["a", "*", "b", "c", "d"], ["e", "c", "f", "*", "b"], ["g", "*", "c", "h"],
        ["i", "j", "*", "b", "k"],
      ])
    // k = 2 agrees on {b, c}: the same as plain InClust here.
    #expect(try TestData.goldenPlant(.inClustTop(k: 2)) == TestData.goldenPlant(.inClust))
  }

  @Test func dirLoFTargetPrefersAnchorsSharedByXPlaylists() throws {
    // x = 3: songs with c = 3 exist everywhere (b or c); lowest f among them, earliest.
    #expect(
      try TestData.goldenPlant(.dirLoFTarget(3)) == [
        ["a", "b", "*", "c", "d"], ["e", "c", "*", "f", "b"], ["g", "c", "*", "h"],
        ["i", "j", "b", "*", "k"],
      ])
    // x = 2: no song has c = 2, so m = 1: the rarest song among those only this playlist
    // holds. P0: a4 d4 → after a (plain DirLoF would take b).
    #expect(
      try TestData.goldenPlant(.dirLoFTarget(2)) == [
        ["a", "*", "b", "c", "d"], ["e", "*", "c", "f", "b"], ["g", "*", "c", "h"],
        ["i", "*", "j", "b", "k"],
      ])
  }

  @Test func dirLoFTargetFallsBackToDirLoFWhenAllSongsAreMoreShared() throws {
    // A collective of two identical playlists: every song has c = 2 > x = 1.
    let data = Fixtures.dataset([["x", "y", "z"], ["x", "y", "z"], ["y", "z"], ["z"]])
    let stats = FrequencyEstimate.full(
      store: data.playlists, training: [0, 1, 2, 3], trackCount: data.trackCount)
    let result = try Planting.plant(
      strategy: .dirLoFTarget(1), store: data.playlists, collective: [0, 1],
      target: Int32(data.trackCount), statistics: stats, seed: 3)
    // x has f = 2, the lowest: after x, as plain DirLoF.
    #expect(result.edits.map(\.position) == [1, 1])
  }

  @Test func hybridSwitchesOnTau() throws {
    // Every collective playlist holds b or c (c = 3): τ = 3 gives InClust, τ = 4 DirLoF.
    #expect(try TestData.goldenPlant(.hybrid(tau: 3)) == TestData.goldenPlant(.inClust))
    #expect(try TestData.goldenPlant(.hybrid(tau: 4)) == TestData.goldenPlant(.dirLoF))
  }

  @Test func fixedPositionBaselines() throws {
    #expect(
      try TestData.goldenPlant(.atTheBeginning).map { $0.first } == Array(repeating: "*", count: 4))
    #expect(try TestData.goldenPlant(.atTheEnd).map { $0.last } == Array(repeating: "*", count: 4))
    // insert-at:3 → index min(3, L): P2 has 3 songs, so s* goes last there.
    #expect(
      try TestData.goldenPlant(.insertAt(3)) == [
        ["a", "b", "c", "*", "d"], ["e", "c", "f", "*", "b"], ["g", "c", "h", "*"],
        ["i", "j", "b", "*", "k"],
      ])
    #expect(try TestData.goldenPlant(.insertAt(0)) == TestData.goldenPlant(.atTheBeginning))
    #expect(try TestData.goldenPlant(.insertAt(99)) == TestData.goldenPlant(.atTheEnd))
  }

  @Test func unknownEstimatesAreSkippedAndAllUnknownMeansRandom() throws {
    var estimates = TestData.goldenStatistics.estimates
    estimates[4] = .nan  // e unknown: P1 (e c f b) now anchors on c, the earliest f = 3.
    for t in [8, 9, 10] { estimates[t] = .nan }  // P3: only b (f = 3) is known.
    let partial = FrequencyEstimate(source: .table(path: "t.csv"), estimates: estimates)
    let rows = try TestData.goldenPlant(.dirLoF, statistics: partial)
    #expect(rows[1] == ["e", "c", "*", "f", "b"])
    #expect(rows[3] == ["i", "j", "b", "*", "k"])

    // Nothing known: every playlist gets s* right after a random song (never first).
    let none = FrequencyEstimate(
      source: .table(path: "t.csv"), estimates: Array(repeating: .nan, count: estimates.count))
    let result = try Planting.plant(
      strategy: .dirLoF, store: TestData.golden.playlists,
      collective: TestData.goldenCollective, target: TestData.goldenTarget, statistics: none,
      seed: 1)
    for (i, e) in result.edits.enumerated() {
      #expect(e.position >= 1 && e.position <= result.old.length(i))
    }
  }

  @Test func editLogNamesBothAnchors() throws {
    let result = try Planting.plant(
      strategy: .dirLoF, store: TestData.golden.playlists,
      collective: TestData.goldenCollective, target: TestData.goldenTarget,
      statistics: TestData.goldenStatistics, seed: 1)
    // P0: a b * c d → direct b (1), indirect c (2).
    #expect(
      result.edits[0] == PlantEdit(playlist: 0, position: 2, directAnchor: 1, indirectAnchor: 2))
    let begin = try Planting.plant(
      strategy: .atTheBeginning, store: TestData.golden.playlists, collective: [2],
      target: TestData.goldenTarget, statistics: TestData.goldenStatistics, seed: 1)
    #expect(
      begin.edits == [
        PlantEdit(
          playlist: 2, position: 0, directAnchor: -1, indirectAnchor: 6, targeted: .indirect)
      ])
    #expect(begin.edits[0].targetedAnchor == 6)
    let end = try Planting.plant(
      strategy: .atTheEnd, store: TestData.golden.playlists, collective: [2],
      target: TestData.goldenTarget, statistics: TestData.goldenStatistics, seed: 1)
    #expect(end.edits == [PlantEdit(playlist: 2, position: 3, directAnchor: 7, indirectAnchor: -1)])
    #expect(end.edits[0].targetedAnchor == 7)
  }

  /// The edit records which neighbour the strategy aimed at; Hybrid decides per playlist
  /// (τ = 1: every playlist has a song with c ≥ 1, so always InClust; huge τ: always DirLoF).
  @Test func editsRecordTheTargetedAnchor() throws {
    func plant(_ name: String) throws -> [PlantEdit] {
      try Planting.plant(
        strategy: try Strategy(name: name), store: TestData.golden.playlists,
        collective: TestData.goldenCollective, target: TestData.goldenTarget,
        statistics: TestData.goldenStatistics, seed: 1
      ).edits
    }
    for (name, kind) in [
      ("dirlof", AnchorKind.direct), ("random", .direct), ("inclust", .indirect),
      ("hybrid:tau=1", .indirect), ("hybrid:tau=1000", .direct),
    ] {
      let edits = try plant(name)
      #expect(!edits.isEmpty)
      #expect(edits.allSatisfy { $0.targeted == kind }, "\(name)")
    }
    let hybrid = try plant("hybrid:tau=1")
    let inclust = try plant("inclust")
    #expect(hybrid.map(\.position) == inclust.map(\.position))
  }

  @Test func emptyPlaylistsGetOnlyTheTarget() throws {
    let data = Fixtures.dataset([[], ["a", "b"]])
    let stats = FrequencyEstimate.full(
      store: data.playlists, training: [0, 1], trackCount: data.trackCount)
    for strategy in Strategy.examples {
      let result = try Planting.plant(
        strategy: strategy, store: data.playlists, collective: [0, 1],
        target: Int32(data.trackCount), statistics: stats, seed: 2)
      #expect(result.new[0] == [Int32(data.trackCount)])
      #expect(
        result.edits[0] == PlantEdit(playlist: 0, position: 0, directAnchor: -1, indirectAnchor: -1)
      )
    }
  }

  @Test func invalidCollectivesAreRejected() throws {
    let stats = TestData.goldenStatistics
    let store = TestData.golden.playlists
    let t = TestData.goldenTarget
    #expect(throws: ChorusError.self) {
      try Planting.plant(
        strategy: .dirLoF, store: store, collective: [], target: t, statistics: stats, seed: 0)
    }
    #expect(throws: ChorusError.self) {
      try Planting.plant(
        strategy: .dirLoF, store: store, collective: [1, 1], target: t, statistics: stats, seed: 0)
    }
    #expect(throws: ChorusError.self) {
      try Planting.plant(
        strategy: .dirLoF, store: store, collective: [99], target: t, statistics: stats, seed: 0)
    }
    // The target must be new: track 1 (b) is in P0.
    #expect(throws: ChorusError.self) {
      try Planting.plant(
        strategy: .dirLoF, store: store, collective: [0], target: 1, statistics: stats, seed: 0)
    }
    let small = FrequencyEstimate(source: .full, estimates: [1, 2])
    #expect(throws: ChorusError.self) {
      try Planting.plant(
        strategy: .dirLoF, store: store, collective: [0], target: t, statistics: small, seed: 0)
    }
  }
}
