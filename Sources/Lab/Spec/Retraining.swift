// How a run obtains the model with the collective when the model has no exact update: retrain
// from scratch (the reference, the default) or, as an explicitly labelled option, fine-tune
// the fold's clean model for a few epochs on the planted training data. The spec key
// `retraining` is written to the resolved spec (and so to the manifest) only when it is not
// the default, and fine-tuned runs say so in their records.
import ChorusCore
import Foundation
import Recommenders

/// The spec's `retraining` setting.
public enum Retraining: Sendable, Equatable, Encodable {
  /// Train the model from scratch on the planted training data with the fold's seed.
  case retrain
  /// Continue the fold's clean model for `epochs` epochs on the planted training data
  /// (`FineTunableRecommender`; the sequence models), new tracks (s*) starting as
  /// `newTracks` says.
  case fineTune(epochs: Int, newTracks: NewTrackStart = .foldIn)

  /// The keys of the spec's `retraining` object.
  static let keys = ["mode", "epochs", "newTracks"]
  /// The modes, as the spec writes them.
  static let modes = ["retrain", "fine-tune"]
  /// Fine-tuning epochs a spec may ask for.
  static let epochLimit = 0...10_000

  /// Decodes `{"mode": "retrain"}` or `{"mode": "fine-tune", "epochs": E}` with an optional
  /// `"newTracks": "fold-in"` (the default) or `"zero"`.
  /// - Throws: `ChorusError(.config)` naming `retraining.mode`, `.epochs` or `.newTracks`.
  static func decode(_ o: [String: Any]) throws -> Retraining {
    try SpecFields.checkKeys(o, allowed: keys, context: "retraining", prefix: "retraining.")
    func value(_ key: String) -> Any? {
      guard let v = o[key], !(v is NSNull) else { return nil }
      return v
    }
    let mode = try value("mode").map { try SpecFields.text($0, "retraining.mode") } ?? "retrain"
    let epochs = try value("epochs").map {
      try SpecFields.integer($0, "retraining.epochs", in: epochLimit)
    }
    let newTracks = try value("newTracks").map { v -> NewTrackStart in
      let name = try SpecFields.text(v, "retraining.newTracks")
      guard let start = NewTrackStart(rawValue: name.lowercased()) else {
        throw ChorusError(
          .config, "unknown newTracks '\(name)'", field: "retraining.newTracks",
          hint: "valid: \(NewTrackStart.allCases.map(\.rawValue).joined(separator: ", "))")
      }
      return start
    }
    switch mode.lowercased() {
    case "retrain":
      guard newTracks == nil else {
        throw ChorusError(
          .config, "'retraining.newTracks' applies only to mode fine-tune",
          field: "retraining.newTracks", hint: "remove it, or set retraining.mode to fine-tune")
      }
      guard epochs == nil else {
        throw ChorusError(
          .config, "'retraining.epochs' applies only to mode fine-tune",
          field: "retraining.epochs", hint: "remove it, or set retraining.mode to fine-tune")
      }
      return .retrain
    case "fine-tune", "finetune":
      guard let epochs else {
        throw ChorusError(
          .config, "mode fine-tune needs 'retraining.epochs'", field: "retraining.epochs",
          hint: "give the epochs to train the clean model on the planted data, e.g. 1 or 2")
      }
      return .fineTune(epochs: epochs, newTracks: newTracks ?? .foldIn)
    default:
      throw ChorusError(
        .config, "unknown retraining mode '\(mode)'", field: "retraining.mode",
        hint: "valid modes: \(modes.joined(separator: ", "))")
    }
  }

  /// Checks the setting against the spec's model: only fine-tunable models fine-tune.
  /// - Throws: `ChorusError(.config)` naming `retraining.mode` or `retraining.epochs`.
  func validate(model: ModelSpec) throws {
    guard case .fineTune(let epochs, _) = self else { return }
    guard Retraining.epochLimit.contains(epochs) else {
      throw ChorusError(
        .config,
        "'retraining.epochs' must be a whole number from 0 to \(Retraining.epochLimit.upperBound), got \(epochs)",
        field: "retraining.epochs")
    }
    guard model.canFineTune else {
      throw ChorusError(
        .config, "the \(model.name) model cannot be fine-tuned", field: "retraining.mode",
        hint:
          "fine-tuning is available for the mean and transformer models; remove 'retraining' to use the reference (retraining, or the model's exact update)"
      )
    }
  }

  /// The run record's label: nil when retraining (records stay as they were), else
  /// "fine-tune:E:<newTracks>".
  var recordLabel: String? {
    switch self {
    case .retrain: return nil
    case .fineTune(let epochs, let start): return "fine-tune:\(epochs):\(start.rawValue)"
    }
  }

  /// The model with the collective: `spec` trained on `playlists` with the fold's `seed`,
  /// or the fold's `clean` model fine-tuned on them.
  func model(
    clean: any Recommender, spec: ModelSpec, playlists: PlaylistStore, trackCount: Int,
    seed: UInt64
  ) throws -> any Recommender {
    switch self {
    case .retrain:
      return try spec.train(playlists: playlists, trackCount: trackCount, seed: seed)
    case .fineTune(let epochs, let newTracks):
      guard let tunable = clean as? any FineTunableRecommender else {
        throw ChorusError(
          .config, "the \(spec.name) model cannot be fine-tuned", field: "retraining.mode",
          hint: "remove 'retraining' to retrain per run")
      }
      return try tunable.fineTuned(
        on: playlists, trackCount: trackCount, epochs: epochs, newTracks: newTracks)
    }
  }

  enum CodingKeys: String, CodingKey { case mode, epochs, newTracks }

  /// `{"mode": "retrain"}` or `{"epochs": E, "mode": "fine-tune", "newTracks": …}`.
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    switch self {
    case .retrain: try c.encode("retrain", forKey: .mode)
    case .fineTune(let epochs, let newTracks):
      try c.encode("fine-tune", forKey: .mode)
      try c.encode(epochs, forKey: .epochs)
      try c.encode(newTracks.rawValue, forKey: .newTracks)
    }
  }
}
