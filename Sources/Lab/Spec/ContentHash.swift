// The hashes that identify what determines a study's numbers: FNV-1a over a spec's canonical
// JSON, and ChorusCore's ContentHash64 of a loaded dataset's arrays (playlists, pids,
// catalogue ids), computed in memory once the data is loaded — never by rereading the input.
import ChorusCore
import Foundation

/// 64-bit hashes as they appear in results files.
public enum ContentHash {
  /// FNV-1a over bytes (`stableHash`), for short texts such as a spec.
  public static func fnv1a(_ data: Data) -> UInt64 { stableHash(bytes: data) }

  /// 16 lower-case hex digits.
  public static func hex(_ h: UInt64) -> String {
    let s = String(h, radix: 16)
    return String(repeating: "0", count: 16 - s.count) + s
  }
}

/// What identifies a loaded dataset: its sizes and a content hash of its playlists (offsets
/// and tracks), pids and catalogue ids (track ids, track artists, artist ids).
///
/// Not the same thing as a saved model's `DatasetFingerprint` (Recommenders), which
/// identifies the training playlists a model saw — a store of ids without a catalogue, since
/// Recommenders knows no `Dataset` — and is part of the model file format. A study is pinned
/// to the whole dataset (renamed ids change its CSVs); a model only to its training rows.
public struct DatasetIdentity: Codable, Sendable, Equatable, CustomStringConvertible {
  public var playlists: Int
  public var entries: Int
  public var tracks: Int
  /// `ContentHash64` over the arrays (each preceded by its byte count), as 16 hex digits.
  public var hash: String

  public init(playlists: Int, entries: Int, tracks: Int, hash: String) {
    self.playlists = playlists
    self.entries = entries
    self.tracks = tracks
    self.hash = hash
  }

  /// The identity of `dataset`, from memory. O(entries + catalogue bytes).
  public init(_ dataset: Dataset) {
    var h = ContentHash64()
    /// One array as a section: its byte count, then its bytes, so that bytes cannot move
    /// between neighbouring arrays without changing the hash.
    func add<T: BitwiseCopyable>(_ values: [T]) {
      values.withUnsafeBytes { raw in
        var n = UInt64(raw.count)
        withUnsafeBytes(of: &n) { h.add($0) }
        h.add(raw)
      }
    }
    add(dataset.playlists.offsets)
    add(dataset.playlists.tracks)
    add(dataset.pids)
    add(dataset.catalogue.trackIDs.offsets)
    add(dataset.catalogue.trackIDs.bytes)
    add(dataset.catalogue.trackArtist)
    add(dataset.catalogue.artistIDs.offsets)
    add(dataset.catalogue.artistIDs.bytes)
    self.init(
      playlists: dataset.playlistCount, entries: dataset.playlists.entryCount,
      tracks: dataset.trackCount, hash: ContentHash.hex(h.value))
  }

  public var description: String {
    "\(playlists) playlists, \(entries) entries, \(tracks) tracks, content hash \(hash)"
  }
}
