// Re-rankers that use each track's training history: a cap on "cold" tracks (little training
// history, where a collective's new song sits) and a rank-based popularity-bias correction
// that moves rarely played tracks up. Both read the training frequency of the data the model
// was trained on; tracks beyond the array count as never seen.
import ChorusCore
import Foundation

/// At most `maxCold` tracks whose training frequency is below `minCount` in the shown list;
/// further cold candidates are skipped and the list is filled with the next warm ones.
public struct ColdTrackCapReranker: Reranker {
  /// Per track: its training frequency.
  public let trainingCounts: [Int32]
  /// A track is cold when its training frequency is below this.
  public let minCount: Int
  /// Cold tracks allowed per list (0 removes them all).
  public let maxCold: Int

  /// - Precondition: minCount ≥ 1, maxCold ≥ 0.
  public init(trainingCounts: [Int32], minCount: Int, maxCold: Int) {
    precondition(minCount >= 1 && maxCold >= 0)
    self.trainingCounts = trainingCounts
    self.minCount = minCount
    self.maxCold = maxCold
  }

  /// Whether track t has less training history than `minCount`.
  @inline(__always)
  public func isCold(_ t: Int32) -> Bool {
    Int(t) >= trainingCounts.count || Int(trainingCounts[Int(t)]) < minCount
  }

  /// - Complexity: O(candidates).
  public func rerank(
    _ candidates: UnsafeBufferPointer<Int32>, k: Int, into output: UnsafeMutableBufferPointer<Int32>
  ) -> Int {
    var n = 0
    var cold = 0
    for t in candidates where t >= 0 {
      if n == k { break }
      if isCold(t) {
        if cold == maxCold { continue }
        cold += 1
      }
      output[n] = t
      n += 1
    }
    return n
  }
}

/// Popularity-bias correction on ranks: candidate i (0-based rank) gets the key
/// ln(1 + i) + β · ln(1 + training frequency) and the list is the k smallest keys (ties by rank).
/// β = 0 keeps the model's order; larger β moves rarely played tracks up.
public struct PopularityDiscountReranker: Reranker {
  /// Per track: its training frequency.
  public let trainingCounts: [Int32]
  /// β ≥ 0: how much one e-fold of popularity costs, in e-folds of rank.
  public let beta: Double

  /// - Precondition: beta ≥ 0.
  public init(trainingCounts: [Int32], beta: Double) {
    precondition(beta >= 0 && beta.isFinite)
    self.trainingCounts = trainingCounts
    self.beta = beta
  }

  /// - Complexity: O(candidates log candidates).
  public func rerank(
    _ candidates: UnsafeBufferPointer<Int32>, k: Int, into output: UnsafeMutableBufferPointer<Int32>
  ) -> Int {
    var keyed: [(key: Double, rank: Int, track: Int32)] = []
    keyed.reserveCapacity(candidates.count)
    for (i, t) in candidates.enumerated() where t >= 0 {
      let count = Int(t) < trainingCounts.count ? Double(trainingCounts[Int(t)]) : 0
      keyed.append((log(1 + Double(i)) + beta * log(1 + count), i, t))
    }
    keyed.sort { $0.key != $1.key ? $0.key < $1.key : $0.rank < $1.rank }
    let n = Swift.min(k, keyed.count)
    for i in 0..<n { output[i] = keyed[i].track }
    return n
  }
}
