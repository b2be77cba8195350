// The synthetic MPD-like generator: draws playlists from a `SyntheticUniverse` in fixed
// chunks of 1,000 playlists, each chunk with its own random stream, then interns tracks and
// artists to dense ids sequentially in playlist order. Output is identical for a seed on any
// core count, and a smaller preset is exactly the first playlists of a larger one.
// It does not imitate MPD metadata beyond ids and names (no albums, durations, timestamps).
import ChorusCore

#if canImport(Glibc)
  import Glibc
#else
  import Foundation
#endif

/// Generates seeded, deterministic playlist datasets shaped like the Spotify MPD.
///
/// The process, per playlist (details and tuned values in `SyntheticConfig` and
/// Datasets/README.md):
/// 1. a length from a gamma distribution truncated to `lengthMin...lengthMax`;
/// 2. a primary genre by genre popularity and, sometimes, a secondary genre;
/// 3. tracks one after another: continue the previous track's album, or take another track
///    of its artist, or one of its preferred successors, or make a fresh draw (genre, then
///    artist by popularity within the genre, then track by popularity within the artist);
///    a track already in the playlist is never drawn twice.
public enum SyntheticGenerator {
  /// Playlists per generation chunk. Fixed, so results never depend on the dataset size or
  /// the core count, and a smaller dataset is a prefix of a larger one with the same seed.
  public static let chunkSize = 1_000

  /// Generates the preset's number of playlists with the default parameters.
  /// - Complexity: O(entries), spread over `ParallelConfig.threads` workers.
  public static func generate(preset: SyntheticPreset, seed: UInt64 = 0) -> Dataset {
    generate(config: SyntheticConfig(), playlists: preset.playlistCount, seed: seed)
  }

  /// Generates `playlists` playlists from the universe defined by `config` and `seed`.
  ///
  /// Track ids are `chorus:track:<n>` and artist keys `chorus:artist:<n>`, where n is the
  /// universe id, so the same track has the same id in every preset; dense ids follow first
  /// occurrence in playlist order. Pids are 0..<playlists; names come from the primary genre.
  /// - Complexity: O(entries + artistCount).
  public static func generate(config: SyntheticConfig, playlists: Int, seed: UInt64) -> Dataset {
    if let problem = config.validationError() {
      preconditionFailure("invalid SyntheticConfig: \(problem)")
    }
    precondition(playlists >= 0, "playlist count must be non-negative")
    let universe = SyntheticUniverse(config: config, seed: seed)
    let chunks = Parallel.mapChunks(count: playlists, chunkSize: chunkSize) { chunk, range in
      generateChunk(universe: universe, seed: seed, chunk: chunk, range: range)
    }
    return assemble(chunks: chunks, universe: universe)
  }

  // MARK: - Drawing playlists

  /// The playlists of one chunk, in universe ids.
  struct Chunk: Sendable {
    /// Universe track ids, playlist after playlist.
    var tracks: [Int32] = []
    /// Per playlist: its length.
    var lengths: [Int32] = []
    /// Per playlist: its primary genre.
    var genres: [UInt16] = []
    /// Per playlist: which name template it uses.
    var nameStyles: [UInt8] = []
  }

  static func generateChunk(
    universe: SyntheticUniverse, seed: UInt64, chunk: Int, range: Range<Int>
  ) -> Chunk {
    let c = universe.config
    var rng = RandomStream(seed: seed, component: "synthetic.playlists", chunk: UInt64(chunk))
    var out = Chunk()
    out.tracks.reserveCapacity(range.count * 72)
    out.lengths.reserveCapacity(range.count)
    out.genres.reserveCapacity(range.count)
    out.nameStyles.reserveCapacity(range.count)
    var seen = TrackSet(maxCount: c.lengthMax)
    let pAlbum = c.albumContinueProbability
    let pArtist = pAlbum + c.sameArtistProbability
    let pSuccessor = pArtist + c.successorProbability

    for _ in range {
      // 1. Length.
      var length = 0
      repeat {
        length = Int(gamma(shape: c.lengthShape, mean: c.lengthMean, rng: &rng).rounded())
      } while length < c.lengthMin || length > c.lengthMax
      // 2. Genres.
      let primary = universe.drawGenre(rng.nextDouble())
      var secondary = primary
      if rng.nextDouble() < c.secondaryGenreProbability && c.genreCount > 1 {
        secondary = drawSecondary(primary: primary, universe: universe, rng: &rng)
      }
      out.genres.append(UInt16(primary))
      out.nameStyles.append(UInt8(rng.nextInt(below: nameTemplates.count)))
      // 3. Tracks.
      seen.reset()
      var previous: UniverseTrack? = nil
      var count = 0
      var misses = 0
      var forceFresh = false
      while count < length && misses < 200 {
        var next: UniverseTrack? = nil
        if let prev = previous, !forceFresh {
          let u = rng.nextDouble()
          if u < pAlbum {
            next = universe.nextOnAlbum(prev)
          } else if u < pArtist {
            next = UniverseTrack(
              track: universe.drawTrack(artist: prev.artist, rng.nextDouble()),
              artist: prev.artist)
          } else if u < pSuccessor {
            next = universe.successor(of: prev, universe.drawSuccessorIndex(rng.nextDouble()))
          }
        }
        let candidate: UniverseTrack
        if let n = next {
          candidate = n
        } else {
          let genre = rng.nextDouble() < c.secondaryShare ? secondary : primary
          let artist = universe.drawArtist(genre: genre, rng.nextDouble())
          candidate = UniverseTrack(
            track: universe.drawTrack(artist: artist, rng.nextDouble()), artist: artist)
        }
        if seen.insert(candidate.track) {
          out.tracks.append(candidate.track)
          previous = candidate
          count += 1
          forceFresh = false
        } else {
          misses += 1
          forceFresh = true
        }
      }
      out.lengths.append(Int32(count))
    }
    return out
  }

  /// A gamma variate with the given shape (≥ 1) and mean (Marsaglia & Tsang 2000).
  static func gamma(shape: Double, mean: Double, rng: inout RandomStream) -> Double {
    let d = shape - 1.0 / 3
    let c = 1 / (9 * d).squareRoot()
    while true {
      let z = rng.nextGaussian()
      let v0 = 1 + c * z
      if v0 <= 0 { continue }
      let v = v0 * v0 * v0
      let u = rng.nextDouble()
      if u > 0 && log(u) < 0.5 * z * z + d - d * v + d * log(v) {
        return d * v * mean / shape
      }
    }
  }

  /// A secondary genre: a ring neighbour of the primary, or a popularity draw ≠ primary.
  static func drawSecondary(
    primary: Int, universe: SyntheticUniverse, rng: inout RandomStream
  ) -> Int {
    let c = universe.config
    if rng.nextDouble() < c.neighbourProbability {
      let radius = min(c.neighbourRadius, max(1, c.genreCount / 2))
      let distance = 1 + rng.nextInt(below: radius)
      let step = rng.nextInt(below: 2) == 0 ? distance : c.genreCount - distance
      return (primary + step) % c.genreCount
    }
    for _ in 0..<64 {
      let g = universe.drawGenre(rng.nextDouble())
      if g != primary { return g }
    }
    return (primary + 1) % c.genreCount
  }

  /// Playlist name templates; `#` stands for the primary genre's number (1-based).
  static let nameTemplates = [
    "Genre # mix", "Genre #", "genre # vibes", "Best of genre #", "my genre # playlist",
  ]

  // MARK: - Interning and the catalogue

  /// Concatenates the chunks, maps universe ids to dense ids in first-seen order and builds
  /// the catalogue with synthetic ids and names.
  static func assemble(chunks: [Chunk], universe: SyntheticUniverse) -> Dataset {
    let playlistCount = chunks.reduce(0) { $0 + $1.lengths.count }
    let entryCount = chunks.reduce(0) { $0 + $1.tracks.count }
    var offsets = [Int]()
    offsets.reserveCapacity(playlistCount + 1)
    offsets.append(0)
    var tracks = [Int32](repeating: 0, count: entryCount)
    var dense = DenseMap(universeSize: universe.trackCount, expected: entryCount)
    var observed: [Int32] = []
    observed.reserveCapacity(min(universe.trackCount, entryCount))
    var names = StringPool()
    names.reserve(strings: playlistCount, bytes: playlistCount * 16)
    var nameBytes: [UInt8] = []

    var position = 0
    tracks.withUnsafeMutableBufferPointer { dst in
      for chunk in chunks {
        chunk.tracks.withUnsafeBufferPointer { src in
          for u in src {
            dst[position] = dense.id(of: u, next: &observed)
            position += 1
          }
        }
        for (i, length) in chunk.lengths.enumerated() {
          offsets.append(offsets[offsets.count - 1] + Int(length))
          nameBytes.removeAll(keepingCapacity: true)
          let template = nameTemplates[Int(chunk.nameStyles[i])]
          for b in template.utf8 {
            if b == UInt8(ascii: "#") {
              appendDecimal(Int(chunk.genres[i]) + 1, to: &nameBytes)
            } else {
              nameBytes.append(b)
            }
          }
          nameBytes.withUnsafeBytes { _ = names.append(bytes: $0) }
        }
      }
    }

    // Catalogue: tracks in dense order; artists interned in order of their first track.
    var artistDense = [Int32](repeating: -1, count: universe.artistCount)
    var artistOrder: [Int32] = []
    var trackArtist = [Int32](repeating: 0, count: observed.count)
    for (d, u) in observed.enumerated() {
      let a = Int(universe.artist(ofTrack: u))
      if artistDense[a] < 0 {
        artistDense[a] = Int32(artistOrder.count)
        artistOrder.append(Int32(a))
      }
      trackArtist[d] = artistDense[a]
    }
    let catalogue = Catalogue(
      trackIDs: numberedPool(prefix: "chorus:track:", numbers: observed),
      trackNames: numberedPool(prefix: "Track ", numbers: observed),
      trackArtist: trackArtist,
      artistIDs: numberedPool(prefix: "chorus:artist:", numbers: artistOrder),
      artistNames: numberedPool(prefix: "Artist ", numbers: artistOrder))
    return Dataset(
      playlists: PlaylistStore(offsets: offsets, tracks: tracks),
      pids: (0..<playlistCount).map { Int64($0) }, names: names, catalogue: catalogue)
  }

  /// A pool of `prefix` + decimal number strings, built byte by byte (no String per entry).
  static func numberedPool(prefix: String, numbers: [Int32]) -> StringPool {
    let head = Array(prefix.utf8)
    var bytes: [UInt8] = []
    bytes.reserveCapacity(numbers.count * (head.count + 8))
    var offsets = [Int]()
    offsets.reserveCapacity(numbers.count + 1)
    offsets.append(0)
    for n in numbers {
      bytes.append(contentsOf: head)
      appendDecimal(Int(n), to: &bytes)
      offsets.append(bytes.count)
    }
    return StringPool(bytes: bytes, offsets: offsets)
  }

  /// Appends the decimal digits of a non-negative `value`.
  @inline(__always)
  static func appendDecimal(_ value: Int, to bytes: inout [UInt8]) {
    var divisor = 1
    while divisor <= value / 10 { divisor *= 10 }
    var v = value
    while divisor > 0 {
      bytes.append(UInt8(ascii: "0") + UInt8(v / divisor))
      v %= divisor
      divisor /= 10
    }
  }
}

/// Universe id → dense id in first-seen order. A flat array when the output is large relative
/// to the universe (the `mpd` preset), else a small open-addressing table, so a tiny dataset
/// never allocates memory proportional to the universe.
struct DenseMap {
  private var flat: [Int32] = []
  private var keys: [Int32] = []
  private var values: [Int32] = []
  private var mask = 0
  private var shift: UInt64 = 0
  private let useFlat: Bool

  init(universeSize: Int, expected: Int) {
    useFlat = universeSize <= 4 * expected
    if useFlat {
      flat = [Int32](repeating: -1, count: universeSize)
    } else {
      var capacity = 16
      var bits: UInt64 = 4
      while capacity < 2 * expected {
        capacity <<= 1
        bits += 1
      }
      keys = [Int32](repeating: -1, count: capacity)
      values = [Int32](repeating: 0, count: capacity)
      mask = capacity - 1
      shift = 64 - bits
    }
  }

  /// The dense id of universe track `u`; a new one (appending `u` to `order`) if unseen.
  @inline(__always)
  mutating func id(of u: Int32, next order: inout [Int32]) -> Int32 {
    if useFlat {
      let d = flat[Int(u)]
      if d >= 0 { return d }
      let new = Int32(order.count)
      flat[Int(u)] = new
      order.append(u)
      return new
    }
    var i = Int((UInt64(UInt32(bitPattern: u)) &* 0x9E37_79B9_7F4A_7C15) >> shift)
    while keys[i] >= 0 {
      if keys[i] == u { return values[i] }
      i = (i + 1) & mask
    }
    let new = Int32(order.count)
    keys[i] = u
    values[i] = new
    order.append(u)
    return new
  }
}

/// A per-playlist set of universe track ids: open addressing with generation stamps, so
/// clearing it between playlists is O(1).
struct TrackSet {
  private var keys: [Int32]
  private var stamps: [UInt32]
  private var stamp: UInt32 = 1
  private let mask: Int
  private let shift: UInt64

  init(maxCount: Int) {
    var capacity = 16
    var bits: UInt64 = 4
    while capacity < maxCount * 2 {
      capacity <<= 1
      bits += 1
    }
    keys = [Int32](repeating: 0, count: capacity)
    stamps = [UInt32](repeating: 0, count: capacity)
    mask = capacity - 1
    shift = 64 - bits
  }

  /// Empties the set.
  mutating func reset() {
    stamp &+= 1
    if stamp == 0 {
      for i in stamps.indices { stamps[i] = 0 }
      stamp = 1
    }
  }

  /// Inserts `key`; returns false when it was already present.
  @inline(__always)
  mutating func insert(_ key: Int32) -> Bool {
    var i = Int((UInt64(UInt32(bitPattern: key)) &* 0x9E37_79B9_7F4A_7C15) >> shift)
    while stamps[i] == stamp {
      if keys[i] == key { return false }
      i = (i + 1) & mask
    }
    stamps[i] = stamp
    keys[i] = key
    return true
  }
}
