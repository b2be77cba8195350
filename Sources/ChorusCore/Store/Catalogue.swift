// The catalogue: what the dense ids mean. Tracks have an external id (e.g. a Spotify URI),
// a name and an artist; artists have an external key and a name. Strings live only here,
// in StringPools; everything else in Chorus works on dense Int32 ids.

/// Tracks and artists of a dataset.
public struct Catalogue: Sendable, Equatable {
  /// External track ids (`spotify:track:…`, or any token in text/session formats).
  public var trackIDs: StringPool
  /// Track names ("" when unknown).
  public var trackNames: StringPool
  /// Per track: the dense artist id. Length = trackCount.
  public var trackArtist: [Int32]
  /// External artist keys (`artist_uri`, else `artist_name`, else "unknown").
  public var artistIDs: StringPool
  /// Artist names ("" when unknown).
  public var artistNames: StringPool

  public init(
    trackIDs: StringPool, trackNames: StringPool, trackArtist: [Int32], artistIDs: StringPool,
    artistNames: StringPool
  ) {
    precondition(trackIDs.count == trackNames.count && trackIDs.count == trackArtist.count)
    precondition(artistIDs.count == artistNames.count)
    self.trackIDs = trackIDs
    self.trackNames = trackNames
    self.trackArtist = trackArtist
    self.artistIDs = artistIDs
    self.artistNames = artistNames
  }

  public init() {
    self.init(
      trackIDs: StringPool(), trackNames: StringPool(), trackArtist: [], artistIDs: StringPool(),
      artistNames: StringPool())
  }

  public var trackCount: Int { trackArtist.count }
  public var artistCount: Int { artistIDs.count }
}

/// The artist key used when a track names no artist.
public let unknownArtistKey = "unknown"

/// Builds a catalogue while reading: interns track ids and artist keys in first-seen order.
/// The first occurrence of a track fixes its name and artist.
public struct CatalogueBuilder: Sendable {
  public private(set) var tracks = Interner(capacity: 1 << 16)
  public private(set) var artists = Interner(capacity: 1 << 12)
  private var trackNames = StringPool()
  private var artistNames = StringPool()
  private var trackArtist: [Int32] = []

  public init() {}

  public var trackCount: Int { tracks.count }

  /// Interns a track; on first sight records its name and artist (interning the artist).
  /// - Parameters:
  ///   - artistKey: `artist_uri`, else `artist_name`; empty means unknown.
  @inline(__always)
  public mutating func addTrack(
    id: UnsafeRawBufferPointer, name: UnsafeRawBufferPointer, artistKey: UnsafeRawBufferPointer,
    artistName: UnsafeRawBufferPointer
  ) -> Int32 {
    let (t, isNew) = tracks.intern(id)
    if isNew {
      trackNames.append(bytes: name)
      let a: Int32
      if artistKey.isEmpty {
        var k = unknownArtistKey
        a = k.withUTF8 { internArtist(key: UnsafeRawBufferPointer($0), name: artistName) }
      } else {
        a = internArtist(key: artistKey, name: artistName)
      }
      trackArtist.append(a)
    }
    return t
  }

  /// String convenience for small inputs and tests.
  public mutating func addTrack(
    id: String, name: String = "", artist: String = "", artistName: String = ""
  ) -> Int32 {
    var i = id
    var n = name
    var a = artist
    var an = artistName
    return i.withUTF8 { ib in
      n.withUTF8 { nb in
        a.withUTF8 { ab in
          an.withUTF8 { anb in
            addTrack(
              id: UnsafeRawBufferPointer(ib), name: UnsafeRawBufferPointer(nb),
              artistKey: UnsafeRawBufferPointer(ab), artistName: UnsafeRawBufferPointer(anb))
          }
        }
      }
    }
  }

  private mutating func internArtist(key: UnsafeRawBufferPointer, name: UnsafeRawBufferPointer)
    -> Int32
  {
    let (a, isNew) = artists.intern(key)
    if isNew { artistNames.append(bytes: name) }
    return a
  }

  public func finish() -> Catalogue {
    Catalogue(
      trackIDs: tracks.pool, trackNames: trackNames, trackArtist: trackArtist,
      artistIDs: artists.pool, artistNames: artistNames)
  }
}
