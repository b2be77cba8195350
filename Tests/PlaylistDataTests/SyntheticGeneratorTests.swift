// Tests of the synthetic MPD-like generator: determinism (seed, core count, prefixes), the
// shape targets that can be checked at tiny/small scale, and coherence (artist runs, a
// learnable next-track signal). Bands are loose enough for any seed, tight enough to catch a
// broken process; the mpd-scale numbers are measured in Datasets/README.md, not asserted.
import ChorusCore
import Testing

@testable import PlaylistData

/// Datasets shared by the suites below (generated once per test process).
enum SyntheticFixtures {
  static let tiny = SyntheticGenerator.generate(preset: .tiny, seed: 0)
  static let small = SyntheticGenerator.generate(preset: .small, seed: 0)
  static let tinyStats = DatasetStatistics(dataset: tiny)
  static let smallStats = DatasetStatistics(dataset: small)
}

// MARK: - Determinism

@Suite(.serialized) struct SyntheticDeterminismTests {
  /// The default process over a smaller universe: determinism does not depend on its size,
  /// and a debug build generates it much faster.
  static let compact: SyntheticConfig = {
    var c = SyntheticConfig()
    c.artistCount = 20_000
    return c
  }()

  @Test func sameSeedGivesIdenticalDataset() {
    #expect(SyntheticGenerator.generate(preset: .tiny, seed: 0) == SyntheticFixtures.tiny)
  }

  @Test func differentSeedGivesDifferentDataset() {
    let a = SyntheticGenerator.generate(config: Self.compact, playlists: 300, seed: 1)
    let b = SyntheticGenerator.generate(config: Self.compact, playlists: 300, seed: 2)
    #expect(a.playlists != b.playlists)
    #expect(a.catalogue.trackIDs != b.catalogue.trackIDs)
  }

  @Test func threadCountDoesNotChangeOutput() {
    // 2,500 playlists: three generation chunks, the last one partial.
    let one = ParallelConfig.withThreads(1) {
      SyntheticGenerator.generate(config: Self.compact, playlists: 2_500, seed: 3)
    }
    let two = ParallelConfig.withThreads(2) {
      SyntheticGenerator.generate(config: Self.compact, playlists: 2_500, seed: 3)
    }
    #expect(one == two)
  }

  @Test func smallerDatasetIsPrefixOfLarger() {
    let prefix = SyntheticGenerator.generate(config: Self.compact, playlists: 1_500, seed: 4)
    let full = SyntheticGenerator.generate(config: Self.compact, playlists: 2_100, seed: 4)
    #expect(prefix.playlists == full.playlists.subset(Array(0..<1_500)))
    let n = prefix.trackCount
    #expect(prefix.catalogue.trackIDs.strings == Array(full.catalogue.trackIDs.strings[0..<n]))
    #expect(prefix.names.strings == Array(full.names.strings[0..<1_500]))
  }
}

// MARK: - Shape

@Suite struct SyntheticShapeTests {
  @Test func presetSizes() {
    #expect(SyntheticPreset.tiny.playlistCount == 2_000)
    #expect(SyntheticPreset.mpd.playlistCount == 1_000_000)
    #expect(SyntheticFixtures.tiny.playlistCount == 2_000)
    #expect(SyntheticFixtures.small.playlistCount == 20_000)
  }

  @Test func idsNamesAndPids() {
    let d = SyntheticFixtures.tiny
    #expect(d.pids == (0..<2_000).map { Int64($0) })
    #expect(d.warnings == DataWarnings())
    for t in [0, 1, d.trackCount - 1] {
      let id = d.catalogue.trackIDs[t]
      #expect(id.hasPrefix("chorus:track:"))
      #expect(d.catalogue.trackNames[t] == "Track " + id.dropFirst("chorus:track:".count))
      let a = Int(d.catalogue.trackArtist[t])
      let key = d.catalogue.artistIDs[a]
      #expect(key.hasPrefix("chorus:artist:"))
      #expect(d.catalogue.artistNames[a] == "Artist " + key.dropFirst("chorus:artist:".count))
    }
    #expect(d.names.strings.allSatisfy { $0.lowercased().contains("genre ") })
  }

  @Test func noRepeatsWithinPlaylists() {
    let d = SyntheticFixtures.tiny
    for p in 0..<d.playlistCount {
      #expect(Set(d.playlists[p]).count == d.playlists.length(p))
    }
  }

  @Test(arguments: [SyntheticPreset.tiny, .small])
  func playlistLengths(preset: SyntheticPreset) {
    let s = preset == .tiny ? SyntheticFixtures.tinyStats : SyntheticFixtures.smallStats
    #expect(s.lengthMin >= 5 && s.lengthMax <= 250)
    #expect((58.0...74.0).contains(s.lengthMean))  // MPD: 66.3
    #expect((42.0...58.0).contains(s.lengthMedian))  // MPD: 49
  }

  @Test func longTailShrinksWithScale() {
    let tiny = SyntheticFixtures.tinyStats
    let small = SyntheticFixtures.smallStats
    // The same process sampled more often reaches fewer new tracks per playlist.
    #expect(tiny.shareOfTracksInOnePlaylist > small.shareOfTracksInOnePlaylist)
    #expect((0.55...0.90).contains(tiny.shareOfTracksInOnePlaylist))
    #expect((0.45...0.80).contains(small.shareOfTracksInOnePlaylist))
    #expect(small.tracks > 5 * tiny.tracks / 2)
  }

  @Test func popularityAndConcentration() {
    let s = SyntheticFixtures.smallStats
    // MPD: the top track is in 4.7% of playlists; allow sampling noise at 20k playlists.
    #expect((0.025...0.08).contains(s.topTrackShareOfPlaylists))
    // Artist entries are highly concentrated (MPD: the top tenth holds most entries).
    #expect(s.topDecileArtistShareOfEntries > 0.75)
    #expect(s.artistGini > 0.75)
  }
}

// MARK: - Coherence

@Suite struct SyntheticCoherenceTests {
  @Test func adjacentTracksShareArtistsFarMoreThanShuffled() {
    let d = SyntheticFixtures.tiny
    var shuffledTracks: [Int32] = []
    shuffledTracks.reserveCapacity(d.playlists.entryCount)
    var rng = RandomStream(seed: 1, component: "test.shuffle")
    for p in 0..<d.playlistCount {
      var list = Array(d.playlists[p])
      rng.shuffle(&list)
      shuffledTracks.append(contentsOf: list)
    }
    var shuffled = d
    shuffled.playlists = PlaylistStore(offsets: d.playlists.offsets, tracks: shuffledTracks)
    let observed = SyntheticFixtures.tinyStats.consecutiveSameArtistShare
    let baseline = DatasetStatistics(dataset: shuffled, top: 0).consecutiveSameArtistShare
    #expect(observed > 0.1)
    #expect(observed > 2 * baseline)
  }

  @Test func bigramPredictorBeatsPopularity() {
    // Train on the first 80% of `tiny`, predict each next track of the held-out playlists
    // from the previous one; hit@10 of bigram counts (filled up by popularity) vs popularity.
    let d = SyntheticFixtures.tiny
    let store = d.playlists
    let split = store.count * 4 / 5
    var frequency = [Int](repeating: 0, count: d.trackCount)
    var following: [Int32: [Int32: Int]] = [:]
    for p in 0..<split {
      let list = Array(store[p])
      for (i, t) in list.enumerated() {
        frequency[Int(t)] += 1
        if i + 1 < list.count { following[t, default: [:]][list[i + 1], default: 0] += 1 }
      }
    }
    let popular = Array(
      frequency.indices.sorted { (frequency[$0], $1) > (frequency[$1], $0) }.prefix(10).map {
        Int32($0)
      })
    var bigramHits = 0
    var popularityHits = 0
    var pairs = 0
    for p in split..<store.count {
      let list = Array(store[p])
      for i in 1..<list.count {
        let truth = list[i]
        pairs += 1
        if popular.contains(truth) { popularityHits += 1 }
        let counts = following[list[i - 1]] ?? [:]
        let ranked = counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
        var guesses = ranked.prefix(10).map(\.key)
        for t in popular where guesses.count < 10 && !guesses.contains(t) { guesses.append(t) }
        if guesses.contains(truth) { bigramHits += 1 }
      }
    }
    #expect(pairs > 20_000)
    #expect(Double(bigramHits) > 2 * Double(popularityHits))
    #expect(Double(bigramHits) / Double(pairs) > 0.05)
  }
}

// MARK: - Sampler

@Suite struct PowerLawTests {
  @Test func massesSumToOneAndDecrease() {
    for (s, offset) in [(1.0, 1.0), (2.2, 30.0), (0.5, 1.0)] {
      let law = PowerLaw(exponent: s)
      let masses = (0..<50).map { law.mass($0, n: 50, offset: offset) }
      #expect(abs(masses.reduce(0, +) - 1) < 1e-9)
      #expect(zip(masses, masses.dropFirst()).allSatisfy { $0 >= $1 })
    }
  }

  @Test func samplerMatchesMasses() {
    let law = PowerLaw(exponent: 1.7)
    let n = 20
    let offset = 3.0
    let (lo, span) = law.bounds(n: n, offset: offset)
    var counts = [Int](repeating: 0, count: n)
    var rng = RandomStream(seed: 5, component: "test.powerlaw")
    let draws = 200_000
    for _ in 0..<draws {
      counts[law.rank(rng.nextDouble(), n: n, offset: offset, lo: lo, span: span)] += 1
    }
    for r in [0, 1, 5, 19] {
      let expected = law.mass(r, n: n, offset: offset) * Double(draws)
      #expect(abs(Double(counts[r]) - expected) < 5 * expected.squareRoot() + 5)
    }
  }

  @Test func defaultConfigIsValid() {
    #expect(SyntheticConfig().validationError() == nil)
    var bad = SyntheticConfig()
    bad.successorProbability = 0.9
    #expect(bad.validationError() != nil)
  }
}
