// Saving and loading trained sequence models ("CHORUSSQ" container, BinaryWriter/Reader with
// the content hash): a header of counts, the aggregator, config, epoch history and dataset
// fingerprint as JSON, then the embedding table by track id, the aggregator's parameters
// and the track frequencies. The fingerprint is checked on load, so weights are never
// silently used with playlists they were not trained on.
import ChorusCore
import Foundation

extension SequenceModel {
  /// File magic of saved sequence models.
  public static let fileMagic = "CHORUSSQ"
  /// Format version written by `save(to:)`.
  public static let fileVersion: UInt32 = 1

  /// What the JSON section of a saved model holds.
  private struct FileMeta: Codable {
    var aggregator: SequenceAggregator
    var config: SequenceConfig
    var history: [SequenceEpochStats]
    var fingerprint: DatasetFingerprint
  }

  /// Writes the model to `path` atomically.
  ///
  /// Sections: (1) UInt64 header [trackCount, dim, parameter count, playlistCount,
  /// entryCount, checksum]; (2) UTF-8 JSON {aggregator, config, history, fingerprint};
  /// (3) the embedding table, row-major trackCount × dim Float32 by track id; (4) the
  /// aggregator's Float32 parameters (none for `mean`); (5) Int32 frequency per track.
  /// - Complexity: O(trackCount × dim + parameters).
  public func save(to path: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let meta = try encoder.encode(
      FileMeta(
        aggregator: aggregator, config: config, history: history, fingerprint: fingerprint))
    let header: [UInt64] = [
      UInt64(trackCount), UInt64(config.dim), UInt64(params.count),
      UInt64(fingerprint.playlistCount), UInt64(fingerprint.entryCount), fingerprint.checksum,
    ]
    let table = embeddings
    try FileIO.writeAtomically(to: path) { handle in
      var w = try BinaryWriter(
        handle: handle, magic: SequenceModel.fileMagic, version: SequenceModel.fileVersion,
        sections: 5, checksum: .hash64)
      try w.writeSection(header)
      try w.writeSection([UInt8](meta))
      try w.writeSection(table)
      try w.writeSection(params)
      try w.writeSection(frequency)
      try w.finish()
    }
  }

  /// Loads a model saved by `save(to:)` and checks that it was trained on `playlists`.
  ///
  /// - Parameters:
  ///   - aggregator: when given, the saved model must use it.
  ///   - expecting: when given, the saved config must equal it.
  /// - Throws: `ChorusError(.data)` for a corrupt file or one trained on other data,
  ///   `ChorusError(.config)` when the aggregator or config differs from the expected one.
  /// - Complexity: O(file size + entries).
  public static func load(
    from path: String, playlists: PlaylistStore, trackCount: Int,
    aggregator expectedAggregator: SequenceAggregator? = nil,
    expecting: SequenceConfig? = nil
  ) throws -> SequenceModel {
    let hint = "train the sequence model again (chorus train --model mean|transformer --save …)"
    var file = try SavedModelFile.open(
      path, magic: fileMagic, version: fileVersion, checksum: .hash64, sections: 5,
      headerCount: 6, hint: hint, as: FileMeta.self)
    let (header, meta) = (file.header, file.meta)
    do {
      try meta.config.validate()
    } catch let e as ChorusError {
      throw e.inFile(path)
    }
    let saved = meta.fingerprint
    let network = SequenceNetwork(aggregator: meta.aggregator, config: meta.config)
    try SavedModelFile.requireConsistentHeader(
      header[0] == UInt64(saved.trackCount) && header[1] == UInt64(meta.config.dim)
        && header[2] == UInt64(network.parameterCount) && header[5] == saved.checksum,
      path: path, hint: hint)
    try SavedModelFile.requireSameData(
      saved, playlists: playlists, trackCount: trackCount, path: path, madeBy: "trained",
      remake: "train the sequence model on this dataset")
    if let expectedAggregator, expectedAggregator != meta.aggregator {
      throw ChorusError(
        .config,
        "saved model is a \(meta.aggregator.rawValue) model, not \(expectedAggregator.rawValue)",
        file: path, field: "model", hint: "load it with --model \(meta.aggregator.rawValue)")
    }
    try SavedModelFile.requireConfig(
      meta.config, expecting: expecting, path: path, madeBy: "trained", remake: "train")
    let n = saved.trackCount
    let table = try file.reader.readSection(
      Float.self, expectedCount: n * meta.config.dim, name: "table")
    let params = try file.reader.readSection(
      Float.self, expectedCount: network.parameterCount, name: "params")
    let frequency = try file.reader.readSection(Int32.self, expectedCount: n, name: "frequency")
    try file.reader.finish()
    try SavedModelFile.requireFrequencies(
      frequency, playlists: playlists, trackCount: trackCount, path: path, hint: hint)
    return SequenceModel(
      aggregator: meta.aggregator, config: meta.config, frequency: frequency,
      fingerprint: saved, table: table, params: params, history: meta.history)
  }
}
