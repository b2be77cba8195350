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
  /// like the MPD (mpd.slice.0-999.json, ...). Each file is written atomically.
  ///
  /// Refuses a folder that already holds other mpd.slice.*.json files, since reading the
  /// folder back would mix them in. An empty dataset gives one slice with no playlists.
  /// - Complexity: O(entries + catalogue bytes).
  public static func writeFolder(
    _ dataset: Dataset, to folder: String, playlistsPerFile: Int = 1000
  ) throws {
    guard playlistsPerFile > 0 else {
      throw ChorusError(
        .config, "playlists per file must be positive, got \(playlistsPerFile)",
        hint: "use a value such as 1000 (as in the MPD)")
    }
    try FileIO.ensureDirectory(folder)
    let n = dataset.playlistCount
    let ranges = stride(from: 0, to: max(n, 1), by: playlistsPerFile).map {
      $0..<min($0 + playlistsPerFile, n)
    }
    let names = ranges.map { "mpd.slice.\(sliceLabel($0)).json" }
    let existing = (try? MPDJSONReader.sliceFiles(in: folder)) ?? []
    let ours = Set(names)
    if let stale = existing.first(where: {
      !ours.contains(URL(fileURLWithPath: $0).lastPathComponent)
    }) {
      throw ChorusError(
        .io, "the folder already holds other slice files, e.g. \(stale)", file: folder,
        hint: "write into an empty folder, or delete the old mpd.slice.*.json files first")
    }
    var encoder = MPDSliceEncoder(dataset)
    let base = URL(fileURLWithPath: folder)
    for (range, name) in zip(ranges, names) {
      let path = base.appendingPathComponent(name).path
      let bytes = try encoder.encode(range, slice: sliceLabel(range), path: path)
      try FileIO.writeAtomically(to: path) { handle in try handle.write(contentsOf: bytes) }
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
  private static func sliceLabel(_ range: Range<Int>) -> String {
    range.isEmpty
      ? "\(range.lowerBound)-\(range.lowerBound)"
      : "\(range.lowerBound)-\(range.upperBound - 1)"
  }
}

/// Encodes ranges of a dataset's playlists as slice JSON bytes, reusing its buffers.
struct MPDSliceEncoder {
  private let dataset: Dataset
  /// The id of the "unknown" artist, or -1.
  private let unknownArtist: Int32
  /// Per artist: 1 + the last playlist that counted it (for num_artists).
  private var artistStamp: [Int32]
  private var out = JSONOutput()
  private let generatedOn: String

  init(_ dataset: Dataset) {
    self.dataset = dataset
    let ids = dataset.catalogue.artistIDs
    unknownArtist = Int32((0..<ids.count).first { ids[$0] == unknownArtistKey } ?? -1)
    artistStamp = [Int32](repeating: 0, count: ids.count)
    // Fixed, not the wall clock: the same dataset must always give byte-identical files.
    generatedOn = "1970-01-01T00:00:00Z"
  }

  /// The bytes of one slice file holding the playlists `range`; `path` names errors.
  mutating func encode(_ range: Range<Int>, slice: String, path: String) throws -> [UInt8] {
    let d = dataset
    let c = d.catalogue
    out.bytes.removeAll(keepingCapacity: true)
    out.bytes.reserveCapacity(range.reduce(0) { $0 + 120 + 400 * d.playlists.length($1) })
    out.literal("{\n    \"info\": {\n        \"generated_on\": ")
    try out.string(generatedOn, path: path, field: "generated_on")
    out.literal(",\n        \"slice\": ")
    try out.string(slice, path: path, field: "slice")
    out.literal(",\n        \"version\": \"chorus\"\n    },\n    \"playlists\": [")
    for p in range {
      out.literal(p == range.lowerBound ? "\n        {\n" : ",\n        {\n")
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
        if a != unknownArtist {
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
    out.literal(range.isEmpty ? "]\n}\n" : "\n    ]\n}\n")
    return out.bytes
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
