// A training chunk's private overlay: copies of every input and output row the chunk
// touches, found through a small open-addressing table, so the chunk trains sequentially
// against frozen shared matrices. When it is done, the chunk turns its copies into deltas
// (copy − shared row: the shared matrices are still as they were when it copied them);
// afterwards the round adds each chunk's deltas to the shared matrices, chunk after chunk
// (deterministic); within a chunk the rows are distinct, so that merge runs in parallel.
// Nothing here is shared between threads while a chunk trains. (A second copy of each row,
// kept as its original until the merge, was extra memory traffic; dropping it made one mpd
// epoch about 5% faster with byte-identical vectors.)

/// One chunk's overlay and, after `makeDeltas`, its deltas. Reused round after round.
final class SGNSChunkState: @unchecked Sendable {
  let stride: Int
  /// Row copies, rowCapacity × stride floats, in first-touch order; deltas after
  /// `makeDeltas`.
  fileprivate(set) var rows: UnsafeMutablePointer<Float>
  /// Per copied row: its key, row << 1 | 1 for output rows, | 0 for input rows (input rows
  /// include the popularity-bucket rows after the tracks).
  fileprivate(set) var keys: UnsafeMutablePointer<UInt32>
  fileprivate(set) var rowCapacity: Int
  var rowCount = 0
  /// Open-addressing table (capacity 2 × rowCapacity, a power of two) of
  /// `key << 32 | row index` entries; `emptyEntry` marks a free slot.
  fileprivate(set) var table: UnsafeMutablePointer<UInt64>
  fileprivate(set) var tableBits: Int
  /// Scratch for one subsampled playlist, the gradient row, and the combined input row
  /// h = (u + b) / 2 of `popularityFeature`.
  let kept: UnsafeMutablePointer<Int32>
  let gradient: UnsafeMutablePointer<Float>
  let combined: UnsafeMutablePointer<Float>
  /// Scratch for the targets of one position: (most pairs + 1) × (negatives + 1).
  let targets: UnsafeMutablePointer<Int32>
  /// Scratch for the targets' output-row pointers (same count).
  let targetRows: UnsafeMutablePointer<UnsafeMutablePointer<Float>>
  /// Scratch for the random values of the negatives drawn ahead: negatives + 1.
  let ahead: UnsafeMutablePointer<UInt64>
  /// Scratch for the chunk's pool of negatives and their rows (`negativePool` each).
  let pool: UnsafeMutablePointer<Int32>
  let poolRows: UnsafeMutablePointer<UnsafeMutablePointer<Float>>

  static let emptyEntry = UInt64.max

  init(
    stride: Int, maxPlaylistLength: Int, targets targetCount: Int, ahead aheadCount: Int,
    pool poolCount: Int = 0
  ) {
    self.stride = stride
    rowCapacity = 4096
    rows = .allocate(capacity: rowCapacity * stride)
    keys = .allocate(capacity: rowCapacity)
    tableBits = 13
    table = .allocate(capacity: 1 << tableBits)
    table.initialize(repeating: SGNSChunkState.emptyEntry, count: 1 << tableBits)
    kept = .allocate(capacity: max(1, maxPlaylistLength))
    gradient = .allocate(capacity: stride)
    combined = .allocate(capacity: stride)
    targets = .allocate(capacity: targetCount)
    targetRows = .allocate(capacity: targetCount)
    ahead = .allocate(capacity: aheadCount)
    pool = .allocate(capacity: max(1, poolCount))
    poolRows = .allocate(capacity: max(1, poolCount))
  }

  deinit {
    rows.deallocate()
    keys.deallocate()
    table.deallocate()
    kept.deallocate()
    gradient.deallocate()
    combined.deallocate()
    targets.deallocate()
    targetRows.deallocate()
    ahead.deallocate()
    pool.deallocate()
    poolRows.deallocate()
  }

  /// Empties the overlay for the next chunk.
  func reset() {
    rowCount = 0
    table.update(repeating: SGNSChunkState.emptyEntry, count: 1 << tableBits)
  }

  /// Doubles the row storage and the table until `needed` rows fit.
  fileprivate func grow(toFit needed: Int) {
    var capacity = rowCapacity
    while capacity < needed { capacity *= 2 }
    let newRows = UnsafeMutablePointer<Float>.allocate(capacity: capacity * stride)
    newRows.update(from: rows, count: rowCount * stride)
    rows.deallocate()
    rows = newRows
    let newKeys = UnsafeMutablePointer<UInt32>.allocate(capacity: capacity)
    newKeys.update(from: keys, count: rowCount)
    keys.deallocate()
    keys = newKeys
    rowCapacity = capacity
    // Rehash into a table of twice the row capacity.
    var bits = tableBits
    while (1 << bits) < 2 * capacity { bits += 1 }
    table.deallocate()
    tableBits = bits
    table = .allocate(capacity: 1 << bits)
    table.initialize(repeating: SGNSChunkState.emptyEntry, count: 1 << bits)
    let mask = (1 << bits) - 1
    for i in 0..<rowCount {
      var h = SGNSChunkState.hash(keys[i], bits: bits)
      while table[h] != SGNSChunkState.emptyEntry { h = (h &+ 1) & mask }
      table[h] = UInt64(keys[i]) << 32 | UInt64(i)
    }
  }

  /// The shared row a key names: output row key >> 1 when key & 1 is set, else input row.
  @inline(__always)
  static func sharedRow(
    _ key: UInt32, input: UnsafePointer<Float>, output: UnsafePointer<Float>, stride: Int
  ) -> UnsafePointer<Float> {
    (key & 1 == 0 ? input : output) + Int(key >> 1) &* stride
  }

  @inline(__always)
  static func hash(_ key: UInt32, bits: Int) -> Int {
    Int((key &* 0x9E37_79B1) >> UInt32(32 - bits))
  }

  /// Turns every row copy into its delta, copy − shared row. Call after the chunk has
  /// trained and before any merge of the round (the shared rows must be the ones copied).
  /// - Complexity: O(rowCount × stride).
  func makeDeltas(input: UnsafePointer<Float>, output: UnsafePointer<Float>) {
    forEachRow(0..<rowCount, input: input, output: output) { row, shared, blocks in
      SGNSKernel.subtract(shared, from: row, blocks: blocks)
    }
  }

  /// Adds the deltas of rows `range` (indices in first-touch order) to the shared
  /// matrices. A chunk's rows are distinct, so disjoint ranges may merge in parallel.
  /// - Complexity: O(range × stride).
  func merge(
    _ range: Range<Int>, input: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>
  ) {
    forEachRow(range, input: input, output: output) { row, shared, blocks in
      SGNSKernel.add(row, into: shared, blocks: blocks)
    }
  }

  /// Calls `body(overlay row, shared row, blocks)` for the rows `range`, prefetching the
  /// shared rows a batch ahead so that their cache misses overlap.
  @inline(__always)
  private func forEachRow(
    _ range: Range<Int>, input: UnsafePointer<Float>, output: UnsafePointer<Float>,
    _ body: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void
  ) {
    let stride = self.stride
    let blocks = stride >> 3
    let rows = self.rows
    let keys = self.keys
    @inline(__always) func shared(_ i: Int) -> UnsafeMutablePointer<Float> {
      UnsafeMutablePointer(
        mutating: SGNSChunkState.sharedRow(keys[i], input: input, output: output, stride: stride))
    }
    var j = range.lowerBound
    while j < range.upperBound {
      let batchEnd = min(range.upperBound, j &+ 16)
      for i in j..<batchEnd { SGNSKernel.prefetch(shared(i), count: stride) }
      for i in j..<batchEnd { body(rows + i &* stride, shared(i), blocks) }
      j = batchEnd
    }
  }
}

/// One chunk's deferred negative updates (`deferredNegatives`): output[tracks[i]] +=
/// scales[i] · center owners[i], applied by `apply` at the round's merge. Reused round after
/// round.
final class SGNSDeferredLog: @unchecked Sendable {
  let stride: Int
  fileprivate(set) var tracks: UnsafeMutablePointer<Int32>
  fileprivate(set) var scales: UnsafeMutablePointer<Float>
  fileprivate(set) var owners: UnsafeMutablePointer<Int32>
  fileprivate(set) var capacity: Int
  var count = 0
  /// The centers the updates add, `stride` floats each, one per pair with a deferred update.
  fileprivate(set) var centers: UnsafeMutablePointer<Float>
  fileprivate(set) var centerCapacity: Int
  var centerCount = 0

  /// Room for `updates` updates and `centers` centers to start with (both grow).
  init(stride: Int, updates: Int = 0, centers centerRoom: Int = 0) {
    self.stride = stride
    capacity = max(updates, 256)
    tracks = .allocate(capacity: capacity)
    scales = .allocate(capacity: capacity)
    owners = .allocate(capacity: capacity)
    centerCapacity = max(centerRoom, 64)
    centers = .allocate(capacity: centerCapacity * stride)
  }

  deinit {
    tracks.deallocate()
    scales.deallocate()
    owners.deallocate()
    centers.deallocate()
  }

  /// Empties the log for the next chunk.
  func reset() {
    count = 0
    centerCount = 0
  }

  /// Doubles the update arrays (keeping the first `count`).
  func growUpdates() {
    let newCapacity = capacity * 2
    func grown<T>(_ old: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<T> {
      let new = UnsafeMutablePointer<T>.allocate(capacity: newCapacity)
      new.moveInitialize(from: old, count: count)
      old.deallocate()
      return new
    }
    tracks = grown(tracks)
    scales = grown(scales)
    owners = grown(owners)
    capacity = newCapacity
  }

  /// Doubles the center storage (keeping the first `centerCount`).
  func growCenters() {
    let newCapacity = centerCapacity * 2
    let new = UnsafeMutablePointer<Float>.allocate(capacity: newCapacity * stride)
    new.moveInitialize(from: centers, count: centerCount * stride)
    centers.deallocate()
    centers = new
    centerCapacity = newCapacity
  }

  /// Adds, in the order recorded, every update whose track `part` owns (track mod `parts`
  /// == part; `parts` a power of two) to the shared output matrix: each row sees its
  /// updates in the same order whatever `parts` is, so the merge may split over any number
  /// of threads.
  /// - Complexity: O(count + owned updates × stride).
  func apply(part: Int, of parts: Int, output: UnsafeMutablePointer<Float>) {
    precondition(parts > 0 && parts & (parts - 1) == 0, "parts must be a power of two")
    let mask = Int32(truncatingIfNeeded: parts - 1)
    let owned = Int32(truncatingIfNeeded: part)
    let blocks = stride >> 3
    let stride = self.stride
    @inline(__always) func row(_ i: Int) -> UnsafeMutablePointer<Float> {
      output + Int(tracks[i]) &* stride
    }
    // Rows a few updates ahead start loading while the current one is added.
    let lookahead = 16
    var mine: [Int32] = []
    mine.reserveCapacity(parts == 1 ? count : count / parts + 64)
    for i in 0..<count where tracks[i] & mask == owned {
      mine.append(Int32(truncatingIfNeeded: i))
    }
    for j in 0..<mine.count {
      if j &+ lookahead < mine.count {
        RowPrefetch.linesForWriting(row(Int(mine[j &+ lookahead])), count: stride)
      }
      let i = Int(mine[j])
      SGNSKernel.addScaled(
        centers + Int(owners[i]) &* stride, g: scales[i], into: row(i), blocks: blocks)
    }
  }
}

/// `SGNSRows` over a chunk's overlay: the first use of a row copies it from the frozen
/// shared matrices. Caches the overlay's pointers in locals; `close()` hands the count back.
struct OverlayRows: SGNSRows {
  private unowned(unsafe) let state: SGNSChunkState
  private let inputBase: UnsafePointer<Float>
  private let outputBase: UnsafePointer<Float>
  private let stride: Int
  private var rows: UnsafeMutablePointer<Float>
  private var keys: UnsafeMutablePointer<UInt32>
  private var table: UnsafeMutablePointer<UInt64>
  private var bits: Int
  private var mask: Int
  private var count: Int
  /// Slots from here to `count` are prepared but not yet copied in.
  private var pendingFrom: Int
  private var capacity: Int

  init(state: SGNSChunkState, input: UnsafePointer<Float>, output: UnsafePointer<Float>) {
    self.state = state
    inputBase = input
    outputBase = output
    stride = state.stride
    rows = state.rows
    keys = state.keys
    table = state.table
    bits = state.tableBits
    mask = (1 << state.tableBits) - 1
    count = state.rowCount
    pendingFrom = count
    capacity = state.rowCapacity
  }

  /// Writes the row count back into the state.
  func close() { state.rowCount = count }

  var sharedOutput: UnsafePointer<Float> { outputBase }

  @inline(__always) @discardableResult
  mutating func reserve(_ extra: Int) -> Bool {
    if count &+ extra <= capacity { return false }
    state.rowCount = count
    state.grow(toFit: count + extra)
    rows = state.rows
    keys = state.keys
    table = state.table
    bits = state.tableBits
    mask = (1 << bits) - 1
    capacity = state.rowCapacity
    return true
  }

  /// The overlay row for `key`: found, or a new slot whose shared row starts loading now
  /// and is copied in by `completePrepared` (slots are handed out in order, so the rows
  /// still to copy are those from `pendingFrom` on).
  @inline(__always)
  private mutating func prepare(key: UInt32, source: UnsafePointer<Float>)
    -> UnsafeMutablePointer<Float>
  {
    var h = SGNSChunkState.hash(key, bits: bits)
    while true {
      let e = table[h]
      if e == SGNSChunkState.emptyEntry { break }
      if UInt32(truncatingIfNeeded: e >> 32) == key {
        return rows + Int(truncatingIfNeeded: UInt32(truncatingIfNeeded: e)) &* stride
      }
      h = (h &+ 1) & mask
    }
    let i = count
    count &+= 1
    table[h] = UInt64(key) << 32 | UInt64(i)
    keys[i] = key
    SGNSKernel.prefetch(source, count: stride)
    return rows + i &* stride
  }

  @inline(__always)
  mutating func prepareInput(_ t: Int32) -> UnsafeMutablePointer<Float> {
    prepare(key: UInt32(bitPattern: t) << 1, source: inputBase + Int(t) &* stride)
  }

  @inline(__always)
  mutating func prepareOutput(_ t: Int32) -> UnsafeMutablePointer<Float> {
    prepare(key: UInt32(bitPattern: t) << 1 | 1, source: outputBase + Int(t) &* stride)
  }

  /// Copies the shared rows of the slots prepared since the last call into the overlay.
  @inline(__always)
  mutating func completePrepared() {
    var i = pendingFrom
    while i < count {
      let source = SGNSChunkState.sharedRow(
        keys[i], input: inputBase, output: outputBase, stride: stride)
      (rows + i &* stride).update(from: source, count: stride)
      i &+= 1
    }
    pendingFrom = count
  }
}
