// The SGNS kernel against its plain twin (SGNSReference), in the next-track direction and
// with contexts on both sides: one chunk trained by the kernel, on the shared rows and on
// an overlay, equals the scalar loops bit for bit; whole
// deterministic training equals "each chunk of a round trains on the round's starting
// rows, then the start plus every chunk's delta, in chunk order"; Hogwild on one thread
// equals plain sequential training; and the tables the kernel draws from (alias, keep,
// sigmoid) hold what their formulas say.
import ChorusCore
import ChorusTestSupport
import Foundation
import Testing

@testable import Recommenders

@Suite struct SGNSKernelTwinTests {
  /// Bit patterns of rows, for exact comparison (Float == would equate 0 and −0).
  func bits(_ rows: [[Float]]) -> [[UInt32]] { rows.map { $0.map(\.bitPattern) } }

  /// A reference model with random rows large enough that some scores leave [−6, 6] (all
  /// three branches of the sigmoid), and tables built from the fixture's frequencies.
  func reference(
    _ data: PlaylistStore, trackCount: Int, dim: Int, shared: Bool, reduced: Bool,
    popularity: Bool, subsample: Double, seed: UInt64, bothSides: Bool = false, pool: Int = 0,
    skipSaturated: Bool = false, stratified: Bool = false
  ) -> SGNSReference {
    let stride = (dim + 7) & ~7
    var frequency = [Int32](repeating: 0, count: trackCount)
    for t in data.tracks { frequency[Int(t)] += 1 }
    var rng = RandomStream(seed: seed, component: "test.rows")
    func row() -> [Float] {
      (0..<stride).map { k in k < dim ? Float(rng.nextDouble() * 3 - 1.5) : 0 }
    }
    let rows = trackCount + (popularity ? 32 : 0)
    let weights = frequency.map { $0 > 0 ? Foundation.pow(Double($0), 0.5) : 0 }
    var ref = SGNSReference(
      input: (0..<rows).map { _ in row() }, output: (0..<trackCount).map { _ in row() },
      stride: stride, window: 4, reducedWindow: reduced, negatives: 3, sharedNegatives: shared,
      learningRate: 0.05, minLearningRate: 0.0001,
      scheduleLength: Double(data.entryCount) * 2,
      keep: SGNSKernel.makeKeepThresholds(
        frequency: frequency, entries: data.entryCount, threshold: subsample),
      alias: SGNSKernel.makeAliasTable(weights: weights),
      bucketRow: popularity
        ? EmbeddingModel.popularityBuckets(
          frequency: frequency, trackCount: trackCount, maxFrequency: 3) : nil,
      bothSides: bothSides, negativePool: pool, skipSaturated: skipSaturated)
    if stratified { ref.poolCumulative = SGNSKernel.makeCumulativeWeights(weights) }
    return ref
  }

  /// Runs the kernel over playlists `range` from the reference's rows, directly on the
  /// rows (`overlay` false) or on a chunk overlay whose deltas are then merged back;
  /// `overlayRows` is how many rows the overlay held (0 without one).
  func kernelChunk(
    _ ref: SGNSReference, _ data: PlaylistStore, range: Range<Int>, epochOffset: Int,
    overlay: Bool, rng: inout RandomStream, level: KernelLevel = .portable
  ) -> (input: [[Float]], output: [[Float]], counts: SGNSChunkCounts, overlayRows: Int) {
    let stride = ref.stride
    var input = ref.input.flatMap { $0 }
    var output = ref.output.flatMap { $0 }
    let sigmoid = SGNSKernel.makeSigmoidTable()
    let maxLength = (0..<data.count).map { data.length($0) }.max() ?? 1
    let state = SGNSChunkState(
      stride: stride, maxPlaylistLength: maxLength,
      targets: (SGNSKernel.maxPairs(window: ref.window, bothSides: ref.bothSides) + 1)
        * (ref.negatives + 1), ahead: ref.negatives + 1, pool: ref.negativePool)
    let bucketRow = ref.bucketRow ?? []
    let cumulative = ref.poolCumulative
    var counts = SGNSChunkCounts()
    data.tracks.withUnsafeBufferPointer { tracks in
      data.offsets.withUnsafeBufferPointer { offsets in
        ref.keep.withUnsafeBufferPointer { keep in
          ref.alias.withUnsafeBufferPointer { alias in
            sigmoid.withUnsafeBufferPointer { sigmoid in
              bucketRow.withUnsafeBufferPointer { buckets in
                input.withUnsafeMutableBufferPointer { input in
                  output.withUnsafeMutableBufferPointer { output in
                    var p = SGNSParameters(
                      tracks: tracks.baseAddress!, offsets: offsets.baseAddress!,
                      keep: keep.baseAddress!, alias: alias.baseAddress!,
                      trackCount: ref.output.count, sigmoid: sigmoid.baseAddress!,
                      stride: stride, window: ref.window, bothSides: ref.bothSides,
                      reducedWindow: ref.reducedWindow,
                      negatives: ref.negatives, sharedNegatives: ref.sharedNegatives,
                      negativePool: ref.negativePool, skipSaturated: ref.skipSaturated,
                      learningRate: ref.learningRate,
                      minLearningRate: ref.minLearningRate,
                      scheduleLength: ref.scheduleLength,
                      bucketRows: ref.bucketRow == nil ? nil : buckets.baseAddress!)
                    let cumulativeCopy = UnsafeMutablePointer<Double>.allocate(
                      capacity: max(1, cumulative.count))
                    cumulativeCopy.initialize(from: cumulative, count: cumulative.count)
                    defer { cumulativeCopy.deallocate() }
                    if !cumulative.isEmpty { p.poolCumulative = UnsafePointer(cumulativeCopy) }
                    p.kernelLevel = level
                    // One-chunk twins train without deferred negatives (the whole-training
                    // twin below covers them): the log stays empty.
                    var deferred = DeferredUpdates(log: SGNSDeferredLog(stride: stride))
                    if overlay {
                      var rows = OverlayRows(
                        state: state, input: input.baseAddress!, output: output.baseAddress!)
                      counts = SGNSKernel.trainChunk(
                        p, playlists: range, epochOffset: epochOffset, rows: &rows, rng: &rng,
                        kept: state.kept, gradient: state.gradient, combined: state.combined,
                        targets: state.targets, targetRows: state.targetRows,
                        ahead: state.ahead, pool: state.pool, poolRows: state.poolRows,
                        deferred: &deferred)
                      rows.close()
                      state.makeDeltas(input: input.baseAddress!, output: output.baseAddress!)
                      state.merge(
                        0..<state.rowCount, input: input.baseAddress!,
                        output: output.baseAddress!)
                    } else {
                      var rows = SharedRows(
                        inputBase: input.baseAddress!, outputBase: output.baseAddress!,
                        stride: stride)
                      counts = SGNSKernel.trainChunk(
                        p, playlists: range, epochOffset: epochOffset, rows: &rows, rng: &rng,
                        kept: state.kept, gradient: state.gradient, combined: state.combined,
                        targets: state.targets, targetRows: state.targetRows,
                        ahead: state.ahead, pool: state.pool, poolRows: state.poolRows,
                        deferred: &deferred)
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    func split(_ flat: [Float]) -> [[Float]] {
      (0..<(flat.count / stride)).map { Array(flat[($0 * stride)..<(($0 + 1) * stride)]) }
    }
    return (split(input), split(output), counts, overlay ? state.rowCount : 0)
  }

  /// Shared negatives or not, reduced window or not, with and without the popularity
  /// feature, strides of 1, 2 and 3 SIMD blocks (the odd one takes the dot's tail path),
  /// contexts after each position or on both sides of it.
  @Test(arguments: [
    (dim: 8, shared: true, reduced: true, popularity: false, both: false),
    (dim: 20, shared: false, reduced: true, popularity: false, both: false),
    (dim: 12, shared: true, reduced: false, popularity: false, both: false),
    (dim: 20, shared: true, reduced: true, popularity: true, both: false),
    (dim: 7, shared: false, reduced: false, popularity: true, both: false),
    (dim: 8, shared: true, reduced: true, popularity: false, both: true),
    (dim: 20, shared: false, reduced: true, popularity: false, both: true),
    (dim: 12, shared: true, reduced: false, popularity: false, both: true),
    (dim: 20, shared: true, reduced: true, popularity: true, both: true),
    (dim: 7, shared: false, reduced: false, popularity: true, both: true),
  ])
  func oneChunkEqualsPlainReference(
    dim: Int, shared: Bool, reduced: Bool, popularity: Bool, both: Bool
  ) {
    let data = Fixtures.random(playlists: 40, tracks: 60, lengths: 1...14, seed: 21)
    expectOneChunkEqualsPlainReference(
      data, range: 3..<30, dim: dim, shared: shared, reduced: reduced, popularity: popularity,
      both: both, pool: 0)
  }

  /// With a pool of negatives, fresh per pair or shared per position, in both directions;
  /// pools smaller and larger than the fixture's 60 tracks (duplicates in the pool).
  @Test(arguments: [
    (dim: 8, shared: false, reduced: true, popularity: false, both: true, pool: 16),
    (dim: 20, shared: true, reduced: true, popularity: false, both: true, pool: 16),
    (dim: 12, shared: false, reduced: false, popularity: false, both: false, pool: 100),
    (dim: 20, shared: false, reduced: true, popularity: true, both: true, pool: 7),
    (dim: 7, shared: true, reduced: false, popularity: true, both: false, pool: 1),
  ])
  func oneChunkWithNegativePoolEqualsPlainReference(
    dim: Int, shared: Bool, reduced: Bool, popularity: Bool, both: Bool, pool: Int
  ) {
    let data = Fixtures.random(playlists: 40, tracks: 60, lengths: 1...14, seed: 21)
    expectOneChunkEqualsPlainReference(
      data, range: 3..<30, dim: dim, shared: shared, reduced: reduced, popularity: popularity,
      both: both, pool: pool)
  }

  /// gensim's treatment of saturated scores (no update for a target scored outside ±6),
  /// with the rows' large random values hitting both saturated branches.
  @Test(arguments: [
    (dim: 20, shared: false, popularity: false, both: true, pool: 16),
    (dim: 20, shared: true, popularity: true, both: false, pool: 0),
    (dim: 12, shared: false, popularity: false, both: true, pool: 0),
  ])
  func oneChunkSkippingSaturatedEqualsPlainReference(
    dim: Int, shared: Bool, popularity: Bool, both: Bool, pool: Int
  ) {
    let data = Fixtures.random(playlists: 40, tracks: 60, lengths: 1...14, seed: 21)
    expectOneChunkEqualsPlainReference(
      data, range: 3..<30, dim: dim, shared: shared, reduced: true, popularity: popularity,
      both: both, pool: pool, skipSaturated: true)
  }

  /// A stratified pool (the table's quantiles), fresh or shared negatives, pools smaller
  /// and larger than the fixture's 60 tracks.
  @Test(arguments: [
    (dim: 8, shared: false, both: true, pool: 16),
    (dim: 20, shared: true, both: false, pool: 100),
    (dim: 7, shared: false, both: true, pool: 1),
  ])
  func oneChunkWithStratifiedPoolEqualsPlainReference(
    dim: Int, shared: Bool, both: Bool, pool: Int
  ) {
    let data = Fixtures.random(playlists: 40, tracks: 60, lengths: 1...14, seed: 21)
    expectOneChunkEqualsPlainReference(
      data, range: 3..<30, dim: dim, shared: shared, reduced: true, popularity: false,
      both: both, pool: pool, stratified: true)
  }

  /// The stratified pool holds each track in proportion to its weight, to within one entry,
  /// in track order, and never a zero-weight track.
  @Test func stratifiedPoolHoldsEachTrackInProportion() {
    let weights: [Double] = [0, 5, 0.5, 0, 2.5, 12, 0, 0.25, 3, 0]
    let cumulative = SGNSKernel.makeCumulativeWeights(weights)
    let total = weights.reduce(0, +)
    var rng = RandomStream(seed: 9, component: "test.pool")
    for count in [1, 7, 24, 100] {
      var pool = [Int32](repeating: -1, count: count)
      cumulative.withUnsafeBufferPointer { c in
        pool.withUnsafeMutableBufferPointer { p in
          SGNSKernel.fillStratifiedPool(
            p.baseAddress!, count: count, r: rng.next(), cumulative: c.baseAddress!,
            trackCount: weights.count)
        }
      }
      #expect(pool == pool.sorted())
      for (t, w) in weights.enumerated() {
        let n = pool.filter { $0 == Int32(t) }.count
        let expected = Double(count) * w / total
        #expect(
          Double(n) >= expected.rounded(.down) && Double(n) <= expected.rounded(.up),
          "count \(count) track \(t): \(n) entries, expected \(expected)")
      }
    }
  }

  /// Skipping saturated targets changes training (at dims 12 and 20 the fixture's scores
  /// leave ±6 now and then), so the test above is not vacuous.
  @Test func skippingSaturatedChangesTheRows() {
    let data = Fixtures.random(playlists: 40, tracks: 60, lengths: 1...14, seed: 21)
    let store = data.playlists
    func trained(_ skip: Bool) -> [[UInt32]] {
      var ref = reference(
        store, trackCount: data.trackCount, dim: 12, shared: false, reduced: true,
        popularity: false, subsample: 0.01, seed: 5, bothSides: true, skipSaturated: skip)
      var rng = RandomStream(seed: 77, component: "embedding.sgns", chunk: 1)
      _ = ref.trainChunk(
        (3..<30).map { (store.offsets[$0], Array(store[$0])) }, epochOffset: 0, rng: &rng)
      return bits(ref.input)
    }
    #expect(trained(true) != trained(false))
  }

  /// A pool whose rows move when the overlay grows in the middle of the chunk (more rows
  /// than its initial 4096): the pool's row pointers must be found again, or the kernel
  /// would update freed memory and differ from the reference.
  @Test func negativePoolSurvivesOverlayGrowth() {
    let data = Fixtures.random(playlists: 200, tracks: 20_000, lengths: 20...40, seed: 4)
    let overlayRows = expectOneChunkEqualsPlainReference(
      data, range: 0..<200, dim: 8, shared: false, reduced: true, popularity: false,
      both: true, pool: 3000, subsample: 0.001)
    #expect(overlayRows > 4096)
  }

  /// Trains playlists `range` of `data` as one chunk (second epoch) with the plain reference
  /// and with the kernel, directly and on an overlay, and expects the same bits; returns
  /// how many rows the overlay held.
  @discardableResult
  func expectOneChunkEqualsPlainReference(
    _ data: Dataset, range: Range<Int>, dim: Int, shared: Bool, reduced: Bool,
    popularity: Bool, both: Bool, pool: Int, subsample: Double = 0.01,
    skipSaturated: Bool = false, stratified: Bool = false
  ) -> Int {
    let store = data.playlists
    let ref = reference(
      store, trackCount: data.trackCount, dim: dim, shared: shared, reduced: reduced,
      popularity: popularity, subsample: subsample, seed: 5, bothSides: both, pool: pool,
      skipSaturated: skipSaturated, stratified: stratified)
    // The playlists as one chunk, in the second epoch (the schedule has moved on).
    let epochOffset = store.entryCount
    var plain = ref
    var rng = RandomStream(seed: 77, component: "embedding.sgns", chunk: 1)
    let counts = plain.trainChunk(
      range.map { (store.offsets[$0], Array(store[$0])) }, epochOffset: epochOffset, rng: &rng)
    // Sanity of the fixture: subsampling dropped some tokens and pairs were trained.
    let entries = store.offsets[range.upperBound] - store.offsets[range.lowerBound]
    #expect(counts.effectiveTokens < entries)
    #expect(counts.pairs > 50)
    #expect(bits(plain.input) != bits(ref.input))

    // The Swift pair loop (portable) and, where the CPU has AVX2, the C pair loop.
    var overlayRows = 0
    for level in Self.pairLoopLevels {
      // Directly on the rows (Hogwild's path): the trained rows themselves.
      var rngShared = RandomStream(seed: 77, component: "embedding.sgns", chunk: 1)
      let direct = kernelChunk(
        ref, store, range: range, epochOffset: epochOffset, overlay: false, rng: &rngShared,
        level: level)
      #expect(bits(direct.input) == bits(plain.input), "\(level)")
      #expect(bits(direct.output) == bits(plain.output), "\(level)")
      #expect(direct.counts.effectiveTokens == counts.effectiveTokens)
      #expect(direct.counts.pairs == counts.pairs)
      // Both consumed exactly the same random values.
      var rngPlain = RandomStream(seed: 77, component: "embedding.sgns", chunk: 1)
      var again = ref
      _ = again.trainChunk(
        range.map { (store.offsets[$0], Array(store[$0])) }, epochOffset: epochOffset,
        rng: &rngPlain)
      #expect(rngShared.next() == rngPlain.next())

      // On an overlay, merged back: start + (trained copy − start), float by float.
      var rngOverlay = RandomStream(seed: 77, component: "embedding.sgns", chunk: 1)
      let merged = kernelChunk(
        ref, store, range: range, epochOffset: epochOffset, overlay: true, rng: &rngOverlay,
        level: level)
      #expect(
        bits(merged.input) == bits(SGNSReference.mergeDeltas(ref.input, [plain.input])),
        "\(level)")
      #expect(
        bits(merged.output) == bits(SGNSReference.mergeDeltas(ref.output, [plain.output])),
        "\(level)")
      overlayRows = merged.overlayRows
    }
    return overlayRows
  }

  /// The pair loops a one-chunk twin checks: the Swift loop, and the C loop of chorus_sgns.h
  /// where this CPU runs a vector level (AVX2 on x86-64; elsewhere only the Swift loop runs).
  static let pairLoopLevels: [KernelLevel] =
    KernelLevel.supported >= .avx2 ? [.portable, .avx2] : [.portable]

  /// Training configs for the whole-training comparison.
  static let trainingConfigs: [EmbeddingConfig] = {
    var configs: [EmbeddingConfig] = []
    var c = EmbeddingConfig()
    c.contextDirection = .next
    c.dim = 8
    c.epochs = 2
    c.chunkTokens = 200
    c.chunksPerRound = 3
    configs.append(c)
    var d = c
    d.dim = 20
    d.window = 3
    d.sharedNegatives = false
    d.reducedWindow = false
    d.negativeExponent = 0.75
    d.seed = 3
    configs.append(d)
    var e = c
    e.dim = 12
    e.popularityFeature = true
    e.learningRate = 0.025
    configs.append(e)
    var f = c
    f.popularityFeature = true
    f.popularityFeatureMaxFrequency = 2
    f.subsample = 0
    f.chunksPerRound = 1
    configs.append(f)
    // Contexts on both sides, with each of the options above.
    for var config in configs where config.contextDirection == .next {
      config.contextDirection = .both
      configs.append(config)
    }
    // A pool of negatives, fresh per pair and shared per position.
    var g = c
    g.contextDirection = .both
    g.sharedNegatives = false
    g.negativePool = 24
    configs.append(g)
    var h = g
    h.sharedNegatives = true
    h.negativePool = 5
    h.popularityFeature = true
    configs.append(h)
    // gensim's initial range and saturated scores left alone, with a pool.
    var i = g
    i.initialRange = 1
    i.skipSaturated = true
    i.learningRate = 0.5
    configs.append(i)
    // A stratified pool, fresh and shared.
    var j = g
    j.stratifiedPool = true
    configs.append(j)
    var k = h
    k.stratifiedPool = true
    configs.append(k)
    // The most accurate combination: both sides, fresh negatives from a pool, gensim's
    // saturation rule and a larger initial range.
    var m = g
    m.initialRange = 4
    m.skipSaturated = true
    configs.append(m)
    // Deferred negatives: fresh from the whole table (gensim's sampler) with gensim's
    // settings; shared per position in the next-track direction; with the popularity
    // feature.
    var n = m
    n.negativePool = 0
    n.deferredNegatives = true
    configs.append(n)
    var o = c
    o.deferredNegatives = true
    configs.append(o)
    var q = f
    q.deferredNegatives = true
    q.sharedNegatives = false
    configs.append(q)
    return configs
  }()

  @Test(arguments: trainingConfigs)
  func wholeTrainingEqualsPlainRounds(config: EmbeddingConfig) {
    let data = Fixtures.random(playlists: 90, tracks: 150, lengths: 1...25, seed: 8)
    let store = data.playlists
    let trained = ParallelConfig.withThreads(2) {
      EmbeddingModel.train(
        playlists: store, trackCount: data.trackCount,
        frequency: trackFrequencies(store, trackCount: data.trackCount), config: config,
        progress: nil)
    }
    let plain = SGNSReference.train(
      playlists: store.arrays, trackCount: data.trackCount, config: config)
    let stride = config.rowStride
    let input = trained.input.array()
    let output = trained.output.array()
    let kernelInput = (0..<data.trackCount).map {
      Array(input[($0 * stride)..<(($0 + 1) * stride)])
    }
    let kernelOutput = (0..<data.trackCount).map {
      Array(output[($0 * stride)..<(($0 + 1) * stride)])
    }
    // Several rounds of several chunks ran.
    #expect(trained.stats.roundsPerEpoch >= 2)
    #expect(bits(kernelInput) == bits(plain.input))
    #expect(bits(kernelOutput) == bits(plain.output))
    #expect(trained.stats.effectiveTokens == plain.effectiveTokens)
    #expect(trained.stats.pairs == plain.pairs)
  }

  /// The C pair loop (AVX2) trains the same bits as the Swift loop, for every config above
  /// (deferred negatives, pools, the popularity feature, both directions), on 2 threads; and
  /// the twin above ran at the process's level. On a CPU without AVX2 both runs take the
  /// Swift loop.
  @Test(arguments: trainingConfigs)
  func vectorPairLoopTrainsTheSameBits(config: EmbeddingConfig) {
    let data = Fixtures.random(playlists: 90, tracks: 150, lengths: 1...25, seed: 8)
    let store = data.playlists
    let frequency = trackFrequencies(store, trackCount: data.trackCount)
    func train(_ level: KernelLevel) -> (input: [Float], output: [Float]) {
      let t = KernelLevel.withLevel(level) {
        ParallelConfig.withThreads(2) {
          EmbeddingModel.train(
            playlists: store, trackCount: data.trackCount, frequency: frequency, config: config,
            progress: nil)
        }
      }
      return (t.input.array(), t.output.array())
    }
    let swift = train(.portable)
    let vector = train(.avx2)
    #expect(swift.input.map(\.bitPattern) == vector.input.map(\.bitPattern))
    #expect(swift.output.map(\.bitPattern) == vector.output.map(\.bitPattern))
  }

  /// What a round is not: its second chunk does not see the first chunk's updates, so the
  /// rounds differ from training the same chunks one after another (which is what Hogwild
  /// does on one thread, and which the reference reproduces exactly).
  @Test func roundsAreNotSequentialButHogwildOnOneThreadIs() {
    let data = Fixtures.random(playlists: 60, tracks: 100, lengths: 2...20, seed: 12)
    var c = Self.trainingConfigs[0]
    c.epochs = 1
    c.chunksPerRound = 2
    let store = data.playlists
    let frequency = trackFrequencies(store, trackCount: data.trackCount)
    let rounds = EmbeddingModel.train(
      playlists: store, trackCount: data.trackCount, frequency: frequency, config: c,
      progress: nil)
    let sequential = SGNSReference.train(
      playlists: store.arrays, trackCount: data.trackCount, config: c, hogwildOneThread: true)
    let stride = c.rowStride
    let n = data.trackCount * stride
    let sequentialFlat = sequential.input.flatMap { $0 }
    #expect(
      Array(rounds.input.array()[0..<n]).map(\.bitPattern) != sequentialFlat.map(\.bitPattern))
    var h = c
    h.hogwild = true
    let hogwild = ParallelConfig.withThreads(1) {
      EmbeddingModel.train(
        playlists: store, trackCount: data.trackCount, frequency: frequency, config: h,
        progress: nil)
    }
    #expect(
      Array(hogwild.input.array()[0..<n]).map(\.bitPattern) == sequentialFlat.map(\.bitPattern))
    #expect(
      hogwild.output.array().map(\.bitPattern) == sequential.output.flatMap { $0 }.map(\.bitPattern)
    )
  }

  /// The alias table draws each track with probability weight / total: per entry i (picked
  /// with probability 1/n), i itself with threshold/2³², its alias otherwise.
  @Test func aliasTableDrawsInProportionToWeights() {
    var rng = RandomStream(seed: 31, component: "test.alias")
    for n in [1, 2, 3, 17, 200] {
      var weights = (0..<n).map { _ in rng.nextDouble() < 0.2 ? 0 : rng.nextDouble() * 10 }
      if weights.allSatisfy({ $0 == 0 }) { weights[n - 1] = 1 }
      let table = SGNSKernel.makeAliasTable(weights: weights)
      var probability = [Double](repeating: 0, count: n)
      for i in 0..<n {
        let keepI = Double(table[i] >> 32) / 4_294_967_296
        probability[i] += keepI / Double(n)
        probability[Int(table[i] & 0xFFFF_FFFF)] += (1 - keepI) / Double(n)
      }
      let total = weights.reduce(0, +)
      for i in 0..<n {
        #expect(abs(probability[i] - weights[i] / total) < 1e-8, "n \(n) track \(i)")
        if weights[i] == 0 { #expect(probability[i] == 0, "zero weight drawn: n \(n) track \(i)") }
      }
    }
  }

  /// Keep thresholds: word2vec's (√(f/tN) + 1)·tN/f as a fraction of 2³² − 1, UInt32.max
  /// (no draw) when that is ≥ 1, when f is 0, or when subsampling is off.
  @Test func keepThresholdsFollowTheFormula() {
    let frequency: [Int32] = [0, 1, 5, 20, 100, 1000]
    // t·N = 0.01 × 2000 = 20: f = 20 → (1 + 1) · 1 = 2 ≥ 1, kept always; f = 100 → ratio 5,
    // (√5 + 1)/5 = 0.6472…; f = 1000 → ratio 50, (√50 + 1)/50 = 0.16142…
    let keep = SGNSKernel.makeKeepThresholds(frequency: frequency, entries: 2000, threshold: 0.01)
    #expect(Array(keep[0...3]) == [UInt32.max, UInt32.max, UInt32.max, UInt32.max])
    #expect(abs(Double(keep[4]) / 4_294_967_295 - (5.0.squareRoot() + 1) / 5) < 1e-9)
    #expect(abs(Double(keep[5]) / 4_294_967_295 - (50.0.squareRoot() + 1) / 50) < 1e-9)
    let off = SGNSKernel.makeKeepThresholds(frequency: frequency, entries: 2000, threshold: 0)
    #expect(off.allSatisfy { $0 == UInt32.max })
  }

  /// The kernel's sigmoid table is σ at the cell centres, as the reference builds it.
  @Test func sigmoidTableIsSigmoidAtCellCentres() {
    let table = SGNSKernel.makeSigmoidTable()
    let ref = SGNSReference(
      input: [], output: [], stride: 8, window: 1, reducedWindow: false, negatives: 1,
      sharedNegatives: false, learningRate: 0.1, minLearningRate: 0, scheduleLength: 1,
      keep: [], alias: [0], bucketRow: nil)
    #expect(table.map(\.bitPattern) == ref.sigmoid.map(\.bitPattern))
    // Cell 512 is centred on x = 0.5 · 12 / 1024 = 0.00586: σ ≈ 0.5 + x/4 = 0.501465.
    #expect(abs(table[512] - 0.501465) < 1e-6)
  }
}
