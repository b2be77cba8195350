// Vector kernels with run-time dispatch: a portable level (plain C, separately rounded
// products summed in order) and, on x86-64, AVX2+FMA and AVX-512 levels picked from the CPU's
// features. Every vector level computes each output as one fused multiply-add chain over the
// inner dimension, in order, so AVX2 and AVX-512 give the same bits as each other and as a
// scalar fmaf loop; they differ from the portable level only by FMA's single rounding.
#ifndef CHORUS_KERNELS_H
#define CHORUS_KERNELS_H

#include <stdint.h>

/// Kernel levels, in increasing order of what they need from the CPU.
enum {
  CHORUS_KERNELS_PORTABLE = 0,
  CHORUS_KERNELS_AVX2 = 1,
  CHORUS_KERNELS_AVX512 = 2,
};

/// The best level this CPU runs (AVX2 needs avx2+fma; AVX-512 needs avx512f/vl/dq too).
int chorus_kernels_supported(void);

/// The process-wide level: on first use the supported level, lowered by the environment
/// variable CHORUS_KERNELS (portable, avx2, avx512 or auto); later set by
/// chorus_kernels_set_level.
int chorus_kernels_level(void);

/// Sets the process-wide level, clamped to what the CPU supports; returns the level in effect.
int chorus_kernels_set_level(int level);

/// The level CHORUS_KERNELS names: -1 when unset or "auto", -2 when it names no level.
int chorus_kernels_environment_level(void);

/// C[m×n] = A[m×k] · B (transB == 0: B is k×n) or A · Bᵀ (transB != 0: B is n×k); all
/// row-major Float32 with leading dimensions lda, ldb, ldc. C is overwritten. Each element is
/// the in-order sum over the inner index at `level` (clamped to the supported level).
void chorus_sgemm(
    int level, int transB, long m, long n, long k, const float *A, long lda, const float *B,
    long ldb, float *C, long ldc);

/// `chorus_sgemm` with two more choices: `transA` reads A stored transposed (k×m, element
/// (i, p) at A[p*lda + i]: C = Aᵀ·B without a transposed copy), and `accumulate` adds the
/// product to C (each element's finished in-order sum is added to C once, the same bits as
/// computing the product into a scratch matrix and adding it).
void chorus_sgemm_ex(
    int level, int transA, int transB, int accumulate, long m, long n, long k, const float *A,
    long lda, const float *B, long ldb, float *C, long ldc);

/// Scores `nq` queries (each `dim` floats at queries[r]) against `panelCount` panels of 8
/// tracks (panel p holds track 8p+l's component d at panels[(p*dim + d)*8 + l]): the score of
/// query r and track j goes to scores[r*scoreStride + j]. Level AVX2 or AVX-512 only (the
/// portable level lives in Swift; asked for it, this computes the fused scalar chain).
void chorus_score_panels(
    int level, const float *const *queries, long nq, long dim, const float *panels,
    long panelCount, float *scores, long scoreStride);

/// One track's score as a vector level computes it: the fused chain over d of
/// query[d] · panels[...position, d], equal bit for bit to a lane of chorus_score_panels.
float chorus_panel_dot_fused(const float *query, const float *panels, long position, long dim);

/// The first index i in 0..<n with !(s[i] < threshold) (a score that reaches the threshold,
/// or NaN); n when there is none. Exact comparisons: the same answer on every level, so it
/// uses the best instructions the CPU has.
long chorus_first_not_below(const float *s, long n, float threshold);

#endif
