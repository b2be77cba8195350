// The vector kernels against their twins: the portable matrix multiply equals the plain
// triple loop bit for bit, every vector level equals a plain fused multiply-add loop bit for
// bit (so AVX2 and AVX-512 agree exactly), vector and portable differ by at most FMA's
// rounding bound, thread counts never change a bit, and the level names parse.
import ChorusCSupport
import ChorusCore
import Foundation
import Testing

@testable import Recommenders

/// Row-major random floats in [-1, 1) with many significant bits (so FMA changes roundings).
func randomMatrix(_ rows: Int, _ cols: Int, seed: UInt64) -> [Float] {
  var rng = RandomStream(seed: seed)
  return (0..<(rows * cols)).map { _ in Float(rng.nextInt(below: 1 << 24)) / Float(1 << 23) - 1 }
}

/// The plain twins: C[i][j] = Σ_p A[i][p]·B(p, j) in order, products rounded (fused: not).
func naiveProduct(
  _ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, transposedB: Bool, fused: Bool
) -> [Float] {
  var c = [Float](repeating: 0, count: m * n)
  for i in 0..<m {
    for j in 0..<n {
      var s: Float = 0
      for p in 0..<k {
        let x = a[i * k + p]
        let y = transposedB ? b[j * k + p] : b[p * n + j]
        if fused { s = s.addingProduct(x, y) } else { s += x * y }
      }
      c[i * n + j] = s
    }
  }
  return c
}

@Suite struct KernelTests {
  /// Shapes with every tile remainder: rows around the 6- and 12-row tiles, columns around the
  /// 16- and 32-wide panels, inner sizes from 1 to a feed-forward width.
  static let shapes: [(m: Int, n: Int, k: Int)] = [
    (1, 1, 1), (5, 7, 3), (13, 33, 64), (24, 64, 256), (37, 256, 64), (12, 31, 17),
  ]

  @Test(arguments: [false, true])
  func portableEqualsPlainLoop(transposedB: Bool) {
    for (i, s) in Self.shapes.enumerated() {
      let a = randomMatrix(s.m, s.k, seed: UInt64(i))
      let b = randomMatrix(transposedB ? s.n : s.k, transposedB ? s.k : s.n, seed: UInt64(i + 50))
      let c = MatrixKernels.multiply(
        a, b, m: s.m, n: s.n, k: s.k, transposedB: transposedB, level: .portable)
      let plain = naiveProduct(
        a, b, m: s.m, n: s.n, k: s.k, transposedB: transposedB, fused: false)
      #expect(c.map(\.bitPattern) == plain.map(\.bitPattern), "shape \(s)")
    }
  }

  @Test(arguments: [false, true])
  func vectorLevelsEqualFusedLoopAndStayNearPortable(transposedB: Bool) {
    let levels = KernelLevel.allCases.filter { $0.isFused && $0 <= KernelLevel.supported }
    for (i, s) in Self.shapes.enumerated() {
      let a = randomMatrix(s.m, s.k, seed: UInt64(i))
      let b = randomMatrix(transposedB ? s.n : s.k, transposedB ? s.k : s.n, seed: UInt64(i + 50))
      let fused = naiveProduct(a, b, m: s.m, n: s.n, k: s.k, transposedB: transposedB, fused: true)
      let portable = MatrixKernels.multiply(
        a, b, m: s.m, n: s.n, k: s.k, transposedB: transposedB, level: .portable)
      for level in levels {
        let c = MatrixKernels.multiply(
          a, b, m: s.m, n: s.n, k: s.k, transposedB: transposedB, level: level)
        #expect(c.map(\.bitPattern) == fused.map(\.bitPattern), "\(level), shape \(s)")
      }
      // Both sums are within k·ε·Σ|a·b| of the exact value, so within twice that of each
      // other (ε = 2⁻²⁴); entries here are in [-1, 1), so Σ|a·b| ≤ k.
      let bound = 2 * Float(s.k) * Float(s.k) * Float.ulpOfOne / 2
      for (x, y) in zip(fused, portable) { #expect(abs(x - y) <= bound, "shape \(s)") }
    }
  }

  /// A stored transposed (k × m) and accumulation into C (the weight-gradient form dW += dyᵀ·x)
  /// at every level: the same bits as transposing A into a copy, multiplying into scratch at
  /// that level's plain twin, and adding the scratch to C element by element.
  @Test(arguments: [false, true])
  func transposedAAndAccumulateEqualCopyThenAdd(transposedB: Bool) {
    for level in KernelLevel.allCases where level <= KernelLevel.supported {
      for (i, s) in Self.shapes.enumerated() {
        let at = randomMatrix(s.k, s.m, seed: UInt64(i + 100))  // A stored k × m
        var a = [Float](repeating: 0, count: s.m * s.k)
        for p in 0..<s.k { for r in 0..<s.m { a[r * s.k + p] = at[p * s.m + r] } }
        let b = randomMatrix(
          transposedB ? s.n : s.k, transposedB ? s.k : s.n, seed: UInt64(i + 150))
        let c0 = randomMatrix(s.m, s.n, seed: UInt64(i + 200))
        let product = naiveProduct(
          a, b, m: s.m, n: s.n, k: s.k, transposedB: transposedB, fused: level.isFused)
        for accumulate in [false, true] {
          var c = c0
          at.withUnsafeBufferPointer { ab in
            b.withUnsafeBufferPointer { bb in
              c.withUnsafeMutableBufferPointer { cb in
                MatrixKernels.multiply(
                  ab.baseAddress!, bb.baseAddress!, into: cb.baseAddress!, m: s.m, n: s.n,
                  k: s.k, transposedA: true, transposedB: transposedB, accumulate: accumulate,
                  level: level)
              }
            }
          }
          let expected = accumulate ? zip(c0, product).map { $0 + $1 } : product
          #expect(
            c.map(\.bitPattern) == expected.map(\.bitPattern),
            "\(level), shape \(s), accumulate \(accumulate)")
        }
        // Accumulating without transposing A: C + A·B(ᵀ).
        var c = c0
        a.withUnsafeBufferPointer { ab in
          b.withUnsafeBufferPointer { bb in
            c.withUnsafeMutableBufferPointer { cb in
              MatrixKernels.multiply(
                ab.baseAddress!, bb.baseAddress!, into: cb.baseAddress!, m: s.m, n: s.n, k: s.k,
                transposedB: transposedB, accumulate: true, level: level)
            }
          }
        }
        #expect(
          c.map(\.bitPattern) == zip(c0, product).map { $0 + $1 }.map(\.bitPattern),
          "\(level), shape \(s), A as stored")
      }
    }
  }

  @Test func parallelRowsGiveTheSameBitsOnAnyThreadCount() {
    let (m, n, k) = (200, 256, 64)
    let a = randomMatrix(m, k, seed: 7)
    let b = randomMatrix(n, k, seed: 8)
    for level in KernelLevel.allCases where level <= KernelLevel.supported {
      let one = MatrixKernels.multiply(a, b, m: m, n: n, k: k, transposedB: true, level: level)
      for threads in [1, 2, 3] {
        var c = [Float](repeating: .nan, count: m * n)
        ParallelConfig.withThreads(threads) {
          a.withUnsafeBufferPointer { ab in
            b.withUnsafeBufferPointer { bb in
              c.withUnsafeMutableBufferPointer { cb in
                MatrixKernels.multiplyParallel(
                  ab.baseAddress!, bb.baseAddress!, into: cb.baseAddress!, m: m, n: n, k: k,
                  transposedB: true, level: level, rowsPerChunk: 17)
              }
            }
          }
        }
        #expect(c.map(\.bitPattern) == one.map(\.bitPattern), "\(level), \(threads) threads")
      }
    }
  }

  @Test func levelNamesParseAndUnknownNamesAreConfigErrors() throws {
    #expect(try KernelLevel.parse("portable") == .portable)
    #expect(try KernelLevel.parse("avx2") == .avx2)
    #expect(try KernelLevel.parse("avx512") == .avx512)
    #expect(try KernelLevel.parse("auto") == nil)
    #expect(throws: ChorusError.self) { try KernelLevel.parse("sse9") }
    do {
      _ = try KernelLevel.parse("sse9")
    } catch let e as ChorusError {
      #expect(e.kind == .config && e.field == "CHORUS_KERNELS" && e.hint != nil)
    }
  }

  @Test func withLevelScopesALevelClampedToTheCPU() {
    KernelLevel.withLevel(.portable) { #expect(KernelLevel.current == .portable) }
    KernelLevel.withLevel(.avx512) { #expect(KernelLevel.current == KernelLevel.supported) }
    #if !arch(x86_64)
      #expect(KernelLevel.supported == .portable)
    #endif
  }

  @Test func environmentVariableNamesALevelAndATypoIsReported() throws {
    // The process level is fixed at its first use: settle it before touching the variable, so
    // concurrently running tests keep theirs.
    let before = KernelLevel.current
    let saved = ProcessInfo.processInfo.environment["CHORUS_KERNELS"]
    defer {
      if let saved { setenv("CHORUS_KERNELS", saved, 1) } else { unsetenv("CHORUS_KERNELS") }
    }
    setenv("CHORUS_KERNELS", "portable", 1)
    #expect(chorus_kernels_environment_level() == Int32(KernelLevel.portable.rawValue))
    try KernelLevel.validateEnvironment()
    setenv("CHORUS_KERNELS", "avx512", 1)
    #expect(chorus_kernels_environment_level() == Int32(KernelLevel.avx512.rawValue))
    setenv("CHORUS_KERNELS", "auto", 1)
    #expect(chorus_kernels_environment_level() == -1)
    setenv("CHORUS_KERNELS", "fast", 1)
    #expect(chorus_kernels_environment_level() == -2)
    #expect(throws: ChorusError.self) { try KernelLevel.validateEnvironment() }
    #expect(KernelLevel.current == before)
  }
}
