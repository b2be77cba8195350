// Exact update of the co-occurrence model: given the old and new versions of some
// playlists (a collective's rewrites), compute the integer pair-count differences and keep
// them in an overlay beside the shared, untouched base. Because counts are integers and
// rows are merged in neighbour order, the updated model scores exactly like a model
// retrained from scratch on the new data — bit for bit — at a fraction of the cost.
import ChorusCore

/// Sparse changes to a `CoOccurrenceCounts`, sorted by (row, neighbour).
public struct CoOccurrenceOverlay: Sendable {
  /// Neighbour ids of the changed pairs, grouped by row, ascending within a row.
  public let neighbors: [Int32]
  /// Count differences aligned with `neighbors` (never 0).
  public let deltas: [Int64]
  /// Per changed row: its range in `neighbors`/`deltas`.
  public let rows: [Int32: Range<Int>]
  /// Per changed row: the change of its total.
  public let totalDelta: [Int32: Int64]
  /// Per track whose playlist frequency changed: the change.
  public let frequencyDelta: [Int32: Int32]

  /// Number of changed pairs.
  public var pairCount: Int { neighbors.count }
}

extension CoOccurrenceModel {
  /// The model after replacing playlist `old[i]` by `new[i]` for every i, as if retrained
  /// from scratch on the new data. `trackCount` may grow (a new target track).
  ///
  /// - Complexity: O(Σ playlist length × window + changes log changes); the base counts are
  ///   shared, not copied.
  public func updated(old: PlaylistStore, new: PlaylistStore, trackCount newTrackCount: Int)
    -> CoOccurrenceModel
  {
    precondition(old.count == new.count, "old and new must pair up")
    precondition(newTrackCount >= trackCount, "the catalogue cannot shrink")
    let fw = config.forwardWeights
    let bw = config.backwardWeights
    let window = config.window
    struct Part: Sendable {
      var keys: [UInt64] = []
      var deltas: [Int64] = []
      var freq: [(Int32, Int32)] = []
    }
    let parts: [Part] = Parallel.mapChunks(count: old.count, chunkSize: 256) { _, range in
      var part = Part()
      var keys: [UInt64] = []
      var weights: [Int64] = []
      var order: [Int] = []
      for i in range {
        keys.removeAll(keepingCapacity: true)
        weights.removeAll(keepingCapacity: true)
        old.withPlaylist(i) {
          emitPairs($0, sign: -1, fw: fw, bw: bw, window: window, keys: &keys, weights: &weights)
        }
        new.withPlaylist(i) {
          emitPairs($0, sign: 1, fw: fw, bw: bw, window: window, keys: &keys, weights: &weights)
        }
        order = Array(0..<keys.count)
        order.sort { keys[$0] < keys[$1] || (keys[$0] == keys[$1] && $0 < $1) }
        var j = 0
        while j < order.count {
          let key = keys[order[j]]
          var sum: Int64 = 0
          while j < order.count && keys[order[j]] == key {
            sum += weights[order[j]]
            j += 1
          }
          if sum != 0 {
            part.keys.append(key)
            part.deltas.append(sum)
          }
        }
        // Membership changes.
        let before = Set(old[i])
        let after = Set(new[i])
        for t in before.subtracting(after).sorted() { part.freq.append((t, -1)) }
        for t in after.subtracting(before).sorted() { part.freq.append((t, 1)) }
      }
      return part
    }
    // Gather this update's changes plus the existing overlay's, then combine equal keys.
    var keys: [UInt64] = []
    var deltas: [Int64] = []
    var freq: [Int32: Int32] = overlay?.frequencyDelta ?? [:]
    if let overlay {
      for (row, range) in overlay.rows {
        for k in range {
          keys.append(
            UInt64(UInt32(bitPattern: row)) << 32 | UInt64(UInt32(bitPattern: overlay.neighbors[k]))
          )
          deltas.append(overlay.deltas[k])
        }
      }
    }
    for p in parts {
      keys.append(contentsOf: p.keys)
      deltas.append(contentsOf: p.deltas)
      for (t, d) in p.freq { freq[t, default: 0] += d }
    }
    freq = freq.filter { $0.value != 0 }
    var order = Array(0..<keys.count)
    order.sort { keys[$0] < keys[$1] || (keys[$0] == keys[$1] && $0 < $1) }
    var neighbors: [Int32] = []
    var combined: [Int64] = []
    var rows: [Int32: Range<Int>] = [:]
    var totalDelta: [Int32: Int64] = [:]
    var j = 0
    var rowStart = 0
    var currentRow: Int32 = -1
    while j < order.count {
      let key = keys[order[j]]
      var sum: Int64 = 0
      while j < order.count && keys[order[j]] == key {
        sum += deltas[order[j]]
        j += 1
      }
      if sum == 0 { continue }
      let row = Int32(bitPattern: UInt32(key >> 32))
      if row != currentRow {
        if currentRow >= 0 { rows[currentRow] = rowStart..<neighbors.count }
        currentRow = row
        rowStart = neighbors.count
      }
      neighbors.append(Int32(bitPattern: UInt32(key & 0xFFFF_FFFF)))
      combined.append(sum)
      totalDelta[row, default: 0] += sum
    }
    if currentRow >= 0 { rows[currentRow] = rowStart..<neighbors.count }
    let overlay = CoOccurrenceOverlay(
      neighbors: neighbors, deltas: combined, rows: rows,
      totalDelta: totalDelta.filter { $0.value != 0 },
      frequencyDelta: freq)
    return CoOccurrenceModel(
      config: config, base: base, overlay: overlay, trackCount: newTrackCount,
      baseFrequency: baseFrequency,
      fallbackOrder: CoOccurrenceModel.fallback(
        baseOrder: baseFallbackOrder, baseFrequency: baseFrequency, delta: freq))
  }

  /// The base model's popularity order (before any overlay).
  var baseFallbackOrder: [Int32] {
    overlay == nil ? fallbackOrder : popularityOrder(baseFrequency)
  }

  /// Popularity order after frequency changes: unchanged tracks keep their base order; changed
  /// ones are merged in by (frequency desc, id asc).
  static func fallback(baseOrder: [Int32], baseFrequency: [Int32], delta: [Int32: Int32]) -> [Int32]
  {
    if delta.isEmpty { return baseOrder }
    func freq(_ t: Int32) -> Int32 {
      (Int(t) < baseFrequency.count ? baseFrequency[Int(t)] : 0) + (delta[t] ?? 0)
    }
    let unchanged = baseOrder.filter { delta[$0] == nil }
    let changed = delta.keys.filter { freq($0) > 0 }.sorted { a, b in
      let fa = freq(a)
      let fb = freq(b)
      return fa > fb || (fa == fb && a < b)
    }
    var out: [Int32] = []
    out.reserveCapacity(unchanged.count + changed.count)
    var i = 0
    var k = 0
    while i < unchanged.count || k < changed.count {
      if k == changed.count {
        out.append(unchanged[i])
        i += 1
      } else if i == unchanged.count {
        out.append(changed[k])
        k += 1
      } else {
        let a = unchanged[i]
        let b = changed[k]
        let fa = freq(a)
        let fb = freq(b)
        if fa > fb || (fa == fb && a < b) {
          out.append(a)
          i += 1
        } else {
          out.append(b)
          k += 1
        }
      }
    }
    return out
  }
}

/// Appends the weighted pairs of one playlist (forward, and backward when weighted).
@inline(__always)
func emitPairs(
  _ p: UnsafeBufferPointer<Int32>, sign: Int64, fw: [UInt32], bw: [UInt32], window: Int,
  keys: inout [UInt64], weights: inout [Int64]
) {
  let n = p.count
  for e in 0..<n {
    let a = UInt64(UInt32(bitPattern: p[e])) << 32
    var d = 1
    while d <= window && e + d < n {
      keys.append(a | UInt64(UInt32(bitPattern: p[e + d])))
      weights.append(sign * Int64(fw[d - 1]))
      d += 1
    }
    d = 1
    while d <= window && e - d >= 0 {
      let w = bw[d - 1]
      if w > 0 {
        keys.append(a | UInt64(UInt32(bitPattern: p[e - d])))
        weights.append(sign * Int64(w))
      }
      d += 1
    }
  }
}
