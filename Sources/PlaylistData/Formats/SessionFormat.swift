// Session logs as playlists: TSV or CSV with a header naming the columns `session`, `item`
// and optionally `time` and `artist`. Rows are grouped by session (sessions in order of first
// appearance); within a session rows are ordered by time when a time column exists (stable
// for equal times). Each session becomes one playlist named after its key; its pid is the key
// when every key is an integer, else the session's 0-based index. Keys that differ as text
// but not as numbers ("7", "007") are refused, naming both lines.
import ChorusCore
import Foundation

/// Reads session TSV/CSV files.
public enum SessionFormat {
  /// The column names this reader understands.
  public static let knownColumns = ["session", "item", "time", "artist"]

  /// Reads `path`; the delimiter is a tab for `.tsv` and a comma otherwise.
  public static func read(path: String) throws -> Dataset {
    let data = try FileIO.read(path)
    let delimiter: UInt8 = path.lowercased().hasSuffix(".tsv") ? 0x09 : 0x2C
    return try data.withUnsafeBytes { try parse($0, delimiter: delimiter, path: path) }
  }

  struct Row {
    var session: Int
    var time: Double
    var item: (Int, Int)
    var artist: (Int, Int)
  }

  /// Parses a session table held in memory.
  public static func parse(_ raw: UnsafeRawBufferPointer, delimiter: UInt8, path: String) throws
    -> Dataset
  {
    if raw.isEmpty {
      throw ChorusError(
        .data, "file is empty", file: path,
        hint: "a session file starts with a header line 'session,item[,time]'")
    }
    try validateUTF8(raw, path: path)
    let lines = splitLines(raw)
    // Header.
    let header = try splitFields(raw, lines[0], delimiter: delimiter, path: path, line: 1)
    var column: [String: Int] = [:]
    for (i, f) in header.enumerated() {
      let name = String(decoding: UnsafeRawBufferPointer(rebasing: raw[f.0..<f.1]), as: UTF8.self)
        .trimmingCharacters(in: .whitespaces).lowercased()
      guard knownColumns.contains(name) else {
        throw ChorusError(
          .data, "unknown column '\(name)' in the header", file: path, line: 1, field: name,
          hint: "the columns are session, item and optionally time and artist")
      }
      if column[name] != nil {
        throw ChorusError(.data, "column '\(name)' appears twice", file: path, line: 1, field: name)
      }
      column[name] = i
    }
    guard let sCol = column["session"], let iCol = column["item"] else {
      throw ChorusError(
        .data, "the header must name the columns 'session' and 'item'", file: path, line: 1,
        hint: "start the file with a header line such as 'session,item,time'")
    }
    let tCol = column["time"]
    let aCol = column["artist"]

    var sessions = Interner()
    /// Per session: the line of its first row (for error messages).
    var firstLine: [Int] = []
    var rows: [Row] = []
    var warnings = DataWarnings()
    for li in 1..<lines.count {
      let (ls, le) = lines[li]
      if ls == le { continue }  // blank line
      let fields = try splitFields(raw, (ls, le), delimiter: delimiter, path: path, line: li + 1)
      if fields.count != header.count {
        throw ChorusError(
          .data, "expected \(header.count) fields, found \(fields.count)", file: path,
          line: li + 1, hint: "every row needs one value per header column")
      }
      let item = fields[iCol]
      if item.0 == item.1 {
        warnings.emptyRows += 1
        continue
      }
      let s = fields[sCol]
      let (id, isNew) = sessions.intern(UnsafeRawBufferPointer(rebasing: raw[s.0..<s.1]))
      let sid = Int(id)
      if isNew { firstLine.append(li + 1) }
      var time = Double(li)
      if let tCol {
        let t = fields[tCol]
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: raw[t.0..<t.1]), as: UTF8.self)
        guard let v = Double(text.trimmingCharacters(in: .whitespaces)), v.isFinite else {
          throw ChorusError(
            .data, "time '\(text)' is not a number", file: path, line: li + 1, field: "time",
            hint: "use a numeric timestamp (e.g. seconds since 1970)")
        }
        time = v
      }
      rows.append(
        Row(session: sid, time: time, item: item, artist: aCol.map { fields[$0] } ?? (0, 0)))
    }
    if rows.isEmpty {
      throw ChorusError(
        .data, "no rows after the header", file: path, hint: "add session,item rows")
    }
    // Group by session (first-appearance order), then by time (stable: ties keep file order).
    let order = (0..<rows.count).sorted { a, b in
      let ra = rows[a]
      let rb = rows[b]
      if ra.session != rb.session { return ra.session < rb.session }
      if ra.time != rb.time { return ra.time < rb.time }
      return a < b
    }
    // Pids: the keys when all are integers, else the session indices (never a mix, which
    // could give two sessions one pid).
    let keys = sessions.pool.strings
    let numeric = keys.map { Int64($0) }
    let allNumeric = !numeric.contains(nil)
    let pids = allNumeric ? numeric.map { $0! } : (0..<keys.count).map { Int64($0) }
    try PlaylistIDCheck.requireUnique(
      pids, source: path,
      describe: { "session '\(keys[$0])' first seen on line \(firstLine[$0])" },
      hint: "session keys that are equal as numbers ('7', '007') are the same playlist id; "
        + "give each session its own key")
    var builder = DatasetBuilder()
    builder.warnings = warnings
    var current = -1
    func close(_ sid: Int) {
      builder.endPlaylist(pid: pids[sid], name: keys[sid])
    }
    for r in order {
      let row = rows[r]
      if row.session != current {
        if current >= 0 { close(current) }
        current = row.session
      }
      let item = UnsafeRawBufferPointer(rebasing: raw[row.item.0..<row.item.1])
      let artist = UnsafeRawBufferPointer(rebasing: raw[row.artist.0..<row.artist.1])
      if artist.isEmpty { builder.warnings.missingArtist += aCol == nil ? 0 : 1 }
      builder.appendTrack(
        id: item, name: UnsafeRawBufferPointer(start: nil, count: 0), artistKey: artist,
        artistName: artist)
    }
    close(current)
    return builder.finish()
  }

  /// Byte ranges of lines (without "\n" or "\r\n").
  static func splitLines(_ raw: UnsafeRawBufferPointer) -> [(Int, Int)] {
    var out: [(Int, Int)] = []
    var start = 0
    for i in 0..<raw.count where raw[i] == 0x0A {
      out.append((start, i > start && raw[i - 1] == 0x0D ? i - 1 : i))
      start = i + 1
    }
    if start < raw.count {
      let end = raw[raw.count - 1] == 0x0D ? raw.count - 1 : raw.count
      out.append((start, end))
    }
    return out
  }

  /// Field byte ranges of one line; supports double-quoted fields with "" escapes (quotes are
  /// kept out of the range; a quoted field containing "" keeps both quotes — rare in ids).
  static func splitFields(
    _ raw: UnsafeRawBufferPointer, _ line: (Int, Int), delimiter: UInt8, path: String,
    line number: Int
  ) throws -> [(Int, Int)] {
    var out: [(Int, Int)] = []
    var i = line.0
    let end = line.1
    while true {
      if i < end && raw[i] == 0x22 {  // quoted
        let start = i + 1
        i = start
        while true {
          guard i < end else {
            throw ChorusError(
              .data, "unterminated quoted field", file: path, line: number,
              hint: "close the quote or remove it")
          }
          if raw[i] == 0x22 {
            if i + 1 < end && raw[i + 1] == 0x22 {
              i += 2
              continue
            }
            break
          }
          i += 1
        }
        out.append((start, i))
        i += 1
        if i < end && raw[i] != delimiter {
          throw ChorusError(.data, "unexpected text after a quoted field", file: path, line: number)
        }
      } else {
        let start = i
        while i < end && raw[i] != delimiter { i += 1 }
        out.append((start, i))
      }
      if i >= end { break }
      i += 1  // skip the delimiter
      if i == end {
        out.append((end, end))
        break
      }
    }
    return out
  }
}
