// Hand-computed cases for the log-spaced frequency bins and the reference cloud (the
// amplification of ordinary songs by training frequency): bin edges, and per bin the song
// count, mean amplification and mean recommendations with their 95% CI, arithmetic in
// the comments.
import ChorusTestSupport
import Evaluation
import Recommenders
import Testing

@Suite struct ReferenceCloudTests {
  @Test func frequencyBinsArePowersOfTwo() {
    // [1], [2, 3], [4, 7], [8, 15], …: bin b holds 2^b … 2^(b+1) − 1.
    #expect(
      [1, 2, 3, 4, 7, 8, 15, 16, 1023, 1024].map(FrequencyBins.bin(of:)) == [
        0, 1, 1, 2, 2, 3, 3, 4, 9, 10,
      ])
    #expect(FrequencyBins.range(of: 0) == (1, 1))
    #expect(FrequencyBins.range(of: 1) == (2, 3))
    #expect(FrequencyBins.range(of: 3) == (8, 15))
    #expect(FrequencyBins.range(of: 20) == (1_048_576, 2_097_151))
    // Every frequency lies in the range of its bin; consecutive ranges tile the integers.
    for f in 1...5000 {
      let (lo, hi) = FrequencyBins.range(of: FrequencyBins.bin(of: f))
      #expect(lo <= f && f <= hi)
    }
    for b in 0..<40 {
      #expect(FrequencyBins.range(of: b).1 + 1 == FrequencyBins.range(of: b + 1).0)
    }
  }

  /// Three test playlists with |G| = 2, 3, 1 and K = 4. Windows: [1, 2], [2, 5, 6], [3]:
  /// R = 1 for tracks 1, 3, 5, 6; R = 2 for track 2; Σ|G| = 6.
  static let clean = TopRCounts(
    table: RecommendationTable(k: 4, items: [1, 2, 3, 4, 2, 5, 6, 1, 3, 1, 2, 7]),
    truthLengths: [2, 3, 1], trackCount: 10)
  /// Training frequency per track; tracks 0 and 7 unseen. N_train = 60, so amplification
  /// = (R / 6) / (f / 60) = 10·R / f.
  static let frequency: [Int32] = [0, 1, 3, 2, 5, 1, 4, 0, 9, 2]

  @Test func cloudByBin() {
    #expect(Self.clean.counts == [0, 1, 2, 1, 0, 1, 1, 0, 0, 0])
    #expect(Self.clean.totalTruth == 6)
    let bins = ReferenceCloud(clean: Self.clean, frequency: Self.frequency, trainingEntries: 60)
      .bins
    #expect(bins.map(\.low) == [1, 2, 4, 8])
    #expect(bins.map(\.high) == [1, 3, 7, 15])
    // Bin [1]: tracks 1 and 5 (f 1, R 1): amplification 10 and 10; R 1 and 1.
    // Bin [2, 3]: tracks 2 (f 3, R 2), 3 (f 2, R 1), 9 (f 2, R 0): 20/3, 5, 0; R 2, 1, 0.
    // Bin [4, 7]: tracks 4 (f 5, R 0), 6 (f 4, R 1): 0, 2.5; R 0, 1.
    // Bin [8, 15]: track 8 (f 9, R 0): 0; R 0.
    #expect(bins.map(\.songs) == [2, 3, 2, 1])
    let amplification = bins.map(\.amplification.mean)
    #expect(amplification[0] == 10)
    // (20/3 + 5 + 0) / 3 = 35/9.
    #expect(approximatelyEqual(amplification[1], 35.0 / 9))
    #expect(amplification[2] == 1.25)
    #expect(amplification[3] == 0)
    #expect(bins.map(\.recommendations.mean) == [1, 1, 0.5, 0])
    // CI of bin [2, 3]: deviations from 35/9 are 25/9, 10/9, −35/9; Σ² = 1950/81;
    // s² = 975/81; half = 1.96·√(975/81)/√3 = 1.96·√325/9.
    #expect(approximatelyEqual(bins[1].amplification.halfWidth, 1.96 * 325.0.squareRoot() / 9))
    // R 2, 1, 0: s = 1, half = 1.96/√3. A single song or equal values: half 0.
    #expect(approximatelyEqual(bins[1].recommendations.halfWidth, 1.96 / 3.0.squareRoot()))
    #expect(bins[0].amplification.halfWidth == 0)
    #expect(bins[3].amplification.halfWidth == 0)
  }

  @Test func onlyTracksInBothArraysCount() {
    // Frequency shorter than the counts: track 9 drops out of bin [2, 3]: (20/3 + 5)/2 = 35/6.
    let short = ReferenceCloud(
      clean: Self.clean, frequency: Array(Self.frequency.prefix(9)), trainingEntries: 60
    ).bins
    #expect(short[1].songs == 2)
    #expect(approximatelyEqual(short[1].amplification.mean, 35.0 / 6))
    // Frequency longer (a track 10 seen in training but beyond the counts): ignored.
    let long = ReferenceCloud(
      clean: Self.clean, frequency: Self.frequency + [3], trainingEntries: 60
    ).bins
    #expect(long.map(\.songs) == [2, 3, 2, 1])
  }
}
