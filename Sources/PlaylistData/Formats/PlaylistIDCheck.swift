// Playlist ids must be unique within a dataset: `evaluate`, `plant` and the split exports
// address playlists by pid, so two playlists with one pid (two copies of a slice, a
// duplicated record, session keys "7" and "007") would make results ambiguous. Every reader's
// result passes through `PlaylistIDCheck.requireUnique`, which names both places.
import ChorusCore

/// Refuses datasets in which two playlists share a pid.
public enum PlaylistIDCheck {
  /// The first pair of playlist indices `(first, second)` with equal pids, `second` minimal;
  /// nil when all pids are distinct.
  ///
  /// Pids in a compact range (the usual case: MPD pids, line numbers) are checked with a
  /// bitmap, others with a hash set.
  /// - Complexity: O(n) expected.
  public static func firstDuplicate(_ pids: [Int64]) -> (first: Int, second: Int)? {
    guard pids.count > 1 else { return nil }
    var lo = Int64.max
    var hi = Int64.min
    for p in pids {
      lo = min(lo, p)
      hi = max(hi, p)
    }
    let (span, overflow) = hi.subtractingReportingOverflow(lo)
    var second: Int?
    if !overflow && span < 4 * Int64(pids.count) + 64 {
      var seen = [Bool](repeating: false, count: Int(span) + 1)
      for (i, p) in pids.enumerated() {
        let k = Int(p - lo)
        if seen[k] {
          second = i
          break
        }
        seen[k] = true
      }
    } else {
      var seen = Set<Int64>(minimumCapacity: pids.count)
      for (i, p) in pids.enumerated() where !seen.insert(p).inserted {
        second = i
        break
      }
    }
    guard let second else { return nil }
    let first = pids.firstIndex(of: pids[second])!
    return (first, second)
  }

  /// Throws a `ChorusError(.data)` naming both playlists when two share a pid.
  ///
  /// - Parameters:
  ///   - pids: the pids in playlist order.
  ///   - source: the dataset (file or folder) named in the error.
  ///   - describe: where playlist `i` came from, e.g. "slice.json, playlist #3" or
  ///     "line 12 (session '007')".
  ///   - hint: what to do; defaults to advice that fits every format.
  public static func requireUnique(
    _ pids: [Int64], source: String, describe: (Int) -> String, hint: String? = nil
  ) throws {
    guard let (a, b) = firstDuplicate(pids) else { return }
    throw ChorusError(
      .data,
      "two playlists have pid \(pids[a]): \(describe(a)) and \(describe(b))",
      file: source, field: "pid",
      hint: hint
        ?? "every playlist needs its own pid; remove the duplicate (e.g. a second copy of a slice file) or renumber it"
    )
  }
}
