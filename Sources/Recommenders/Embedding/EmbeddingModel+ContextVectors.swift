// The embedding model as a ContextVectorModel: its query is the (recency-weighted) mean of
// the seed's input vectors, and candidates are scored by their output vectors.
import ChorusCore

extension EmbeddingModel: ContextVectorModel {
  /// The output vector of `track`, or nil when it was not seen in training.
  public func candidateVector(_ track: Int32) -> [Float]? {
    guard track >= 0, Int(track) < trackCount, frequency[Int(track)] > 0 else { return nil }
    return outputVector(track)
  }
}
