// Seeded random streams: xoshiro256** generators keyed by (seed, component, chunk).
// Every random decision in Chorus draws from a stream derived this way, so results never
// depend on thread scheduling or core count. Not cryptographic.

/// SplitMix64 step: the standard mixer used to seed and to derive streams.
@inline(__always)
public func splitMix64(_ state: inout UInt64) -> UInt64 {
  state &+= 0x9E37_79B9_7F4A_7C15
  var z = state
  z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
  z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
  return z ^ (z >> 31)
}

/// Hashes a component name to a stable 64-bit key (FNV-1a), independent of Swift's
/// per-process randomised `Hasher`.
public func stableHash(_ text: String) -> UInt64 { stableHash(bytes: text.utf8) }

/// FNV-1a over bytes: a stable 64-bit key for short texts (component names, a spec's
/// canonical JSON). Not for integrity checks of large data: use `ContentHash64`.
public func stableHash(bytes: some Sequence<UInt8>) -> UInt64 {
  var h: UInt64 = 0xCBF2_9CE4_8422_2325
  for b in bytes {
    h ^= UInt64(b)
    h = h &* 0x0000_0100_0000_01B3
  }
  return h
}

/// A xoshiro256** generator (Blackman & Vigna 2018) with helpers for the draws the lab needs.
public struct RandomStream: RandomNumberGenerator, Sendable {
  // Visible to inlining so that hot loops in other modules (the SGNS kernel) draw without
  // a function call.
  @usableFromInline var s0: UInt64
  @usableFromInline var s1: UInt64
  @usableFromInline var s2: UInt64
  @usableFromInline var s3: UInt64

  /// A stream for `seed`, a named `component` (e.g. "split", "generator") and a `chunk` index.
  /// Different triples give independent-looking streams.
  public init(seed: UInt64, component: String = "", chunk: UInt64 = 0) {
    var sm = seed ^ stableHash(component) &* 0x2545_F491_4F6C_DD1D
    _ = splitMix64(&sm)
    sm ^= chunk &* 0xD1B5_4A32_D192_ED03
    s0 = splitMix64(&sm)
    s1 = splitMix64(&sm)
    s2 = splitMix64(&sm)
    s3 = splitMix64(&sm)
    if s0 | s1 | s2 | s3 == 0 { s0 = 1 }
  }

  @inlinable @inline(__always)
  public mutating func next() -> UInt64 {
    let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
    let t = s1 << 17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = (s3 << 45) | (s3 >> 19)
    return result
  }

  /// Uniform in [0, 1) with 53 random bits.
  @inlinable @inline(__always)
  public mutating func nextDouble() -> Double {
    Double(next() >> 11) * 0x1.0p-53
  }

  /// Uniform integer in 0..<bound (Lemire's nearly divisionless method).
  @inlinable @inline(__always)
  public mutating func nextInt(below bound: Int) -> Int {
    precondition(bound > 0, "bound must be positive")
    let b = UInt64(bound)
    var m = next().multipliedFullWidth(by: b)
    if m.low < b {
      let threshold = (0 &- b) % b
      while m.low < threshold { m = next().multipliedFullWidth(by: b) }
    }
    return Int(m.high)
  }

  /// Standard normal draw (Box–Muller, one value per call; simple and deterministic).
  public mutating func nextGaussian() -> Double {
    var u1 = nextDouble()
    if u1 < 1e-300 { u1 = 1e-300 }
    let u2 = nextDouble()
    return (-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2)
  }

  /// Fisher–Yates shuffle of `array` in place.
  public mutating func shuffle<T>(_ array: inout [T]) {
    var i = array.count - 1
    while i > 0 {
      let j = nextInt(below: i + 1)
      array.swapAt(i, j)
      i -= 1
    }
  }
}

#if canImport(Glibc)
  import Glibc
  @inline(__always) func _log(_ x: Double) -> Double { Glibc.log(x) }
  @inline(__always) func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#else
  import Foundation
  @inline(__always) func _log(_ x: Double) -> Double { Foundation.log(x) }
  @inline(__always) func _cos(_ x: Double) -> Double { Foundation.cos(x) }
#endif
