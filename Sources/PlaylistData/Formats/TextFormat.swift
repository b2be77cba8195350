// Plain text playlists: one playlist per line, whitespace-separated track ids; `#` starts a
// comment that runs to the end of the line; blank lines are not playlists. Carries no names
// or artists (artists read as "unknown"); pids are the 0-based playlist index.
import ChorusCore
import Foundation

/// Reads and writes the one-playlist-per-line text format.
public enum TextFormat {
  /// Reads a text file.
  public static func read(path: String) throws -> Dataset {
    let data = try FileIO.read(path)
    return try data.withUnsafeBytes { try parse($0, path: path) }
  }

  /// Parses text held in memory; `path` names the source in errors.
  public static func parse(_ raw: UnsafeRawBufferPointer, path: String) throws -> Dataset {
    if raw.isEmpty {
      throw ChorusError(
        .data, "file is empty", file: path, hint: "a text dataset has one playlist per line")
    }
    try validateUTF8(raw, path: path)
    var builder = DatasetBuilder()
    let empty = UnsafeRawBufferPointer(start: nil, count: 0)
    var i = 0
    let n = raw.count
    var inPlaylist = false
    while i < n {
      let b = raw[i]
      if b == 0x0A {  // end of line
        if inPlaylist {
          builder.endPlaylist(pid: Int64(builder.playlistCount), name: "")
          inPlaylist = false
        }
        i += 1
      } else if b == 0x23 {  // '#': skip to end of line
        while i < n && raw[i] != 0x0A { i += 1 }
      } else if isSpace(b) {
        i += 1
      } else {
        let start = i
        while i < n && !isSpace(raw[i]) && raw[i] != 0x0A && raw[i] != 0x23 { i += 1 }
        let token = UnsafeRawBufferPointer(rebasing: raw[start..<i])
        builder.appendTrack(id: token, name: empty, artistKey: empty, artistName: empty)
        inPlaylist = true
      }
    }
    if inPlaylist { builder.endPlaylist(pid: Int64(builder.playlistCount), name: "") }
    if builder.playlistCount == 0 {
      throw ChorusError(
        .data, "no playlists found (only blank or comment lines)", file: path,
        hint: "a text dataset has one playlist per line of whitespace-separated track ids")
    }
    return builder.finish()
  }

  /// Writes `dataset` as text (atomically). Track ids with whitespace or '#' cannot be
  /// represented and are an error.
  public static func write(_ dataset: Dataset, to path: String) throws {
    let ids = dataset.catalogue.trackIDs
    for t in 0..<ids.count {
      let bad = ids.withBytes(t) { $0.contains { isSpace($0) || $0 == 0x0A || $0 == 0x23 } }
      if bad {
        throw ChorusError(
          .data, "track id '\(ids[t])' contains whitespace or '#' and cannot be written as text",
          file: path, hint: "write MPD JSON (.json or --format mpd) or a .chorus cache instead")
      }
    }
    try FileIO.writeAtomically(to: path) { handle in
      var out: [UInt8] = []
      out.reserveCapacity(1 << 22)
      let store = dataset.playlists
      for p in 0..<store.count {
        store.withPlaylist(p) { tracks in
          for (j, t) in tracks.enumerated() {
            if j > 0 { out.append(0x20) }
            ids.withBytes(Int(t)) { out.append(contentsOf: $0) }
          }
        }
        out.append(0x0A)
        if out.count > 1 << 22 {
          try handle.write(contentsOf: out)
          out.removeAll(keepingCapacity: true)
        }
      }
      try handle.write(contentsOf: out)
    }
  }
}

@inline(__always)
func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0B || b == 0x0C }

/// Throws a ChorusError at the first byte that is not valid UTF-8.
func validateUTF8(_ raw: UnsafeRawBufferPointer, path: String) throws {
  if let bad = firstInvalidUTF8(raw) {
    let (line, column) = lineAndColumn(of: bad, in: raw)
    throw ChorusError(
      .data, "invalid UTF-8 byte 0x\(String(raw[bad], radix: 16, uppercase: true))", file: path,
      line: line, column: column, hint: "re-encode the file as UTF-8")
  }
}

/// The offset of the first invalid UTF-8 sequence, or nil. ASCII runs are skipped fast.
func firstInvalidUTF8(_ raw: UnsafeRawBufferPointer) -> Int? {
  let n = raw.count
  var i = 0
  while i < n {
    // 8 bytes at a time while all ASCII.
    while i + 8 <= n
      && raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0
    {
      i += 8
    }
    if i >= n { break }
    let b = raw[i]
    if b < 0x80 {
      i += 1
      continue
    }
    var need = 0
    var minCode: UInt32 = 0
    var code: UInt32 = 0
    if b & 0xE0 == 0xC0 {
      need = 1
      minCode = 0x80
      code = UInt32(b & 0x1F)
    } else if b & 0xF0 == 0xE0 {
      need = 2
      minCode = 0x800
      code = UInt32(b & 0x0F)
    } else if b & 0xF8 == 0xF0 {
      need = 3
      minCode = 0x10000
      code = UInt32(b & 0x07)
    } else {
      return i
    }
    if i + need > n - 1 { return i }
    for k in 1...need {
      let c = raw[i + k]
      if c & 0xC0 != 0x80 { return i }
      code = code << 6 | UInt32(c & 0x3F)
    }
    if code < minCode || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF) { return i }
    i += need + 1
  }
  return nil
}
