/* GEMM micro-kernel, AVX2 + FMA: a 6 x 16 tile of C in 12 registers, one
 * broadcast of A and two loads of B per k. */
#include <immintrin.h>

#include "kernels.h"

#define MR CNN_GEMM_MR_AVX2
#define NR CNN_GEMM_NR_AVX2

static __m256i cols_mask(int n)
{
    __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), lanes);
}

void cnn_gemm_micro_avx2(int kc, const float *a, const float *b, float *c, ptrdiff_t ldc,
                         float alpha, float beta, int m, int n)
{
    __m256 acc[MR][2];
    for (int r = 0; r < MR; r++)
        acc[r][0] = acc[r][1] = _mm256_setzero_ps();
    for (int p = 0; p < kc; p++, a += MR, b += NR) {
        __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
        for (int r = 0; r < MR; r++) {
            __m256 av = _mm256_broadcast_ss(a + r);
            acc[r][0] = _mm256_fmadd_ps(av, b0, acc[r][0]);
            acc[r][1] = _mm256_fmadd_ps(av, b1, acc[r][1]);
        }
    }
    __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
    __m256i m0 = cols_mask(n), m1 = cols_mask(n - 8);
    for (int r = 0; r < m; r++) {
        float *row = c + r * ldc;
        __m256 y0 = _mm256_mul_ps(acc[r][0], va), y1 = _mm256_mul_ps(acc[r][1], va);
        if (beta != 0.0f) {
            y0 = _mm256_fmadd_ps(_mm256_maskload_ps(row, m0), vb, y0);
            y1 = _mm256_fmadd_ps(_mm256_maskload_ps(row + 8, m1), vb, y1);
        }
        _mm256_maskstore_ps(row, m0, y0);
        _mm256_maskstore_ps(row + 8, m1, y1);
    }
}
