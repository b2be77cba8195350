// The one parallel helper: split 0..<count into fixed chunks, run them on all cores with
// DispatchQueue.concurrentPerform, and return per-chunk results in chunk order. Chunk
// boundaries depend only on `count` and `chunkSize`, never on the core count, so merged
// results are identical however many threads ran.
import Dispatch
import Synchronization

/// The thread budget for `Parallel`: a task-local override (`withThreads`) when one is set,
/// else the process-wide value the CLI sets once; 0 means "all cores".
public enum ParallelConfig {
  private static let storage = Atomic<Int>(0)
  @TaskLocal private static var override: Int? = nil

  /// The number of worker threads to use (at least 1). Setting it changes the process-wide
  /// value; code inside `withThreads` keeps seeing its own count.
  public static var threads: Int {
    get {
      if let t = override { return t }
      let t = storage.load(ordering: .relaxed)
      return t > 0 ? t : max(1, activeProcessorCount())
    }
    set { storage.store(max(0, newValue), ordering: .relaxed) }
  }

  /// Runs `body` with `threads` worker threads for every `Parallel` call made from this task
  /// (and tasks it creates), whatever other tasks set. Tests use it so that concurrently
  /// running suites cannot change each other's thread count.
  public static func withThreads<T>(_ threads: Int, _ body: () throws -> T) rethrows -> T {
    precondition(threads >= 1, "thread count must be at least 1")
    return try $override.withValue(threads) { try body() }
  }
}

/// The cores this process may run on: `sysconf(_SC_NPROCESSORS_ONLN)` on Linux, the active
/// processor count elsewhere (macOS, where the old code assumed 2).
func activeProcessorCount() -> Int {
  #if canImport(Glibc)
    return Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
  #else
    return ProcessInfo.processInfo.activeProcessorCount
  #endif
}

#if canImport(Glibc)
  import Glibc
#else
  import Foundation
#endif

/// Deterministic chunked parallel map.
public enum Parallel {
  /// Runs `body(chunk, range)` for each chunk of `0..<count` and returns the results in chunk
  /// order. `body` must only touch its own chunk's data.
  ///
  /// - Complexity: O(count) work split over `ParallelConfig.threads` workers.
  public static func mapChunks<T: Sendable>(
    count: Int, chunkSize: Int, _ body: @Sendable (_ chunk: Int, _ range: Range<Int>) -> T
  ) -> [T] {
    precondition(chunkSize > 0)
    let chunks = (count + chunkSize - 1) / chunkSize
    if chunks == 0 { return [] }
    let threads = ParallelConfig.threads
    if threads == 1 || chunks == 1 {
      return (0..<chunks).map { c in
        body(c, (c * chunkSize)..<min(count, (c + 1) * chunkSize))
      }
    }
    let results = ResultSlots<T>(count: chunks)
    let next = Atomic<Int>(0)
    DispatchQueue.concurrentPerform(iterations: min(threads, chunks)) { _ in
      while true {
        let c = next.add(1, ordering: .relaxed).oldValue
        if c >= chunks { break }
        results.set(c, body(c, (c * chunkSize)..<min(count, (c + 1) * chunkSize)))
      }
    }
    return results.take()
  }

  /// Runs `body` for each chunk for its side effects (writes into disjoint memory).
  public static func forEachChunk(
    count: Int, chunkSize: Int, _ body: @Sendable (_ chunk: Int, _ range: Range<Int>) -> Void
  ) {
    _ = mapChunks(count: count, chunkSize: chunkSize, body)
  }
}

/// Write-once slots filled from several threads; each slot is written by exactly one chunk.
final class ResultSlots<T>: @unchecked Sendable {
  private var slots: [T?]
  private let lock = Mutex<Void>(())
  init(count: Int) { slots = Array(repeating: nil, count: count) }
  func set(_ i: Int, _ value: T) { lock.withLock { _ in slots[i] = value } }
  func take() -> [T] { lock.withLock { _ in slots.map { $0! } } }
}

/// A pointer wrapper that lets parallel chunks write disjoint parts of one buffer.
public struct SendablePointer<T>: @unchecked Sendable {
  public let base: UnsafeMutablePointer<T>
  public init(_ base: UnsafeMutablePointer<T>) { self.base = base }
}
