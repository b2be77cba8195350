// One playlist window through a sequence model: the tracks' embeddings, the aggregator's
// causal representations (mean of the prefix, or a transformer's outputs), the loss on every
// prefix's next track and on the playlist's negatives, and the backward pass into sparse
// embedding-row gradients and dense aggregator gradients. Shared by training, inference
// (forward only) and the tests (which check it against a plain Double reference).
import ChorusCore

/// How a window of track embeddings becomes one representation per position.
public enum SequenceAggregator: String, Codable, Sendable, Equatable {
  /// Mean of the prefix's embeddings (the study's MF-AVG).
  case mean
  /// Causal multi-head self-attention layers with learned right-aligned positions.
  case transformer
}

/// Embedding-row gradients of one chunk of playlists: rows in first-touch order.
struct SparseRows {
  let dim: Int
  private(set) var ids: [Int32] = []
  private(set) var rows: [Float] = []
  private var slot: [Int32: Int] = [:]

  init(dim: Int) { self.dim = dim }

  /// rows[t] += s · x.
  mutating func add(_ t: Int32, _ s: Float, _ x: UnsafePointer<Float>) {
    let r: Int
    if let found = slot[t] {
      r = found
    } else {
      r = ids.count
      slot[t] = r
      ids.append(t)
      rows.append(contentsOf: repeatElement(0, count: dim))
    }
    let dim = self.dim
    rows.withUnsafeMutableBufferPointer { SeqMath.axpy(s, x, $0.baseAddress! + r * dim, dim) }
  }

  /// The gradient row of `t`, or nil when untouched.
  func row(_ t: Int32) -> ArraySlice<Float>? {
    guard let r = slot[t] else { return nil }
    return rows[(r * dim)..<((r + 1) * dim)]
  }
}

/// The shapes of a sequence model and its per-window passes.
struct SequenceNetwork: Sendable {
  let aggregator: SequenceAggregator
  let config: SequenceConfig
  let dim: Int
  /// Longest input: maxSize − 1 tracks (the last track of a window is only a target).
  let maxInput: Int
  /// The transformer's parameter layout (nil for `mean`).
  let transformer: TransformerLayout?

  init(aggregator: SequenceAggregator, config: SequenceConfig) {
    self.aggregator = aggregator
    self.config = config
    dim = config.dim
    maxInput = config.maxSize - 1
    transformer =
      aggregator == .transformer
      ? TransformerLayout(
        dim: config.dim, heads: config.heads, feedForward: config.feedForward,
        layers: config.layers, positions: config.maxSize - 1) : nil
  }

  /// Dense aggregator parameters (0 for `mean`).
  var parameterCount: Int { transformer?.count ?? 0 }

  /// Scratch for one thread; `training` false leaves out the room for deferred gradients
  /// (inference only runs forward passes).
  func makeWorkspace(training: Bool = true) -> SequenceWorkspace {
    SequenceWorkspace(network: self, training: training)
  }

  /// Representations of `n` ≤ maxInput positions from their embeddings `x` (n × dim) into
  /// `ws.reps`. `rng` non-nil turns dropout on (training).
  func forward(
    _ x: UnsafePointer<Float>, n: Int, params: UnsafePointer<Float>, ws: SequenceWorkspace,
    rng: UnsafeMutablePointer<RandomStream>?
  ) {
    precondition(n >= 1 && n <= maxInput)
    let dim = self.dim
    let reps = ws.reps
    switch aggregator {
    case .mean:
      // Causal: position i holds the mean of x[0...i] (running sum, then scaled).
      let sum = ws.scratch
      sum.update(repeating: 0, count: dim)
      for i in 0..<n {
        SeqMath.axpy(1, x + i * dim, sum, dim)
        let inv = 1 / Float(i + 1)
        for d in 0..<dim { reps[i * dim + d] = sum[d] * inv }
      }
    case .transformer:
      TransformerKernel.forward(
        x, n: n, params: params, layout: transformer!, ws: ws,
        dropout: rng == nil ? 0 : Float(config.dropout), rng: rng)
    }
  }

  /// Backward of `forward` (same n, after it): given d reps in `ws.dReps` (n × dim), writes
  /// d x into `ws.dx` (n × dim) and adds the parameter gradients to `dParams`.
  func backward(
    n: Int, params: UnsafePointer<Float>, ws: SequenceWorkspace,
    dParams: UnsafeMutablePointer<Float>
  ) {
    let dim = self.dim
    switch aggregator {
    case .mean:
      // dx[j] = Σ_{i ≥ j} dReps[i] / (i + 1): a suffix sum.
      let acc = ws.scratch
      acc.update(repeating: 0, count: dim)
      for j in stride(from: n - 1, through: 0, by: -1) {
        SeqMath.axpy(1 / Float(j + 1), ws.dReps + j * dim, acc, dim)
        (ws.dx + j * dim).update(from: acc, count: dim)
      }
    case .transformer:
      TransformerKernel.backward(
        n: n, params: params, layout: transformer!, ws: ws, dParams: dParams)
    }
  }

  /// Adds gradients the aggregator deferred (the transformer's feed-forward weights) to
  /// `dParams`.
  func flush(ws: SequenceWorkspace, dParams: UnsafeMutablePointer<Float>) {
    if let layout = transformer, let tape = ws.tape {
      TransformerKernel.flush(layout: layout, tape: tape, dParams: dParams)
    }
  }

  /// Loss and gradients of one window (`window.count` ≥ 2 tracks): inputs window[0..<w−1],
  /// targets window[1..<w]. Negatives: of `candidates`, the `nHard` scoring highest against
  /// the last position's representation (ties by candidate order) and `nEasy` drawn from the
  /// rest with `rng`. Loss = Σ_i [softplus(−s⁺ᵢ) + (1/N) Σ_neg softplus(sᵢ,neg)];
  /// gradients are scaled by `scale` and added to `rows` and `dParams` (with `flush` false,
  /// part of `dParams` waits in `ws` for a later `flush`).
  /// Returns the unscaled loss.
  func windowLoss(
    window: UnsafeBufferPointer<Int32>, candidates: [Int32], nHard: Int, nEasy: Int,
    table: UnsafePointer<Float>, params: UnsafePointer<Float>, ws: SequenceWorkspace,
    rng: UnsafeMutablePointer<RandomStream>?, dropout: Bool, scale: Float,
    rows: inout SparseRows, dParams: UnsafeMutablePointer<Float>, flush: Bool = true
  ) -> Double {
    let n = window.count - 1
    let dim = self.dim
    let x = ws.x
    for i in 0..<n { (x + i * dim).update(from: table + Int(window[i]) * dim, count: dim) }
    forward(x, n: n, params: params, ws: ws, rng: dropout ? rng : nil)
    let reps = ws.reps
    // Negatives from the candidates.
    let last = reps + (n - 1) * dim
    var scored = candidates.enumerated().map { (i, t) in
      (SeqMath.dot(table + Int(t) * dim, last, dim), i)
    }
    scored.sort { $0.0 > $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
    let hard = min(nHard, scored.count)
    var negatives = scored.prefix(hard).map { candidates[$0.1] }
    var rest = scored.dropFirst(hard).map { candidates[$0.1] }
    for _ in 0..<min(nEasy, rest.count) {
      let j = rng?.pointee.nextInt(below: rest.count) ?? 0
      negatives.append(rest[j])
      rest.swapAt(j, rest.count - 1)
      rest.removeLast()
    }
    let invN = negatives.isEmpty ? 0 : 1 / Float(negatives.count)
    let dReps = ws.dReps
    dReps.update(repeating: 0, count: n * dim)
    var loss = 0.0
    for i in 0..<n {
      let r = reps + i * dim
      let dr = dReps + i * dim
      let y = window[i + 1]
      let sp = SeqMath.dot(table + Int(y) * dim, r, dim)
      loss += Double(SeqMath.softplus(-sp))
      let gp = SeqMath.sigmoid(sp) - 1
      SeqMath.axpy(gp * scale, table + Int(y) * dim, dr, dim)
      rows.add(y, gp * scale, r)
      for t in negatives {
        let sn = SeqMath.dot(table + Int(t) * dim, r, dim)
        loss += Double(invN * SeqMath.softplus(sn))
        let gn = SeqMath.sigmoid(sn) * invN * scale
        SeqMath.axpy(gn, table + Int(t) * dim, dr, dim)
        rows.add(t, gn, r)
      }
    }
    backward(n: n, params: params, ws: ws, dParams: dParams)
    for j in 0..<n { rows.add(window[j], 1, ws.dx + j * dim) }
    if flush { self.flush(ws: ws, dParams: dParams) }
    return loss
  }
}

/// Per-thread buffers of one window's passes (sized for maxInput positions).
final class SequenceWorkspace {
  let x: UnsafeMutablePointer<Float>
  let reps: UnsafeMutablePointer<Float>
  let dReps: UnsafeMutablePointer<Float>
  let dx: UnsafeMutablePointer<Float>
  let scratch: UnsafeMutablePointer<Float>
  /// The transformer's activations (nil for `mean`).
  let tape: TransformerTape?

  init(network: SequenceNetwork, training: Bool) {
    let size = network.maxInput * network.dim
    func buffer(_ count: Int) -> UnsafeMutablePointer<Float> {
      let p = UnsafeMutablePointer<Float>.allocate(capacity: max(1, count))
      p.initialize(repeating: 0, count: max(1, count))
      return p
    }
    x = buffer(size)
    reps = buffer(size)
    dReps = buffer(size)
    dx = buffer(size)
    scratch = buffer(max(size, network.dim))
    tape = network.transformer.map {
      TransformerTape(layout: $0, deferredWindows: training ? TransformerTape.deferredWindows : 1)
    }
  }

  deinit {
    for p in [x, reps, dReps, dx, scratch] { p.deallocate() }
  }
}
