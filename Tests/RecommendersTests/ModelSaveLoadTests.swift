// Saving and loading trained ALS and sequence models: a round trip gives the same weights
// bit for bit and the same recommendations; other data, another aggregator or config, a
// flipped byte and a truncated file are refused with a data or config error naming the file.
// Settings saved before a key existed load with its default; unknown or ill-typed ones fail.
import ChorusCore
import ChorusTestSupport
import Foundation
import Testing

@testable import Recommenders

@Suite struct ModelSaveLoadTests {
  let data = Fixtures.random(playlists: 120, tracks: 100, lengths: 3...15, seed: 21)

  var contexts: PlaylistStore {
    store((0..<25).map { Array(data.playlists[$0].prefix($0 % 5 + 1)) })
  }

  /// The data with one playlist a track shorter (same catalogue).
  var otherData: PlaylistStore {
    var lists = data.playlists.arrays
    lists[4].removeLast()
    return store(lists)
  }

  /// Loading `path` must fail with `kind`, naming the file.
  func expectFailure(
    _ kind: ChorusErrorKind, path: String, containing text: String? = nil,
    _ load: () throws -> Void
  ) {
    do {
      try load()
      Issue.record("loading \(path) did not fail")
    } catch let e as ChorusError {
      #expect(e.kind == kind)
      #expect(e.file == path)
      if let text { #expect(e.message.contains(text), "\(e.message)") }
    } catch {
      Issue.record("unexpected error \(error)")
    }
  }

  /// The file with one byte in the middle flipped, and with its last 12 bytes cut.
  func damaged(_ path: String, in dir: TemporaryDirectory) throws -> [String] {
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    var flipped = bytes
    flipped[bytes.count / 2] ^= 0x10
    return [
      dir.write("flipped.bin", bytes: flipped),
      dir.write("short.bin", bytes: Array(bytes.dropLast(12))),
    ]
  }

  @Test func alsRoundTripAndChecks() throws {
    var config = ALSConfig()
    config.factors = 12
    config.iterations = 3
    let m = try ALSModel(playlists: data.playlists, trackCount: data.trackCount, config: config)
    let dir = TemporaryDirectory()
    let path = dir.file("model.als")
    try m.save(to: path)
    let loaded = try ALSModel.load(
      from: path, playlists: data.playlists, trackCount: data.trackCount, expecting: config)
    #expect(loaded.config == m.config)
    #expect(loaded.fingerprint == m.fingerprint)
    #expect(loaded.itemFactors.map(\.bitPattern) == m.itemFactors.map(\.bitPattern))
    #expect(loaded.recommendAll(contexts, k: 30) == m.recommendAll(contexts, k: 30))

    expectFailure(.data, path: path, containing: "does not match the dataset") {
      _ = try ALSModel.load(from: path, playlists: otherData, trackCount: data.trackCount)
    }
    var other = config
    other.iterations = 4
    expectFailure(.config, path: path) {
      _ = try ALSModel.load(
        from: path, playlists: data.playlists, trackCount: data.trackCount, expecting: other)
    }
    for bad in try damaged(path, in: dir) {
      expectFailure(.data, path: bad) {
        _ = try ALSModel.load(from: bad, playlists: data.playlists, trackCount: data.trackCount)
      }
    }
    // Another model's file is refused by its magic.
    let sequence = dir.file("model.seq")
    try SequenceModel(
      playlists: data.playlists, trackCount: data.trackCount, aggregator: .mean,
      config: tinySequenceConfig(epochs: 1)
    ).save(to: sequence)
    expectFailure(.data, path: sequence) {
      _ = try ALSModel.load(from: sequence, playlists: data.playlists, trackCount: data.trackCount)
    }
  }

  @Test(arguments: [SequenceAggregator.mean, .transformer])
  func sequenceRoundTripAndChecks(aggregator: SequenceAggregator) throws {
    let config = tinySequenceConfig(initialization: .als)
    let m = try SequenceModel(
      playlists: data.playlists, trackCount: data.trackCount, aggregator: aggregator,
      config: config)
    let dir = TemporaryDirectory()
    let path = dir.file("model.seq")
    try m.save(to: path)
    let loaded = try SequenceModel.load(
      from: path, playlists: data.playlists, trackCount: data.trackCount, aggregator: aggregator,
      expecting: config)
    #expect(loaded.aggregator == aggregator)
    #expect(loaded.config == m.config)
    #expect(loaded.history == m.history)
    #expect(loaded.fingerprint == m.fingerprint)
    #expect(loaded.embeddings.map(\.bitPattern) == m.embeddings.map(\.bitPattern))
    #expect(loaded.params.map(\.bitPattern) == m.params.map(\.bitPattern))
    #expect(loaded.recommendAll(contexts, k: 30) == m.recommendAll(contexts, k: 30))
    #expect(loaded.recommend([1, 2, 3], k: 10) == m.recommend([1, 2, 3], k: 10))

    expectFailure(.data, path: path, containing: "does not match the dataset") {
      _ = try SequenceModel.load(from: path, playlists: otherData, trackCount: data.trackCount)
    }
    let wrong: SequenceAggregator = aggregator == .mean ? .transformer : .mean
    expectFailure(.config, path: path, containing: "not \(wrong.rawValue)") {
      _ = try SequenceModel.load(
        from: path, playlists: data.playlists, trackCount: data.trackCount, aggregator: wrong)
    }
    var other = config
    other.epochs += 1
    expectFailure(.config, path: path) {
      _ = try SequenceModel.load(
        from: path, playlists: data.playlists, trackCount: data.trackCount, expecting: other)
    }
    for bad in try damaged(path, in: dir) {
      expectFailure(.data, path: bad) {
        _ = try SequenceModel.load(
          from: bad, playlists: data.playlists, trackCount: data.trackCount)
      }
    }
  }
  /// A copy of the saved model `path` (magic `magic`) with its JSON settings section
  /// edited by `edit` and every other section and the checksum kept intact, as an earlier or
  /// later chorus might have written it.
  func rewritten(
    _ path: String, magic: String, version: UInt32, sections: Int, in dir: TemporaryDirectory,
    as name: String, edit: (inout [String: Any]) -> Void
  ) throws -> String {
    var r = try BinaryReader(
      data: try FileIO.read(path), path: path, magic: magic, supportedVersions: 1...version,
      hint: "", checksum: .hash64)
    var parts = try (0..<sections).map { i in try r.readSection(UInt8.self, name: "\(i)") }
    var meta = try #require(
      try JSONSerialization.jsonObject(with: Data(parts[1])) as? [String: Any])
    var config = try #require(meta["config"] as? [String: Any])
    edit(&config)
    meta["config"] = config
    parts[1] = [UInt8](try JSONSerialization.data(withJSONObject: meta))
    let out = dir.file(name)
    try FileIO.writeAtomically(to: out) { handle in
      var w = try BinaryWriter(
        handle: handle, magic: magic, version: version, sections: sections, checksum: .hash64)
      for part in parts { try w.writeSection(part) }
      try w.finish()
    }
    return out
  }

  /// A file saved before a setting existed lacks its key; it loads with the setting's
  /// default (the earlier behaviour) and equals the model saved with that default, for ALS
  /// (each key left out in turn) and the sequence models (the position
  /// initialisation, added after saved models).
  @Test func settingsOfAnEarlierVersionTakeTheDefaults() throws {
    var config = ALSConfig()
    config.factors = 4
    config.iterations = 2
    let m = try ALSModel(playlists: data.playlists, trackCount: data.trackCount, config: config)
    let dir = TemporaryDirectory()
    let path = dir.file("model.chorusal")
    try m.save(to: path)
    let defaults = try ConfigCoding.object(ALSConfig())
    // Every key but `factors`, which fixes the file's shape (the header checks it).
    for key in try ConfigCoding.object(config).keys.sorted() where key != "factors" {
      let older = try rewritten(
        path, magic: ALSModel.fileMagic, version: ALSModel.fileVersion, sections: 4, in: dir,
        as: "older-\(key).chorusal"
      ) { $0[key] = nil }
      let loaded = try ALSModel.load(
        from: older, playlists: data.playlists, trackCount: data.trackCount)
      var expected = config
      if let value = defaults[key] {
        var object = try ConfigCoding.object(config)
        object[key] = value
        expected = try JSONDecoder().decode(
          ALSConfig.self, from: JSONSerialization.data(withJSONObject: object))
      }
      #expect(loaded.config == expected, "without \(key)")
      #expect(loaded.itemFactors.map(\.bitPattern) == m.itemFactors.map(\.bitPattern))
    }
    for aggregator in [SequenceAggregator.mean, .transformer] {
      var c = tinySequenceConfig(epochs: 1)
      if aggregator == .mean { c.preset = "paper" }  // a missing key takes its preset's value
      let model = try SequenceModel(
        playlists: data.playlists, trackCount: data.trackCount, aggregator: aggregator,
        config: c)
      let saved = dir.file("model-\(aggregator).seq")
      try model.save(to: saved)
      let older = try rewritten(
        saved, magic: SequenceModel.fileMagic, version: SequenceModel.fileVersion, sections: 5,
        in: dir, as: "older-\(aggregator).seq"
      ) { $0["positionInitStd"] = nil }
      let loaded = try SequenceModel.load(
        from: older, playlists: data.playlists, trackCount: data.trackCount,
        aggregator: aggregator, expecting: c)
      #expect(loaded.config == model.config)
      #expect(loaded.params.map(\.bitPattern) == model.params.map(\.bitPattern))
      #expect(loaded.embeddings.map(\.bitPattern) == model.embeddings.map(\.bitPattern))
      #expect(loaded.recommendAll(contexts, k: 30) == model.recommendAll(contexts, k: 30))
    }
  }

  /// Settings a later chorus wrote (an unknown key) or a damaged value (wrong type, null)
  /// are refused with a data error naming the file and the key, not a decoder dump.
  @Test func unknownOrIllTypedSettingsAreRefusedNamingTheKey() throws {
    let c = tinySequenceConfig(epochs: 1)
    let model = try SequenceModel(
      playlists: data.playlists, trackCount: data.trackCount, aggregator: .transformer,
      config: c)
    let dir = TemporaryDirectory()
    let path = dir.file("model.seq")
    try model.save(to: path)
    let edits: [(String, (inout [String: Any]) -> Void, String)] = [
      ("newer", { $0["attentionBias"] = true }, "unknown key 'config.attentionBias'"),
      ("typed", { $0["dim"] = "eight" }, "'config.dim'"),
      ("null", { $0["positionInitStd"] = NSNull() }, "'config.positionInitStd'"),
    ]
    for (name, edit, text) in edits {
      let bad = try rewritten(
        path, magic: SequenceModel.fileMagic, version: SequenceModel.fileVersion, sections: 5,
        in: dir, as: "\(name).seq", edit: edit)
      expectFailure(.data, path: bad, containing: text) {
        _ = try SequenceModel.load(
          from: bad, playlists: data.playlists, trackCount: data.trackCount)
      }
    }
    var als = ALSConfig()
    als.factors = 4
    als.iterations = 1
    let alsPath = dir.file("model.chorusal")
    try ALSModel(playlists: data.playlists, trackCount: data.trackCount, config: als).save(
      to: alsPath)
    let newer = try rewritten(
      alsPath, magic: ALSModel.fileMagic, version: ALSModel.fileVersion, sections: 4, in: dir,
      as: "newer.chorusal"
    ) { $0["blockSize"] = 8 }
    expectFailure(.data, path: newer, containing: "unknown key 'config.blockSize'") {
      _ = try ALSModel.load(from: newer, playlists: data.playlists, trackCount: data.trackCount)
    }
  }
}
