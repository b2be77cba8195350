// A tiny sequence-model configuration shared by the model tests (Recommenders) and the runner
// tests (Lab), so both train the same small model.
import Recommenders

/// A sequence-model config that trains on a few hundred playlists in a debug build in well
/// under a second (used by the model tests and by the runner tests that fine-tune).
public func tinySequenceConfig(initialization: SequenceInit = .random, epochs: Int = 2)
  -> SequenceConfig
{
  var c = SequenceConfig()
  c.dim = 8
  c.heads = 2
  c.feedForward = 16
  c.maxSize = 5
  c.epochs = epochs
  c.batchSize = 16
  c.nNeg = 20
  c.nHard = 3
  c.nEasy = 2
  c.learningRate = 0.5
  c.lrStepEpochs = 0
  c.alsIterations = 3
  c.initialization = initialization
  c.verbose = false
  return c
}
