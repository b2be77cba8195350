// The results folder of a study: spec.resolved.json and its hash, one record file per
// finished run and per fold under runs/, and — once every run is there — the assembled
// CSVs and manifest.json. Records are written atomically, so killing a run never corrupts
// finished work; assembly reads records in a fixed order, so results are byte-identical
// however the work was interrupted, resumed or sharded.
import ChorusCore
import Evaluation
import Foundation
import PlaylistData

/// A results folder.
public struct ResultsStore {
  public let folder: String
  public let spec: ExperimentSpec
  public let hash: String
  var runsFolder: String { folder + "/runs" }

  /// Opens (or creates) `folder` for `spec`. Refuses a folder that holds results of another
  /// spec, or holds results at all when `resume` is false.
  public static func prepare(folder: String, spec: ExperimentSpec, resume: Bool) throws
    -> ResultsStore
  {
    let hash = try spec.hash()
    let specPath = folder + "/spec.resolved.json"
    if FileManager.default.fileExists(atPath: specPath) {
      let existing = try readResolvedHash(specPath)
      if existing != hash {
        throw ChorusError(
          .config,
          "the folder holds results of a different spec (hash \(existing), this spec \(hash))",
          file: folder, hint: "use another --out, or delete the folder to start over")
      }
      if !resume {
        throw ChorusError(
          .config, "the folder already holds results of this spec", file: folder,
          hint: "add --resume to finish the study, or use another --out")
      }
    }
    try FileIO.ensureDirectory(folder + "/runs")
    var copy = spec
    copy.out = nil
    let resolved = String(decoding: try copy.canonicalJSON(), as: UTF8.self)
    let text =
      "{\n  \"hash\" : \"\(hash)\",\n  \"spec\" : "
      + resolved.replacingOccurrences(of: "\n", with: "\n  ") + "\n}\n"
    try FileIO.writeAtomically(text, to: specPath)
    return ResultsStore(folder: folder, spec: spec, hash: hash)
  }

  /// Opens an existing folder without a spec in hand (merge, report).
  public static func open(folder: String) throws -> ResultsStore {
    let specPath = folder + "/spec.resolved.json"
    guard FileManager.default.fileExists(atPath: specPath) else {
      throw ChorusError(
        .io, "not a results folder (no spec.resolved.json)", file: folder,
        hint: "give a folder written by 'chorus run'")
    }
    let data = try FileIO.read(specPath)
    guard let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let s = obj["spec"] as? [String: Any]
    else {
      throw ChorusError(
        .data, "spec.resolved.json is malformed", file: specPath, hint: "re-run the study")
    }
    let spec = try ExperimentSpec.decode(s)
    return ResultsStore(folder: folder, spec: spec, hash: try spec.hash())
  }

  static func readResolvedHash(_ path: String) throws -> String {
    let data = try FileIO.read(path)
    guard let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let h = obj["hash"] as? String
    else {
      throw ChorusError(
        .data, "spec.resolved.json is malformed", file: path,
        hint: "delete the folder to start over")
    }
    return h
  }

  // MARK: - The plan

  /// Every run of the spec in canonical order: fold, strategy, size, statistics.
  public static func plan(_ spec: ExperimentSpec) -> [RunKey] {
    var keys: [RunKey] = []
    for f in spec.foldList {
      for s in 0..<spec.strategies.count {
        for n in 0..<spec.sizeCount {
          for q in 0..<spec.statistics.count {
            keys.append(RunKey(fold: f, strategy: s, size: n, statistics: q))
          }
        }
      }
    }
    return keys
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
    do { return try Self.decoder.decode(RunRecord.self, from: try FileIO.read(path)) } catch let e
      as DecodingError
    {
      throw ChorusError(
        .data, "unreadable run record: \(ConfigCoding.describe(e))", file: path,
        hint: "delete the file and run again with --resume")
    }
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

  public func hasFoldRecord(_ fold: Int) -> Bool {
    FileManager.default.fileExists(atPath: foldPath(fold))
  }

  public func isComplete(plan: [RunKey]) -> Bool {
    let done = finishedRuns()
    return plan.allSatisfy(done.contains) && Set(plan.map(\.fold)).allSatisfy(hasFoldRecord)
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
    let names = (try? FileManager.default.contentsOfDirectory(atPath: other.runsFolder)) ?? []
    for name in names.sorted() where name.hasSuffix(".json") {
      let target = runsFolder + "/" + name
      if FileManager.default.fileExists(atPath: target) { continue }
      try FileIO.writeAtomically(try FileIO.read(other.runsFolder + "/" + name), to: target)
    }
  }
}
