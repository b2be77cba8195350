// Saving and loading trained ALS models ("CHORUSAL" container, BinaryWriter/Reader with the
// content hash): a header of counts, the config and dataset fingerprint as JSON, then the
// track factors by id and the track frequencies. The fingerprint is checked on load, so
// factors are never silently used with playlists they were not fitted on.
import ChorusCore
import Foundation

extension ALSModel {
  /// File magic of saved ALS models.
  public static let fileMagic = "CHORUSAL"
  /// Format version written by `save(to:)`.
  public static let fileVersion: UInt32 = 1

  /// What the JSON section of a saved model holds.
  private struct FileMeta: Codable {
    var config: ALSConfig
    var fingerprint: DatasetFingerprint
  }

  /// Writes the model to `path` atomically.
  ///
  /// Sections: (1) UInt64 header [trackCount, factors, playlistCount, entryCount, checksum];
  /// (2) UTF-8 JSON {config, fingerprint}; (3) track factors, row-major trackCount × factors
  /// Float32 by track id; (4) Int32 frequency per track.
  /// - Complexity: O(trackCount × factors); a temporary copy of the factors.
  public func save(to path: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let meta = try encoder.encode(FileMeta(config: config, fingerprint: fingerprint))
    let header: [UInt64] = [
      UInt64(trackCount), UInt64(config.factors), UInt64(fingerprint.playlistCount),
      UInt64(fingerprint.entryCount), fingerprint.checksum,
    ]
    let factors = itemFactors
    try FileIO.writeAtomically(to: path) { handle in
      var w = try BinaryWriter(
        handle: handle, magic: ALSModel.fileMagic, version: ALSModel.fileVersion, sections: 4,
        checksum: .hash64)
      try w.writeSection(header)
      try w.writeSection([UInt8](meta))
      try w.writeSection(factors)
      try w.writeSection(frequency)
      try w.finish()
    }
  }

  /// Loads a model saved by `save(to:)` and checks that it was fitted on `playlists`.
  ///
  /// - Parameter expecting: when given, the saved config must equal it.
  /// - Throws: `ChorusError(.data)` for a corrupt file or one fitted on other data,
  ///   `ChorusError(.config)` when the config differs from `expecting`.
  /// - Complexity: O(file size + entries).
  public static func load(
    from path: String, playlists: PlaylistStore, trackCount: Int, expecting: ALSConfig? = nil
  ) throws -> ALSModel {
    let hint = "fit the ALS model again (chorus train --model als --save …)"
    var file = try SavedModelFile.open(
      path, magic: fileMagic, version: fileVersion, checksum: .hash64, sections: 4,
      headerCount: 5, hint: hint, as: FileMeta.self)
    let (header, meta) = (file.header, file.meta)
    let saved = meta.fingerprint
    try SavedModelFile.requireConsistentHeader(
      header[0] == UInt64(saved.trackCount) && header[1] == UInt64(meta.config.factors)
        && header[4] == saved.checksum, path: path, hint: hint)
    try SavedModelFile.requireSameData(
      saved, playlists: playlists, trackCount: trackCount, path: path, madeBy: "fitted",
      remake: "fit the ALS model on this dataset")
    try SavedModelFile.requireConfig(
      meta.config, expecting: expecting, path: path, madeBy: "fitted", remake: "fit")
    do {
      try meta.config.validate()
    } catch let e as ChorusError {
      throw e.inFile(path)
    }
    let n = saved.trackCount
    let factors = try file.reader.readSection(
      Float.self, expectedCount: n * meta.config.factors, name: "factors")
    let frequency = try file.reader.readSection(Int32.self, expectedCount: n, name: "frequency")
    try file.reader.finish()
    try SavedModelFile.requireFrequencies(
      frequency, playlists: playlists, trackCount: trackCount, path: path, hint: hint)
    return ALSModel(
      config: meta.config, frequency: frequency, fingerprint: saved, itemFactors: factors)
  }
}
