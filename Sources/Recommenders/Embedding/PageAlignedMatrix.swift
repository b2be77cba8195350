// Memory in 2 MB-aligned blocks that Linux is asked to back with huge pages. SGNS training
// reads rows of two large matrices, the alias table and the subsampling thresholds at
// random; with 4 KB pages nearly every such read is also a TLB miss (a page walk that
// misses the cache too). Used only while training; the model keeps plain arrays.
// Elsewhere (no Glibc) it is ordinary aligned memory.
#if canImport(Glibc)
  import Glibc
#else
  import Foundation
#endif

/// `count` values of a trivial type in 2 MB-aligned memory (huge pages advised on Linux),
/// freed on release.
final class PageAlignedBuffer<Element: BitwiseCopyable>: @unchecked Sendable {
  let count: Int
  let base: UnsafeMutablePointer<Element>

  /// Allocates `count` copies of `value`.
  init(count: Int, repeating value: Element) {
    self.count = count
    let bytes = max(1, count) * MemoryLayout<Element>.stride
    let alignment = 1 << 21
    let size = (bytes + alignment - 1) & ~(alignment - 1)
    var raw: UnsafeMutableRawPointer?
    let status = posix_memalign(&raw, alignment, size)
    precondition(status == 0 && raw != nil, "out of memory allocating \(size) bytes")
    #if canImport(Glibc)
      _ = madvise(raw, size, 14)  // MADV_HUGEPAGE; advisory, failure is harmless
    #endif
    base = raw!.bindMemory(to: Element.self, capacity: max(1, count))
    base.initialize(repeating: value, count: max(1, count))
  }

  /// A copy of `values`.
  convenience init(_ values: [Element], padding: Element) {
    self.init(count: values.count, repeating: padding)
    values.withUnsafeBufferPointer { base.update(from: $0.baseAddress!, count: values.count) }
  }

  deinit { free(base) }
}

/// Row-major rows × stride Float32, zero-initialised, in huge-page memory.
final class PageAlignedMatrix: @unchecked Sendable {
  let rows: Int
  let stride: Int
  private let storage: PageAlignedBuffer<Float>
  var base: UnsafeMutablePointer<Float> { storage.base }

  /// Allocates rows × stride zeros.
  init(rows: Int, stride: Int) {
    self.rows = rows
    self.stride = stride
    storage = PageAlignedBuffer(count: rows * stride, repeating: 0)
  }

  /// A copy as a plain array.
  func array() -> [Float] { Array(UnsafeBufferPointer(start: base, count: rows * stride)) }

  /// Copies `values` (rows × stride) in.
  func copy(from values: [Float]) {
    precondition(values.count == rows * stride)
    values.withUnsafeBufferPointer { base.update(from: $0.baseAddress!, count: values.count) }
  }
}
