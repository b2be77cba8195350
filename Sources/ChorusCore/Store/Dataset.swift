// A whole dataset in memory: playlists (CSR), their pids and names, the catalogue, and the
// data warnings counted while reading. Every reader produces one; every writer takes one.

/// Counts of data problems that were repaired while reading, summarised once, never per line.
public struct DataWarnings: Sendable, Equatable, Codable {
  /// Within-playlist repeats dropped (first occurrence kept).
  public var duplicatesDropped = 0
  /// Tracks whose artist was missing (filed under the "unknown" artist).
  public var missingArtist = 0
  /// Playlists without a name.
  public var missingName = 0
  /// Session rows skipped because they had no item.
  public var emptyRows = 0

  public init() {}

  public static func + (a: DataWarnings, b: DataWarnings) -> DataWarnings {
    var c = a
    c.duplicatesDropped += b.duplicatesDropped
    c.missingArtist += b.missingArtist
    c.missingName += b.missingName
    c.emptyRows += b.emptyRows
    return c
  }

  /// One human-readable line per non-zero counter.
  public var lines: [String] {
    var out: [String] = []
    if duplicatesDropped > 0 {
      out.append("\(duplicatesDropped) within-playlist repeats dropped (first occurrence kept)")
    }
    if missingArtist > 0 {
      out.append("\(missingArtist) tracks had no artist (filed as 'unknown')")
    }
    if missingName > 0 { out.append("\(missingName) playlists had no name") }
    if emptyRows > 0 { out.append("\(emptyRows) session rows had no item and were skipped") }
    return out
  }
}

/// Playlists plus catalogue plus provenance.
public struct Dataset: Sendable, Equatable {
  public var playlists: PlaylistStore
  /// Per playlist: its external id (MPD `pid`; the line or session index elsewhere).
  public var pids: [Int64]
  /// Per playlist: its name ("" when unknown).
  public var names: StringPool
  public var catalogue: Catalogue
  public var warnings: DataWarnings

  public init(
    playlists: PlaylistStore, pids: [Int64], names: StringPool, catalogue: Catalogue,
    warnings: DataWarnings = DataWarnings()
  ) {
    precondition(pids.count == playlists.count && names.count == playlists.count)
    self.playlists = playlists
    self.pids = pids
    self.names = names
    self.catalogue = catalogue
    self.warnings = warnings
  }

  public var playlistCount: Int { playlists.count }
  public var trackCount: Int { catalogue.trackCount }
  public var artistCount: Int { catalogue.artistCount }

  /// Equality of content: playlists, pids, names and catalogue, ignoring warnings.
  public func sameContent(as other: Dataset) -> Bool {
    playlists == other.playlists && pids == other.pids && names == other.names
      && catalogue == other.catalogue
  }
}
