// The playlists of a dataset as one CSR store: `offsets` + `tracks`. Never arrays of arrays:
// 1M playlists cost two allocations, and a scan over all entries is one linear pass.
// The builder drops within-playlist repeats (first occurrence kept) and counts them.

/// Playlists in compressed sparse row form; track ids are dense `Int32` catalogue ids.
public struct PlaylistStore: Sendable, Equatable {
  /// `count + 1` entry offsets; playlist p is `tracks[offsets[p]..<offsets[p+1]]`.
  public private(set) var offsets: [Int]
  /// All entries, playlist after playlist, in playlist order. Dense track ids.
  public private(set) var tracks: [Int32]

  public init() {
    offsets = [0]
    tracks = []
  }

  /// Builds a store from raw CSR parts (already deduplicated and validated).
  public init(offsets: [Int], tracks: [Int32]) {
    precondition(offsets.first == 0 && offsets.last == tracks.count, "inconsistent CSR store")
    self.offsets = offsets
    self.tracks = tracks
  }

  /// Number of playlists.
  @inline(__always) public var count: Int { offsets.count - 1 }
  /// Number of entries (sum of playlist lengths).
  @inline(__always) public var entryCount: Int { tracks.count }

  /// Length of playlist p (its number of distinct tracks).
  @inline(__always) public func length(_ p: Int) -> Int { offsets[p + 1] - offsets[p] }

  /// The tracks of playlist p, in order.
  @inline(__always) public subscript(p: Int) -> ArraySlice<Int32> {
    tracks[offsets[p]..<offsets[p + 1]]
  }

  /// Calls `body` with the tracks of playlist p as a buffer (no copy).
  @inline(__always)
  public func withPlaylist<R>(_ p: Int, _ body: (UnsafeBufferPointer<Int32>) throws -> R)
    rethrows -> R
  {
    let start = offsets[p]
    let end = offsets[p + 1]
    return try tracks.withUnsafeBufferPointer { buf in
      try body(UnsafeBufferPointer(rebasing: buf[start..<end]))
    }
  }

  /// The playlists as arrays (tests and small data only).
  public var arrays: [[Int32]] { (0..<count).map { Array(self[$0]) } }

  /// A new store holding the playlists `indices`, in that order.
  public func subset(_ indices: [Int]) -> PlaylistStore {
    var b = PlaylistStoreBuilder(dedup: false)
    b.reserve(playlists: indices.count, entries: indices.reduce(0) { $0 + length($1) })
    for p in indices { withPlaylist(p) { b.append($0) } }
    return b.finish()
  }
}

/// Appends playlists one by one into a `PlaylistStore`, dropping repeats within a playlist.
public struct PlaylistStoreBuilder: Sendable {
  private var offsets: [Int] = [0]
  private var tracks: [Int32] = []
  /// Per track: 1 + index of the last playlist that contained it (0 = never). Grows on demand.
  private var lastSeen: [Int32] = []
  private let dedup: Bool
  /// Number of within-playlist repeats dropped so far.
  public private(set) var duplicatesDropped = 0

  public init(dedup: Bool = true) { self.dedup = dedup }

  public var count: Int { offsets.count - 1 }
  public var entryCount: Int { tracks.count }

  public mutating func reserve(playlists: Int, entries: Int) {
    offsets.reserveCapacity(playlists + 1)
    tracks.reserveCapacity(entries)
  }

  /// Appends one track to the playlist being built (call `endPlaylist()` after the last).
  @inline(__always)
  public mutating func appendTrack(_ t: Int32) {
    if dedup {
      let ti = Int(t)
      if ti >= lastSeen.count {
        lastSeen.append(
          contentsOf: repeatElement(0, count: max(ti + 1 - lastSeen.count, lastSeen.count)))
      }
      let stamp = Int32(truncatingIfNeeded: offsets.count)
      if lastSeen[ti] == stamp {
        duplicatesDropped += 1
        return
      }
      lastSeen[ti] = stamp
    }
    tracks.append(t)
  }

  /// Closes the current playlist; returns its length after deduplication.
  @discardableResult
  public mutating func endPlaylist() -> Int {
    let len = tracks.count - offsets[offsets.count - 1]
    offsets.append(tracks.count)
    return len
  }

  /// Discards the tracks appended since the last `endPlaylist()`.
  public mutating func abandonPlaylist() {
    tracks.removeLast(tracks.count - offsets[offsets.count - 1])
  }

  /// Appends a whole playlist.
  public mutating func append<C: Collection>(_ playlist: C) where C.Element == Int32 {
    for t in playlist { appendTrack(t) }
    endPlaylist()
  }

  public func finish() -> PlaylistStore { PlaylistStore(offsets: offsets, tracks: tracks) }
}
