// The transformer aggregator: learned position embeddings aligned to the right end of the
// window, then `layers` post-norm blocks as PyTorch's TransformerEncoderLayer with
// norm_first=False (a decoder layer without cross-attention): x = LN₁(x + Drop(MHA(x)))
// with a causal mask and dropout on the attention weights, then
// x = LN₂(x + Drop(W₂ Drop(GELU(W₁x + b₁)) + b₂)). Forward keeps its activations on a tape;
// backward walks it in reverse. Weights are row-major [out][in] (y = x·Wᵀ + b) as PyTorch.
// A chunk's windows are stacked row by row, so projections are matrix products.
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
  /// position embeddings N(0, `positionStd`²) (SequenceConfig.positionInitStd: 0.02 by
  /// default, small next to the track embeddings; the study's 1). The position entries are
  /// the same Gaussian draws at any `positionStd`, and every other parameter is the same.
  func initialParameters(seed: UInt64, positionStd: Double = 0.02) -> [Float] {
    var p = [Float](repeating: 0, count: count)
    var rng = RandomStream(seed: seed, component: "sequence.transformer")
    func uniform(_ at: Int, _ n: Int, _ bound: Double) {
      for j in 0..<n { p[at + j] = Float((rng.nextDouble() * 2 - 1) * bound) }
    }
    for j in 0..<(positions * dim) { p[j] = Float(rng.nextGaussian() * positionStd) }
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

/// The rows of a stack of windows: window b holds rows starts[b] ..< starts[b] + lengths[b]
/// of every row-major activation (windows back to back, row-major, contiguous).
struct WindowRows {
  let starts: [Int]
  let lengths: [Int]
  /// Σ lengths: the stacked rows.
  let total: Int

  init(lengths: [Int]) {
    var starts: [Int] = []
    starts.reserveCapacity(lengths.count)
    var at = 0
    for n in lengths {
      starts.append(at)
      at += n
    }
    self.starts = starts
    self.lengths = lengths
    total = at
  }

  var count: Int { lengths.count }
}

/// Activations of one forward pass over a stack of windows (per layer) and backward
/// scratch, sized for `windows` windows of the longest input.
final class TransformerTape {
  /// One layer's saved activations (rows × width, stacked as `WindowRows`).
  struct Layer {
    var input, q, k, v, o, attn, mask1, y1, mean1, rstd1: UnsafeMutablePointer<Float>
    /// Per window: softmax weights, their dropout scales, and the two multiplied
    /// (windows × heads × P × P).
    var probs, attnMask, probsDrop: UnsafeMutablePointer<Float>
    /// Feed-forward pre-activations, Φ(h1) (GELU's Gaussian CDF, kept for the backward
    /// pass), dropped GELU outputs and their mask (rows × ff).
    var h1, cdf, gd, maskF: UnsafeMutablePointer<Float>
    var f, mask2, mean2, rstd2: UnsafeMutablePointer<Float>
  }
  var layers: [Layer] = []
  /// Windows and stacked rows the buffers hold.
  let windows: Int
  let rows: Int
  /// Backward scratch: rows × dim (several), rows × ff, P.
  let dY, dSum, dQ, dK, dV, dO, dA, dX: UnsafeMutablePointer<Float>
  let dH, dG: UnsafeMutablePointer<Float>
  let dP: UnsafeMutablePointer<Float>
  private var owned: [UnsafeMutablePointer<Float>] = []

  init(layout: TransformerLayout, windows: Int) {
    let p = layout.positions
    let d = layout.dim
    let ff = layout.feedForward
    let r = windows * p
    let hpp = windows * layout.heads * p * p
    var owned: [UnsafeMutablePointer<Float>] = []
    func buffer(_ n: Int) -> UnsafeMutablePointer<Float> {
      let b = UnsafeMutablePointer<Float>.allocate(capacity: max(1, n))
      b.initialize(repeating: 0, count: max(1, n))
      owned.append(b)
      return b
    }
    self.windows = windows
    rows = r
    for _ in 0..<layout.layers {
      layers.append(
        Layer(
          input: buffer(r * d), q: buffer(r * d), k: buffer(r * d), v: buffer(r * d),
          o: buffer(r * d), attn: buffer(r * d), mask1: buffer(r * d), y1: buffer(r * d),
          mean1: buffer(r), rstd1: buffer(r), probs: buffer(hpp), attnMask: buffer(hpp),
          probsDrop: buffer(hpp),
          h1: buffer(r * ff), cdf: buffer(r * ff), gd: buffer(r * ff), maskF: buffer(r * ff),
          f: buffer(r * d),
          mask2: buffer(r * d), mean2: buffer(r), rstd2: buffer(r)))
    }
    dY = buffer(r * d)
    dSum = buffer(r * d)
    dQ = buffer(r * d)
    dK = buffer(r * d)
    dV = buffer(r * d)
    dO = buffer(r * d)
    dA = buffer(r * d)
    dX = buffer(r * d)
    dH = buffer(r * ff)
    dG = buffer(r * ff)
    dP = buffer(p)
    self.owned = owned
  }

  deinit { for b in owned { b.deallocate() } }
}

/// Forward and backward of the transformer aggregator over a stack of windows: the
/// projections and the feed-forward block (and their backward passes) are matrix products
/// of all stacked rows at once (`MatrixKernels.multiply` at the network's kernel level);
/// attention, LayerNorm and dropout run per window or per row. Every output row depends only
/// on its own window, so a window's representations are the same bits alone or stacked.
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
    // nextDouble() < p, in integers: the draw is k·2⁻⁵³ with k = next() >> 11, and k·2⁻⁵³ < p
    // exactly when k < ⌈p·2⁵³⌉ (p·2⁵³ is exact in Double), so the masks are the same bits.
    let threshold = UInt64((Double(p) * 0x1.0p53).rounded(.up))
    for j in 0..<count { m[j] = rng.pointee.next() &>> 11 < threshold ? 0 : keep }
  }

  /// y = x·Wᵀ + b for n rows (W is out × in).
  @inline(__always)
  static func linear(
    _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
    _ y: UnsafeMutablePointer<Float>, n: Int, input: Int, output: Int, level: KernelLevel
  ) {
    MatrixKernels.multiply(
      x, w, into: y, m: n, n: output, k: input, transposedB: true, level: level)
    for i in 0..<n { SeqMath.axpy(1, b, y + i * output, output) }
  }

  /// Backward of `linear`: dx (+)= dy·W, dW += dyᵀ·x (one product over all n rows, in row
  /// order, reading dy transposed in place and adding into dW), db += Σ dy.
  @inline(__always)
  static func linearBackward(
    _ dy: UnsafePointer<Float>, x: UnsafePointer<Float>, w: UnsafePointer<Float>,
    dx: UnsafeMutablePointer<Float>?, dW: UnsafeMutablePointer<Float>?,
    dB: UnsafeMutablePointer<Float>, n: Int, input: Int, output: Int, accumulate: Bool,
    level: KernelLevel
  ) {
    if let dx {
      MatrixKernels.multiply(
        dy, w, into: dx, m: n, n: input, k: output, accumulate: accumulate, level: level)
    }
    if let dW {
      MatrixKernels.multiply(
        dy, x, into: dW, m: output, n: input, k: n, transposedA: true, accumulate: true,
        level: level)
    }
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

  /// Φ(x), the standard Gaussian CDF: GELU(x) = x·Φ(x).
  @inline(__always) static func gaussianCDF(_ x: Float) -> Float {
    0.5 * (1 + erff(x * 0.70710678118654752))
  }

  /// GELU'(x) = Φ(x) + x·φ(x), from Φ(x) saved by the forward pass.
  @inline(__always) static func geluDerivative(_ x: Float, cdf: Float) -> Float {
    cdf + x * 0.39894228040143268 * expf(-0.5 * x * x)
  }

  /// Dropout scales of `width` columns for every window's rows, each window from its own
  /// stream (`rngs[b]`), so a window's masks do not depend on its neighbours.
  static func windowMasks(
    _ m: UnsafeMutablePointer<Float>, width: Int, windows: WindowRows, dropout: Float,
    rngs: UnsafeMutablePointer<RandomStream>?
  ) {
    for b in 0..<windows.count {
      dropoutMask(
        m + windows.starts[b] * width, windows.lengths[b] * width, dropout, rngs.map { $0 + b })
    }
  }

  /// Representations of the stacked windows' positions from their embeddings `x`
  /// (rows × dim) into `ws.reps`. `rngs` (one stream per window) non-nil turns dropout on.
  static func forward(
    _ x: UnsafePointer<Float>, windows: WindowRows, params: UnsafePointer<Float>,
    layout: TransformerLayout, ws: SequenceWorkspace, dropout: Float,
    rngs: UnsafeMutablePointer<RandomStream>?, level: KernelLevel
  ) {
    let tape = ws.tape!
    let d = layout.dim
    let ff = layout.feedForward
    let heads = layout.heads
    let dh = d / heads
    let p = layout.positions
    let rows = windows.total
    let scale = 1 / Float(dh).squareRoot()
    // Input: embedding + the position embedding counted from the right end of each window.
    for b in 0..<windows.count {
      let s = windows.starts[b]
      let n = windows.lengths[b]
      for i in 0..<n {
        let row = tape.layers[0].input + (s + i) * d
        let pos = params + (p - n + i) * d
        for c in 0..<d { row[c] = x[(s + i) * d + c] + pos[c] }
      }
    }
    for (li, l) in layout.layerOffsets.enumerated() {
      let t = tape.layers[li]
      linear(t.input, params + l.wq, params + l.bq, t.q, n: rows, input: d, output: d, level: level)
      linear(t.input, params + l.wk, params + l.bk, t.k, n: rows, input: d, output: d, level: level)
      linear(t.input, params + l.wv, params + l.bv, t.v, n: rows, input: d, output: d, level: level)
      // Causal attention per window and head: probs[b][h][i][j] for j ≤ i.
      t.o.update(repeating: 0, count: rows * d)
      for b in 0..<windows.count {
        let s = windows.starts[b]
        let n = windows.lengths[b]
        let rng = rngs.map { $0 + b }
        let q = t.q + s * d
        let k = t.k + s * d
        let v = t.v + s * d
        let o = t.o + s * d
        for h in 0..<heads {
          for i in 0..<n {
            let at = ((b * heads + h) * p + i) * p
            let pr = t.probs + at
            let pd = t.probsDrop + at
            var mx = -Float.infinity
            for j in 0...i {
              let sc = SeqMath.dot(q + i * d + h * dh, k + j * d + h * dh, dh) * scale
              pr[j] = sc
              mx = max(mx, sc)
            }
            var sum: Float = 0
            for j in 0...i {
              pr[j] = expf(pr[j] - mx)
              sum += pr[j]
            }
            for j in 0...i { pr[j] /= sum }
            for j in (i + 1)..<max(i + 1, p) { pr[j] = 0 }
            let mask = t.attnMask + at
            dropoutMask(mask, i + 1, dropout, rng)
            for j in 0...i {
              pd[j] = pr[j] * mask[j]
              SeqMath.axpy(pd[j], v + j * d + h * dh, o + i * d + h * dh, dh)
            }
          }
        }
      }
      linear(t.o, params + l.wo, params + l.bo, t.attn, n: rows, input: d, output: d, level: level)
      windowMasks(t.mask1, width: d, windows: windows, dropout: dropout, rngs: rngs)
      // sum1 = input + drop(attn) → LN₁ → y1 (backward recomputes the sum).
      let sum1 = ws.scratch
      for j in 0..<(rows * d) { sum1[j] = t.input[j] + t.attn[j] * t.mask1[j] }
      layerNorm(
        sum1, t.y1, gamma: params + l.ln1g, beta: params + l.ln1b, mean: t.mean1,
        rstd: t.rstd1, n: rows, dim: d)
      linear(t.y1, params + l.w1, params + l.b1, t.h1, n: rows, input: d, output: ff, level: level)
      windowMasks(t.maskF, width: ff, windows: windows, dropout: dropout, rngs: rngs)
      for j in 0..<(rows * ff) {
        let c = gaussianCDF(t.h1[j])
        t.cdf[j] = c
        t.gd[j] = t.h1[j] * c * t.maskF[j]
      }
      linear(t.gd, params + l.w2, params + l.b2, t.f, n: rows, input: ff, output: d, level: level)
      windowMasks(t.mask2, width: d, windows: windows, dropout: dropout, rngs: rngs)
      let sum2 = ws.scratch
      for j in 0..<(rows * d) { sum2[j] = t.y1[j] + t.f[j] * t.mask2[j] }
      let out = li + 1 < layout.layers ? tape.layers[li + 1].input : ws.reps
      layerNorm(
        sum2, out, gamma: params + l.ln2g, beta: params + l.ln2b, mean: t.mean2,
        rstd: t.rstd2, n: rows, dim: d)
    }
  }

  /// Backward of `forward` (same windows, after it): from `ws.dReps` to `ws.dx` and
  /// `dParams` (added).
  static func backward(
    windows: WindowRows, params: UnsafePointer<Float>, layout: TransformerLayout,
    ws: SequenceWorkspace, dParams: UnsafeMutablePointer<Float>, level: KernelLevel
  ) {
    let tape = ws.tape!
    let d = layout.dim
    let ff = layout.feedForward
    let heads = layout.heads
    let dh = d / heads
    let p = layout.positions
    let rows = windows.total
    let scale = 1 / Float(dh).squareRoot()
    let dY = tape.dY
    dY.update(from: ws.dReps, count: rows * d)
    for li in stride(from: layout.layers - 1, through: 0, by: -1) {
      let l = layout.layerOffsets[li]
      let t = tape.layers[li]
      // LN₂: recompute its input sum2 = y1 + f·mask2.
      let sum = ws.scratch
      for j in 0..<(rows * d) { sum[j] = t.y1[j] + t.f[j] * t.mask2[j] }
      let dSum = tape.dSum
      layerNormBackward(
        dY, x: sum, gamma: params + l.ln2g, mean: t.mean2, rstd: t.rstd2, dx: dSum,
        dGamma: dParams + l.ln2g, dBeta: dParams + l.ln2b, n: rows, dim: d)
      // Residual into y1; the feed-forward branch.
      dY.update(from: dSum, count: rows * d)
      let dF = tape.dA
      for j in 0..<(rows * d) { dF[j] = dSum[j] * t.mask2[j] }
      linearBackward(
        dF, x: t.gd, w: params + l.w2, dx: tape.dG, dW: dParams + l.w2, dB: dParams + l.b2,
        n: rows, input: ff, output: d, accumulate: false, level: level)
      for j in 0..<(rows * ff) {
        tape.dH[j] = tape.dG[j] * t.maskF[j] * geluDerivative(t.h1[j], cdf: t.cdf[j])
      }
      linearBackward(
        tape.dH, x: t.y1, w: params + l.w1, dx: dY, dW: dParams + l.w1, dB: dParams + l.b1,
        n: rows, input: d, output: ff, accumulate: true, level: level)
      // LN₁: its input sum1 = input + attn·mask1.
      for j in 0..<(rows * d) { sum[j] = t.input[j] + t.attn[j] * t.mask1[j] }
      layerNormBackward(
        dY, x: sum, gamma: params + l.ln1g, mean: t.mean1, rstd: t.rstd1, dx: dSum,
        dGamma: dParams + l.ln1g, dBeta: dParams + l.ln1b, n: rows, dim: d)
      // Residual into the layer input (dX); the attention branch.
      let dX = tape.dX
      dX.update(from: dSum, count: rows * d)
      let dAttn = tape.dA
      for j in 0..<(rows * d) { dAttn[j] = dSum[j] * t.mask1[j] }
      linearBackward(
        dAttn, x: t.o, w: params + l.wo, dx: tape.dO, dW: dParams + l.wo, dB: dParams + l.bo,
        n: rows, input: d, output: d, accumulate: false, level: level)
      let dQ = tape.dQ
      let dK = tape.dK
      let dV = tape.dV
      dQ.update(repeating: 0, count: rows * d)
      dK.update(repeating: 0, count: rows * d)
      dV.update(repeating: 0, count: rows * d)
      let dP = tape.dP
      for b in 0..<windows.count {
        let s = windows.starts[b]
        let n = windows.lengths[b]
        let q = t.q + s * d
        let k = t.k + s * d
        let v = t.v + s * d
        for h in 0..<heads {
          for i in 0..<n {
            let at = ((b * heads + h) * p + i) * p
            let pr = t.probs + at
            let pd = t.probsDrop + at
            let mask = t.attnMask + at
            let dOi = tape.dO + (s + i) * d + h * dh
            // dPd_j = dO_i · v_j; dV_j += Pd_ij dO_i; dP = dPd · mask.
            var rowSum: Float = 0
            for j in 0...i {
              let dpd = SeqMath.dot(dOi, v + j * d + h * dh, dh)
              SeqMath.axpy(pd[j], dOi, dV + (s + j) * d + h * dh, dh)
              dP[j] = dpd * mask[j]
              rowSum += dP[j] * pr[j]
            }
            for j in 0...i {
              let ds = pr[j] * (dP[j] - rowSum) * scale
              SeqMath.axpy(ds, k + j * d + h * dh, dQ + (s + i) * d + h * dh, dh)
              SeqMath.axpy(ds, q + i * d + h * dh, dK + (s + j) * d + h * dh, dh)
            }
          }
        }
      }
      linearBackward(
        dQ, x: t.input, w: params + l.wq, dx: dX, dW: dParams + l.wq, dB: dParams + l.bq,
        n: rows, input: d, output: d, accumulate: true, level: level)
      linearBackward(
        dK, x: t.input, w: params + l.wk, dx: dX, dW: dParams + l.wk, dB: dParams + l.bk,
        n: rows, input: d, output: d, accumulate: true, level: level)
      linearBackward(
        dV, x: t.input, w: params + l.wv, dx: dX, dW: dParams + l.wv, dB: dParams + l.bv,
        n: rows, input: d, output: d, accumulate: true, level: level)
      dY.update(from: dX, count: rows * d)
    }
    // Input = embedding + position: both get dY.
    for b in 0..<windows.count {
      let s = windows.starts[b]
      let n = windows.lengths[b]
      for i in 0..<n {
        SeqMath.axpy(1, dY + (s + i) * d, dParams + (p - n + i) * d, d)
      }
    }
    ws.dx.update(from: dY, count: rows * d)
  }
}

#if canImport(Glibc)
  import Glibc
#else
  import Foundation
#endif
