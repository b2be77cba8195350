// Tiny C helpers the Swift code cannot express: a non-blocking cache prefetch, and the
// vector kernels with run-time CPU dispatch (chorus_kernels.h).
#ifndef CHORUS_C_SUPPORT_H
#define CHORUS_C_SUPPORT_H

#include "chorus_kernels.h"

/// Asks the CPU to start loading the cache line holding `p` for reading (no fault, no wait).
static inline void chorus_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

#endif
