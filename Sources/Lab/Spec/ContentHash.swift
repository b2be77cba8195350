// The hashes that identify what determines a study's numbers: FNV-1a over a spec's canonical
// JSON, and a 64-bit hash of a loaded dataset's arrays (playlists, pids, catalogue ids),
// computed in memory once the data is loaded — never by rereading the input files.
import ChorusCore
import Foundation

/// 64-bit content hashes.
public enum ContentHash {
  /// FNV-1a over bytes (for short texts such as a spec).
  public static func fnv1a(_ data: Data) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for b in data {
      h ^= UInt64(b)
      h = h &* 0x0000_0100_0000_01B3
    }
    return h
  }

  /// 16 lower-case hex digits.
  public static func hex(_ h: UInt64) -> String {
    let s = String(h, radix: 16)
    return String(repeating: "0", count: 16 - s.count) + s
  }

  /// A streaming hash over byte sections: each 8-byte word goes through a bijective mixer
  /// (splitmix64's finaliser) chained on the state, so changing any single word — any bit —
  /// always changes the result; each section's length is mixed in too.
  public struct Hasher64 {
    private var state: UInt64 = 0x6A09_E667_F3BC_C908
    public init() {}

    @inline(__always) static func mix(_ x: UInt64) -> UInt64 {
      var z = x &+ 0x9E37_79B9_7F4A_7C15
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }

    /// Adds one section of bytes (any length).
    public mutating func add(_ raw: UnsafeRawBufferPointer) {
      var h = Self.mix(state ^ UInt64(raw.count))
      let whole = raw.count & ~7
      var i = 0
      while i < whole {
        h = Self.mix(h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
        i += 8
      }
      if whole < raw.count {
        var tail: UInt64 = 0
        for j in whole..<raw.count { tail |= UInt64(raw[j]) << (8 * UInt64(j - whole)) }
        h = Self.mix(h ^ tail)
      }
      state = h
    }

    /// Adds the bytes of an array of plain values.
    public mutating func add<T: BitwiseCopyable>(_ values: [T]) {
      values.withUnsafeBytes { add($0) }
    }

    public var value: UInt64 { Self.mix(state) }
  }
}

/// What identifies a loaded dataset: its sizes and a content hash of its playlists (offsets
/// and tracks), pids and catalogue ids (track ids, track artists, artist ids).
public struct DatasetIdentity: Codable, Sendable, Equatable, CustomStringConvertible {
  public var playlists: Int
  public var entries: Int
  public var tracks: Int
  /// `ContentHash.Hasher64` over the arrays, as 16 hex digits.
  public var hash: String

  public init(playlists: Int, entries: Int, tracks: Int, hash: String) {
    self.playlists = playlists
    self.entries = entries
    self.tracks = tracks
    self.hash = hash
  }

  /// The identity of `dataset`, from memory. O(entries + catalogue bytes).
  public init(_ dataset: Dataset) {
    var h = ContentHash.Hasher64()
    h.add(dataset.playlists.offsets)
    h.add(dataset.playlists.tracks)
    h.add(dataset.pids)
    h.add(dataset.catalogue.trackIDs.offsets)
    h.add(dataset.catalogue.trackIDs.bytes)
    h.add(dataset.catalogue.trackArtist)
    h.add(dataset.catalogue.artistIDs.offsets)
    h.add(dataset.catalogue.artistIDs.bytes)
    self.init(
      playlists: dataset.playlistCount, entries: dataset.playlists.entryCount,
      tracks: dataset.trackCount, hash: ContentHash.hex(h.value))
  }

  public var description: String {
    "\(playlists) playlists, \(entries) entries, \(tracks) tracks, content hash \(hash)"
  }
}
