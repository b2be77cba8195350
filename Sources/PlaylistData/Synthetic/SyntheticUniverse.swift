// The fixed universe the synthetic playlists are drawn from: genres, the artists of each
// genre, each artist's catalogue and album size, and every track's preferred successors.
// Only per-genre and per-artist arrays are materialised (about 14 MB for 2M artists);
// per-track facts (popularity, album position, successors) are computed on demand.
import ChorusCore

#if canImport(Glibc)
  import Glibc
#else
  import Foundation
#endif

/// A truncated, shifted power law over ranks 0..<n (Zipf–Mandelbrot), P(rank r) ≈
/// c·(r + offset)^-s: the continuous density x^-s on [offset, n + offset) is sampled by
/// inverting its CDF, and rank = ⌊x − offset⌋. An offset above 1 flattens the head.
struct PowerLaw: Sendable {
  let exponent: Double
  private let oneMinusS: Double
  private let inverse: Double
  private let isLog: Bool

  init(exponent s: Double) {
    exponent = s
    isLog = abs(1 - s) < 1e-9
    oneMinusS = 1 - s
    inverse = isLog ? 0 : 1 / (1 - s)
  }

  /// The CDF bounds for n ranks with `offset`: lo = offset^(1−s) and span = (n+offset)^(1−s)
  /// − lo (logarithms when s = 1).
  func bounds(n: Int, offset: Double) -> (lo: Double, span: Double) {
    if isLog { return (log(offset), log((Double(n) + offset) / offset)) }
    let lo = pow(offset, oneMinusS)
    return (lo, pow(Double(n) + offset, oneMinusS) - lo)
  }

  /// The rank for a uniform `u` in [0, 1).
  @inline(__always)
  func rank(_ u: Double, n: Int, offset: Double, lo: Double, span: Double) -> Int {
    let x = isLog ? exp(lo + u * span) : pow(lo + u * span, inverse)
    let r = Int(x - offset)
    return r < 0 ? 0 : (r >= n ? n - 1 : r)
  }

  /// Probability of rank r under this sampler (tests and documentation).
  func mass(_ r: Int, n: Int, offset: Double) -> Double {
    let (lo, span) = bounds(n: n, offset: offset)
    let cdf = { (x: Double) -> Double in
      self.isLog ? (log(x) - lo) / span : (pow(x, self.oneMinusS) - lo) / span
    }
    return cdf(Double(r + 1) + offset) - cdf(Double(r) + offset)
  }
}

/// A track together with its artist (universe ids).
struct UniverseTrack {
  var track: Int32
  var artist: Int32
}

/// Genres, artists and catalogues of the synthetic world, derived from a config and a seed.
struct SyntheticUniverse: Sendable {
  let config: SyntheticConfig
  /// Cumulative probability of each genre as a primary genre; genreCount entries, last = 1.
  let genreCDF: [Double]
  /// genreCount + 1 offsets; the artists of genre g are genreArtistStart[g]..<[g+1].
  let genreArtistStart: [Int32]
  /// Per genre: the artist power law's CDF bounds (lo, span) for that genre's artist count.
  let genreArtistBounds: [(lo: Double, span: Double)]
  /// Per artist: its genre.
  let artistGenre: [UInt16]
  /// artistCount + 1 offsets; artist a owns tracks artistTrackStart[a]..<[a+1].
  let artistTrackStart: [Int32]
  /// Per catalogue size n (0...maxTracksPerArtist): the track law's CDF bounds (lo, span).
  let trackBoundsBySize: [(lo: Double, span: Double)]
  /// Per artist: its album size (tracks k and k+1 share an album unless (k+1) % size == 0).
  let artistAlbumSize: [UInt8]
  /// Artist popularity within a genre.
  let artistLaw: PowerLaw
  /// Track popularity within a catalogue.
  let trackLaw: PowerLaw
  /// Key of the successor hash: successors are a fixed function of (seed, track).
  let successorKey: UInt64
  /// Cumulative weights of successor indices (successorDecay^j, normalised).
  let successorCDF: [Double]

  var artistCount: Int { artistGenre.count }
  var trackCount: Int { Int(artistTrackStart[artistGenre.count]) }

  /// Builds the universe. Deterministic in (config, seed); costs O(artistCount).
  init(config: SyntheticConfig, seed: UInt64) {
    self.config = config
    let g = config.genreCount
    // Genre popularity and the artist share per genre.
    var weights = (0..<g).map { pow(Double($0 + 1), -config.genreExponent) }
    let total = weights.reduce(0, +)
    var cdf: [Double] = []
    var acc = 0.0
    for w in weights {
      acc += w / total
      cdf.append(acc)
    }
    cdf[g - 1] = 1
    genreCDF = cdf
    weights = weights.map { pow($0, config.artistsPerGenreExponent) }
    let shareTotal = weights.reduce(0, +)
    var starts: [Int32] = [0]
    var assigned = 0
    var cumulative = 0.0
    for i in 0..<g {
      cumulative += weights[i] / shareTotal
      // Cumulative rounding keeps the total exact and every genre non-empty.
      let end = i == g - 1 ? config.artistCount : Int((cumulative * Double(config.artistCount)))
      let next = max(assigned + 1, min(end, config.artistCount - (g - 1 - i)))
      starts.append(Int32(next))
      assigned = next
    }
    genreArtistStart = starts
    let artistPowerLaw = PowerLaw(exponent: config.artistExponent)
    let trackPowerLaw = PowerLaw(exponent: config.trackExponent)
    artistLaw = artistPowerLaw
    trackLaw = trackPowerLaw
    let artistStarts = starts
    genreArtistBounds = (0..<g).map {
      artistPowerLaw.bounds(
        n: Int(artistStarts[$0 + 1] - artistStarts[$0]), offset: config.artistHead)
    }

    // Track-law bounds depend only on the catalogue size (the head offset is 1 + f·n), so
    // one small table serves every artist.
    trackBoundsBySize = (0...config.maxTracksPerArtist).map {
      trackPowerLaw.bounds(n: max(1, $0), offset: Self.trackOffset(config, max(1, $0)))
    }

    // Per-artist genre, catalogue size and album size, written in parallel chunks with their
    // own streams (deterministic for any core count), then a prefix sum for track offsets.
    let artistCount = config.artistCount
    var genreOf = [UInt16](repeating: 0, count: artistCount)
    var trackStart = [Int32](repeating: 0, count: artistCount + 1)
    var albums = [UInt8](repeating: 0, count: artistCount)
    genreOf.withUnsafeMutableBufferPointer { genreBuf in
      trackStart.withUnsafeMutableBufferPointer { sizeBuf in
        albums.withUnsafeMutableBufferPointer { albumBuf in
          let genrePtr = SendablePointer(genreBuf.baseAddress!)
          let sizePtr = SendablePointer(sizeBuf.baseAddress! + 1)
          let albumPtr = SendablePointer(albumBuf.baseAddress!)
          Parallel.forEachChunk(count: artistCount, chunkSize: 1 << 16) { chunk, range in
            Self.fillArtists(
              config: config, seed: seed, chunk: chunk, range: range, genreStarts: artistStarts,
              genre: genrePtr.base, size: sizePtr.base, album: albumPtr.base)
          }
        }
      }
    }
    var running = 0
    for a in 1...artistCount {
      running += Int(trackStart[a])
      precondition(running < Int(Int32.max), "synthetic universe exceeds Int32 track ids")
      trackStart[a] = Int32(running)
    }
    artistGenre = genreOf
    artistTrackStart = trackStart
    artistAlbumSize = albums

    var keyState = seed ^ stableHash("synthetic.successors")
    successorKey = splitMix64(&keyState)
    var sc: [Double] = []
    var sum = 0.0
    for j in 0..<config.successorCount {
      sum += pow(config.successorDecay, Double(j))
      sc.append(sum)
    }
    successorCDF = sc.map { $0 / sum }
  }

  /// The head offset of a catalogue of n tracks: 1 + trackHeadFraction · n.
  @inline(__always)
  static func trackOffset(_ config: SyntheticConfig, _ n: Int) -> Double {
    1 + config.trackHeadFraction * Double(n)
  }

  /// Fills genre, catalogue size and album size for the artists in `range` (one chunk).
  /// Catalogue size = topArtistTracks · (rank+1)^-tracksRankExponent · e^(spread·z), z an
  /// approximately standard normal draw (Irwin–Hall: four 16-bit uniforms, one random word).
  static func fillArtists(
    config: SyntheticConfig, seed: UInt64, chunk: Int, range: Range<Int>, genreStarts: [Int32],
    genre: UnsafeMutablePointer<UInt16>, size: UnsafeMutablePointer<Int32>,
    album: UnsafeMutablePointer<UInt8>
  ) {
    var rng = RandomStream(seed: seed, component: "synthetic.universe", chunk: UInt64(chunk))
    var g = 0
    while Int(genreStarts[g + 1]) <= range.lowerBound { g += 1 }
    let albumSpan = config.albumSizeMax - config.albumSizeMin + 1
    let logTop = log(config.topArtistTracks)
    let maxSize = Double(config.maxTracksPerArtist)
    for a in range {
      while Int(genreStarts[g + 1]) <= a { g += 1 }
      genre[a] = UInt16(g)
      let rank = a - Int(genreStarts[g])
      let word = rng.next()
      var sum = 0.0
      for k in 0..<4 { sum += Double((word >> (16 * UInt64(k))) & 0xFFFF) }
      let z = (sum / 65_536 - 2) * 3.0.squareRoot()  // mean 0, variance 1
      let logSize =
        logTop - config.tracksRankExponent * log(Double(rank + 1)) + config.tracksSpread * z
      size[a] = Int32(min(maxSize, max(1, exp(logSize).rounded())))
      album[a] = UInt8(config.albumSizeMin + rng.nextInt(below: albumSpan))
    }
  }

  // MARK: - Draws

  /// A primary genre, by genre popularity.
  @inline(__always)
  func drawGenre(_ u: Double) -> Int {
    var g = 0
    while g < genreCDF.count - 1 && genreCDF[g] <= u { g += 1 }
    return g
  }

  /// An artist of genre `g`, by popularity within the genre.
  @inline(__always)
  func drawArtist(genre g: Int, _ u: Double) -> Int32 {
    let start = Int(genreArtistStart[g])
    let n = Int(genreArtistStart[g + 1]) - start
    let b = genreArtistBounds[g]
    let r = artistLaw.rank(u, n: n, offset: config.artistHead, lo: b.lo, span: b.span)
    return Int32(start + r)
  }

  /// A track of artist `a`: with probability deepCutProbability uniform over the catalogue,
  /// else by popularity within it. `u` in [0, 1) decides both (no extra random draw).
  @inline(__always)
  func drawTrack(artist a: Int32, _ u: Double) -> Int32 {
    let start = Int(artistTrackStart[Int(a)])
    let n = Int(artistTrackStart[Int(a) + 1]) - start
    if n == 1 { return Int32(start) }
    let m = config.deepCutProbability
    if u < m { return Int32(start + min(n - 1, Int(u / m * Double(n)))) }
    let v = (u - m) / (1 - m)
    let b = trackBoundsBySize[n]
    let offset = Self.trackOffset(config, n)
    return Int32(start + trackLaw.rank(v, n: n, offset: offset, lo: b.lo, span: b.span))
  }

  /// The next track on the same album, if `t` is not its album's last track.
  @inline(__always)
  func nextOnAlbum(_ t: UniverseTrack) -> UniverseTrack? {
    let a = Int(t.artist)
    let k = Int(t.track - artistTrackStart[a]) + 1
    if Int(artistTrackStart[a]) + k >= Int(artistTrackStart[a + 1]) { return nil }
    if k % Int(artistAlbumSize[a]) == 0 { return nil }
    return UniverseTrack(track: t.track + 1, artist: t.artist)
  }

  /// Preferred successor `j` of `t`: a fixed, popularity-weighted draw from t's genre.
  @inline(__always)
  func successor(of t: UniverseTrack, _ j: Int) -> UniverseTrack {
    var state = successorKey ^ (UInt64(UInt32(t.track)) &<< 8) ^ UInt64(j)
    let u1 = Double(splitMix64(&state) >> 11) * 0x1.0p-53
    let u2 = Double(splitMix64(&state) >> 11) * 0x1.0p-53
    let genre = Int(artistGenre[Int(t.artist)])
    let artist = drawArtist(genre: genre, u1)
    return UniverseTrack(track: drawTrack(artist: artist, u2), artist: artist)
  }

  /// Index of a preferred successor, with weight decay^j.
  @inline(__always)
  func drawSuccessorIndex(_ u: Double) -> Int {
    var j = 0
    while j < successorCDF.count - 1 && successorCDF[j] <= u { j += 1 }
    return j
  }

  /// The artist owning universe track `t` (binary search over catalogue offsets).
  func artist(ofTrack t: Int32) -> Int32 {
    var lo = 0
    var hi = artistGenre.count  // artistTrackStart[lo] <= t < artistTrackStart[hi]
    while hi - lo > 1 {
      let mid = (lo + hi) / 2
      if artistTrackStart[mid] <= t { lo = mid } else { hi = mid }
    }
    return Int32(lo)
  }
}
