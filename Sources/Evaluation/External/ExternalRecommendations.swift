// Recommendations made by a system outside the lab (e.g. the study's transformer), read from a
// CSV file so that the lab's own measures can score them: one row per test playlist of a
// fold, its pid, then track ids best first. Also the exposure of a target song s* in them,
// computed with the same code as a study's runs (`TargetMeasures`).
import ChorusCore
import PlaylistData
import Recommenders

/// One fold's recommendation lists from an external CSV, as a `RecommendationTable`.
///
/// Format (UTF-8): one row per test playlist of the fold, `pid,track,track,…` best first; an
/// optional first row whose first field is `pid` is a header. Accepted as Python's
/// `csv.writer` and spreadsheets write it: `\n` or `\r\n` line ends, a leading UTF-8 byte
/// order mark, fields in double quotes (`""` for a quote), spaces around fields. Empty
/// fields and blank lines are skipped. Refused, with the file and line named: a first field
/// that is not a pid of the fold's test playlists, a pid given twice, a track id repeated
/// within one row (a repeated relevant track would be counted twice by recall and NDCG, and
/// R(s*) could exceed the number of playlists), and a test playlist without a row.
/// Track ids that are not in the dataset are kept as never-relevant tracks beyond the
/// catalogue (ids `dataset.trackCount…`), so a target that only the model knows still counts.
public struct ExternalRecommendations: Sendable {
  /// Row i = test playlist i of the split (`FoldSplit.test` order); shorter rows padded with -1.
  public let table: RecommendationTable
  /// Track ids not in the dataset's catalogue, in first-seen order; id `catalogueCount + i`.
  public let unknownIDs: Interner
  /// The dataset's track count: ids below it are catalogue tracks.
  public let catalogueCount: Int
  private let catalogue: Interner

  /// K, the longest list in the file.
  public var k: Int { table.k }

  /// All track ids the table may hold: catalogue plus unknown ids.
  public var trackCount: Int { catalogueCount + unknownIDs.count }

  /// The table's id of an external track id (catalogue first, then unknown ids), or nil.
  public func track(_ id: String) -> Int32? {
    if let t = catalogue.find(id) { return t }
    return unknownIDs.find(id).map { Int32(catalogueCount) + $0 }
  }

  /// Reads and parses the CSV file at `path`.
  /// - Throws: `ChorusError(.io)` if unreadable, `ChorusError(.data)` as described above.
  /// - Complexity: O(bytes + test playlists × K).
  public static func read(path: String, dataset: Dataset, split: FoldSplit) throws
    -> ExternalRecommendations
  {
    let data = try FileIO.read(path)
    return try ExternalRecommendations(
      csv: [UInt8](data), path: path, dataset: dataset, split: split)
  }

  /// Parses CSV bytes (`path` only names errors).
  /// - Throws: `ChorusError(.data)` naming `path`, the line and the offending pid or id.
  /// - Complexity: O(bytes + test playlists × K).
  public init(csv bytes: [UInt8], path: String, dataset: Dataset, split: FoldSplit) throws {
    var row: [Int64: Int] = [:]
    for (i, pl) in split.test.enumerated() { row[dataset.pids[pl]] = i }
    let catalogue = Interner(pool: dataset.catalogue.trackIDs)
    let base = Int32(dataset.trackCount)
    var unknown = Interner()
    var lists = [[Int32]?](repeating: nil, count: split.test.count)
    var k = 0
    for (line, fields) in CSVRows.parse(bytes) {
      guard let first = fields.first else { continue }
      if line == 1 && first.lowercased() == "pid" { continue }
      guard let pid = Int64(first) else {
        throw ChorusError(
          .data, "'\(first)' is not a playlist pid", file: path, line: line,
          hint: "each row starts with a test playlist's pid")
      }
      guard let i = row[pid] else {
        throw ChorusError(
          .data, "pid \(pid) is not a test playlist of fold \(split.fold)", file: path, line: line,
          hint:
            "use the pids of 'chorus dataset split … --fold \(split.fold) --out DIR' (test-seeds.json)"
        )
      }
      guard lists[i] == nil else {
        throw ChorusError(
          .data, "pid \(pid) appears twice", file: path, line: line,
          hint: "give exactly one row per test playlist")
      }
      var list: [Int32] = []
      list.reserveCapacity(fields.count - 1)
      var seen = Set<Int32>()
      for id in fields.dropFirst() {
        // Unknown ids (and an s* the dataset does not hold) get ids beyond the catalogue.
        let t = catalogue.find(id) ?? base + unknown.intern(id).id
        guard seen.insert(t).inserted else {
          throw ChorusError(
            .data, "track '\(id)' appears twice in the list of pid \(pid)", file: path,
            line: line,
            hint:
              "recommend each track at most once per playlist (a repeat would count twice in recall, NDCG and R(s*)); drop the later copies"
          )
        }
        list.append(t)
      }
      lists[i] = list
      k = max(k, list.count)
    }
    let missing = lists.indices.filter { lists[$0] == nil }
    guard missing.isEmpty else {
      throw ChorusError(
        .data,
        "\(missing.count) test playlists have no recommendations (e.g. pid \(dataset.pids[split.test[missing[0]]]))",
        file: path, hint: "give one row per test playlist of the fold")
    }
    guard k > 0 else {
      throw ChorusError(
        .data, "no recommendations in the file", file: path,
        hint: "each row is a pid followed by the recommended track ids")
    }
    var items = [Int32](repeating: -1, count: lists.count * k)
    for (i, l) in lists.enumerated() { for (j, t) in l!.enumerated() { items[i * k + j] = t } }
    table = RecommendationTable(k: k, items: items)
    unknownIDs = unknown
    catalogueCount = dataset.trackCount
    self.catalogue = catalogue
  }
}

/// The exposure of one target song s* in external recommendations, as numbers.
public struct ExternalTargetExposure: Sendable, Codable, Equatable {
  /// The external id of s*.
  public var id: String
  /// True if the dataset's catalogue holds s* (e.g. the planted dataset was given).
  public var inCatalogue: Bool
  /// R(s*): test playlists with s* in top_R (the first |G_p| recommendations).
  public var recommendations: Int
  /// Test playlists of the fold.
  public var testPlaylists: Int
  /// R(s*) / test playlists.
  public var successAll: Double
  /// Test playlists with s* anywhere in their list.
  public var inList: Int
  /// Mean and median 1-based rank of s* where it is in the list (nil if nowhere).
  public var meanRank: Double?
  public var medianRank: Double?
  /// B, the collective's size in playlists (one copy of s* each), if given.
  public var budget: Int?
  /// N_train: Σ over training playlists of their distinct tracks, without s*.
  public var trainingEntries: Int
  /// Training playlists of `dataset` that hold s* (0 for the clean dataset; B for the
  /// planted one, a check on `budget`).
  public var trainingOccurrences: Int
  /// [R / Σ|G|] ÷ [B / N_train] (`Amplification`); nil without a budget.
  public var amplification: Double?

  /// Measures s* (`target`, an external id) in `recommendations` on `split` of `dataset`.
  ///
  /// `budget` B must be positive. N_train is counted on `dataset` minus any copies of s* in
  /// its training playlists, so the clean and the planted dataset give the same value.
  /// - Complexity: O(test playlists × K + training entries).
  public init(
    target: String, recommendations: ExternalRecommendations, split: FoldSplit, dataset: Dataset,
    budget: Int? = nil
  ) {
    precondition(budget.map { $0 > 0 } ?? true, "the budget must be positive")
    let store = dataset.playlists
    let truthLengths = (0..<split.test.count).map {
      split.context(ofTest: $0, in: store).truth.count
    }
    let t = recommendations.track(target) ?? -2  // -2: never in a list (padding is -1)
    let inCatalogue = Int(t) >= 0 && Int(t) < dataset.trackCount
    var entries = 0
    var occurrences = 0
    for p in split.training {
      let row = store[p]
      entries += row.count
      if inCatalogue && row.contains(t) { occurrences += 1 }
    }
    entries -= occurrences
    let m = TargetMeasures(
      target: t, manipulated: recommendations.table, clean: recommendations.table,
      truthLengths: truthLengths, seeds: split.contexts(in: store), anchors: [],
      budget: budget ?? 0, trainingEntries: entries)
    id = target
    self.inCatalogue = inCatalogue
    self.recommendations = m.recommendations
    testPlaylists = split.test.count
    successAll = m.successAll
    inList = m.inList
    meanRank = m.meanRank.isNaN ? nil : m.meanRank
    medianRank = m.medianRank.isNaN ? nil : m.medianRank
    self.budget = budget
    trainingEntries = entries
    trainingOccurrences = occurrences
    amplification = budget == nil || m.amplification.isNaN ? nil : m.amplification
  }
}

/// A small CSV reader for recommendation files: rows of trimmed, non-empty fields.
enum CSVRows {
  /// (1-based line, fields) per line that has at least one non-empty field. Handles a UTF-8
  /// BOM, `\n` and `\r\n` line ends, and double-quoted fields (`""` is a quote; a quoted field
  /// ends at the line end if its closing quote is missing). With `keepEmpty` empty fields
  /// stay in place (columns keep their positions); lines with no non-empty field are skipped
  /// either way.
  static func parse(_ bytes: [UInt8], keepEmpty: Bool = false) -> [(line: Int, fields: [String])] {
    var start = 0
    if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { start = 3 }
    var rows: [(line: Int, fields: [String])] = []
    var line = 1
    var i = start
    while i < bytes.count {
      var end = i
      while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
      var stop = end
      if stop > i && bytes[stop - 1] == UInt8(ascii: "\r") { stop -= 1 }
      let fields = split(bytes[i..<stop], keepEmpty: keepEmpty)
      if fields.contains(where: { !$0.isEmpty }) { rows.append((line, fields)) }
      line += 1
      i = end + 1
    }
    return rows
  }

  /// The fields of one line (only the non-empty ones unless `keepEmpty`), unquoted and
  /// trimmed of spaces and tabs.
  private static func split(_ line: ArraySlice<UInt8>, keepEmpty: Bool) -> [String] {
    var fields: [String] = []
    var field: [UInt8] = []
    var quoted = false
    var i = line.startIndex
    func flush() {
      var s = field[...]
      while let f = s.first, f == 0x20 || f == 0x09 { s = s.dropFirst() }
      while let l = s.last, l == 0x20 || l == 0x09 { s = s.dropLast() }
      if !s.isEmpty || keepEmpty { fields.append(String(decoding: s, as: UTF8.self)) }
      field.removeAll(keepingCapacity: true)
    }
    while i < line.endIndex {
      let b = line[i]
      if quoted {
        if b == UInt8(ascii: "\"") {
          if i + 1 < line.endIndex && line[i + 1] == UInt8(ascii: "\"") {
            field.append(b)
            i += 1
          } else {
            quoted = false
          }
        } else {
          field.append(b)
        }
      } else if b == UInt8(ascii: ",") {
        flush()
      } else if b == UInt8(ascii: "\"") && field.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
        field.removeAll(keepingCapacity: true)
        quoted = true
      } else {
        field.append(b)
      }
      i += 1
    }
    flush()
    return fields
  }
}
