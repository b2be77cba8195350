// The parameters of the synthetic MPD-like process and its size presets. Every default was
// tuned so that the `mpd` preset (1M playlists) matches the published shape of the Spotify
// Million Playlist Dataset; the measured statistics are in Datasets/README.md. Changing a
// default changes every synthetic dataset, so record the reason beside it.

/// Sizes of synthetic datasets. All presets sample the same universe of genres, artists and
/// tracks with the same popularities; only the number of playlists differs.
public enum SyntheticPreset: String, CaseIterable, Sendable, Codable {
  /// 2,000 playlists: unit tests and quick demos (generates in a few milliseconds).
  case tiny
  /// 20,000 playlists: quick experiments.
  case small
  /// 100,000 playlists: a tenth of the MPD.
  case medium
  /// 1,000,000 playlists: the size of the Spotify MPD.
  case mpd

  /// Number of playlists generated for this preset.
  public var playlistCount: Int {
    switch self {
    case .tiny: 2_000
    case .small: 20_000
    case .medium: 100_000
    case .mpd: 1_000_000
    }
  }
}

/// Every parameter of the synthetic playlist process (see `SyntheticGenerator`).
///
/// Universe: `genreCount` genres; each has a contiguous block of artists ranked by popularity;
/// each artist has a catalogue of tracks grouped into albums, ranked by popularity. Popularity
/// at every level is a discretised truncated power law over the rank, P(rank r) ∝ (r+1)^-s.
/// Playlists: a gamma length, a primary genre and sometimes a secondary one, then tracks drawn one
/// after another by album continuation, same-artist picks, preferred successors or fresh
/// draws from the playlist's genres.
public struct SyntheticConfig: Sendable, Codable, Equatable {
  // MARK: - Universe

  /// Number of genres (communities). 64 gives a popular head and a long tail of niche
  /// genres, so playlists of different genres rarely share tracks.
  public var genreCount = 64
  /// Power-law exponent of genre popularity as a playlist's primary genre (the top genre is
  /// the primary genre of about 23% of playlists). With the artist and track laws it sets the
  /// share of playlists holding the top hits (MPD: 4.7% for the top track).
  public var genreExponent = 1.05
  /// Artists in the universe. Far more than occur: the MPD's artists keep growing with its
  /// size (about 36k in 10k playlists, 110k in 100k, 296k in 1M), which needs an artist long
  /// tail that is not exhausted at 1M playlists.
  public var artistCount = 2_000_000
  /// Genre g gets a share of the artists ∝ popularity(g)^x. Below 1, niche genres get more
  /// artists than their playlist share.
  public var artistsPerGenreExponent = 0.75
  /// Power-law exponent of artist popularity within a genre (tail slope). Near 2 the number
  /// of occurring artists grows like the MPD's (elasticity about 0.45 per decade of size).
  public var artistExponent = 2.05
  /// Head offset of artist popularity (Zipf–Mandelbrot): P(rank r) ∝ (r + head)^-s. It spreads
  /// a genre's top over a few dozen stars, so the top artist holds about 1% of entries (MPD:
  /// Drake, 1.3%) instead of a third of its genre.
  public var artistHead = 22.0
  /// Catalogue size of a genre's top artist (before noise). Big artists have deep
  /// catalogues, a source of rarely played tracks.
  public var topArtistTracks = 3_000.0
  /// Catalogue size falls with artist rank r as (r+1)^-x, so most artists have a handful of
  /// tracks (the universe holds about 17M tracks; about 2.25M occur in 1M playlists).
  public var tracksRankExponent = 0.66
  /// Log-normal spread (sigma) of catalogue sizes around the rank trend, so catalogue size
  /// is not a function of popularity alone.
  public var tracksSpread = 0.2
  /// Upper bound on an artist's catalogue.
  public var maxTracksPerArtist = 5_000
  /// Smallest album size; an artist's tracks are split into albums of one per-artist size.
  public var albumSizeMin = 6
  /// Largest album size (typical LPs have 8–16 tracks).
  public var albumSizeMax = 16
  /// Power-law exponent of track popularity within a catalogue (beyond the head). Steep: a
  /// catalogue's hits take nearly all popularity draws, so occurring tracks per artist grow
  /// slowly with data (MPD: 7.6 tracks per artist).
  public var trackExponent = 4.5
  /// Head offset of track popularity as a fraction of the catalogue: offset = 1 + f·n. Big
  /// catalogues get several hits of similar popularity instead of one dominant track, which
  /// keeps the top track near the MPD's 4.7% of playlists.
  public var trackHeadFraction = 0.033
  /// Probability that a track drawn from an artist is a uniform pick from the whole catalogue
  /// (a deep cut) instead of a popularity draw. Deep cuts are the long tail of tracks found in
  /// one playlist only (MPD: about half of all tracks).
  public var deepCutProbability = 0.06

  // MARK: - Playlist shape

  /// Mean of the gamma-distributed playlist length before truncation; truncation to
  /// lengthMin...lengthMax lowers it to about 66 (MPD mean: 66.3).
  public var lengthMean = 69.0
  /// Gamma shape of the playlist length. 1 (an exponential) gives many short playlists and a
  /// long tail with median 50 (MPD median: 49); a log-normal cannot reach the MPD's mean and
  /// median together once truncated at 250.
  public var lengthShape = 1.0
  /// Shortest playlist; lengths outside the bounds are redrawn (MPD: 5).
  public var lengthMin = 5
  /// Longest playlist (MPD: 250).
  public var lengthMax = 250

  // MARK: - Genre mix

  /// Probability that a playlist has a secondary genre besides its primary one. Most
  /// playlists keep to one style; 40% mix in a second, so communities overlap without
  /// dissolving (and cross-genre hits reach beyond their genre).
  public var secondaryGenreProbability = 0.4
  /// Share of a mixed playlist's fresh draws taken from the secondary genre: a minority, so
  /// the primary genre still names the playlist.
  public var secondaryShare = 0.3
  /// Probability that the secondary genre is a neighbour of the primary (genres form a
  /// ring; neighbours are within `neighbourRadius`), else it follows genre popularity.
  /// Neighbours make communities overlap the way related genres do.
  public var neighbourProbability = 0.5
  /// Ring distance within which genres are neighbours (2: each genre has four neighbours).
  public var neighbourRadius = 2

  // MARK: - Sequence

  /// Probability that the next track is the following track of the previous track's album
  /// (album order: after track i comes i+1). Gives album runs, as when users add a whole
  /// album; with same-artist picks about 20% of adjacent pairs share an artist.
  public var albumContinueProbability = 0.12
  /// Probability that the next track is another track of the previous track's artist
  /// (popularity-weighted). Gives runs of the same artist outside album order.
  public var sameArtistProbability = 0.10
  /// Probability that the next track is one of the previous track's preferred successors:
  /// each track has `successorCount` fixed successors in its genre, drawn by popularity.
  /// This is the sequential signal a next-track model can learn beyond popularity; a
  /// quarter of steps is enough for a bigram model to beat popularity clearly while most
  /// steps stay fresh draws (about 53%).
  public var successorProbability = 0.25
  /// Number of preferred successors per track: a few, so transitions are learnable but not
  /// deterministic.
  public var successorCount = 3
  /// Successor j is chosen with weight decay^j, so the first successor dominates (4:2:1).
  public var successorDecay = 0.5

  /// The tuned defaults.
  public init() {}

  /// Checks that every parameter is in range; returns a message naming the first bad one.
  public func validationError() -> String? {
    if genreCount < 1 || genreCount > Int(UInt16.max) {
      return "genreCount must be in 1...65535 (got \(genreCount))"
    }
    if artistCount < genreCount { return "artistCount must be at least genreCount" }
    if artistCount > 50_000_000 { return "artistCount must be at most 50,000,000" }
    if !(artistHead >= 1) { return "artistHead must be at least 1" }
    if !(topArtistTracks >= 1) { return "topArtistTracks must be at least 1" }
    if maxTracksPerArtist < 1 || maxTracksPerArtist > 100_000 {
      return "maxTracksPerArtist must be in 1...100000"
    }
    if albumSizeMin < 1 || albumSizeMax < albumSizeMin || albumSizeMax > 255 {
      return "album sizes must satisfy 1 <= albumSizeMin <= albumSizeMax <= 255"
    }
    if lengthMin < 1 || lengthMax < lengthMin || lengthMax > 10_000 {
      return "lengths must satisfy 1 <= lengthMin <= lengthMax <= 10000"
    }
    if !(lengthMean > 0) || !(lengthShape >= 1) {
      return "lengthMean must be positive and lengthShape at least 1"
    }
    for (name, p) in [
      ("secondaryGenreProbability", secondaryGenreProbability),
      ("secondaryShare", secondaryShare), ("neighbourProbability", neighbourProbability),
      ("albumContinueProbability", albumContinueProbability),
      ("sameArtistProbability", sameArtistProbability),
      ("successorProbability", successorProbability),
      ("deepCutProbability", deepCutProbability), ("trackHeadFraction", trackHeadFraction),
    ] where !(p >= 0 && p <= 1) {
      return "\(name) must be in 0...1 (got \(p))"
    }
    if albumContinueProbability + sameArtistProbability + successorProbability > 1 {
      return "album, same-artist and successor probabilities must sum to at most 1"
    }
    if successorCount < 1 || successorCount > 64 { return "successorCount must be in 1...64" }
    if !(successorDecay > 0) { return "successorDecay must be positive" }
    if neighbourRadius < 1 { return "neighbourRadius must be at least 1" }
    for (name, s) in [
      ("genreExponent", genreExponent), ("artistExponent", artistExponent),
      ("trackExponent", trackExponent), ("tracksRankExponent", tracksRankExponent),
      ("artistsPerGenreExponent", artistsPerGenreExponent), ("tracksSpread", tracksSpread),
    ] where !(s >= 0 && s <= 10) {
      return "\(name) must be in 0...10 (got \(s))"
    }
    return nil
  }
}
