// The MPD schema on top of JSONScanner: root object → "playlists" array → playlist objects →
// "tracks" array → track objects. Needed fields are handed to the DatasetBuilder as raw byte
// slices (decoded into scratch buffers only when they hold escapes); every other key and
// value is skipped generically but still checked. No Strings or Arrays per field or track.

/// Parses one MPD slice held in memory into a `DatasetBuilder`.
struct MPDSliceParser {
  var scan: JSONScanner
  /// One decode buffer per field that must outlive the next string: keys, playlist name, and
  /// the four track fields.
  private let keyBuffer = DecodeBuffer()
  private let nameBuffer = DecodeBuffer()
  private let trackURIBuffer = DecodeBuffer()
  private let trackNameBuffer = DecodeBuffer()
  private let artistURIBuffer = DecodeBuffer()
  private let artistNameBuffer = DecodeBuffer()

  init(base: UnsafePointer<UInt8>, count: Int) {
    scan = JSONScanner(base: base, count: count)
  }

  private static var empty: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: nil, count: 0) }

  // MARK: - Root

  /// Parses the whole slice: one object holding a "playlists" array, then only whitespace.
  mutating func parseSlice(into builder: inout DatasetBuilder) throws(JSONParseFailure) {
    if scan.end - scan.p >= 3 && scan.p[0] == 0xEF && scan.p[1] == 0xBB && scan.p[2] == 0xBF {
      scan.p += 3  // a UTF-8 byte order mark
    }
    scan.skipWhitespace()
    guard scan.peek == UInt8(ascii: "{") else {
      if scan.atEnd {
        throw JSONParseFailure(
          offset: scan.offset, message: "the file holds no JSON value",
          hint: "an MPD slice is a JSON object with a 'playlists' array")
      }
      throw scan.failure(
        "expected '{': an MPD slice is a JSON object, found \(scan.describeValue())",
        hint: "pass an MPD slice file (mpd.slice.*.json) or a folder of them")
    }
    scan.p += 1
    var sawPlaylists = false
    var first = true
    while let key = try scan.nextKey(first: &first) {
      guard isKey(key, "playlists") else {
        try scan.skipValue(depth: 1)
        continue
      }
      if sawPlaylists {
        throw scan.failure("'playlists' appears twice in the slice", field: "playlists")
      }
      guard scan.peek == UInt8(ascii: "[") else { throw wrongType("playlists", "an array") }
      sawPlaylists = true
      scan.p += 1
      var firstPlaylist = true
      while try scan.nextElement(first: &firstPlaylist) {
        guard scan.peek == UInt8(ascii: "{") else {
          throw wrongType("playlists", "an array of objects (one per playlist)")
        }
        try parsePlaylist(into: &builder)
      }
    }
    guard sawPlaylists else {
      throw JSONParseFailure(
        offset: 0, message: "the slice has no 'playlists' array", field: "playlists",
        hint: "an MPD slice is a JSON object with a 'playlists' array")
    }
    scan.skipWhitespace()
    if !scan.atEnd {
      throw scan.failure(
        "unexpected data after the end of the JSON object",
        hint: "a slice holds exactly one JSON object; remove what follows it")
    }
  }

  /// The byte range (from `{` to `}` inclusive) and pid of every playlist object of the
  /// slice, in file order, for copying untouched playlists byte for byte. The slice must hold
  /// a "playlists" array of objects; other content is skipped but still checked.
  mutating func playlistSpans() throws(JSONParseFailure) -> [(pid: Int64?, bytes: Range<Int>)] {
    if scan.end - scan.p >= 3 && scan.p[0] == 0xEF && scan.p[1] == 0xBB && scan.p[2] == 0xBF {
      scan.p += 3
    }
    scan.skipWhitespace()
    guard scan.peek == UInt8(ascii: "{") else {
      throw scan.failure("expected '{': an MPD slice is a JSON object")
    }
    scan.p += 1
    var spans: [(pid: Int64?, bytes: Range<Int>)] = []
    var first = true
    while let key = try scan.nextKey(first: &first) {
      guard isKey(key, "playlists"), scan.peek == UInt8(ascii: "[") else {
        try scan.skipValue(depth: 1)
        continue
      }
      scan.p += 1
      var firstPlaylist = true
      while try scan.nextElement(first: &firstPlaylist) {
        guard scan.peek == UInt8(ascii: "{") else {
          throw wrongType("playlists", "an array of objects (one per playlist)")
        }
        let start = scan.offset
        scan.p += 1
        var pid: Int64? = nil
        var firstKey = true
        while let k = try scan.nextKey(first: &firstKey) {
          if playlistKey(k) == .pid {
            pid = try scan.parseInt64(field: "pid")
          } else {
            try scan.skipValue(depth: 3)
          }
        }
        spans.append((pid, start..<scan.offset))
      }
    }
    return spans
  }

  /// Where the parts of one playlist object sit, for editing it in place (offsets into the
  /// slice): the values of `num_tracks` and `num_artists` (when integers), and per element
  /// of `tracks` its object, its decoded `track_uri` and its integer `pos`.
  struct PlaylistLayout {
    struct Track {
      var bytes: Range<Int>
      var uri: [UInt8]
      var pos: (value: Int64, bytes: Range<Int>)?
    }
    var numTracks: (value: Int64, bytes: Range<Int>)?
    var numArtists: (value: Int64, bytes: Range<Int>)?
    var tracks: [Track] = []
  }

  /// The layout of the playlist object whose `{` is at `offset`.
  mutating func playlistLayout(at offset: Int) throws(JSONParseFailure) -> PlaylistLayout {
    scan.p = scan.base + offset
    guard scan.peek == UInt8(ascii: "{") else { throw scan.failure("expected a playlist object") }
    scan.p += 1
    var layout = PlaylistLayout()
    var first = true
    while let key = try scan.nextKey(first: &first) {
      if isKey(key, "num_tracks") || isKey(key, "num_artists") {
        let isTracks = isKey(key, "num_tracks")
        let start = scan.offset
        let b = scan.peek
        guard b == UInt8(ascii: "-") || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) else {
          try scan.skipValue(depth: 3)
          continue
        }
        let v = try scan.parseInt64(field: "num_tracks")
        if isTracks {
          layout.numTracks = (v, start..<scan.offset)
        } else {
          layout.numArtists = (v, start..<scan.offset)
        }
      } else if playlistKey(key) == .tracks, scan.peek == UInt8(ascii: "[") {
        scan.p += 1
        var firstTrack = true
        while try scan.nextElement(first: &firstTrack) {
          guard scan.peek == UInt8(ascii: "{") else { throw wrongType("tracks", "objects") }
          let start = scan.offset
          scan.p += 1
          var uri: [UInt8] = []
          var pos: (value: Int64, bytes: Range<Int>)? = nil
          var firstKey = true
          while let k = try scan.nextKey(first: &firstKey) {
            if trackKey(k) == .trackURI, scan.peek == UInt8(ascii: "\"") {
              uri = Array(try string(trackURIBuffer))
            } else if isKey(k, "pos"),
              scan.peek == UInt8(ascii: "-")
                || (scan.peek >= UInt8(ascii: "0") && scan.peek <= UInt8(ascii: "9"))
            {
              let at = scan.offset
              let v = try scan.parseInt64(field: "pos")
              pos = (v, at..<scan.offset)
            } else {
              try scan.skipValue(depth: 5)
            }
          }
          layout.tracks.append(.init(bytes: start..<scan.offset, uri: uri, pos: pos))
        }
      } else {
        try scan.skipValue(depth: 3)
      }
    }
    return layout
  }

  // MARK: - Playlists

  private enum PlaylistKey { case pid, name, tracks, other }

  @inline(__always)
  private func playlistKey(_ key: JSONStringToken) -> PlaylistKey {
    let k = key.hasEscapes ? keyBuffer.decode(key) : key.raw
    guard let s = k.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return .other }
    switch k.count {
    case 3: return same(s, "pid") ? .pid : .other
    case 4: return same(s, "name") ? .name : .other
    case 6: return same(s, "tracks") ? .tracks : .other
    default: return .other
    }
  }

  /// Parses the playlist object whose `{` is at the current position and closes it in `builder`.
  private mutating func parsePlaylist(into builder: inout DatasetBuilder) throws(JSONParseFailure) {
    let open = scan.p
    scan.p += 1
    var pid: Int64? = nil
    var name: UnsafeRawBufferPointer? = nil
    var tracksAt: UnsafePointer<UInt8>? = nil
    var trackCount = 0
    var first = true
    while let key = try scan.nextKey(first: &first) {
      switch playlistKey(key) {
      case .pid:
        pid = try scan.parseInt64(field: "pid")
      case .name:
        name = try optionalString("name", nameBuffer)
      case .tracks:
        if tracksAt != nil {
          throw scan.failure("'tracks' appears twice in a playlist", field: "tracks")
        }
        guard scan.peek == UInt8(ascii: "[") else { throw wrongType("tracks", "an array") }
        tracksAt = scan.p
        trackCount = try parseTracks(into: &builder)
      case .other:
        try scan.skipValue(depth: 3)
      }
    }
    guard let pid else {
      throw scan.failure(
        "playlist has no 'pid'", at: open, field: "pid",
        hint: "every MPD playlist needs an integer 'pid'")
    }
    guard trackCount > 0 else {
      throw scan.failure(
        "playlist \(pid) has no tracks", at: tracksAt ?? open, field: "tracks",
        hint: "MPD playlists are never empty; remove the playlist or add its tracks")
    }
    if name == nil { builder.warnings.missingName += 1 }
    builder.endPlaylist(pid: pid, name: name ?? Self.empty)
  }

  // MARK: - Tracks

  private enum TrackKey { case trackURI, trackName, artistURI, artistName, other }

  @inline(__always)
  private func trackKey(_ key: JSONStringToken) -> TrackKey {
    let k = key.hasEscapes ? keyBuffer.decode(key) : key.raw
    guard let s = k.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return .other }
    switch k.count {
    case 9:
      return same(s, "track_uri") ? .trackURI : .other
    case 10:
      if s.pointee == UInt8(ascii: "a") { return same(s, "artist_uri") ? .artistURI : .other }
      return same(s, "track_name") ? .trackName : .other
    case 11:
      return same(s, "artist_name") ? .artistName : .other
    default:
      return .other
    }
  }

  /// Parses the tracks array whose `[` is at the current position; returns how many tracks it
  /// held (before repeats are dropped).
  private mutating func parseTracks(into builder: inout DatasetBuilder) throws(JSONParseFailure)
    -> Int
  {
    scan.p += 1
    var count = 0
    var first = true
    while try scan.nextElement(first: &first) {
      guard scan.peek == UInt8(ascii: "{") else {
        throw wrongType("tracks", "an array of objects (one per track)")
      }
      try parseTrack(into: &builder)
      count &+= 1
    }
    return count
  }

  /// Parses one track object (its `{` at the current position) and appends it to `builder`.
  @inline(__always)
  private mutating func parseTrack(into builder: inout DatasetBuilder) throws(JSONParseFailure) {
    let open = scan.p
    scan.p += 1
    var id: UnsafeRawBufferPointer? = nil
    var idAt = open
    var name = Self.empty
    var artistURI = Self.empty
    var artistName = Self.empty
    var first = true
    while let key = try scan.nextKey(first: &first) {
      switch trackKey(key) {
      case .trackURI:
        guard scan.peek == UInt8(ascii: "\"") else { throw wrongType("track_uri", "a string") }
        idAt = scan.p
        id = try string(trackURIBuffer)
      case .trackName:
        name = try optionalString("track_name", trackNameBuffer) ?? Self.empty
      case .artistURI:
        artistURI = try optionalString("artist_uri", artistURIBuffer) ?? Self.empty
      case .artistName:
        artistName = try optionalString("artist_name", artistNameBuffer) ?? Self.empty
      case .other:
        try scan.skipValue(depth: 5)
      }
    }
    guard let id else {
      throw scan.failure(
        "track has no 'track_uri'", at: open, field: "track_uri",
        hint: "every MPD track needs a 'track_uri' string")
    }
    if id.isEmpty {
      throw scan.failure(
        "'track_uri' is empty", at: idAt, field: "track_uri",
        hint: "every MPD track needs a non-empty 'track_uri'")
    }
    let artistKey = artistURI.isEmpty ? artistName : artistURI
    if artistKey.isEmpty {
      // Counted once per track actually filed under "unknown" (its first occurrence).
      let known = builder.catalogue.trackCount
      builder.appendTrack(id: id, name: name, artistKey: artistKey, artistName: artistName)
      if builder.catalogue.trackCount > known { builder.warnings.missingArtist += 1 }
    } else {
      builder.appendTrack(id: id, name: name, artistKey: artistKey, artistName: artistName)
    }
  }

  // MARK: - Values

  /// Reads the string at the current position, decoding into `buffer` only if it has escapes.
  @inline(__always)
  private mutating func string(_ buffer: DecodeBuffer) throws(JSONParseFailure)
    -> UnsafeRawBufferPointer
  {
    let t = try scan.scanString()
    return t.hasEscapes ? buffer.decode(t) : t.raw
  }

  /// A string field that may also be `null` (read as absent); other types are errors.
  @inline(__always)
  private mutating func optionalString(_ field: String, _ buffer: DecodeBuffer)
    throws(JSONParseFailure) -> UnsafeRawBufferPointer?
  {
    if scan.peek == UInt8(ascii: "\"") { return try string(buffer) }
    if try scan.skipNull() { return nil }
    throw wrongType(field, "a string")
  }

  private func wrongType(_ field: String, _ expected: String) -> JSONParseFailure {
    scan.failure(
      "'\(field)' must be \(expected), found \(scan.describeValue())", field: field,
      hint: "fix '\(field)' in the file: the MPD format expects \(expected) there")
  }

  private func isKey(_ key: JSONStringToken, _ literal: StaticString) -> Bool {
    let k = key.hasEscapes ? keyBuffer.decode(key) : key.raw
    guard k.count == literal.utf8CodeUnitCount,
      let s = k.baseAddress?.assumingMemoryBound(to: UInt8.self)
    else { return false }
    return same(s, literal)
  }
}

/// True if the `literal.utf8CodeUnitCount` bytes at `s` equal `literal`.
@inline(__always)
private func same(_ s: UnsafePointer<UInt8>, _ literal: StaticString) -> Bool {
  let l = literal.utf8Start
  for i in 0..<literal.utf8CodeUnitCount where s[i] != l[i] { return false }
  return true
}
