// What a collective cost other songs in recommendations made outside the lab: two CSV files of
// one fold (the model trained on the clean data, and on the planted data), scored with the
// same top_R counts and the same `Externalities` as a study's runs. Songs are the dataset's
// catalogue tracks (ids a model invents are left out); their category comes from the edit
// log of `chorus plant` (direct and indirect anchors), their training frequency from the
// fold's training playlists of the given dataset, without s*.
import ChorusCore
import PlaylistData

/// ΔR of every other song between clean and planted external recommendations, by category
/// and by training-frequency bin (powers of two, as `externalities.csv`).
public struct ExternalExternalities: Sendable {
  /// One category × frequency bin: sums and the mean over its songs.
  public struct Group: Sendable, Codable, Equatable {
    public var category: SongCategory
    /// Inclusive training-frequency bounds; (0, 0) for songs in no training playlist.
    public var low: Int
    public var high: Int
    /// Songs with R₀ > 0 or R > 0, or that are anchors.
    public var songs = 0
    public var r0 = 0
    public var r = 0
    public var deltaR: Int { r - r0 }
    /// ΔR / R₀ of the group's sums, a fraction (NaN when R₀ is 0).
    public var deltaROverR0: Double { r0 > 0 ? Double(r - r0) / Double(r0) : .nan }
    /// Mean ΔR per song.
    public var meanDeltaR: Double { songs > 0 ? Double(r - r0) / Double(songs) : .nan }

    enum CodingKeys: String, CodingKey { case category, low, high, songs, r0, r }

    /// Counts one more song of the group.
    mutating func add(_ song: SongExposure) {
      songs += 1
      r0 += song.r0
      r += song.r
    }
  }

  /// Every song's exposure (the target included, as category `target`).
  public let externalities: Externalities
  /// Per category (anchors, then other songs; the target excluded), over all frequencies.
  public let categories: [Group]
  /// Per frequency bin and category, ascending frequency; the target excluded.
  public let bins: [Group]
  /// The catalogue's external track ids, to name songs.
  public let trackIDs: StringPool

  /// - Parameters:
  ///   - clean/planted: the two models' recommendations for the same fold's test playlists.
  ///   - target: the external id of s* (left out of every group), if any.
  ///   - directAnchors/indirectAnchors: external ids from the edit log; a song that is both
  ///     counts as direct (as in a study's runs).
  /// - Complexity: O(test playlists × K + training entries + tracks).
  public init(
    clean: ExternalRecommendations, planted: ExternalRecommendations, split: FoldSplit,
    dataset: Dataset, target: String?, directAnchors: Set<String>, indirectAnchors: Set<String>
  ) {
    let store = dataset.playlists
    let n = dataset.trackCount
    let truthLengths = (0..<split.test.count).map {
      split.context(ofTest: $0, in: store).truth.count
    }
    // Top-R counts over the catalogue only: each file numbers its own unknown ids.
    func counts(_ recs: ExternalRecommendations) -> TopRCounts {
      let all = TopRCounts(
        table: recs.table, truthLengths: truthLengths, trackCount: recs.trackCount)
      return TopRCounts(counts: Array(all.counts.prefix(n)), totalTruth: all.totalTruth)
    }
    let targetTrack = target.flatMap { planted.track($0) }.map { Int($0) < n ? $0 : -2 } ?? -2
    var frequency = store.trackFrequencies(of: split.training, trackCount: n)
    if targetTrack >= 0 { frequency[Int(targetTrack)] = 0 }
    var direct = [Bool](repeating: false, count: n)
    var indirect = [Bool](repeating: false, count: n)
    for id in directAnchors {
      if let t = planted.track(id), Int(t) < n { direct[Int(t)] = true }
    }
    for id in indirectAnchors {
      if let t = planted.track(id), Int(t) < n { indirect[Int(t)] = true }
    }
    let ext = Externalities(
      clean: counts(clean), manipulated: counts(planted), frequency: frequency, direct: direct,
      indirect: indirect, target: targetTrack, artistOf: dataset.catalogue.trackArtist,
      artistCount: dataset.artistCount)
    externalities = ext
    trackIDs = dataset.catalogue.trackIDs
    var byCategory: [SongCategory: Group] = [:]
    var byBin: [FrequencyBinKey: Group] = [:]
    for s in ext.songs where s.category != .target {
      byCategory[s.category, default: Group(category: s.category, low: 0, high: 0)].add(s)
      let bin = s.frequency > 0 ? FrequencyBins.bin(of: s.frequency) : -1
      let (low, high) = bin >= 0 ? FrequencyBins.range(of: bin) : (0, 0)
      let key = FrequencyBinKey(bin: bin, category: s.category)
      byBin[key, default: Group(category: s.category, low: low, high: high)].add(s)
    }
    categories = SongCategory.allCases.compactMap { byCategory[$0] }
    bins = byBin.keys.sorted().map { byBin[$0]! }
  }

  /// The groups as CSV, with the column names of a study's `externalities.csv` where they mean
  /// the same: `category,freq_low,freq_high,songs,r0,r,delta_r,delta_r_mean,delta_r_over_r0`,
  /// one row per frequency bin and category (freq_low = freq_high = 0 for songs in no training
  /// playlist), then one row per category over all frequencies (bounds empty).
  /// `delta_r_mean` is ΔR per song; `delta_r_over_r0` is ΔR / R₀ of the row's sums as a
  /// fraction, empty when R₀ is 0.
  public var csv: String {
    func number(_ v: Double) -> String { v.isNaN ? "" : String(v) }
    var out = "category,freq_low,freq_high,songs,r0,r,delta_r,delta_r_mean,delta_r_over_r0\n"
    for g in bins {
      out +=
        "\(g.category.rawValue),\(g.low),\(g.high),\(g.songs),\(g.r0),\(g.r),\(g.deltaR),"
        + "\(number(g.meanDeltaR)),\(number(g.deltaROverR0))\n"
    }
    for g in categories {
      out +=
        "\(g.category.rawValue),,,\(g.songs),\(g.r0),\(g.r),\(g.deltaR),"
        + "\(number(g.meanDeltaR)),\(number(g.deltaROverR0))\n"
    }
    return out
  }

  /// Per song whose R changed, or that is an anchor or the target:
  /// `track_id,category,training_frequency,r0,r,delta_r` (a study's songs.csv columns),
  /// ascending track id.
  public var songsCSV: String {
    // RFC 4180 quoting where an id needs it (as the edit log writes ids).
    func field(_ id: String) -> String {
      guard id.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else {
        return id
      }
      return "\"" + String(id.flatMap { $0 == "\"" ? ["\"", "\""] : [$0] }) + "\""
    }
    var out = "track_id,category,training_frequency,r0,r,delta_r\n"
    for s in externalities.songs where s.delta != 0 || s.category != .other {
      out +=
        "\(field(trackIDs[Int(s.track)])),\(s.category.rawValue),"
        + "\(s.frequency),\(s.r0),\(s.r),\(s.delta)\n"
    }
    return out
  }

  /// The direct and indirect anchors of an edit log written by `chorus plant` (columns
  /// `direct_anchor` and `indirect_anchor`; empty cells are no anchor).
  /// - Throws: `ChorusError(.io)` if unreadable; `ChorusError(.data)` naming the file and the
  ///   missing column.
  public static func anchors(editsAt path: String) throws -> (
    direct: Set<String>, indirect: Set<String>
  ) {
    let rows = CSVRows.parse([UInt8](try FileIO.read(path)), keepEmpty: true)
    guard let header = rows.first?.fields else {
      throw ChorusError(
        .data, "the edit log is empty", file: path,
        hint: "pass the edits.csv that 'chorus plant' wrote beside the planted dataset")
    }
    func column(_ name: String) throws -> Int {
      guard let c = header.firstIndex(of: name) else {
        throw ChorusError(
          .data, "the edit log has no column '\(name)'", file: path, line: rows[0].line,
          field: name,
          hint: "pass the edits.csv that 'chorus plant' wrote beside the planted dataset")
      }
      return c
    }
    let (d, i) = (try column("direct_anchor"), try column("indirect_anchor"))
    var direct = Set<String>()
    var indirect = Set<String>()
    for row in rows.dropFirst() {
      guard row.fields.count == header.count else {
        throw ChorusError(
          .data, "the row has \(row.fields.count) fields, the header \(header.count)", file: path,
          line: row.line, hint: "pass the edits.csv that 'chorus plant' wrote, unchanged")
      }
      if !row.fields[d].isEmpty { direct.insert(row.fields[d]) }
      if !row.fields[i].isEmpty { indirect.insert(row.fields[i]) }
    }
    return (direct, indirect)
  }
}
