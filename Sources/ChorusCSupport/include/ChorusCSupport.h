// Tiny C helpers the Swift code cannot express: a non-blocking cache prefetch, and the
// vector kernels with run-time CPU dispatch (chorus_kernels.h).
#ifndef CHORUS_C_SUPPORT_H
#define CHORUS_C_SUPPORT_H

#include "chorus_kernels.h"
#include "chorus_sgns.h"

/// Asks the CPU to start loading the cache line holding `p` for reading (no fault, no wait).
static inline void chorus_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

/// Same for a line about to be written: on x86-64 PREFETCHW, which fetches the line ready to
/// be modified (no second request when the store comes). Written as assembly because the
/// baseline target lacks the feature flag; CPUs without the instruction run it as a no-op
/// (it is in the 0F 0D prefetch group). Elsewhere the compiler's write prefetch.
static inline void chorus_prefetch_write(const void *p) {
#if defined(__x86_64__)
  __asm__ volatile("prefetchw %0" : : "m"(*(const char *)p));
#else
  __builtin_prefetch(p, 1, 3);
#endif
}

#endif
