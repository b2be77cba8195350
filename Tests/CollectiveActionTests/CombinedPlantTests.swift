// Several collectives' plantings combined: hand-built cases for the order of two songs in one
// playlist, one planting alone reproducing its own new playlists, and a collective restricted
// to the members that follow its plan.
import ChorusCore
import ChorusTestSupport
import CollectiveAction
import PlaylistData
import Testing

@Suite struct CombinedPlantTests {
  /// Playlists [1 2 3], [4 5], [6 7 8].
  let store = PlaylistStore(offsets: [0, 3, 5, 8], tracks: [1, 2, 3, 4, 5, 6, 7, 8])

  /// A planting of `target` at `positions` (playlist → position), built by hand.
  func plant(_ target: Int32, _ positions: [(Int, Int)]) -> PlantResult {
    var offsets = [0]
    var tracks: [Int32] = []
    var edits: [PlantEdit] = []
    for (p, position) in positions {
      var row = Array(store[p])
      row.insert(target, at: position)
      tracks += row
      offsets.append(tracks.count)
      edits.append(
        PlantEdit(
          playlist: p, position: position, directAnchor: position > 0 ? row[position - 1] : -1,
          indirectAnchor: position + 1 < row.count ? row[position + 1] : -1))
    }
    return PlantResult(
      strategy: .random, target: target, collective: positions.map(\.0),
      old: store.subset(positions.map(\.0)), new: PlaylistStore(offsets: offsets, tracks: tracks),
      edits: edits)
  }

  @Test func twoSongsInOnePlaylistKeepTheirPositionsEarlierCollectiveFirst() {
    let a = plant(10, [(0, 1), (2, 3)])
    let b = plant(11, [(0, 1), (1, 0)])
    let combined = CombinedPlant([a, b], store: store)
    #expect(combined.collective == [0, 2, 1])
    #expect(Array(combined.new[0]) == [1, 10, 11, 2, 3])
    #expect(Array(combined.new[1]) == [6, 7, 8, 10])
    #expect(Array(combined.new[2]) == [11, 4, 5])
    #expect(combined.old == store.subset([0, 2, 1]))
    // The other order of the collectives puts the other song first.
    #expect(Array(CombinedPlant([b, a], store: store).new[0]) == [1, 11, 10, 2, 3])
    // Spliced into a training set of rows 2, 1: only those rows, in that order.
    let training = combined.applied(to: store, rows: [2, 1])
    #expect(Array(training[0]) == [6, 7, 8, 10])
    #expect(Array(training[1]) == [11, 4, 5])
  }

  @Test func onePlantingAloneIsItsOwnNewPlaylists() {
    let a = plant(10, [(2, 0), (0, 3)])
    let combined = CombinedPlant([a], store: store)
    #expect(combined.collective == a.collective)
    #expect(combined.new == a.new)
    #expect(combined.old == a.old)
    #expect(combined.applied(to: store, rows: [0, 1, 2]) == a.applied(to: store))
  }

  @Test func restrictedKeepsOnlyTheFollowers() {
    let a = plant(10, [(0, 1), (1, 2), (2, 0)])
    let r = a.restricted(to: [true, false, true])
    #expect(r.collective == [0, 2])
    #expect(r.edits == [a.edits[0], a.edits[2]])
    #expect(Array(r.new[1]) == [10, 6, 7, 8])
    #expect(Array(r.applied(to: store)[1]) == [4, 5])
    let none = a.restricted(to: [false, false, false])
    #expect(none.collective.isEmpty)
    #expect(CombinedPlant([none], store: store).collective.isEmpty)
  }
}
