// The exact top-K search at every kernel level the CPU runs: the pruned, tiled batch equals
// the plain twin at the same level, AVX2 and AVX-512 return the same lists, thread counts never
// change a list, and a vector level's scores stay within FMA's rounding bound of portable's.
import ChorusCSupport
import ChorusCore
import Testing

@testable import Recommenders

@Suite struct SearchKernelTests {
  /// A model with random many-bit vectors (so FMA changes roundings) and spread norms (so the
  /// norm bound prunes), over `n` tracks.
  func model(n: Int, dim: Int, seed: UInt64) -> EmbeddingModel {
    var config = EmbeddingConfig()
    config.dim = dim
    var input = randomMatrix(n, dim, seed: seed)
    var output = randomMatrix(n, dim, seed: seed + 1)
    for t in 0..<n {
      let scale = Float(1 + (t % 97)) / 8
      for d in 0..<dim {
        output[t * dim + d] *= scale
        input[t * dim + d] *= 0.5
      }
    }
    return EmbeddingModel(
      config: config, frequency: (0..<n).map { Int32(1 + $0 % 5) },
      fingerprint: DatasetFingerprint(trackCount: n, playlistCount: 0, entryCount: 0, checksum: 0),
      stats: EmbeddingTrainingStats(), input: input, output: output)
  }

  func contexts(n: Int, count: Int, seed: UInt64) -> [[Int32]] {
    var rng = RandomStream(seed: seed)
    return (0..<count).map { i in (0...(i % 3)).map { _ in Int32(rng.nextInt(below: n)) } }
  }

  @Test(arguments: [1, 20, 300])
  func batchEqualsPlainTwinAtEveryLevel(k: Int) {
    // dim 24 runs the general kernel code, dim 32 the constant-offset one (64: below).
    let m = model(n: 1203, dim: k == 20 ? 32 : 24, seed: UInt64(k))
    let cs = contexts(n: 1203, count: 70, seed: 3) + [[]]
    for level in KernelLevel.allCases where level <= KernelLevel.supported {
      let (table, stats) = m.recommendAllMeasured(store(cs), k: k, level: level)
      for (i, c) in cs.enumerated() {
        let plain = m.recommendPlain(c, k: k, level: level)
        #expect(Array(table[i]).filter { $0 >= 0 } == plain, "\(level), context \(c)")
      }
      if k == 1 { #expect(stats.scored < stats.exhaustive, "the norm bound should prune") }
    }
  }

  @Test func vectorLevelsAgreeAndThreadCountsNeverChangeAList() {
    let m = model(n: 2000, dim: 64, seed: 9)
    let cs = store(contexts(n: 2000, count: 150, seed: 4))
    let levels = KernelLevel.allCases.filter { $0 <= KernelLevel.supported }
    var fusedTables: [RecommendationTable] = []
    for level in levels {
      let one = ParallelConfig.withThreads(1) {
        m.recommendAllMeasured(cs, k: 50, level: level).table
      }
      let two = ParallelConfig.withThreads(2) {
        m.recommendAllMeasured(cs, k: 50, level: level).table
      }
      #expect(one == two, "\(level)")
      if level.isFused { fusedTables.append(one) }
    }
    for t in fusedTables.dropFirst() { #expect(t == fusedTables[0], "AVX2 and AVX-512 agree") }
  }

  @Test func fusedScoresStayWithinRoundingOfPortable() {
    guard KernelLevel.supported.isFused else { return }
    let dim = 64
    let m = model(n: 500, dim: dim, seed: 21)
    let q = randomMatrix(1, dim, seed: 22)
    m.index.panels.withUnsafeBufferPointer { panels in
      q.withUnsafeBufferPointer { qb in
        var differ = 0
        for p in 0..<m.index.candidateCount {
          let f = EmbeddingSearchKernel.scalarDot(
            query: qb.baseAddress!, panels: panels.baseAddress!, position: p, dim: dim,
            level: KernelLevel.supported)
          let s = EmbeddingSearchKernel.scalarDot(
            query: qb.baseAddress!, panels: panels.baseAddress!, position: p, dim: dim,
            level: .portable)
          // Components are below 13 in magnitude: Σ|q·v| < 64 · 13, and the two sums are
          // each within dim·ε/2 of it from the exact value.
          #expect(abs(f - s) <= Float(dim) * Float.ulpOfOne * 64 * 13)
          if f != s { differ += 1 }
        }
        #expect(differ > 0, "the random vectors should exercise FMA's rounding")
      }
    }
  }

  @Test func firstNotBelowMatchesTheScalarScanWithTailsAndNaN() {
    var rng = RandomStream(seed: 5)
    for n in [0, 1, 7, 8, 15, 16, 17, 40, 257] {
      var s = (0..<n).map { _ in Float(rng.nextInt(below: 1000)) / 10 }
      if n > 20 { s[n - 3] = .nan }
      for threshold: Float in [-1, 50, 99.9, 100, 1e9] {
        let expected = s.firstIndex { !($0 < threshold) } ?? n
        let got = s.withUnsafeBufferPointer { chorus_first_not_below($0.baseAddress, n, threshold) }
        #expect(got == expected, "n \(n), threshold \(threshold)")
      }
    }
  }
}
