// The external popularity table (Experiments/PROTOCOL.md §4): a user CSV `track_id,count`, e.g.
// scraped stream counts. Optional header, blank lines and `#` comments allowed; a bad row stops the
// read with an error naming the file and line. Tracks the catalogue does not know are counted and
// ignored; catalogue tracks the table does not list stay unknown.
import ChorusCore
import Foundation

/// How the rows of a popularity table were used.
public struct TableSummary: Sendable, Equatable, Codable {
  /// Data rows read (header, blank and comment lines excluded).
  public var rows = 0
  /// Rows whose track is in the catalogue.
  public var matched = 0
  /// Rows naming a track the catalogue does not have (ignored).
  public var notInCatalogue = 0
  /// Rows with an empty count (the track stays unknown).
  public var withoutCount = 0

  /// All counters at zero.
  public init() {}
}

extension FrequencyEstimate {
  /// The prefix tried when a table id is not in the catalogue: scraped tables often list
  /// bare Spotify ids while the MPD uses `spotify:track:` URIs.
  static let spotifyTrackPrefix = "spotify:track:"

  /// Reads an external popularity table `track_id,count`.
  ///
  /// The first line is a header when its count field is not a number. Fields are trimmed;
  /// an id may be double-quoted. A count must be a finite number ≥ 0; an empty count means
  /// "unknown". An id missing from the catalogue is retried with `spotify:track:` in front.
  /// - Throws: `ChorusError` naming the file and line for a row that has not exactly two
  ///   fields, an empty id, a bad count, or a track listed twice; `.io` when unreadable.
  /// - Complexity: O(file size + catalogue id bytes).
  public static func table(path: String, catalogue: Catalogue) throws -> FrequencyEstimate {
    let data = try FileIO.read(path)
    let ids = Interner(pool: catalogue.trackIDs)
    var estimates = [Double](repeating: .nan, count: catalogue.trackCount)
    /// Per track: the 1-based line that gave its count (0 = none yet), for duplicate errors.
    var lineOf = [Int32](repeating: 0, count: catalogue.trackCount)
    var summary = TableSummary()
    let prefix = Array(spotifyTrackPrefix.utf8)
    var scratch: [UInt8] = []

    try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
      let n = raw.count
      var start = 0
      // A UTF-8 byte order mark is not part of the first id.
      if n >= 3 && raw[0] == 0xEF && raw[1] == 0xBB && raw[2] == 0xBF { start = 3 }
      var line = 0
      var sawFirstRow = false
      while start < n {
        line += 1
        var end = start
        while end < n && raw[end] != 0x0A { end += 1 }
        let next = end + 1
        let (lo, hi) = trimmed(raw, start, end)
        start = next
        if lo == hi || raw[lo] == UInt8(ascii: "#") { continue }

        func fail(_ message: String, field: String? = nil, hint: String? = nil) -> ChorusError {
          ChorusError(
            .data, message, file: path, line: line, field: field,
            hint: hint ?? "each row is 'track_id,count' with a count ≥ 0")
        }
        var comma = lo
        while comma < hi && raw[comma] != UInt8(ascii: ",") { comma += 1 }
        var fields = 1
        var k = comma
        while k < hi {
          if raw[k] == UInt8(ascii: ",") { fields += 1 }
          k += 1
        }
        guard fields == 2 else {
          throw fail("expected 2 fields 'track_id,count', found \(fields)")
        }
        var (idLo, idHi) = trimmed(raw, lo, comma)
        let (countLo, countHi) = trimmed(raw, comma + 1, hi)
        if idHi - idLo >= 2 && raw[idLo] == UInt8(ascii: "\"")
          && raw[idHi - 1] == UInt8(ascii: "\"")
        {
          idLo += 1
          idHi -= 1
        }
        let countText = String(
          decoding: UnsafeRawBufferPointer(rebasing: raw[countLo..<countHi]), as: UTF8.self)
        let isFirstRow = !sawFirstRow
        sawFirstRow = true
        if countLo == countHi {
          guard idLo < idHi else { throw fail("empty track id", field: "track_id") }
          summary.rows += 1
          summary.withoutCount += 1
          continue
        }
        guard let count = Double(countText), count.isFinite, count >= 0 else {
          if isFirstRow { continue }  // A header such as `track_id,count`.
          throw fail("bad count '\(countText)'", field: "count")
        }
        guard idLo < idHi else { throw fail("empty track id", field: "track_id") }
        summary.rows += 1
        let idBytes = UnsafeRawBufferPointer(rebasing: raw[idLo..<idHi])
        var found = ids.find(idBytes)
        if found == nil && !idBytes.starts(with: prefix) {
          scratch.removeAll(keepingCapacity: true)
          scratch.append(contentsOf: prefix)
          scratch.append(contentsOf: idBytes)
          found = scratch.withUnsafeBytes { ids.find($0) }
        }
        guard let t = found.map(Int.init) else {
          summary.notInCatalogue += 1
          continue
        }
        if lineOf[t] != 0 {
          let id = String(decoding: idBytes, as: UTF8.self)
          throw fail(
            "track '\(id)' is listed twice (first on line \(lineOf[t]))", field: "track_id",
            hint: "keep one row per track")
        }
        lineOf[t] = Int32(truncatingIfNeeded: line)
        estimates[t] = count
        summary.matched += 1
      }
    }
    return FrequencyEstimate(source: .table(path: path), estimates: estimates, table: summary)
  }

  /// The byte range lo..<hi without surrounding spaces, tabs and carriage returns.
  @inline(__always)
  static func trimmed(_ raw: UnsafeRawBufferPointer, _ lo: Int, _ hi: Int) -> (Int, Int) {
    var a = lo
    var b = hi
    while a < b && isBlank(raw[a]) { a += 1 }
    while b > a && isBlank(raw[b - 1]) { b -= 1 }
    return (a, b)
  }

  @inline(__always)
  static func isBlank(_ c: UInt8) -> Bool {
    c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r")
  }
}
