// The embedding model's view as a ContextVectorModel: a candidate's vector is its output
// vector (nil for tracks unseen in training), and the dot product of a context's query with a
// candidate's vector is the model's own score for it.
import ChorusCore
import ChorusTestSupport
import Testing

@testable import Recommenders

@Suite struct ContextVectorModelTests {
  @Test func vectorsReproduceTheModelsScores() throws {
    let data = Fixtures.random(playlists: 120, tracks: 200, lengths: 5...20, seed: 3)
    let m = try EmbeddingModel(
      playlists: data.playlists, trackCount: data.trackCount + 1, config: smallEmbeddingConfig())
    let vectors: any ContextVectorModel = m
    #expect(vectors.candidateVector(Int32(data.trackCount)) == nil)
    #expect(vectors.candidateVector(-1) == nil)
    let seen = (0..<Int32(data.trackCount)).first { m.frequency[Int($0)] > 0 }!
    #expect(vectors.candidateVector(seen) == m.outputVector(seen))
    let context: [Int32] = [seen, seen + 1, seen + 2]
    let q = try #require(vectors.contextVector(context))
    for t in [seen, seen + 3, seen + 7] where m.frequency[Int(t)] > 0 {
      let v = try #require(vectors.candidateVector(t))
      let dot = zip(q, v).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
      let score = try #require(m.score(of: t, context: context))
      #expect(abs(dot - Double(score)) < 1e-4 * max(1, abs(dot)))
    }
    #expect(vectors.contextVector([Int32(data.trackCount)]) == nil)
  }
}
