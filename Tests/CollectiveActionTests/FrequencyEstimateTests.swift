// The collective's frequency estimates (Experiments/PROTOCOL.md §4): full counts, samples (q = 1
// equals full, q = 0 is the collective alone), the proxy (σ = 0 is the truth), the external table
// (header, comments, unknown tracks, errors naming the line), and the quality report.
import ChorusCore
import ChorusTestSupport
import CollectiveAction
import Testing

@Suite struct FrequencyEstimateTests {
  let data = TestData.random
  let training = Array(0..<TestData.random.playlistCount).filter { $0 % 7 != 0 }
  var collective: ArraySlice<Int> { ArraySlice(training.prefix(60)) }

  func truth() -> [Int32] {
    SongCounts.count(in: data.playlists, playlists: training, trackCount: data.trackCount)
  }

  @Test func fullCountsPlaylistsContainingEachTrack() {
    let stats = TestData.goldenStatistics
    // a4 b3 c3 d4 e1 f3 g2 h2 i1 j1 k1
    #expect(stats.estimates == [4, 3, 3, 4, 1, 3, 2, 2, 1, 1, 1])
    #expect(stats.knownCount == 11)
    #expect(stats.estimate(of: 6) == 2)
    var expected = [Int32](repeating: 0, count: data.trackCount)
    for p in training { for t in data.playlists[p] { expected[Int(t)] += 1 } }
    #expect(truth() == expected)
  }

  @Test func sampleWithEverythingEqualsFull() {
    let all = FrequencyEstimate.sample(
      fraction: 1, store: data.playlists, training: training, collective: collective,
      trackCount: data.trackCount, seed: 3)
    let full = FrequencyEstimate.full(trueCounts: truth())
    #expect(all.estimates == full.estimates)
    #expect(all.playlistsCounted == training.count)
  }

  @Test func sampleOfNothingIsTheCollectiveAlone() {
    let alone = FrequencyEstimate.sample(
      fraction: 0, store: data.playlists, training: training, collective: collective,
      trackCount: data.trackCount, seed: 3)
    let counts = SongCounts.count(
      in: data.playlists, playlists: collective, trackCount: data.trackCount)
    #expect(alone.estimates == counts.map { Double($0) })
    #expect(alone.playlistsCounted == collective.count)
  }

  @Test func partialSampleIsSeededAndBetweenTheBounds() {
    func sample(_ seed: UInt64) -> FrequencyEstimate {
      FrequencyEstimate.sample(
        fraction: 0.3, store: data.playlists, training: training, collective: collective,
        trackCount: data.trackCount, seed: seed)
    }
    let a = sample(3)
    #expect(a == sample(3))
    #expect(a != sample(4))
    let others = training.count - collective.count
    #expect(a.playlistsCounted == collective.count + Int((0.3 * Double(others)).rounded(.up)))
    let full = truth()
    let alone = SongCounts.count(
      in: data.playlists, playlists: collective, trackCount: data.trackCount)
    for t in 0..<data.trackCount {
      #expect(a.estimates[t] >= Double(alone[t]) && a.estimates[t] <= Double(full[t]))
    }
  }

  @Test func proxyWithoutNoiseIsTheTruth() {
    let counts = truth()
    let proxy = FrequencyEstimate.proxy(sigma: 0, trueCounts: counts, seed: 8)
    #expect(proxy.estimates == counts.map { Double($0) })
    let truthValues = counts.map { Double($0) }
    #expect(RankCorrelation.spearman(proxy.estimates, truthValues) == 1)
  }

  @Test func noisyProxyKeepsSomeOfTheRanking() {
    let counts = truth()
    let truthValues = counts.map { Double($0) }
    let mild = FrequencyEstimate.proxy(sigma: 0.3, trueCounts: counts, seed: 8)
    let wild = FrequencyEstimate.proxy(sigma: 3, trueCounts: counts, seed: 8)
    #expect(mild == FrequencyEstimate.proxy(sigma: 0.3, trueCounts: counts, seed: 8))
    let rMild = RankCorrelation.spearman(mild.estimates, truthValues)!
    let rWild = RankCorrelation.spearman(wild.estimates, truthValues)!
    #expect(rMild > 0.5 && rMild < 1)
    #expect(rWild < rMild)
    #expect(mild.estimates.allSatisfy { $0 >= 0 && $0.isFinite })
  }

  @Test func makeDispatchesOnTheSpec() throws {
    let counts = truth()
    func make(_ spec: EstimateSource) throws -> FrequencyEstimate {
      try FrequencyEstimate.make(
        spec, store: data.playlists, catalogue: data.catalogue, training: training,
        collective: collective, seed: 2)
    }
    #expect(try make(.full).estimates == counts.map { Double($0) })
    #expect(try make(.sample(fraction: 1)).estimates == counts.map { Double($0) })
    #expect(
      try make(.proxy(sigma: 0.5))
        == FrequencyEstimate.proxy(sigma: 0.5, trueCounts: counts, seed: 2))
    #expect(try make(.full).source == .full)
  }

  // MARK: - Table

  @Test func tableReadsCountsAndLeavesTheRestUnknown() throws {
    let dir = TemporaryDirectory()
    let path = dir.write(
      "pop.csv",
      "\u{FEFF}track_id,count\r\n# scraped 2024\r\n\r\nb, 120\r\n\"c\",7.5\r\nzzz,4\r\nd,\r\na,0\n")
    let stats = try FrequencyEstimate.table(path: path, catalogue: TestData.golden.catalogue)
    // a0 b1 c2 d3; d has an empty count, zzz is not in the catalogue.
    #expect(stats.estimate(of: 0) == 0)
    #expect(stats.estimate(of: 1) == 120)
    #expect(stats.estimate(of: 2) == 7.5)
    #expect(stats.estimate(of: 3) == nil)
    #expect(stats.estimate(of: 4) == nil)
    #expect(stats.knownCount == 3)
    var summary = TableSummary()
    summary.rows = 5
    summary.matched = 3
    summary.notInCatalogue = 1
    summary.withoutCount = 1
    #expect(stats.table == summary)
    #expect(stats.source == .table(path: path))
  }

  @Test func tableWithoutHeaderAndBareSpotifyIDs() throws {
    let data = Fixtures.dataset([["spotify:track:AAA", "spotify:track:BBB"]])
    let dir = TemporaryDirectory()
    let path = dir.write("pop.csv", "AAA,10\nspotify:track:BBB,20\n")
    let stats = try FrequencyEstimate.table(path: path, catalogue: data.catalogue)
    #expect(stats.estimates == [10, 20])
  }

  @Test(arguments: [
    ("track_id,count\na,1\nb,2,3\n", 3, "expected 2 fields"),
    ("a,1\nb,lots\n", 2, "bad count"),
    ("a,1\n\nb,-4\n", 3, "bad count"),
    ("a,1\nb\n", 2, "found 1"),
    ("a,1\n,5\n", 2, "empty track id"),
    ("a,1\nb,2\na,3\n", 3, "listed twice (first on line 1)"),
  ])
  func badTableRowsNameTheFileAndLine(text: String, line: Int, message: String) {
    let dir = TemporaryDirectory()
    let path = dir.write("pop.csv", text)
    do {
      _ = try FrequencyEstimate.table(path: path, catalogue: TestData.golden.catalogue)
      Issue.record("accepted a bad table")
    } catch let error as ChorusError {
      #expect(error.kind == .data)
      #expect(error.file == path)
      #expect(error.line == line)
      #expect(error.message.contains(message))
      #expect(error.description.contains("pop.csv:\(line):"))
    } catch {
      Issue.record("unexpected error \(error)")
    }
  }

  @Test func missingTableIsAnIOError() {
    #expect {
      try FrequencyEstimate.table(
        path: "/nonexistent/pop.csv", catalogue: TestData.golden.catalogue)
    } throws: { ($0 as? ChorusError)?.kind == .io }
  }

  @Test func unknownTracksInATableGiveRandomAnchors() throws {
    let dir = TemporaryDirectory()
    // Only d (3) and k (10) are known: P0 anchors on d; P3 on k; P1 and P2 know nothing.
    let path = dir.write("pop.csv", "d,100\nk,5\n")
    let stats = try FrequencyEstimate.table(path: path, catalogue: TestData.golden.catalogue)
    let rows = try TestData.goldenPlant(.dirLoF, statistics: stats)
    #expect(rows[0] == ["a", "b", "c", "d", "*"])
    #expect(rows[3] == ["i", "j", "b", "k", "*"])
    #expect(rows[1].filter { $0 == "*" }.count == 1 && rows[1].first != "*")
  }
}

@Suite struct EstimateQualityTests {
  @Test func averageRanksShareTies() {
    #expect(RankCorrelation.averageRanks([10, 20, 20, 5]) == [2, 3.5, 3.5, 1])
    #expect(RankCorrelation.averageRanks([1, 1, 1]) == [2, 2, 2])
  }

  @Test func spearmanKnownCases() {
    // Ranks of y with a tie: [1, 2, 3.5, 5, 3.5]; ρ = 8 / √95.
    let rho = RankCorrelation.spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7])!
    #expect(approximatelyEqual(rho, 8 / 95.0.squareRoot()))
    #expect(RankCorrelation.spearman([1, 2, 3], [10, 100, 1000]) == 1)
    #expect(RankCorrelation.spearman([1, 2, 3], [3, 2, 1]) == -1)
    #expect(RankCorrelation.spearman([1, 2, 3], [4, 4, 4]) == nil)
    #expect(RankCorrelation.spearman([1], [1]) == nil)
  }

  @Test func qualityOfFullStatisticsOnTheGoldenCollective() throws {
    let stats = TestData.goldenStatistics
    let truth = stats.estimates.map { Int32($0) }
    let result = try Planting.plant(
      strategy: .dirLoF, store: TestData.golden.playlists,
      collective: TestData.goldenCollective, target: TestData.goldenTarget, statistics: stats,
      seed: 1)
    let q = EstimateQuality.evaluate(
      statistics: stats, trueCounts: truth, store: TestData.golden.playlists,
      collective: TestData.goldenCollective, edits: result.edits)
    #expect(q.tracks == 11)
    #expect(q.knownTracks == 11)
    #expect(approximatelyEqual(q.spearman!, 1))
    // Direct anchors b3 e1 g2 i1; indirect anchors c3 c3 c3 j1.
    #expect(q.directAnchors.count == 4)
    #expect(q.directAnchors.mean == 1.75)
    #expect(q.directAnchors.median == 1.5)
    #expect(q.directAnchors.min == 1 && q.directAnchors.max == 3)
    #expect(q.indirectAnchors.mean == 2.5)
    #expect(q.indirectAnchors.median == 3)
  }

  @Test func qualityCountsOnlyKnownTracks() throws {
    var estimates = TestData.goldenStatistics.estimates
    estimates[0] = .nan
    // Reverse the order of the remaining known tracks: ρ must turn negative.
    for t in 1..<estimates.count { estimates[t] = 10 - estimates[t] }
    let stats = FrequencyEstimate(source: .proxy(sigma: 1), estimates: estimates)
    let truth = TestData.goldenStatistics.estimates.map { Int32($0) }
    let q = EstimateQuality.evaluate(
      statistics: stats, trueCounts: truth, store: TestData.golden.playlists,
      collective: TestData.goldenCollective, edits: [])
    #expect(q.knownTracks == 10)
    #expect(approximatelyEqual(q.spearman!, -1))
    #expect(q.directAnchors == AnchorFrequencies([]))
    #expect(q.directAnchors.mean == nil)
  }
}
