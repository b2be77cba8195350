// Planting s* into every collective playlist (Experiments/PROTOCOL.md §2–3): validate the inputs,
// count c over the collective when the strategy needs it, then place s* playlist by playlist in
// parallel chunks, writing the new versions straight into one preallocated CSR buffer. Each
// playlist's placement depends only on shared read-only tables and its own random stream, so the
// result is identical on any thread count. Touches no other playlist.
import ChorusCore

/// Carries out a placement strategy (Baumann & Mendler-Dünner 2024) on a collective.
public enum Planting {
  /// Collective playlists per parallel chunk.
  static let chunkSize = 512

  /// Inserts `target` exactly once into each playlist of `collective`, where `strategy`
  /// says, keeping the other songs in order.
  ///
  /// - Parameters:
  ///   - store: the playlists (whole dataset or any store the indices refer to).
  ///   - collective: indices into `store`, distinct; row i of the result is `collective[i]`.
  ///   - target: the id of s*; must occur in no collective playlist.
  ///   - statistics: the collective's estimates f; must cover every track of the collective.
  ///   - seed: the fold seed; random choices use the streams
  ///     (seed, "plant.<strategy name>", playlist index).
  /// - Throws: `ChorusError(.config)` for an empty collective, an index out of range or
  ///   repeated, s* already in a collective playlist, or statistics too small.
  /// - Complexity: O(entries of the collective + trackCount) when the strategy uses c
  ///   (plus O(n log n) for InClust(k)); O(entries of the collective) otherwise.
  public static func plant(
    strategy: Strategy, store: PlaylistStore, collective: ArraySlice<Int>, target: Int32,
    statistics: FrequencyEstimate, seed: UInt64
  ) throws -> PlantResult {
    let members = Array(collective)
    try validate(members: members, store: store, target: target, statistics: statistics)
    let old = store.subset(members)
    let trackCount = statistics.trackCount
    let counts: [Int32] =
      strategy.usesCollectiveCounts
      ? SongCounts.count(in: old, playlists: 0..<old.count, trackCount: trackCount) : []
    let agreed: [UInt8]
    if case .inClustTop(let k) = strategy {
      agreed = Placement.agreedSet(counts: counts, k: k)
    } else {
      agreed = []
    }

    var offsets = [Int](repeating: 0, count: members.count + 1)
    for i in 0..<members.count { offsets[i + 1] = offsets[i] + old.length(i) + 1 }
    let total = offsets[members.count]
    let starts = offsets
    let estimates = statistics.estimates
    let component = "plant." + strategy.name
    var edits: [PlantEdit] = []
    let tracks = [Int32](unsafeUninitializedCapacity: total) { buffer, initialized in
      let out = SendablePointer(buffer.baseAddress!)
      let parts = Parallel.mapChunks(count: members.count, chunkSize: chunkSize) { _, range in
        estimates.withUnsafeBufferPointer { est in
          counts.withUnsafeBufferPointer { c in
            agreed.withUnsafeBufferPointer { a in
              let context = PlacementContext(
                strategy: strategy, estimates: est, counts: c, agreed: a, seed: seed,
                component: component)
              var local: [PlantEdit] = []
              local.reserveCapacity(range.count)
              for i in range {
                local.append(
                  old.withPlaylist(i) { playlist in
                    insert(
                      target, into: playlist, index: members[i], context: context,
                      output: out.base + starts[i])
                  })
              }
              return local
            }
          }
        }
      }
      edits = parts.flatMap { $0 }
      initialized = total
    }
    return PlantResult(
      strategy: strategy, target: target, collective: members, old: old,
      new: PlaylistStore(offsets: offsets, tracks: tracks), edits: edits)
  }

  /// Places s* in one playlist and writes the new version (L + 1 entries) at `output`.
  @inline(__always)
  static func insert(
    _ target: Int32, into playlist: UnsafeBufferPointer<Int32>, index: Int,
    context: PlacementContext, output: UnsafeMutablePointer<Int32>
  ) -> PlantEdit {
    let length = playlist.count
    let (position, targeted) = Placement.position(in: playlist, index: index, context: context)
    precondition(position >= 0 && position <= length, "placement out of range")
    if let base = playlist.baseAddress {
      output.initialize(from: base, count: position)
      (output + position + 1).initialize(from: base + position, count: length - position)
    }
    (output + position).initialize(to: target)
    return PlantEdit(
      playlist: index, position: position,
      directAnchor: position > 0 ? playlist[position - 1] : -1,
      indirectAnchor: position < length ? playlist[position] : -1, targeted: targeted)
  }

  /// Checks the collective and the target before anything is computed.
  static func validate(
    members: [Int], store: PlaylistStore, target: Int32, statistics: FrequencyEstimate
  ) throws {
    guard !members.isEmpty else {
      throw ChorusError(
        .config, "the collective is empty", field: "budget",
        hint: "use a budget of at least 1 playlist")
    }
    var seen = [Bool](repeating: false, count: store.count)
    for p in members {
      guard p >= 0, p < store.count else {
        throw ChorusError(
          .config, "collective playlist \(p) is out of range (the store has \(store.count))",
          field: "collective")
      }
      guard !seen[p] else {
        throw ChorusError(
          .config, "playlist \(p) appears twice in the collective", field: "collective")
      }
      seen[p] = true
    }
    guard target >= 0 else {
      throw ChorusError(.config, "the target id \(target) is negative", field: "target")
    }
    var largest: Int32 = -1
    for p in members {
      let (top, holdsTarget) = store.withPlaylist(p) { tracks -> (Int32, Bool) in
        var top: Int32 = -1
        var holds = false
        for t in tracks {
          top = max(top, t)
          holds = holds || t == target
        }
        return (top, holds)
      }
      guard !holdsTarget else {
        throw ChorusError(
          .config, "playlist \(p) already contains the target track \(target)",
          field: "target", hint: "s* must be a brand-new track (see TargetTrack)")
      }
      largest = max(largest, top)
    }
    guard Int(largest) < statistics.trackCount else {
      throw ChorusError(
        .config,
        "the song statistics cover \(statistics.trackCount) tracks, "
          + "but the collective holds track \(largest)",
        field: "statistics", hint: "build the statistics for the dataset's catalogue")
    }
  }
}
