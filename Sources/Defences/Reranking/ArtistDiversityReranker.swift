// Artist diversity as large platforms describe it: at most n tracks of one artist in any m
// consecutive positions of the shown list. Greedy: each position takes the best remaining
// candidate that keeps the rule; skipped candidates stay eligible for later positions. When no
// remaining candidate fits, the list ends there (shorter) rather than break the rule.
import ChorusCore

/// At most `maxPerArtist` tracks of one artist in every `window` consecutive positions.
public struct ArtistDiversityReranker: Reranker {
  /// Per track: its artist id. Tracks beyond the array count as an artist of their own.
  public let trackArtist: [Int32]
  /// n: tracks of one artist allowed per window.
  public let maxPerArtist: Int
  /// m: the window length in positions.
  public let window: Int

  /// - Precondition: 1 ≤ maxPerArtist ≤ window.
  public init(trackArtist: [Int32], maxPerArtist: Int, window: Int) {
    precondition(maxPerArtist >= 1 && maxPerArtist <= window, "need 1 ≤ n ≤ m")
    self.trackArtist = trackArtist
    self.maxPerArtist = maxPerArtist
    self.window = window
  }

  /// The artist key of track t (tracks without a catalogue artist get a key of their own).
  @inline(__always)
  func artist(_ t: Int32) -> Int64 {
    Int(t) < trackArtist.count ? Int64(trackArtist[Int(t)]) : -1 - Int64(t)
  }

  /// - Complexity: O(k · candidates · window) in the worst case; O(k · window) when the
  ///   candidates already satisfy the rule.
  public func rerank(
    _ candidates: UnsafeBufferPointer<Int32>, k: Int, into output: UnsafeMutableBufferPointer<Int32>
  ) -> Int {
    var used = [Bool](repeating: false, count: candidates.count)
    var firstUnused = 0
    var n = 0
    while n < k {
      while firstUnused < candidates.count && (used[firstUnused] || candidates[firstUnused] < 0) {
        firstUnused += 1
      }
      var pick = -1
      var c = firstUnused
      while c < candidates.count {
        let t = candidates[c]
        if !used[c] && t >= 0 && fits(artist(t), output: output, count: n) {
          pick = c
          break
        }
        c += 1
      }
      if pick < 0 { break }
      used[pick] = true
      output[n] = candidates[pick]
      n += 1
    }
    return n
  }

  /// Whether one more track of artist `a` after the first `count` shown keeps the rule: the
  /// last window − 1 positions hold fewer than n tracks of `a`.
  @inline(__always)
  func fits(_ a: Int64, output: UnsafeMutableBufferPointer<Int32>, count: Int) -> Bool {
    var same = 0
    for i in Swift.max(0, count - window + 1)..<count where artist(output[i]) == a {
      same += 1
    }
    return same < maxPerArtist
  }
}
