// The target song s*: a brand-new track with its own new artist (Experiments/PROTOCOL.md §2),
// appended at the end of a catalogue so that no existing track or artist id moves. Its id is the
// old track count. This file does not touch playlists; Planting puts s* into them.
import ChorusCore

/// The song the collective promotes: its external id, name and (new) artist.
public struct TargetTrack: Sendable, Hashable, Codable {
  /// External track id; must not name an existing track.
  public var id: String
  /// Track name shown in outputs.
  public var name: String
  /// External artist key; must not name an existing artist (s* has its own artist).
  public var artistKey: String
  /// Artist name shown in outputs.
  public var artistName: String

  /// The default external id of s*.
  public static let defaultID = "chorus:target:0"
  /// The default artist key of s*.
  public static let defaultArtistKey = "chorus:target-artist:0"

  /// A target; the defaults are the lab's s* (`chorus:target:0`, "Target song").
  public init(
    id: String = TargetTrack.defaultID, name: String = "Target song",
    artistKey: String = TargetTrack.defaultArtistKey, artistName: String = "Chorus collective"
  ) {
    self.id = id
    self.name = name
    self.artistKey = artistKey
    self.artistName = artistName
  }

  /// Appends s* and its artist to `catalogue` and returns the new track id (= the old
  /// `trackCount`). Every other track and artist keeps its id.
  /// - Throws: `ChorusError(.config, field: "target")` when the id or artist key is empty or
  ///   already in the catalogue.
  /// - Complexity: O(bytes of the catalogue's track ids and artist keys) for the checks.
  @discardableResult
  public func append(to catalogue: inout Catalogue) throws -> Int32 {
    guard !id.isEmpty, !artistKey.isEmpty else {
      throw ChorusError(
        .config, "the target song needs a non-empty id and artist key", field: "target")
    }
    if catalogue.trackIDs.contains(id) {
      throw ChorusError(
        .config, "the target id '\(id)' already names a track of the dataset", field: "target",
        hint: "s* must be a new song; choose another target id")
    }
    if catalogue.artistIDs.contains(artistKey) {
      throw ChorusError(
        .config, "the target artist '\(artistKey)' already exists in the dataset",
        field: "target", hint: "s* has its own artist; choose another artist key")
    }
    precondition(catalogue.trackCount < Int(Int32.max), "catalogue is full")
    let track = Int32(catalogue.trackCount)
    let artist = Int32(catalogue.artistCount)
    catalogue.trackIDs.append(id)
    catalogue.trackNames.append(name)
    catalogue.trackArtist.append(artist)
    catalogue.artistIDs.append(artistKey)
    catalogue.artistNames.append(artistName)
    return track
  }

  /// A copy of `catalogue` with s* appended, and the id of s*.
  /// - Complexity: O(size of the catalogue).
  public func appended(to catalogue: Catalogue) throws -> (catalogue: Catalogue, target: Int32) {
    var copy = catalogue
    let t = try append(to: &copy)
    return (copy, t)
  }
}

extension StringPool {
  /// Whether some string of the pool equals `text` byte for byte.
  /// - Complexity: O(total bytes of the pool).
  func contains(_ text: String) -> Bool {
    let needle = Array(text.utf8)
    let n = needle.count
    return bytes.withUnsafeBufferPointer { all in
      offsets.withUnsafeBufferPointer { off in
        needle.withUnsafeBufferPointer { nb in
          var i = 0
          while i < off.count - 1 {
            let start = off[i]
            if off[i + 1] - start == n {
              var same = true
              var k = 0
              while k < n {
                if all[start + k] != nb[k] {
                  same = false
                  break
                }
                k += 1
              }
              if same { return true }
            }
            i += 1
          }
          return false
        }
      }
    }
  }
}
