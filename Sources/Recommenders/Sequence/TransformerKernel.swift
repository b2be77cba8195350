// The transformer aggregator: learned position embeddings aligned to the right end of the
// window, then `layers` post-norm blocks as PyTorch's TransformerEncoderLayer with
// norm_first=False (a decoder layer without cross-attention): x = LN₁(x + Drop(MHA(x)))
// with a causal mask and dropout on the attention weights, then
// x = LN₂(x + Drop(W₂ Drop(GELU(W₁x + b₁)) + b₂)). Forward keeps its activations on a tape;
// backward walks it in reverse. Weights are row-major [out][in] (y = x·Wᵀ + b) as PyTorch.
import ChorusCore

/// Offsets of every transformer parameter in one flat Float array.
struct TransformerLayout: Sendable, Equatable {
  let dim: Int
  let heads: Int
  let feedForward: Int
  let layers: Int
  /// Position embeddings (the longest input).
  let positions: Int

  /// One layer's parameters, in this order.
  struct Layer: Equatable {
    var wq = 0, wk = 0, wv = 0, bq = 0, bk = 0, bv = 0, wo = 0, bo = 0
    var ln1g = 0, ln1b = 0, w1 = 0, b1 = 0, w2 = 0, b2 = 0, ln2g = 0, ln2b = 0
  }

  /// Position embeddings start at 0 (positions × dim); then the layers.
  let layerOffsets: [Layer]
  let count: Int

  init(dim: Int, heads: Int, feedForward: Int, layers: Int, positions: Int) {
    self.dim = dim
    self.heads = heads
    self.feedForward = feedForward
    self.layers = layers
    self.positions = positions
    var at = positions * dim
    func take(_ n: Int) -> Int {
      defer { at += n }
      return at
    }
    var offsets: [Layer] = []
    for _ in 0..<layers {
      var l = Layer()
      l.wq = take(dim * dim)
      l.wk = take(dim * dim)
      l.wv = take(dim * dim)
      l.bq = take(dim)
      l.bk = take(dim)
      l.bv = take(dim)
      l.wo = take(dim * dim)
      l.bo = take(dim)
      l.ln1g = take(dim)
      l.ln1b = take(dim)
      l.w1 = take(feedForward * dim)
      l.b1 = take(feedForward)
      l.w2 = take(dim * feedForward)
      l.b2 = take(dim)
      l.ln2g = take(dim)
      l.ln2b = take(dim)
      offsets.append(l)
    }
    layerOffsets = offsets
    count = at
  }

  /// PyTorch-like initial values: attention projections Xavier-uniform, linear layers
  /// uniform ±1/√fan_in, biases 0 (feed-forward biases ±1/√fan_in), LayerNorm γ 1 β 0, and
  /// position embeddings N(0, 0.02²) (small next to the track embeddings, so the ALS
  /// geometry dominates at the start).
  func initialParameters(seed: UInt64) -> [Float] {
    var p = [Float](repeating: 0, count: count)
    var rng = RandomStream(seed: seed, component: "sequence.transformer")
    func uniform(_ at: Int, _ n: Int, _ bound: Double) {
      for j in 0..<n { p[at + j] = Float((rng.nextDouble() * 2 - 1) * bound) }
    }
    for j in 0..<(positions * dim) { p[j] = Float(rng.nextGaussian() * 0.02) }
    let xavier = (6 / Double(2 * dim)).squareRoot()
    for l in layerOffsets {
      uniform(l.wq, dim * dim, xavier)
      uniform(l.wk, dim * dim, xavier)
      uniform(l.wv, dim * dim, xavier)
      uniform(l.wo, dim * dim, 1 / Double(dim).squareRoot())
      for j in 0..<dim {
        p[l.ln1g + j] = 1
        p[l.ln2g + j] = 1
      }
      uniform(l.w1, feedForward * dim, 1 / Double(dim).squareRoot())
      uniform(l.b1, feedForward, 1 / Double(dim).squareRoot())
      uniform(l.w2, dim * feedForward, 1 / Double(feedForward).squareRoot())
      uniform(l.b2, dim, 1 / Double(feedForward).squareRoot())
    }
    return p
  }
}

/// Activations of one forward pass (per layer) and backward scratch, sized for the longest
/// input.
final class TransformerTape {
  /// One layer's saved activations.
  struct Layer {
    var input, q, k, v, o, attn, mask1, y1, mean1, rstd1: UnsafeMutablePointer<Float>
    /// Softmax weights, their dropout scales, and the two multiplied (heads × P × P).
    var probs, attnMask, probsDrop: UnsafeMutablePointer<Float>
    var h1, gd, maskF: UnsafeMutablePointer<Float>
    var f, mask2, mean2, rstd2: UnsafeMutablePointer<Float>
  }
  var layers: [Layer] = []
  /// Per layer: saved rows of the feed-forward gradients and inputs (capacity rows each).
  struct Deferred {
    var dF, gd, dH, y1: UnsafeMutablePointer<Float>
  }
  var deferred: [Deferred] = []
  /// Rows saved so far (and after the backward pass in progress); the capacity.
  var deferredRows = 0
  var pendingRows = 0
  let deferredCapacity: Int
  /// Backward scratch: P × dim (several), P × ff, P × P.
  let dY, dSum, dQ, dK, dV, dO, dA, dX: UnsafeMutablePointer<Float>
  let dH, dG: UnsafeMutablePointer<Float>
  let dP: UnsafeMutablePointer<Float>
  private var owned: [UnsafeMutablePointer<Float>] = []

  /// Windows whose feed-forward gradient rows are summed at once.
  static let deferredWindows = 16

  init(layout: TransformerLayout, deferredWindows: Int) {
    let p = layout.positions
    let d = layout.dim
    let ff = layout.feedForward
    let hpp = layout.heads * p * p
    var owned: [UnsafeMutablePointer<Float>] = []
    func buffer(_ n: Int) -> UnsafeMutablePointer<Float> {
      let b = UnsafeMutablePointer<Float>.allocate(capacity: max(1, n))
      b.initialize(repeating: 0, count: max(1, n))
      owned.append(b)
      return b
    }
    for _ in 0..<layout.layers {
      layers.append(
        Layer(
          input: buffer(p * d), q: buffer(p * d), k: buffer(p * d), v: buffer(p * d),
          o: buffer(p * d), attn: buffer(p * d), mask1: buffer(p * d), y1: buffer(p * d),
          mean1: buffer(p), rstd1: buffer(p), probs: buffer(hpp), attnMask: buffer(hpp),
          probsDrop: buffer(hpp),
          h1: buffer(p * ff), gd: buffer(p * ff), maskF: buffer(p * ff), f: buffer(p * d),
          mask2: buffer(p * d), mean2: buffer(p), rstd2: buffer(p)))
    }
    deferredCapacity = p * deferredWindows
    let r = deferredCapacity
    for _ in 0..<layout.layers {
      deferred.append(
        Deferred(dF: buffer(r * d), gd: buffer(r * ff), dH: buffer(r * ff), y1: buffer(r * d)))
    }
    dY = buffer(p * d)
    dSum = buffer(p * d)
    dQ = buffer(p * d)
    dK = buffer(p * d)
    dV = buffer(p * d)
    dO = buffer(p * d)
    dA = buffer(p * d)
    dX = buffer(p * d)
    dH = buffer(p * ff)
    dG = buffer(p * ff)
    dP = buffer(p)
    self.owned = owned
  }

  deinit { for b in owned { b.deallocate() } }
}

/// Forward and backward of the transformer aggregator.
enum TransformerKernel {
  static let layerNormEpsilon: Float = 1e-5

  /// Fills `m[0..<count]` with dropout scales (0 or 1/(1−p)); all 1 when p is 0.
  @inline(__always)
  static func dropoutMask(
    _ m: UnsafeMutablePointer<Float>, _ count: Int, _ p: Float,
    _ rng: UnsafeMutablePointer<RandomStream>?
  ) {
    guard p > 0, let rng else {
      m.update(repeating: 1, count: count)
      return
    }
    let keep = 1 / (1 - p)
    for j in 0..<count { m[j] = rng.pointee.nextDouble() < Double(p) ? 0 : keep }
  }

  /// y = x·Wᵀ + b for n rows (W is out × in).
  @inline(__always)
  static func linear(
    _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
    _ y: UnsafeMutablePointer<Float>, n: Int, input: Int, output: Int
  ) {
    SeqMath.matmulBT(x, w, y, m: n, k: input, n: output)
    for i in 0..<n { SeqMath.axpy(1, b, y + i * output, output) }
  }

  /// Backward of `linear`: dx (+)= dy·W, dW += dyᵀ·x, db += Σ dy.
  @inline(__always)
  static func linearBackward(
    _ dy: UnsafePointer<Float>, x: UnsafePointer<Float>, w: UnsafePointer<Float>,
    dx: UnsafeMutablePointer<Float>?, dW: UnsafeMutablePointer<Float>?,
    dB: UnsafeMutablePointer<Float>, n: Int, input: Int, output: Int, accumulate: Bool
  ) {
    if let dx { SeqMath.matmul(dy, w, dx, m: n, k: output, n: input, accumulate: accumulate) }
    if let dW { SeqMath.matmulAT(dy, x, dW, m: output, k: n, n: input, accumulate: true) }
    for i in 0..<n { SeqMath.axpy(1, dy + i * output, dB, output) }
  }

  /// Row-wise LayerNorm of n × dim in place of `y`, saving mean and 1/σ.
  static func layerNorm(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, gamma: UnsafePointer<Float>,
    beta: UnsafePointer<Float>, mean: UnsafeMutablePointer<Float>,
    rstd: UnsafeMutablePointer<Float>, n: Int, dim: Int
  ) {
    for i in 0..<n {
      let row = x + i * dim
      var s: Float = 0
      for d in 0..<dim { s += row[d] }
      let mu = s / Float(dim)
      var v: Float = 0
      for d in 0..<dim { v += (row[d] - mu) * (row[d] - mu) }
      let r = 1 / (v / Float(dim) + layerNormEpsilon).squareRoot()
      mean[i] = mu
      rstd[i] = r
      for d in 0..<dim { y[i * dim + d] = (row[d] - mu) * r * gamma[d] + beta[d] }
    }
  }

  /// Backward of `layerNorm` (from its input x): dx = rstd·(ĝ − mean ĝ − x̂·mean(ĝ·x̂)) with
  /// ĝ = dy·γ; dγ += dy·x̂, dβ += dy. `dx` may alias `dy`.
  static func layerNormBackward(
    _ dy: UnsafePointer<Float>, x: UnsafePointer<Float>, gamma: UnsafePointer<Float>,
    mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
    dGamma: UnsafeMutablePointer<Float>, dBeta: UnsafeMutablePointer<Float>, n: Int, dim: Int
  ) {
    for i in 0..<n {
      var sg: Float = 0
      var sgx: Float = 0
      for d in 0..<dim {
        let xh = (x[i * dim + d] - mean[i]) * rstd[i]
        let g = dy[i * dim + d] * gamma[d]
        dGamma[d] += dy[i * dim + d] * xh
        dBeta[d] += dy[i * dim + d]
        sg += g
        sgx += g * xh
      }
      let mg = sg / Float(dim)
      let mgx = sgx / Float(dim)
      for d in 0..<dim {
        let xh = (x[i * dim + d] - mean[i]) * rstd[i]
        let g = dy[i * dim + d] * gamma[d]
        dx[i * dim + d] = rstd[i] * (g - mg - xh * mgx)
      }
    }
  }

  @inline(__always) static func gelu(_ x: Float) -> Float {
    0.5 * x * (1 + erff(x * 0.70710678118654752))
  }

  @inline(__always) static func geluDerivative(_ x: Float) -> Float {
    0.5 * (1 + erff(x * 0.70710678118654752)) + x * 0.39894228040143268 * expf(-0.5 * x * x)
  }

  /// Representations of n positions from embeddings `x` (n × dim) into `ws.reps`.
  static func forward(
    _ x: UnsafePointer<Float>, n: Int, params: UnsafePointer<Float>, layout: TransformerLayout,
    ws: SequenceWorkspace, dropout: Float, rng: UnsafeMutablePointer<RandomStream>?
  ) {
    let tape = ws.tape!
    let d = layout.dim
    let ff = layout.feedForward
    let heads = layout.heads
    let dh = d / heads
    let p = layout.positions
    let scale = 1 / Float(dh).squareRoot()
    // Input: embedding + the position embedding counted from the right end.
    var current = UnsafePointer(tape.layers[0].input)
    for i in 0..<n {
      let row = tape.layers[0].input + i * d
      let pos = params + (p - n + i) * d
      for c in 0..<d { row[c] = x[i * d + c] + pos[c] }
    }
    for (li, l) in layout.layerOffsets.enumerated() {
      let t = tape.layers[li]
      linear(t.input, params + l.wq, params + l.bq, t.q, n: n, input: d, output: d)
      linear(t.input, params + l.wk, params + l.bk, t.k, n: n, input: d, output: d)
      linear(t.input, params + l.wv, params + l.bv, t.v, n: n, input: d, output: d)
      // Causal attention per head: probs[h][i][j] for j ≤ i.
      t.o.update(repeating: 0, count: n * d)
      for h in 0..<heads {
        for i in 0..<n {
          let pr = t.probs + (h * p + i) * p
          let pd = t.probsDrop + (h * p + i) * p
          var mx = -Float.infinity
          for j in 0...i {
            let s = SeqMath.dot(t.q + i * d + h * dh, t.k + j * d + h * dh, dh) * scale
            pr[j] = s
            mx = max(mx, s)
          }
          var sum: Float = 0
          for j in 0...i {
            pr[j] = expf(pr[j] - mx)
            sum += pr[j]
          }
          for j in 0...i { pr[j] /= sum }
          for j in (i + 1)..<max(i + 1, p) { pr[j] = 0 }
          let mask = t.attnMask + (h * p + i) * p
          dropoutMask(mask, i + 1, dropout, rng)
          for j in 0...i {
            pd[j] = pr[j] * mask[j]
            SeqMath.axpy(pd[j], t.v + j * d + h * dh, t.o + i * d + h * dh, dh)
          }
        }
      }
      linear(t.o, params + l.wo, params + l.bo, t.attn, n: n, input: d, output: d)
      dropoutMask(t.mask1, n * d, dropout, rng)
      // sum1 = input + drop(attn) → LN₁ → y1 (backward recomputes the sum).
      let sum1 = ws.scratch
      for j in 0..<(n * d) { sum1[j] = t.input[j] + t.attn[j] * t.mask1[j] }
      layerNorm(
        sum1, t.y1, gamma: params + l.ln1g, beta: params + l.ln1b, mean: t.mean1,
        rstd: t.rstd1, n: n, dim: d)
      linear(t.y1, params + l.w1, params + l.b1, t.h1, n: n, input: d, output: ff)
      dropoutMask(t.maskF, n * ff, dropout, rng)
      for j in 0..<(n * ff) { t.gd[j] = gelu(t.h1[j]) * t.maskF[j] }
      linear(t.gd, params + l.w2, params + l.b2, t.f, n: n, input: ff, output: d)
      dropoutMask(t.mask2, n * d, dropout, rng)
      let sum2 = ws.scratch
      for j in 0..<(n * d) { sum2[j] = t.y1[j] + t.f[j] * t.mask2[j] }
      let out = li + 1 < layout.layers ? tape.layers[li + 1].input : ws.reps
      layerNorm(
        sum2, out, gamma: params + l.ln2g, beta: params + l.ln2b, mean: t.mean2,
        rstd: t.rstd2, n: n, dim: d)
      current = UnsafePointer(out)
    }
    if current != UnsafePointer(ws.reps) { ws.reps.update(from: current, count: n * d) }
  }

  /// Adds the deferred feed-forward weight gradients to `dParams` (dW₂ += Σ dFᵀ·gd,
  /// dW₁ += Σ dHᵀ·y1 over the saved rows, in order) and empties the buffers.
  static func flush(
    layout: TransformerLayout, tape: TransformerTape, dParams: UnsafeMutablePointer<Float>
  ) {
    let rows = tape.deferredRows
    if rows == 0 { return }
    for (li, l) in layout.layerOffsets.enumerated() {
      let saved = tape.deferred[li]
      SeqMath.matmulAT(
        saved.dF, saved.gd, dParams + l.w2, m: layout.dim, k: rows, n: layout.feedForward,
        accumulate: true)
      SeqMath.matmulAT(
        saved.dH, saved.y1, dParams + l.w1, m: layout.feedForward, k: rows, n: layout.dim,
        accumulate: true)
    }
    tape.deferredRows = 0
    tape.pendingRows = 0
  }

  /// Backward of `forward`: from `ws.dReps` to `ws.dx` and `dParams` (added; the
  /// feed-forward weights' part only after `flush`).
  static func backward(
    n: Int, params: UnsafePointer<Float>, layout: TransformerLayout, ws: SequenceWorkspace,
    dParams: UnsafeMutablePointer<Float>
  ) {
    let tape = ws.tape!
    let d = layout.dim
    let ff = layout.feedForward
    let heads = layout.heads
    let dh = d / heads
    let p = layout.positions
    let scale = 1 / Float(dh).squareRoot()
    let dY = tape.dY
    dY.update(from: ws.dReps, count: n * d)
    for li in stride(from: layout.layers - 1, through: 0, by: -1) {
      let l = layout.layerOffsets[li]
      let t = tape.layers[li]
      // LN₂: recompute its input sum2 = y1 + f·mask2.
      let sum = ws.scratch
      for j in 0..<(n * d) { sum[j] = t.y1[j] + t.f[j] * t.mask2[j] }
      let dSum = tape.dSum
      layerNormBackward(
        dY, x: sum, gamma: params + l.ln2g, mean: t.mean2, rstd: t.rstd2, dx: dSum,
        dGamma: dParams + l.ln2g, dBeta: dParams + l.ln2b, n: n, dim: d)
      // Residual into y1; the feed-forward branch.
      dY.update(from: dSum, count: n * d)
      let dF = tape.dA
      for j in 0..<(n * d) { dF[j] = dSum[j] * t.mask2[j] }
      // The feed-forward weight gradients are deferred: their rows are saved and summed
      // for many windows at once (`flush`), so the big dW matrices are swept once per
      // chunk instead of once per window.
      if tape.deferredRows + n > tape.deferredCapacity {
        flush(layout: layout, tape: tape, dParams: dParams)
      }
      let at = tape.deferredRows
      linearBackward(
        dF, x: t.gd, w: params + l.w2, dx: tape.dG, dW: nil, dB: dParams + l.b2, n: n,
        input: ff, output: d, accumulate: false)
      for j in 0..<(n * ff) { tape.dH[j] = tape.dG[j] * t.maskF[j] * geluDerivative(t.h1[j]) }
      linearBackward(
        tape.dH, x: t.y1, w: params + l.w1, dx: dY, dW: nil, dB: dParams + l.b1,
        n: n, input: d, output: ff, accumulate: true)
      let saved = tape.deferred[li]
      (saved.dF + at * d).update(from: dF, count: n * d)
      (saved.gd + at * ff).update(from: t.gd, count: n * ff)
      (saved.dH + at * ff).update(from: tape.dH, count: n * ff)
      (saved.y1 + at * d).update(from: t.y1, count: n * d)
      if li == 0 { tape.pendingRows = at + n }
      // LN₁: its input sum1 = input + attn·mask1.
      for j in 0..<(n * d) { sum[j] = t.input[j] + t.attn[j] * t.mask1[j] }
      layerNormBackward(
        dY, x: sum, gamma: params + l.ln1g, mean: t.mean1, rstd: t.rstd1, dx: dSum,
        dGamma: dParams + l.ln1g, dBeta: dParams + l.ln1b, n: n, dim: d)
      // Residual into the layer input (dX); the attention branch.
      let dX = tape.dX
      dX.update(from: dSum, count: n * d)
      let dAttn = tape.dA
      for j in 0..<(n * d) { dAttn[j] = dSum[j] * t.mask1[j] }
      linearBackward(
        dAttn, x: t.o, w: params + l.wo, dx: tape.dO, dW: dParams + l.wo, dB: dParams + l.bo,
        n: n, input: d, output: d, accumulate: false)
      let dQ = tape.dQ
      let dK = tape.dK
      let dV = tape.dV
      dQ.update(repeating: 0, count: n * d)
      dK.update(repeating: 0, count: n * d)
      dV.update(repeating: 0, count: n * d)
      let dP = tape.dP
      for h in 0..<heads {
        for i in 0..<n {
          let pr = t.probs + (h * p + i) * p
          let pd = t.probsDrop + (h * p + i) * p
          let mask = t.attnMask + (h * p + i) * p
          let dOi = tape.dO + i * d + h * dh
          // dPd_j = dO_i · v_j; dV_j += Pd_ij dO_i; dP = dPd · mask.
          var rowSum: Float = 0
          for j in 0...i {
            let dpd = SeqMath.dot(dOi, t.v + j * d + h * dh, dh)
            SeqMath.axpy(pd[j], dOi, dV + j * d + h * dh, dh)
            dP[j] = dpd * mask[j]
            rowSum += dP[j] * pr[j]
          }
          for j in 0...i {
            let ds = pr[j] * (dP[j] - rowSum) * scale
            SeqMath.axpy(ds, t.k + j * d + h * dh, dQ + i * d + h * dh, dh)
            SeqMath.axpy(ds, t.q + i * d + h * dh, dK + j * d + h * dh, dh)
          }
        }
      }
      linearBackward(
        dQ, x: t.input, w: params + l.wq, dx: dX, dW: dParams + l.wq, dB: dParams + l.bq, n: n,
        input: d, output: d, accumulate: true)
      linearBackward(
        dK, x: t.input, w: params + l.wk, dx: dX, dW: dParams + l.wk, dB: dParams + l.bk, n: n,
        input: d, output: d, accumulate: true)
      linearBackward(
        dV, x: t.input, w: params + l.wv, dx: dX, dW: dParams + l.wv, dB: dParams + l.bv, n: n,
        input: d, output: d, accumulate: true)
      dY.update(from: dX, count: n * d)
    }
    tape.deferredRows = tape.pendingRows
    // Input = embedding + position: both get dY.
    for i in 0..<n {
      SeqMath.axpy(1, dY + i * d, dParams + (p - n + i) * d, d)
    }
    ws.dx.update(from: dY, count: n * d)
  }
}

#if canImport(Glibc)
  import Glibc
#else
  import Foundation
#endif
