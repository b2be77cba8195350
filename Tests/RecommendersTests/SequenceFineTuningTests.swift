// Fine-tuning a trained sequence model (SequenceModel+FineTuning): the clean model is left
// untouched, zero epochs give the clean model back (also with a new track, whose row starts
// at zero or at its ALS fold-in), the fold-in lands where ALS puts a track with the same
// playlists, the result is byte-identical on 1 and 2 threads, the new epochs are numbered
// after the clean ones, and a planted track is learned.
import ChorusCore
import ChorusTestSupport
import Testing

@testable import Recommenders

@Suite struct SequenceFineTuningTests {
  let data = Fixtures.random(playlists: 150, tracks: 120, lengths: 3...20, seed: 3)

  /// The fixture's playlists with track `trackCount` (a new track) appended to every
  /// `every`-th playlist, as a collective would plant a target.
  var planted: PlaylistStore {
    var offsets = [0]
    var tracks: [Int32] = []
    for p in 0..<data.playlists.count {
      tracks += data.playlists[p]
      if p % 5 == 0 { tracks.append(Int32(data.trackCount)) }
      offsets.append(tracks.count)
    }
    return PlaylistStore(offsets: offsets, tracks: tracks)
  }

  func clean(_ aggregator: SequenceAggregator) throws -> SequenceModel {
    try SequenceModel(
      playlists: data.playlists, trackCount: data.trackCount, aggregator: aggregator,
      config: tinySequenceConfig(initialization: .als))
  }

  func bits(_ x: [Float]) -> [UInt32] { x.map(\.bitPattern) }

  @Test(arguments: [SequenceAggregator.mean, .transformer])
  func cleanModelIsUnchanged(aggregator: SequenceAggregator) throws {
    let m = try clean(aggregator)
    let table = bits(m.embeddings)
    let params = bits(m.params)
    let recs = m.recommendAll(data.playlists, k: 20)
    let tuned = try m.fineTunedModel(on: planted, trackCount: data.trackCount + 1, epochs: 2)
    #expect(bits(tuned.embeddings) != bits(Array(m.embeddings) + [Float](repeating: 0, count: 8)))
    #expect(bits(m.embeddings) == table)
    #expect(bits(m.params) == params)
    #expect(m.recommendAll(data.playlists, k: 20) == recs)
    #expect(m.trackCount == data.trackCount && m.history.count == 2)
  }

  @Test(arguments: [SequenceAggregator.mean, .transformer])
  func zeroEpochsGiveTheCleanModel(aggregator: SequenceAggregator) throws {
    let m = try clean(aggregator)
    let same = try m.fineTunedModel(on: data.playlists, trackCount: data.trackCount, epochs: 0)
    #expect(bits(same.embeddings) == bits(m.embeddings))
    #expect(bits(same.params) == bits(m.params))
    #expect(same.config == m.config && same.history == m.history)
    #expect(same.recommendAll(data.playlists, k: 30) == m.recommendAll(data.playlists, k: 30))
    // With a new track: the old rows as they were, the new one at zero or its fold-in.
    let old = m.embeddings
    for start in NewTrackStart.allCases {
      let grown = try m.fineTunedModel(
        on: planted, trackCount: data.trackCount + 1, epochs: 0, newTracks: start)
      let new = grown.embeddings
      #expect(grown.trackCount == data.trackCount + 1)
      #expect(bits(Array(new.prefix(old.count))) == bits(old))
      #expect(new.suffix(8).allSatisfy { $0 == 0 } == (start == .zero))
      #expect(grown.frequency[data.trackCount] == 30)
    }
  }

  /// A new track in exactly the playlists of track 5, folded into the ALS start (0 epochs),
  /// lands next to track 5's ALS factor.
  @Test func foldInLandsWhereALSPutsTheSameTrack() throws {
    var c = tinySequenceConfig(initialization: .als, epochs: 0)
    c.alsIterations = 30
    let m = try SequenceModel(
      playlists: data.playlists, trackCount: data.trackCount, aggregator: .mean, config: c)
    var offsets = [0]
    var tracks: [Int32] = []
    for p in 0..<data.playlists.count {
      tracks += data.playlists[p]
      if data.playlists[p].contains(5) { tracks.append(Int32(data.trackCount)) }
      offsets.append(tracks.count)
    }
    let twin = PlaylistStore(offsets: offsets, tracks: tracks)
    let grown = try m.fineTunedModel(on: twin, trackCount: data.trackCount + 1, epochs: 0)
    let e = grown.embeddings
    let a = Array(e[(5 * 8)..<(6 * 8)])
    let b = Array(e.suffix(8))
    let dot = zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
    let na = a.reduce(0) { $0 + $1 * $1 }.squareRoot()
    let nb = b.reduce(0) { $0 + $1 * $1 }.squareRoot()
    #expect(na > 0.1)
    #expect(dot / (na * nb) > 0.95)
    #expect(abs(nb / na - 1) < 0.2)
  }

  @Test(arguments: [SequenceAggregator.mean, .transformer])
  func sameWeightsOnOneAndTwoThreads(aggregator: SequenceAggregator) throws {
    let m = try clean(aggregator)
    let n = data.trackCount + 1
    let one = try ParallelConfig.withThreads(1) {
      try m.fineTunedModel(on: planted, trackCount: n, epochs: 2)
    }
    let two = try ParallelConfig.withThreads(2) {
      try m.fineTunedModel(on: planted, trackCount: n, epochs: 2)
    }
    #expect(bits(one.embeddings) == bits(two.embeddings))
    #expect(bits(one.params) == bits(two.params))
    #expect(one.history.map(\.loss) == two.history.map(\.loss))
  }

  /// The new epochs follow the clean ones (config and history count them), their streams
  /// are not the clean epochs' (fine-tuning on the clean data moves the weights), and the
  /// planted track, starting at zero, gets a row.
  @Test func epochsContinueAndThePlantedTrackIsLearned() throws {
    let m = try clean(.mean)
    let tuned = try m.fineTunedModel(on: planted, trackCount: data.trackCount + 1, epochs: 3)
    #expect(tuned.config.epochs == 5)
    #expect(tuned.history.count == 5 && tuned.history.prefix(2) == m.history[...])
    #expect(tuned.history.suffix(3).allSatisfy { $0.loss.isFinite && $0.tokens > 0 })
    #expect(tuned.embeddings.suffix(8).contains { $0 != 0 })
    let again = try m.fineTunedModel(on: data.playlists, trackCount: data.trackCount, epochs: 1)
    #expect(bits(again.embeddings) != bits(m.embeddings))
    // Through the protocol, as the lab calls it.
    let any: any FineTunableRecommender = m
    let viaProtocol = try any.fineTuned(
      on: planted, trackCount: data.trackCount + 1, epochs: 3, newTracks: .foldIn)
    #expect(viaProtocol.recommendAll(planted, k: 10) == tuned.recommendAll(planted, k: 10))
  }

  @Test func onlyTheSequenceModelsCanFineTune() throws {
    #expect(try ModelSpec(name: "mean").canFineTune)
    #expect(try ModelSpec(name: "transformer").canFineTune)
    for name in ["popularity", "cooccurrence", "embedding", "als"] {
      #expect(try !ModelSpec(name: name).canFineTune)
    }
  }
}
