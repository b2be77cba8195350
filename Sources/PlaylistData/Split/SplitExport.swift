// Exports one fold so that external systems can train and predict on exactly the lab's
// split: the training playlists, the test seed contexts as MPD slice JSON (like the RecSys
// Challenge 2018 set), the held-out ground truth, and the collective draw order.
import ChorusCore
import Foundation

extension Dataset {
  /// The playlists `indices` (in that order) with the same catalogue.
  public func subset(_ indices: [Int]) -> Dataset {
    var names = StringPool()
    for p in indices { names.append(self.names[p]) }
    return Dataset(
      playlists: playlists.subset(indices), pids: indices.map { pids[$0] }, names: names,
      catalogue: catalogue, warnings: warnings)
  }
}

/// Writes a fold's split to a folder.
public enum SplitExport {
  /// The names an export writes; an existing folder holding only these (an earlier export)
  /// may be replaced.
  public static let fileNames: Set<String> = [
    "training", "training.json", "training.txt", "training.chorus", "test-seeds.json",
    "test-truth.csv", "collective-order.csv",
  ]

  /// Writes `training.<ext>`, `test-seeds.json`, `test-truth.csv`, `collective-order.csv`.
  ///
  /// The folder is written as a whole (`FileIO.writeFolderAtomically`): a failed or killed
  /// export leaves no folder, never a training file without its test files. An existing
  /// folder is replaced only when it is empty or holds an earlier export; a folder with other
  /// files is refused before anything is written.
  public static func write(dataset: Dataset, split: FoldSplit, to folder: String, format: String?)
    throws
  {
    let trainFormat =
      try format.map { try DatasetFormat.resolve(path: "", explicit: $0) } ?? .chorus
    try FileIO.writeFolderAtomically(to: folder, replaceable: fileNames) {
      tmp in
      try writeFiles(dataset: dataset, split: split, to: tmp, trainFormat: trainFormat)
    }
  }

  private static func writeFiles(
    dataset: Dataset, split: FoldSplit, to folder: String, trainFormat: DatasetFormat
  ) throws {
    let trainName: String
    switch trainFormat {
    case .mpd: trainName = "training"
    case .json: trainName = "training.json"
    case .text: trainName = "training.txt"
    case .chorus: trainName = "training.chorus"
    }
    try trainFormat.write(dataset.subset(split.training), to: folder + "/" + trainName)

    // Seeds: each test playlist cut to its seed context, keeping pid and name.
    var seeds = PlaylistStoreBuilder(dedup: false)
    var truth = "pid,seed_length,position,track_id\n"
    let ids = dataset.catalogue.trackIDs
    for i in 0..<split.test.count {
      let (seed, rest) = split.context(ofTest: i, in: dataset.playlists)
      seeds.append(seed)
      let pid = dataset.pids[split.test[i]]
      for (j, t) in rest.enumerated() {
        truth += "\(pid),\(seed.count),\(seed.count + j),\(csvField(ids[Int(t)]))\n"
      }
    }
    var names = StringPool()
    for p in split.test { names.append(dataset.names[p]) }
    let seedData = Dataset(
      playlists: seeds.finish(), pids: split.test.map { dataset.pids[$0] }, names: names,
      catalogue: dataset.catalogue)
    try DatasetFormat.json.write(seedData, to: folder + "/test-seeds.json")
    try FileIO.writeAtomically(truth, to: folder + "/test-truth.csv")
    var order = "rank,pid\n"
    for (r, p) in split.collectiveOrder.enumerated() { order += "\(r),\(dataset.pids[p])\n" }
    try FileIO.writeAtomically(order, to: folder + "/collective-order.csv")
  }
}

/// Quotes a CSV field when it holds a comma, quote or newline.
public func csvField(_ s: String) -> String {
  if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
    return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }
  return s
}
