// The parallel co-occurrence counter against a plain one: a dictionary of (a, b) → weighted
// count filled playlist by playlist from the documented rules (forward window W, inverse /
// uniform / linear integer weights, backward pairs at round(backwardWeight × forward)).
// The trained rows, counts, totals and normalised weights must equal it, for several
// configs, on fixtures with repeats, empty and one-track playlists, and on one large enough
// to be split into several work chunks; an exactly updated model must equal the plain count
// of the edited playlists.
import ChorusCore
import Testing

@testable import Recommenders

/// Plain single-threaded co-occurrence counts.
struct PlainCoOccurrence {
  /// (a, b) → weighted count; pairs whose count is 0 are absent.
  var counts: [Pair: Int64] = [:]

  struct Pair: Hashable {
    var a: Int32
    var b: Int32
  }

  /// The integer weight of a forward pair at distance d (1…W): lcm(1…W) / d for inverse
  /// (so every weight is an integer), 1 for uniform, W − d + 1 for linear.
  static func forwardWeight(_ d: Int, _ c: CoOccurrenceConfig) -> Int64 {
    switch c.weighting {
    case .inverse:
      var l = 1
      for k in 1...c.window {
        var m = l
        while m % k != 0 { m += l }
        l = m
      }
      return Int64(l / d)
    case .uniform: return 1
    case .linear: return Int64(c.window - d + 1)
    }
  }

  /// The weight of a backward pair (b before a) at distance d: backwardWeight × the forward
  /// weight, rounded half away from zero.
  static func backwardWeight(_ d: Int, _ c: CoOccurrenceConfig) -> Int64 {
    Int64((c.backwardWeight * Double(forwardWeight(d, c))).rounded(.toNearestOrAwayFromZero))
  }

  init(_ playlists: [[Int32]], config c: CoOccurrenceConfig) {
    for p in playlists {
      for i in p.indices {
        for d in 1...c.window {
          if i + d < p.count {
            counts[Pair(a: p[i], b: p[i + d]), default: 0] += Self.forwardWeight(d, c)
          }
          if i - d >= 0 {
            counts[Pair(a: p[i], b: p[i - d]), default: 0] += Self.backwardWeight(d, c)
          }
        }
      }
    }
    counts = counts.filter { $0.value != 0 }
  }

  /// Row a: its neighbours ascending with their counts.
  func row(_ a: Int32) -> [(neighbor: Int32, count: Int64)] {
    counts.filter { $0.key.a == a }.map { (neighbor: $0.key.b, count: $0.value) }
      .sorted { $0.neighbor < $1.neighbor }
  }
}

@Suite struct CoOccurrenceTwinTests {
  /// Random playlists over skewed ids below `tracks`, with repeats, empty and one-track
  /// playlists; the highest ids are never used.
  static func playlists(_ count: Int, tracks: Int, maxLength: Int, seed: UInt64) -> [[Int32]] {
    var rng = RandomStream(seed: seed, component: "test.cooccurrence")
    return (0..<count).map { _ in
      (0..<rng.nextInt(below: maxLength + 1)).map { _ in
        let u = rng.nextDouble()
        return Int32(u * u * Double(tracks - 3))
      }
    }
  }

  static func store(_ lists: [[Int32]]) -> PlaylistStore {
    var b = PlaylistStoreBuilder(dedup: false)
    for l in lists { b.append(l) }
    return b.finish()
  }

  /// The trained arrays equal the plain counts row by row.
  func expectEqual(
    _ counts: CoOccurrenceCounts, _ plain: PlainCoOccurrence, trackCount: Int,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    #expect(counts.trackCount == trackCount, sourceLocation: sourceLocation)
    #expect(counts.rowOffsets.count == trackCount + 1, sourceLocation: sourceLocation)
    #expect(counts.pairCount == plain.counts.count, sourceLocation: sourceLocation)
    var rows: [Int32: [(neighbor: Int32, count: Int64)]] = [:]
    for (pair, n) in plain.counts { rows[pair.a, default: []].append((pair.b, n)) }
    var mismatches = 0
    for a in 0..<trackCount {
      let expected = (rows[Int32(a)] ?? []).sorted { $0.neighbor < $1.neighbor }
      let range = counts.rowOffsets[a]..<counts.rowOffsets[a + 1]
      let neighbors = Array(counts.neighbors[range])
      let got = Array(counts.counts[range]).map { Int64($0) }
      let total = expected.reduce(Int64(0)) { $0 + $1.count }
      let normalized = expected.map { Float(Double($0.count) / Double(total)) }
      if neighbors != expected.map(\.neighbor) || got != expected.map(\.count)
        || counts.rowTotals[a] != total
        || Array(counts.normalized[range]).map(\.bitPattern) != normalized.map(\.bitPattern)
      {
        mismatches += 1
      }
    }
    #expect(
      mismatches == 0, "rows differing from the plain counter", sourceLocation: sourceLocation)
  }

  static let configs: [(window: Int, weighting: DistanceWeighting, backward: Double)] = [
    (1, .inverse, 0), (2, .inverse, 0), (5, .inverse, 0), (10, .inverse, 0.5),
    (4, .inverse, 0.3), (3, .uniform, 1), (4, .linear, 0.2), (4, .linear, 0.1), (6, .linear, 0),
  ]

  @Test(arguments: configs)
  func trainedCountsEqualPlainCounter(
    window: Int, weighting: DistanceWeighting, backward: Double
  ) throws {
    var c = CoOccurrenceConfig()
    c.window = window
    c.weighting = weighting
    c.backwardWeight = backward
    let lists = Self.playlists(300, tracks: 250, maxLength: 25, seed: UInt64(window))
    let m = try CoOccurrenceModel(playlists: Self.store(lists), trackCount: 250, config: c)
    let plain = PlainCoOccurrence(lists, config: c)
    #expect(plain.counts.count > 1000)
    expectEqual(m.base, plain, trackCount: 250)
  }

  /// Over 65 536 occurrences the counter splits the source tracks into several chunks
  /// (merged in order) and popular rows take its dense scan path.
  @Test func largeFixtureEqualsPlainCounter() throws {
    var c = CoOccurrenceConfig()
    c.window = 3
    c.backwardWeight = 0.5
    let lists = Self.playlists(4000, tracks: 1500, maxLength: 50, seed: 99)
    let store = Self.store(lists)
    #expect(store.entryCount > 65_536)
    // At least two chunks of source tracks.
    let (occOffsets, _, _) = CoOccurrenceModel.occurrenceIndex(
      store, trackCount: 1500, window: c.window)
    #expect(CoOccurrenceModel.workBalancedBounds(occOffsets, target: 1 << 16).count >= 3)
    let m = try ParallelConfig.withThreads(2) {
      try CoOccurrenceModel(playlists: store, trackCount: 1500, config: c)
    }
    // Some rows hold more than trackCount / 32 neighbours: the dense path.
    let longest = (0..<1500).map { m.base.rowOffsets[$0 + 1] - m.base.rowOffsets[$0] }.max()!
    #expect(longest * 32 > 1500)
    expectEqual(m.base, PlainCoOccurrence(lists, config: c), trackCount: 1500)
  }

  /// Edits: a playlist emptied, tracks deleted, inserted (also a new track id), replaced,
  /// and repeated; the exactly updated model equals the plain count of the edited lists.
  @Test(arguments: [0.0, 0.5])
  func exactUpdateEqualsPlainCounter(backward: Double) throws {
    var c = CoOccurrenceConfig()
    c.window = 4
    c.backwardWeight = backward
    let lists = Self.playlists(200, tracks: 150, maxLength: 20, seed: 7)
    let clean = try CoOccurrenceModel(playlists: Self.store(lists), trackCount: 150, config: c)
    var rng = RandomStream(seed: 3, component: "test.edits")
    var edited = lists
    var indices: [Int] = []
    let newTrack: Int32 = 150
    for (n, p) in [5, 6, 40, 41, 77, 120, 121, 199].enumerated() {
      var l = edited[p]
      switch n % 4 {
      case 0: l = []
      case 1:
        if !l.isEmpty { l.remove(at: rng.nextInt(below: l.count)) }
        l.insert(newTrack, at: rng.nextInt(below: l.count + 1))
      case 2:
        if !l.isEmpty { l[rng.nextInt(below: l.count)] = Int32(rng.nextInt(below: 150)) }
      default: l += l.prefix(3) + [newTrack, newTrack]
      }
      edited[p] = l
      indices.append(p)
    }
    let updated = clean.updated(
      old: Self.store(indices.map { lists[$0] }), new: Self.store(indices.map { edited[$0] }),
      trackCount: 151)
    let plain = PlainCoOccurrence(edited, config: c)
    #expect(updated.trackCount == 151)
    for t in Int32(0)..<151 {
      let row = updated.row(t)
      let expected = plain.row(t)
      #expect(row.map(\.neighbor) == expected.map(\.neighbor), "row \(t)")
      #expect(row.map(\.count) == expected.map(\.count), "row \(t)")
      #expect(updated.rowTotal(t) == expected.reduce(0) { $0 + $1.count }, "row \(t)")
    }
  }
}
