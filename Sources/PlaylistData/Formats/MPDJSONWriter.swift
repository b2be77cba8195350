// Writer for MPD slice JSON, so that manipulated datasets can be fed to any MPD-based model.
// Output is built in a [UInt8] buffer (no string interpolation per field), laid out like the
// real MPD (4-space indent, one field per line), and each file is written atomically.
// Fields Chorus cannot know (albums, durations, followers) are written as "" or 0, or omitted.
import ChorusCore
import Foundation

/// Writes a `Dataset` as MPD slice JSON that `MPDJSONReader` reads back to the same content.
///
/// Per playlist: `name`, `collaborative` ("false"), `pid`, `modified_at` (0), `num_tracks`,
/// `tracks`, `num_artists`. Per track: `pos` (0…n-1), `artist_name`, `track_uri`, `artist_uri`
/// (the catalogue's artist key), `track_name`, `album_uri` (""), `duration_ms` (0),
/// `album_name` (""); tracks of the "unknown" artist get neither artist field.
/// Round trips are exact when the catalogue lists tracks and artists in first-seen order and
/// every track occurs in some playlist, as in any dataset a reader produced.
public enum MPDJSONWriter {
  /// Writes `dataset` as a folder of slices, `playlistsPerFile` (default 1000) per file, named
  /// like the MPD (mpd.slice.0-999.json, ...).
  ///
  /// The folder appears complete or not at all: the slices are written into a temporary
  /// sibling folder that is renamed into place at the end (`FileIO.writeFolderAtomically`), so a writer killed
  /// after the first slice never leaves a folder that reads as a smaller dataset. An existing
  /// folder is replaced only if it holds nothing but files of the names this call writes
  /// (a previous run of the same layout); any other content is refused, and nothing the
  /// writer did not create is deleted. An empty dataset gives one slice with no playlists.
  /// - Complexity: O(entries + catalogue bytes).
  public static func writeFolder(
    _ dataset: Dataset, to folder: String, playlistsPerFile: Int = 1000
  ) throws {
    guard playlistsPerFile > 0 else {
      throw ChorusError(
        .config, "playlists per file must be positive, got \(playlistsPerFile)",
        hint: "use a value such as 1000 (as in the MPD)")
    }
    try FileIO.writeFolderAtomically(
      to: folder, replaceable: Set(sliceNames(dataset.playlistCount, playlistsPerFile))
    ) { staged in
      try writeSlices(dataset, into: staged, playlistsPerFile: playlistsPerFile)
    }
  }

  /// The file names `writeFolder` uses for `count` playlists.
  public static func sliceNames(_ count: Int, _ playlistsPerFile: Int = 1000) -> [String] {
    precondition(playlistsPerFile > 0)
    return stride(from: 0, to: max(count, 1), by: playlistsPerFile).map {
      "mpd.slice.\(sliceLabel($0..<min($0 + playlistsPerFile, count))).json"
    }
  }

  /// Writes the slice files of `writeFolder` into an existing folder (no staging; for a
  /// caller that stages the folder itself, e.g. to add an edit log before it appears).
  /// - Complexity: O(entries + catalogue bytes).
  public static func writeSlices(
    _ dataset: Dataset, into folder: String, playlistsPerFile: Int = 1000
  ) throws {
    let n = dataset.playlistCount
    let ranges = stride(from: 0, to: max(n, 1), by: playlistsPerFile).map {
      $0..<min($0 + playlistsPerFile, n)
    }
    var encoder = MPDSliceEncoder(dataset)
    let base = URL(fileURLWithPath: folder)
    for range in ranges {
      let path = base.appendingPathComponent("mpd.slice.\(sliceLabel(range)).json").path
      let bytes = try encoder.encode(range, slice: sliceLabel(range), path: path)
      try FileIO.writeAtomically(to: path) { handle in try handle.write(contentsOf: bytes) }
    }
  }

  /// Writes `dataset`, which was read from the MPD JSON at `source` (a slice file or a folder
  /// of slices) and then changed only in the playlists `rewritten` (and its catalogue), as a
  /// copy of `source`: the same file names, and every byte outside the rewritten playlists'
  /// objects copied as it was (other playlists keep every field, repeated tracks, spacing).
  /// A rewritten playlist whose list is its original list (repeats dropped) with one track
  /// inserted, as `chorus plant` makes them, is edited in place: the new track's object is
  /// inserted, later `pos` values, `num_tracks` and (for a new artist) `num_artists` grow by
  /// one, and its other fields and tracks (repeats included) stay as they were. Any other
  /// rewritten playlist is encoded as `writeFolder` encodes it.
  ///
  /// `destination` is a folder (for a folder source) or a file (for a file source); a folder
  /// must exist (the caller stages it), each file is written atomically.
  /// - Throws: `ChorusError(.data)` if `source` no longer holds `dataset`'s playlists in order
  ///   (same pids), and the reader's errors for a malformed file.
  /// - Complexity: O(bytes of `source` + entries of the rewritten playlists).
  public static func writeCopy(
    of source: String, dataset: Dataset, rewritten: Set<Int>, to destination: String
  ) throws {
    let folder = FileIO.isDirectory(source)
    let files = folder ? try MPDJSONReader.sliceFiles(in: source) : [source]
    var encoder = MPDSliceEncoder(dataset)
    var next = 0  // index in `dataset` of the first playlist of the current file
    for file in files {
      let data = try FileIO.read(file)
      let spans = try data.withUnsafeBytes { raw in
        try MPDJSONReader.playlistSpans(raw, path: file)
      }
      for (i, span) in spans.enumerated() {
        let p = next + i
        guard p < dataset.playlistCount, span.pid == dataset.pids[p] else {
          throw ChorusError(
            .data, "the file no longer holds the playlists that were read from it",
            file: file, field: "pid",
            hint: "do not change the input while 'plant' runs; run it again")
        }
      }
      var out: [UInt8] = []
      out.reserveCapacity(data.count + 4096)
      var copied = 0
      for (i, span) in spans.enumerated() where rewritten.contains(next + i) {
        out.append(contentsOf: data[copied..<span.bytes.lowerBound])
        let edited = try data.withUnsafeBytes { raw in
          try insertion(next + i, file: raw, span: span.bytes, encoder: &encoder, path: file)
        }
        out.append(contentsOf: try edited ?? encoder.playlistBytes(next + i, path: file))
        copied = span.bytes.upperBound
      }
      out.append(contentsOf: data[copied...])
      next += spans.count
      let target =
        folder
        ? URL(fileURLWithPath: destination).appendingPathComponent(
          URL(fileURLWithPath: file).lastPathComponent
        ).path : destination
      try FileIO.writeAtomically(to: target) { handle in try handle.write(contentsOf: out) }
    }
    guard next == dataset.playlistCount else {
      throw ChorusError(
        .data, "the input holds \(next) playlists, \(dataset.playlistCount) were read",
        file: source, hint: "do not change the input while 'plant' runs; run it again")
    }
  }

  /// Writes all playlists into one slice file (atomically).
  ///
  /// - Complexity: O(entries + catalogue bytes).
  public static func writeFile(_ dataset: Dataset, to path: String) throws {
    var encoder = MPDSliceEncoder(dataset)
    let range = 0..<dataset.playlistCount
    let bytes = try encoder.encode(range, slice: sliceLabel(range), path: path)
    try FileIO.writeAtomically(to: path) { handle in try handle.write(contentsOf: bytes) }
  }

  /// "a-b" with b inclusive, as in the MPD; "0-0" for no playlists.
  static func sliceLabel(_ range: Range<Int>) -> String {
    range.isEmpty
      ? "\(range.lowerBound)-\(range.lowerBound)"
      : "\(range.lowerBound)-\(range.upperBound - 1)"
  }
}

/// Encodes ranges of a dataset's playlists as slice JSON bytes, reusing its buffers.
struct MPDSliceEncoder {
  let dataset: Dataset
  /// The id of the "unknown" artist, or -1.
  private let unknownArtist: Int32
  /// Per artist: 1 + the last playlist that counted it (for num_artists).
  private var artistStamp: [Int32]
  /// Per artist: false when its key is its name (the reader's fallback for a track without
  /// `artist_uri`), so that no name is ever written as an `artist_uri`.
  private let hasArtistURI: [Bool]
  private var out = JSONOutput()
  private let generatedOn: String

  init(_ dataset: Dataset) {
    self.dataset = dataset
    let ids = dataset.catalogue.artistIDs
    unknownArtist = Int32((0..<ids.count).first { ids[$0] == unknownArtistKey } ?? -1)
    artistStamp = [Int32](repeating: 0, count: ids.count)
    let names = dataset.catalogue.artistNames
    hasArtistURI = (0..<ids.count).map { a in
      ids.bytes[ids.offsets[a]..<ids.offsets[a + 1]]
        != names.bytes[names.offsets[a]..<names.offsets[a + 1]]
    }
    // Fixed, not the wall clock: the same dataset must always give byte-identical files.
    generatedOn = "1970-01-01T00:00:00Z"
  }

  /// The bytes of one slice file holding the playlists `range`; `path` names errors.
  mutating func encode(_ range: Range<Int>, slice: String, path: String) throws -> [UInt8] {
    let d = dataset
    out.bytes.removeAll(keepingCapacity: true)
    out.bytes.reserveCapacity(range.reduce(0) { $0 + 120 + 400 * d.playlists.length($1) })
    out.literal("{\n    \"info\": {\n        \"generated_on\": ")
    try out.string(generatedOn, path: path, field: "generated_on")
    out.literal(",\n        \"slice\": ")
    try out.string(slice, path: path, field: "slice")
    out.literal(",\n        \"version\": \"chorus\"\n    },\n    \"playlists\": [")
    for p in range {
      out.literal(p == range.lowerBound ? "\n        " : ",\n        ")
      try appendPlaylist(p, path: path)
    }
    out.literal(range.isEmpty ? "]\n}\n" : "\n    ]\n}\n")
    return out.bytes
  }

  /// The bytes of playlist `p` as one JSON object, from its `{` to its `}`, indented as in a
  /// slice file written by `encode`.
  mutating func playlistBytes(_ p: Int, path: String) throws -> [UInt8] {
    out.bytes.removeAll(keepingCapacity: true)
    try appendPlaylist(p, path: path)
    return out.bytes
  }

  /// Track `t` as a one-line JSON object with the fields `appendPlaylist` writes.
  mutating func trackObject(_ t: Int32, pos: Int64, path: String) throws -> [UInt8] {
    let c = dataset.catalogue
    let ti = Int(t)
    let a = c.trackArtist[ti]
    out.bytes.removeAll(keepingCapacity: true)
    out.literal("{\"pos\": ")
    out.integer(pos)
    if a != unknownArtist {
      out.literal(", \"artist_name\": ")
      try c.artistNames.withBytes(Int(a)) { try out.string($0, path: path, field: "artist_name") }
    }
    out.literal(", \"track_uri\": ")
    try c.trackIDs.withBytes(ti) { try out.string($0, path: path, field: "track_uri") }
    if a != unknownArtist && hasArtistURI[Int(a)] {
      out.literal(", \"artist_uri\": ")
      try c.artistIDs.withBytes(Int(a)) { try out.string($0, path: path, field: "artist_uri") }
    }
    out.literal(", \"track_name\": ")
    try c.trackNames.withBytes(ti) { try out.string($0, path: path, field: "track_name") }
    out.literal(", \"album_uri\": \"\", \"duration_ms\": 0, \"album_name\": \"\"}")
    return out.bytes
  }

  /// Appends playlist `p` as a JSON object (`{` … `}`) to `out`.
  private mutating func appendPlaylist(_ p: Int, path: String) throws {
    let d = dataset
    let c = d.catalogue
    out.literal("{\n")
    out.literal("            \"name\": ")
    try d.names.withBytes(p) { try out.string($0, path: path, field: "name") }
    out.literal(",\n            \"collaborative\": \"false\",\n            \"pid\": ")
    out.integer(d.pids[p])
    out.literal(",\n            \"modified_at\": 0,\n            \"num_tracks\": ")
    out.integer(Int64(d.playlists.length(p)))
    out.literal(",\n            \"tracks\": [")
    let stamp = Int32(truncatingIfNeeded: p + 1)
    var artists = 0
    var pos = 0
    for t in d.playlists[p] {
      let ti = Int(t)
      let a = c.trackArtist[ti]
      out.literal(pos == 0 ? "\n                {\n" : ",\n                {\n")
      out.literal("                    \"pos\": ")
      out.integer(Int64(pos))
      if a != unknownArtist {
        if artistStamp[Int(a)] != stamp {
          artistStamp[Int(a)] = stamp
          artists += 1
        }
        out.literal(",\n                    \"artist_name\": ")
        try c.artistNames.withBytes(Int(a)) {
          try out.string($0, path: path, field: "artist_name")
        }
      }
      out.literal(",\n                    \"track_uri\": ")
      try c.trackIDs.withBytes(ti) { try out.string($0, path: path, field: "track_uri") }
      if a != unknownArtist && hasArtistURI[Int(a)] {
        out.literal(",\n                    \"artist_uri\": ")
        try c.artistIDs.withBytes(Int(a)) { try out.string($0, path: path, field: "artist_uri") }
      }
      out.literal(",\n                    \"track_name\": ")
      try c.trackNames.withBytes(ti) { try out.string($0, path: path, field: "track_name") }
      out.literal(
        ",\n                    \"album_uri\": \"\",\n                    \"duration_ms\": 0")
      out.literal(",\n                    \"album_name\": \"\"\n                }")
      pos += 1
    }
    out.literal("\n            ],\n            \"num_artists\": ")
    out.integer(Int64(artists))
    out.literal("\n        }")
  }
}

/// A byte buffer with the few JSON appends the writer needs.
struct JSONOutput {
  var bytes: [UInt8] = []

  @inline(__always)
  mutating func literal(_ s: StaticString) {
    bytes.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
  }

  /// Appends a decimal integer.
  mutating func integer(_ v: Int64) {
    var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch
    withUnsafeMutableBytes(of: &digits) { raw in
      var m = v.magnitude
      var i = raw.count
      repeat {
        i -= 1
        raw[i] = UInt8(ascii: "0") &+ UInt8(m % 10)
        m /= 10
      } while m > 0
      if v < 0 {
        i -= 1
        raw[i] = UInt8(ascii: "-")
      }
      bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[i...]))
    }
  }

  mutating func string(_ s: String, path: String, field: String) throws {
    var s = s
    try s.withUTF8 { try string(UnsafeRawBufferPointer($0), path: path, field: field) }
  }

  /// Appends `raw` as a quoted JSON string: `"` and `\` escaped, control characters as
  /// \u00XX, everything else (UTF-8, checked) as is.
  mutating func string(_ raw: UnsafeRawBufferPointer, path: String, field: String) throws {
    bytes.append(UInt8(ascii: "\""))
    guard let start = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
      bytes.append(UInt8(ascii: "\""))
      return
    }
    let end = start + raw.count
    var run = start
    var q = start
    while q < end {
      let b = q.pointee
      if b >= 0x20 && b != UInt8(ascii: "\"") && b != UInt8(ascii: "\\") && b < 0x80 {
        q += 1
        continue
      }
      if b >= 0x80 {
        let n = utf8SequenceLength(q, end)
        guard n > 0 else {
          throw ChorusError(
            .data, "a '\(field)' value is not valid UTF-8 (byte 0x\(String(b, radix: 16)))",
            file: path, field: field, hint: "JSON needs UTF-8 text; fix the source data")
        }
        q += n
        continue
      }
      bytes.append(contentsOf: UnsafeBufferPointer(start: run, count: q - run))
      if b < 0x20 {
        let hex: StaticString = "0123456789abcdef"
        bytes.append(contentsOf: [
          UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
          hex.utf8Start[Int(b >> 4)], hex.utf8Start[Int(b & 15)],
        ])
      } else {
        bytes.append(UInt8(ascii: "\\"))
        bytes.append(b)
      }
      q += 1
      run = q
    }
    bytes.append(contentsOf: UnsafeBufferPointer(start: run, count: q - run))
    bytes.append(UInt8(ascii: "\""))
  }
}

extension MPDJSONWriter {
  /// Playlist `p` of `encoder`'s dataset as an edit of its original object `file[span]`, when
  /// the dataset's list is the original (repeats dropped) with exactly one track inserted:
  /// the new track's object goes right after the first occurrence of the track before it
  /// (or first), later `pos` values and `num_tracks` (and `num_artists` for a new artist)
  /// grow by one, and every other byte stays. Reading the result back gives the dataset's
  /// list. Nil when the lists differ otherwise (the caller then encodes the playlist).
  static func insertion(
    _ p: Int, file: UnsafeRawBufferPointer, span: Range<Int>, encoder: inout MPDSliceEncoder,
    path: String
  ) throws -> [UInt8]? {
    guard let base = file.baseAddress else { return nil }
    var parser = MPDSliceParser(base: base.assumingMemoryBound(to: UInt8.self), count: file.count)
    guard let layout = try? parser.playlistLayout(at: span.lowerBound), !layout.tracks.isEmpty
    else { return nil }
    var seen = Set<[UInt8]>()
    var distinct: [(uri: [UInt8], element: Int)] = []
    for (e, t) in layout.tracks.enumerated() where seen.insert(t.uri).inserted {
      distinct.append((t.uri, e))
    }
    let d = encoder.dataset
    let planted = d.playlists[p]
    guard planted.count == distinct.count + 1 else { return nil }
    let ids = d.catalogue.trackIDs
    func uri(_ k: Int) -> ArraySlice<UInt8> {
      let t = Int(planted[planted.startIndex + k])
      return ids.bytes[ids.offsets[t]..<ids.offsets[t + 1]]
    }
    var i = 0
    while i < distinct.count && uri(i).elementsEqual(distinct[i].uri) { i += 1 }
    for j in i..<distinct.count where !uri(j + 1).elementsEqual(distinct[j].uri) { return nil }
    let inserted = planted[planted.startIndex + i]
    let artists = d.catalogue.trackArtist
    let newArtist = !planted.contains {
      $0 != inserted && artists[Int($0)] == artists[Int(inserted)]
    }
    let tracks = layout.tracks
    let at = i == 0 ? 0 : distinct[i - 1].element + 1
    let separator: [UInt8] =
      tracks.count >= 2
      ? Array(file[tracks[0].bytes.upperBound..<tracks[1].bytes.lowerBound]) : Array(", ".utf8)
    let pos =
      at < tracks.count
      ? tracks[at].pos?.value ?? Int64(at) : tracks[at - 1].pos.map { $0.value + 1 } ?? Int64(at)
    let object = try encoder.trackObject(inserted, pos: pos, path: path)
    func number(_ v: Int64) -> [UInt8] {
      var o = JSONOutput()
      o.integer(v)
      return o.bytes
    }
    var edits: [(range: Range<Int>, bytes: [UInt8])] = []
    if at < tracks.count {
      let s = tracks[at].bytes.lowerBound
      edits.append((s..<s, object + separator))
    } else {
      let e = tracks[at - 1].bytes.upperBound
      edits.append((e..<e, separator + object))
    }
    for t in tracks[at...] {
      if let old = t.pos { edits.append((old.bytes, number(old.value + 1))) }
    }
    if let n = layout.numTracks { edits.append((n.bytes, number(n.value + 1))) }
    if newArtist, let n = layout.numArtists { edits.append((n.bytes, number(n.value + 1))) }
    edits.sort { $0.range.lowerBound < $1.range.lowerBound }
    var out: [UInt8] = []
    out.reserveCapacity(span.count + object.count + 64)
    var cursor = span.lowerBound
    for edit in edits {
      out.append(contentsOf: file[cursor..<edit.range.lowerBound])
      out.append(contentsOf: edit.bytes)
      cursor = edit.range.upperBound
    }
    out.append(contentsOf: file[cursor..<span.upperBound])
    return out
  }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
