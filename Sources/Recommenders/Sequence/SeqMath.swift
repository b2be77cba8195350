// The matrix kernels of the sequence models, behind one small internal API so that faster
// kernels (e.g. AVX2/FMA from the C target) can replace them without touching the models.
// Row-major Float32, leading dimension = column count; plain loops in cache-friendly order
// (the innermost loop runs over contiguous memory, SIMD8 accumulators for dot products).
// Every result depends only on the inputs (fixed summation order): deterministic.

/// Row-major dense kernels: C (+)= A·B, A·Bᵀ, Aᵀ·B.
enum SeqMath {
  /// C[m×n] (+)= A[m×k] · B[k×n].
  @inline(__always)
  static func matmul(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
    m: Int, k: Int, n: Int, accumulate: Bool = false
  ) {
    if !accumulate { c.update(repeating: 0, count: m &* n) }
    // B (the weights) is streamed once; the few rows of C stay in cache. Each C element
    // still sums over p in order.
    for p in 0..<k {
      let bp = b + p &* n
      for i in 0..<m {
        let s = a[i &* k &+ p]
        if s == 0 { continue }
        axpy(s, bp, c + i &* n, n)
      }
    }
  }

  /// C[m×n] (+)= A[m×k] · B[n×k]ᵀ (dot products of rows).
  @inline(__always)
  static func matmulBT(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
    m: Int, k: Int, n: Int, accumulate: Bool = false
  ) {
    // B (the weights) is streamed once, each row against all (few, cached) rows of A.
    for j in 0..<n {
      let bj = b + j &* k
      for i in 0..<m {
        let d = dot(a + i &* k, bj, k)
        if accumulate { c[i &* n &+ j] += d } else { c[i &* n &+ j] = d }
      }
    }
  }

  /// C[m×n] (+)= A[k×m]ᵀ · B[k×n] (weight gradients: Σ over rows of outer products).
  @inline(__always)
  static func matmulAT(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
    m: Int, k: Int, n: Int, accumulate: Bool = false
  ) {
    if !accumulate { c.update(repeating: 0, count: m &* n) }
    // Row i of C stays in cache while all k rows add into it: C is read and written once.
    for i in 0..<m {
      let ci = c + i &* n
      for p in 0..<k {
        let s = a[p &* m &+ i]
        if s == 0 { continue }
        axpy(s, b + p &* n, ci, n)
      }
    }
  }

  /// y[0..<n] += s · x[0..<n].
  @inline(__always)
  static func axpy(
    _ s: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int
  ) {
    var j = 0
    let sv = SIMD8<Float>(repeating: s)
    while j &+ 8 <= n {
      let xv = UnsafeRawPointer(x + j).loadUnaligned(as: SIMD8<Float>.self)
      let yv = UnsafeRawPointer(y + j).loadUnaligned(as: SIMD8<Float>.self)
      UnsafeMutableRawPointer(y + j).storeBytes(of: yv + sv * xv, as: SIMD8<Float>.self)
      j &+= 8
    }
    while j < n {
      y[j] += s * x[j]
      j &+= 1
    }
  }

  /// Σ x[i]·y[i] with 8 lane accumulators (summed in lane order), then the tail.
  @inline(__always)
  static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = SIMD8<Float>()
    var j = 0
    while j &+ 8 <= n {
      let xv = UnsafeRawPointer(x + j).loadUnaligned(as: SIMD8<Float>.self)
      let yv = UnsafeRawPointer(y + j).loadUnaligned(as: SIMD8<Float>.self)
      acc += xv * yv
      j &+= 8
    }
    var s: Float = 0
    for l in 0..<8 { s += acc[l] }
    while j < n {
      s += x[j] * y[j]
      j &+= 1
    }
    return s
  }

  /// log(1 + eˣ) without overflow.
  @inline(__always)
  static func softplus(_ x: Float) -> Float {
    x > 0 ? x + log1pf(expf(-x)) : log1pf(expf(x))
  }

  /// 1 / (1 + e⁻ˣ).
  @inline(__always)
  static func sigmoid(_ x: Float) -> Float {
    x >= 0 ? 1 / (1 + expf(-x)) : expf(x) / (1 + expf(x))
  }
}

#if canImport(Glibc)
  import Glibc
#else
  import Foundation
#endif
