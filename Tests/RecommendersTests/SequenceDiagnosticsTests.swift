// SequenceDiagnostics on hand-made tables whose norms and cosines are known by hand: rare
// and frequent groups chosen by frequency, zero vectors, queries that collapse every rare
// track to one vector, and the initial table and trained model paths agreeing with the
// table they measure.
import ChorusCore
import ChorusTestSupport
import Testing

@testable import Recommenders

@Suite struct SequenceDiagnosticsTests {
  /// Tracks 0–1 rare (1 and 2 playlists), 2–3 frequent (9 and 7), 4 unseen, 5 rare and
  /// zero; dim 2.
  let frequency: [Int32] = [1, 2, 9, 7, 0, 1]
  let table: [Float] = [1, 0, 0, 3, 2, 0, 4, 0, 5, 5, 0, 0]

  func row(_ t: Int32) -> [Float] { Array(table[(Int(t) * 2)..<(Int(t) * 2 + 2)]) }

  @Test func groupsNormsAndCosinesByHand() {
    let d = SequenceDiagnostics(
      table: table, dim: 2, frequency: frequency, rareMaxFrequency: 2, sample: 2, query: row)
    // Rare tracks 0, 1, 5 (not 4: unseen); a sample of 2 evenly spaced in id order: 0, 1.
    #expect(d.rareCount == 3)
    #expect(d.rare.tracks == 2)
    #expect(approximatelyEqual(d.rare.meanNorm, 2))  // (1 + 3) / 2
    #expect(approximatelyEqual(d.rare.meanCosine, 0))  // orthogonal
    // Frequent: the two most frequent, 2 (9) and 3 (7), parallel.
    #expect(d.frequent.tracks == 2)
    #expect(d.frequentMinFrequency == 7)
    #expect(approximatelyEqual(d.frequent.meanNorm, 3))
    #expect(approximatelyEqual(d.frequent.meanCosine, 1))
    // The identity query gives the same numbers.
    #expect(d.rare.queryMeanCosine == d.rare.meanCosine)
    #expect(d.frequent.queryMeanNorm == d.frequent.meanNorm)
  }

  @Test func zeroVectorsCountAsCosineZero() {
    let d = SequenceDiagnostics(
      table: table, dim: 2, frequency: frequency, rareMaxFrequency: 2, sample: 3, query: row)
    // Rare 0, 1, 5: pairs (0,1) 0, (0,5) 0 (zero vector), (1,5) 0.
    #expect(d.rare.tracks == 3)
    #expect(approximatelyEqual(d.rare.meanNorm, 4.0 / 3))
    #expect(d.rare.meanCosine == 0)
  }

  @Test func aQueryThatIgnoresRareTracksIsCaughtAsCollapsed() {
    // A model answering every rare one-track context with nearly one vector (a position
    // embedding plus a tiny share of the track's own vector).
    let d = SequenceDiagnostics(
      table: table, dim: 2, frequency: frequency, rareMaxFrequency: 2, sample: 2
    ) { t in
      frequency[Int(t)] <= 2 ? [3 + 0.01 * row(t)[0], 1 + 0.01 * row(t)[1]] : row(t)
    }
    #expect(approximatelyEqual(d.rare.meanCosine, 0))
    #expect(d.rare.queryMeanCosine > 0.999)
    #expect(d.rare.queryMeanNorm > 3)
  }

  @Test func centredCosineRemovesWhatEveryQueryShares() {
    // Rare queries (2, 1) and (2, −1), frequent ones (2, 1) and (2, −1) too: the mean query
    // is (2, 0); centred, each group holds (0, 1) and (0, −1), opposite.
    let d = SequenceDiagnostics(
      table: table, dim: 2, frequency: frequency, rareMaxFrequency: 2, sample: 2
    ) { t in t == 0 || t == 2 ? [2, 1] : [2, -1] }
    #expect(approximatelyEqual(d.rare.queryMeanCosine, 0.6))  // (4 − 1) / 5
    #expect(approximatelyEqual(d.rare.queryCenteredCosine, -1))
    #expect(approximatelyEqual(d.frequent.queryCenteredCosine, -1))
    // With the identity query of the first case, centring by the mean query (1.75, 0.75)
    // leaves rare (−0.75, −0.75) and (−1.75, 2.25): cosine −0.375 / (1.0607 · 2.8504).
    let identity = SequenceDiagnostics(
      table: table, dim: 2, frequency: frequency, rareMaxFrequency: 2, sample: 2, query: row)
    let expected =
      -0.375 / ((2 * 0.75 * 0.75).squareRoot() * (1.75 * 1.75 + 2.25 * 2.25).squareRoot())
    #expect(approximatelyEqual(identity.rare.queryCenteredCosine, expected, tolerance: 1e-6))
  }

  @Test func trainedModelAndInitialTableMeasureTheirOwnVectors() throws {
    let data = Fixtures.random(playlists: 200, tracks: 120, lengths: 4...9, seed: 3)
    let config = tinySequenceConfig(initialization: .random, epochs: 1)
    let model = try SequenceModel(
      playlists: data.playlists, trackCount: data.trackCount, aggregator: .mean, config: config)
    let d = SequenceDiagnostics(model: model, sample: 50)
    let table = model.embeddings
    let direct = SequenceDiagnostics(
      table: table, dim: config.dim, frequency: model.frequency, sample: 50
    ) { Array(table[(Int($0) * config.dim)..<(Int($0) * config.dim + config.dim)]) }
    // For `mean`, the one-track query is the track's own vector.
    #expect(d == direct)
    let start = try SequenceDiagnostics.initial(
      playlists: data.playlists, trackCount: data.trackCount, config: config, sample: 50)
    let initial = try SequenceTraining.initialTable(
      playlists: data.playlists, trackCount: data.trackCount, config: config)
    #expect(start.rare.meanNorm != d.rare.meanNorm)
    #expect(
      start
        == SequenceDiagnostics(
          table: initial, dim: config.dim, frequency: model.frequency, sample: 50
        ) { Array(initial[(Int($0) * config.dim)..<(Int($0) * config.dim + config.dim)]) })
  }
}
