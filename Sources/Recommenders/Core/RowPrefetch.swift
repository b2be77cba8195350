// Software prefetch of whole rows of Float vectors, shared by the training kernels (SGNS,
// ALS): issued for many rows in a burst, the cache misses overlap each other and the
// arithmetic instead of arriving one by one inside an update loop.
import ChorusCSupport

/// Prefetches rows without waiting for them.
enum RowPrefetch {
  /// Prefetches every 64-byte line (16 floats) of the `count` floats at `row`.
  @inline(__always)
  static func lines(_ row: UnsafePointer<Float>, count: Int) {
    var i = 0
    while i < count {
      chorus_prefetch(row + i)
      i &+= 16
    }
  }

  /// Same for a row about to be updated (`chorus_prefetch_write`).
  @inline(__always)
  static func linesForWriting(_ row: UnsafePointer<Float>, count: Int) {
    var i = 0
    while i < count {
      chorus_prefetch_write(row + i)
      i &+= 16
    }
  }
}
