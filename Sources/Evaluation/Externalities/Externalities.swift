// What the collective costs or gives other songs and artists (Experiments/PROTOCOL.md §6): per song
// the clean R₀ and the manipulated R over top_R windows, ΔR = R − R₀, by anchor category (direct,
// indirect, other) and by log-spaced training-frequency bins; the same per artist.

/// Which role a song played in the collective's edits.
public enum SongCategory: String, Codable, Sendable, CaseIterable {
  /// The promoted song s*.
  case target
  /// The song right before s* in some collective playlist.
  case direct
  /// The song right after s* in some collective playlist (and never a direct anchor).
  case indirect
  /// Every other song.
  case other
}

/// One song's exposure before and after.
public struct SongExposure: Sendable, Equatable {
  public var track: Int32
  public var category: SongCategory
  /// Training playlists containing the song (before manipulation).
  public var frequency: Int
  public var r0: Int
  public var r: Int
  public var delta: Int { r - r0 }
}

/// One artist's exposure before and after (sums over the artist's songs, target excluded).
public struct ArtistExposure: Sendable, Equatable {
  public var artist: Int32
  public var r0: Int
  public var r: Int
  public var delta: Int { r - r0 }
}

/// Externalities of one run.
public struct Externalities: Sendable {
  /// Songs with R₀ > 0 or R > 0, or that are anchors or the target; ascending track id.
  public var songs: [SongExposure]
  /// Artists with R₀ > 0 or R > 0; ascending artist id.
  public var artists: [ArtistExposure]

  /// - Parameters:
  ///   - clean/manipulated: top_R counts per track.
  ///   - frequency: training frequency per base track (the target may be beyond its end).
  ///   - direct/indirect: anchor flags per track.
  ///   - artistOf: per base track, its artist.
  /// - Complexity: O(trackCount).
  public init(
    clean: TopRCounts, manipulated: TopRCounts, frequency: [Int32], direct: [Bool],
    indirect: [Bool], target: Int32, artistOf: [Int32], artistCount: Int
  ) {
    var songs: [SongExposure] = []
    var a0 = [Int](repeating: 0, count: artistCount)
    var a1 = [Int](repeating: 0, count: artistCount)
    let n = manipulated.counts.count
    for t in 0..<n {
      let r0 = t < clean.counts.count ? Int(clean.counts[t]) : 0
      let r = Int(manipulated.counts[t])
      let isTarget = Int32(t) == target
      let category: SongCategory =
        isTarget
        ? .target
        : (t < direct.count && direct[t])
          ? .direct : (t < indirect.count && indirect[t]) ? .indirect : .other
      if r0 > 0 || r > 0 || category != .other {
        songs.append(
          SongExposure(
            track: Int32(t), category: category,
            frequency: t < frequency.count ? Int(frequency[t]) : 0, r0: r0, r: r))
      }
      if !isTarget && t < artistOf.count {
        a0[Int(artistOf[t])] += r0
        a1[Int(artistOf[t])] += r
      }
    }
    self.songs = songs
    artists = (0..<artistCount).compactMap { a in
      a0[a] > 0 || a1[a] > 0 ? ArtistExposure(artist: Int32(a), r0: a0[a], r: a1[a]) : nil
    }
  }

  /// ΔR and ΔR% by frequency bin and category (target excluded).
  public func binned() -> [FrequencyBinSummary] {
    var groups: [FrequencyBinKey: (d: [Double], pct: [Double])] = [:]
    for s in songs where s.category != .target && s.frequency > 0 {
      let key = FrequencyBinKey(bin: FrequencyBins.bin(of: s.frequency), category: s.category)
      var g = groups[key] ?? ([], [])
      g.d.append(Double(s.delta))
      if s.r0 > 0 { g.pct.append(Double(s.delta) / Double(s.r0)) }
      groups[key] = g
    }
    return groups.keys.sorted().map { k in
      let g = groups[k]!
      let (lo, hi) = FrequencyBins.range(of: k.bin)
      return FrequencyBinSummary(
        category: k.category, low: lo, high: hi, deltaR: MeanCI(g.d), deltaRPercent: MeanCI(g.pct))
    }
  }
}

/// Log-spaced (powers of two) training-frequency bins: [1], [2,3], [4,7], [8,15], …
public enum FrequencyBins {
  public static func bin(of frequency: Int) -> Int {
    precondition(frequency > 0)
    return Int.bitWidth - 1 - frequency.leadingZeroBitCount
  }
  /// Inclusive bounds of bin b.
  public static func range(of bin: Int) -> (Int, Int) { (1 << bin, (1 << (bin + 1)) - 1) }
}

struct FrequencyBinKey: Hashable, Comparable {
  var bin: Int
  var category: SongCategory
  static func < (a: Self, b: Self) -> Bool {
    let order = SongCategory.allCases
    return (a.bin, order.firstIndex(of: a.category)!) < (b.bin, order.firstIndex(of: b.category)!)
  }
}

/// ΔR statistics of the songs of one category in one frequency bin.
public struct FrequencyBinSummary: Sendable, Codable, Equatable {
  public var category: SongCategory
  /// Inclusive training-frequency bounds.
  public var low: Int
  public var high: Int
  public var deltaR: MeanCI
  /// ΔR / R₀ over songs with R₀ > 0.
  public var deltaRPercent: MeanCI
}

/// The reference cloud: amplification of ordinary songs by training frequency, the yardstick
/// s* is compared with (the study's opening scatter).
public struct ReferenceCloud: Sendable {
  public struct Bin: Sendable, Codable, Equatable {
    public var low: Int
    public var high: Int
    public var songs: Int
    public var amplification: MeanCI
    public var recommendations: MeanCI
  }
  public var bins: [Bin]

  /// - Complexity: O(trackCount).
  public init(clean: TopRCounts, frequency: [Int32], trainingEntries: Int) {
    var amp: [Int: [Double]] = [:]
    var rec: [Int: [Double]] = [:]
    for t in 0..<min(frequency.count, clean.counts.count) where frequency[t] > 0 {
      let f = Int(frequency[t])
      let b = FrequencyBins.bin(of: f)
      let r = Int(clean.counts[t])
      amp[b, default: []].append(
        Amplification.value(
          recommendations: r, totalTruth: clean.totalTruth, occurrences: f,
          trainingEntries: trainingEntries))
      rec[b, default: []].append(Double(r))
    }
    bins = amp.keys.sorted().map { b in
      let (lo, hi) = FrequencyBins.range(of: b)
      return Bin(
        low: lo, high: hi, songs: amp[b]!.count, amplification: MeanCI(amp[b]!),
        recommendations: MeanCI(rec[b]!))
    }
  }
}
