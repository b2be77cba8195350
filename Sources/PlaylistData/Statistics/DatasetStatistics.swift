// Summary statistics of a dataset: sizes, playlist lengths, the long tail of track
// frequencies and the concentration of artists. Computed with single linear passes over the
// CSR arrays and flat count arrays (a 1M-playlist dataset takes well under a few seconds).
// Frequency = number of playlists containing a track; playlists are already deduplicated.
// It only describes data; it never changes or filters it.
import ChorusCore

/// Summary statistics of a `Dataset`, for `chorus dataset stats` (text or JSON).
///
/// Tracks and artists are counted only when they occur in at least one playlist, so a
/// catalogue that holds unused entries (e.g. after taking a subset) does not inflate them.
public struct DatasetStatistics: Sendable, Codable, Equatable {
  /// One row of the most frequent tracks.
  public struct TopTrack: Sendable, Codable, Equatable {
    /// External track id (e.g. `spotify:track:…`).
    public var id: String
    /// Track name ("" when unknown).
    public var name: String
    /// Artist name, else the artist key.
    public var artist: String
    /// Number of playlists containing the track.
    public var count: Int
    /// `count / playlists`.
    public var shareOfPlaylists: Double
  }

  /// One row of the artists with the most entries.
  public struct TopArtist: Sendable, Codable, Equatable {
    /// External artist key (`artist_uri`, else `artist_name`).
    public var id: String
    /// Artist name ("" when unknown).
    public var name: String
    /// Number of entries (playlist positions) holding one of the artist's tracks.
    public var entries: Int
    /// `entries / total entries`.
    public var shareOfEntries: Double
    /// Number of the artist's distinct tracks that occur at least once.
    public var tracks: Int
  }

  /// Number of playlists.
  public var playlists: Int
  /// Number of entries (sum of playlist lengths).
  public var entries: Int
  /// Distinct tracks that occur in at least one playlist.
  public var tracks: Int
  /// Distinct artists with at least one entry.
  public var artists: Int
  /// Tracks in the catalogue, including any that occur nowhere.
  public var catalogueTracks: Int
  /// Artists in the catalogue, including any without entries.
  public var catalogueArtists: Int

  /// Shortest playlist (0 for an empty dataset).
  public var lengthMin: Int
  /// Longest playlist.
  public var lengthMax: Int
  /// Mean playlist length.
  public var lengthMean: Double
  /// Median playlist length (mean of the two middle values for an even count).
  public var lengthMedian: Double
  /// 10th percentile of playlist length (nearest rank: the ⌈0.1·n⌉-th smallest).
  public var lengthP10: Int
  /// 90th percentile of playlist length (nearest rank: the ⌈0.9·n⌉-th smallest).
  public var lengthP90: Int

  /// Mean track frequency over occurring tracks: `entries / tracks`.
  public var meanTrackFrequency: Double
  /// Median track frequency over occurring tracks.
  public var medianTrackFrequency: Double
  /// Highest track frequency.
  public var maxTrackFrequency: Int
  /// Share of occurring tracks found in exactly one playlist (the long tail).
  public var shareOfTracksInOnePlaylist: Double
  /// Share of playlists containing the most frequent track.
  public var topTrackShareOfPlaylists: Double
  /// `entries / (playlists × tracks)`: the fill of the playlist × track matrix.
  public var density: Double

  /// Gini coefficient of entries per artist, over artists with at least one entry.
  public var artistGini: Double
  /// Share of entries held by the top 10% of artists (⌈0.1·artists⌉ artists).
  public var topDecileArtistShareOfEntries: Double
  /// Mean number of distinct tracks per occurring artist.
  public var meanTracksPerArtist: Double
  /// Share of adjacent pairs within playlists whose two tracks share an artist.
  public var consecutiveSameArtistShare: Double

  /// The most frequent tracks, most frequent first (ties: lower dense id first).
  public var topTracks: [TopTrack]
  /// The artists with the most entries, most first (ties: lower dense id first).
  public var topArtists: [TopArtist]

  /// Computes the statistics of `dataset`, listing the `top` most frequent tracks and artists.
  ///
  /// - Complexity: O(entries + tracks + artists · log artists).
  public init(dataset: Dataset, top: Int = 10) {
    precondition(top >= 0, "top must be non-negative")
    let store = dataset.playlists
    let catalogue = dataset.catalogue
    let playlistCount = store.count
    let entryCount = store.entryCount
    let trackCount = catalogue.trackCount
    let artistCount = catalogue.artistCount

    // MARK: - Lengths (counting, since lengths are small integers)
    let offsets = store.offsets
    var maxLen = 0
    var minLen = playlistCount > 0 ? Int.max : 0
    for p in 0..<playlistCount {
      let l = offsets[p + 1] - offsets[p]
      if l > maxLen { maxLen = l }
      if l < minLen { minLen = l }
    }
    var lengthCounts = [Int](repeating: 0, count: maxLen + 1)
    for p in 0..<playlistCount { lengthCounts[offsets[p + 1] - offsets[p]] += 1 }

    // MARK: - Track frequencies and adjacent same-artist pairs
    let frequency = store.trackFrequencies(trackCount: trackCount)
    var sameArtistPairs = 0
    var adjacentPairs = 0
    let trackArtist = catalogue.trackArtist
    store.tracks.withUnsafeBufferPointer { entries in
      trackArtist.withUnsafeBufferPointer { artistOf in
        for p in 0..<playlistCount {
          let start = offsets[p]
          let end = offsets[p + 1]
          if end - start < 2 { continue }
          adjacentPairs += end - start - 1
          var previous = artistOf[Int(entries[start])]
          for i in (start + 1)..<end {
            let a = artistOf[Int(entries[i])]
            if a == previous { sameArtistPairs += 1 }
            previous = a
          }
        }
      }
    }

    var occurring = 0
    var once = 0
    var maxFreq = 0
    var artistEntries = [Int](repeating: 0, count: artistCount)
    var artistTracks = [Int](repeating: 0, count: artistCount)
    for t in 0..<trackCount {
      let f = Int(frequency[t])
      if f == 0 { continue }
      occurring += 1
      if f == 1 { once += 1 }
      if f > maxFreq { maxFreq = f }
      let a = Int(trackArtist[t])
      artistEntries[a] += f
      artistTracks[a] += 1
    }
    // Median track frequency by counting over frequencies (bounded by the playlist count).
    var frequencyCounts = [Int](repeating: 0, count: maxFreq + 1)
    for t in 0..<trackCount where frequency[t] > 0 { frequencyCounts[Int(frequency[t])] += 1 }

    // MARK: - Artist concentration
    var counts = artistEntries.filter { $0 > 0 }
    counts.sort()
    let occurringArtists = counts.count

    // MARK: - Assemble
    playlists = playlistCount
    entries = entryCount
    tracks = occurring
    artists = occurringArtists
    catalogueTracks = trackCount
    catalogueArtists = artistCount
    lengthMin = minLen
    lengthMax = maxLen
    lengthMean = playlistCount > 0 ? Double(entryCount) / Double(playlistCount) : 0
    lengthMedian = Self.median(counts: lengthCounts, total: playlistCount)
    lengthP10 = Self.nearestRank(counts: lengthCounts, total: playlistCount, q: 0.1)
    lengthP90 = Self.nearestRank(counts: lengthCounts, total: playlistCount, q: 0.9)
    meanTrackFrequency = occurring > 0 ? Double(entryCount) / Double(occurring) : 0
    medianTrackFrequency = Self.median(counts: frequencyCounts, total: occurring)
    maxTrackFrequency = maxFreq
    shareOfTracksInOnePlaylist = occurring > 0 ? Double(once) / Double(occurring) : 0
    topTrackShareOfPlaylists = playlistCount > 0 ? Double(maxFreq) / Double(playlistCount) : 0
    density =
      playlistCount > 0 && occurring > 0
      ? Double(entryCount) / (Double(playlistCount) * Double(occurring)) : 0
    artistGini = Gini.coefficient(sortedAscending: counts.map(Double.init))
    topDecileArtistShareOfEntries = Self.topShare(sortedAscending: counts, fraction: 0.1)
    meanTracksPerArtist = occurringArtists > 0 ? Double(occurring) / Double(occurringArtists) : 0
    consecutiveSameArtistShare =
      adjacentPairs > 0 ? Double(sameArtistPairs) / Double(adjacentPairs) : 0

    let topTrackIDs = Self.topIndices(count: trackCount, k: top) { Int(frequency[$0]) }
    topTracks = topTrackIDs.map { t in
      let a = Int(trackArtist[t])
      let artistName = catalogue.artistNames[a]
      return TopTrack(
        id: catalogue.trackIDs[t], name: catalogue.trackNames[t],
        artist: artistName.isEmpty ? catalogue.artistIDs[a] : artistName,
        count: Int(frequency[t]),
        shareOfPlaylists: Double(frequency[t]) / Double(max(1, playlistCount)))
    }
    let topArtistIDs = Self.topIndices(count: artistCount, k: top) { artistEntries[$0] }
    topArtists = topArtistIDs.map { a in
      TopArtist(
        id: catalogue.artistIDs[a], name: catalogue.artistNames[a], entries: artistEntries[a],
        shareOfEntries: Double(artistEntries[a]) / Double(max(1, entryCount)),
        tracks: artistTracks[a])
    }
  }

  // MARK: - Helpers

  /// Median of a histogram (`counts[v]` values equal to v, `total` values in all).
  static func median(counts: [Int], total: Int) -> Double {
    if total == 0 { return 0 }
    let lo = valueAt(rank: (total - 1) / 2, counts: counts)
    let hi = valueAt(rank: total / 2, counts: counts)
    return Double(lo + hi) / 2
  }

  /// The ⌈q·total⌉-th smallest value (1-based rank; at least the first).
  static func nearestRank(counts: [Int], total: Int, q: Double) -> Int {
    if total == 0 { return 0 }
    let rank = max(1, Int((q * Double(total)).rounded(.up)))
    return valueAt(rank: rank - 1, counts: counts)
  }

  /// The value at 0-based `rank` in the sorted multiset described by the histogram.
  static func valueAt(rank: Int, counts: [Int]) -> Int {
    var seen = 0
    for (v, c) in counts.enumerated() {
      seen += c
      if seen > rank { return v }
    }
    return counts.count - 1
  }

  /// Share of the total held by the ⌈fraction·n⌉ largest values.
  static func topShare(sortedAscending x: [Int], fraction: Double) -> Double {
    let n = x.count
    if n == 0 { return 0 }
    let k = max(1, Int((fraction * Double(n)).rounded(.up)))
    var total = 0
    var top = 0
    for (i, v) in x.enumerated() {
      total += v
      if i >= n - k { top += v }
    }
    return total > 0 ? Double(top) / Double(total) : 0
  }

  /// Indices of the `k` largest positive scores, largest first, ties by lower index.
  /// - Complexity: O(count · k) worst case, O(count) in practice.
  static func topIndices(count: Int, k: Int, score: (Int) -> Int) -> [Int] {
    if k == 0 { return [] }
    var best: [(index: Int, score: Int)] = []
    best.reserveCapacity(k + 1)
    for i in 0..<count {
      let s = score(i)
      if s <= 0 { continue }
      if best.count == k && s <= best[k - 1].score { continue }
      var j = best.count
      while j > 0 && best[j - 1].score < s { j -= 1 }
      best.insert((i, s), at: j)
      if best.count > k { best.removeLast() }
    }
    return best.map(\.index)
  }
}

// MARK: - Text report

extension DatasetStatistics {
  /// A readable multi-line report, as printed by `chorus dataset stats`. Names and ids are
  /// `terminalSafe`: escape sequences in the data cannot reach the terminal.
  public var text: String {
    var lines: [String] = []
    lines.append("Playlists            \(Self.grouped(playlists))")
    lines.append("Entries              \(Self.grouped(entries))")
    lines.append(
      "Tracks               \(Self.grouped(tracks)) occurring"
        + (catalogueTracks != tracks ? " (\(Self.grouped(catalogueTracks)) in catalogue)" : ""))
    lines.append(
      "Artists              \(Self.grouped(artists)) occurring"
        + (catalogueArtists != artists ? " (\(Self.grouped(catalogueArtists)) in catalogue)" : ""))
    lines.append(
      "Playlist length      min \(lengthMin), p10 \(lengthP10), median "
        + "\(Self.fixed(lengthMedian, 1)), mean \(Self.fixed(lengthMean, 2)), p90 \(lengthP90), "
        + "max \(lengthMax)")
    lines.append(
      "Track frequency      mean \(Self.fixed(meanTrackFrequency, 2)), median "
        + "\(Self.fixed(medianTrackFrequency, 1)), max \(Self.grouped(maxTrackFrequency))")
    lines.append(
      "Tracks in 1 playlist \(Self.percent(shareOfTracksInOnePlaylist))")
    lines.append(
      "Top track share      \(Self.percent(topTrackShareOfPlaylists)) of playlists")
    lines.append("Density              \(Self.scientific(density))")
    lines.append(
      "Artist concentration Gini \(Self.fixed(artistGini, 3)), top 10% of artists hold "
        + "\(Self.percent(topDecileArtistShareOfEntries)) of entries")
    lines.append("Tracks per artist    \(Self.fixed(meanTracksPerArtist, 2)) (mean)")
    lines.append(
      "Same-artist pairs    \(Self.percent(consecutiveSameArtistShare)) of adjacent pairs")
    if !topTracks.isEmpty {
      lines.append("Top tracks (playlists containing them):")
      for (i, t) in topTracks.enumerated() {
        // Names come from the data: control characters are shown escaped, never sent raw.
        let label = (t.name.isEmpty ? t.id : "\(t.name) — \(t.artist)").terminalSafe
        lines.append(
          "  \(Self.pad(String(i + 1), 3)). \(Self.pad(Self.grouped(t.count), 10)) "
            + "\(Self.pad(Self.percent(t.shareOfPlaylists), 7))  \(label)")
      }
    }
    if !topArtists.isEmpty {
      lines.append("Top artists (entries):")
      for (i, a) in topArtists.enumerated() {
        let label = (a.name.isEmpty ? a.id : a.name).terminalSafe
        lines.append(
          "  \(Self.pad(String(i + 1), 3)). \(Self.pad(Self.grouped(a.entries), 10)) "
            + "\(Self.pad(Self.percent(a.shareOfEntries), 7))  \(label) (\(a.tracks) tracks)")
      }
    }
    return lines.joined(separator: "\n")
  }

  /// 1234567 → "1,234,567".
  static func grouped(_ v: Int) -> String {
    let digits = String(v.magnitude)
    var out = ""
    for (i, c) in digits.enumerated() {
      if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
      out.append(c)
    }
    return v < 0 ? "-" + out : out
  }

  /// Fixed-point rendering with `places` decimals (no Foundation formatting).
  static func fixed(_ v: Double, _ places: Int) -> String {
    if !v.isFinite { return String(v) }
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    let scaled = (abs(v) * scale).rounded()
    let whole = Int(scaled / scale)
    let frac = Int(scaled - Double(whole) * scale)
    let sign = v < 0 && scaled > 0 ? "-" : ""
    if places == 0 { return sign + String(whole) }
    var fracText = String(frac)
    while fracText.count < places { fracText = "0" + fracText }
    return "\(sign)\(whole).\(fracText)"
  }

  /// 0.04663 → "4.66%".
  static func percent(_ v: Double) -> String { fixed(v * 100, 2) + "%" }

  /// 2.93e-5 style rendering with three significant digits.
  static func scientific(_ v: Double) -> String {
    if v == 0 || !v.isFinite { return String(v) }
    var exponent = 0
    var m = abs(v)
    while m >= 10 {
      m /= 10
      exponent += 1
    }
    while m < 1 {
      m *= 10
      exponent -= 1
    }
    return (v < 0 ? "-" : "") + fixed(m, 2) + "e" + String(exponent)
  }

  /// Left-pads `s` with spaces to `width` characters.
  static func pad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
  }
}
