// The `.chorus` binary cache: a whole Dataset in one checksummed container, loaded by
// memory mapping and a few bulk copies (the 1M-playlist MPD loads in about a second instead
// of minutes of JSON parsing). Layout: BinaryFile header, then the sections listed in
// `write`, then a ContentHash64. Every count, offset, id and pid is validated on load.
import ChorusCore
import Foundation

/// Reads and writes `.chorus` dataset caches.
public enum BinaryCache {
  /// File magic: 8 ASCII bytes.
  public static let magic = "CHORUSDS"
  /// Format version; bump on any layout or checksum change. Version 1 closed the file with
  /// the weaker `Checksum64`; version 2 with `ContentHash64` (every bit flip is caught).
  public static let version: UInt32 = 2
  /// Sections in the container, the reserved one included.
  static let sectionCount = 16
  static let hint = "rebuild it with 'chorus dataset convert SOURCE --out FILE.chorus'"

  /// Writes `dataset` to `path` atomically.
  public static func write(_ dataset: Dataset, to path: String) throws {
    let c = dataset.catalogue
    let w = dataset.warnings
    try FileIO.writeAtomically(to: path) { handle in
      var out = try BinaryWriter(
        handle: handle, magic: magic, version: version, sections: sectionCount, checksum: .hash64)
      // 0: counts — playlists, entries, tracks, artists, then the four warning counters.
      try out.writeSection([
        Int64(dataset.playlistCount), Int64(dataset.playlists.entryCount), Int64(c.trackCount),
        Int64(c.artistCount), Int64(w.duplicatesDropped), Int64(w.missingArtist),
        Int64(w.missingName), Int64(w.emptyRows),
      ])
      try out.writeSection(dataset.playlists.offsets)  // 1: Int, playlists + 1
      try out.writeSection(dataset.playlists.tracks)  // 2: Int32, entries
      try out.writeSection(dataset.pids)  // 3: Int64, playlists
      try out.writeSection(dataset.names.bytes)  // 4: UTF-8
      try out.writeSection(dataset.names.offsets)  // 5: Int, playlists + 1
      try out.writeSection(c.trackIDs.bytes)  // 6
      try out.writeSection(c.trackIDs.offsets)  // 7: tracks + 1
      try out.writeSection(c.trackNames.bytes)  // 8
      try out.writeSection(c.trackNames.offsets)  // 9: tracks + 1
      try out.writeSection(c.trackArtist)  // 10: Int32, tracks
      try out.writeSection(c.artistIDs.bytes)  // 11
      try out.writeSection(c.artistIDs.offsets)  // 12: artists + 1
      try out.writeSection(c.artistNames.bytes)  // 13
      try out.writeSection(c.artistNames.offsets)  // 14: artists + 1
      try out.writeSection([Int64](repeating: 0, count: 1))  // 15: reserved
      try out.finish()
    }
  }

  /// Loads a cache, validating magic, version, checksum, counts and every offset and id.
  ///
  /// Each section is read from the file straight into its array (no mapping, no copy), so
  /// peak memory is about the size of the arrays; the checksum is computed on the way.
  public static func read(path: String) throws -> Dataset {
    var r = try BinaryReader(
      contentsOf: path, magic: magic, supportedVersions: version...version, hint: hint)
    return try decode(&r, path: path, fileSize: r.fileSize)
  }

  /// Decodes a cache held in memory (`path` names it in errors).
  ///
  /// Nothing read from the bytes is trusted: counts are bounded by the file size before any
  /// arithmetic, offsets must rise from 0 to their section's size, ids must be below their
  /// counts, pids must be distinct. Every failure is a `ChorusError(.data)` naming the file
  /// and the field; no input traps.
  /// - Complexity: O(file size).
  public static func decode(_ data: Data, path: String) throws -> Dataset {
    var r = try BinaryReader(
      data: data, path: path, magic: magic, supportedVersions: version...version, hint: hint,
      checksum: .hash64)
    return try decode(&r, path: path, fileSize: data.count)
  }

  private static func decode(_ r: inout BinaryReader, path: String, fileSize: Int) throws
    -> Dataset
  {
    func bad(_ what: String, field: String) -> ChorusError {
      ChorusError(.data, "inconsistent cache: \(what)", file: path, field: field, hint: hint)
    }
    guard r.sectionCount == sectionCount else {
      throw bad(
        "the header lists \(r.sectionCount) sections, expected \(sectionCount)", field: "sections")
    }
    let counts = try r.readSection(Int64.self, expectedCount: 8, name: "counts")
    // No count can exceed the file's size in bytes (each value takes at least one byte), so
    // after this check `count + 1` cannot overflow and ids fit in Int32.
    let limit = Int64(min(fileSize, Int(Int32.max)))
    let countNames = [
      "playlist count", "entry count", "track count", "artist count", "duplicatesDropped",
      "missingArtist", "missingName", "emptyRows",
    ]
    for (i, v) in counts.enumerated() where v < 0 || (i < 4 && v > limit) {
      throw bad(
        "\(countNames[i]) \(v) is impossible for a file of \(fileSize) bytes",
        field: countNames[i])
    }
    let (np, ne, nt, na) = (Int(counts[0]), Int(counts[1]), Int(counts[2]), Int(counts[3]))
    let offsets = try r.readSection(Int.self, expectedCount: np + 1, name: "playlist offsets")
    let tracks = try r.readSection(Int32.self, expectedCount: ne, name: "tracks")
    let pids = try r.readSection(Int64.self, expectedCount: np, name: "pids")
    let names = try readPool(&r, count: np, name: "playlist names", bad: bad)
    let trackIDs = try readPool(&r, count: nt, name: "track ids", bad: bad)
    let trackNames = try readPool(&r, count: nt, name: "track names", bad: bad)
    let trackArtist = try r.readSection(Int32.self, expectedCount: nt, name: "track artists")
    let artistIDs = try readPool(&r, count: na, name: "artist ids", bad: bad)
    let artistNames = try readPool(&r, count: na, name: "artist names", bad: bad)
    _ = try r.readSection(Int64.self, expectedCount: 1, name: "reserved")
    try r.finish()
    guard checkOffsets(offsets, total: ne) else {
      throw bad("playlist offsets do not rise from 0 to \(ne)", field: "playlist offsets")
    }
    guard inRange(tracks, below: nt) else {
      throw bad("a track id is outside 0..<\(nt)", field: "tracks")
    }
    guard inRange(trackArtist, below: na) else {
      throw bad("an artist id is outside 0..<\(na)", field: "track artists")
    }
    try PlaylistIDCheck.requireUnique(
      pids, source: path, describe: { "playlist #\($0 + 1)" }, hint: hint)
    var warnings = DataWarnings()
    warnings.duplicatesDropped = Int(counts[4])
    warnings.missingArtist = Int(counts[5])
    warnings.missingName = Int(counts[6])
    warnings.emptyRows = Int(counts[7])
    return Dataset(
      playlists: PlaylistStore(offsets: offsets, tracks: tracks), pids: pids, names: names,
      catalogue: Catalogue(
        trackIDs: trackIDs, trackNames: trackNames, trackArtist: trackArtist,
        artistIDs: artistIDs, artistNames: artistNames),
      warnings: warnings)
  }

  private static func readPool(
    _ r: inout BinaryReader, count: Int, name: String,
    bad: (String, String) -> ChorusError
  ) throws -> StringPool {
    let bytes = try r.readSection(UInt8.self, name: name)
    let offsets = try r.readSection(Int.self, expectedCount: count + 1, name: name + " offsets")
    guard checkOffsets(offsets, total: bytes.count) else {
      throw bad("offsets do not rise from 0 to \(bytes.count)", name + " offsets")
    }
    return StringPool(bytes: bytes, offsets: offsets)
  }

  /// True when offsets start at 0, never decrease, and end at `total`.
  static func checkOffsets(_ offsets: [Int], total: Int) -> Bool {
    guard offsets.first == 0, offsets.last == total else { return false }
    return offsets.withUnsafeBufferPointer { o in
      var ok = true
      for i in 1..<max(1, o.count) { ok = ok && o[i] >= o[i - 1] }
      return ok
    }
  }

  /// True when every value is in 0..<bound (branch-free scan, vectorises).
  static func inRange(_ values: [Int32], below bound: Int) -> Bool {
    values.withUnsafeBufferPointer { v in
      var lo: Int32 = 0
      var hi: Int32 = -1
      for x in v {
        lo = min(lo, x)
        hi = max(hi, x)
      }
      return lo >= 0 && Int(hi) < bound
    }
  }
}
