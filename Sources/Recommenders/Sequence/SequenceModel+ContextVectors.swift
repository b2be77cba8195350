// The sequence model as a ContextVectorModel: its query is the aggregator's output after the
// seed (`contextVector`), and a candidate is scored by its row of the trained embedding
// table, so the appendix measure "similarity of s* to the targeted contexts" runs for it too.
import ChorusCore

extension SequenceModel: ContextVectorModel {
  /// The embedding row of `track`, or nil when it was not seen in training.
  public func candidateVector(_ track: Int32) -> [Float]? {
    guard track >= 0, Int(track) < trackCount, frequency[Int(track)] > 0 else { return nil }
    return index.inputVector(Int(track))
  }
}
