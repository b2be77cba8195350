// The one training loop of the sequence models (both aggregators), as the study trains
// them: each epoch a shuffled pass with one random window of maxSize consecutive tracks per
// training playlist; batches of playlists; per playlist, losses on every prefix's next track
// and on hard and easy negatives; SGD with Nesterov momentum, weight decay, global
// gradient-norm clipping and a step learning-rate schedule. A batch's playlists run in fixed
// chunks on all cores and their gradients are summed in chunk order, so the weights are
// byte-identical on any thread count.
import ChorusCSupport
import ChorusCore

/// What one epoch did.
public struct SequenceEpochStats: Sendable, Equatable, Codable {
  /// Mean loss per position (positive term plus mean negative term) over the epoch.
  public var loss: Double
  /// Positions (prefix → next track pairs) trained.
  public var tokens: Int
  /// Wall-clock seconds (not part of any result).
  public var seconds: Double
}

/// Trained weights and the per-epoch record.
struct SequenceWeights {
  /// Row-major, trackCount × dim.
  var table: [Float]
  /// The aggregator's dense parameters.
  var params: [Float]
  var history: [SequenceEpochStats]
}

enum SequenceTraining {
  /// Playlists per parallel chunk of a batch (fixed: chunk boundaries never depend on the
  /// thread count).
  static let chunkPlaylists = 16
  /// Embedding rows per parallel chunk of the optimiser step.
  static let chunkRows = 4096

  /// The initial embedding table (trackCount × dim): ALS item factors or seeded Gaussians.
  static func initialTable(
    playlists: PlaylistStore, trackCount: Int, config: SequenceConfig
  ) throws -> [Float] {
    let dim = config.dim
    switch config.initialization {
    case .als:
      var als = ALSConfig()
      als.factors = dim
      als.regularization = config.alsRegularization
      als.iterations = config.alsIterations
      als.seed = config.seed
      return try ALSModel(playlists: playlists, trackCount: trackCount, config: als).itemFactors
    case .random:
      var table = [Float](repeating: 0, count: trackCount * dim)
      let scale = 1 / Double(dim).squareRoot()
      table.withUnsafeMutableBufferPointer { buf in
        let base = SendablePointer(buf.baseAddress!)
        Parallel.forEachChunk(count: trackCount, chunkSize: chunkRows) { chunk, range in
          var rng = RandomStream(
            seed: config.seed, component: "sequence.init", chunk: UInt64(chunk))
          for t in range {
            for d in 0..<dim { base.base[t * dim + d] = Float(rng.nextGaussian() * scale) }
          }
        }
      }
      return table
    }
  }

  /// Trains from `table` and `params` (nil: the aggregator's initial parameters) for the
  /// epoch numbers `epochs` (nil: `0..<config.epochs`). The windows, negatives, dropout and
  /// learning rate of an epoch depend only on the seed and the epoch's number, so a
  /// fine-tune continues at the numbers after the model's own epochs with fresh streams.
  /// Optimiser velocities start at zero. Throws a config error naming the epoch when the
  /// loss or weights stop being finite.
  static func train(
    playlists: PlaylistStore, trackCount: Int, frequency: [Int32], network: SequenceNetwork,
    table initial: [Float], params initialParams: [Float]? = nil, epochs: Range<Int>? = nil
  ) throws -> SequenceWeights {
    let config = network.config
    let dim = config.dim
    let epochs = epochs ?? 0..<config.epochs
    var table = initial
    var params =
      initialParams
      ?? network.transformer?.initialParameters(
        seed: config.seed, positionStd: config.positionInitStd) ?? []
    var tableVelocity = [Float](repeating: 0, count: table.count)
    var paramVelocity = [Float](repeating: 0, count: params.count)
    // A step's table gradient, compact: one row per distinct track it touches, in
    // first-seen order over the chunks (`gradSlot[t]`: t's row, or −1).
    var gradSlot = [Int32](repeating: -1, count: trackCount)
    var grad = [Float](repeating: 0, count: max(1, 64 * dim))
    // Workers of the step's bookkeeping: each takes a fixed share of the rows, so every row
    // is written by one worker; no result depends on the count.
    let partitions = max(1, ParallelConfig.threads)
    // Rows are updated lazily: a row untouched for k steps only decays by weight decay and
    // momentum, a fixed linear map of (w, v), applied when the row is next read and at the
    // end of each epoch. Same arithmetic as a dense step in exact arithmetic; the dense
    // pass over trackCount × dim per step would dominate training otherwise.
    var lastStep = [Int](repeating: 0, count: trackCount)
    let pool = (0..<Int32(trackCount)).filter { frequency[Int($0)] > 0 }
    let trainable = (0..<playlists.count).filter { playlists.length($0) >= 2 }
    let workspaces = WorkspacePool(network: network)
    // Each chunk's parameter gradient has its own slice, allocated once (fresh arrays per
    // chunk and step cost page faults and zeroing comparable to a small model's arithmetic).
    let chunksPerBatch = (config.batchSize + chunkPlaylists - 1) / chunkPlaylists
    var chunkGrads = [Float](repeating: 0, count: max(1, chunksPerBatch * params.count))
    var paramGrad = [Float](repeating: 0, count: params.count)
    var history: [SequenceEpochStats] = []
    let start = wallClock()
    for epoch in epochs {
      let epochStart = wallClock()
      var rng = RandomStream(seed: config.seed, component: "sequence.epoch", chunk: UInt64(epoch))
      var shuffled = trainable
      rng.shuffle(&shuffled)
      var windowStarts = [Int](repeating: 0, count: shuffled.count)
      for (i, p) in shuffled.enumerated() {
        let len = playlists.length(p)
        windowStarts[i] = rng.nextInt(below: len - min(len, config.maxSize) + 1)
      }
      let order = shuffled
      let starts = windowStarts
      let lr = Float(
        config.learningRate
          * (config.lrStepEpochs > 0
            ? pow(config.lrGamma, Double(epoch / config.lrStepEpochs)) : 1))
      let steps = (order.count + config.batchSize - 1) / config.batchSize
      let powers = idlePowers(steps: steps, lr: Double(lr), config: config)
      var epochLoss = 0.0
      var epochTokens = 0
      var b = 0
      var step = 0
      while b < order.count {
        let batch = b..<min(order.count, b + config.batchSize)
        b = batch.upperBound
        var positions = 0
        for i in batch { positions += min(playlists.length(order[i]), config.maxSize) - 1 }
        let scale = 1 / Float(positions)
        let candidates = Parallel.mapChunks(count: batch.count, chunkSize: chunkPlaylists) {
          _, range in
          range.map { j in
            sampleCandidates(
              playlists: playlists, playlist: order[batch.lowerBound + j], epoch: epoch,
              pool: pool, config: config)
          }
        }.flatMap { $0 }
        // Bring every row this batch reads (its windows' tracks and candidates) up to this
        // step.
        catchUp(
          playlists: playlists, order: order, starts: starts, batch: batch,
          candidates: candidates, step: step, powers: powers, last: &lastStep, table: &table,
          velocity: &tableVelocity, dim: dim, maxSize: config.maxSize, partitions: partitions)
        let paramCount = params.count
        let chunks = chunkGrads.withUnsafeMutableBufferPointer { gb in
          let gradPtr = SendablePointer(gb.baseAddress!)
          return table.withUnsafeBufferPointer { tb in
            params.withUnsafeBufferPointer { pb in
              let tablePtr = SendablePointer(UnsafeMutablePointer(mutating: tb.baseAddress!))
              let paramPtr = SendablePointer(
                UnsafeMutablePointer(mutating: pb.baseAddress ?? UnsafePointer(tb.baseAddress!)))
              return Parallel.mapChunks(count: batch.count, chunkSize: chunkPlaylists) {
                c, range in
                batchChunk(
                  playlists: playlists, order: order, starts: starts,
                  indices: (batch.lowerBound + range.lowerBound)..<(batch.lowerBound
                    + range.upperBound),
                  candidates: Array(candidates[range]), epoch: epoch, network: network,
                  pool: workspaces, table: tablePtr.base, params: paramPtr.base,
                  dParams: gradPtr.base + c * paramCount, scale: scale)
              }
            }
          }
        }
        // The distinct gradient rows in first-seen order over the chunks, and where each
        // chunk row goes among them.
        var touchedList: [Int32] = []
        var places: [[Int32]] = []
        places.reserveCapacity(chunks.count)
        var batchLoss = 0.0
        for c in chunks {
          batchLoss += c.loss
          var place = [Int32](repeating: 0, count: c.rows.ids.count)
          for (k, t) in c.rows.ids.enumerated() {
            var g = gradSlot[Int(t)]
            if g < 0 {
              g = Int32(touchedList.count)
              gradSlot[Int(t)] = g
              touchedList.append(t)
            }
            place[k] = g
          }
          places.append(place)
        }
        guard batchLoss.isFinite else {
          throw divergence(epoch: epoch, config: config)
        }
        epochLoss += batchLoss
        epochTokens += positions
        let rowCount = touchedList.count
        if grad.count < rowCount * dim {
          grad = [Float](repeating: 0, count: max(rowCount * dim, 2 * grad.count))
        }
        reduce(
          chunks: chunks, places: places, rowCount: rowCount, grad: &grad,
          chunkGrads: chunkGrads, paramGrad: &paramGrad, dim: dim, partitions: partitions)
        // Global norm (Double, fixed order: rows first-seen, then parameters) and clipping as
        // torch.nn.utils.clip_grad_norm_.
        var norm2 = 0.0
        grad.withUnsafeBufferPointer { gb in
          for j in 0..<(rowCount * dim) {
            let g = Double(gb[j])
            norm2 += g * g
          }
        }
        for g in paramGrad { norm2 += Double(g) * Double(g) }
        let norm = norm2.squareRoot()
        let coef: Float =
          config.clip > 0 && norm > config.clip ? Float(config.clip / (norm + 1e-6)) : 1
        applyRows(
          touchedList, grad: grad, coef: coef, lr: lr, step: step, table: &table,
          velocity: &tableVelocity, slot: &gradSlot, last: &lastStep, config: config)
        nesterovStep(
          weights: &params, velocity: &paramVelocity, grad: paramGrad, coef: coef, lr: lr,
          config: config)
        step += 1
      }
      // Every row up to the end of the epoch (the schedule may change the map).
      catchUpAll(
        steps: steps, powers: powers, last: &lastStep, table: &table, velocity: &tableVelocity,
        dim: dim)
      guard table.allSatisfy({ $0.isFinite }), params.allSatisfy({ $0.isFinite }) else {
        throw divergence(epoch: epoch, config: config)
      }
      let seconds = wallClock() - epochStart
      let stats = SequenceEpochStats(
        loss: epochTokens == 0 ? 0 : epochLoss / Double(epochTokens),
        tokens: epochTokens, seconds: seconds)
      history.append(stats)
      if config.verbose {
        let elapsed = wallClock() - start
        let done = epoch - epochs.lowerBound + 1
        let eta = elapsed / Double(done) * Double(epochs.upperBound - epoch - 1)
        Console.log(
          "\(network.aggregator.rawValue) epoch \(epoch + 1)/\(epochs.upperBound): loss \(String(format: "%.4f", stats.loss)), \(Int(Double(epochTokens) / max(seconds, 1e-9))) tokens/s, elapsed \(formatDuration(elapsed)), ETA \(formatDuration(eta))"
        )
      }
    }
    return SequenceWeights(table: table, params: params, history: history)
  }

  static func divergence(epoch: Int, config: SequenceConfig) -> ChorusError {
    ChorusError(
      .config,
      "sequence-model training diverged (loss or weights became infinite or NaN) in epoch \(epoch + 1) at learningRate \(config.learningRate)",
      field: "learningRate", hint: "lower learningRate or clip (e.g. clip=1)")
  }

  /// One chunk's summed (unscaled) loss and its scaled embedding-row gradients (the
  /// parameter gradient is in the chunk's slice of the caller's buffer).
  struct ChunkGradient: @unchecked Sendable {
    var loss: Double
    var rows: SparseRows
  }

  /// Loss and gradients of the playlists `order[indices]` (each its window from `starts`),
  /// their windows stacked in one workspace from `pool`; the parameter gradient overwrites
  /// `dParams` (parameterCount floats).
  static func batchChunk(
    playlists: PlaylistStore, order: [Int], starts: [Int], indices: Range<Int>,
    candidates: [[Int32]], epoch: Int, network: SequenceNetwork, pool: WorkspacePool,
    table: UnsafeMutablePointer<Float>, params: UnsafeMutablePointer<Float>,
    dParams: UnsafeMutablePointer<Float>, scale: Float
  ) -> ChunkGradient {
    let config = network.config
    var rows = SparseRows(dim: config.dim)
    dParams.update(repeating: 0, count: network.parameterCount)
    var tracks: [Int32] = []
    var lengths: [Int] = []
    var rngs: [RandomStream] = []
    for i in indices {
      let p = order[i]
      let w = min(playlists.length(p), config.maxSize)
      let from = playlists.offsets[p] + starts[i]
      tracks.append(contentsOf: playlists.tracks[from..<(from + w)])
      lengths.append(w)
      rngs.append(
        RandomStream(
          seed: config.seed, component: "sequence.playlist",
          chunk: UInt64(epoch) << 40 | UInt64(p)))
    }
    let loss = pool.with { ws in
      tracks.withUnsafeBufferPointer { tb in
        rngs.withUnsafeMutableBufferPointer { r in
          network.batchLoss(
            tracks: tb, lengths: lengths, candidates: candidates, nHard: config.nHard,
            nEasy: config.nEasy, table: table, params: params, ws: ws, rngs: r.baseAddress,
            dropout: true, scale: scale, rows: &rows, dParams: dParams)
        }
      }
    }
    return ChunkGradient(loss: loss, rows: rows)
  }

  /// `nNeg` tracks drawn uniformly from `pool` (with replacement), skipping the playlist's
  /// own tracks; fewer when the pool is nearly all in the playlist.
  static func sampleCandidates(
    playlists: PlaylistStore, playlist p: Int, epoch: Int, pool: [Int32], config: SequenceConfig
  ) -> [Int32] {
    var rng = RandomStream(
      seed: config.seed, component: "sequence.candidates", chunk: UInt64(epoch) << 40 | UInt64(p))
    let own = Set(playlists[p])
    var candidates: [Int32] = []
    candidates.reserveCapacity(config.nNeg)
    var attempts = 0
    while candidates.count < config.nNeg && attempts < 20 * config.nNeg && !pool.isEmpty {
      attempts += 1
      let t = pool[rng.nextInt(below: pool.count)]
      if !own.contains(t) { candidates.append(t) }
    }
    return candidates
  }

  /// Per k = 0…steps: the map (a, b, c, d) with w' = a·w + b·v, v' = c·w + d·v of k SGD
  /// steps with zero gradient (only weight decay and momentum), i.e. Mᵏ with
  /// M = [[1 − lr·wd·(1 + μ), −lr·μ²], [wd, μ]]; in Double, then rounded.
  static func idlePowers(steps: Int, lr: Double, config: SequenceConfig) -> [SIMD4<Float>] {
    let wd = config.weightDecay
    let mu = config.momentum
    let m = (1 - lr * wd * (1 + mu), -lr * mu * mu, wd, mu)
    var p = (1.0, 0.0, 0.0, 1.0)
    var out: [SIMD4<Float>] = []
    out.reserveCapacity(steps + 1)
    for _ in 0...steps {
      out.append(SIMD4(Float(p.0), Float(p.1), Float(p.2), Float(p.3)))
      p = (
        m.0 * p.0 + m.1 * p.2, m.0 * p.1 + m.1 * p.3, m.2 * p.0 + m.3 * p.2,
        m.2 * p.1 + m.3 * p.3
      )
    }
    return out
  }

  /// Applies to the row of `t` the idle steps it missed since `last[t]`, up to `step` (none
  /// when it is up to date): w, v ← a·w + b·v, c·w + d·v, elementwise as written.
  @inline(__always)
  static func catchUpRow(
    _ t: Int, step: Int, powers: UnsafePointer<SIMD4<Float>>, last: UnsafeMutablePointer<Int>,
    table: UnsafeMutablePointer<Float>, velocity: UnsafeMutablePointer<Float>, dim: Int
  ) {
    let k = step - last[t]
    if k <= 0 { return }
    last[t] = step
    let m = powers[k]
    let wr = table + t * dim
    let vr = velocity + t * dim
    let (m0, m1, m2, m3) = (
      SIMD8<Float>(repeating: m[0]), SIMD8<Float>(repeating: m[1]),
      SIMD8<Float>(repeating: m[2]), SIMD8<Float>(repeating: m[3])
    )
    var d = 0
    while d + 8 <= dim {
      let a = UnsafeRawPointer(wr + d).loadUnaligned(as: SIMD8<Float>.self)
      let b = UnsafeRawPointer(vr + d).loadUnaligned(as: SIMD8<Float>.self)
      UnsafeMutableRawPointer(wr + d).storeBytes(of: m0 * a + m1 * b, as: SIMD8<Float>.self)
      UnsafeMutableRawPointer(vr + d).storeBytes(of: m2 * a + m3 * b, as: SIMD8<Float>.self)
      d += 8
    }
    while d < dim {
      let a = wr[d]
      let b = vr[d]
      wr[d] = m[0] * a + m[1] * b
      vr[d] = m[2] * a + m[3] * b
      d += 1
    }
  }

  /// Brings every row the playlists `order[batch]` read (their windows' tracks and their
  /// `candidates`) up to `step`. Each of `partitions` workers takes the rows of one range of
  /// track ids, so a row is written by one worker, and a row read twice is caught up once
  /// (the second time it has missed nothing): no result depends on `partitions`.
  static func catchUp(
    playlists: PlaylistStore, order: [Int], starts: [Int], batch: Range<Int>,
    candidates: [[Int32]], step: Int, powers: [SIMD4<Float>], last: inout [Int],
    table: inout [Float], velocity: inout [Float], dim: Int, maxSize: Int, partitions: Int
  ) {
    let trackCount = last.count
    last.withUnsafeMutableBufferPointer { lb in
      table.withUnsafeMutableBufferPointer { tb in
        velocity.withUnsafeMutableBufferPointer { vb in
          powers.withUnsafeBufferPointer { pb in
            let l = SendablePointer(lb.baseAddress!)
            let w = SendablePointer(tb.baseAddress!)
            let v = SendablePointer(vb.baseAddress!)
            let pw = SendablePointer(UnsafeMutablePointer(mutating: pb.baseAddress!))
            Parallel.forEachChunk(count: partitions, chunkSize: 1) { part, _ in
              let lo = Int32(trackCount * part / partitions)
              let hi = Int32(trackCount * (part + 1) / partitions)
              // The rows are scattered over the table: start loading the rows of the
              // ids `ahead` places on while catching up the current one (no effect on a
              // result; only the memory waits overlap).
              let ahead = 8
              func rows(_ ids: UnsafeBufferPointer<Int32>) {
                for (n, t) in ids.enumerated() {
                  if n &+ ahead < ids.count {
                    let u = ids[n &+ ahead]
                    if u >= lo && u < hi {
                      chorus_prefetch(l.base + Int(u))
                      RowPrefetch.lines(w.base + Int(u) &* dim, count: dim)
                      RowPrefetch.lines(v.base + Int(u) &* dim, count: dim)
                    }
                  }
                  if t >= lo && t < hi {
                    catchUpRow(
                      Int(t), step: step, powers: pw.base, last: l.base, table: w.base,
                      velocity: v.base, dim: dim)
                  }
                }
              }
              for (j, i) in batch.enumerated() {
                let p = order[i]
                let from = playlists.offsets[p] + starts[i]
                let to = from + min(playlists.length(p), maxSize)
                playlists.tracks[from..<to].withUnsafeBufferPointer { rows($0) }
                candidates[j].withUnsafeBufferPointer { rows($0) }
              }
            }
          }
        }
      }
    }
  }

  /// Sums the chunks' gradients in chunk order: table rows into the compact `grad`
  /// (`rowCount` rows; chunk c's row k goes to row `places[c][k]`) and the parameter
  /// slices of `chunkGrads` into `paramGrad`, both overwritten. Each worker takes a range of
  /// rows and of parameters, adding every element's terms in chunk order, so the sums are
  /// the same bits for any `partitions`.
  static func reduce(
    chunks: [ChunkGradient], places: [[Int32]], rowCount: Int, grad: inout [Float],
    chunkGrads: [Float], paramGrad: inout [Float], dim: Int, partitions: Int
  ) {
    let paramCount = paramGrad.count
    grad.withUnsafeMutableBufferPointer { gb in
      paramGrad.withUnsafeMutableBufferPointer { pgb in
        chunkGrads.withUnsafeBufferPointer { cgb in
          let g = SendablePointer(gb.baseAddress!)
          let pg = SendablePointer(pgb.baseAddress ?? gb.baseAddress!)
          let cg = SendablePointer(UnsafeMutablePointer(mutating: cgb.baseAddress!))
          Parallel.forEachChunk(count: partitions, chunkSize: 1) { part, _ in
            let lo = rowCount * part / partitions
            let hi = rowCount * (part + 1) / partitions
            (g.base + lo * dim).update(repeating: 0, count: (hi - lo) * dim)
            for (c, chunk) in chunks.enumerated() {
              chunk.rows.rows.withUnsafeBufferPointer { rb in
                for (k, r) in places[c].enumerated() where r >= lo && r < hi {
                  SeqMath.axpy(1, rb.baseAddress! + k * dim, g.base + Int(r) * dim, dim)
                }
              }
            }
            let plo = paramCount * part / partitions
            let phi = paramCount * (part + 1) / partitions
            if phi > plo {
              (pg.base + plo).update(repeating: 0, count: phi - plo)
              for c in 0..<chunks.count {
                SeqMath.axpy(1, cg.base + c * paramCount + plo, pg.base + plo, phi - plo)
              }
            }
          }
        }
      }
    }
  }

  /// The optimiser step of the rows `ids` (distinct; row j's gradient is `grad[j]`), as
  /// `nesterovStep` elementwise: g = coef·grad + wd·w; v = μv + g; w −= lr·(g + μv). Marks
  /// each row up to date (`last[t] = step + 1`) and clears its `slot`. Rows in parallel
  /// chunks (each row's arithmetic is fixed: the same bits on any thread count).
  static func applyRows(
    _ ids: [Int32], grad: [Float], coef: Float, lr: Float, step: Int, table: inout [Float],
    velocity: inout [Float], slot: inout [Int32], last: inout [Int], config: SequenceConfig
  ) {
    let dim = config.dim
    let wd = Float(config.weightDecay)
    let mu = Float(config.momentum)
    let (c8, wd8, mu8, lr8) = (
      SIMD8<Float>(repeating: coef), SIMD8<Float>(repeating: wd), SIMD8<Float>(repeating: mu),
      SIMD8<Float>(repeating: lr)
    )
    table.withUnsafeMutableBufferPointer { tb in
      velocity.withUnsafeMutableBufferPointer { vb in
        slot.withUnsafeMutableBufferPointer { sb in
          last.withUnsafeMutableBufferPointer { lb in
            grad.withUnsafeBufferPointer { gb in
              ids.withUnsafeBufferPointer { ib in
                let w = SendablePointer(tb.baseAddress!)
                let v = SendablePointer(vb.baseAddress!)
                let s = SendablePointer(sb.baseAddress!)
                let l = SendablePointer(lb.baseAddress!)
                let g = SendablePointer(UnsafeMutablePointer(mutating: gb.baseAddress!))
                let id = SendablePointer(UnsafeMutablePointer(mutating: ib.baseAddress!))
                Parallel.forEachChunk(count: ids.count, chunkSize: 512) { _, range in
                  for j in range {
                    let t = Int(id.base[j])
                    let wr = w.base + t * dim
                    let vr = v.base + t * dim
                    let gr = g.base + j * dim
                    var d = 0
                    while d + 8 <= dim {
                      let gv = UnsafeRawPointer(gr + d).loadUnaligned(as: SIMD8<Float>.self)
                      let wv = UnsafeRawPointer(wr + d).loadUnaligned(as: SIMD8<Float>.self)
                      let vv = UnsafeRawPointer(vr + d).loadUnaligned(as: SIMD8<Float>.self)
                      let gj = c8 * gv + wd8 * wv
                      let vj = mu8 * vv + gj
                      UnsafeMutableRawPointer(vr + d).storeBytes(of: vj, as: SIMD8<Float>.self)
                      UnsafeMutableRawPointer(wr + d).storeBytes(
                        of: wv - lr8 * (gj + mu8 * vj), as: SIMD8<Float>.self)
                      d += 8
                    }
                    while d < dim {
                      let gj = coef * gr[d] + wd * wr[d]
                      let vj = mu * vr[d] + gj
                      vr[d] = vj
                      wr[d] -= lr * (gj + mu * vj)
                      d += 1
                    }
                    s.base[t] = -1
                    l.base[t] = step + 1
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  /// Brings every row to the end of the epoch (`steps`) in parallel chunks and resets the
  /// step counters.
  static func catchUpAll(
    steps: Int, powers: [SIMD4<Float>], last: inout [Int], table: inout [Float],
    velocity: inout [Float], dim: Int
  ) {
    let count = last.count
    last.withUnsafeMutableBufferPointer { lb in
      table.withUnsafeMutableBufferPointer { tb in
        velocity.withUnsafeMutableBufferPointer { vb in
          powers.withUnsafeBufferPointer { pb in
            let l = SendablePointer(lb.baseAddress!)
            let w = SendablePointer(tb.baseAddress!)
            let v = SendablePointer(vb.baseAddress!)
            let pw = SendablePointer(UnsafeMutablePointer(mutating: pb.baseAddress!))
            Parallel.forEachChunk(count: count, chunkSize: chunkRows) { _, range in
              for t in range {
                let k = steps - l.base[t]
                l.base[t] = 0
                if k <= 0 { continue }
                let m = pw.base[k]
                for d in 0..<dim {
                  let a = w.base[t * dim + d]
                  let b = v.base[t * dim + d]
                  w.base[t * dim + d] = m[0] * a + m[1] * b
                  v.base[t * dim + d] = m[2] * a + m[3] * b
                }
              }
            }
          }
        }
      }
    }
  }

  /// torch.optim.SGD with nesterov: g = coef·grad + wd·w; v = μv + g; w −= lr·(g + μv).
  /// Elementwise, in parallel chunks (each element's arithmetic is fixed: deterministic).
  static func nesterovStep(
    weights: inout [Float], velocity: inout [Float], grad: [Float], coef: Float, lr: Float,
    config: SequenceConfig
  ) {
    let count = weights.count
    if count == 0 { return }
    let wd = Float(config.weightDecay)
    let mu = Float(config.momentum)
    weights.withUnsafeMutableBufferPointer { wb in
      velocity.withUnsafeMutableBufferPointer { vb in
        grad.withUnsafeBufferPointer { gb in
          let w = SendablePointer(wb.baseAddress!)
          let v = SendablePointer(vb.baseAddress!)
          let g = SendablePointer(UnsafeMutablePointer(mutating: gb.baseAddress!))
          Parallel.forEachChunk(count: count, chunkSize: chunkRows * 16) { _, range in
            for j in range {
              let gj = coef * g.base[j] + wd * w.base[j]
              let vj = mu * v.base[j] + gj
              v.base[j] = vj
              w.base[j] -= lr * (gj + mu * vj)
            }
          }
        }
      }
    }
  }
}

#if canImport(Glibc)
  import Glibc
#else
  import Foundation
#endif
