// The x86-64 vector levels: AVX2+FMA and AVX-512 bodies compiled with target attributes (the
// rest of the binary stays baseline x86-64) and called only when the CPU has the features.
// Register-tiled: each output is one fused multiply-add chain over the inner index in order,
// so the tile shape, the level (AVX2 or AVX-512) and the thread count never change a bit.
#include "chorus_kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <stdlib.h>
#include <string.h>

#define T2 __attribute__((target("avx2,fma")))
#define T512 __attribute__((target("avx2,fma,avx512f,avx512vl,avx512dq")))
#define INL __attribute__((always_inline)) static inline

int chorus_x86_supported(void) {
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma"))
    return CHORUS_KERNELS_PORTABLE;
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")
      && __builtin_cpu_supports("avx512dq"))
    return CHORUS_KERNELS_AVX512;
  return CHORUS_KERNELS_AVX2;
}

T2 float chorus_panel_dot_fma(const float *query, const float *panels, long position, long dim) {
  const float *v = panels + (position >> 3) * dim * 8 + (position & 7);
  float s = 0;
  for (long d = 0; d < dim; d++) s = __builtin_fmaf(query[d], v[d * 8], s);
  return s;
}

T2 long chorus_first_not_below_avx2(const float *s, long n, float threshold) {
  __m256 t = _mm256_set1_ps(threshold);
  long i = 0;
  for (; i + 8 <= n; i += 8) {
    int mask = _mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(s + i), t, _CMP_NLT_UQ));
    if (mask) return i + __builtin_ctz((unsigned)mask);
  }
  for (; i < n; i++)
    if (!(s[i] < threshold)) return i;
  return n;
}

T512 long chorus_first_not_below_avx512(const float *s, long n, float threshold) {
  __m512 t = _mm512_set1_ps(threshold);
  long i = 0;
  for (; i + 16 <= n; i += 16) {
    __mmask16 mask = _mm512_cmp_ps_mask(_mm512_loadu_ps(s + i), t, _CMP_NLT_UQ);
    if (mask) return i + __builtin_ctz((unsigned)mask);
  }
  if (i < n) {
    __mmask16 tail = (__mmask16)((1u << (n - i)) - 1);
    __mmask16 mask =
        _mm512_mask_cmp_ps_mask(tail, _mm512_maskz_loadu_ps(tail, s + i), t, _CMP_NLT_UQ);
    if (mask) return i + __builtin_ctz((unsigned)mask);
  }
  return n;
}

// MARK: - Matrix multiply

/// Packs columns j0..j0+nr of B (as the k×n operand) into buf[p*NR + jj], zero-padded to NR.
static void pack_b(
    int transB, long k, long j0, long nr, long NR, const float *B, long ldb, float *buf) {
  if (!transB) {
    for (long p = 0; p < k; p++) {
      const float *b = B + p * ldb + j0;
      float *o = buf + p * NR;
      memcpy(o, b, sizeof(float) * (size_t)nr);
      for (long jj = nr; jj < NR; jj++) o[jj] = 0;
    }
  } else {
    // B is n×k: column p of the panel is B[(j0+jj)*ldb + p] over its nr rows. Blocks of 8
    // inner indices: each row's 8 values are read contiguously and written to 8 rows of the
    // panel (reads and writes stay within a few cache lines; no scatter).
    long p0 = 0;
    for (; p0 + 8 <= k; p0 += 8) {
      float *o = buf + p0 * NR;
      for (long jj = 0; jj < nr; jj++) {
        const float *b = B + (j0 + jj) * ldb + p0;
        for (int q = 0; q < 8; q++) o[q * NR + jj] = b[q];
      }
      for (int q = 0; q < 8; q++)
        for (long jj = nr; jj < NR; jj++) o[q * NR + jj] = 0;
    }
    for (; p0 < k; p0++) {
      for (long jj = 0; jj < nr; jj++) buf[p0 * NR + jj] = B[(j0 + jj) * ldb + p0];
      for (long jj = nr; jj < NR; jj++) buf[p0 * NR + jj] = 0;
    }
  }
}

/// A's element (row r, inner index p) of a tile whose first row is at A: A is m × k
/// (row-major, A[r*lda + p]) or, when TA, stored transposed as k × m (A[p*lda + r]).
#define A_PTR(A, TA, lda, r, p) ((TA) ? (A) + (p) * (lda) + (r) : (A) + (r) * (lda) + (p))
#define A_AT(A, TA, lda, r, p) (*A_PTR(A, TA, lda, r, p))

/// Calls BODY with transA and accumulate as compile-time constants: each of the four cases
/// is its own copy of the always-inlined body, with no per-element branch on them.
#define SGEMM_SPECIALISED(BODY)                                                             \
  do {                                                                                      \
    if (transA) {                                                                           \
      if (accumulate) BODY(1, 1, transB, m, n, k, A, lda, B, ldb, C, ldc);                  \
      else BODY(1, 0, transB, m, n, k, A, lda, B, ldb, C, ldc);                             \
    } else {                                                                                \
      if (accumulate) BODY(0, 1, transB, m, n, k, A, lda, B, ldb, C, ldc);                  \
      else BODY(0, 0, transB, m, n, k, A, lda, B, ldb, C, ldc);                             \
    }                                                                                       \
  } while (0)

/// R rows × 16 columns (two ymm) of C from a packed panel of width 16: C = Σ or, when ACC,
/// C = C + Σ (the finished chain added once, as a separate product-then-add would).
INL T2 void mk_avx2(
    const int R, const int TA, const int ACC, long k, const float *A, long lda, const float *bp,
    float *C, long ldc, long nr) {
  __m256 acc[6][2];
  for (int r = 0; r < R; r++) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
  for (long p = 0; p < k; p++) {
    __m256 b0 = _mm256_loadu_ps(bp + p * 16), b1 = _mm256_loadu_ps(bp + p * 16 + 8);
    for (int r = 0; r < R; r++) {
      __m256 a = _mm256_broadcast_ss(A_PTR(A, TA, lda, r, p));
      acc[r][0] = _mm256_fmadd_ps(a, b0, acc[r][0]);
      acc[r][1] = _mm256_fmadd_ps(a, b1, acc[r][1]);
    }
  }
  float t[16];
  for (int r = 0; r < R; r++) {
    float *c = C + r * ldc;
    if (nr == 16) {
      if (ACC) {
        acc[r][0] = _mm256_add_ps(_mm256_loadu_ps(c), acc[r][0]);
        acc[r][1] = _mm256_add_ps(_mm256_loadu_ps(c + 8), acc[r][1]);
      }
      _mm256_storeu_ps(c, acc[r][0]);
      _mm256_storeu_ps(c + 8, acc[r][1]);
    } else {
      _mm256_storeu_ps(t, acc[r][0]);
      _mm256_storeu_ps(t + 8, acc[r][1]);
      if (ACC)
        for (long j = 0; j < nr; j++) c[j] = c[j] + t[j];
      else
        memcpy(c, t, sizeof(float) * (size_t)nr);
    }
  }
}

INL T2 void sgemm_avx2_body(
    const int TA, const int ACC, int transB, long m, long n, long k, const float *A, long lda,
    const float *B, long ldb, float *C, long ldc) {
  enum { NR = 16 };
  float *buf = aligned_alloc(64, sizeof(float) * (size_t)((k > 0 ? k : 1) * NR + 16));
  if (buf == NULL) abort();
  for (long j0 = 0; j0 < n; j0 += NR) {
    long nr = n - j0 < NR ? n - j0 : NR;
    pack_b(transB, k, j0, nr, NR, B, ldb, buf);
    long i = 0;
    for (; i + 6 <= m; i += 6)
      mk_avx2(6, TA, ACC, k, A_PTR(A, TA, lda, i, 0), lda, buf, C + i * ldc + j0, ldc, nr);
    const float *a = A_PTR(A, TA, lda, i, 0);
    float *c = C + i * ldc + j0;
    switch (m - i) {
    case 5: mk_avx2(5, TA, ACC, k, a, lda, buf, c, ldc, nr); break;
    case 4: mk_avx2(4, TA, ACC, k, a, lda, buf, c, ldc, nr); break;
    case 3: mk_avx2(3, TA, ACC, k, a, lda, buf, c, ldc, nr); break;
    case 2: mk_avx2(2, TA, ACC, k, a, lda, buf, c, ldc, nr); break;
    case 1: mk_avx2(1, TA, ACC, k, a, lda, buf, c, ldc, nr); break;
    default: break;
    }
  }
  free(buf);
}

T2 void chorus_sgemm_avx2(
    int transA, int transB, int accumulate, long m, long n, long k, const float *A, long lda,
    const float *B, long ldb, float *C, long ldc) {
  SGEMM_SPECIALISED(sgemm_avx2_body);
}

/// R rows × 32 columns (two zmm) of C from a packed panel of width 32 (ACC as mk_avx2).
INL T512 void mk_avx512(
    const int R, const int TA, const int ACC, long k, const float *A, long lda, const float *bp,
    float *C, long ldc, long nr) {
  __m512 acc[12][2];
  for (int r = 0; r < R; r++) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
  for (long p = 0; p < k; p++) {
    __m512 b0 = _mm512_loadu_ps(bp + p * 32), b1 = _mm512_loadu_ps(bp + p * 32 + 16);
    for (int r = 0; r < R; r++) {
      __m512 a = _mm512_set1_ps(A_AT(A, TA, lda, r, p));
      acc[r][0] = _mm512_fmadd_ps(a, b0, acc[r][0]);
      acc[r][1] = _mm512_fmadd_ps(a, b1, acc[r][1]);
    }
  }
  __mmask16 m0 = nr >= 16 ? 0xFFFF : (__mmask16)((1u << nr) - 1);
  __mmask16 m1 = nr >= 32 ? 0xFFFF : nr <= 16 ? 0 : (__mmask16)((1u << (nr - 16)) - 1);
  for (int r = 0; r < R; r++) {
    float *c = C + r * ldc;
    if (ACC) {
      acc[r][0] = _mm512_add_ps(_mm512_maskz_loadu_ps(m0, c), acc[r][0]);
      acc[r][1] = _mm512_add_ps(_mm512_maskz_loadu_ps(m1, c + 16), acc[r][1]);
    }
    _mm512_mask_storeu_ps(c, m0, acc[r][0]);
    _mm512_mask_storeu_ps(c + 16, m1, acc[r][1]);
  }
}

INL T512 void sgemm_avx512_body(
    const int TA, const int ACC, int transB, long m, long n, long k, const float *A, long lda,
    const float *B, long ldb, float *C, long ldc) {
  enum { NR = 32 };
  float *buf = aligned_alloc(64, sizeof(float) * (size_t)((k > 0 ? k : 1) * NR + 16));
  if (buf == NULL) abort();
  for (long j0 = 0; j0 < n; j0 += NR) {
    long nr = n - j0 < NR ? n - j0 : NR;
    pack_b(transB, k, j0, nr, NR, B, ldb, buf);
    long i = 0;
    for (; i + 12 <= m; i += 12)
      mk_avx512(12, TA, ACC, k, A_PTR(A, TA, lda, i, 0), lda, buf, C + i * ldc + j0, ldc, nr);
    const float *a = A_PTR(A, TA, lda, i, 0);
    float *c = C + i * ldc + j0;
    switch (m - i) {
    case 11: mk_avx512(11, TA, ACC, k, a, lda, buf, c, ldc, nr); break;
    case 10: mk_avx512(10, TA, ACC, k, a, lda, buf, c, ldc, nr); break;
    case 9: mk_avx512(9, TA, ACC, k, a, lda, buf, c, ldc, nr); break;
    case 8: mk_avx512(8, TA, ACC, k, a, lda, buf, c, ldc, nr); break;
    case 7: mk_avx512(7, TA, ACC, k, a, lda, buf, c, ldc, nr); break;
    case 6: mk_avx512(6, TA, ACC, k, a, lda, buf, c, ldc, nr); break;
    case 5: mk_avx512(5, TA, ACC, k, a, lda, buf, c, ldc, nr); break;
    case 4: mk_avx512(4, TA, ACC, k, a, lda, buf, c, ldc, nr); break;
    case 3: mk_avx512(3, TA, ACC, k, a, lda, buf, c, ldc, nr); break;
    case 2: mk_avx512(2, TA, ACC, k, a, lda, buf, c, ldc, nr); break;
    case 1: mk_avx512(1, TA, ACC, k, a, lda, buf, c, ldc, nr); break;
    default: break;
    }
  }
  free(buf);
}

T512 void chorus_sgemm_avx512(
    int transA, int transB, int accumulate, long m, long n, long k, const float *A, long lda,
    const float *B, long ldb, float *C, long ldc) {
  SGEMM_SPECIALISED(sgemm_avx512_body);
}

// MARK: - Search scoring over 8-track panels

/// R queries × C panels with ymm accumulators (6 × 2: 12 accumulators, no spills).
INL T2 void sp_avx2(
    const int R, const int C, const float *qt, const long dim, const float *panels,
    float *scores, long stride) {
  __m256 acc[6][2];
  const long ps = dim * 8;
  for (int r = 0; r < R; r++)
    for (int c = 0; c < C; c++) acc[r][c] = _mm256_setzero_ps();
  for (long d = 0; d < dim; d++) {
    __m256 v[2];
    for (int c = 0; c < C; c++) v[c] = _mm256_loadu_ps(panels + c * ps + d * 8);
    for (int r = 0; r < R; r++) {
      __m256 a = _mm256_broadcast_ss(qt + d * 6 + r);
      for (int c = 0; c < C; c++) acc[r][c] = _mm256_fmadd_ps(a, v[c], acc[r][c]);
    }
  }
  for (int r = 0; r < R; r++)
    for (int c = 0; c < C; c++) _mm256_storeu_ps(scores + r * stride + c * 8, acc[r][c]);
}

INL T2 void sp_avx2_rows(
    const int R, const float *const *q, const long dim, const float *panels, long panelCount,
    float *scores, long stride, float *qt) {
  for (long d = 0; d < dim; d++)
    for (int r = 0; r < R; r++) qt[d * 6 + r] = q[r][d];
  long p = 0;
  for (; p + 2 <= panelCount; p += 2)
    sp_avx2(R, 2, qt, dim, panels + p * dim * 8, scores + p * 8, stride);
  for (; p < panelCount; p++) sp_avx2(R, 1, qt, dim, panels + p * dim * 8, scores + p * 8, stride);
}

INL T2 void sp_avx2_all(
    const float *const *queries, long nq, const long dim, const float *panels, long panelCount,
    float *scores, long scoreStride, float *qt) {
  long r = 0;
  for (; r + 6 <= nq; r += 6)
    sp_avx2_rows(
        6, queries + r, dim, panels, panelCount, scores + r * scoreStride, scoreStride, qt);
  const float *const *q = queries + r;
  float *s = scores + r * scoreStride;
  switch (nq - r) {
  case 5: sp_avx2_rows(5, q, dim, panels, panelCount, s, scoreStride, qt); break;
  case 4: sp_avx2_rows(4, q, dim, panels, panelCount, s, scoreStride, qt); break;
  case 3: sp_avx2_rows(3, q, dim, panels, panelCount, s, scoreStride, qt); break;
  case 2: sp_avx2_rows(2, q, dim, panels, panelCount, s, scoreStride, qt); break;
  case 1: sp_avx2_rows(1, q, dim, panels, panelCount, s, scoreStride, qt); break;
  default: break;
  }
}

T2 void chorus_score_panels_avx2(
    const float *const *queries, long nq, long dim, const float *panels, long panelCount,
    float *scores, long scoreStride) {
  // The group's queries are copied d-major (qt[d*6 + r]) so one pointer reaches them all;
  // the common dimensions get code with constant offsets.
  float stackTile[6 * 128];
  float *qt = dim <= 128 ? stackTile : malloc(sizeof(float) * 6 * (size_t)dim);
  if (qt == NULL) abort();
  if (dim == 64) sp_avx2_all(queries, nq, 64, panels, panelCount, scores, scoreStride, qt);
  else if (dim == 32) sp_avx2_all(queries, nq, 32, panels, panelCount, scores, scoreStride, qt);
  else sp_avx2_all(queries, nq, dim, panels, panelCount, scores, scoreStride, qt);
  if (qt != stackTile) free(qt);
}

/// R queries × C panel pairs with zmm accumulators (a pair: two 8-track panels side by side).
INL T512 void sp_avx512(
    const int R, const int C, const float *qt, const long dim, const float *panels,
    float *scores, long stride) {
  __m512 acc[6][4];
  const long ps = dim * 8;
  for (int r = 0; r < R; r++)
    for (int c = 0; c < C; c++) acc[r][c] = _mm512_setzero_ps();
  for (long d = 0; d < dim; d++) {
    __m512 v[4];
    for (int c = 0; c < C; c++) {
      const float *p0 = panels + (2 * c) * ps + d * 8;
      v[c] = _mm512_insertf32x8(
          _mm512_castps256_ps512(_mm256_loadu_ps(p0)), _mm256_loadu_ps(p0 + ps), 1);
    }
    for (int r = 0; r < R; r++) {
      __m512 a = _mm512_set1_ps(qt[d * 6 + r]);
      for (int c = 0; c < C; c++) acc[r][c] = _mm512_fmadd_ps(a, v[c], acc[r][c]);
    }
  }
  for (int r = 0; r < R; r++)
    for (int c = 0; c < C; c++) _mm512_storeu_ps(scores + r * stride + c * 16, acc[r][c]);
}

/// R queries × one 8-track panel (the odd panel at the end) with ymm accumulators.
INL T512 void sp_avx512_single(
    const int R, const float *qt, const long dim, const float *panel, float *scores,
    long stride) {
  __m256 acc[6];
  for (int r = 0; r < R; r++) acc[r] = _mm256_setzero_ps();
  for (long d = 0; d < dim; d++) {
    __m256 v = _mm256_loadu_ps(panel + d * 8);
    for (int r = 0; r < R; r++) acc[r] = _mm256_fmadd_ps(_mm256_set1_ps(qt[d * 6 + r]), v, acc[r]);
  }
  for (int r = 0; r < R; r++) _mm256_storeu_ps(scores + r * stride, acc[r]);
}

INL T512 void sp_avx512_rows(
    const int R, const float *const *q, const long dim, const float *panels, long panelCount,
    float *scores, long stride, float *qt) {
  for (long d = 0; d < dim; d++)
    for (int r = 0; r < R; r++) qt[d * 6 + r] = q[r][d];
  long p = 0;
  for (; p + 8 <= panelCount; p += 8)
    sp_avx512(R, 4, qt, dim, panels + p * dim * 8, scores + p * 8, stride);
  for (; p + 2 <= panelCount; p += 2)
    sp_avx512(R, 1, qt, dim, panels + p * dim * 8, scores + p * 8, stride);
  if (p < panelCount) sp_avx512_single(R, qt, dim, panels + p * dim * 8, scores + p * 8, stride);
}

INL T512 void sp_avx512_all(
    const float *const *queries, long nq, const long dim, const float *panels, long panelCount,
    float *scores, long scoreStride, float *qt) {
  long r = 0;
  for (; r + 6 <= nq; r += 6)
    sp_avx512_rows(
        6, queries + r, dim, panels, panelCount, scores + r * scoreStride, scoreStride, qt);
  const float *const *q = queries + r;
  float *s = scores + r * scoreStride;
  switch (nq - r) {
  case 5: sp_avx512_rows(5, q, dim, panels, panelCount, s, scoreStride, qt); break;
  case 4: sp_avx512_rows(4, q, dim, panels, panelCount, s, scoreStride, qt); break;
  case 3: sp_avx512_rows(3, q, dim, panels, panelCount, s, scoreStride, qt); break;
  case 2: sp_avx512_rows(2, q, dim, panels, panelCount, s, scoreStride, qt); break;
  case 1: sp_avx512_rows(1, q, dim, panels, panelCount, s, scoreStride, qt); break;
  default: break;
  }
}

T512 void chorus_score_panels_avx512(
    const float *const *queries, long nq, long dim, const float *panels, long panelCount,
    float *scores, long scoreStride) {
  float stackTile[6 * 128];
  float *qt = dim <= 128 ? stackTile : malloc(sizeof(float) * 6 * (size_t)dim);
  if (qt == NULL) abort();
  if (dim == 64) sp_avx512_all(queries, nq, 64, panels, panelCount, scores, scoreStride, qt);
  else if (dim == 32) sp_avx512_all(queries, nq, 32, panels, panelCount, scores, scoreStride, qt);
  else sp_avx512_all(queries, nq, dim, panels, panelCount, scores, scoreStride, qt);
  if (qt != stackTile) free(qt);
}

#else
// Other architectures use the portable level only (kernels.c).
typedef int chorus_kernels_x86_unused;
#endif
