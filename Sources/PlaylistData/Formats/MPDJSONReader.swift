// Reader for the Spotify Million Playlist Dataset slice JSON: one slice file, or a folder of
// mpd.slice.<a>-<b>.json files read in numeric order of <a>. The byte-level work lives in
// MPDSliceParser and JSONScanner; this file maps files, orders slices and turns parse
// failures into ChorusErrors with line and column. It does not read the challenge set format.
import ChorusCore
import Foundation

/// Reads MPD slice JSON (`{"info": …, "playlists": [{"pid", "name", "tracks": […]}, …]}`).
///
/// Only `pid` (an integer) and `tracks[].track_uri` (a string) are required. A track's artist
/// key is `artist_uri`, else `artist_name`, else the "unknown" artist (counted in
/// `warnings.missingArtist`); a missing playlist name reads as "" (`warnings.missingName`).
/// Unknown keys are skipped; the whole file must still be valid JSON in UTF-8.
public enum MPDJSONReader {
  /// Reads a single slice file, or a folder of mpd.slice.*.json files (numeric order).
  ///
  /// - Complexity: O(total bytes).
  public static func read(path: String) throws -> Dataset {
    let files = FileIO.isDirectory(path) ? try sliceFiles(in: path) : [path]
    var builder = DatasetBuilder()
    // Real slices run about 500 bytes per entry (pretty-printed), 33 kB per playlist.
    let bytes = files.reduce(0) { $0 + fileSize($1) }
    builder.reserve(playlists: bytes / 20_000 + 16, entries: bytes / 400 + 256)
    for file in files {
      let data = try FileIO.read(file)
      try data.withUnsafeBytes { raw in try parse(raw, path: file, into: &builder) }
    }
    return builder.finish()
  }

  /// Parses one slice held in memory, appending to `builder` (path used in error messages).
  ///
  /// On error the open playlist is abandoned; playlists closed before it stay in `builder`.
  /// - Throws: `ChorusError(.data, …)` naming `path`, line, column and field.
  /// - Complexity: O(bytes.count).
  public static func parse(
    _ bytes: UnsafeRawBufferPointer, path: String, into builder: inout DatasetBuilder
  ) throws {
    guard let base = bytes.baseAddress, bytes.count > 0 else {
      throw ChorusError(
        .data, "the file is empty", file: path, line: 1, column: 1,
        hint: "an MPD slice is a JSON object with a 'playlists' array; write the file again")
    }
    var parser = MPDSliceParser(
      base: base.assumingMemoryBound(to: UInt8.self), count: bytes.count)
    do {
      try parser.parseSlice(into: &builder)
    } catch {
      builder.abandonPlaylist()
      let (line, column) = lineAndColumn(of: error.offset, in: bytes)
      throw ChorusError(
        .data, error.message, file: path, line: line, column: column, field: error.field,
        hint: error.hint)
    }
  }

  /// The pid and byte range (`{` to `}`) of every playlist object of one slice, in order, so
  /// that a writer can copy untouched playlists byte for byte (`MPDJSONWriter.writeCopy`).
  /// - Throws: `ChorusError(.data, …)` naming `path`, line and column.
  /// - Complexity: O(bytes.count).
  public static func playlistSpans(_ bytes: UnsafeRawBufferPointer, path: String) throws
    -> [(pid: Int64?, bytes: Range<Int>)]
  {
    guard let base = bytes.baseAddress, bytes.count > 0 else {
      throw ChorusError(.data, "the file is empty", file: path, line: 1, column: 1)
    }
    var parser = MPDSliceParser(
      base: base.assumingMemoryBound(to: UInt8.self), count: bytes.count)
    do {
      return try parser.playlistSpans()
    } catch {
      let (line, column) = lineAndColumn(of: error.offset, in: bytes)
      throw ChorusError(
        .data, error.message, file: path, line: line, column: column, field: error.field,
        hint: error.hint)
    }
  }

  /// The slice files of a folder in reading order; throws if there are none.
  ///
  /// Files named `mpd.slice.<a>-<b>.json` sort by the number `<a>` (so 2000-2999 comes before
  /// 10000-10999), then by name; names whose `<a>` is not a number come last.
  public static func sliceFiles(in folder: String) throws -> [String] {
    guard FileIO.isDirectory(folder) else {
      throw ChorusError(.io, "no such folder", file: folder, hint: "check the path")
    }
    let names: [String]
    do {
      names = try FileManager.default.contentsOfDirectory(atPath: folder)
    } catch {
      throw ChorusError(
        .io, "cannot list the folder: \(error.localizedDescription)", file: folder,
        hint: "check that the folder is readable")
    }
    let base = URL(fileURLWithPath: folder)
    var slices: [(start: Int, name: String)] = []
    for name in names where name.hasPrefix("mpd.slice.") && name.hasSuffix(".json") {
      if !FileIO.isDirectory(base.appendingPathComponent(name).path) {
        slices.append((sliceStart(name), name))
      }
    }
    slices.sort { $0.start != $1.start ? $0.start < $1.start : $0.name < $1.name }
    guard !slices.isEmpty else {
      throw ChorusError(
        .data, "the folder holds no slice files (mpd.slice.*.json)", file: folder,
        hint: "pass the MPD 'data' folder or a single slice file")
    }
    return slices.map { base.appendingPathComponent($0.name).path }
  }

  /// The number `<a>` of `mpd.slice.<a>-<b>.json`, or Int.max when it is not a number.
  private static func sliceStart(_ name: String) -> Int {
    let rest = name.utf8.dropFirst("mpd.slice.".utf8.count)
    let digits = rest.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    guard !digits.isEmpty, digits.count < 19 else { return Int.max }
    return digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
  }

  private static func fileSize(_ path: String) -> Int {
    let attributes = try? FileManager.default.attributesOfItem(atPath: path)
    return (attributes?[.size] as? NSNumber)?.intValue ?? 0
  }
}
