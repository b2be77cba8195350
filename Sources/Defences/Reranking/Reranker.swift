// Re-ranking after scoring: a platform stage that takes each context's candidate list (the
// model's top K' tracks, best first, K' > K) and picks the K tracks it shows. Every re-ranker
// here works on ranks only, so it applies to any model's `RecommendationTable`; rows are
// independent, so the table form runs in parallel chunks and stays deterministic.
import ChorusCore
import Recommenders

/// Picks the shown list from a ranked candidate list.
public protocol Reranker: Sendable {
  /// Writes at most `k` distinct tracks chosen from `candidates` (best first; -1 entries are
  /// padding and skipped) into `output`, best first; returns how many were written.
  func rerank(
    _ candidates: UnsafeBufferPointer<Int32>, k: Int, into output: UnsafeMutableBufferPointer<Int32>
  ) -> Int
}

extension Reranker {
  /// Re-ranks every row of `candidates` down to `k` tracks; short rows are padded with -1.
  /// - Precondition: 0 < k ≤ candidates.k.
  /// - Complexity: the re-ranker's cost per row; rows run in parallel chunks.
  public func rerank(_ candidates: RecommendationTable, k: Int) -> RecommendationTable {
    precondition(k > 0 && k <= candidates.k, "re-rank to 0 < k ≤ candidate depth")
    let rows = candidates.rows
    let depth = candidates.k
    var items = [Int32](repeating: -1, count: rows * k)
    candidates.items.withUnsafeBufferPointer { source in
      items.withUnsafeMutableBufferPointer { target in
        let src = SendablePointer(UnsafeMutablePointer(mutating: source.baseAddress!))
        let dst = SendablePointer(target.baseAddress!)
        Parallel.forEachChunk(count: rows, chunkSize: 256) { _, range in
          for r in range {
            _ = rerank(
              UnsafeBufferPointer(start: src.base + r * depth, count: depth), k: k,
              into: UnsafeMutableBufferPointer(start: dst.base + r * k, count: k))
          }
        }
      }
    }
    return RecommendationTable(k: k, items: items)
  }

  /// Re-ranks one list (convenience for small inputs and tests).
  public func rerank(_ candidates: [Int32], k: Int) -> [Int32] {
    var out = [Int32](repeating: -1, count: k)
    let n = candidates.withUnsafeBufferPointer { c in
      out.withUnsafeMutableBufferPointer { o in rerank(c, k: k, into: o) }
    }
    return Array(out.prefix(n))
  }
}

/// Shows the candidates unchanged (the first `k`): the "no re-ranking" baseline.
public struct IdentityReranker: Reranker {
  public init() {}

  public func rerank(
    _ candidates: UnsafeBufferPointer<Int32>, k: Int, into output: UnsafeMutableBufferPointer<Int32>
  ) -> Int {
    var n = 0
    for t in candidates where t >= 0 && n < k {
      output[n] = t
      n += 1
    }
    return n
  }
}
