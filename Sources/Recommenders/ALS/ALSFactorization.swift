// Training state of implicit ALS on the binary playlist × track matrix: both CSR views, both
// factor matrices (zero-padded rows), and the half-iterations. A half-iteration computes the
// other side's Gram matrix once (per-chunk Float partials summed in chunk order in Double)
// and then solves every row independently in fixed chunks, so the factors are byte-identical
// on any thread count.
import ChorusCore

/// Playlist and track factors being fitted by alternating least squares.
struct ALSFactorization {
  let config: ALSConfig
  let factors: Int
  let stride: Int
  let userCount: Int
  let itemCount: Int
  /// Observed items per user (the training playlists: CSR, distinct tracks per playlist).
  let userOffsets: [Int]
  let userItems: [Int32]
  /// Observed users per item, users ascending (the transpose).
  let itemOffsets: [Int]
  let itemUsers: [Int32]
  /// Row-major, userCount × stride and itemCount × stride, Float32, zero padding.
  var users: [Float]
  var items: [Float]

  /// Rows per parallel chunk of a solve (and of the initialisation).
  static let chunkRows = 512
  /// Rows per Gram partial.
  static let gramRows = 4096

  /// The matrix of `playlists` (ids below `itemCount`) with small random factors
  /// (uniform in ±0.01, as the `implicit` library starts) drawn per chunk of rows.
  /// - Complexity: O(entries + (users + items) × factors).
  init(playlists: PlaylistStore, itemCount: Int, config: ALSConfig) {
    self.config = config
    factors = config.factors
    stride = config.rowStride
    userCount = playlists.count
    self.itemCount = itemCount
    userOffsets = playlists.offsets
    userItems = playlists.tracks
    // Transpose by counting: users land in ascending order within each item.
    var offsets = [Int](repeating: 0, count: itemCount + 1)
    for t in playlists.tracks { offsets[Int(t) + 1] += 1 }
    for i in 0..<itemCount { offsets[i + 1] += offsets[i] }
    var fill = offsets
    var ids = [Int32](repeating: 0, count: playlists.entryCount)
    for u in 0..<playlists.count {
      for t in playlists[u] {
        ids[fill[Int(t)]] = Int32(u)
        fill[Int(t)] += 1
      }
    }
    itemOffsets = offsets
    itemUsers = ids
    users = ALSFactorization.randomRows(
      count: userCount, factors: factors, stride: stride, seed: config.seed, side: "als.users")
    items = ALSFactorization.randomRows(
      count: itemCount, factors: factors, stride: stride, seed: config.seed, side: "als.items")
  }

  /// count × stride floats, uniform in ±0.01 over the first `factors` of each row.
  static func randomRows(count: Int, factors: Int, stride: Int, seed: UInt64, side: String)
    -> [Float]
  {
    var rows = [Float](repeating: 0, count: count * stride)
    rows.withUnsafeMutableBufferPointer { buf in
      let base = SendablePointer(buf.baseAddress!)
      Parallel.forEachChunk(count: count, chunkSize: chunkRows) { chunk, range in
        var rng = RandomStream(seed: seed, component: side, chunk: UInt64(chunk))
        for r in range {
          let row = base.base + r * stride
          for d in 0..<factors { row[d] = Float(rng.nextDouble() * 0.02 - 0.01) }
        }
      }
    }
    return rows
  }

  /// One alternation: playlists given tracks, then tracks given playlists.
  mutating func iterate() {
    solveUsers()
    solveItems()
  }

  /// Re-solves every playlist's factor given the track factors.
  mutating func solveUsers() {
    ALSFactorization.solve(
      target: &users, count: userCount, other: items, otherCount: itemCount,
      offsets: userOffsets, ids: userItems, config: config)
  }

  /// Re-solves every track's factor given the playlist factors.
  mutating func solveItems() {
    ALSFactorization.solve(
      target: &items, count: itemCount, other: users, otherCount: userCount,
      offsets: itemOffsets, ids: itemUsers, config: config)
  }

  /// YᵀY + λI of `count` rows (stride × stride, zero outside factors × factors), in Float.
  static func gram(_ rows: [Float], count: Int, factors: Int, stride: Int, regularization: Double)
    -> [Float]
  {
    padded(
      gramDouble(
        rows, count: count, factors: factors, stride: stride, regularization: regularization),
      factors: factors, stride: stride)
  }

  /// YᵀY + λI of `count` rows, factors × factors in Double: Float partials of `gramRows`
  /// rows each, summed in chunk order in Double, then mirrored.
  /// - Complexity: O(count × factors × stride / 2).
  static func gramDouble(
    _ rows: [Float], count: Int, factors: Int, stride: Int, regularization: Double
  ) -> [Double] {
    let size = stride * stride
    let partials: [[Float]] = rows.withUnsafeBufferPointer { rb in
      let base = SendablePointer(UnsafeMutablePointer(mutating: rb.baseAddress!))
      return Parallel.mapChunks(count: count, chunkSize: gramRows) { _, range in
        var g = [Float](repeating: 0, count: size)
        g.withUnsafeMutableBufferPointer { gb in
          ALSKernel.accumulateGram(
            rows: base.base + range.lowerBound * stride, count: range.count, factors: factors,
            stride: stride, gram: gb.baseAddress!)
        }
        return g
      }
    }
    var total = [Double](repeating: 0, count: size)
    for part in partials {
      for i in 0..<size { total[i] += Double(part[i]) }
    }
    var g = [Double](repeating: 0, count: factors * factors)
    for i in 0..<factors {
      for j in 0..<factors {
        // The kernel filled column blocks at or right of row i's block; mirror the rest.
        let v = (j >> 3) >= (i >> 3) ? total[i * stride + j] : total[j * stride + i]
        g[i * factors + j] = v + (i == j ? regularization : 0)
      }
    }
    return g
  }

  /// A factors × factors Double matrix as stride × stride Float with zero padding.
  static func padded(_ m: [Double], factors: Int, stride: Int) -> [Float] {
    var out = [Float](repeating: 0, count: stride * stride)
    for i in 0..<factors {
      for j in 0..<factors { out[i * stride + j] = Float(m[i * factors + j]) }
    }
    return out
  }

  /// The inverse of the symmetric positive definite factors × factors matrix `g`, by
  /// Cholesky (G = LLᵀ, G⁻¹ = L⁻ᵀL⁻¹), symmetrised.
  /// - Complexity: O(factors³).
  static func inverse(_ g: [Double], factors f: Int) -> [Double] {
    var l = [Double](repeating: 0, count: f * f)
    for r in 0..<f {
      for c in 0...r {
        var s = g[r * f + c]
        for k in 0..<c { s -= l[r * f + k] * l[c * f + k] }
        l[r * f + c] = r == c ? max(s, .leastNormalMagnitude).squareRoot() : s / l[c * f + c]
      }
    }
    // L⁻¹ by forward substitution, column by column.
    var li = [Double](repeating: 0, count: f * f)
    for c in 0..<f {
      for r in c..<f {
        var s = r == c ? 1.0 : 0.0
        for k in c..<r { s -= l[r * f + k] * li[k * f + c] }
        li[r * f + c] = s / l[r * f + r]
      }
    }
    var inv = [Double](repeating: 0, count: f * f)
    for i in 0..<f {
      for j in 0...i {
        var s = 0.0
        for k in i..<f { s += li[k * f + i] * li[k * f + j] }
        inv[i * f + j] = s
        inv[j * f + i] = s
      }
    }
    return inv
  }

  /// Solves every row of `target` given `other`, in parallel chunks; rows with no entry get
  /// their exact solution, zero.
  static func solve(
    target: inout [Float], count: Int, other: [Float], otherCount: Int, offsets: [Int],
    ids: [Int32], config: ALSConfig
  ) {
    let factors = config.factors
    let stride = config.rowStride
    if ids.isEmpty {
      // No observation at all: every row's exact solution is zero.
      target = [Float](repeating: 0, count: count * stride)
      return
    }
    let gram64 = gramDouble(
      other, count: otherCount, factors: factors, stride: stride,
      regularization: config.regularization)
    let gram = padded(gram64, factors: factors, stride: stride)
    // Rows up to `shortLimit` entries are solved exactly with G⁻¹ (0: none).
    let shortLimit = config.exactShortRows ? min(config.cgSteps, ALSKernel.maxShortRow) : 0
    let gramInverse =
      shortLimit > 0
      ? padded(inverse(gram64, factors: factors), factors: factors, stride: stride) : gram
    let alpha = Float(config.alpha)
    let steps = config.cgSteps
    target.withUnsafeMutableBufferPointer { tb in
      let x = SendablePointer(tb.baseAddress!)
      other.withUnsafeBufferPointer { ob in
        let y = SendablePointer(UnsafeMutablePointer(mutating: ob.baseAddress!))
        gram.withUnsafeBufferPointer { gb in
          let g = SendablePointer(UnsafeMutablePointer(mutating: gb.baseAddress!))
          gramInverse.withUnsafeBufferPointer { gib in
            let gi = SendablePointer(UnsafeMutablePointer(mutating: gib.baseAddress!))
            offsets.withUnsafeBufferPointer { offb in
              let off = SendablePointer(UnsafeMutablePointer(mutating: offb.baseAddress!))
              ids.withUnsafeBufferPointer { ib in
                let idp = SendablePointer(UnsafeMutablePointer(mutating: ib.baseAddress!))
                Parallel.forEachChunk(count: count, chunkSize: chunkRows) { _, range in
                  let floats = (4 + ALSKernel.maxShortRow) * stride
                  let buffer = UnsafeMutablePointer<Float>.allocate(capacity: floats)
                  let doubles = UnsafeMutablePointer<Double>.allocate(
                    capacity: ALSKernel.shortScratch)
                  defer {
                    buffer.deallocate()
                    doubles.deallocate()
                  }
                  buffer.initialize(repeating: 0, count: floats)
                  doubles.initialize(repeating: 0, count: ALSKernel.shortScratch)
                  let scratch = ALSKernel.Scratch(
                    r: buffer, p: buffer + stride, ap: buffer + 2 * stride)
                  for row in range {
                    let lo = off.base[row]
                    let n = off.base[row + 1] - lo
                    let xr = x.base + row * stride
                    if n == 0 {
                      xr.update(repeating: 0, count: stride)
                      continue
                    }
                    if n <= shortLimit {
                      ALSKernel.solveShortRow(
                        x: xr, gramInverse: gi.base, other: y.base, ids: idp.base + lo, count: n,
                        alpha: alpha, factors: factors, stride: stride, z: buffer + 4 * stride,
                        w: buffer + 3 * stride, m: doubles)
                      continue
                    }
                    ALSKernel.solveRow(
                      x: xr, gram: g.base, other: y.base, ids: idp.base + lo, count: n,
                      alpha: alpha, factors: factors, stride: stride, steps: steps,
                      scratch: scratch)
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}
