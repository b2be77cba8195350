// Saving and loading trained ALS and sequence models: a round trip gives the same weights
// bit for bit and the same recommendations; other data, another aggregator or config, a
// flipped byte and a truncated file are refused with a data or config error naming the file.
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
  /// A file whose settings lack a key that a later chorus added (rewritten here with one key
  /// removed, sections and checksum otherwise intact) is refused with a message that names
  /// the key and asks for a fresh save, not with a decoder dump.
  @Test func settingsOfAnEarlierVersionAskForAFreshSave() throws {
    var config = ALSConfig()
    config.factors = 4
    config.iterations = 2
    let m = try ALSModel(playlists: data.playlists, trackCount: data.trackCount, config: config)
    let dir = TemporaryDirectory()
    let path = dir.file("model.chorusal")
    try m.save(to: path)
    var r = try BinaryReader(
      data: try FileIO.read(path), path: path, magic: ALSModel.fileMagic,
      supportedVersions: 1...ALSModel.fileVersion, hint: "", checksum: .hash64)
    let header = try r.readSection(UInt64.self, name: "header")
    let metaBytes = try r.readSection(UInt8.self, name: "meta")
    let factors = try r.readSection(Float.self, name: "factors")
    let frequency = try r.readSection(Int32.self, name: "frequency")
    var meta = try #require(
      try JSONSerialization.jsonObject(with: Data(metaBytes)) as? [String: Any])
    var saved = try #require(meta["config"] as? [String: Any])
    let removed = try #require(saved.keys.sorted().first)
    saved[removed] = nil
    meta["config"] = saved
    let older = dir.file("older.chorusal")
    try FileIO.writeAtomically(to: older) { handle in
      var w = try BinaryWriter(
        handle: handle, magic: ALSModel.fileMagic, version: ALSModel.fileVersion, sections: 4,
        checksum: .hash64)
      try w.writeSection(header)
      try w.writeSection([UInt8](try JSONSerialization.data(withJSONObject: meta)))
      try w.writeSection(factors)
      try w.writeSection(frequency)
      try w.finish()
    }
    expectFailure(.data, path: older, containing: "lack '\(removed)'") {
      _ = try ALSModel.load(from: older, playlists: data.playlists, trackCount: data.trackCount)
    }
  }
}
