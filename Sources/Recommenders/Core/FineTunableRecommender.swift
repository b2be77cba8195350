// An explicitly labelled shortcut for models that are otherwise retrained per run: continue
// training an already trained (clean) model on changed playlists for a few epochs instead of
// training from scratch. Not an exact update and not the reference — retraining is; the lab
// uses it only when a study asks for it and records that it did.
import ChorusCore

/// A trained recommender that can continue training on other playlists.
public protocol FineTunableRecommender: Recommender {
  /// A new model: this one's weights trained `epochs` more epochs on `playlists` (ids below
  /// `trackCount`, which may exceed this model's, e.g. by a new target track). This model is
  /// left unchanged. The random streams continue this model's seed, so the result depends
  /// only on the weights, the playlists and `epochs`; `epochs` 0 gives this model's weights
  /// (its candidates follow `playlists`).
  /// - Throws: `ChorusError` when training fails (e.g. diverges).
  func fineTuned(on playlists: PlaylistStore, trackCount: Int, epochs: Int) throws
    -> any Recommender
}
