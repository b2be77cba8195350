// The results folder of a study: spec.resolved.json with the study's fingerprint (resolved
// spec hash, dataset content, chorus version), one record file per finished run and per fold
// under runs/, and — once every run is there — the assembled CSVs and manifest.json. Records
// are written atomically and the folder is locked while a process writes it, so killing a run
// never corrupts finished work and two runs never mix; assembly reads records in a fixed
// order, so results are byte-identical however the work was interrupted, resumed or sharded.
import ChorusCore
import Evaluation
import Foundation
import PlaylistData
import Recommenders

/// What determines a study's numbers: the spec with every default resolved (its hash), the
/// dataset's content and the version of the code. A results folder is only ever resumed or
/// merged with the same fingerprint.
public struct StudyFingerprint: Sendable, Equatable {
  /// `ExperimentSpec.hash()` of the resolved spec.
  public var specHash: String
  public var dataset: DatasetIdentity
  public var chorusVersion: String
  /// The vector kernel level the numbers were computed with (`KernelLevel`): vector levels
  /// round dot products differently from the portable one, so results of two levels differ
  /// in the last bits and must not be mixed.
  public var kernels: String

  public init(
    specHash: String, dataset: DatasetIdentity, chorusVersion: String,
    kernels: String = KernelLevel.current.description
  ) {
    self.specHash = specHash
    self.dataset = dataset
    self.chorusVersion = chorusVersion
    self.kernels = kernels
  }
}

/// A results folder.
public struct ResultsStore {
  public let folder: String
  public let spec: ExperimentSpec
  public let hash: String
  /// The fingerprint the folder's results were computed with.
  public let fingerprint: StudyFingerprint
  /// Held while this process writes the folder (nil for read-only opens).
  let lock: FolderLock?
  var runsFolder: String { folder + "/runs" }

  /// Refuses, without writing anything, a folder that holds results of another spec or of
  /// another version of the code, or holds results at all when `resume` is false. Cheap: call
  /// it before loading the data; `prepare` checks again (with the dataset) under the lock.
  public static func precheck(folder: String, spec: ExperimentSpec, resume: Bool) throws {
    let specPath = folder + "/spec.resolved.json"
    guard FileManager.default.fileExists(atPath: specPath) else { return }
    let existing = try readResolved(specPath)
    try compare(existing: existing, spec: spec, dataset: nil, folder: folder)
    if !resume {
      throw ChorusError(
        .config, "the folder already holds results of this spec", file: folder,
        hint: "add --resume to finish the study, or use another --out")
    }
  }

  /// Opens (or creates) `folder` for `spec` on a dataset with identity `dataset`, and locks
  /// it for this process. Refuses a folder that holds results of another spec, dataset or
  /// code version (saying which differs), or holds results at all when `resume` is false,
  /// or that another process is writing.
  public static func prepare(
    folder: String, spec: ExperimentSpec, dataset: DatasetIdentity, resume: Bool
  ) throws -> ResultsStore {
    let hash = try spec.hash()
    let fingerprint = StudyFingerprint(
      specHash: hash, dataset: dataset, chorusVersion: ChorusVersion.current)
    try FileIO.ensureDirectory(folder)
    let lock = try FolderLock(folder: folder)
    let specPath = folder + "/spec.resolved.json"
    if FileManager.default.fileExists(atPath: specPath) {
      try compare(existing: readResolved(specPath), spec: spec, dataset: dataset, folder: folder)
      if !resume {
        throw ChorusError(
          .config, "the folder already holds results of this spec", file: folder,
          hint: "add --resume to finish the study, or use another --out")
      }
    } else {
      try writeResolved(spec: spec, fingerprint: fingerprint, to: specPath)
    }
    try FileIO.ensureDirectory(folder + "/runs")
    removeStaleTemporaryFiles(in: folder)
    return ResultsStore(
      folder: folder, spec: spec, hash: hash, fingerprint: fingerprint, lock: lock)
  }

  /// The files a study writes at the top of its folder.
  static let studyFiles = [
    "spec.resolved.json", "runs.csv", "summary.csv", "songs.csv", "artists.csv",
    "externalities.csv", "lorenz.csv", "cloud.csv", "cloud-points.csv", "dataset.csv",
    "clean-accuracy.csv", "anchors.csv", "precision-at-50.csv", "precision-at-50-change.csv",
    "similarity.csv", "manifest.json", "collectives.csv", "collectives-summary.csv",
  ]

  /// Removes the temporary files (`.NAME.PID.tmp`, see `FileIO.writeAtomically`) that a
  /// killed writer of this folder left: any in runs/, and those of the study's own files at
  /// the top. Called under the folder's lock, so no live writer owns them.
  static func removeStaleTemporaryFiles(in folder: String) {
    let fm = FileManager.default
    for (dir, all) in [(folder + "/runs", true), (folder, false)] {
      for name in (try? fm.contentsOfDirectory(atPath: dir)) ?? []
      where name.hasPrefix(".") && name.hasSuffix(".tmp") {
        if all || studyFiles.contains(where: { name.hasPrefix(".\($0).") }) {
          try? fm.removeItem(atPath: dir + "/" + name)
        }
      }
    }
  }

  /// Opens an existing folder without a spec in hand (merge, report); takes no lock.
  public static func open(folder: String) throws -> ResultsStore {
    let specPath = folder + "/spec.resolved.json"
    guard FileManager.default.fileExists(atPath: specPath) else {
      throw ChorusError(
        .io, "not a results folder (no spec.resolved.json)", file: folder,
        hint: "give a folder written by 'chorus run'")
    }
    let resolved = try readResolved(specPath)
    guard let dataset = resolved.dataset, let version = resolved.chorusVersion,
      let kernels = resolved.kernels
    else {
      throw ChorusError(
        .data, "spec.resolved.json has no dataset fingerprint, code version or kernel level",
        file: specPath, hint: "the folder was written by an older chorus; re-run the study")
    }
    let spec: ExperimentSpec
    do { spec = try ExperimentSpec.decode(resolved.spec) } catch let e as ChorusError {
      throw e.inFile(specPath)
    }
    let hash = try spec.hash()
    return ResultsStore(
      folder: folder, spec: spec, hash: hash,
      fingerprint: StudyFingerprint(
        specHash: hash, dataset: dataset, chorusVersion: version, kernels: kernels),
      lock: nil)
  }

  /// The same store, locked for writing by this process (merge's output).
  public func locked() throws -> ResultsStore {
    ResultsStore(
      folder: folder, spec: spec, hash: hash, fingerprint: fingerprint,
      lock: try FolderLock(folder: folder))
  }

  /// The parts of spec.resolved.json.
  struct Resolved {
    var hash: String
    var chorusVersion: String?
    var kernels: String?
    var dataset: DatasetIdentity?
    var spec: [String: Any]
  }

  static func readResolved(_ path: String) throws -> Resolved {
    let data = try FileIO.read(path)
    guard let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let h = obj["hash"] as? String, let spec = obj["spec"] as? [String: Any]
    else {
      throw ChorusError(
        .data, "spec.resolved.json is malformed", file: path,
        hint: "delete the folder to start over")
    }
    var dataset: DatasetIdentity? = nil
    if let d = obj["dataset"], let bytes = try? JSONSerialization.data(withJSONObject: d) {
      dataset = try? JSONDecoder().decode(DatasetIdentity.self, from: bytes)
    }
    return Resolved(
      hash: h, chorusVersion: obj["chorusVersion"] as? String, kernels: obj["kernels"] as? String,
      dataset: dataset, spec: spec)
  }

  /// The resolved spec of a finished study and its dataset's content hash, for the commands
  /// that read several studies side by side (`chorus frontier`, `chorus sweep`).
  /// - Throws: `ChorusError(.data)` naming the file when it is unreadable or lacks either.
  static func readResolvedWithDataset(folder: String) throws -> (
    resolved: Resolved, datasetHash: String
  ) {
    let path = folder + "/spec.resolved.json"
    guard let resolved = try? readResolved(path), let hash = resolved.dataset?.hash else {
      throw ChorusError(
        .data, "spec.resolved.json does not hold the spec and the dataset's hash", file: path,
        hint: "run the study again with this version of chorus")
    }
    return (resolved, hash)
  }

  static func writeResolved(spec: ExperimentSpec, fingerprint: StudyFingerprint, to path: String)
    throws
  {
    struct File: Encodable {
      var chorusVersion: String
      var kernels: String
      var dataset: DatasetIdentity
      var hash: String
      var spec: ExperimentSpec
    }
    var copy = spec
    copy.out = nil
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys]
    let file = File(
      chorusVersion: fingerprint.chorusVersion, kernels: fingerprint.kernels,
      dataset: fingerprint.dataset, hash: fingerprint.specHash, spec: copy)
    try FileIO.writeAtomically(try e.encode(file), to: path)
  }

  /// Refuses `existing` unless it has this spec, code version and (when given) dataset;
  /// the message says which differs.
  static func compare(
    existing: Resolved, spec: ExperimentSpec, dataset: DatasetIdentity?, folder: String
  ) throws {
    let hash = try spec.hash()
    if existing.hash != hash {
      var copy = spec
      copy.out = nil
      let now = (try? JSONSerialization.jsonObject(with: copy.canonicalJSON())) as? [String: Any]
      let keys = differingKeys(existing.spec, now ?? [:])
      throw ChorusError(
        .config,
        "the folder holds results of a different spec (hash \(existing.hash), this spec \(hash)); it differs in "
          + (keys.isEmpty ? "its text" : keys.prefix(5).joined(separator: ", ")),
        file: folder, hint: "use another --out, or delete the folder to start over")
    }
    guard let version = existing.chorusVersion, let stored = existing.dataset else {
      throw ChorusError(
        .config, "the folder was written by an older chorus without a dataset fingerprint",
        file: folder, hint: "use another --out, or delete the folder to start over")
    }
    if version != ChorusVersion.current {
      throw ChorusError(
        .config,
        "the folder holds results of chorus \(version); this is chorus \(ChorusVersion.current)",
        file: folder, hint: "results of two versions must not be mixed: use another --out")
    }
    let kernels = KernelLevel.current.description
    if let stored = existing.kernels, stored != kernels {
      throw ChorusError(
        .config,
        "the folder's results were computed with the \(stored) vector kernels; this run uses \(kernels)",
        file: folder,
        hint:
          "their last bits differ: use another --out, or rerun with --kernels \(stored) (or CHORUS_KERNELS=\(stored))"
      )
    }
    if let dataset, dataset != stored {
      throw ChorusError(
        .config,
        "the dataset differs from the one the folder's results were computed on (then: \(stored); now: \(dataset))",
        file: folder,
        hint: "the file behind the dataset path changed: use another --out for the new data")
    }
  }

  /// Dotted paths where two JSON objects differ (sorted).
  static func differingKeys(_ a: [String: Any], _ b: [String: Any], prefix: String = "")
    -> [String]
  {
    var out: [String] = []
    for key in Set(a.keys).union(b.keys).sorted() {
      let x = a[key]
      let y = b[key]
      if let ox = x as? [String: Any], let oy = y as? [String: Any] {
        out += differingKeys(ox, oy, prefix: prefix + key + ".")
      } else if !jsonEqual(x, y) {
        out.append(prefix + key)
      }
    }
    return out
  }

  static func jsonEqual(_ a: Any?, _ b: Any?) -> Bool {
    guard let a, let b else { return a == nil && b == nil }
    let opts: JSONSerialization.WritingOptions = [.sortedKeys, .fragmentsAllowed]
    return (try? JSONSerialization.data(withJSONObject: a, options: opts))
      == (try? JSONSerialization.data(withJSONObject: b, options: opts))
  }

  // MARK: - The plan

  /// Every run of the spec in canonical order: fold, strategy, size, statistics.
  public static func plan(_ spec: ExperimentSpec) -> [RunKey] {
    var keys: [RunKey] = []
    for f in spec.foldList {
      for s in 0..<spec.strategies.count {
        for n in 0..<spec.sizeCount {
          for q in 0..<spec.statistics.count {
            keys.append(RunKey(fold: f, strategyIndex: s, sizeIndex: n, statisticsIndex: q))
          }
        }
      }
    }
    return keys
  }

  /// The shard (0-based, of `count`) that runs the plan's run at `position`. Runs are dealt
  /// out in rounds of `count`, every other round in reverse (1, 2, …, n, n, …, 2, 1), so that
  /// when the inner loops (sizes × statistics) have a length divisible by `count` no shard gets
  /// only the largest collectives — which an exact update makes the most expensive runs.
  public static func shard(ofPosition position: Int, count: Int) -> Int {
    precondition(count > 0 && position >= 0, "a shard count is positive")
    let round = position / count
    let place = position % count
    return round % 2 == 0 ? place : count - 1 - place
  }

  // MARK: - Records

  func runPath(_ key: RunKey) -> String { runsFolder + "/\(key.id).json" }
  func foldPath(_ fold: Int) -> String { runsFolder + "/fold-\(fold).json" }

  static let encoder: JSONEncoder = {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys]
    e.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return e
  }()
  static let decoder: JSONDecoder = {
    let d = JSONDecoder()
    d.nonConformingFloatDecodingStrategy = .convertFromString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return d
  }()

  public func writeRun(_ r: RunRecord) throws {
    try FileIO.writeAtomically(try Self.encoder.encode(r), to: runPath(r.key))
  }
  public func writeFold(_ r: FoldRecord) throws {
    try FileIO.writeAtomically(try Self.encoder.encode(r), to: foldPath(r.fold))
  }

  public func readRun(_ key: RunKey) throws -> RunRecord {
    let path = runPath(key)
    let data = try FileIO.read(path)
    do { return try Self.decoder.decode(RunRecord.self, from: data) } catch let e
      as DecodingError
    {
      if Self.isEarlierRecordLayout(data) {
        throw ChorusError(
          .data,
          "the run record has the layout of an earlier build (the collective size in four fields), which this build does not read",
          file: path,
          hint:
            "finish the study with the chorus that began it, or run it again into another --out")
      }
      throw ChorusError(
        .data, "unreadable run record: \(ConfigCoding.describe(e))", file: path,
        hint: "delete the file and run again with --resume")
    }
  }

  /// Whether `data` is a run record of the layout before the typed collective size (it
  /// stored `sizeKind`, `sizeValue`, `budget` and `alpha`).
  static func isEarlierRecordLayout(_ data: Data) -> Bool {
    guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      return false
    }
    return object["sizeKind"] != nil && object["size"] == nil
  }

  public func readFold(_ fold: Int) throws -> FoldRecord {
    let path = foldPath(fold)
    do { return try Self.decoder.decode(FoldRecord.self, from: try FileIO.read(path)) } catch let e
      as DecodingError
    {
      throw ChorusError(
        .data, "unreadable fold record: \(ConfigCoding.describe(e))", file: path,
        hint: "delete the file and run again with --resume")
    }
  }

  /// Runs whose record exists (records are only ever complete: written atomically).
  public func finishedRuns() -> Set<RunKey> {
    Set(Self.plan(spec).filter { FileManager.default.fileExists(atPath: runPath($0)) })
  }

  /// Whether the record of `key` exists.
  public func hasRun(_ key: RunKey) -> Bool {
    FileManager.default.fileExists(atPath: runPath(key))
  }

  public func hasFoldRecord(_ fold: Int) -> Bool {
    FileManager.default.fileExists(atPath: foldPath(fold))
  }

  public func isComplete(plan: [RunKey]) -> Bool {
    let done = finishedRuns()
    return plan.allSatisfy(done.contains) && Set(plan.map(\.fold)).allSatisfy(hasFoldRecord)
      && collectivesComplete
  }

  /// Remembers the dataset's warnings for the manifest.
  var datasetShapePath: String { runsFolder + "/dataset.json" }
  var hasDatasetShape: Bool { FileManager.default.fileExists(atPath: datasetShapePath) }
  func recordDatasetShape(_ d: DatasetShape) throws {
    try FileIO.writeAtomically(try Self.encoder.encode(d), to: datasetShapePath)
  }
  func readDatasetShape() -> DatasetShape? {
    guard let data = try? FileIO.read(datasetShapePath) else { return nil }
    return try? Self.decoder.decode(DatasetShape.self, from: data)
  }

  func recordWarnings(_ w: DataWarnings) throws {
    try FileIO.writeAtomically(try Self.encoder.encode(w), to: runsFolder + "/warnings.json")
  }

  /// Copies the records of `other` (a shard of the same spec) into this store.
  public func absorb(_ other: ResultsStore) throws {
    guard other.hash == hash else {
      throw ChorusError(
        .config, "shard has a different spec (hash \(other.hash), expected \(hash))",
        file: other.folder, hint: "merge only shards of the same spec")
    }
    guard other.fingerprint.chorusVersion == fingerprint.chorusVersion else {
      throw ChorusError(
        .config,
        "shard was computed by chorus \(other.fingerprint.chorusVersion), the others by \(fingerprint.chorusVersion)",
        file: other.folder, hint: "merge only shards computed by one version of chorus")
    }
    guard other.fingerprint.kernels == fingerprint.kernels else {
      throw ChorusError(
        .config,
        "shard was computed with the \(other.fingerprint.kernels) vector kernels, the others with \(fingerprint.kernels)",
        file: other.folder, hint: "merge only shards computed at one kernel level (--kernels)")
    }
    guard other.fingerprint.dataset == fingerprint.dataset else {
      throw ChorusError(
        .config,
        "shard was computed on another dataset (\(other.fingerprint.dataset); expected \(fingerprint.dataset))",
        file: other.folder, hint: "merge only shards computed on the same data")
    }
    let names = (try? FileManager.default.contentsOfDirectory(atPath: other.runsFolder)) ?? []
    for name in names.sorted() where name.hasSuffix(".json") {
      let target = runsFolder + "/" + name
      if FileManager.default.fileExists(atPath: target) { continue }
      try FileIO.writeAtomically(try FileIO.read(other.runsFolder + "/" + name), to: target)
    }
  }
}
