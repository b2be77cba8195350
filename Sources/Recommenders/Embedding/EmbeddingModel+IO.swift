// Saving and loading trained embedding vectors ("CHORUSEM" container, BinaryWriter/Reader):
// a header of counts, the config and training stats as JSON, then the input and output
// matrices by track id. A fingerprint of the training playlists is stored and checked on
// load, so vectors are never silently used with data they were not trained on.
import ChorusCore
import Foundation

/// Identifies a training dataset: its sizes and a checksum of its CSR arrays.
public struct DatasetFingerprint: Codable, Sendable, Equatable, CustomStringConvertible {
  /// Catalogue size the model was trained for.
  public var trackCount: Int
  /// Training playlists.
  public var playlistCount: Int
  /// Training entries (sum of playlist lengths).
  public var entryCount: Int
  /// Checksum64 of the offsets and the tracks (zero-padded to 8 bytes).
  public var checksum: UInt64

  /// A fingerprint from its parts (tests, models built from imported vectors).
  public init(trackCount: Int, playlistCount: Int, entryCount: Int, checksum: UInt64) {
    self.trackCount = trackCount
    self.playlistCount = playlistCount
    self.entryCount = entryCount
    self.checksum = checksum
  }

  /// The fingerprint of `playlists` over a catalogue of `trackCount` tracks.
  /// - Complexity: O(entries + playlists).
  public init(playlists: PlaylistStore, trackCount: Int) {
    var sum = Checksum64()
    playlists.offsets.withUnsafeBytes { sum.add($0) }
    playlists.tracks.withUnsafeBytes { raw in
      let whole = raw.count & ~7
      sum.add(UnsafeRawBufferPointer(rebasing: raw[0..<whole]))
      if whole < raw.count {
        var tail: UInt64 = 0
        withUnsafeMutableBytes(of: &tail) { t in
          t.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[whole...]))
        }
        withUnsafeBytes(of: &tail) { sum.add($0) }
      }
    }
    self.init(
      trackCount: trackCount, playlistCount: playlists.count, entryCount: playlists.entryCount,
      checksum: sum.value)
  }

  /// "N playlists, M entries, T tracks, checksum …".
  public var description: String {
    "\(playlistCount) playlists, \(entryCount) entries, \(trackCount) tracks, checksum "
      + String(checksum, radix: 16)
  }
}

extension EmbeddingModel {
  /// File magic of saved embedding models.
  public static let fileMagic = "CHORUSEM"
  /// Format version written by `save(to:)`.
  public static let fileVersion: UInt32 = 1

  /// What the JSON section of a saved model holds.
  private struct FileMeta: Codable {
    var config: EmbeddingConfig
    var stats: EmbeddingTrainingStats
    var fingerprint: DatasetFingerprint
  }

  /// Writes the model to `path` atomically.
  ///
  /// Sections: (1) UInt64 header [trackCount, dim, playlistCount, entryCount, checksum];
  /// (2) UTF-8 JSON {config, stats, fingerprint}; (3) input and (4) output vectors,
  /// row-major trackCount × dim Float32 by track id; (5) Int32 frequency per track.
  /// - Complexity: O(trackCount × dim); a temporary copy of each matrix.
  public func save(to path: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let meta = try encoder.encode(FileMeta(config: config, stats: stats, fingerprint: fingerprint))
    let header: [UInt64] = [
      UInt64(trackCount), UInt64(dim), UInt64(fingerprint.playlistCount),
      UInt64(fingerprint.entryCount), fingerprint.checksum,
    ]
    try FileIO.writeAtomically(to: path) { handle in
      var w = try BinaryWriter(
        handle: handle, magic: EmbeddingModel.fileMagic, version: EmbeddingModel.fileVersion,
        sections: 5)
      try w.writeSection(header)
      try w.writeSection([UInt8](meta))
      try w.writeSection(inputMatrix)
      try w.writeSection(outputMatrix)
      try w.writeSection(frequency)
      try w.finish()
    }
  }

  /// Loads a model saved by `save(to:)` and checks that it was trained on `playlists`.
  ///
  /// - Parameter expecting: when given, the saved config must equal it.
  /// - Throws: `ChorusError(.data)` for a corrupt file or one trained on other data,
  ///   `ChorusError(.config)` when the config differs from `expecting`.
  /// - Complexity: O(file size + entries).
  public static func load(
    from path: String, playlists: PlaylistStore, trackCount: Int,
    expecting: EmbeddingConfig? = nil
  ) throws -> EmbeddingModel {
    let hint = "retrain the embedding model and save it again"
    var file = try SavedModelFile.open(
      path, magic: fileMagic, version: fileVersion, checksum: .fletcher64, sections: 5,
      headerCount: 5, hint: hint, as: FileMeta.self)
    let (header, meta) = (file.header, file.meta)
    let saved = meta.fingerprint
    try SavedModelFile.requireConsistentHeader(
      header[0] == UInt64(saved.trackCount) && header[1] == UInt64(meta.config.dim)
        && header[4] == saved.checksum, path: path, hint: hint)
    try SavedModelFile.requireSameData(
      saved, playlists: playlists, trackCount: trackCount, path: path, madeBy: "trained",
      remake: "retrain the embedding model on this dataset")
    try SavedModelFile.requireConfig(
      meta.config, expecting: expecting, path: path, madeBy: "trained", remake: "retrain")
    do {
      try meta.config.validate()
    } catch let e as ChorusError {
      throw e.inFile(path)
    }
    let n = saved.trackCount
    let dim = meta.config.dim
    let input = try file.reader.readSection(Float.self, expectedCount: n * dim, name: "input")
    let output = try file.reader.readSection(Float.self, expectedCount: n * dim, name: "output")
    let frequency = try file.reader.readSection(Int32.self, expectedCount: n, name: "frequency")
    try SavedModelFile.requireFrequencies(
      frequency, playlists: playlists, trackCount: trackCount, path: path, hint: hint)
    return EmbeddingModel(
      config: meta.config, frequency: frequency, fingerprint: saved, stats: meta.stats,
      input: input, output: output)
  }
}
