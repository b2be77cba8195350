// An optional view into vector models: the query vector a model builds from a seed context
// and the vector it scores a candidate track by. Models without vectors (co-occurrence,
// popularity) do not conform; measures that need vectors (the similarity of s* to the
// targeted contexts) run only for models that do.
import ChorusCore

/// A recommender that scores a candidate by a dot product of a context's query vector and the
/// candidate's own vector.
public protocol ContextVectorModel: Recommender {
  /// The query vector of `context`, or nil when the model knows none of its tracks.
  func contextVector(_ context: [Int32]) -> [Float]?
  /// The vector candidate `track` is scored by, or nil when it is not a candidate (unseen in
  /// training).
  func candidateVector(_ track: Int32) -> [Float]?
}
