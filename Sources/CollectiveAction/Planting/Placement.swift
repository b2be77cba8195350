// Per-playlist placement: given one collective playlist and the shared read-only tables
// (estimates f, collective counts c, the agreed set of InClust(k)), the insertion position
// of s*. Small static kernels over raw buffers, one linear scan each; ties go to the
// earliest position because every comparison is strict. No allocation, no shared state.
import ChorusCore

/// Read-only inputs of one planting run, valid while the buffers they view are alive.
struct PlacementContext {
  let strategy: Strategy
  /// Per track: the estimate f (`.nan` = unknown).
  let estimates: UnsafeBufferPointer<Double>
  /// Per track: c, the number of collective playlists containing it (empty when unused).
  let counts: UnsafeBufferPointer<Int32>
  /// Per track: 1 when in the agreed top-k set of InClust(k) (empty when unused).
  let agreed: UnsafeBufferPointer<UInt8>
  /// The fold seed and the stream component `plant.<strategy name>`.
  let seed: UInt64
  let component: String
}

/// Placement kernels (strategies of Baumann & Mendler-Dünner 2024; Experiments/PROTOCOL.md §3).
enum Placement {
  /// The insertion position of s* in `playlist` (0 = before the first song, L = after the
  /// last). `index` is the playlist's index in the dataset: it keys the random stream
  /// (seed, component, index), so a playlist is placed the same way in every collective and
  /// on any thread count.
  /// - Complexity: O(L).
  static func position(
    in playlist: UnsafeBufferPointer<Int32>, index: Int, context: PlacementContext
  ) -> (position: Int, targeted: AnchorKind) {
    let length = playlist.count
    if length == 0 { return (0, .direct) }
    func stream() -> RandomStream {
      RandomStream(seed: context.seed, component: context.component, chunk: UInt64(index))
    }
    /// After the lowest-f song; after a random song when no song has an estimate.
    func directLowest() -> Int {
      let a = lowestEstimate(playlist, context.estimates)
      if a >= 0 { return a + 1 }
      var rng = stream()
      return rng.nextInt(below: length) + 1
    }
    switch context.strategy {
    case .dirLoF:
      return (directLowest(), .direct)
    case .dirLoFTarget(let x):
      let a = lowestEstimateAtTargetShare(playlist, context.estimates, context.counts, x)
      return (a >= 0 ? a + 1 : directLowest(), .direct)
    case .inClust:
      return (highestCount(playlist, context.counts), .indirect)
    case .inClustTop:
      let a = highestAgreed(playlist, context.counts, context.agreed)
      return (a >= 0 ? a : highestCount(playlist, context.counts), .indirect)
    case .hybrid(let tau):
      let a = highestCount(playlist, context.counts)
      return Int(context.counts[Int(playlist[a])]) >= tau
        ? (a, .indirect) : (directLowest(), .direct)
    case .random:
      var rng = stream()
      return (rng.nextInt(below: length) + 1, .direct)
    case .atTheEnd:
      return (length, .direct)
    case .atTheBeginning:
      return (0, .indirect)
    case .insertAt(let i):
      return (min(i, length), i == 0 ? .indirect : .direct)
    case .randomIn(let first, let last):
      let lo = min(first, length)
      let hi = min(last, length)
      var rng = stream()
      let p = lo + rng.nextInt(below: hi - lo + 1)
      return (p, p == 0 ? .indirect : .direct)
    case .randomInLast(let n):
      let lo = max(0, length - n)
      var rng = stream()
      return (lo + rng.nextInt(below: length - lo) + 1, .direct)
    }
  }

  /// Index of the song with the lowest known estimate (earliest on ties), or -1 when no song
  /// has one. NaN (unknown) never compares smaller, so it is skipped without a branch.
  @inline(__always)
  static func lowestEstimate(
    _ playlist: UnsafeBufferPointer<Int32>, _ estimates: UnsafeBufferPointer<Double>
  ) -> Int {
    var best = Double.infinity
    var at = -1
    for i in 0..<playlist.count {
      let v = estimates[Int(playlist[i])]
      if v < best {
        best = v
        at = i
      }
    }
    return at
  }

  /// DirLoF-target x: the largest m ≤ x such that some song with a known estimate has c = m,
  /// then the lowest estimate among the songs with c = m (earliest on ties); -1 when every
  /// song has c > x or no estimate. Two scans instead of one per m.
  @inline(__always)
  static func lowestEstimateAtTargetShare(
    _ playlist: UnsafeBufferPointer<Int32>, _ estimates: UnsafeBufferPointer<Double>,
    _ counts: UnsafeBufferPointer<Int32>, _ x: Int
  ) -> Int {
    var share = 0
    for t in playlist {
      let c = Int(counts[Int(t)])
      if c <= x && c > share && !estimates[Int(t)].isNaN { share = c }
    }
    if share == 0 { return -1 }
    var best = Double.infinity
    var at = -1
    for i in 0..<playlist.count {
      let t = Int(playlist[i])
      let v = estimates[t]
      if Int(counts[t]) == share && v < best {
        best = v
        at = i
      }
    }
    return at
  }

  /// Index of the song with the highest c (earliest on ties); the playlist is not empty.
  @inline(__always)
  static func highestCount(
    _ playlist: UnsafeBufferPointer<Int32>, _ counts: UnsafeBufferPointer<Int32>
  ) -> Int {
    var best: Int32 = -1
    var at = 0
    for i in 0..<playlist.count {
      let c = counts[Int(playlist[i])]
      if c > best {
        best = c
        at = i
      }
    }
    return at
  }

  /// Index of the agreed song with the highest c (earliest on ties), or -1 when the playlist
  /// holds none of the agreed songs.
  @inline(__always)
  static func highestAgreed(
    _ playlist: UnsafeBufferPointer<Int32>, _ counts: UnsafeBufferPointer<Int32>,
    _ agreed: UnsafeBufferPointer<UInt8>
  ) -> Int {
    var best: Int32 = -1
    var at = -1
    for i in 0..<playlist.count {
      let t = Int(playlist[i])
      if agreed[t] != 0 && counts[t] > best {
        best = counts[t]
        at = i
      }
    }
    return at
  }

  /// Membership flags (per track, UInt8) of the collective's k most frequent songs: by c
  /// descending, ties by lower track id. Songs with c = 0 are never agreed on.
  /// - Complexity: O(trackCount + n log n) for the n songs the collective holds.
  static func agreedSet(counts: [Int32], k: Int) -> [UInt8] {
    var keys: [UInt64] = []
    for t in 0..<counts.count where counts[t] > 0 {
      // Sorting ascending by (Int32.max − c, t) puts high c first, then low ids.
      keys.append(UInt64(UInt32(Int32.max - counts[t])) << 32 | UInt64(t))
    }
    if keys.count > k {
      keys.sort()
      keys.removeSubrange(k...)
    }
    var flags = [UInt8](repeating: 0, count: counts.count)
    for key in keys { flags[Int(key & 0xFFFF_FFFF)] = 1 }
    return flags
  }
}
