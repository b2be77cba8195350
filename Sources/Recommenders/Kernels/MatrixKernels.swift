// Blocked, register-tiled Float32 matrix multiply, C = A·B and C = A·Bᵀ (row-major), for the
// shapes sequence models use (batch × window rows against d × 4d weights). Every element is
// the in-order sum over the inner index at the chosen kernel level: portable equals the plain
// triple loop bit for bit, the vector levels equal a plain fused multiply-add loop bit for
// bit, so tiles, levels of the same kind and thread counts never change a result.
import ChorusCSupport
import ChorusCore

/// Matrix products on the kernel levels of `KernelLevel`.
public enum MatrixKernels {
  /// C (m × n) = A (m × k) · B, where B is k × n, or n × k when `transposedB` (then C = A·Bᵀ).
  /// With `transposedA`, A is stored k × m and the product is Aᵀ·B (no transposed copy).
  /// All row-major and dense; C is overwritten, or with `accumulate` the product is added to
  /// it (each element's finished sum added once: the same bits as multiplying into scratch
  /// and adding). `level` is clamped to what the CPU runs.
  /// - Complexity: O(m × n × k).
  public static func multiply(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into c: UnsafeMutablePointer<Float>,
    m: Int, n: Int, k: Int, transposedA: Bool = false, transposedB: Bool = false,
    accumulate: Bool = false, level: KernelLevel = .current
  ) {
    precondition(m >= 0 && n >= 0 && k >= 0, "matrix sizes must be non-negative")
    chorus_sgemm_ex(
      Int32(level.rawValue), transposedA ? 1 : 0, transposedB ? 1 : 0, accumulate ? 1 : 0, m, n,
      k, a, transposedA ? m : k, b, transposedB ? k : n, c, n)
  }

  /// `multiply` on arrays: returns C (m × n, row-major).
  /// - Complexity: O(m × n × k).
  public static func multiply(
    _ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, transposedB: Bool = false,
    level: KernelLevel = .current
  ) -> [Float] {
    precondition(a.count == m * k, "A must hold m × k floats")
    precondition(b.count == k * n, "B must hold k × n floats")
    var c = [Float](repeating: 0, count: m * n)
    if m == 0 || n == 0 { return c }
    a.withUnsafeBufferPointer { ab in
      b.withUnsafeBufferPointer { bb in
        c.withUnsafeMutableBufferPointer { cb in
          multiply(
            ab.baseAddress!, bb.baseAddress!, into: cb.baseAddress!, m: m, n: n, k: k,
            transposedB: transposedB, level: level)
        }
      }
    }
    return c
  }

  /// `multiply` with A's rows split into fixed chunks run on `Parallel`'s threads: the same
  /// bits as the one-thread call for any thread count.
  /// - Complexity: O(m × n × k) work over the threads.
  public static func multiplyParallel(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into c: UnsafeMutablePointer<Float>,
    m: Int, n: Int, k: Int, transposedB: Bool = false, level: KernelLevel = .current,
    rowsPerChunk: Int = 96
  ) {
    precondition(rowsPerChunk > 0, "rowsPerChunk must be positive")
    let pa = SendablePointer(UnsafeMutablePointer(mutating: a))
    let pb = SendablePointer(UnsafeMutablePointer(mutating: b))
    let pc = SendablePointer(c)
    Parallel.forEachChunk(count: m, chunkSize: rowsPerChunk) { _, rows in
      multiply(
        pa.base + rows.lowerBound * k, pb.base, into: pc.base + rows.lowerBound * n,
        m: rows.count, n: n, k: k, transposedB: transposedB, level: level)
    }
  }
}
