// The embedding model: the shared conformance suite, byte-identical vectors on 1, 2 and 3
// threads, a learned next-track chain, a falling SGNS loss, the pruned batch top-K tied to
// its plain twin (with exact ties), mean vs recency queries, save/load with a dataset
// check, config errors that name the key, golden vectors, and the opt-in popularity feature.
import ChorusCore
import ChorusTestSupport
import Foundation
import Testing

@testable import Recommenders

/// A small config that trains in milliseconds and still runs several rounds of chunks.
func smallEmbeddingConfig(dim: Int = 8, epochs: Int = 2) -> EmbeddingConfig {
  var c = EmbeddingConfig()
  c.dim = dim
  c.epochs = epochs
  c.chunkTokens = 256
  c.chunksPerRound = 4
  return c
}

@Suite(.serialized) struct EmbeddingModelTests {
  @Test func conformance() throws {
    let data = Fixtures.random(playlists: 150, tracks: 300, lengths: 5...30)
    // Two ids never seen in training: not recommendable, and unknown as seeds.
    let trackCount = data.trackCount + 2
    let m = try EmbeddingModel(
      playlists: data.playlists, trackCount: trackCount, config: smallEmbeddingConfig())
    var rng = RandomStream(seed: 4)
    var contexts = (0..<25).map { i in
      (0..<(i % 10 + 1)).map { _ in Int32(rng.nextInt(below: data.trackCount)) }
    }.map { Array(Set($0)).sorted() }
    contexts += [[], [Int32(data.trackCount)], [Int32(data.trackCount + 1), 3]]
    ModelConformance.check(m, contexts: contexts, k: 50)
    ModelConformance.check(m, contexts: [[0], []], k: trackCount + 5)
    #expect(m.recommend([Int32(data.trackCount)], k: 5) == Array(m.fallbackOrder.prefix(5)))
    // Unseen tracks are never drawn as negatives: their output vectors stay exactly zero.
    #expect(m.outputVector(Int32(data.trackCount)).allSatisfy { $0 == 0 })
    #expect(m.outputVector(0).contains { $0 != 0 })
  }

  @Test func hogwildIsOptInAndRecorded() throws {
    let data = Fixtures.random(playlists: 100, tracks: 200, lengths: 5...30, seed: 9)
    // Opt-in: the default config trains deterministically and says so.
    #expect(EmbeddingConfig().hogwild == false)
    let deterministic = try EmbeddingModel(
      playlists: data.playlists, trackCount: data.trackCount, config: smallEmbeddingConfig())
    #expect(!deterministic.stats.hogwild)
    // Hogwild really takes the other path: with the same seed, even on one thread, its
    // direct shared updates give other vectors than the synchronous overlay rounds.
    var c = smallEmbeddingConfig()
    c.hogwild = true
    let m = try ParallelConfig.withThreads(1) {
      try EmbeddingModel(playlists: data.playlists, trackCount: data.trackCount, config: c)
    }
    #expect(m.inputMatrix.map(\.bitPattern) != deterministic.inputMatrix.map(\.bitPattern))
    // Recorded: the training stats and the model file carry the flag.
    #expect(m.stats.hogwild)
    let dir = TemporaryDirectory()
    try m.save(to: dir.file("m.emb"))
    let loaded = try EmbeddingModel.load(
      from: dir.file("m.emb"), playlists: data.playlists, trackCount: data.trackCount)
    #expect(loaded.config.hogwild && loaded.stats.hogwild)
    ModelConformance.check(m, contexts: [[1, 2], [5]], k: 20)
  }

  @Test(arguments: [true, false], ContextDirection.allCases)
  func identicalVectorsOnAnyThreadCount(sharedNegatives: Bool, direction: ContextDirection) throws {
    let data = Fixtures.random(playlists: 120, tracks: 300, lengths: 5...30, seed: 2)
    var config = smallEmbeddingConfig()
    config.sharedNegatives = sharedNegatives
    config.contextDirection = direction
    let first = try expectSameOnAnyThreadCount(data, config)
    // The seed matters.
    var other = config
    other.seed = 1
    let reseeded = try EmbeddingModel(
      playlists: data.playlists, trackCount: data.trackCount, config: other)
    #expect(reseeded.inputMatrix != first.inputMatrix)
  }

  /// Deferred negatives (fresh or shared, either direction) train byte-identically on 1, 2,
  /// 3 and 4 threads (the merge splits the deferred updates into 1, 2, 2 and 4 parts by row),
  /// and they change the vectors: the setting is not ignored.
  @Test(arguments: [true, false], ContextDirection.allCases)
  func deferredNegativesIdenticalOnAnyThreadCount(
    sharedNegatives: Bool, direction: ContextDirection
  ) throws {
    let data = Fixtures.random(playlists: 120, tracks: 300, lengths: 5...30, seed: 2)
    var config = smallEmbeddingConfig()
    config.sharedNegatives = sharedNegatives
    config.contextDirection = direction
    config.deferredNegatives = true
    let first = try expectSameOnAnyThreadCount(data, config)
    let four = try ParallelConfig.withThreads(4) {
      try EmbeddingModel(playlists: data.playlists, trackCount: data.trackCount, config: config)
    }
    #expect(four.outputMatrix.map(\.bitPattern) == first.outputMatrix.map(\.bitPattern))
    #expect(four.inputMatrix.map(\.bitPattern) == first.inputMatrix.map(\.bitPattern))
    var off = config
    off.deferredNegatives = false
    let immediate = try EmbeddingModel(
      playlists: data.playlists, trackCount: data.trackCount, config: off)
    #expect(immediate.outputMatrix != first.outputMatrix)
  }

  /// `deferredNegatives` is a valid key that files and hashes leave out while it is off (so
  /// every spec and model written before it existed encodes the same), written when on, and
  /// refused with a negative pool or Hogwild, naming the key.
  @Test func deferredNegativesIsOptInAndOmittedWhenOff() throws {
    let off = try ConfigCoding.object(EmbeddingConfig())
    #expect(off["deferredNegatives"] as? Bool == false)
    let plain =
      try JSONSerialization.jsonObject(
        with: JSONEncoder().encode(EmbeddingConfig())) as? [String: Any]
    #expect(plain?["deferredNegatives"] == nil)
    #expect(plain?["skipSaturated"] != nil)
    let spec = try ModelSpec(
      name: "embedding",
      overrides: ["deferredNegatives=true", "sharedNegatives=false", "contextDirection=both"])
    guard case .embedding(let on) = spec else {
      Issue.record("not an embedding spec")
      return
    }
    #expect(on.deferredNegatives && !on.sharedNegatives)
    let encoded = try JSONEncoder().encode(on)
    let object = try JSONSerialization.jsonObject(with: encoded) as? [String: Any]
    #expect(object?["deferredNegatives"] as? Bool == true)
    #expect(try JSONDecoder().decode(EmbeddingConfig.self, from: encoded) == on)
    for extra in ["negativePool=64", "hogwild=true"] {
      #expect {
        try ModelSpec(name: "embedding", overrides: ["deferredNegatives=true", extra])
      } throws: { ($0 as? ChorusError)?.field == "deferredNegatives" }
    }
  }

  /// Trains `config` on 1, 2 and 3 threads and expects byte-identical vectors and stats, over
  /// several synchronous rounds; returns the model trained on one thread.
  func expectSameOnAnyThreadCount(_ data: Dataset, _ config: EmbeddingConfig) throws
    -> EmbeddingModel
  {
    var models: [EmbeddingModel] = []
    for threads in [1, 2, 3] {
      models.append(
        try ParallelConfig.withThreads(threads) {
          try EmbeddingModel(playlists: data.playlists, trackCount: data.trackCount, config: config)
        })
    }
    #expect(models[0].stats.roundsPerEpoch > 1, "the test should span several rounds")
    for m in models.dropFirst() {
      #expect(m.inputMatrix.map(\.bitPattern) == models[0].inputMatrix.map(\.bitPattern))
      #expect(m.outputMatrix.map(\.bitPattern) == models[0].outputMatrix.map(\.bitPattern))
      #expect(m.stats == models[0].stats)
    }
    return models[0]
  }

  /// FNV-1a over the bit patterns of both matrices.
  func vectorChecksum(_ m: EmbeddingModel) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for v in m.inputMatrix + m.outputMatrix {
      h = (h ^ UInt64(v.bitPattern)) &* 0x100_0000_01b3
    }
    return h
  }

  /// Mean cosine similarity over all pairs of the input vectors of `ids`.
  func meanPairwiseCosine(_ m: EmbeddingModel, _ ids: some Collection<Int32>) -> Double {
    let vectors = ids.map { m.inputVector($0).map(Double.init) }
    func cosine(_ a: [Double], _ b: [Double]) -> Double {
      let dot = zip(a, b).map { $0 * $1 }.reduce(0, +)
      let na = a.map { $0 * $0 }.reduce(0, +).squareRoot()
      let nb = b.map { $0 * $0 }.reduce(0, +).squareRoot()
      return dot / (na * nb)
    }
    var total = 0.0
    var pairs = 0
    for i in vectors.indices {
      for j in vectors.indices where j > i {
        total += cosine(vectors[i], vectors[j])
        pairs += 1
      }
    }
    return total / Double(pairs)
  }

  @Test func goldenVectorsWithoutPopularityFeature() throws {
    // Pinned before `popularityFeature` and `contextDirection` existed: with the flag off
    // and next-track contexts (the direction then), training is unchanged.
    let data = Fixtures.random(playlists: 120, tracks: 300, lengths: 5...30, seed: 2)
    var config = smallEmbeddingConfig()
    config.contextDirection = .next
    let m = try EmbeddingModel(
      playlists: data.playlists, trackCount: data.trackCount, config: config)
    #expect(vectorChecksum(m) == 1_696_602_934_855_549_979)
    // The default direction is next-track; both sides gives other vectors.
    #expect(EmbeddingConfig().contextDirection == .next)
    config.contextDirection = .both
    let both = try EmbeddingModel(
      playlists: data.playlists, trackCount: data.trackCount, config: config)
    #expect(vectorChecksum(both) != vectorChecksum(m))
  }

  @Test func popularityFeatureIdenticalOnAnyThreadCount() throws {
    let data = Fixtures.random(playlists: 120, tracks: 300, lengths: 5...30, seed: 2)
    var config = smallEmbeddingConfig()
    config.popularityFeature = true
    let first = try expectSameOnAnyThreadCount(data, config)
    // The feature changes the vectors, and the model still answers like any other.
    #expect(vectorChecksum(first) != 1_696_602_934_855_549_979)
    ModelConformance.check(first, contexts: [[1, 2], [5], [299, 7]], k: 20)
  }

  @Test func popularityFeatureDrawsRareTracksTogether() throws {
    // Many tracks seen once: with the feature they share the bucket-0 row, so their input
    // vectors point the same way; without it they are their own (nearly random) rows.
    let data = Fixtures.random(playlists: 150, tracks: 2000, lengths: 5...30, seed: 7)
    func meanCosine(_ m: EmbeddingModel, frequency f: Int32) -> Double {
      meanPairwiseCosine(
        m, (0..<Int32(m.trackCount)).filter { m.frequency[Int($0)] == f }.prefix(80))
    }
    var config = smallEmbeddingConfig(dim: 16, epochs: 5)
    let off = try EmbeddingModel(
      playlists: data.playlists, trackCount: data.trackCount, config: config)
    config.popularityFeature = true
    let on = try EmbeddingModel(
      playlists: data.playlists, trackCount: data.trackCount, config: config)
    #expect(on.frequency.filter { $0 == 1 }.count >= 40, "the fixture needs rare tracks")
    let cosOff = meanCosine(off, frequency: 1)
    let cosOn = meanCosine(on, frequency: 1)
    #expect(cosOn > cosOff + 0.2, "off \(cosOff), on \(cosOn)")
  }

  @Test func popularityFeatureMaxFrequencyLimitsSharingToRareTracks() throws {
    // Buckets: ⌊log2 f⌋ after the tracks' rows; above the limit, none (−1).
    #expect(
      EmbeddingModel.popularityBuckets(frequency: [0, 1, 2, 3, 5], trackCount: 5)
        == [5, 5, 6, 6, 7])
    #expect(
      EmbeddingModel.popularityBuckets(
        frequency: [0, 1, 2, 3, 5], trackCount: 5, maxFrequency: 2) == [5, 5, 6, -1, -1])
    let data = Fixtures.random(playlists: 150, tracks: 2000, lengths: 5...30, seed: 7)
    var config = smallEmbeddingConfig(dim: 16, epochs: 3)
    config.popularityFeature = true
    let all = try EmbeddingModel(
      playlists: data.playlists, trackCount: data.trackCount, config: config)
    // A limit above every frequency shares for every track: the same model as 0.
    config.popularityFeatureMaxFrequency = Int(all.frequency.max()!)
    let above = try EmbeddingModel(
      playlists: data.playlists, trackCount: data.trackCount, config: config)
    #expect(vectorChecksum(above) == vectorChecksum(all))
    // A limit of 1 changes the model, still deterministic on any thread count, and the rare
    // tracks still share their row: their vectors point the same way.
    config.popularityFeatureMaxFrequency = 1
    let rare = try expectSameOnAnyThreadCount(data, config)
    #expect(vectorChecksum(rare) != vectorChecksum(all))
    let ones = (0..<Int32(rare.trackCount)).filter { rare.frequency[Int($0)] == 1 }.prefix(40)
    let frequent = (0..<Int32(rare.trackCount)).filter { rare.frequency[Int($0)] >= 3 }.prefix(40)
    #expect(ones.count >= 20 && frequent.count >= 20, "the fixture needs rare and frequent tracks")
    #expect(meanPairwiseCosine(rare, ones) > meanPairwiseCosine(rare, frequent) + 0.2)
    // Negative limits are refused, naming the key.
    config.popularityFeatureMaxFrequency = -1
    #expect {
      try config.validate()
    } throws: { ($0 as? ChorusError)?.field == "popularityFeatureMaxFrequency" }
  }

  /// A ring of 60 tracks: track i is always followed by i + 1 (mod 60), and every track is
  /// equally frequent; a one-track window in the given direction, 8 epochs.
  func ringModel(_ direction: ContextDirection) throws -> EmbeddingModel {
    var rng = RandomStream(seed: 3)
    var lists: [[Int32]] = []
    for _ in 0..<300 {
      let start = rng.nextInt(below: 60)
      lists.append((0..<12).map { Int32((start + $0) % 60) })
    }
    var c = smallEmbeddingConfig(dim: 16, epochs: 8)
    c.window = 1
    c.subsample = 0
    c.contextDirection = direction
    return try EmbeddingModel(playlists: store(lists), trackCount: 60, config: c)
  }

  @Test func learnsANextTrackChain() throws {
    // After i, the next-track model must recommend i + 1 first.
    let m = try ringModel(.next)
    let misses = (0..<60).filter { m.recommend([Int32($0)], k: 1) != [Int32(($0 + 1) % 60)] }
    #expect(misses.count <= 1, "successors not ranked first after \(misses)")
  }

  /// Both sides trains each (center, neighbour) pair in both orders: with a fixed window and
  /// no subsampling, exactly twice the next-track pairs, Σ min(W, L − 1 − i) per playlist.
  @Test func bothSidesTrainsTwiceTheNextTrackPairs() throws {
    let data = Fixtures.random(playlists: 90, tracks: 200, lengths: 1...25, seed: 4)
    var c = smallEmbeddingConfig(epochs: 1)
    c.contextDirection = .next
    c.reducedWindow = false
    c.subsample = 0
    c.window = 3
    var expected = 0
    for p in 0..<data.playlists.count {
      let length = data.playlists.length(p)
      for i in 0..<length { expected += min(c.window, length - 1 - i) }
    }
    let next = try EmbeddingModel(
      playlists: data.playlists, trackCount: data.trackCount, config: c)
    c.contextDirection = .both
    let both = try EmbeddingModel(
      playlists: data.playlists, trackCount: data.trackCount, config: c)
    #expect(next.stats.pairs == expected)
    #expect(both.stats.pairs == 2 * expected)
    #expect(both.inputMatrix != next.inputMatrix)
  }

  @Test func bothSidesLearnsPredecessorsAndSuccessors() throws {
    // The ring of `ringModel`: with contexts on both sides, i − 1 and i + 1 are
    // the two best answers after i (in either order); next-track only, i − 1 is not.
    let m = try ringModel(.both)
    let misses = (0..<60).filter { (i: Int) -> Bool in
      let neighbours: Set<Int32> = [Int32((i + 1) % 60), Int32((i + 59) % 60)]
      return Set(m.recommend([Int32(i)], k: 2)) != neighbours
    }
    #expect(misses.count <= 1, "neighbours not ranked first after \(misses)")
    let forward = try ringModel(.next)
    let predecessors = (0..<60).filter { (i: Int) -> Bool in
      forward.recommend([Int32(i)], k: 2).contains(Int32((i + 59) % 60))
    }
    #expect(predecessors.count < 30, "next-track only ranks predecessors after \(predecessors)")
  }

  @Test func trainingReducesTheLoss() throws {
    let data = Fixtures.random(playlists: 100, tracks: 150, lengths: 5...30, seed: 3)
    var c = smallEmbeddingConfig(epochs: 1)
    c.subsample = 0  // the loss below counts every pair
    let one = try EmbeddingModel(playlists: data.playlists, trackCount: data.trackCount, config: c)
    c.epochs = 10
    let ten = try EmbeddingModel(playlists: data.playlists, trackCount: data.trackCount, config: c)
    // Output vectors start at zero: every term is −log σ(0) = log 2.
    let initial = Double(c.negatives + 1) * log(2.0)
    let l1 = one.sgnsLoss(on: data.playlists)
    let l10 = ten.sgnsLoss(on: data.playlists)
    #expect(l1 < initial)
    #expect(l10 < l1 - 0.1)
  }

  /// A model from hand-made vectors: a power law of output norms over `n` tracks and small
  /// integer components scaled by powers of two, so dot products are exact and tie often.
  func synthetic(n: Int, dim: Int, seed: UInt64) -> EmbeddingModel {
    var config = EmbeddingConfig()
    config.dim = dim
    let stride = config.rowStride
    var rng = RandomStream(seed: seed)
    var input = [Float](repeating: 0, count: n * stride)
    var output = [Float](repeating: 0, count: n * stride)
    for t in 0..<n {
      let scale = Float(1 << max(0, 12 - Int(log2(Double(t + 1)))))
      for d in 0..<dim {
        input[t * stride + d] = Float(rng.nextInt(below: 3) - 1)
        output[t * stride + d] = Float(rng.nextInt(below: 5) - 2) * scale
      }
    }
    let frequency = (0..<n).map { Int32(1 + ($0 % 7)) }
    return EmbeddingModel(
      config: config, frequency: frequency,
      fingerprint: DatasetFingerprint(trackCount: n, playlistCount: 0, entryCount: 0, checksum: 0),
      stats: EmbeddingTrainingStats(), input: input, output: output)
  }

  @Test(arguments: [1, 10, 100, 700])
  func prunedBatchEqualsPlainTwin(k: Int) throws {
    let m = synthetic(n: 1500, dim: 12, seed: UInt64(k))
    var rng = RandomStream(seed: 11)
    var contexts: [[Int32]] = (0..<24).map { _ in [Int32(rng.nextInt(below: 1500))] }
    contexts += (0..<8).map { i in (0...(i % 5)).map { _ in Int32(rng.nextInt(below: 1500)) } }
    contexts += [[], [5, 5]]
    let (table, stats) = m.recommendAllMeasured(store(contexts), k: k)
    for (i, c) in contexts.enumerated() {
      #expect(Array(table[i]).filter { $0 >= 0 } == m.recommendPlain(c, k: k), "context \(c)")
    }
    if k <= 10 { #expect(stats.scored < stats.exhaustive / 2, "the norm bound should prune") }
    if k == 10 { ModelConformance.check(m, contexts: Array(contexts.prefix(8)), k: k) }
  }

  @Test func trainedBatchEqualsPlainTwin() throws {
    let data = Fixtures.random(playlists: 150, tracks: 500, lengths: 5...30, seed: 5)
    let m = try EmbeddingModel(
      playlists: data.playlists, trackCount: data.trackCount, config: smallEmbeddingConfig())
    let contexts = (0..<40).map { Array(data.playlists[$0].prefix($0 % 7 + 1)) }
    let table = m.recommendAll(store(contexts), k: 25)
    for (i, c) in contexts.enumerated() { #expect(Array(table[i]) == m.recommendPlain(c, k: 25)) }
  }

  @Test func meanAndRecencyQueries() {
    // Inputs: track 0 = (1, 0), track 1 = (0, 1).
    // Outputs: 2 = (1, 0), 3 = (0, 1), 4 = 0.55 · (1, 1).
    func model(_ aggregation: ContextAggregation) -> EmbeddingModel {
      var c = EmbeddingConfig()
      c.dim = 2
      c.aggregation = aggregation
      c.contextDecay = 0.5
      var input = [Float](repeating: 0, count: 5 * 8)
      var output = input
      input[0] = 1
      input[8 + 1] = 1
      output[2 * 8] = 1
      output[3 * 8 + 1] = 1
      output[4 * 8] = 0.55
      output[4 * 8 + 1] = 0.55
      return EmbeddingModel(
        config: c, frequency: [1, 1, 1, 1, 1],
        fingerprint: DatasetFingerprint(
          trackCount: 5, playlistCount: 0, entryCount: 0, checksum: 0),
        stats: EmbeddingTrainingStats(), input: input, output: output)
    }
    let mean = model(.mean)
    let recency = model(.recency)
    #expect(mean.contextVector([0, 1]) == [0.5, 0.5])
    let q = recency.contextVector([0, 1])!  // weights 0.5 (track 0) and 1 (track 1), normalised
    #expect(abs(q[0] - 1.0 / 3) < 1e-6 && abs(q[1] - 2.0 / 3) < 1e-6)
    // Mean: 4 scores 0.55, then 2 and 3 tie at 0.5 (lower id first).
    #expect(mean.recommend([0, 1], k: 3) == [4, 2, 3])
    // Recency favours the last seed's direction: 3 (0.667), 4 (0.55), 2 (0.333).
    #expect(recency.recommend([0, 1], k: 3) == [3, 4, 2])
    #expect(recency.recommend([1, 0], k: 3) == [2, 4, 3])
    #expect(mean.contextVector([7]) == nil)
  }

  @Test func saveLoadRoundTripAndDatasetCheck() throws {
    let data = Fixtures.random(playlists: 100, tracks: 300, lengths: 5...30, seed: 6)
    var config = smallEmbeddingConfig(dim: 12)  // not a multiple of 8: exercises padding
    config.aggregation = .mean
    let m = try EmbeddingModel(
      playlists: data.playlists, trackCount: data.trackCount, config: config)
    let dir = TemporaryDirectory()
    let path = dir.file("model.chorusem")
    try m.save(to: path)
    let loaded = try EmbeddingModel.load(
      from: path, playlists: data.playlists, trackCount: data.trackCount, expecting: config)
    #expect(loaded.config == m.config)
    #expect(loaded.stats == m.stats)
    #expect(loaded.fingerprint == m.fingerprint)
    #expect(loaded.inputMatrix.map(\.bitPattern) == m.inputMatrix.map(\.bitPattern))
    #expect(loaded.outputMatrix.map(\.bitPattern) == m.outputMatrix.map(\.bitPattern))
    let contexts = store((0..<30).map { Array(data.playlists[$0].prefix(4)) })
    #expect(loaded.recommendAll(contexts, k: 40) == m.recommendAll(contexts, k: 40))

    // Other data: one playlist shorter.
    var lists = data.playlists.arrays
    lists[7].removeLast()
    do {
      _ = try EmbeddingModel.load(from: path, playlists: store(lists), trackCount: data.trackCount)
      Issue.record("loading against other data must fail")
    } catch let e as ChorusError {
      #expect(e.kind == .data)
      #expect(e.message.contains("does not match the dataset"))
      #expect(e.hint?.contains("retrain") == true)
    }
    // Another config than expected.
    var other = config
    other.epochs = 4
    #expect(throws: ChorusError.self) {
      try EmbeddingModel.load(
        from: path, playlists: data.playlists, trackCount: data.trackCount, expecting: other)
    }
    // A corrupt byte.
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    bytes[bytes.count / 2] ^= 0x40
    let bad = dir.write("bad.chorusem", bytes: bytes)
    #expect(throws: ChorusError.self) {
      try EmbeddingModel.load(from: bad, playlists: data.playlists, trackCount: data.trackCount)
    }
  }

  @Test(arguments: [
    ("dim", "0"), ("dim", "-3"), ("negatives", "0"), ("window", "0"), ("epochs", "0"),
    ("learningRate", "0"), ("contextDecay", "1.5"), ("subsample", "-1"), ("chunkTokens", "0"),
  ])
  func badConfigNamesTheKey(key: String, value: String) {
    do {
      _ = try ModelSpec(name: "embedding", overrides: ["\(key)=\(value)"])
      Issue.record("\(key)=\(value) was accepted")
    } catch let e as ChorusError {
      #expect(e.kind == .config)
      #expect(e.field == key)
    } catch {
      Issue.record("unexpected error \(error)")
    }
  }

  @Test func specOverridesAndUnknownKeys() throws {
    let spec = try ModelSpec(
      name: "embedding", overrides: ["dim=8", "epochs=2", "aggregation=mean", "seed=7"])
    guard case .embedding(let c) = spec else {
      Issue.record("not an embedding spec")
      return
    }
    #expect(c.dim == 8 && c.epochs == 2 && c.aggregation == .mean && c.seed == 7)
    #expect(spec.name == "embedding")
    #expect(ModelSpec.names.contains("embedding"))
    let data = Fixtures.random(playlists: 50, tracks: 80, seed: 1)
    #expect(
      try spec.train(playlists: data.playlists, trackCount: data.trackCount) is EmbeddingModel)
    do {
      _ = try ModelSpec(name: "embedding", overrides: ["dims=8"])
      Issue.record("an unknown key was accepted")
    } catch let e as ChorusError {
      #expect(e.kind == .config)
      #expect(e.field == "dims")
    }
    #expect(throws: ChorusError.self) {
      try ModelSpec(name: "embedding", overrides: ["aggregation=median"])
    }
    // popularityFeature: off by default, set like any key, typo'd keys still refused.
    #expect(!EmbeddingConfig().popularityFeature)
    let feature = try ModelSpec(name: "embedding", overrides: ["popularityFeature=true"])
    var expected = EmbeddingConfig()
    expected.popularityFeature = true
    #expect(feature == .embedding(expected))
    let fromSpec = try ModelSpec(
      name: "embedding", config: ["popularityFeature": true, "epochs": 2])
    guard case .embedding(let sc) = fromSpec else {
      Issue.record("not an embedding spec")
      return
    }
    #expect(sc.popularityFeature && sc.epochs == 2)
    #expect(throws: ChorusError.self) {
      try ModelSpec(name: "embedding", config: ["popularityFeatures": true])
    }
    #expect(throws: ChorusError.self) {
      try ModelSpec(name: "embedding", overrides: ["popularityFeature=maybe"])
    }
    // contextDirection: set by --set and in specs, other values refused naming the key.
    #expect(
      try ModelSpec(name: "embedding", overrides: ["contextDirection=both"]).embeddingDirection
        == .both)
    #expect(
      try ModelSpec(name: "embedding", config: ["contextDirection": "next"]).embeddingDirection
        == .next)
    #expect {
      try ModelSpec(name: "embedding", overrides: ["contextDirection=left"])
    } throws: { ($0 as? ChorusError)?.field == "contextDirection" }
    // Configs saved before the keys existed still decode (as next, 0, false, false, 0, 0.5
    // and false: how those models were trained); other keys stay required.
    var old = try ConfigCoding.object(EmbeddingConfig())
    for key in Self.keysAddedLater { old[key] = nil }
    let decoded = try JSONDecoder().decode(
      EmbeddingConfig.self, from: JSONSerialization.data(withJSONObject: old))
    var trainedBefore = EmbeddingConfig()
    trainedBefore.contextDirection = .next
    trainedBefore.initialRange = 0.5
    trainedBefore.skipSaturated = false
    #expect(decoded == trainedBefore)
    old["dim"] = nil
    #expect(throws: DecodingError.self) {
      try JSONDecoder().decode(
        EmbeddingConfig.self, from: JSONSerialization.data(withJSONObject: old))
    }
  }

  /// The config keys that files saved by the first versions lack.
  static let keysAddedLater = [
    "contextDirection", "negativePool", "stratifiedPool", "popularityFeature",
    "popularityFeatureMaxFrequency", "initialRange", "skipSaturated", "deferredNegatives",
  ]

  /// The settings that close the gap to gensim are off by default (so every earlier result
  /// trains byte-identically: the golden vectors above use the defaults), set like any key,
  /// and a bad initial range is refused naming the key.
  @Test func gensimMatchingSettingsAreOptIn() throws {
    let now = EmbeddingConfig()
    #expect(now.initialRange == 0.5 && !now.skipSaturated && !now.stratifiedPool)
    #expect(now.contextDirection == .next && now.sharedNegatives && now.negativePool == 0)
    let spec = try ModelSpec(
      name: "embedding",
      overrides: ["initialRange=4", "skipSaturated=true", "stratifiedPool=true"])
    var expected = EmbeddingConfig()
    expected.initialRange = 4
    expected.skipSaturated = true
    expected.stratifiedPool = true
    #expect(spec == .embedding(expected))
    for bad in ["0", "-1", "1000"] {
      #expect {
        try ModelSpec(name: "embedding", overrides: ["initialRange=\(bad)"])
      } throws: { ($0 as? ChorusError)?.field == "initialRange" }
    }
  }

  /// A larger initial range scales the starting input vectors exactly: (u − 0.5) · 2r/dim
  /// from the same random draws, so r = 1 doubles every component of r = 0.5.
  @Test func initialRangeScalesTheStartingVectors() throws {
    var config = smallEmbeddingConfig(dim: 12)
    let half = PageAlignedMatrix(rows: 50, stride: config.rowStride)
    EmbeddingModel.initializeInput(half, rows: 50, config: config)
    config.initialRange = 1
    let one = PageAlignedMatrix(rows: 50, stride: config.rowStride)
    EmbeddingModel.initializeInput(one, rows: 50, config: config)
    let a = half.array()
    let b = one.array()
    #expect(a.contains { $0 != 0 })
    #expect(zip(a, b).allSatisfy { $0 * 2 == $1 })
    #expect(a.allSatisfy { abs($0) <= 0.5 / 12 } && b.contains { abs($0) > 0.5 / 12 })
  }

  /// A model file written before the newer keys existed (its config JSON lacks them) still
  /// loads, reads them as the behaviour it was trained with (next, no pool, initial range
  /// 0.5, saturated gradients), answers exactly like the model it was written from, and
  /// passes a check against that config.
  @Test func modelSavedBeforeTheNewKeysLoadsWithTheOldBehaviour() throws {
    let data = Fixtures.random(playlists: 100, tracks: 300, lengths: 5...30, seed: 6)
    let m = try EmbeddingModel(
      playlists: data.playlists, trackCount: data.trackCount, config: smallEmbeddingConfig())
    // The file as the first versions wrote it: same sections, config without the new keys.
    // (Stats and fingerprint straight from the encoder: the checksum is a full UInt64.)
    var config = try ConfigCoding.object(m.config)
    for key in Self.keysAddedLater { config[key] = nil }
    let configJSON = String(
      decoding: try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys]),
      as: UTF8.self)
    func encoded(_ value: some Encodable) throws -> String {
      String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }
    let json = Data(
      ("{\"config\":\(configJSON),\"fingerprint\":\(try encoded(m.fingerprint)),"
        + "\"stats\":\(try encoded(m.stats))}").utf8)
    #expect(!configJSON.contains("negativePool") && configJSON.contains("sharedNegatives"))
    let dir = TemporaryDirectory()
    let path = dir.file("old.chorusem")
    try FileIO.writeAtomically(to: path) { handle in
      var w = try BinaryWriter(
        handle: handle, magic: EmbeddingModel.fileMagic, version: EmbeddingModel.fileVersion,
        sections: 5)
      try w.writeSection([
        UInt64(m.trackCount), UInt64(m.dim), UInt64(m.fingerprint.playlistCount),
        UInt64(m.fingerprint.entryCount), m.fingerprint.checksum,
      ])
      try w.writeSection([UInt8](json))
      try w.writeSection(m.inputMatrix)
      try w.writeSection(m.outputMatrix)
      try w.writeSection(m.frequency)
      try w.finish()
    }
    let loaded = try EmbeddingModel.load(
      from: path, playlists: data.playlists, trackCount: data.trackCount,
      expecting: m.config)
    #expect(loaded.config == m.config)
    #expect(loaded.inputMatrix.map(\.bitPattern) == m.inputMatrix.map(\.bitPattern))
    let contexts = store((0..<20).map { Array(data.playlists[$0].prefix(3)) })
    #expect(loaded.recommendAll(contexts, k: 30) == m.recommendAll(contexts, k: 30))
  }

  /// The most accurate combination (both sides, fresh negatives from a pool, gensim's
  /// saturation rule, initial range 4) trains byte-identically on any thread count and gives
  /// a model that answers like any other.
  @Test func gensimMatchingSettingsIdenticalOnAnyThreadCount() throws {
    let data = Fixtures.random(playlists: 120, tracks: 300, lengths: 5...30, seed: 2)
    var config = smallEmbeddingConfig()
    config.contextDirection = .both
    config.sharedNegatives = false
    config.negativePool = 64
    config.initialRange = 4
    config.skipSaturated = true
    let m = try expectSameOnAnyThreadCount(data, config)
    ModelConformance.check(m, contexts: [[1, 2], [5], [299, 7]], k: 20)
  }

  /// A learning rate that makes training diverge gives a clear error naming the key, not a
  /// crash in the sigmoid lookup or a model full of NaN.
  @Test func divergedTrainingIsAClearError() throws {
    let data = Fixtures.random(playlists: 400, tracks: 300, lengths: 10...40, seed: 3)
    var config = EmbeddingConfig()
    config.learningRate = 10
    config.epochs = 2
    config.popularityFeature = true
    do {
      _ = try EmbeddingModel(playlists: data.playlists, trackCount: data.trackCount, config: config)
      Issue.record("training at learningRate 10 did not report divergence")
    } catch let error as ChorusError {
      #expect(error.field == "learningRate")
      #expect(error.message.contains("diverged"))
    }
  }
}

extension ModelSpec {
  /// The context direction of an embedding spec (nil for other models).
  fileprivate var embeddingDirection: ContextDirection? {
    if case .embedding(let c) = self { return c.contextDirection }
    return nil
  }
}
