// Every vector model's ContextVectorModel view against its own scores: the score a model adds
// for a candidate is the dot product of the context's query vector and the candidate's
// vector, tracks never seen in training have no candidate vector, and a context of unknown
// tracks has no query. The appendix measure "similarity of s* to the targeted contexts" reads
// these two vectors, so they must be the ones the model ranks by.
import ChorusCore
import ChorusTestSupport
import Recommenders
import Testing

@Suite struct ContextVectorModelTests {
  static let data = Fixtures.random(playlists: 150, tracks: 120, lengths: 3...20, seed: 3)
  /// Two ids above the training data: never seen, so never candidates.
  static let trackCount = data.trackCount + 2

  static func models() throws -> [(String, any ContextVectorModel)] {
    let p = data.playlists
    return [
      (
        "embedding",
        try EmbeddingModel(playlists: p, trackCount: trackCount, config: smallEmbeddingConfig())
      ),
      ("als", try ALSModel(playlists: p, trackCount: trackCount, config: smallALSConfig())),
      (
        "mean",
        try SequenceModel(
          playlists: p, trackCount: trackCount, aggregator: .mean, config: tinySequenceConfig())
      ),
      (
        "transformer",
        try SequenceModel(
          playlists: p, trackCount: trackCount, aggregator: .transformer,
          config: tinySequenceConfig())
      ),
    ]
  }

  @Test func scoresAreTheDotProductOfTheTwoVectors() throws {
    let contexts: [[Int32]] = [
      [1, 2, 3], [5], [7, 40, 41, 9, 10, 11], [Int32(Self.trackCount - 1), 4],
    ]
    for (name, m) in try Self.models() {
      for context in contexts {
        let q = try #require(m.contextVector(context), "\(name): no query for \(context)")
        var acc = ScoreAccumulator(trackCount: Self.trackCount)
        context.withUnsafeBufferPointer { m.score(context: $0, into: &acc) }
        var compared = 0
        for t in 0..<Int32(Self.data.trackCount) where !context.contains(t) {
          guard let v = m.candidateVector(t) else { continue }
          #expect(v.count == q.count, "\(name)")
          let dot = zip(q, v).reduce(Double(0)) { $0 + Double($1.0) * Double($1.1) }
          let score = Double(acc.scores[Int(t)])
          #expect(
            abs(score - dot) <= 1e-5 + 1e-4 * abs(dot),
            "\(name): track \(t) after \(context): score \(score), dot \(dot)")
          compared += 1
        }
        #expect(compared > 50, "\(name): only \(compared) candidates compared")
      }
    }
  }

  /// Which vector each model scores a candidate by: the embedding model its output vector,
  /// ALS its item factor (input and output are one matrix).
  @Test func candidateVectorsAreTheScoringRows() throws {
    let p = Self.data.playlists
    let e = try EmbeddingModel(
      playlists: p, trackCount: Self.trackCount, config: smallEmbeddingConfig())
    let a = try ALSModel(playlists: p, trackCount: Self.trackCount, config: smallALSConfig())
    var checked = 0
    for t in 0..<Int32(Self.data.trackCount) where e.frequency[Int(t)] > 0 {
      #expect(e.candidateVector(t) == e.outputVector(t))
      #expect(a.candidateVector(t) == a.itemFactor(t))
      checked += 1
    }
    #expect(checked > 50)
  }

  @Test func unseenTracksHaveNoVectors() throws {
    for (name, m) in try Self.models() {
      for t in [
        Int32(Self.data.trackCount), Int32(Self.trackCount - 1), -1, Int32(Self.trackCount),
      ] {
        #expect(m.candidateVector(t) == nil, "\(name): track \(t)")
      }
      #expect(m.contextVector([Int32(Self.data.trackCount)]) == nil, "\(name)")
      #expect(m.contextVector([]) == nil, "\(name)")
    }
  }
}
