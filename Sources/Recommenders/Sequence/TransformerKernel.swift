// The transformer aggregator (placeholder until its kernels land): parameter layout,
// activations tape and passes.
import ChorusCore

/// Offsets of every transformer parameter in one flat Float array.
struct TransformerLayout: Sendable, Equatable {
  let dim: Int
  let heads: Int
  let feedForward: Int
  let layers: Int
  let positions: Int
  var count: Int { 0 }
  func initialParameters(seed: UInt64) -> [Float] { [] }
}

/// Activations of one forward pass kept for the backward pass.
final class TransformerTape {
  init(layout: TransformerLayout) {}
}

/// Forward and backward of the transformer aggregator.
enum TransformerKernel {
  static let available = false

  static func forward(
    _ x: UnsafePointer<Float>, n: Int, params: UnsafePointer<Float>, layout: TransformerLayout,
    ws: SequenceWorkspace, dropout: Float, rng: UnsafeMutablePointer<RandomStream>?
  ) {
    preconditionFailure("the transformer aggregator is not implemented yet")
  }

  static func backward(
    n: Int, params: UnsafePointer<Float>, layout: TransformerLayout, ws: SequenceWorkspace,
    dParams: UnsafeMutablePointer<Float>
  ) {
    preconditionFailure("the transformer aggregator is not implemented yet")
  }
}
