// The distribution of per-list precision at a fixed depth (the study's appendix shows it for
// the top-50 lists): for every test playlist, how many of its held-out tracks are among the
// first `depth` recommendations, clean and with the collective, kept as two histograms of hit
// counts plus the paired count of lists that gained or lost hits. Compact enough for a run
// record, exact enough to redraw the distribution.
import ChorusCore
import Recommenders

/// Per-list precision@depth of a clean and a manipulated recommendation table.
public struct ListPrecisionShift: Sendable, Codable, Equatable {
  /// The list depth (50 in the study).
  public var depth: Int
  /// `clean[h]`: test lists with h held-out tracks among their clean top-`depth` (h = 0…depth).
  public var clean: [Int]
  /// `with[h]`: the same with the collective.
  public var with: [Int]
  /// Lists with more hits with the collective than without.
  public var gained: Int
  /// Lists with fewer hits with the collective than without.
  public var lost: Int

  /// Compares `manipulated` with `clean` row by row; row i is scored against `truth(i)`.
  /// - Parameters:
  ///   - depth: the list depth (at most the tables' K; rows shorter than it count what they hold).
  ///   - truth: the held-out tracks of test playlist i.
  /// - Complexity: O(rows × (depth + truth length)).
  public init(
    clean cleanTable: RecommendationTable, manipulated: RecommendationTable, depth: Int = 50,
    truth: (Int) -> ArraySlice<Int32>
  ) {
    precondition(depth > 0, "depth must be positive")
    precondition(cleanTable.rows == manipulated.rows, "one row per test playlist in both tables")
    self.depth = depth
    var c = [Int](repeating: 0, count: depth + 1)
    var w = [Int](repeating: 0, count: depth + 1)
    var gained = 0
    var lost = 0
    for i in 0..<cleanTable.rows {
      let relevant = Set(truth(i))
      let a = Self.hits(cleanTable[i], relevant: relevant, depth: depth)
      let b = Self.hits(manipulated[i], relevant: relevant, depth: depth)
      c[a] += 1
      w[b] += 1
      if b > a { gained += 1 } else if b < a { lost += 1 }
    }
    self.clean = c
    self.with = w
    self.gained = gained
    self.lost = lost
  }

  /// Relevant tracks among the first `depth` entries of `row` (-1 padding never counts).
  public static func hits(_ row: ArraySlice<Int32>, relevant: Set<Int32>, depth: Int) -> Int {
    row.prefix(depth).reduce(0) { $0 + ($1 >= 0 && relevant.contains($1) ? 1 : 0) }
  }

  /// Test lists measured.
  public var lists: Int { clean.reduce(0, +) }

  /// Mean precision@depth of a histogram (`clean` or `with`): Σ h · n_h / (depth · lists).
  public func meanPrecision(_ histogram: [Int]) -> Double {
    let n = histogram.reduce(0, +)
    guard n > 0 else { return .nan }
    let hits = histogram.enumerated().reduce(0) { $0 + $1.offset * $1.element }
    return Double(hits) / Double(depth * n)
  }
}
