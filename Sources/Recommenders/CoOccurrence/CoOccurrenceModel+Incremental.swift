// The co-occurrence model as an IncrementalRecommender: the exact update of
// CoOccurrenceModel+Update.swift, with the rows it touched as the changed tracks (a context's
// scores are sums over its own tracks' rows, so only contexts holding one of them can change).
import ChorusCore

extension CoOccurrenceModel: IncrementalRecommender {
  public func updating(old: PlaylistStore, new: PlaylistStore, trackCount: Int)
    -> IncrementalUpdate
  {
    let model = updated(old: old, new: new, trackCount: trackCount)
    return IncrementalUpdate(
      model: model, changedTracks: Set(model.overlay.map { Array($0.rows.keys) } ?? []))
  }
}
