// Implicit ALS: each row's CG solve against an exact Cholesky solve (in Double, written out
// here), the SIMD kernels against their plain twins, a weighted objective that never rises,
// a planted block structure recovered, byte-identical factors on 1, 2 and 3 threads, the
// shared conformance suite, and config keys and errors through ModelSpec.
import ChorusCore
import ChorusTestSupport
import Testing

@testable import Recommenders

/// A small config that trains in milliseconds.
func smallALSConfig(factors: Int = 8, iterations: Int = 5) -> ALSConfig {
  var c = ALSConfig()
  c.factors = factors
  c.iterations = iterations
  c.regularization = 0.5
  c.alpha = 5
  return c
}

/// One row's problem: the other side's factors (stride-padded) and the row's items.
struct RowProblem {
  let factors: Int
  let stride: Int
  let other: [Float]
  let otherCount: Int
  let ids: [Int32]
  let start: [Float]
  let regularization: Double
  let alpha: Double

  init(factors: Int, otherCount: Int, entries: Int, seed: UInt64) {
    self.factors = factors
    stride = (factors + 7) & ~7
    self.otherCount = otherCount
    var rng = RandomStream(seed: seed, component: "als.test.row")
    var o = [Float](repeating: 0, count: otherCount * stride)
    for i in 0..<otherCount {
      for d in 0..<factors { o[i * stride + d] = Float(rng.nextGaussian() * 0.3) }
    }
    other = o
    var chosen = Set<Int32>()
    while chosen.count < entries { chosen.insert(Int32(rng.nextInt(below: otherCount))) }
    ids = chosen.sorted()
    var s = [Float](repeating: 0, count: stride)
    for d in 0..<factors { s[d] = Float(rng.nextGaussian() * 0.1) }
    start = s
    regularization = 0.3
    alpha = 4
  }

  /// YᵀY + λI as the trainer builds it.
  var gram: [Float] {
    ALSFactorization.gram(
      other, count: otherCount, factors: factors, stride: stride, regularization: regularization)
  }

  /// The exact minimiser, by Cholesky in Double: A = YᵀY + λI + α Σ yyᵀ, b = (1+α) Σ y.
  func exact() -> [Double] {
    let f = factors
    var a = [Double](repeating: 0, count: f * f)
    func y(_ i: Int, _ d: Int) -> Double { Double(other[i * stride + d]) }
    for i in 0..<otherCount {
      for r in 0..<f {
        for c in 0..<f { a[r * f + c] += y(i, r) * y(i, c) }
      }
    }
    for d in 0..<f { a[d * f + d] += regularization }
    var b = [Double](repeating: 0, count: f)
    for id in ids {
      let i = Int(id)
      for r in 0..<f {
        b[r] += (1 + alpha) * y(i, r)
        for c in 0..<f { a[r * f + c] += alpha * y(i, r) * y(i, c) }
      }
    }
    // A = L Lᵀ, then L z = b, Lᵀ x = z.
    var l = [Double](repeating: 0, count: f * f)
    for r in 0..<f {
      for c in 0...r {
        var s = a[r * f + c]
        for k in 0..<c { s -= l[r * f + k] * l[c * f + k] }
        l[r * f + c] = r == c ? s.squareRoot() : s / l[c * f + c]
      }
    }
    var z = [Double](repeating: 0, count: f)
    for r in 0..<f {
      var s = b[r]
      for k in 0..<r { s -= l[r * f + k] * z[k] }
      z[r] = s / l[r * f + r]
    }
    var x = [Double](repeating: 0, count: f)
    for r in (0..<f).reversed() {
      var s = z[r]
      for k in (r + 1)..<f { s -= l[k * f + r] * x[k] }
      x[r] = s / l[r * f + r]
    }
    return x
  }

  /// The fast kernel's solution after `steps` CG steps.
  func fast(steps: Int) -> [Float] {
    var x = start
    let g = gram
    var scratch = [Float](repeating: 0, count: 3 * stride)
    x.withUnsafeMutableBufferPointer { xb in
      scratch.withUnsafeMutableBufferPointer { sb in
        let s = sb.baseAddress!
        ALSKernel.solveRow(
          x: xb.baseAddress!, gram: g, other: other, ids: ids, count: ids.count,
          alpha: Float(alpha), factors: factors, stride: stride, steps: steps,
          scratch: .init(r: s, p: s + stride, ap: s + 2 * stride))
      }
    }
    return x
  }

  /// The short-row kernel's exact solution (Woodbury with G⁻¹).
  func short() -> [Float] {
    let g64 = ALSFactorization.gramDouble(
      other, count: otherCount, factors: factors, stride: stride, regularization: regularization)
    let inverse = ALSFactorization.padded(
      ALSFactorization.inverse(g64, factors: factors), factors: factors, stride: stride)
    var x = start
    var z = [Float](repeating: 0, count: (ids.count + 1) * stride)
    var m = [Double](repeating: 0, count: ALSKernel.shortScratch)
    x.withUnsafeMutableBufferPointer { xb in
      z.withUnsafeMutableBufferPointer { zb in
        m.withUnsafeMutableBufferPointer { mb in
          ALSKernel.solveShortRow(
            x: xb.baseAddress!, gramInverse: inverse, other: other, ids: ids, count: ids.count,
            alpha: Float(alpha), factors: factors, stride: stride, z: zb.baseAddress! + stride,
            w: zb.baseAddress!, m: mb.baseAddress!)
        }
      }
    }
    return x
  }

  /// The plain twin's solution after `steps` CG steps.
  func plain(steps: Int) -> [Float] {
    ALSKernel.solveRowPlain(
      x: start, gram: gram, other: other, ids: ids, alpha: Float(alpha), factors: factors,
      stride: stride, steps: steps)
  }
}

/// max |a − b| / max(1, max |b|) over the first `n` components.
func relativeError(_ a: [Float], _ b: [Double], _ n: Int) -> Double {
  let scale = max(1, b.prefix(n).map { abs($0) }.max() ?? 0)
  return (0..<n).map { abs(Double(a[$0]) - b[$0]) }.max()! / scale
}

/// The full HKV objective in Double: Σ_u Σ_i c_ui (p_ui − x_u·y_i)² + λ(Σ‖x_u‖² + Σ‖y_i‖²).
func alsObjective(_ fit: ALSFactorization) -> Double {
  let s = fit.stride
  let alpha = fit.config.alpha
  var loss = 0.0
  for u in 0..<fit.userCount {
    let observed = Set(fit.userItems[fit.userOffsets[u]..<fit.userOffsets[u + 1]])
    for i in 0..<fit.itemCount {
      var dot = 0.0
      for d in 0..<fit.factors {
        dot += Double(fit.users[u * s + d]) * Double(fit.items[i * s + d])
      }
      let seen = observed.contains(Int32(i))
      let c = seen ? 1 + alpha : 1
      let p = seen ? 1.0 : 0.0
      loss += c * (p - dot) * (p - dot)
    }
  }
  var norms = 0.0
  for v in fit.users + fit.items { norms += Double(v) * Double(v) }
  return loss + fit.config.regularization * norms
}

@Suite(.serialized) struct ALSTests {
  @Test(arguments: [3, 12, 64])
  func cgConvergesToTheCholeskySolve(factors: Int) {
    let problem = RowProblem(factors: factors, otherCount: 150, entries: 20, seed: UInt64(factors))
    let exact = problem.exact()
    // CG is exact after `factors` steps in exact arithmetic; in Float, a few more settle it.
    #expect(relativeError(problem.plain(steps: 2 * factors + 10), exact, factors) < 1e-4)
    #expect(relativeError(problem.fast(steps: 2 * factors + 10), exact, factors) < 1e-4)
    // Three warm-started steps are an approximation, but a far better one than the start.
    let start = relativeError(problem.start, exact, factors)
    #expect(relativeError(problem.fast(steps: 3), exact, factors) < start)
    // The padding stays zero.
    #expect(problem.fast(steps: 3)[factors...].allSatisfy { $0 == 0 })
  }

  @Test(arguments: [3, 12, 64])
  func shortRowsAreSolvedExactly(factors: Int) {
    for entries in 1...ALSKernel.maxShortRow {
      let problem = RowProblem(
        factors: factors, otherCount: 120, entries: entries, seed: 50 + UInt64(entries))
      let x = problem.short()
      #expect(relativeError(x, problem.exact(), factors) < 1e-4, "\(entries) entries")
      #expect(x[factors...].allSatisfy { $0 == 0 })
    }
  }

  @Test(arguments: [3, 12, 64])
  func fastKernelMatchesItsPlainTwin(factors: Int) {
    let problem = RowProblem(
      factors: factors, otherCount: 90, entries: 30, seed: 100 + UInt64(factors))
    for steps in [1, 3, 6] {
      let fast = problem.fast(steps: steps)
      let plain = problem.plain(steps: steps).map(Double.init)
      #expect(relativeError(fast, plain, factors) < 1e-5, "steps \(steps)")
    }
    // The Gram matrix: exactly symmetric, and equal to YᵀY + λI computed in Double.
    let g = problem.gram
    let s = problem.stride
    for r in 0..<factors {
      for c in 0..<factors {
        #expect(g[r * s + c].bitPattern == g[c * s + r].bitPattern)
        var expected = r == c ? problem.regularization : 0
        for i in 0..<problem.otherCount {
          expected += Double(problem.other[i * s + r]) * Double(problem.other[i * s + c])
        }
        #expect(abs(Double(g[r * s + c]) - expected) < 1e-4 * max(1, abs(expected)))
      }
    }
  }

  @Test(arguments: [true, false])
  func objectiveNeverIncreases(exactShortRows: Bool) {
    let data = Fixtures.random(playlists: 60, tracks: 90, lengths: 3...15, seed: 3)
    var config = smallALSConfig()
    config.exactShortRows = exactShortRows
    var fit = ALSFactorization(
      playlists: data.playlists, itemCount: data.trackCount, config: config)
    let lengths = (0..<fit.itemCount).map { fit.itemOffsets[$0 + 1] - fit.itemOffsets[$0] }
    #expect(lengths.contains { $0 > 0 && $0 <= config.cgSteps }, "short rows occur")
    #expect(lengths.contains { $0 > config.cgSteps }, "long rows occur")
    var last = alsObjective(fit)
    let first = last
    for _ in 0..<8 {
      fit.solveUsers()
      let afterUsers = alsObjective(fit)
      fit.solveItems()
      let afterItems = alsObjective(fit)
      // Every row's CG steps lower its convex sub-problem; only Float rounding may wiggle.
      #expect(afterUsers <= last * (1 + 1e-6))
      #expect(afterItems <= afterUsers * (1 + 1e-6))
      last = afterItems
    }
    #expect(last < 0.5 * first)
  }

  @Test func plantedBlocksAreRecovered() throws {
    // Four blocks of 25 tracks; each playlist belongs to one block and holds each of its
    // tracks with probability 0.4. One observed track per playlist is held out.
    var rng = RandomStream(seed: 11, component: "als.test.planted")
    let blocks = 4
    let perBlock = 25
    var training: [[Int32]] = []
    var heldOut: [(user: Int, track: Int32)] = []
    for u in 0..<240 {
      let block = u % blocks
      var list = (0..<perBlock).map { Int32(block * perBlock + $0) }.filter { _ in
        rng.nextDouble() < 0.4
      }
      if list.count >= 3 { heldOut.append((u, list.remove(at: rng.nextInt(below: list.count)))) }
      training.append(list)
    }
    var b = PlaylistStoreBuilder(dedup: false)
    for l in training { b.append(l) }
    let store = b.finish()
    let trackCount = blocks * perBlock
    var config = smallALSConfig(factors: 8, iterations: 10)
    config.regularization = 0.1
    var fit = ALSFactorization(playlists: store, itemCount: trackCount, config: config)
    for _ in 0..<config.iterations { fit.iterate() }
    let s = fit.stride
    func score(_ u: Int, _ t: Int32) -> Float {
      var d: Float = 0
      for k in 0..<fit.factors { d += fit.users[u * s + k] * fit.items[Int(t) * s + k] }
      return d
    }
    // Each held-out track outscores every track outside its playlist's block.
    var beaten = 0
    var pairs = 0
    for (u, t) in heldOut {
      let block = u % blocks
      for other in 0..<Int32(trackCount) where Int(other) / perBlock != block {
        pairs += 1
        if score(u, t) > score(u, other) { beaten += 1 }
      }
    }
    #expect(heldOut.count > 200)
    #expect(Double(beaten) / Double(pairs) > 0.99)
    // As a recommender: three tracks of a block bring the rest of that block first.
    let model = try ALSModel(playlists: store, trackCount: trackCount, config: config)
    for block in 0..<blocks {
      let seed = (0..<3).map { Int32(block * perBlock + $0) }
      let top = model.recommend(seed, k: perBlock - 3)
      #expect(top.allSatisfy { Int($0) / perBlock == block }, "block \(block): \(top)")
    }
  }

  @Test func identicalFactorsOnAnyThreadCount() throws {
    // More playlists and tracks than one chunk of rows, so several chunks run in parallel.
    let data = Fixtures.random(playlists: 1300, tracks: 1500, lengths: 5...40, seed: 5)
    let config = smallALSConfig(factors: 12, iterations: 3)
    var models: [ALSModel] = []
    for threads in [1, 2, 3] {
      models.append(
        try ParallelConfig.withThreads(threads) {
          try ALSModel(playlists: data.playlists, trackCount: data.trackCount, config: config)
        })
    }
    let bits = models[0].itemFactors.map(\.bitPattern)
    #expect(models[0].itemFactors.count == data.trackCount * 12)
    for m in models.dropFirst() { #expect(m.itemFactors.map(\.bitPattern) == bits) }
    var other = config
    other.seed = 1
    let reseeded = try ALSModel(
      playlists: data.playlists, trackCount: data.trackCount, config: other)
    #expect(reseeded.itemFactors.map(\.bitPattern) != bits)
  }

  @Test func conformance() throws {
    let data = Fixtures.random(playlists: 150, tracks: 300, lengths: 5...30)
    // Two ids never seen in training: not recommendable, unknown as seeds, factors zero.
    let trackCount = data.trackCount + 2
    let m = try ALSModel(
      playlists: data.playlists, trackCount: trackCount, config: smallALSConfig())
    var rng = RandomStream(seed: 4)
    var contexts = (0..<25).map { i in
      (0..<(i % 10 + 1)).map { _ in Int32(rng.nextInt(below: data.trackCount)) }
    }.map { Array(Set($0)).sorted() }
    contexts += [[], [Int32(data.trackCount)], [Int32(data.trackCount + 1), 3]]
    ModelConformance.check(m, contexts: contexts, k: 50)
    ModelConformance.check(m, contexts: [[0], []], k: trackCount + 5)
    #expect(m.recommend([Int32(data.trackCount)], k: 5) == Array(m.fallbackOrder.prefix(5)))
    #expect(m.itemFactor(Int32(data.trackCount)).allSatisfy { $0 == 0 })
    #expect(m.itemFactor(0).contains { $0 != 0 })
    // The query is the mean of the known seed tracks' factors.
    let q = try #require(m.contextVector([1, 2, Int32(data.trackCount)]))
    let a = m.itemFactor(1)
    let b = m.itemFactor(2)
    for d in 0..<m.config.factors { #expect(abs(q[d] - (a[d] + b[d]) / 2) < 1e-6) }
  }

  @Test func specNamesKeysAndErrors() throws {
    #expect(ModelSpec.names.contains("als"))
    let spec = try ModelSpec(name: "als", overrides: ["factors=6", "iterations=2", "alpha=3"])
    var expected = ALSConfig()
    expected.factors = 6
    expected.iterations = 2
    expected.alpha = 3
    #expect(spec == .als(expected))
    #expect(spec.name == "als")
    let data = Fixtures.random(playlists: 50, tracks: 80, seed: 1)
    #expect(try spec.train(playlists: data.playlists, trackCount: data.trackCount) is ALSModel)
    let fromSpec = try ModelSpec(name: "als", config: ["cgSteps": 5, "regularization": 2.0])
    guard case .als(let c) = fromSpec else {
      Issue.record("not an ALS spec")
      return
    }
    #expect(c.cgSteps == 5 && c.regularization == 2 && c.factors == 64)
    for (config, key) in [
      (["factor": 8] as [String: Any], "factor"), (["factors": 0], "factors"),
      (["regularization": -1.0], "regularization"), (["alpha": -1.0], "alpha"),
      (["cgSteps": 0], "cgSteps"), (["iterations": 0], "iterations"),
    ] {
      do {
        _ = try ModelSpec(name: "als", config: config)
        Issue.record("\(config) was accepted")
      } catch let e as ChorusError {
        #expect(e.kind == .config)
        #expect(e.field == key)
      }
    }
  }
}
