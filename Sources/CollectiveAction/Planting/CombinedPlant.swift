// Several collectives in one training set. Each collective's placements come from the planting
// core on the original playlists (the collectives act at the same time; none sees another's
// song), and this file only combines them: a playlist in two collectives holds both songs, each
// at the position its collective chose in the original playlist, the earlier collective's song
// first where both chose the same position. Also: a collective of which only some members act.
import ChorusCore

extension PlantResult {
  /// The same planting with only the rows where `keep` is true (in collective order): the
  /// members that follow the plan under noisy coordination; the others keep their playlists
  /// unchanged. Placements are those of the whole collective (its counts c included).
  /// - Precondition: `keep` has one entry per collective playlist.
  public func restricted(to keep: [Bool]) -> PlantResult {
    precondition(keep.count == collective.count, "one keep flag per collective playlist")
    let rows = (0..<collective.count).filter { keep[$0] }
    return PlantResult(
      strategy: strategy, target: target, collective: rows.map { collective[$0] },
      old: old.subset(rows), new: new.subset(rows), edits: rows.map { edits[$0] })
  }
}

/// The playlists several collectives rewrote, before and after, as one exact update.
public struct CombinedPlant: Sendable, Equatable {
  /// The rewritten playlists (indices of the store), in order of first appearance: the first
  /// collective's playlists in its order, then the next collective's new ones, …
  public let collective: [Int]
  /// Row i: playlist `collective[i]` as it was.
  public let old: PlaylistStore
  /// Row i: playlist `collective[i]` with every collective's song inserted.
  public let new: PlaylistStore

  /// Combines `plants` (in collective order), each computed on the original playlists of
  /// `store`.
  /// - Precondition: two plants that edit the same playlist promote different songs (a
  ///   playlist holds each song at most once; specs with overlapping collectives of one
  ///   target are refused before this).
  /// - Complexity: O(entries of the rewritten playlists + edits · log edits).
  public init(_ plants: [PlantResult], store: PlaylistStore) {
    var rowOf: [Int: Int] = [:]
    var playlists: [Int] = []
    var inserts: [[(position: Int, order: Int, target: Int32)]] = []
    for (order, plant) in plants.enumerated() {
      for e in plant.edits {
        let row: Int
        if let r = rowOf[e.playlist] {
          row = r
        } else {
          row = playlists.count
          rowOf[e.playlist] = row
          playlists.append(e.playlist)
          inserts.append([])
        }
        precondition(
          !inserts[row].contains { $0.target == plant.target },
          "two collectives insert the same song into playlist \(e.playlist)")
        inserts[row].append((e.position, order, plant.target))
      }
    }
    var offsets = [0]
    var tracks: [Int32] = []
    for (row, p) in playlists.enumerated() {
      let songs = inserts[row].sorted { ($0.position, $0.order) < ($1.position, $1.order) }
      var next = 0
      let original = store[p]
      for (i, t) in original.enumerated() {
        while next < songs.count, songs[next].position <= i {
          tracks.append(songs[next].target)
          next += 1
        }
        tracks.append(t)
      }
      while next < songs.count {
        tracks.append(songs[next].target)
        next += 1
      }
      offsets.append(tracks.count)
    }
    collective = playlists
    old = store.subset(playlists)
    new = PlaylistStore(offsets: offsets, tracks: tracks)
  }

  /// A store whose row r is playlist `rows[r]` of `store`, the rewritten playlists in their
  /// new versions; `rows = split.training` gives the training set with every collective.
  public func applied(to store: PlaylistStore, rows: [Int]) -> PlaylistStore {
    PlantResult.splice(new, at: collective, into: store, rows: rows)
  }
}
