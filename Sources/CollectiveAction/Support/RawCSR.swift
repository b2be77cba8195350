// Raw-pointer view of a PlaylistStore for the module's kernels (counting, copying): the two
// CSR arrays as base pointers, obtained once per batch through `withCSR`, so hot loops do
// no bounds checks or retain/release. Module-internal; the safe API stays on PlaylistStore.
import ChorusCore

/// A CSR store seen through raw pointers: `offsets` (count + 1 entries) and `tracks`.
struct RawCSR {
  let offsets: UnsafePointer<Int>
  /// Valid only when the store has entries.
  let tracks: UnsafePointer<Int32>
}

extension PlaylistStore {
  /// Calls `body` with raw views of the CSR arrays (valid only inside `body`).
  func withCSR<R>(_ body: (RawCSR) throws -> R) rethrows -> R {
    try offsets.withUnsafeBufferPointer { o in
      try tracks.withUnsafeBufferPointer { t in
        // An empty tracks array may have no base address; no row will read from it then.
        let base = t.baseAddress ?? UnsafePointer(bitPattern: MemoryLayout<Int32>.alignment)!
        return try body(RawCSR(offsets: o.baseAddress!, tracks: base))
      }
    }
  }
}
