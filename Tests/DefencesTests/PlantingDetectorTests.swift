// The detector on a hand-made case whose scores are derived in the comments, plus the tail
// exponent against a direct binomial sum (the Chernoff bound must hold for every n, x, q).
import ChorusCore
import Defences
import Foundation
import Testing

@Suite struct PlantingDetectorTests {
  /// p0 [0 5], p1 [1 5], p2 [2 5]: track 5 follows a once-only track in three playlists (the
  /// collective); p3 [3 4 6], p4 [4 6 3]: honest. Frequencies: 0,1,2 → 1; 3,4,6 → 2; 5 → 3.
  static let store = PlaylistStore(
    offsets: [0, 2, 4, 6, 9, 12], tracks: [0, 5, 1, 5, 2, 5, 3, 4, 6, 4, 6, 3])

  @Test func rarePredecessorScoresByHand() {
    // Positions i > 0: seven; with a once-only predecessor: the three 5s, so q = 3/7.
    // Track 5: n = 3, x = 3, x/n = 1 → 3 · ln(1 / (3/7)) = 3 ln(7/3). Others: x = 0 → 0.
    let d = PlantingDetector(traits: [.rarePredecessor], rareMaxCount: 1)
    let s = d.scores(Self.store, trackCount: 7)
    let five = 3 * log(7.0 / 3.0)
    #expect(s.count == 5)
    for p in 0..<3 { #expect(abs(s[p] - five) < 1e-12) }
    #expect(s[3] == 0 && s[4] == 0)
  }

  @Test func lastPositionScoresByHand() {
    // Eligible: all 12 entries; last ones: 5, 5, 5, 6, 3, so q = 5/12.
    // Track 5: 3 of 3 last → 3 ln(12/5). Tracks 6 and 3: 1 of 2 last, 1/2 > 5/12 →
    // 2 · [½ ln(½ / (5/12)) + ½ ln(½ / (7/12))] = ln(6/5) + ln(6/7).
    let d = PlantingDetector(traits: [.lastPosition])
    let s = d.scores(Self.store, trackCount: 7)
    let five = 3 * log(12.0 / 5.0)
    let honest = log(6.0 / 5.0) + log(6.0 / 7.0)
    for p in 0..<3 { #expect(abs(s[p] - five) < 1e-12) }
    #expect(abs(s[3] - honest) < 1e-12 && abs(s[4] - honest) < 1e-12)
    // Combined: the larger of the two per playlist (3 ln 2.4 > 3 ln(7/3)).
    let both = PlantingDetector().scores(Self.store, trackCount: 7)
    #expect(both == s)
  }

  @Test func theRarityThresholdIsInclusive() {
    // With rareMaxCount 2 every predecessor is rare (all frequencies ≤ 2 except 5, which
    // precedes nothing), so q = 1: no information, every score 0.
    let d = PlantingDetector(traits: [.rarePredecessor], rareMaxCount: 2)
    #expect(d.scores(Self.store, trackCount: 7) == [0, 0, 0, 0, 0])
  }

  /// p0 [1 2 3], p1 [1 2 4], p2 [1 5 2], p3 [6 2]. Successors: 1 → 2, 2, 5 (modal 2); 2 → 3, 4
  /// (a tie: the lower id, 3); 5 → 2; 6 → 2; 3 and 4 are never followed.
  @Test func repeatedSuccessorScoresByHand() {
    let store = PlaylistStore(
      offsets: [0, 3, 6, 9, 11], tracks: [1, 2, 3, 1, 2, 4, 1, 5, 2, 6, 2])
    #expect(PlantingDetector.modalSuccessors(store, trackCount: 7) == [-1, 2, 3, -1, -1, 2, 2])
    // Eligible: every entry but a playlist's last, 7; showing: 1→2 (p0, p1), 2→3 (p0), 5→2,
    // 6→2, so q = 5/7. Track 1: 2 of 3 < 5/7 → 0; track 2: 1 of 2 → 0; tracks 5 and 6: 1 of 1
    // → ln(7/5). A playlist takes the largest score of a track showing the trait in it.
    let d = PlantingDetector(traits: [.repeatedSuccessor])
    let s = d.scores(store, trackCount: 7)
    let one = log(7.0 / 5.0)
    #expect(s[0] == 0 && s[1] == 0)
    #expect(abs(s[2] - one) < 1e-12 && abs(s[3] - one) < 1e-12)
    // The occurrence scores agree with the playlist scores.
    let occ = d.occurrenceScores(store, trackCount: 7)
    #expect(PlantingDetector.playlistScores(store, occurrenceScores: occ) == s)
  }

  /// InClust's pattern on a planted toy: 200 pseudo-random playlists of 15 of 300 tracks; in
  /// the first 10 the new track 300 goes right before the same track (7, put at position 5 of
  /// every member). The repeated-successor trait ranks every member above every honest
  /// playlist; the default traits (built for DirLoF and AtTheEnd) do not.
  @Test func repeatedSuccessorFindsAPlantedInClustPattern() throws {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    func next() -> Int {
      state ^= state << 13
      state ^= state >> 7
      state ^= state << 17
      return Int(state % 300)
    }
    var offsets = [0]
    var tracks: [Int32] = []
    for p in 0..<200 {
      var row: [Int32] = []
      while row.count < 15 {
        let t = Int32(next())
        if t != 7 && !row.contains(t) { row.append(t) }
      }
      if p < 10 { row.insert(contentsOf: [300, 7], at: 5) }
      tracks += row
      offsets.append(tracks.count)
    }
    let store = PlaylistStore(offsets: offsets, tracks: tracks)
    let planted = (0..<200).map { $0 < 10 }
    let successor = PlantingDetector(traits: [.repeatedSuccessor]).scores(store, trackCount: 301)
    #expect(DetectionMetrics.rocAUC(scores: successor, isPlanted: planted) == 1)
    let defaults = PlantingDetector().scores(store, trackCount: 301)
    #expect(try #require(DetectionMetrics.rocAUC(scores: defaults, isPlanted: planted)) < 0.9)
    #expect(PlantingDetector().traits == OccurrenceTrait.defaults)
    #expect(!OccurrenceTrait.defaults.contains(.repeatedSuccessor))
  }

  @Test(arguments: [0.05, 0.3, 0.7])
  func tailExponentBoundsTheBinomialTail(q: Double) {
    // −ln P(Binomial(n, q) ≥ x) ≥ n · KL(x/n ‖ q) for x/n > q (Chernoff), equality in the limit.
    for n in 1...40 {
      for x in 0...n {
        let e = PlantingDetector.tailExponent(showing: x, of: n, rate: q)
        if Double(x) / Double(n) <= q {
          #expect(e == 0)
          continue
        }
        var tail = 0.0
        for j in x...n { tail += binomialPMF(n, j, q) }
        #expect(-log(tail) >= e - 1e-9, "n \(n) x \(x) q \(q)")
        #expect(e > 0)
      }
    }
  }

  func binomialPMF(_ n: Int, _ j: Int, _ q: Double) -> Double {
    let logChoose = lgamma(Double(n + 1)) - lgamma(Double(j + 1)) - lgamma(Double(n - j + 1))
    return exp(logChoose + Double(j) * log(q) + Double(n - j) * log(1 - q))
  }
}
