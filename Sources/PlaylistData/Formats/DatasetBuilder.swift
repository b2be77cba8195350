// Shared assembly line for every reader and the generator: catalogue interning, the CSR
// playlist builder (with repeat dropping), pids, names and warning counters. A reader feeds
// it track by track and closes each playlist; `finish()` yields the Dataset.
import ChorusCore

/// Accumulates a `Dataset` playlist by playlist.
public struct DatasetBuilder: Sendable {
  public var catalogue = CatalogueBuilder()
  private var store = PlaylistStoreBuilder(dedup: true)
  private var pids: [Int64] = []
  private var names = StringPool()
  /// Warning counters; readers add their own (missing artists, names, …).
  public var warnings = DataWarnings()

  public init() {}

  public var playlistCount: Int { pids.count }
  /// Entries in closed playlists plus the open one.
  public var entryCount: Int { store.entryCount }

  public mutating func reserve(playlists: Int, entries: Int) {
    store.reserve(playlists: playlists, entries: entries)
    pids.reserveCapacity(playlists)
  }

  /// Adds an already-interned track to the open playlist (repeats are dropped and counted).
  @inline(__always)
  public mutating func appendTrack(_ t: Int32) { store.appendTrack(t) }

  /// Interns a track by its raw fields and appends it to the open playlist.
  @inline(__always)
  public mutating func appendTrack(
    id: UnsafeRawBufferPointer, name: UnsafeRawBufferPointer, artistKey: UnsafeRawBufferPointer,
    artistName: UnsafeRawBufferPointer
  ) {
    let t = catalogue.addTrack(id: id, name: name, artistKey: artistKey, artistName: artistName)
    store.appendTrack(t)
  }

  /// String convenience (text/session readers, tests).
  public mutating func appendTrack(
    id: String, name: String = "", artist: String = "", artistName: String = ""
  ) {
    store.appendTrack(
      catalogue.addTrack(id: id, name: name, artist: artist, artistName: artistName))
  }

  /// Closes the open playlist with its pid and name; returns its length after dropping repeats.
  @discardableResult
  public mutating func endPlaylist(pid: Int64, name: String) -> Int {
    pids.append(pid)
    names.append(name)
    return store.endPlaylist()
  }

  /// Raw-bytes variant of `endPlaylist(pid:name:)`.
  @discardableResult
  public mutating func endPlaylist(pid: Int64, name: UnsafeRawBufferPointer) -> Int {
    pids.append(pid)
    names.append(bytes: name)
    return store.endPlaylist()
  }

  /// Drops the tracks added since the last closed playlist.
  public mutating func abandonPlaylist() { store.abandonPlaylist() }

  public func finish() -> Dataset {
    var w = warnings
    w.duplicatesDropped += store.duplicatesDropped
    return Dataset(
      playlists: store.finish(), pids: pids, names: names, catalogue: catalogue.finish(),
      warnings: w)
  }
}
