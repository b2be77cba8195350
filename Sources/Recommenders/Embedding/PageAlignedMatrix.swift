// A Float32 matrix in 2 MB-aligned memory that Linux is asked to back with huge pages.
// SGNS training touches rows at random all over two large matrices; with 4 KB pages nearly
// every touch is also a TLB miss. Used only while training; the model keeps plain arrays.
// Elsewhere (no Glibc) it is ordinary aligned memory.
#if canImport(Glibc)
  import Glibc
#else
  import Foundation
#endif

/// Row-major rows × stride Float32, zero-initialised, freed on release.
final class PageAlignedMatrix: @unchecked Sendable {
  let rows: Int
  let stride: Int
  let base: UnsafeMutablePointer<Float>

  /// Allocates rows × stride zeros (2 MB-aligned; huge pages advised on Linux).
  init(rows: Int, stride: Int) {
    self.rows = rows
    self.stride = stride
    let bytes = max(1, rows * stride) * MemoryLayout<Float>.stride
    let alignment = 1 << 21
    let size = (bytes + alignment - 1) & ~(alignment - 1)
    var raw: UnsafeMutableRawPointer?
    let status = posix_memalign(&raw, alignment, size)
    precondition(status == 0 && raw != nil, "out of memory allocating \(size) bytes")
    #if canImport(Glibc)
      _ = madvise(raw, size, 14)  // MADV_HUGEPAGE; advisory, failure is harmless
    #endif
    base = raw!.bindMemory(to: Float.self, capacity: max(1, rows * stride))
    base.initialize(repeating: 0, count: max(1, rows * stride))
  }

  deinit { free(base) }

  /// A copy as a plain array.
  func array() -> [Float] { Array(UnsafeBufferPointer(start: base, count: rows * stride)) }

  /// Copies `values` (rows × stride) in.
  func copy(from values: [Float]) {
    precondition(values.count == rows * stride)
    values.withUnsafeBufferPointer { base.update(from: $0.baseAddress!, count: values.count) }
  }
}
