// The numbers a robustness study explains amplification with: size, density, the long tail and
// concentration of a dataset, each one number with a fixed name. Computed from the playlists
// and the catalogue alone, so any dataset (synthetic, MPD, a subsample) gets the same columns.
import ChorusCore
import Foundation

/// Named characteristics of one dataset.
public struct DatasetCharacteristics: Sendable, Codable, Equatable {
  /// Every characteristic's name, in column order.
  public static let names = [
    "log10_playlists", "log10_tracks", "density", "share_once", "track_gini", "artist_gini",
    "mean_length",
  ]

  /// log10 of the number of playlists.
  public var log10Playlists: Double
  /// log10 of the number of distinct tracks that occur in a playlist.
  public var log10Tracks: Double
  /// entries / (playlists · occurring tracks): the filled share of the playlist × track matrix.
  public var density: Double
  /// Share of occurring tracks that are in exactly one playlist.
  public var shareOnce: Double
  /// Gini coefficient of the occurring tracks' playlist counts.
  public var trackGini: Double
  /// Gini coefficient of the occurring artists' entry counts.
  public var artistGini: Double
  /// Mean playlist length (entries / playlists).
  public var meanLength: Double

  /// - Complexity: O(entries + tracks log tracks).
  public init(dataset: Dataset) {
    let store = dataset.playlists
    let frequency = store.trackFrequencies(trackCount: dataset.catalogue.trackCount)
    var artistEntries = [Double](repeating: 0, count: dataset.catalogue.artistCount)
    var occurring: [Double] = []
    for (t, f) in frequency.enumerated() where f > 0 {
      occurring.append(Double(f))
      artistEntries[Int(dataset.catalogue.trackArtist[t])] += Double(f)
    }
    let playlists = Double(store.count)
    let tracks = Double(occurring.count)
    let entries = Double(store.entryCount)
    log10Playlists = playlists > 0 ? log10(playlists) : 0
    log10Tracks = tracks > 0 ? log10(tracks) : 0
    density = playlists > 0 && tracks > 0 ? entries / (playlists * tracks) : 0
    shareOnce = tracks > 0 ? Double(occurring.lazy.filter { $0 == 1 }.count) / tracks : 0
    trackGini = Gini.coefficient(sortedAscending: occurring.sorted())
    artistGini = Gini.coefficient(sortedAscending: artistEntries.filter { $0 > 0 }.sorted())
    meanLength = playlists > 0 ? entries / playlists : 0
  }

  /// The values in the order of `names`.
  public var values: [Double] {
    [log10Playlists, log10Tracks, density, shareOnce, trackGini, artistGini, meanLength]
  }

  /// The value named `name` (one of `names`), or nil.
  public func value(_ name: String) -> Double? {
    Self.names.firstIndex(of: name).map { values[$0] }
  }
}
