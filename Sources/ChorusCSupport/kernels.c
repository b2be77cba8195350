// Kernel level selection (CPU features, CHORUS_KERNELS, explicit setting) and the portable
// kernels: plain C whose products are rounded before each in-order addition (contraction into
// FMA is switched off, so arm64 compilers cannot fuse them either). The portable matrix
// multiply is the twin the vector levels are tested against.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chorus_kernels.h"

#pragma STDC FP_CONTRACT OFF
#pragma clang fp contract(off)

#if defined(__x86_64__)
int chorus_x86_supported(void);
void chorus_sgemm_avx2(
    int transA, int transB, int accumulate, long m, long n, long k, const float *A, long lda,
    const float *B, long ldb, float *C, long ldc);
void chorus_sgemm_avx512(
    int transA, int transB, int accumulate, long m, long n, long k, const float *A, long lda,
    const float *B, long ldb, float *C, long ldc);
void chorus_score_panels_avx2(
    const float *const *queries, long nq, long dim, const float *panels, long panelCount,
    float *scores, long scoreStride);
void chorus_score_panels_avx512(
    const float *const *queries, long nq, long dim, const float *panels, long panelCount,
    float *scores, long scoreStride);
float chorus_panel_dot_fma(const float *query, const float *panels, long position, long dim);
long chorus_first_not_below_avx2(const float *s, long n, float threshold);
long chorus_first_not_below_avx512(const float *s, long n, float threshold);
#endif

int chorus_kernels_supported(void) {
#if defined(__x86_64__)
  static int cached = -1;
  int s = __atomic_load_n(&cached, __ATOMIC_RELAXED);
  if (s < 0) {
    s = chorus_x86_supported();
    __atomic_store_n(&cached, s, __ATOMIC_RELAXED);
  }
  return s;
#else
  return CHORUS_KERNELS_PORTABLE;
#endif
}

int chorus_kernels_environment_level(void) {
  const char *v = getenv("CHORUS_KERNELS");
  if (v == NULL || *v == 0 || strcmp(v, "auto") == 0) return -1;
  if (strcmp(v, "portable") == 0) return CHORUS_KERNELS_PORTABLE;
  if (strcmp(v, "avx2") == 0) return CHORUS_KERNELS_AVX2;
  if (strcmp(v, "avx512") == 0) return CHORUS_KERNELS_AVX512;
  return -2;
}

/// -1 until first use; then the level in effect.
static int current_level = -1;

static int clamp_level(int level) {
  int s = chorus_kernels_supported();
  if (level < CHORUS_KERNELS_PORTABLE) return CHORUS_KERNELS_PORTABLE;
  return level > s ? s : level;
}

int chorus_kernels_level(void) {
  int l = __atomic_load_n(&current_level, __ATOMIC_ACQUIRE);
  if (l >= 0) return l;
  int e = chorus_kernels_environment_level();
  l = e >= 0 ? clamp_level(e) : chorus_kernels_supported();
  int expected = -1;
  if (!__atomic_compare_exchange_n(
          &current_level, &expected, l, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
    l = expected;
  return l;
}

int chorus_kernels_set_level(int level) {
  int l = clamp_level(level);
  __atomic_store_n(&current_level, l, __ATOMIC_RELEASE);
  return l;
}

/// C = A·B or A·Bᵀ (A stored transposed when transA) with every element an in-order sum of
/// separately rounded products; with `accumulate` the finished sum is added to C once.
static void sgemm_portable(
    int transA, int transB, int accumulate, long m, long n, long k, const float *A, long lda,
    const float *B, long ldb, float *C, long ldc) {
  // A's element (i, p): A[i*lda + p], or A[p*lda + i] when transA.
  const long ai = transA ? 1 : lda, ap = transA ? lda : 1;
  float *row = accumulate ? malloc(sizeof(float) * (size_t)n) : NULL;
  if (accumulate && row == NULL) abort();
  if (!transB) {
    for (long i = 0; i < m; i++) {
      float *c = accumulate ? row : C + i * ldc;
      for (long j = 0; j < n; j++) c[j] = 0;
      for (long p = 0; p < k; p++) {
        float a = A[i * ai + p * ap];
        const float *b = B + p * ldb;
        for (long j = 0; j < n; j++) c[j] = c[j] + a * b[j];
      }
      if (accumulate)
        for (long j = 0; j < n; j++) C[i * ldc + j] = C[i * ldc + j] + row[j];
    }
    free(row);
    return;
  }
  // Bᵀ in blocks of 64 columns of C: pack the block's rows of B transposed, then add rows.
  enum { NB = 64 };
  float *bt = malloc(sizeof(float) * (size_t)(k > 0 ? k : 1) * NB);
  if (bt == NULL) abort();
  for (long j0 = 0; j0 < n; j0 += NB) {
    long nb = n - j0 < NB ? n - j0 : NB;
    for (long jj = 0; jj < nb; jj++)
      for (long p = 0; p < k; p++) bt[p * nb + jj] = B[(j0 + jj) * ldb + p];
    for (long i = 0; i < m; i++) {
      float *c = accumulate ? row : C + i * ldc + j0;
      for (long jj = 0; jj < nb; jj++) c[jj] = 0;
      for (long p = 0; p < k; p++) {
        float a = A[i * ai + p * ap];
        const float *b = bt + p * nb;
        for (long jj = 0; jj < nb; jj++) c[jj] = c[jj] + a * b[jj];
      }
      if (accumulate)
        for (long jj = 0; jj < nb; jj++) C[i * ldc + j0 + jj] = C[i * ldc + j0 + jj] + row[jj];
    }
  }
  free(bt);
  free(row);
}

void chorus_sgemm(
    int level, int transB, long m, long n, long k, const float *A, long lda, const float *B,
    long ldb, float *C, long ldc) {
  chorus_sgemm_ex(level, 0, transB, 0, m, n, k, A, lda, B, ldb, C, ldc);
}

void chorus_sgemm_ex(
    int level, int transA, int transB, int accumulate, long m, long n, long k, const float *A,
    long lda, const float *B, long ldb, float *C, long ldc) {
  if (m <= 0 || n <= 0) return;
  level = clamp_level(level);
#if defined(__x86_64__)
  if (level == CHORUS_KERNELS_AVX512) {
    chorus_sgemm_avx512(transA, transB, accumulate, m, n, k, A, lda, B, ldb, C, ldc);
    return;
  }
  if (level == CHORUS_KERNELS_AVX2) {
    chorus_sgemm_avx2(transA, transB, accumulate, m, n, k, A, lda, B, ldb, C, ldc);
    return;
  }
#endif
  sgemm_portable(transA, transB, accumulate, m, n, k, A, lda, B, ldb, C, ldc);
}

void chorus_score_panels(
    int level, const float *const *queries, long nq, long dim, const float *panels,
    long panelCount, float *scores, long scoreStride) {
  level = clamp_level(level);
#if defined(__x86_64__)
  if (level == CHORUS_KERNELS_AVX512) {
    chorus_score_panels_avx512(queries, nq, dim, panels, panelCount, scores, scoreStride);
    return;
  }
  if (level == CHORUS_KERNELS_AVX2) {
    chorus_score_panels_avx2(queries, nq, dim, panels, panelCount, scores, scoreStride);
    return;
  }
#endif
  // Not reached from Swift (the portable search is Swift's); a fused scalar fallback keeps
  // the documented result.
  for (long r = 0; r < nq; r++)
    for (long j = 0; j < panelCount * 8; j++)
      scores[r * scoreStride + j] = chorus_panel_dot_fused(queries[r], panels, j, dim);
}

float chorus_panel_dot_fused(const float *query, const float *panels, long position, long dim) {
#if defined(__x86_64__)
  if (chorus_kernels_supported() >= CHORUS_KERNELS_AVX2)
    return chorus_panel_dot_fma(query, panels, position, dim);
#endif
  const float *v = panels + (position >> 3) * dim * 8 + (position & 7);
  float s = 0;
  for (long d = 0; d < dim; d++) s = fmaf(query[d], v[d * 8], s);
  return s;
}

long chorus_first_not_below(const float *s, long n, float threshold) {
#if defined(__x86_64__)
  int level = chorus_kernels_supported();
  if (level == CHORUS_KERNELS_AVX512) return chorus_first_not_below_avx512(s, n, threshold);
  if (level == CHORUS_KERNELS_AVX2) return chorus_first_not_below_avx2(s, n, threshold);
#endif
  for (long i = 0; i < n; i++)
    if (!(s[i] < threshold)) return i;
  return n;
}
