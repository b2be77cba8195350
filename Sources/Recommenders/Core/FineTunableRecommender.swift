// An explicitly labelled shortcut for models that are otherwise retrained per run: continue
// training an already trained (clean) model on changed playlists for a few epochs instead of
// training from scratch. Not an exact update and not the reference — retraining is; the lab
// uses it only when a study asks for it and records that it did.
import ChorusCore

/// Where the rows of tracks new to a fine-tuned model (such as a planted target) start.
public enum NewTrackStart: String, Sendable, Equatable, Codable, CaseIterable {
  /// Their implicit-ALS fold-in: playlist factors solved given the model's track vectors,
  /// then the new tracks' factors given those playlist factors — about where an
  /// ALS-initialised retraining would start them.
  case foldIn = "fold-in"
  /// At zero (the vector ALS gives a track in no playlist).
  case zero
}

/// A trained recommender that can continue training on other playlists.
public protocol FineTunableRecommender: Recommender {
  /// A new model: this one's weights trained `epochs` more epochs on `playlists` (ids below
  /// `trackCount`, which may exceed this model's, e.g. by a new target track, whose row
  /// starts as `newTracks` says). This model is left unchanged. The random streams continue
  /// this model's seed, so the result depends only on the weights, the playlists, `epochs`
  /// and `newTracks`; `epochs` 0 gives this model's weights for its own tracks (its
  /// candidates follow `playlists`).
  /// - Throws: `ChorusError` when training fails (e.g. diverges).
  func fineTuned(
    on playlists: PlaylistStore, trackCount: Int, epochs: Int, newTracks: NewTrackStart
  ) throws -> any Recommender
}
