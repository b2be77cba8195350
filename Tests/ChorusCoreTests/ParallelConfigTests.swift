// The thread count a test sets with `ParallelConfig.withThreads` is its own: other suites,
// which Swift Testing runs concurrently, cannot change it mid-test by setting the
// process-wide value. And a count of 1 really runs every chunk on the calling thread.
import ChorusCore
import Foundation
import Testing

@Suite struct ParallelConfigTests {
  @Test func taskLocalCountIgnoresTheProcessWideValue() {
    let saved = ParallelConfig.threads
    defer { ParallelConfig.threads = saved }
    ParallelConfig.threads = 5
    let seen = ParallelConfig.withThreads(2) { () -> [Int] in
      var seen = [ParallelConfig.threads]
      ParallelConfig.threads = 7  // what a concurrently running suite might do
      seen.append(ParallelConfig.threads)
      return seen
    }
    #expect(seen == [2, 2])
    #expect(ParallelConfig.threads == 7)
  }

  @Test func oneThreadRunsEveryChunkOnTheCaller() {
    let caller = pthread_self()
    let onCaller = ParallelConfig.withThreads(1) {
      Parallel.mapChunks(count: 1000, chunkSize: 10) { _, _ in
        pthread_equal(pthread_self(), caller) != 0
      }
    }
    #expect(onCaller.count == 100)
    #expect(onCaller.allSatisfy { $0 })
  }

  /// A count set inside a worker thread of `Parallel` (how the runner computes several runs at
  /// once, one thread each) holds for that worker's own parallel calls, whatever the outer
  /// count is.
  @Test func countSetOnAWorkerThreadHoldsThere() {
    let seen = ParallelConfig.withThreads(2) {
      Parallel.mapChunks(count: 2, chunkSize: 1) { _, _ in
        ParallelConfig.withThreads(1) { () -> (Int, Bool) in
          let worker = pthread_self()
          let inner = Parallel.mapChunks(count: 50, chunkSize: 1) { _, _ in
            pthread_equal(pthread_self(), worker) != 0
          }
          return (ParallelConfig.threads, inner.allSatisfy { $0 })
        }
      }
    }
    #expect(seen.map(\.0) == [1, 1])
    #expect(seen.allSatisfy { $0.1 })
  }
}
