// Test fixtures shared by all test targets: small hand-made and seeded random datasets,
// temporary folders that clean up after themselves, and approximate equality.
// Deliberately independent of the synthetic generator, so format and split tests do not
// depend on its tuning.
import ChorusCore
import Foundation
import PlaylistData

/// Builders for test data.
public enum Fixtures {
  /// A dataset from literal playlists of track ids; artists are "artist-<first char>" of the id.
  public static func dataset(_ playlists: [[String]], names: [String]? = nil) -> Dataset {
    var b = DatasetBuilder()
    for (i, p) in playlists.enumerated() {
      for t in p {
        b.appendTrack(
          id: t, name: "Name of \(t)", artist: "artist-\(t.prefix(1))",
          artistName: "Artist \(t.prefix(1))")
      }
      b.endPlaylist(pid: Int64(i), name: names?[i] ?? "playlist \(i)")
    }
    return b.finish()
  }

  /// A seeded random dataset: `playlists` playlists with lengths uniform in `lengths`, tracks
  /// drawn from a skewed distribution over `tracks` ids, artists = id / 10.
  public static func random(
    playlists: Int, tracks: Int = 500, lengths: ClosedRange<Int> = 5...60, seed: UInt64 = 1
  ) -> Dataset {
    var rng = RandomStream(seed: seed, component: "fixture")
    var b = DatasetBuilder()
    for p in 0..<playlists {
      let len = lengths.lowerBound + rng.nextInt(below: lengths.count)
      for _ in 0..<len {
        // Skewed: square of a uniform favours small ids.
        let u = rng.nextDouble()
        let t = Int(u * u * Double(tracks))
        b.appendTrack(
          id: "t\(t)", name: "Track \(t)", artist: "a\(t / 10)", artistName: "Artist \(t / 10)")
      }
      b.endPlaylist(pid: Int64(1000 + p), name: "random \(p)")
    }
    return b.finish()
  }
}

/// A temporary folder removed when the value is released.
public final class TemporaryDirectory: @unchecked Sendable {
  public let path: String
  public init() {
    path = NSTemporaryDirectory() + "chorus-test-" + UUID().uuidString
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }
  deinit { try? FileManager.default.removeItem(atPath: path) }

  /// `path/name`.
  public func file(_ name: String) -> String { path + "/" + name }

  /// Writes `text` to `name` and returns the full path.
  @discardableResult
  public func write(_ name: String, _ text: String) -> String {
    let p = file(name)
    _ = FileManager.default.createFile(atPath: p, contents: Data(text.utf8))
    return p
  }

  /// Writes raw bytes.
  @discardableResult
  public func write(_ name: String, bytes: [UInt8]) -> String {
    let p = file(name)
    _ = FileManager.default.createFile(atPath: p, contents: Data(bytes))
    return p
  }

  /// Names of the files in the folder, sorted.
  public var contents: [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
  }
}

/// |a − b| ≤ tolerance · max(1, |a|, |b|).
public func approximatelyEqual(_ a: Double, _ b: Double, tolerance: Double = 1e-9) -> Bool {
  abs(a - b) <= tolerance * max(1, abs(a), abs(b))
}
