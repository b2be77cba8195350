// The SGNS pair loop (chorus_sgns.h), written once with 8-lane vector types and compiled as
// two functions: one for the baseline target, one with AVX2 on x86-64. Contraction into FMA is
// switched off, so each product is rounded before it is added, as in the Swift kernel.
#include <string.h>

#include "chorus_kernels.h"
#include "chorus_sgns.h"

#pragma STDC FP_CONTRACT OFF
#pragma clang fp contract(off)

typedef float v8 __attribute__((vector_size(32)));
typedef float v8u __attribute__((vector_size(32), aligned(4)));
typedef float v4 __attribute__((vector_size(16)));

#define INL __attribute__((always_inline)) static inline

// Macros rather than functions: no vector crosses a call boundary (whose ABI would differ
// between the two instances).
#define load8(p) (*(const v8u *)(p))
#define store8(p, v) (*(v8u *)(p) = (v))
#define splat8(x) ((v8){(x), (x), (x), (x), (x), (x), (x), (x)})

/// a · b with two accumulators (even and odd blocks), then lanes i and i + 4 added, then
/// (h0 + h2) + (h1 + h3): SGNSKernel.dot's order.
INL float dot8(const float *a, const float *b, long blocks) {
  v8 acc0 = splat8(0), acc1 = splat8(0);
  long i = 0;
  for (; i + 1 < blocks; i += 2) {
    long o = i * 8;
    acc0 += load8(a + o) * load8(b + o);
    acc1 += load8(a + o + 8) * load8(b + o + 8);
  }
  if (i < blocks) acc0 += load8(a + i * 8) * load8(b + i * 8);
  v8 s = acc0 + acc1;
  v4 h = __builtin_shufflevector(s, s, 0, 1, 2, 3) + __builtin_shufflevector(s, s, 4, 5, 6, 7);
  return (h[0] + h[2]) + (h[1] + h[3]);
}

INL void sgns_position(ChorusSGNSPosition *p) {
  const long blocks = p->blocks, group = p->group, stride = blocks * 8;
  float *const center = p->center;
  float *const gradient = p->gradient;
  const float maxExp = p->maxExp, tableScale = p->tableScale, alpha = p->alpha;
  const int skip = p->skipSaturated, defer = p->deferNegatives;
  long count = p->log.count, centerCount = p->log.centerCount;
  for (long pair = 0; pair < p->pairs; pair++) {
    const int32_t *slot = p->targets + pair * group;
    float *const *slotRows = p->targetRows + pair * group;
    for (long i = 0; i < blocks; i++) store8(gradient + i * 8, splat8(0));
    int stored = 0;
    for (long d = 0; d < group; d++) {
      if (slot[d] < 0) continue;
      const float label = d == 0 ? 1.0f : 0.0f;
      float *out = slotRows[d];
      const float f = dot8(center, out, blocks);
      float g;
      if (f < maxExp && f > -maxExp) {
        long idx = (long)((f + maxExp) * tableScale);
        if (idx > p->tableLast) idx = p->tableLast;
        g = (label - p->sigmoid[idx]) * alpha;
      } else if (skip) {
        continue;
      } else if (f >= maxExp) {
        g = (label - 1.0f) * alpha;
      } else {
        g = label * alpha;
      }
      const v8 gv = splat8(g);
      if (defer && d > 0) {
        for (long i = 0; i < blocks; i++) {
          long o = i * 8;
          store8(gradient + o, load8(gradient + o) + gv * load8(out + o));
        }
        if (!stored) {
          memcpy(p->log.centers + centerCount * stride, center, sizeof(float) * (size_t)stride);
          centerCount++;
          stored = 1;
        }
        p->log.tracks[count] = slot[d];
        p->log.scales[count] = g;
        p->log.owners[count] = (int32_t)(centerCount - 1);
        count++;
      } else {
        for (long i = 0; i < blocks; i++) {
          long o = i * 8;
          v8 ov = load8(out + o);
          store8(gradient + o, load8(gradient + o) + gv * ov);
          store8(out + o, ov + gv * load8(center + o));
        }
      }
    }
    if (p->bucket) {
      const v8 half = splat8(0.5f);
      for (long i = 0; i < blocks; i++) {
        long o = i * 8;
        v8 dv = load8(gradient + o) * half;
        v8 av = load8(p->own + o) + dv;
        v8 bv = load8(p->bucket + o) + dv;
        store8(p->own + o, av);
        store8(p->bucket + o, bv);
        store8(center + o, (av + bv) * half);
      }
    } else {
      for (long i = 0; i < blocks; i++) {
        long o = i * 8;
        store8(center + o, load8(center + o) + load8(gradient + o));
      }
    }
  }
  p->log.count = count;
  p->log.centerCount = centerCount;
}

static void sgns_position_baseline(ChorusSGNSPosition *p) { sgns_position(p); }

#if defined(__x86_64__)
__attribute__((target("avx2"))) static void sgns_position_avx2(ChorusSGNSPosition *p) {
  sgns_position(p);
}
#endif

void chorus_sgns_position(int level, ChorusSGNSPosition *p) {
#if defined(__x86_64__)
  if (level >= CHORUS_KERNELS_AVX2 && chorus_kernels_supported() >= CHORUS_KERNELS_AVX2) {
    sgns_position_avx2(p);
    return;
  }
#endif
  (void)level;
  sgns_position_baseline(p);
}
