// The pair loop of skip-gram negative sampling for one position (every context pair of one
// center track), in C so that it can be compiled twice: for the baseline target and, on
// x86-64, with AVX2 (256-bit registers, no FMA). Both instances do the Swift kernel's
// arithmetic lane for lane and in the same order (8-lane vectors, two dot accumulators, the
// same horizontal sum, products rounded before each addition), so every instance gives the
// same bits as SGNSKernel's Swift loop, which stays the plain twin they are tested against.
#ifndef CHORUS_SGNS_H
#define CHORUS_SGNS_H

#include <stdint.h>

/// Where a position's deferred negative updates go (`deferredNegatives`); the caller makes
/// room for pairs × negatives updates and pairs centers before the call.
typedef struct {
  int32_t *tracks;
  float *scales;
  int32_t *owners;
  float *centers;
  /// Updates and centers stored so far; advanced by the call.
  long count;
  long centerCount;
} ChorusSGNSLog;

/// One position: `pairs` groups of `group` targets (the positive first, then the negatives;
/// a target < 0 is skipped), their output rows in `targetRows`, all `blocks` × 8 floats.
typedef struct {
  /// The center h the targets are scored against; gets each pair's gradient after the pair
  /// (without a bucket row), or is the mean (own + bucket) / 2 kept up to date (with one).
  float *center;
  /// With the popularity feature: the track's own input row and its bucket's row, each
  /// getting half the gradient; NULL without it.
  float *own;
  float *bucket;
  const int32_t *targets;
  float *const *targetRows;
  long pairs;
  long group;
  long blocks;
  /// Scratch row for the gradient.
  float *gradient;
  const float *sigmoid;
  long tableLast;
  float tableScale;
  float maxExp;
  float alpha;
  /// A target scored outside the table gets no update (gensim).
  int skipSaturated;
  /// Negatives' updates go to `log` instead of their rows.
  int deferNegatives;
  ChorusSGNSLog log;
} ChorusSGNSPosition;

/// Trains the position with the best instance `level` allows (CHORUS_KERNELS_AVX2 or higher:
/// the AVX2 instance on x86-64; otherwise the baseline instance). Same bits at every level.
void chorus_sgns_position(int level, ChorusSGNSPosition *p);

#endif
