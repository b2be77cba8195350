// The outcome of planting: old and new versions of the collective's playlists (two small CSR
// stores, so a model can update exactly from old to new), the edit log, and helpers that
// splice the new versions into a full store (the whole dataset or the training set).
// Nothing here decides placements; Planting.swift does.
import ChorusCore

/// Which neighbour of s* a strategy aims at: the song before it (direct: DirLoF, Random,
/// AtTheEnd, …) or the song after it (indirect: InClust, AtTheBeginning). Hybrid decides per
/// playlist.
public enum AnchorKind: String, Sendable, Hashable, Codable {
  case direct
  case indirect
}

/// One edit: where s* went in one collective playlist.
public struct PlantEdit: Sendable, Hashable, Codable {
  /// The playlist's index in the dataset.
  public var playlist: Int
  /// Insertion position: index of s* in the new playlist = number of songs before it.
  public var position: Int
  /// The direct anchor: the track right before s*, or -1 at the beginning.
  public var directAnchor: Int32
  /// The indirect anchor: the track right after s*, or -1 at the end.
  public var indirectAnchor: Int32
  /// The anchor the strategy aimed at in this playlist.
  public var targeted: AnchorKind

  /// An edit; anchors are -1 where s* is first or last.
  public init(
    playlist: Int, position: Int, directAnchor: Int32, indirectAnchor: Int32,
    targeted: AnchorKind = .direct
  ) {
    self.playlist = playlist
    self.position = position
    self.directAnchor = directAnchor
    self.indirectAnchor = indirectAnchor
    self.targeted = targeted
  }

  /// The targeted anchor's track id (-1 when s* has no song on that side).
  public var targetedAnchor: Int32 { targeted == .direct ? directAnchor : indirectAnchor }
}

/// The collective's playlists before and after planting s*, and the edit log.
public struct PlantResult: Sendable, Equatable {
  /// The strategy that placed s*.
  public let strategy: Strategy
  /// The id of s*.
  public let target: Int32
  /// The collective's playlist indices in the dataset, in collective order.
  public let collective: [Int]
  /// Original versions: row i is playlist `collective[i]` as it was.
  public let old: PlaylistStore
  /// New versions: row i is playlist `collective[i]` with s* inserted once.
  public let new: PlaylistStore
  /// Edit i describes row i.
  public let edits: [PlantEdit]

  /// Assembles a result; the stores and the log must have one row per collective playlist.
  public init(
    strategy: Strategy, target: Int32, collective: [Int], old: PlaylistStore,
    new: PlaylistStore, edits: [PlantEdit]
  ) {
    precondition(old.count == collective.count && new.count == collective.count)
    precondition(edits.count == collective.count)
    self.strategy = strategy
    self.target = target
    self.collective = collective
    self.old = old
    self.new = new
    self.edits = edits
  }

  /// Playlists per parallel copy chunk.
  static let copyChunk = 4096

  /// The whole `store` with the collective's playlists replaced by their new versions.
  /// - Complexity: O(entries of `store`), copied in parallel chunks.
  public func applied(to store: PlaylistStore) -> PlaylistStore {
    applied(to: store, rows: Array(0..<store.count))
  }

  /// A store whose row r is playlist `rows[r]` of `store`, the collective's playlists in
  /// their new versions; e.g. `rows = split.training` gives the manipulated training set.
  /// - Complexity: O(entries of the rows), copied in parallel chunks.
  public func applied(to store: PlaylistStore, rows: [Int]) -> PlaylistStore {
    Self.splice(new, at: collective, into: store, rows: rows)
  }

  /// A store whose row r is playlist `rows[r]` of `store`, or its replacement when
  /// `collective` names it (row i of `new` replaces playlist `collective[i]`).
  /// - Complexity: O(entries of the rows), copied in parallel chunks.
  public static func splice(
    _ new: PlaylistStore, at collective: [Int], into store: PlaylistStore, rows: [Int]
  ) -> PlaylistStore {
    // Per dataset playlist: its row in `new`, or -1 when it is not in the collective.
    var replacement = [Int32](repeating: -1, count: store.count)
    for (i, p) in collective.enumerated() { replacement[p] = Int32(i) }
    var offsets = [Int](repeating: 0, count: rows.count + 1)
    for (r, p) in rows.enumerated() {
      let i = Int(replacement[p])
      offsets[r + 1] = offsets[r] + (i >= 0 ? new.length(i) : store.length(p))
    }
    let total = offsets[rows.count]
    let newStore = new
    let map = replacement
    let starts = offsets
    let tracks = [Int32](unsafeUninitializedCapacity: total) { buffer, initialized in
      if total > 0 {
        let out = SendablePointer(buffer.baseAddress!)
        Parallel.forEachChunk(count: rows.count, chunkSize: PlantResult.copyChunk) { _, range in
          rows.withUnsafeBufferPointer { rows in
            map.withUnsafeBufferPointer { map in
              store.withCSR { oldCSR in
                newStore.withCSR { newCSR in
                  starts.withUnsafeBufferPointer { starts in
                    PlantResult.copyKernel(
                      rows: UnsafeBufferPointer(rebasing: rows[range]),
                      starts: starts.baseAddress! + range.lowerBound, map: map, old: oldCSR,
                      new: newCSR, out: out.base)
                  }
                }
              }
            }
          }
        }
      }
      initialized = total
    }
    return PlaylistStore(offsets: offsets, tracks: tracks)
  }

  /// Copies each row from `new` (when `map` names a collective row) or `old` to `out`.
  @inline(__always)
  static func copyKernel(
    rows: UnsafeBufferPointer<Int>, starts: UnsafePointer<Int>,
    map: UnsafeBufferPointer<Int32>,
    old: RawCSR, new: RawCSR, out: UnsafeMutablePointer<Int32>
  ) {
    for r in 0..<rows.count {
      let p = rows[r]
      let i = Int(map[p])
      let (source, row) = i >= 0 ? (new, i) : (old, p)
      let start = source.offsets[row]
      let count = source.offsets[row + 1] - start
      if count > 0 { (out + starts[r]).initialize(from: source.tracks + start, count: count) }
    }
  }
}
