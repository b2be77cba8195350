// One fold of the protocol (Experiments/PROTOCOL.md §2): a seeded test set of eligible playlists in
// 10 blocks (block b shows the first b tracks as the seed context; the rest is ground truth), the
// training set (everything else), and a permutation of the eligible training playlists whose
// prefixes are the collectives — so collectives for growing α are nested.
import ChorusCore

/// The split of one fold. Indices are playlist indices in the dataset.
public struct FoldSplit: Sendable, Equatable {
  /// Fold number (0-based).
  public let fold: Int
  /// The fold's seed (base seed + fold).
  public let seed: UInt64
  /// Test playlists in block order: block b (0-based) is `test[b*blockSize ..< (b+1)*blockSize]`.
  public let test: [Int]
  /// Training playlists, ascending.
  public let training: [Int]
  /// A permutation of the eligible training playlists; a collective of size B is its prefix.
  public let collectiveOrder: [Int]
  /// Test playlists per block.
  public var blockSize: Int { test.count / SplitConfig.blockCount }

  /// Draws fold `fold` of `store` under `config`.
  /// - Complexity: O(playlists).
  public init(store: PlaylistStore, config: SplitConfig, fold: Int) throws {
    try config.validate()
    guard fold >= 0, fold < config.folds else {
      throw ChorusError(
        .config,
        "fold \(fold) is out of range (the spec has \(config.folds) folds: 0…\(config.folds - 1))",
        field: "fold")
    }
    self.fold = fold
    self.seed = config.seed &+ UInt64(fold)
    var eligible: [Int] = []
    for p in 0..<store.count where store.length(p) > config.minTracks { eligible.append(p) }
    let testSize = try config.resolvedTestSize(eligible: eligible.count)
    // Partial Fisher–Yates: the first testSize slots become the test set, in draw order.
    var rng = RandomStream(seed: seed, component: "split.test")
    for i in 0..<testSize {
      let j = i + rng.nextInt(below: eligible.count - i)
      eligible.swapAt(i, j)
    }
    test = Array(eligible[0..<testSize])
    var isTest = [Bool](repeating: false, count: store.count)
    for p in test { isTest[p] = true }
    training = (0..<store.count).filter { !isTest[$0] }
    // The rest of the eligible playlists, sorted then shuffled by the collective stream, so the
    // permutation depends only on the seed and the test draw.
    var rest = Array(eligible[testSize...]).sorted()
    var crng = RandomStream(seed: seed, component: "split.collective")
    crng.shuffle(&rest)
    collectiveOrder = rest
  }

  /// Seed length (1…10) of test playlist number `i` (position in `test`).
  @inline(__always)
  public func seedLength(ofTest i: Int) -> Int { i / blockSize + 1 }

  /// Seed context and ground truth of test playlist number `i`.
  public func context(ofTest i: Int, in store: PlaylistStore) -> (
    seed: ArraySlice<Int32>, truth: ArraySlice<Int32>
  ) {
    let p = test[i]
    let start = store.offsets[p]
    let cut = start + seedLength(ofTest: i)
    return (store.tracks[start..<cut], store.tracks[cut..<store.offsets[p + 1]])
  }

  /// The collective of `budget` playlists (a prefix of `collectiveOrder`).
  public func collective(budget: Int) throws -> ArraySlice<Int> {
    guard budget >= 1, budget <= collectiveOrder.count else {
      throw ChorusError(
        .config,
        "a collective of \(budget) playlists is impossible: the fold has \(collectiveOrder.count) eligible training playlists",
        field: "budget", hint: "use a budget between 1 and \(collectiveOrder.count)")
    }
    return collectiveOrder[0..<budget]
  }

  /// The collective for a fraction α of the training set: B = max(1, round(α · |training|)).
  public func collective(alpha: Double) throws -> ArraySlice<Int> {
    guard alpha > 0, alpha < 1 else {
      throw ChorusError(
        .config, "alpha \(alpha) is outside (0, 1)", field: "alpha",
        hint: "alpha is the fraction of training playlists the collective controls, e.g. 0.001")
    }
    return try collective(budget: FoldSplit.budget(alpha: alpha, trainingCount: training.count))
  }

  /// B for a fraction α of `trainingCount` playlists (at least 1).
  public static func budget(alpha: Double, trainingCount: Int) -> Int {
    max(1, Int((alpha * Double(trainingCount)).rounded()))
  }
}
