// The trained vectors in the layout scoring wants: input rows by track id (for building
// queries), output vectors in panels of 8 tracks ordered by decreasing norm (for exact
// top-K with norm-bound pruning). Built once per model; immutable and shared.
// Output vectors are kept only here, so a model holds two matrices, not three.
import ChorusCore

/// Input rows by id and output vectors in norm-ordered panels.
final class EmbeddingIndex: Sendable {
  let trackCount: Int
  let dim: Int
  /// Stride of an input row (dim rounded up to 8; padding is zero).
  let stride: Int
  /// Row-major, trackCount × stride, Float32, by track id.
  let input: [Float]
  /// Output vectors by position, in panels of 8 positions: panel q holds position 8q + l's
  /// component d at `panels[(q × dim + d) × 8 + l]`. panelCount × dim × 8, Float32; positions
  /// past `trackCount` are zero.
  let panels: [Float]
  /// Position → track id, trackCount long: the candidates (tracks seen in training) by
  /// decreasing output norm, ties by id, then the unseen tracks by id.
  let order: [Int32]
  /// Track id → position, trackCount long.
  let position: [Int32]
  /// Output norm by position, trackCount long (non-increasing over the candidates).
  let norms: [Float]
  /// Number of candidates: positions 0..<candidateCount are recommendable.
  let candidateCount: Int

  /// Builds the index from id-ordered matrices (both trackCount × stride, Float32).
  /// - Complexity: O(trackCount × (dim + log trackCount)).
  init(
    input: UnsafeBufferPointer<Float>, output out: UnsafeBufferPointer<Float>, trackCount: Int,
    dim: Int, frequency: [Int32]
  ) {
    let stride = (dim + 7) & ~7
    precondition(input.count == trackCount * stride && out.count == trackCount * stride)
    self.trackCount = trackCount
    self.dim = dim
    self.stride = stride
    self.input = Array(input)
    // Norms in parallel (each track's sum in Double, in order: deterministic).
    var idNorms = [Float](repeating: 0, count: trackCount)
    let source = SendablePointer(UnsafeMutablePointer(mutating: out.baseAddress!))
    idNorms.withUnsafeMutableBufferPointer { nb in
      let norms = SendablePointer(nb.baseAddress!)
      Parallel.forEachChunk(count: trackCount, chunkSize: 1 << 14) { _, range in
        for t in range {
          let row = source.base + t * stride
          var s = 0.0
          for d in 0..<dim { s += Double(row[d]) * Double(row[d]) }
          norms.base[t] = Float(s.squareRoot())
        }
      }
    }
    // Candidates by norm descending, then id: one UInt64 key each (norms are ≥ 0, so their
    // bit patterns order like the values).
    var keys: [UInt64] = []
    keys.reserveCapacity(trackCount)
    for t in 0..<trackCount where frequency[t] > 0 {
      keys.append(UInt64(~idNorms[t].bitPattern) << 32 | UInt64(t))
    }
    keys.sort()
    candidateCount = keys.count
    var order = keys.map { Int32(truncatingIfNeeded: $0) }
    order.reserveCapacity(trackCount)
    for t in 0..<Int32(trackCount) where frequency[Int(t)] <= 0 { order.append(t) }
    var position = [Int32](repeating: 0, count: trackCount)
    for (p, t) in order.enumerated() { position[Int(t)] = Int32(p) }
    // Panels in parallel: chunks of whole panels write disjoint memory.
    let panelCount = (trackCount + 7) / 8
    var panels = [Float](repeating: 0, count: panelCount * dim * 8)
    panels.withUnsafeMutableBufferPointer { pan in
      let target = SendablePointer(pan.baseAddress!)
      order.withUnsafeBufferPointer { ob in
        let ids = SendablePointer(UnsafeMutablePointer(mutating: ob.baseAddress!))
        Parallel.forEachChunk(count: trackCount, chunkSize: 1 << 14) { _, range in
          for p in range {
            let base = target.base + ((p >> 3) * dim * 8 + (p & 7))
            let row = source.base + Int(ids.base[p]) * stride
            for d in 0..<dim { base[d * 8] = row[d] }
          }
        }
      }
    }
    self.order = order
    self.position = position
    self.norms = order.map { idNorms[Int($0)] }
    self.panels = panels
  }

  /// The input vector of track `t` (dim floats; its row without the padding).
  func inputVector(_ t: Int) -> [Float] {
    let base = t * stride
    return Array(input[base..<(base + dim)])
  }

  /// The output vector of track `t` (dim floats).
  func outputVector(_ t: Int) -> [Float] {
    let p = Int(position[t])
    let base = (p >> 3) * dim * 8 + (p & 7)
    return (0..<dim).map { panels[base + $0 * 8] }
  }

  /// The output matrix in id order, trackCount × stride (zero padding).
  func outputRows() -> [Float] {
    var rows = [Float](repeating: 0, count: trackCount * stride)
    for t in 0..<trackCount {
      let p = Int(position[t])
      let base = (p >> 3) * dim * 8 + (p & 7)
      for d in 0..<dim { rows[t * stride + d] = panels[base + d * 8] }
    }
    return rows
  }
}
