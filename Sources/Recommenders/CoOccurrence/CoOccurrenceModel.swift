// The sequential co-occurrence model (Experiments/PROTOCOL.md §5): integer-weighted counts of track
// a followed by track b within a forward window, normalised per source track; a context scores
// candidates by a recency-weighted sum over its seed tracks. Training is parallel over source
// tracks in fixed chunks, so the counts never depend on the core count. The exact update
// (collective rewrites) lives in CoOccurrenceModel+Update.swift.
import ChorusCore

/// The trained counts, shared by a clean model and every updated copy. Immutable.
public final class CoOccurrenceCounts: Sendable {
  /// Number of source rows (tracks at training time).
  public let trackCount: Int
  /// `trackCount + 1` offsets into `neighbors`/`counts`.
  public let rowOffsets: [Int]
  /// Per row, the neighbour track ids in ascending order.
  public let neighbors: [Int32]
  /// Integer weighted pair counts, aligned with `neighbors`.
  public let counts: [UInt32]
  /// Per row, the sum of its counts (the normaliser).
  public let rowTotals: [Int64]

  /// count / row total per pair as Float32, aligned with `neighbors` (the scoring weights).
  public let normalized: [Float]

  init(
    trackCount: Int, rowOffsets: [Int], neighbors: [Int32], counts: [UInt32], rowTotals: [Int64],
    normalized: [Float]
  ) {
    self.normalized = normalized
    self.trackCount = trackCount
    self.rowOffsets = rowOffsets
    self.neighbors = neighbors
    self.counts = counts
    self.rowTotals = rowTotals
  }

  /// Number of stored (a, b) pairs.
  public var pairCount: Int { neighbors.count }
}

/// The one formula for a pair's normalised weight (shared by every scoring path).
@inline(__always)
func normalizedWeight(count: Int64, total: Double) -> Float { Float(Double(count) / total) }

/// Sequential co-occurrence recommender with exact updates.
public struct CoOccurrenceModel: Recommender {
  public let config: CoOccurrenceConfig
  public let base: CoOccurrenceCounts
  /// Changes since `base` (nil for a freshly trained model).
  public let overlay: CoOccurrenceOverlay?
  public let trackCount: Int
  /// Per track of `base`: training playlists containing it.
  public let baseFrequency: [Int32]
  public let fallbackOrder: [Int32]

  /// Trains on `playlists` (dense ids below `trackCount`).
  /// - Complexity: O(entries × window) with a dense per-chunk accumulator; memory about
  ///   12 bytes per entry plus 12 bytes per distinct pair.
  public init(
    playlists: PlaylistStore, trackCount: Int, config: CoOccurrenceConfig = CoOccurrenceConfig()
  ) throws {
    try config.validate()
    self.config = config
    self.trackCount = trackCount
    base = CoOccurrenceModel.train(playlists, trackCount: trackCount, config: config)
    overlay = nil
    baseFrequency = trackFrequencies(playlists, trackCount: trackCount)
    fallbackOrder = popularityOrder(baseFrequency)
  }

  init(
    config: CoOccurrenceConfig, base: CoOccurrenceCounts, overlay: CoOccurrenceOverlay?,
    trackCount: Int, baseFrequency: [Int32], fallbackOrder: [Int32]
  ) {
    self.config = config
    self.base = base
    self.overlay = overlay
    self.trackCount = trackCount
    self.baseFrequency = baseFrequency
    self.fallbackOrder = fallbackOrder
  }

  // MARK: - Training

  static func train(_ playlists: PlaylistStore, trackCount: Int, config: CoOccurrenceConfig)
    -> CoOccurrenceCounts
  {
    let fw = config.forwardWeights
    let bw = config.backwardWeights
    let useBackward = bw.contains { $0 > 0 }
    let (occOffsets, occ, limits) = occurrenceIndex(
      playlists, trackCount: trackCount, window: config.window)
    struct Chunk: Sendable {
      var rowLengths: [Int32] = []
      var neighbors: [Int32] = []
      var counts: [UInt32] = []
      var totals: [Int64] = []
    }
    // Chunks of source tracks with about equal work (occurrences), so popular tracks (low
    // ids) do not all land in one chunk; boundaries depend only on the data.
    let bounds = workBalancedBounds(occOffsets, target: max(1 << 16, playlists.entryCount / 96))
    let chunks: [Chunk] = Parallel.mapChunks(count: bounds.count - 1, chunkSize: 1) { c, _ in
      let range = bounds[c]..<bounds[c + 1]
      var chunk = Chunk()
      chunk.rowLengths.reserveCapacity(range.count)
      chunk.totals.reserveCapacity(range.count)
      var acc = [UInt32](repeating: 0, count: trackCount)
      var touched = [Int32](repeating: 0, count: trackCount)
      var sorted: [Int32] = []
      var scratch: [Int32] = []
      playlists.tracks.withUnsafeBufferPointer { t in
        occ.withUnsafeBufferPointer { o in
          limits.withUnsafeBufferPointer { lim in
            fw.withUnsafeBufferPointer { fwp in
              bw.withUnsafeBufferPointer { bwp in
                acc.withUnsafeMutableBufferPointer { a in
                  touched.withUnsafeMutableBufferPointer { tb in
                    for track in range {
                      var nTouched = 0
                      for oi in occOffsets[track]..<occOffsets[track + 1] {
                        // Entry index and how far the window reaches inside the playlist,
                        // both read in order (no playlist lookup per occurrence).
                        let e = Int(o[oi])
                        let l = lim[oi]
                        let forward = Int(l & 0x0F)
                        var d = 1
                        while d <= forward {
                          let b = Int(t[e + d])
                          let old = a[b]
                          if old == 0 {
                            tb[nTouched] = Int32(b)
                            nTouched += 1
                          }
                          a[b] = old &+ fwp[d - 1]
                          d += 1
                        }
                        if useBackward {
                          let backward = Int(l >> 4)
                          d = 1
                          while d <= backward {
                            let w = bwp[d - 1]
                            if w > 0 {
                              let b = Int(t[e - d])
                              let old = a[b]
                              if old == 0 {
                                tb[nTouched] = Int32(b)
                                nTouched += 1
                              }
                              a[b] = old &+ w
                            }
                            d += 1
                          }
                        }
                      }
                      var total: Int64 = 0
                      if nTouched * 32 > trackCount {
                        // Dense row: a scan in id order beats sorting the touched list.
                        for b in 0..<trackCount where a[b] != 0 {
                          let c = a[b]
                          chunk.neighbors.append(Int32(b))
                          chunk.counts.append(c)
                          total += Int64(c)
                          a[b] = 0
                        }
                      } else {
                        sorted.removeAll(keepingCapacity: true)
                        sorted.append(contentsOf: tb[0..<nTouched])
                        IDSort.sort(&sorted, scratch: &scratch)
                        for b in sorted {
                          let c = a[Int(b)]
                          chunk.neighbors.append(b)
                          chunk.counts.append(c)
                          total += Int64(c)
                          a[Int(b)] = 0
                        }
                      }
                      chunk.rowLengths.append(Int32(nTouched))
                      chunk.totals.append(total)
                    }
                  }
                }
              }
            }
          }
        }
      }
      return chunk
    }
    let pairCount = chunks.reduce(0) { $0 + $1.neighbors.count }
    var rowOffsets = [Int](repeating: 0, count: trackCount + 1)
    var neighbors: [Int32] = []
    var counts: [UInt32] = []
    var totals: [Int64] = []
    neighbors.reserveCapacity(pairCount)
    counts.reserveCapacity(pairCount)
    totals.reserveCapacity(trackCount)
    var row = 0
    for c in chunks {
      for len in c.rowLengths {
        rowOffsets[row + 1] = rowOffsets[row] + Int(len)
        row += 1
      }
      neighbors.append(contentsOf: c.neighbors)
      counts.append(contentsOf: c.counts)
      totals.append(contentsOf: c.totals)
    }
    let normalized = normalizedWeights(rowOffsets: rowOffsets, counts: counts, totals: totals)
    return CoOccurrenceCounts(
      trackCount: trackCount, rowOffsets: rowOffsets, neighbors: neighbors, counts: counts,
      rowTotals: totals, normalized: normalized)
  }

  /// count / row total as Float per pair — computed exactly as the merged (overlay) path
  /// computes it, so updated and retrained models score bit for bit alike.
  static func normalizedWeights(rowOffsets: [Int], counts: [UInt32], totals: [Int64]) -> [Float] {
    let rows = totals.count
    var out = [Float](repeating: 0, count: counts.count)
    out.withUnsafeMutableBufferPointer { o in
      let base = SendablePointer(o.baseAddress!)
      Parallel.forEachChunk(count: rows, chunkSize: 1 << 15) { _, range in
        counts.withUnsafeBufferPointer { cn in
          for r in range where totals[r] > 0 {
            let total = Double(totals[r])
            for i in rowOffsets[r]..<rowOffsets[r + 1] {
              base.base[i] = normalizedWeight(count: Int64(cn[i]), total: total)
            }
          }
        }
      }
    }
    return out
  }

  /// Source-track boundaries [0, …, trackCount] so that each chunk holds about `target`
  /// occurrences (a chunk holds at least one track).
  static func workBalancedBounds(_ occOffsets: [Int], target: Int) -> [Int] {
    let n = occOffsets.count - 1
    var bounds = [0]
    var t = 0
    while t < n {
      let start = occOffsets[t]
      var end = t + 1
      while end < n && occOffsets[end] - start < target { end += 1 }
      bounds.append(end)
      t = end
    }
    return bounds
  }

  /// For each track, the entry indices where it occurs (in entry order), plus per occurrence
  /// how far a window of `window` reaches inside its playlist: forward in the low 4 bits,
  /// backward in the high 4 (window ≤ 10 by validation). Returns (offsets: trackCount + 1,
  /// entries grouped by track, limits aligned with the entries).
  static func occurrenceIndex(_ playlists: PlaylistStore, trackCount: Int, window: Int) -> (
    [Int], [Int32], [UInt8]
  ) {
    precondition(window <= 15)
    let entries = playlists.entryCount
    var occOffsets = [Int](repeating: 0, count: trackCount + 1)
    var limits = [UInt8](repeating: 0, count: entries)
    var occ = [Int32](repeating: 0, count: entries)
    playlists.tracks.withUnsafeBufferPointer { t in
      for x in t { occOffsets[Int(x) + 1] += 1 }
    }
    for i in 0..<trackCount { occOffsets[i + 1] += occOffsets[i] }
    var fill = occOffsets
    playlists.tracks.withUnsafeBufferPointer { t in
      playlists.offsets.withUnsafeBufferPointer { off in
        occ.withUnsafeMutableBufferPointer { o in
          limits.withUnsafeMutableBufferPointer { lim in
            fill.withUnsafeMutableBufferPointer { f in
              for p in 0..<(off.count - 1) {
                let start = off[p]
                let end = off[p + 1]
                for e in start..<end {
                  let x = Int(t[e])
                  let slot = f[x]
                  o[slot] = Int32(e)
                  let forward = min(window, end - 1 - e)
                  let backward = min(window, e - start)
                  lim[slot] = UInt8(forward | (backward << 4))
                  f[x] = slot + 1
                }
              }
            }
          }
        }
      }
    }
    return (occOffsets, occ, limits)
  }

  // MARK: - Scoring

  public func score(context: UnsafeBufferPointer<Int32>, into acc: inout ScoreAccumulator) {
    let n = context.count
    var weight = 1.0
    // Most recent first: weight decays going back in the seed.
    var j = n - 1
    while j >= 0 {
      addRow(of: context[j], weight: weight, into: &acc)
      weight *= config.contextDecay
      j -= 1
    }
  }

  /// Adds weight × count(c, b) / total(c) for every neighbour b of c.
  @inline(__always)
  func addRow(of c: Int32, weight: Double, into acc: inout ScoreAccumulator) {
    let ci = Int(c)
    guard ci < trackCount else { return }
    let inBase = ci < base.trackCount
    var total: Int64 = inBase ? base.rowTotals[ci] : 0
    var deltaRange = 0..<0
    if let overlay {
      total += overlay.totalDelta[c] ?? 0
      deltaRange = overlay.rows[c] ?? 0..<0
    }
    guard total > 0 else { return }
    let w = Float(weight)
    let start = inBase ? base.rowOffsets[ci] : 0
    let end = inBase ? base.rowOffsets[ci + 1] : 0
    if deltaRange.isEmpty {
      base.neighbors.withUnsafeBufferPointer { nb in
        base.normalized.withUnsafeBufferPointer { nw in
          for i in start..<end {
            acc.add(nb[i], nw[i] * w)
          }
        }
      }
      return
    }
    let totalD = Double(total)
    // Merge the sorted base row with the sorted overlay row.
    let overlay = self.overlay!
    var i = start
    var k = deltaRange.lowerBound
    while i < end || k < deltaRange.upperBound {
      let bBase = i < end ? base.neighbors[i] : Int32.max
      let bDelta = k < deltaRange.upperBound ? overlay.neighbors[k] : Int32.max
      var count: Int64
      let b: Int32
      if bBase == bDelta {
        b = bBase
        count = Int64(base.counts[i]) + overlay.deltas[k]
        i += 1
        k += 1
      } else if bBase < bDelta {
        b = bBase
        count = Int64(base.counts[i])
        i += 1
      } else {
        b = bDelta
        count = overlay.deltas[k]
        k += 1
      }
      if count != 0 { acc.add(b, normalizedWeight(count: count, total: totalD) * w) }
    }
  }

  /// The row of `c` as (neighbour, count) pairs with the overlay applied (tests, inspection).
  public func row(_ c: Int32) -> [(neighbor: Int32, count: Int64)] {
    var out: [(Int32, Int64)] = []
    let ci = Int(c)
    if ci < base.trackCount {
      for i in base.rowOffsets[ci]..<base.rowOffsets[ci + 1] {
        out.append((base.neighbors[i], Int64(base.counts[i])))
      }
    }
    if let overlay, let r = overlay.rows[c] {
      var merged: [Int32: Int64] = [:]
      for (b, n) in out { merged[b] = n }
      for k in r { merged[overlay.neighbors[k], default: 0] += overlay.deltas[k] }
      out = merged.filter { $0.value != 0 }.map { ($0.key, $0.value) }.sorted { $0.0 < $1.0 }
    }
    return out.map { (neighbor: $0.0, count: $0.1) }
  }

  /// Row total of `c` with the overlay applied.
  public func rowTotal(_ c: Int32) -> Int64 {
    let ci = Int(c)
    var t: Int64 = ci < base.trackCount ? base.rowTotals[ci] : 0
    if let overlay { t += overlay.totalDelta[c] ?? 0 }
    return t
  }
}
