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
    let data = try FileIO.read(path)
    var r = try BinaryReader(
      data: data, path: path, magic: fileMagic, supportedVersions: 1...fileVersion, hint: hint,
      checksum: .hash64)
    guard r.sectionCount == 4 else {
      throw ChorusError(
        .data, "expected 4 sections, found \(r.sectionCount)", file: path, hint: hint)
    }
    let header = try r.readSection(UInt64.self, expectedCount: 5, name: "header")
    let metaBytes = try r.readSection(UInt8.self, name: "meta")
    let meta: FileMeta
    do {
      meta = try JSONDecoder().decode(FileMeta.self, from: Data(metaBytes))
    } catch {
      throw ChorusError(.data, "unreadable model settings: \(error)", file: path, hint: hint)
    }
    let saved = meta.fingerprint
    guard header[0] == UInt64(saved.trackCount), header[1] == UInt64(meta.config.factors),
      header[4] == saved.checksum
    else {
      throw ChorusError(
        .data, "header and settings disagree: the file is corrupt", file: path, hint: hint)
    }
    let current = DatasetFingerprint(playlists: playlists, trackCount: trackCount)
    guard saved == current else {
      throw ChorusError(
        .data,
        "saved model does not match the dataset (fitted on \(saved); this dataset has \(current))",
        file: path, hint: "fit the ALS model on this dataset")
    }
    if let expecting, expecting != meta.config {
      throw ChorusError(
        .config, "saved model was fitted with a different config", file: path,
        hint: "fit with the requested config, or load without one")
    }
    do {
      try meta.config.validate()
    } catch let e as ChorusError {
      throw e.inFile(path)
    }
    let n = saved.trackCount
    let factors = try r.readSection(
      Float.self, expectedCount: n * meta.config.factors, name: "factors")
    let frequency = try r.readSection(Int32.self, expectedCount: n, name: "frequency")
    try r.finish()
    guard frequency == trackFrequencies(playlists, trackCount: trackCount) else {
      throw ChorusError(.data, "saved frequencies do not match the dataset", file: path, hint: hint)
    }
    return ALSModel(
      config: meta.config, frequency: frequency, fingerprint: saved, itemFactors: factors)
  }
}
