// Draws a uniform random subset of a dataset's playlists without replacement, for studies of
// how a platform's robustness changes with the data (smaller samples of real MPD-format data).
// The draw is one seeded stream on one thread, so the same seed gives the same subset on any
// machine and thread count; the result is a dataset as a reader would have produced it.
import ChorusCore

/// How many playlists a subsample keeps.
public enum SubsampleSize: Sendable, Equatable {
  /// Exactly this many playlists.
  case playlists(Int)
  /// This share of the playlists, in (0, 1], rounded to the nearest count (at least 1).
  case fraction(Double)

  /// Checks what can be checked without the data: a count of at least 1, a fraction in (0, 1].
  ///
  /// - Throws: `ChorusError(.usage)` naming the option.
  public func validate() throws {
    switch self {
    case .playlists(let n):
      guard n >= 1 else {
        throw ChorusError(
          .usage, "--playlists must be at least 1, got \(n)", field: "playlists",
          hint: "give a positive number of playlists")
      }
    case .fraction(let f):
      guard f.isFinite, f > 0, f <= 1 else {
        throw ChorusError(
          .usage, "--fraction must lie in (0, 1], got \(f)", field: "fraction",
          hint: "give a share such as 0.1 (10% of the playlists)")
      }
    }
  }

  /// The number of playlists to keep out of `total`.
  ///
  /// - Throws: `ChorusError(.usage)` naming the option when `validate()` fails, the count is
  ///   larger than `total`, or there is nothing to sample.
  public func count(of total: Int) throws -> Int {
    try validate()
    switch self {
    case .playlists(let n):
      guard n <= total else {
        throw ChorusError(
          .usage, "--playlists \(n) is more than the \(total) playlists of the input",
          field: "playlists", hint: "give at most \(total), or use --fraction")
      }
      return n
    case .fraction(let f):
      guard total > 0 else {
        throw ChorusError(
          .usage, "the input has no playlists to sample", field: "fraction",
          hint: "check the input dataset")
      }
      return min(total, max(1, Int((f * Double(total)).rounded())))
    }
  }
}

/// Uniform subsampling of playlists.
public enum DatasetSubsample {
  /// The random stream's component name: a subsample's draws are independent of every other
  /// stream of the lab with the same seed.
  public static let component = "subsample"

  /// `count` distinct indices of `0..<total`, uniformly at random, in ascending order.
  ///
  /// A partial Fisher–Yates shuffle from one `RandomStream(seed:component:)`: the first
  /// `count` positions of the shuffled range.
  /// - Complexity: O(total) memory and time.
  public static func indices(total: Int, count: Int, seed: UInt64) -> [Int] {
    precondition(count >= 0 && count <= total, "count must lie in 0...total")
    var rng = RandomStream(seed: seed, component: component)
    var order = Array(0..<total)
    for i in 0..<count {
      let j = i + rng.nextInt(below: total - i)
      order.swapAt(i, j)
    }
    return order[0..<count].sorted()
  }

  /// The playlists `indices` of `dataset` (ascending, distinct), with their pids and names, as a
  /// new dataset whose catalogue holds only the tracks and artists that occur in them, in
  /// first-seen order — the dataset a reader would build from those playlists alone, so that
  /// writing it as MPD JSON and reading it back gives the same content. Warnings start at 0.
  /// - Complexity: O(entries of the kept playlists + catalogue bytes of their tracks).
  public static func subset(_ dataset: Dataset, indices: [Int]) -> Dataset {
    let catalogue = dataset.catalogue
    var builder = DatasetBuilder()
    var entries = 0
    for p in indices { entries += dataset.playlists.length(p) }
    builder.reserve(playlists: indices.count, entries: entries)
    for p in indices {
      dataset.playlists.withPlaylist(p) { tracks in
        for t in tracks {
          let track = Int(t)
          let artist = Int(catalogue.trackArtist[track])
          catalogue.trackIDs.withBytes(track) { id in
            catalogue.trackNames.withBytes(track) { name in
              catalogue.artistIDs.withBytes(artist) { key in
                catalogue.artistNames.withBytes(artist) { artistName in
                  builder.appendTrack(id: id, name: name, artistKey: key, artistName: artistName)
                }
              }
            }
          }
        }
      }
      _ = dataset.names.withBytes(p) { builder.endPlaylist(pid: dataset.pids[p], name: $0) }
    }
    return builder.finish()
  }

  /// A uniform random subsample of `dataset`'s playlists of the given size, drawn with `seed`.
  ///
  /// - Throws: `ChorusError(.usage)` when the size does not fit the dataset.
  public static func sample(_ dataset: Dataset, size: SubsampleSize, seed: UInt64) throws
    -> Dataset
  {
    let n = try size.count(of: dataset.playlistCount)
    return subset(dataset, indices: indices(total: dataset.playlistCount, count: n, seed: seed))
  }
}
