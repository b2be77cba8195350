// Tiny C helpers the Swift code cannot express: a non-blocking cache prefetch.
#ifndef CHORUS_C_SUPPORT_H
#define CHORUS_C_SUPPORT_H

/// Asks the CPU to start loading the cache line holding `p` for reading (no fault, no wait).
static inline void chorus_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

#endif
