// Playlist windows through a sequence model: the tracks' embeddings, the aggregator's causal
// representations (mean of the prefix, or a transformer's outputs), the loss on every
// prefix's next track and on the playlist's negatives, and the backward pass into sparse
// embedding-row gradients and dense aggregator gradients. A parallel chunk's windows run
// stacked (row-major, back to back), so the aggregator's projections are matrix products.
// Shared by training, inference (forward only) and the tests (against a plain reference).
import ChorusCore
import Synchronization

extension SequenceNetwork {
  /// An integer whose ascending order is the descending order of the scores `x` (−0 as 0;
  /// scores are finite while training has not diverged).
  @inline(__always)
  static func descendingKey(_ x: Float) -> UInt32 {
    let bits = (x == 0 ? 0 : x).bitPattern
    let ascending = bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
    return ~ascending
  }
}

/// How a window of track embeddings becomes one representation per position.
public enum SequenceAggregator: String, Codable, Sendable, Equatable {
  /// Mean of the prefix's embeddings (the study's MF-AVG).
  case mean
  /// Causal multi-head self-attention layers with learned right-aligned positions.
  case transformer
}

/// Embedding-row gradients of one chunk of playlists: rows in first-touch order.
struct SparseRows {
  let dim: Int
  private(set) var ids: [Int32] = []
  private(set) var rows: [Float] = []
  private var slot: [Int32: Int] = [:]

  init(dim: Int) { self.dim = dim }

  /// rows[t] += s · x.
  mutating func add(_ t: Int32, _ s: Float, _ x: UnsafePointer<Float>) {
    add(slot: slot(of: t), s, x)
  }

  /// The index of `t`'s row, made (zero) when `t` is new.
  mutating func slot(of t: Int32) -> Int {
    if let found = slot[t] { return found }
    let r = ids.count
    slot[t] = r
    ids.append(t)
    rows.append(contentsOf: repeatElement(0, count: dim))
    return r
  }

  /// Row `r` (from `slot(of:)`) += s · x.
  mutating func add(slot r: Int, _ s: Float, _ x: UnsafePointer<Float>) {
    let dim = self.dim
    rows.withUnsafeMutableBufferPointer { SeqMath.axpy(s, x, $0.baseAddress! + r * dim, dim) }
  }

  /// The gradient row of `t`, or nil when untouched.
  func row(_ t: Int32) -> ArraySlice<Float>? {
    guard let r = slot[t] else { return nil }
    return rows[(r * dim)..<((r + 1) * dim)]
  }
}

/// The shapes of a sequence model and its passes over stacks of windows.
struct SequenceNetwork: Sendable {
  let aggregator: SequenceAggregator
  let config: SequenceConfig
  let dim: Int
  /// Longest input: maxSize − 1 tracks (the last track of a window is only a target).
  let maxInput: Int
  /// The transformer's parameter layout (nil for `mean`).
  let transformer: TransformerLayout?
  /// The matrix kernels' level (read once, when the network is made: worker threads do not
  /// see a task's level).
  let level: KernelLevel

  init(aggregator: SequenceAggregator, config: SequenceConfig, level: KernelLevel = .current) {
    self.aggregator = aggregator
    self.config = config
    self.level = level
    dim = config.dim
    maxInput = config.maxSize - 1
    transformer =
      aggregator == .transformer
      ? TransformerLayout(
        dim: config.dim, heads: config.heads, feedForward: config.feedForward,
        layers: config.layers, positions: config.maxSize - 1) : nil
  }

  /// Dense aggregator parameters (0 for `mean`).
  var parameterCount: Int { transformer?.count ?? 0 }

  /// Windows a training workspace stacks (one parallel chunk of a batch).
  static var trainingWindows: Int { SequenceTraining.chunkPlaylists }

  /// Scratch for one thread; `training` false sizes it for one window (inference only runs
  /// single forward passes).
  func makeWorkspace(training: Bool = true) -> SequenceWorkspace {
    SequenceWorkspace(network: self, windows: training ? SequenceNetwork.trainingWindows : 1)
  }

  /// Representations of `n` ≤ maxInput positions from their embeddings `x` (n × dim) into
  /// `ws.reps`. `rng` non-nil turns dropout on (training).
  func forward(
    _ x: UnsafePointer<Float>, n: Int, params: UnsafePointer<Float>, ws: SequenceWorkspace,
    rng: UnsafeMutablePointer<RandomStream>?
  ) {
    precondition(n >= 1 && n <= maxInput)
    forward(x, windows: WindowRows(lengths: [n]), params: params, ws: ws, rngs: rng)
  }

  /// Representations of stacked windows (`x` rows × dim, as `windows`) into `ws.reps`;
  /// `rngs` (one stream per window) non-nil turns dropout on.
  func forward(
    _ x: UnsafePointer<Float>, windows: WindowRows, params: UnsafePointer<Float>,
    ws: SequenceWorkspace, rngs: UnsafeMutablePointer<RandomStream>?
  ) {
    precondition(windows.count <= ws.windows, "more windows than the workspace holds")
    let dim = self.dim
    let reps = ws.reps
    switch aggregator {
    case .mean:
      // Causal: position i holds the mean of x[0...i] (running sum, then scaled).
      let sum = ws.scratch
      for b in 0..<windows.count {
        let s = windows.starts[b]
        sum.update(repeating: 0, count: dim)
        for i in 0..<windows.lengths[b] {
          SeqMath.axpy(1, x + (s + i) * dim, sum, dim)
          let inv = 1 / Float(i + 1)
          for d in 0..<dim { reps[(s + i) * dim + d] = sum[d] * inv }
        }
      }
    case .transformer:
      TransformerKernel.forward(
        x, windows: windows, params: params, layout: transformer!, ws: ws,
        dropout: rngs == nil ? 0 : Float(config.dropout), rngs: rngs, level: level)
    }
  }

  /// Backward of `forward` (same windows, after it): given d reps in `ws.dReps`, writes d x
  /// into `ws.dx` and adds the parameter gradients to `dParams`.
  func backward(
    windows: WindowRows, params: UnsafePointer<Float>, ws: SequenceWorkspace,
    dParams: UnsafeMutablePointer<Float>
  ) {
    let dim = self.dim
    switch aggregator {
    case .mean:
      // dx[j] = Σ_{i ≥ j} dReps[i] / (i + 1): a suffix sum per window.
      let acc = ws.scratch
      for b in 0..<windows.count {
        let s = windows.starts[b]
        acc.update(repeating: 0, count: dim)
        for j in stride(from: windows.lengths[b] - 1, through: 0, by: -1) {
          SeqMath.axpy(1 / Float(j + 1), ws.dReps + (s + j) * dim, acc, dim)
          (ws.dx + (s + j) * dim).update(from: acc, count: dim)
        }
      }
    case .transformer:
      TransformerKernel.backward(
        windows: windows, params: params, layout: transformer!, ws: ws, dParams: dParams,
        level: level)
    }
  }

  /// Loss and gradients of one window (`window.count` ≥ 2 tracks): `batchLoss` of a stack of
  /// one.
  func windowLoss(
    window: UnsafeBufferPointer<Int32>, candidates: [Int32], nHard: Int, nEasy: Int,
    table: UnsafePointer<Float>, params: UnsafePointer<Float>, ws: SequenceWorkspace,
    rng: UnsafeMutablePointer<RandomStream>?, dropout: Bool, scale: Float,
    rows: inout SparseRows, dParams: UnsafeMutablePointer<Float>
  ) -> Double {
    batchLoss(
      tracks: window, lengths: [window.count], candidates: [candidates], nHard: nHard,
      nEasy: nEasy, table: table, params: params, ws: ws, rngs: rng, dropout: dropout,
      scale: scale, rows: &rows, dParams: dParams)
  }

  /// Loss and gradients of a stack of windows: window b is `lengths[b]` ≥ 2 consecutive
  /// entries of `tracks`, inputs its first length − 1 tracks, targets the last length − 1.
  /// Negatives: of `candidates[b]`, the `nHard` scoring highest against the window's last
  /// representation (ties by candidate order) and `nEasy` drawn from the rest with
  /// `rngs[b]` (which also draws the window's dropout masks first). Loss = Σ_i
  /// [softplus(−s⁺ᵢ) + (1/N) Σ_neg softplus(sᵢ,neg)]; gradients are scaled by `scale` and
  /// added to `rows` (output rows of every window in order, then input rows) and `dParams`.
  /// Returns the unscaled loss (windows summed in order).
  func batchLoss(
    tracks: UnsafeBufferPointer<Int32>, lengths: [Int], candidates: [[Int32]], nHard: Int,
    nEasy: Int, table: UnsafePointer<Float>, params: UnsafePointer<Float>,
    ws: SequenceWorkspace, rngs: UnsafeMutablePointer<RandomStream>?, dropout: Bool,
    scale: Float, rows: inout SparseRows, dParams: UnsafeMutablePointer<Float>
  ) -> Double {
    precondition(lengths.allSatisfy { $0 >= 2 && $0 - 1 <= maxInput })
    let dim = self.dim
    let windows = WindowRows(lengths: lengths.map { $0 - 1 })
    var trackStart = [Int](repeating: 0, count: lengths.count)
    for b in 1..<max(1, lengths.count) { trackStart[b] = trackStart[b - 1] + lengths[b - 1] }
    let x = ws.x
    for b in 0..<windows.count {
      for i in 0..<windows.lengths[b] {
        (x + (windows.starts[b] + i) * dim).update(
          from: table + Int(tracks[trackStart[b] + i]) * dim, count: dim)
      }
    }
    forward(x, windows: windows, params: params, ws: ws, rngs: dropout ? rngs : nil)
    let reps = ws.reps
    let dReps = ws.dReps
    dReps.update(repeating: 0, count: windows.total * dim)
    var loss = 0.0
    for b in 0..<windows.count {
      let n = windows.lengths[b]
      let s = windows.starts[b]
      let rng = rngs.map { $0 + b }
      // Negatives from the candidates.
      let last = reps + (s + n - 1) * dim
      let cands = candidates[b]
      // By score, highest first, ties by candidate order: one integer key per candidate.
      var scored = [UInt64](repeating: 0, count: cands.count)
      // The candidates' rows are scattered over the table: start loading the row `ahead`
      // candidates on while scoring the current one (the scores are unchanged).
      let ahead = 8
      for i in 0..<min(ahead, cands.count) {
        RowPrefetch.lines(table + Int(cands[i]) &* dim, count: dim)
      }
      for (i, t) in cands.enumerated() {
        if i &+ ahead < cands.count {
          RowPrefetch.lines(table + Int(cands[i &+ ahead]) &* dim, count: dim)
        }
        let key = SequenceNetwork.descendingKey(SeqMath.dot(table + Int(t) * dim, last, dim))
        scored[i] = UInt64(key) << 32 | UInt64(i)
      }
      scored.sort()
      let hard = min(nHard, scored.count)
      var negatives = scored.prefix(hard).map { cands[Int($0 & 0xFFFF_FFFF)] }
      var rest = scored.dropFirst(hard).map { cands[Int($0 & 0xFFFF_FFFF)] }
      for _ in 0..<min(nEasy, rest.count) {
        let j = rng?.pointee.nextInt(below: rest.count) ?? 0
        negatives.append(rest[j])
        rest.swapAt(j, rest.count - 1)
        rest.removeLast()
      }
      let invN = negatives.isEmpty ? 0 : 1 / Float(negatives.count)
      // The negatives' gradient rows, made at the first position (after its positive, the
      // order in which rows are first touched).
      var negativeSlots: [Int] = []
      negativeSlots.reserveCapacity(negatives.count)
      for i in 0..<n {
        let r = reps + (s + i) * dim
        let dr = dReps + (s + i) * dim
        let y = tracks[trackStart[b] + i + 1]
        let sp = SeqMath.dot(table + Int(y) * dim, r, dim)
        loss += Double(SeqMath.softplus(-sp))
        let gp = SeqMath.sigmoid(sp) - 1
        SeqMath.axpy(gp * scale, table + Int(y) * dim, dr, dim)
        rows.add(y, gp * scale, r)
        for (q, t) in negatives.enumerated() {
          let sn = SeqMath.dot(table + Int(t) * dim, r, dim)
          loss += Double(invN * SeqMath.softplus(sn))
          let gn = SeqMath.sigmoid(sn) * invN * scale
          SeqMath.axpy(gn, table + Int(t) * dim, dr, dim)
          if i == 0 { negativeSlots.append(rows.slot(of: t)) }
          rows.add(slot: negativeSlots[q], gn, r)
        }
      }
    }
    backward(windows: windows, params: params, ws: ws, dParams: dParams)
    for b in 0..<windows.count {
      for j in 0..<windows.lengths[b] {
        rows.add(tracks[trackStart[b] + j], 1, ws.dx + (windows.starts[b] + j) * dim)
      }
    }
    return loss
  }
}

/// Per-thread buffers of a stack of windows' passes (sized for `windows` windows of
/// maxInput positions).
final class SequenceWorkspace {
  /// Windows the buffers hold.
  let windows: Int
  let x: UnsafeMutablePointer<Float>
  let reps: UnsafeMutablePointer<Float>
  let dReps: UnsafeMutablePointer<Float>
  let dx: UnsafeMutablePointer<Float>
  let scratch: UnsafeMutablePointer<Float>
  /// The transformer's activations (nil for `mean`).
  let tape: TransformerTape?

  init(network: SequenceNetwork, windows: Int) {
    let size = windows * network.maxInput * network.dim
    func buffer(_ count: Int) -> UnsafeMutablePointer<Float> {
      let p = UnsafeMutablePointer<Float>.allocate(capacity: max(1, count))
      p.initialize(repeating: 0, count: max(1, count))
      return p
    }
    self.windows = windows
    x = buffer(size)
    reps = buffer(size)
    dReps = buffer(size)
    dx = buffer(size)
    scratch = buffer(max(size, network.dim))
    tape = network.transformer.map { TransformerTape(layout: $0, windows: windows) }
  }

  deinit {
    for p in [x, reps, dReps, dx, scratch] { p.deallocate() }
  }
}

/// Training workspaces reused across chunks and steps (allocating and zeroing a stack's
/// buffers per chunk would cost more than a small model's arithmetic). Which workspace a
/// chunk gets never changes a result: every pass overwrites what it reads.
final class WorkspacePool: @unchecked Sendable {
  private let network: SequenceNetwork
  private var free: [SequenceWorkspace] = []
  private let lock = Mutex<Void>(())

  init(network: SequenceNetwork) { self.network = network }

  /// Runs `body` with a workspace no other thread holds meanwhile.
  func with<T>(_ body: (SequenceWorkspace) -> T) -> T {
    let ws = lock.withLock { _ in free.popLast() } ?? network.makeWorkspace()
    defer { lock.withLock { _ in free.append(ws) } }
    return body(ws)
  }
}
