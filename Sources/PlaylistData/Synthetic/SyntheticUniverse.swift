// The fixed universe the synthetic playlists are drawn from: genres, the artists of each
// genre, each artist's catalogue and album size, and every track's preferred successors.
// Only per-genre and per-artist arrays are materialised (a few MB); per-track facts
// (popularity, album position, successors) are computed on demand from ranks and hashes.
import ChorusCore

#if canImport(Glibc)
  import Glibc
#else
  import Foundation
#endif

/// A truncated power law over ranks 0..<n: P(rank ≥ r) follows (r+1)^(1-s), sampled by
/// inverting the continuous CDF on [1, n+1) and flooring. Exponent s = 1 uses the log form.
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

  /// The normaliser for n ranks: (n+1)^(1-s) − 1, or ln(n+1) when s = 1.
  @inline(__always)
  func norm(_ n: Int) -> Double {
    isLog ? log(Double(n + 1)) : pow(Double(n + 1), oneMinusS) - 1
  }

  /// The rank for a uniform `u` in [0, 1) given `norm(n)`.
  @inline(__always)
  func rank(_ u: Double, n: Int, norm: Double) -> Int {
    let x = isLog ? exp(u * norm) : pow(1 + u * norm, inverse)
    let r = Int(x) - 1
    return r < 0 ? 0 : (r >= n ? n - 1 : r)
  }

  /// Exact probability mass of each rank under this sampler (for small n, in tests/docs).
  func mass(_ r: Int, n: Int) -> Double {
    let z = norm(n)
    let cdf = { (x: Double) -> Double in
      self.isLog ? log(x) / z : (pow(x, self.oneMinusS) - 1) / z
    }
    return cdf(Double(r + 2)) - cdf(Double(r + 1))
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
  /// Per genre: the artist power law's normaliser for that genre's artist count.
  let genreArtistNorm: [Double]
  /// Per artist: its genre.
  let artistGenre: [UInt16]
  /// artistCount + 1 offsets; artist a owns tracks artistTrackStart[a]..<[a+1].
  let artistTrackStart: [Int32]
  /// Per artist: the track power law's normaliser for its catalogue size.
  let artistTrackNorm: [Float]
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
    genreArtistNorm = (0..<g).map {
      artistPowerLaw.norm(Int(artistStarts[$0 + 1] - artistStarts[$0]))
    }

    // Per-artist genre, catalogue size and album size, in parallel chunks with their own
    // streams (deterministic for any core count).
    let artistCount = config.artistCount
    let chunkSize = 65_536
    let parts = Parallel.mapChunks(count: artistCount, chunkSize: chunkSize) { chunk, range in
      var rng = RandomStream(seed: seed, component: "synthetic.universe", chunk: UInt64(chunk))
      var genreOf = [UInt16](repeating: 0, count: range.count)
      var sizes = [Int32](repeating: 0, count: range.count)
      var norms = [Float](repeating: 0, count: range.count)
      var albums = [UInt8](repeating: 0, count: range.count)
      // Genre of the chunk's first artist, then walk forward.
      var genre = 0
      while Int(artistStarts[genre + 1]) <= range.lowerBound { genre += 1 }
      let albumSpan = config.albumSizeMax - config.albumSizeMin + 1
      for (i, a) in range.enumerated() {
        while Int(artistStarts[genre + 1]) <= a { genre += 1 }
        genreOf[i] = UInt16(genre)
        let rank = a - Int(artistStarts[genre])
        let trend = config.topArtistTracks * pow(Double(rank + 1), -config.tracksRankExponent)
        let noisy = trend * exp(config.tracksSpread * rng.nextGaussian())
        let n = min(config.maxTracksPerArtist, max(1, Int(noisy.rounded())))
        sizes[i] = Int32(n)
        norms[i] = Float(trackPowerLaw.norm(n))
        albums[i] = UInt8(config.albumSizeMin + rng.nextInt(below: albumSpan))
      }
      return (genreOf, sizes, norms, albums)
    }
    var genreOf: [UInt16] = []
    var trackStart: [Int32] = [0]
    var norms: [Float] = []
    var albums: [UInt8] = []
    genreOf.reserveCapacity(artistCount)
    trackStart.reserveCapacity(artistCount + 1)
    norms.reserveCapacity(artistCount)
    albums.reserveCapacity(artistCount)
    var running = 0
    for part in parts {
      genreOf.append(contentsOf: part.0)
      for n in part.1 {
        running += Int(n)
        trackStart.append(Int32(running))
      }
      norms.append(contentsOf: part.2)
      albums.append(contentsOf: part.3)
    }
    precondition(running < Int(Int32.max), "synthetic universe exceeds Int32 track ids")
    artistGenre = genreOf
    artistTrackStart = trackStart
    artistTrackNorm = norms
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
    return Int32(start + artistLaw.rank(u, n: n, norm: genreArtistNorm[g]))
  }

  /// A track of artist `a`, by popularity within the catalogue.
  @inline(__always)
  func drawTrack(artist a: Int32, _ u: Double) -> Int32 {
    let start = Int(artistTrackStart[Int(a)])
    let n = Int(artistTrackStart[Int(a) + 1]) - start
    if n == 1 { return Int32(start) }
    return Int32(start + trackLaw.rank(u, n: n, norm: Double(artistTrackNorm[Int(a)])))
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
