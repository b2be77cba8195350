// The per-row work of implicit ALS: the Gram matrix YᵀY of one side's factors, and one row's
// warm-started conjugate-gradient solve of (YᵀY + λI + α·Σᵢ yᵢyᵢᵀ) x = (1 + α)·Σᵢ yᵢ over
// the row's observed items i, without forming the matrix (Takács et al. 2011). The fast
// kernels run on SIMD8 lanes over zero-padded rows; `solveRowPlain` is the loop-by-loop
// twin (sequential Float sums) that tests hold them to. Every sum has a fixed order.
import ChorusCSupport

/// Raw-pointer kernels of the ALS solver.
enum ALSKernel {
  @inline(__always)
  static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
  }

  @inline(__always)
  static func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
  }

  /// Rows ahead whose factors the first pass over a row's entries starts loading.
  static let prefetchAhead = 8

  /// Starts loading the `stride` floats at `p` into the cache (no wait, no fault).
  @inline(__always)
  static func prefetch(_ p: UnsafePointer<Float>, stride: Int) {
    RowPrefetch.lines(p, count: stride)
  }

  /// a · b over `stride` floats (a multiple of 8; the padding is zero).
  @inline(__always)
  static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, stride: Int) -> Float {
    var acc0 = SIMD8<Float>()
    var acc1 = SIMD8<Float>()
    var o = 0
    while o &+ 16 <= stride {
      acc0 += load(a + o) * load(b + o)
      acc1 += load(a + (o &+ 8)) * load(b + (o &+ 8))
      o &+= 16
    }
    if o < stride { acc0 += load(a + o) * load(b + o) }
    return (acc0 + acc1).sum()
  }

  /// y += s · x over `stride` floats.
  @inline(__always)
  static func axpy(
    _ s: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, stride: Int
  ) {
    let sv = SIMD8<Float>(repeating: s)
    var o = 0
    while o < stride {
      store(load(y + o) + sv * load(x + o), y + o)
      o &+= 8
    }
  }

  /// out = A v for the symmetric stride × stride matrix `a` (rows beyond `factors` and the
  /// padding columns are zero): out = Σ_i v[i] · A[i, ·], i ascending.
  @inline(__always)
  static func matvec(
    _ a: UnsafePointer<Float>, _ v: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
    factors: Int, stride: Int
  ) {
    var o = 0
    while o &+ 16 <= stride {
      var acc0 = SIMD8<Float>()
      var acc1 = SIMD8<Float>()
      var row = a + o
      for i in 0..<factors {
        let s = SIMD8<Float>(repeating: v[i])
        acc0 += s * load(row)
        acc1 += s * load(row + 8)
        row += stride
      }
      store(acc0, out + o)
      store(acc1, out + (o &+ 8))
      o &+= 16
    }
    if o < stride {
      var acc = SIMD8<Float>()
      var row = a + o
      for i in 0..<factors {
        acc += SIMD8<Float>(repeating: v[i]) * load(row)
        row += stride
      }
      store(acc, out + o)
    }
  }

  /// Adds Σ yyᵀ over `count` rows (row-major, `stride` apart) to the upper triangle (by
  /// blocks of 8 columns) of `gram` (stride × stride); rows go 4 at a time, in order.
  static func accumulateGram(
    rows: UnsafePointer<Float>, count: Int, factors: Int, stride: Int,
    gram: UnsafeMutablePointer<Float>
  ) {
    var n = 0
    while n < count {
      let y0 = rows + n &* stride
      let m = min(4, count &- n)
      let y1 = m > 1 ? y0 + stride : y0
      let y2 = m > 2 ? y0 + 2 &* stride : y0
      let y3 = m > 3 ? y0 + 3 &* stride : y0
      let w1: Float = m > 1 ? 1 : 0
      let w2: Float = m > 2 ? 1 : 0
      let w3: Float = m > 3 ? 1 : 0
      for i in 0..<factors {
        let s0 = SIMD8<Float>(repeating: y0[i])
        let s1 = SIMD8<Float>(repeating: w1 * y1[i])
        let s2 = SIMD8<Float>(repeating: w2 * y2[i])
        let s3 = SIMD8<Float>(repeating: w3 * y3[i])
        var o = i & ~7
        let g = gram + i &* stride
        while o < stride {
          let t = s0 * load(y0 + o) + s1 * load(y1 + o) + s2 * load(y2 + o) + s3 * load(y3 + o)
          store(load(g + o) + t, g + o)
          o &+= 8
        }
      }
      n &+= 4
    }
  }

  /// Scratch of one row solve: r, p and Ap, `stride` floats each.
  struct Scratch {
    var r: UnsafeMutablePointer<Float>
    var p: UnsafeMutablePointer<Float>
    var ap: UnsafeMutablePointer<Float>
  }

  /// One row's CG solve in place, warm-started from `x` (stride floats, zero padding).
  ///
  /// - Parameters:
  ///   - gram: YᵀY + λI, stride × stride, zero outside factors × factors.
  ///   - other: the other side's factors, row-major with `stride`.
  ///   - ids: the row's observed items (rows of `other`), `count` of them.
  ///   - alpha: confidence slope: observed pairs weigh 1 + alpha.
  /// - Complexity: O((steps + 1) × (factors × stride + count × stride)).
  static func solveRow(
    x: UnsafeMutablePointer<Float>, gram: UnsafePointer<Float>, other: UnsafePointer<Float>,
    ids: UnsafePointer<Int32>, count: Int, alpha: Float, factors: Int, stride: Int,
    steps: Int, scratch: Scratch
  ) {
    let r = scratch.r
    let p = scratch.p
    let ap = scratch.ap
    let c = 1 + alpha
    // r = b − A x = Σ_i (c − α yᵢ·x) yᵢ − (YᵀY + λI) x. The entries' factors are scattered
    // over the other side's matrix: the first pass loads them ahead of use; later passes
    // find them in the cache.
    for j in 0..<min(count, prefetchAhead) {
      prefetch(other + Int(ids[j]) &* stride, stride: stride)
    }
    matvec(gram, x, ap, factors: factors, stride: stride)
    r.update(repeating: 0, count: stride)
    for j in 0..<count {
      if j &+ prefetchAhead < count {
        prefetch(other + Int(ids[j &+ prefetchAhead]) &* stride, stride: stride)
      }
      let y = other + Int(ids[j]) &* stride
      axpy(c - alpha * dot(y, x, stride: stride), y, r, stride: stride)
    }
    var o = 0
    while o < stride {
      let v = load(r + o) - load(ap + o)
      store(v, r + o)
      store(v, p + o)
      o &+= 8
    }
    var rsOld = dot(r, r, stride: stride)
    if rsOld < 1e-20 { return }
    for _ in 0..<steps {
      // Ap = (YᵀY + λI) p + Σ_i α (yᵢ·p) yᵢ.
      matvec(gram, p, ap, factors: factors, stride: stride)
      for j in 0..<count {
        let y = other + Int(ids[j]) &* stride
        axpy(alpha * dot(y, p, stride: stride), y, ap, stride: stride)
      }
      let pAp = dot(p, ap, stride: stride)
      if !(pAp > 0) { return }
      let step = rsOld / pAp
      axpy(step, p, x, stride: stride)
      axpy(-step, ap, r, stride: stride)
      let rsNew = dot(r, r, stride: stride)
      if rsNew < 1e-20 { return }
      let beta = SIMD8<Float>(repeating: rsNew / rsOld)
      o = 0
      while o < stride {
        store(load(r + o) + beta * load(p + o), p + o)
        o &+= 8
      }
      rsOld = rsNew
    }
  }

  /// Rows this short are solved exactly by `solveShortRow` (its n × n system stays tiny).
  static let maxShortRow = 8
  /// Doubles of `solveShortRow`'s scratch: the augmented n × (n + 1) system and q.
  static let shortScratch = maxShortRow * (maxShortRow + 2)

  /// One short row's exact solution into `x`, by the Woodbury identity: with G = YᵀY + λI,
  /// Z = G⁻¹Y_u (one product per entry), s = Σᵢ yᵢ and w = G⁻¹s,
  /// x = (1 + α)·(w − α Z (I + α Y_uᵀZ)⁻¹ Y_uᵀw). The n × n system is solved in Double.
  ///
  /// - Parameters:
  ///   - gramInverse: G⁻¹, stride × stride, zero outside factors × factors.
  ///   - z: scratch of `count` × stride floats; `w`: scratch of stride floats; `m`: scratch
  ///     of `shortScratch` doubles.
  /// - Complexity: O(count × factors × stride + count² × stride + count³).
  static func solveShortRow(
    x: UnsafeMutablePointer<Float>, gramInverse: UnsafePointer<Float>,
    other: UnsafePointer<Float>, ids: UnsafePointer<Int32>, count n: Int, alpha: Float,
    factors: Int, stride: Int, z: UnsafeMutablePointer<Float>, w: UnsafeMutablePointer<Float>,
    m: UnsafeMutablePointer<Double>
  ) {
    precondition(n >= 1 && n <= maxShortRow)
    w.update(repeating: 0, count: stride)
    for i in 0..<n {
      let zi = z + i &* stride
      matvec(gramInverse, other + Int(ids[i]) &* stride, zi, factors: factors, stride: stride)
      axpy(1, zi, w, stride: stride)
    }
    // M q = t with M = I + α Y_uᵀZ and t = Y_uᵀw, by Gaussian elimination with partial
    // pivoting (M is symmetric positive definite up to rounding).
    let a = Double(alpha)
    for i in 0..<n {
      let yi = other + Int(ids[i]) &* stride
      for j in 0..<n {
        m[i * (n + 1) + j] = (i == j ? 1 : 0) + a * Double(dot(yi, z + j &* stride, stride: stride))
      }
      m[i * (n + 1) + n] = Double(dot(yi, w, stride: stride))
    }
    for col in 0..<n {
      var pivot = col
      for r in (col + 1)..<n where abs(m[r * (n + 1) + col]) > abs(m[pivot * (n + 1) + col]) {
        pivot = r
      }
      if pivot != col {
        for c in 0...n { swap(&m[col * (n + 1) + c], &m[pivot * (n + 1) + c]) }
      }
      let d = m[col * (n + 1) + col]
      for r in (col + 1)..<n {
        let f = m[r * (n + 1) + col] / d
        if f == 0 { continue }
        for c in col...n { m[r * (n + 1) + c] -= f * m[col * (n + 1) + c] }
      }
    }
    let q = m + n * (n + 1)
    for r in (0..<n).reversed() {
      var v = m[r * (n + 1) + n]
      for c in (r + 1)..<n { v -= m[r * (n + 1) + c] * q[c] }
      q[r] = v / m[r * (n + 1) + r]
    }
    for i in 0..<n { axpy(-alpha * Float(q[i]), z + i &* stride, w, stride: stride) }
    let c = SIMD8<Float>(repeating: 1 + alpha)
    var o = 0
    while o < stride {
      store(c * load(w + o), x + o)
      o &+= 8
    }
  }

  /// The plain twin of `solveRow`: the same algorithm in scalar loops over the `factors`
  /// real components (sequential Float sums), on arrays. Returns the new x.
  static func solveRowPlain(
    x start: [Float], gram: [Float], other: [Float], ids: [Int32], alpha: Float, factors: Int,
    stride: Int, steps: Int
  ) -> [Float] {
    let f = factors
    var x = Array(start.prefix(f))
    func row(_ id: Int32) -> ArraySlice<Float> {
      other[(Int(id) * stride)..<(Int(id) * stride + f)]
    }
    func dot(_ a: some Collection<Float>, _ b: some Collection<Float>) -> Float {
      var s: Float = 0
      for (u, v) in zip(a, b) { s += u * v }
      return s
    }
    func gramTimes(_ v: [Float]) -> [Float] {
      var out = [Float](repeating: 0, count: f)
      for i in 0..<f {
        for j in 0..<f { out[j] += v[i] * gram[i * stride + j] }
      }
      return out
    }
    let c = 1 + alpha
    var r = [Float](repeating: 0, count: f)
    for id in ids {
      let y = row(id)
      let s = c - alpha * dot(y, x)
      for (j, v) in y.enumerated() { r[j] += s * v }
    }
    let ax = gramTimes(x)
    for j in 0..<f { r[j] -= ax[j] }
    var p = r
    var rsOld = dot(r, r)
    if rsOld < 1e-20 { return x + [Float](repeating: 0, count: stride - f) }
    for _ in 0..<steps {
      var ap = gramTimes(p)
      for id in ids {
        let y = row(id)
        let s = alpha * dot(y, p)
        for (j, v) in y.enumerated() { ap[j] += s * v }
      }
      let pAp = dot(p, ap)
      if !(pAp > 0) { break }
      let step = rsOld / pAp
      for j in 0..<f {
        x[j] += step * p[j]
        r[j] -= step * ap[j]
      }
      let rsNew = dot(r, r)
      if rsNew < 1e-20 { break }
      for j in 0..<f { p[j] = r[j] + (rsNew / rsOld) * p[j] }
      rsOld = rsNew
    }
    return x + [Float](repeating: 0, count: stride - f)
  }
}
