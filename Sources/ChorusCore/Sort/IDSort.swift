// Sorting non-negative Int32 ids: insertion sort for short lists, LSD radix sort (11-bit
// digits, as many passes as the largest value needs) for long ones. The standard library's
// sort is a stable merge sort with a comparison closure; for the id lists of model training
// (up to hundreds of thousands of ids per row, millions of rows) this is several times faster.

/// In-place ascending sort of non-negative Int32 values.
public enum IDSort {
  /// Below this length insertion sort wins over the radix passes' fixed cost.
  static let insertionLimit = 96

  /// Sorts `values` ascending; `scratch` is reused between calls (grown as needed).
  /// - Precondition: every value is ≥ 0.
  public static func sort(_ values: inout [Int32], scratch: inout [Int32]) {
    let n = values.count
    if n < 2 { return }
    if n <= insertionLimit {
      values.withUnsafeMutableBufferPointer { insertionSort($0) }
      return
    }
    if scratch.count < n { scratch = [Int32](repeating: 0, count: n) }
    values.withUnsafeMutableBufferPointer { v in
      scratch.withUnsafeMutableBufferPointer { s in
        radixSort(v, scratch: s)
      }
    }
  }

  @inline(__always)
  static func insertionSort(_ v: UnsafeMutableBufferPointer<Int32>) {
    for i in 1..<v.count {
      let x = v[i]
      var j = i - 1
      while j >= 0 && v[j] > x {
        v[j + 1] = v[j]
        j -= 1
      }
      v[j + 1] = x
    }
  }

  static func radixSort(
    _ values: UnsafeMutableBufferPointer<Int32>, scratch: UnsafeMutableBufferPointer<Int32>
  ) {
    let n = values.count
    var maxValue: Int32 = 0
    for x in values {
      precondition(x >= 0, "IDSort needs non-negative values")
      if x > maxValue { maxValue = x }
    }
    let bits = 32 - maxValue.leadingZeroBitCount
    let digitBits = 11
    let passes = max(1, (bits + digitBits - 1) / digitBits)
    var count = [Int](repeating: 0, count: 1 << digitBits)
    var src = values.baseAddress!
    var dst = scratch.baseAddress!
    let mask = Int32((1 << digitBits) - 1)
    count.withUnsafeMutableBufferPointer { c in
      for pass in 0..<passes {
        let shift = Int32(pass * digitBits)
        for i in 0..<c.count { c[i] = 0 }
        for i in 0..<n { c[Int((src[i] >> shift) & mask)] += 1 }
        var sum = 0
        for i in 0..<c.count {
          let k = c[i]
          c[i] = sum
          sum += k
        }
        for i in 0..<n {
          let x = src[i]
          let d = Int((x >> shift) & mask)
          dst[c[d]] = x
          c[d] += 1
        }
        swap(&src, &dst)
      }
    }
    if src != values.baseAddress! {
      values.baseAddress!.update(from: src, count: n)
    }
  }
}
