// Sequence models (mean and transformer aggregators, one training loop): the shared
// conformance suite, byte-identical weights on 1 and 2 threads, a falling loss, the fast
// forward against a plain Double reference, every backward pass against finite differences
// of that reference, divergence errors, and presets and keys through ModelSpec.
import ChorusCore
import ChorusTestSupport
import Foundation
import Testing

@testable import Recommenders

/// A random track table (tracks × dim) and random parameters, in Float.
func randomWeights(count: Int, seed: UInt64, scale: Double = 0.5) -> [Float] {
  var rng = RandomStream(seed: seed, component: "sequence.test.weights")
  return (0..<count).map { _ in Float(rng.nextGaussian() * scale) }
}

/// The plain loop-by-loop forward and loss of one window, in Double.
enum SequenceReference {
  static func softplus(_ x: Double) -> Double { x > 0 ? x + log1p(exp(-x)) : log1p(exp(x)) }

  /// Prefix means of x (n × dim).
  static func meanReps(_ x: [[Double]]) -> [[Double]] {
    (0..<x.count).map { i in
      (0..<x[0].count).map { d in
        var s = 0.0
        for j in 0...i { s += x[j][d] }
        return s / Double(i + 1)
      }
    }
  }

  /// The window loss with every candidate as a negative: Σ_i softplus(−e_{y_i}·r_i) +
  /// (1/N) Σ_neg softplus(e_neg·r_i), reps from `aggregate`.
  static func loss(
    table: [Double], dim: Int, window: [Int32], negatives: [Int32],
    aggregate: ([[Double]]) -> [[Double]]
  ) -> Double {
    func row(_ t: Int32) -> [Double] { Array(table[(Int(t) * dim)..<(Int(t) * dim + dim)]) }
    func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
    let n = window.count - 1
    let reps = aggregate((0..<n).map { row(window[$0]) })
    var total = 0.0
    for i in 0..<n {
      total += softplus(-dot(row(window[i + 1]), reps[i]))
      for t in negatives { total += softplus(dot(row(t), reps[i])) / Double(negatives.count) }
    }
    return total
  }
}

/// The transformer aggregator, loop by loop in Double, without dropout (the reference the
/// Float kernels are checked against).
struct TransformerReference {
  let layout: TransformerLayout

  static func gelu(_ x: Double) -> Double { 0.5 * x * (1 + erf(x / 2.0.squareRoot())) }

  /// y[i][o] = Σ_c x[i][c] W[o][c] + b[o] with W at `w` (out × in) and b at `b`.
  func linear(_ x: [[Double]], _ p: [Double], w: Int, b: Int, output: Int) -> [[Double]] {
    let input = x[0].count
    return x.map { row in
      (0..<output).map { o in
        var s = p[b + o]
        for c in 0..<input { s += row[c] * p[w + o * input + c] }
        return s
      }
    }
  }

  func layerNorm(_ x: [[Double]], _ p: [Double], gamma: Int, beta: Int) -> [[Double]] {
    x.map { row in
      let mu = row.reduce(0, +) / Double(row.count)
      let v = row.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / Double(row.count)
      let r = 1 / (v + 1e-5).squareRoot()
      return row.indices.map { (row[$0] - mu) * r * p[gamma + $0] + p[beta + $0] }
    }
  }

  /// Outputs of every position for inputs x (n × dim).
  func forward(_ x: [[Double]], params p: [Double]) -> [[Double]] {
    let n = x.count
    let d = layout.dim
    let dh = d / layout.heads
    var h = (0..<n).map { i in (0..<d).map { x[i][$0] + p[(layout.positions - n + i) * d + $0] } }
    for l in layout.layerOffsets {
      let q = linear(h, p, w: l.wq, b: l.bq, output: d)
      let k = linear(h, p, w: l.wk, b: l.bk, output: d)
      let v = linear(h, p, w: l.wv, b: l.bv, output: d)
      var o = [[Double]](repeating: [Double](repeating: 0, count: d), count: n)
      for head in 0..<layout.heads {
        let cols = (head * dh)..<((head + 1) * dh)
        for i in 0..<n {
          let s = (0...i).map { j in
            cols.reduce(0.0) { $0 + q[i][$1] * k[j][$1] } / Double(dh).squareRoot()
          }
          let m = s.max()!
          let e = s.map { exp($0 - m) }
          let z = e.reduce(0, +)
          for j in 0...i {
            for c in cols { o[i][c] += e[j] / z * v[j][c] }
          }
        }
      }
      let a = linear(o, p, w: l.wo, b: l.bo, output: d)
      let y1 = layerNorm(
        (0..<n).map { i in (0..<d).map { h[i][$0] + a[i][$0] } }, p, gamma: l.ln1g, beta: l.ln1b)
      let g = linear(y1, p, w: l.w1, b: l.b1, output: layout.feedForward).map {
        $0.map(TransformerReference.gelu)
      }
      let f = linear(g, p, w: l.w2, b: l.b2, output: d)
      h = layerNorm(
        (0..<n).map { i in (0..<d).map { y1[i][$0] + f[i][$0] } }, p, gamma: l.ln2g, beta: l.ln2b)
    }
    return h
  }
}

@Suite struct SequenceModelTests {
  let data = Fixtures.random(playlists: 150, tracks: 120, lengths: 3...20, seed: 3)

  func train(_ c: SequenceConfig, _ aggregator: SequenceAggregator = .mean) throws
    -> SequenceModel
  {
    try SequenceModel(
      playlists: data.playlists, trackCount: data.trackCount, aggregator: aggregator, config: c)
  }

  @Test(arguments: [SequenceInit.als, .random])
  func meanConformance(initialization: SequenceInit) throws {
    let m = try train(tinySequenceConfig(initialization: initialization))
    var rng = RandomStream(seed: 4)
    var contexts = (0..<20).map { i in
      (0..<(i % 9 + 1)).map { _ in Int32(rng.nextInt(below: data.trackCount)) }
    }.map { Array(Set($0)).sorted() }
    contexts += [[], [Int32(data.trackCount)], [Int32(data.trackCount + 1), 3]]
    ModelConformance.check(m, contexts: contexts, k: 30)
    #expect(m.recommend([Int32(data.trackCount)], k: 5) == Array(m.fallbackOrder.prefix(5)))
    // The query is the mean of the last maxSize − 1 known tracks.
    let q = try #require(m.contextVector([1, 2, 3, 4, 5, Int32(data.trackCount)]))
    let table = m.embeddings
    for d in 0..<8 {
      let expected = (2...5).map { table[$0 * 8 + d] }.reduce(0, +) / 4
      #expect(abs(q[d] - expected) < 1e-5)
    }
  }

  @Test(arguments: [SequenceAggregator.mean, .transformer])
  func sameWeightsOnOneAndTwoThreads(aggregator: SequenceAggregator) throws {
    let c = tinySequenceConfig(initialization: .als)
    let one = try ParallelConfig.withThreads(1) { try train(c, aggregator) }
    let two = try ParallelConfig.withThreads(2) { try train(c, aggregator) }
    #expect(one.embeddings.map(\.bitPattern) == two.embeddings.map(\.bitPattern))
    #expect(one.params.map(\.bitPattern) == two.params.map(\.bitPattern))
    #expect(one.history.map(\.loss) == two.history.map(\.loss))
    var other = c
    other.seed = 1
    #expect(try train(other, aggregator).embeddings != one.embeddings)
  }

  @Test(arguments: [SequenceAggregator.mean, .transformer])
  func lossFalls(aggregator: SequenceAggregator) throws {
    let m = try train(tinySequenceConfig(epochs: 6), aggregator)
    #expect(m.history.count == 6)
    #expect(m.history.allSatisfy { $0.loss.isFinite && $0.tokens > 0 })
    #expect(m.history.last!.loss < m.history.first!.loss * 0.95)
  }

  /// The mean forward against prefix means in Double; the window loss against the Double
  /// loss.
  @Test func meanForwardMatchesPlainReference() {
    let c = tinySequenceConfig()
    let network = SequenceNetwork(aggregator: .mean, config: c)
    let tracks = 10
    let table = randomWeights(count: tracks * 8, seed: 1)
    let window: [Int32] = [3, 7, 1, 7, 9]
    let candidates: [Int32] = [0, 2, 4, 5]
    let ws = network.makeWorkspace()
    var rows = SparseRows(dim: 8)
    var none: [Float] = [0]
    let loss = table.withUnsafeBufferPointer { tb in
      window.withUnsafeBufferPointer { wb in
        network.windowLoss(
          window: wb, candidates: candidates, nHard: 4, nEasy: 0, table: tb.baseAddress!,
          params: tb.baseAddress!, ws: ws, rng: nil, dropout: false, scale: 1, rows: &rows,
          dParams: &none)
      }
    }
    let x = (0..<4).map { i in (0..<8).map { Double(table[Int(window[i]) * 8 + $0]) } }
    let reference = SequenceReference.meanReps(x)
    for i in 0..<4 {
      for d in 0..<8 { #expect(abs(Double(ws.reps[i * 8 + d]) - reference[i][d]) < 1e-5) }
    }
    let plain = SequenceReference.loss(
      table: table.map(Double.init), dim: 8, window: window, negatives: candidates,
      aggregate: SequenceReference.meanReps)
    #expect(abs(loss - plain) < 1e-5 * max(1, abs(plain)))
  }

  /// The backward pass of the mean aggregator and the loss against central differences of
  /// the Double reference loss, for every entry of every touched table row.
  @Test func meanBackwardMatchesFiniteDifferences() {
    let c = tinySequenceConfig()
    let network = SequenceNetwork(aggregator: .mean, config: c)
    let tracks = 10
    let table = randomWeights(count: tracks * 8, seed: 2)
    let window: [Int32] = [3, 7, 1, 7, 9]
    let candidates: [Int32] = [0, 2, 4]
    let ws = network.makeWorkspace()
    var rows = SparseRows(dim: 8)
    var none: [Float] = [0]
    _ = table.withUnsafeBufferPointer { tb in
      window.withUnsafeBufferPointer { wb in
        network.windowLoss(
          window: wb, candidates: candidates, nHard: 3, nEasy: 0, table: tb.baseAddress!,
          params: tb.baseAddress!, ws: ws, rng: nil, dropout: false, scale: 1, rows: &rows,
          dParams: &none)
      }
    }
    let base = table.map(Double.init)
    let h = 1e-5
    var checked = 0
    for t in Set(window + candidates) {
      let analytic = try! #require(rows.row(t))
      for d in 0..<8 {
        var plus = base
        var minus = base
        plus[Int(t) * 8 + d] += h
        minus[Int(t) * 8 + d] -= h
        func loss(_ w: [Double]) -> Double {
          SequenceReference.loss(
            table: w, dim: 8, window: window, negatives: candidates,
            aggregate: SequenceReference.meanReps)
        }
        let fd = (loss(plus) - loss(minus)) / (2 * h)
        let a = Double(analytic[analytic.startIndex + d])
        #expect(abs(a - fd) < 1e-4 * max(1, abs(fd)), "track \(t) dim \(d): \(a) vs \(fd)")
        checked += 1
      }
    }
    #expect(checked == 7 * 8)
    #expect(rows.row(8) == nil)
  }

  /// One window through a small transformer (d 8, 2 heads, window 4, 2 layers): the Float
  /// forward against the Double reference, then every parameter's and every touched table
  /// entry's gradient against central differences of the reference loss.
  @Test func transformerMatchesReferenceAndFiniteDifferences() {
    var c = tinySequenceConfig()
    c.layers = 2
    let network = SequenceNetwork(aggregator: .transformer, config: c)
    let layout = network.transformer!
    let reference = TransformerReference(layout: layout)
    let tracks = 10
    let table = randomWeights(count: tracks * 8, seed: 5)
    var params = randomWeights(count: layout.count, seed: 6, scale: 0.4)
    for l in layout.layerOffsets {
      for j in 0..<8 {
        params[l.ln1g + j] += 1
        params[l.ln2g + j] += 1
      }
    }
    let window: [Int32] = [3, 7, 1, 7, 9]
    let candidates: [Int32] = [0, 2, 4]
    let ws = network.makeWorkspace()
    var rows = SparseRows(dim: 8)
    var dParams = [Float](repeating: 0, count: layout.count)
    let loss = table.withUnsafeBufferPointer { tb in
      params.withUnsafeBufferPointer { pb in
        window.withUnsafeBufferPointer { wb in
          network.windowLoss(
            window: wb, candidates: candidates, nHard: 3, nEasy: 0, table: tb.baseAddress!,
            params: pb.baseAddress!, ws: ws, rng: nil, dropout: false, scale: 1, rows: &rows,
            dParams: &dParams)
        }
      }
    }
    let base = table.map(Double.init)
    let baseParams = params.map(Double.init)
    let x = (0..<4).map { i in (0..<8).map { base[Int(window[i]) * 8 + $0] } }
    let reps = reference.forward(x, params: baseParams)
    for i in 0..<4 {
      for d in 0..<8 { #expect(abs(Double(ws.reps[i * 8 + d]) - reps[i][d]) < 1e-5) }
    }
    func referenceLoss(_ t: [Double], _ p: [Double]) -> Double {
      SequenceReference.loss(
        table: t, dim: 8, window: window, negatives: candidates,
        aggregate: { reference.forward($0, params: p) })
    }
    #expect(abs(loss - referenceLoss(base, baseParams)) < 1e-5 * max(1, abs(loss)))
    let h = 1e-5
    func close(_ a: Float, _ fd: Double) -> Bool { abs(Double(a) - fd) < 2e-4 + 1e-3 * abs(fd) }
    var bad: [Int] = []
    for j in 0..<layout.count {
      var plus = baseParams
      var minus = baseParams
      plus[j] += h
      minus[j] -= h
      let fd = (referenceLoss(base, plus) - referenceLoss(base, minus)) / (2 * h)
      if !close(dParams[j], fd) { bad.append(j) }
    }
    #expect(bad.count == 0, "parameters whose gradient differs: \(bad.prefix(10))")
    // Positions not used by a 4-long window on 4 positions: none; all get gradient.
    for t in Set(window + candidates) {
      let analytic = rows.row(t)!
      for d in 0..<8 {
        var plus = base
        var minus = base
        plus[Int(t) * 8 + d] += h
        minus[Int(t) * 8 + d] -= h
        let fd = (referenceLoss(plus, baseParams) - referenceLoss(minus, baseParams)) / (2 * h)
        #expect(close(analytic[analytic.startIndex + d], fd), "track \(t) dim \(d)")
      }
    }
  }

  /// With dropout on, the backward pass uses the forward's masks: the analytic gradient
  /// matches central differences of the Float loss under the same seeded masks.
  @Test func transformerDropoutBackwardUsesTheForwardMasks() {
    var c = tinySequenceConfig()
    c.dropout = 0.3
    let network = SequenceNetwork(aggregator: .transformer, config: c)
    let layout = network.transformer!
    let table = randomWeights(count: 10 * 8, seed: 7)
    let params = layout.initialParameters(seed: 8)
    let window: [Int32] = [3, 7, 1, 7, 9]
    let ws = network.makeWorkspace()
    func run(_ p: [Float], _ dParams: inout [Float]) -> Double {
      var rows = SparseRows(dim: 8)
      var rng = RandomStream(seed: 9, component: "dropout-test")
      return table.withUnsafeBufferPointer { tb in
        p.withUnsafeBufferPointer { pb in
          window.withUnsafeBufferPointer { wb in
            withUnsafeMutablePointer(to: &rng) { r in
              network.windowLoss(
                window: wb, candidates: [0, 2], nHard: 2, nEasy: 0, table: tb.baseAddress!,
                params: pb.baseAddress!, ws: ws, rng: r, dropout: true, scale: 1, rows: &rows,
                dParams: &dParams)
            }
          }
        }
      }
    }
    var grad = [Float](repeating: 0, count: layout.count)
    _ = run(params, &grad)
    var scratch = grad
    let h: Float = 1e-2
    var rng = RandomStream(seed: 10)
    for _ in 0..<60 {
      let j = rng.nextInt(below: layout.count)
      var plus = params
      var minus = params
      plus[j] += h
      minus[j] -= h
      let fd = (run(plus, &scratch) - run(minus, &scratch)) / Double(2 * h)
      #expect(abs(Double(grad[j]) - fd) < 2e-3 + 2e-2 * abs(fd), "parameter \(j)")
    }
  }

  /// The dropout masks come from an integer comparison of the raw draw; its plain twin is
  /// the definition, `nextDouble() < p` per element, from the same stream: the same masks
  /// and the stream left in the same state, for the study's rates and for edge rates.
  @Test(arguments: [Float(0.13), 0.1, 0.3, 0.5, 1e-7, 0.999])
  func dropoutMaskEqualsNextDoubleBelowRate(rate: Float) {
    let count = 5000
    var fast = RandomStream(seed: 11, component: "mask-test")
    var plain = fast
    var mask = [Float](repeating: -1, count: count)
    mask.withUnsafeMutableBufferPointer { mb in
      withUnsafeMutablePointer(to: &fast) { r in
        TransformerKernel.dropoutMask(mb.baseAddress!, count, rate, r)
      }
    }
    let keep = 1 / (1 - rate)
    let expected = (0..<count).map { _ in plain.nextDouble() < Double(rate) ? 0 : keep }
    #expect(mask.map(\.bitPattern) == expected.map(\.bitPattern))
    #expect(fast.next() == plain.next())
    #expect(rate < 0.5 ? mask.contains(keep) : mask.contains(0))
  }

  /// A trained transformer's query equals the Double reference forward of its weights.
  @Test func transformerQueryMatchesReference() throws {
    let m = try train(tinySequenceConfig(), .transformer)
    ModelConformance.check(m, contexts: [[1, 2, 3], [5], [], [Int32(data.trackCount)]], k: 20)
    let reference = TransformerReference(layout: m.network.transformer!)
    let table = m.embeddings.map(Double.init)
    let context: [Int32] = [9, 1, 2, 3, 4, 5]
    let q = try #require(m.contextVector(context))
    let x = context.suffix(4).map { t in (0..<8).map { table[Int(t) * 8 + $0] } }
    let r = reference.forward(x, params: m.params.map(Double.init)).last!
    for d in 0..<8 { #expect(abs(Double(q[d]) - r[d]) < 1e-5) }
  }

  /// Candidates sorted by their integer keys come in the order of the comparator the keys
  /// replaced (score descending, ties by candidate order), with many ties, −0 and +0,
  /// extremes and subnormals among the scores.
  @Test func negativeKeysOrderAsScores() {
    var rng = RandomStream(seed: 5, component: "sequence.test.keys")
    var scores = (0..<500).map { _ in Float((rng.nextGaussian() * 4).rounded() / 2) }
    scores += [
      0, -0.0, 0, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNonzeroMagnitude,
      -.leastNonzeroMagnitude, .infinity, -.infinity,
    ]
    let expected = scores.enumerated().sorted {
      $0.element > $1.element || ($0.element == $1.element && $0.offset < $1.offset)
    }.map(\.offset)
    let keyed = scores.enumerated().map {
      UInt64(SequenceNetwork.descendingKey($0.element)) << 32 | UInt64($0.offset)
    }.sorted().map { Int($0 & 0xFFFF_FFFF) }
    #expect(keyed == expected)
  }

  /// The lazy update of untouched rows (k idle steps as one linear map) equals k dense
  /// Nesterov steps with zero gradient.
  @Test func idleStepsMatchDenseSteps() {
    var c = tinySequenceConfig()
    c.weightDecay = 0.01
    c.momentum = 0.9
    let powers = SequenceTraining.idlePowers(steps: 30, lr: 0.5, config: c)
    let w0 = randomWeights(count: 16, seed: 11)
    let v0 = randomWeights(count: 16, seed: 12)
    var w = w0
    var v = v0
    for k in 1...30 {
      SequenceTraining.nesterovStep(
        weights: &w, velocity: &v, grad: [Float](repeating: 0, count: 16), coef: 1, lr: 0.5,
        config: c)
      let m = powers[k]
      for j in 0..<16 {
        #expect(abs(m[0] * w0[j] + m[1] * v0[j] - w[j]) < 1e-5 * max(1, abs(w[j])))
        #expect(abs(m[2] * w0[j] + m[3] * v0[j] - v[j]) < 1e-5 * max(1, abs(v[j])))
      }
    }
    #expect(powers[0] == SIMD4(1, 0, 0, 1))
  }

  /// A stack of windows (as a training chunk runs them) against each window alone: the
  /// same representations bit for bit (every output row depends only on its window), the
  /// same loss, and gradients equal to the per-window gradients summed; on every kernel
  /// level this CPU runs.
  @Test(arguments: KernelLevel.allCases.filter { $0 <= KernelLevel.supported })
  func stackedWindowsMatchSingleWindows(level: KernelLevel) {
    var c = tinySequenceConfig()
    c.layers = 2
    c.dropout = 0.2
    let network = SequenceNetwork(aggregator: .transformer, config: c, level: level)
    let layout = network.transformer!
    let table = randomWeights(count: 10 * 8, seed: 13)
    let params = layout.initialParameters(seed: 14)
    var rng = RandomStream(seed: 15)
    let windows = (0..<SequenceNetwork.trainingWindows).map { _ in
      (0..<(2 + rng.nextInt(below: 4))).map { _ in Int32(rng.nextInt(below: 10)) }
    }
    let candidates = windows.map { w in (0..<10).map(Int32.init).filter { !w.contains($0) } }
    func streams() -> [RandomStream] {
      (0..<windows.count).map { RandomStream(seed: 16, component: "stack", chunk: UInt64($0)) }
    }
    // Each window alone (its own stream), gradients summed in window order.
    let ws = network.makeWorkspace()
    var singleRows = SparseRows(dim: 8)
    var singleGrad = [Float](repeating: 0, count: layout.count)
    var singleLoss = 0.0
    var singleReps: [[Float]] = []
    var single = streams()
    for (b, w) in windows.enumerated() {
      singleLoss += table.withUnsafeBufferPointer { tb in
        params.withUnsafeBufferPointer { pb in
          w.withUnsafeBufferPointer { wb in
            withUnsafeMutablePointer(to: &single[b]) { r in
              network.windowLoss(
                window: wb, candidates: candidates[b], nHard: 2, nEasy: 2,
                table: tb.baseAddress!, params: pb.baseAddress!, ws: ws, rng: r, dropout: true,
                scale: 0.5, rows: &singleRows, dParams: &singleGrad)
            }
          }
        }
      }
      singleReps.append(Array(UnsafeBufferPointer(start: ws.reps, count: (w.count - 1) * 8)))
    }
    // All windows stacked.
    var stackedRows = SparseRows(dim: 8)
    var stackedGrad = [Float](repeating: 0, count: layout.count)
    var stacked = streams()
    let flat = windows.flatMap { $0 }
    let stackedLoss = table.withUnsafeBufferPointer { tb in
      params.withUnsafeBufferPointer { pb in
        flat.withUnsafeBufferPointer { fb in
          stacked.withUnsafeMutableBufferPointer { r in
            network.batchLoss(
              tracks: fb, lengths: windows.map(\.count), candidates: candidates, nHard: 2,
              nEasy: 2, table: tb.baseAddress!, params: pb.baseAddress!, ws: ws,
              rngs: r.baseAddress, dropout: true, scale: 0.5, rows: &stackedRows,
              dParams: &stackedGrad)
          }
        }
      }
    }
    var at = 0
    for reps in singleReps {
      let got = Array(UnsafeBufferPointer(start: ws.reps + at, count: reps.count))
      #expect(got.map(\.bitPattern) == reps.map(\.bitPattern))
      at += reps.count
    }
    #expect(abs(stackedLoss - singleLoss) < 1e-5 * max(1, abs(singleLoss)))
    for j in 0..<layout.count {
      #expect(
        abs(stackedGrad[j] - singleGrad[j]) < 1e-5 * max(1, abs(singleGrad[j])), "parameter \(j)")
    }
    #expect(Set(stackedRows.ids) == Set(singleRows.ids))
    for t in singleRows.ids {
      let a = singleRows.row(t)!
      let b = stackedRows.row(t)!
      for d in 0..<8 {
        #expect(abs(a[a.startIndex + d] - b[b.startIndex + d]) < 1e-5, "track \(t) dim \(d)")
      }
    }
  }

  /// The transformer on the portable kernels (what `--kernels portable` runs) also matches
  /// the Double reference, and trains to the same weights on 1 and 2 threads.
  @Test func portableKernelsMatchReferenceAndThreads() throws {
    let c = tinySequenceConfig(initialization: .random)
    let one = try KernelLevel.withLevel(.portable) {
      try ParallelConfig.withThreads(1) { try train(c, .transformer) }
    }
    let two = try KernelLevel.withLevel(.portable) {
      try ParallelConfig.withThreads(2) { try train(c, .transformer) }
    }
    #expect(one.network.level == .portable)
    #expect(one.params.map(\.bitPattern) == two.params.map(\.bitPattern))
    #expect(one.embeddings.map(\.bitPattern) == two.embeddings.map(\.bitPattern))
    let reference = TransformerReference(layout: one.network.transformer!)
    let table = one.embeddings.map(Double.init)
    let context: [Int32] = [9, 1, 2, 3]
    let q = try #require(one.contextVector(context))
    let x = context.map { t in (0..<8).map { table[Int(t) * 8 + $0] } }
    let r = reference.forward(x, params: one.params.map(Double.init)).last!
    for d in 0..<8 { #expect(abs(Double(q[d]) - r[d]) < 1e-5) }
  }

  @Test func divergenceNamesTheEpoch() throws {
    var c = tinySequenceConfig()
    c.learningRate = 1e30
    c.clip = 0
    do {
      _ = try train(c)
      Issue.record("training with learningRate 1e30 did not fail")
    } catch let e as ChorusError {
      #expect(e.kind == .config)
      #expect(e.field == "learningRate")
      #expect(e.message.contains("epoch 1"))
    }
  }

  /// The position embeddings start N(0, positionInitStd²): the default 0.02 gives the same
  /// initial weights as the formula before the switch existed (Gaussian draws of the
  /// "sequence.transformer" stream × 0.02, first), and 1 (the study's) scales only the
  /// position rows, by 50, through the training path too (0 epochs: the initial weights).
  @Test func positionInitStdScalesOnlyThePositionRows() throws {
    var c = tinySequenceConfig()
    c.epochs = 0
    let layout = try #require(SequenceNetwork(aggregator: .transformer, config: c).transformer)
    let positionCount = layout.positions * layout.dim
    var rng = RandomStream(seed: c.seed, component: "sequence.transformer")
    let draws = (0..<positionCount).map { _ in rng.nextGaussian() }
    #expect(c.positionInitStd == 0.02 && SequenceConfig.paper.positionInitStd == 0.02)
    let before = try train(c, .transformer).params
    #expect(before.count == layout.count)
    #expect(
      before.prefix(positionCount).map(\.bitPattern) == draws.map { Float($0 * 0.02).bitPattern })
    var study = c
    study.positionInitStd = 1
    let after = try train(study, .transformer).params
    #expect(after.prefix(positionCount).map(\.bitPattern) == draws.map { Float($0).bitPattern })
    #expect(
      after.dropFirst(positionCount).map(\.bitPattern)
        == before.dropFirst(positionCount).map(\.bitPattern))
    func rms(_ x: ArraySlice<Float>) -> Double {
      (x.reduce(0) { $0 + Double($1) * Double($1) } / Double(x.count)).squareRoot()
    }
    let ratio = rms(after.prefix(positionCount)) / rms(before.prefix(positionCount))
    #expect(abs(ratio - 50) < 1e-3, "\(ratio)")
    // The key, from specs and overrides; out-of-range values are refused naming it.
    #expect(
      try ModelSpec(name: "transformer", overrides: ["positionInitStd=1"])
        == .transformer(
          {
            var e = SequenceConfig()
            e.positionInitStd = 1
            return e
          }()))
    for value in [-1.0, .infinity, 1000] {
      var bad = c
      bad.positionInitStd = value
      #expect(throws: ChorusError.self) { try bad.validate() }
    }
  }

  /// Spec settings stay strict although saved settings decode tolerantly: unknown keys and
  /// ill-typed values are config errors naming the key, for both sequence and ALS configs.
  @Test func specSettingsStayStrict() {
    let cases: [(String, [String: Any], String)] = [
      ("transformer", ["positionInit": 1.0], "positionInit"),
      ("transformer", ["positionInitStd": "large"], "positionInitStd"),
      ("mean", ["dim": NSNull()], "dim"),
      ("als", ["factorz": 8], "factorz"),
      ("als", ["exactShortRows": "yes"], "exactShortRows"),
    ]
    for (name, config, key) in cases {
      do {
        _ = try ModelSpec(name: name, config: config)
        Issue.record("\(name) \(config) was accepted")
      } catch let e as ChorusError {
        #expect(e.kind == .config)
        #expect(e.field == key, "\(e)")
      } catch {
        Issue.record("unexpected error \(error)")
      }
    }
  }

  @Test func presetsKeysAndErrors() throws {
    #expect(ModelSpec.names.contains("mean") && ModelSpec.names.contains("transformer"))
    let paper = try ModelSpec(name: "transformer", overrides: ["dim=64", "preset=paper"])
    var expected = SequenceConfig.paper
    expected.dim = 64
    #expect(paper == .transformer(expected))
    #expect(paper.name == "transformer")
    let fast = try ModelSpec(name: "mean", overrides: ["epochs=3"])
    var fastExpected = SequenceConfig()
    fastExpected.epochs = 3
    #expect(fast == .mean(fastExpected))
    let fromSpec = try ModelSpec(
      name: "mean", config: ["preset": "paper", "initialization": "random"])
    guard case .mean(let c) = fromSpec else {
      Issue.record("not a mean spec")
      return
    }
    #expect(c.dim == 128 && c.nNeg == 1000 && c.initialization == .random)
    // A written config (every key, as a spec stores it) reads back unchanged.
    for config in [c, SequenceConfig(), tinySequenceConfig()] {
      let object = try ConfigCoding.object(config)
      #expect(try SequenceConfig.decode(object, context: "model.config") == config)
    }
    var spec = tinySequenceConfig()
    spec.epochs = 1
    let trained = try ModelSpec.mean(spec).train(
      playlists: data.playlists, trackCount: data.trackCount)
    #expect(trained is SequenceModel)
    for (config, key) in [
      (["preset": "huge"] as [String: Any], "preset"), (["dim": 0], "dim"),
      (["heads": 3], "heads"), (["maxSize": 1], "maxSize"), (["nHard": 5000], "nNeg"),
      (["dropout": 1.0], "dropout"), (["momentum": 1.0], "momentum"),
    ] {
      do {
        _ = try ModelSpec(name: "transformer", config: config)
        Issue.record("\(config) was accepted")
      } catch let e as ChorusError {
        #expect(e.kind == .config)
        #expect(e.field == key)
      }
    }
  }
}

#if canImport(Glibc)
  import Glibc
#else
  import Foundation
#endif
