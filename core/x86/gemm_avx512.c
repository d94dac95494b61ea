/* GEMM micro-kernel, AVX-512: an 8 x 32 tile of C in 16 registers, one
 * broadcast of A and two loads of B per k. */
#include <immintrin.h>

#include "kernels.h"

#define MR CNN_GEMM_MR_AVX512
#define NR CNN_GEMM_NR_AVX512

static __mmask16 cols_mask(int n)
{
    return n >= 16 ? (__mmask16)0xFFFF : n <= 0 ? 0 : (__mmask16)((1u << n) - 1);
}

void cnn_gemm_micro_avx512(int kc, const float *a, const float *b, float *c, ptrdiff_t ldc,
                           float alpha, float beta, int m, int n)
{
    __m512 acc[MR][2];
    for (int r = 0; r < MR; r++)
        acc[r][0] = acc[r][1] = _mm512_setzero_ps();
    for (int p = 0; p < kc; p++, a += MR, b += NR) {
        __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);
        for (int r = 0; r < MR; r++) {
            __m512 av = _mm512_set1_ps(a[r]);
            acc[r][0] = _mm512_fmadd_ps(av, b0, acc[r][0]);
            acc[r][1] = _mm512_fmadd_ps(av, b1, acc[r][1]);
        }
    }
    __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    __mmask16 m0 = cols_mask(n), m1 = cols_mask(n - 16);
    for (int r = 0; r < m; r++) {
        float *row = c + r * ldc;
        __m512 y0 = _mm512_mul_ps(acc[r][0], va), y1 = _mm512_mul_ps(acc[r][1], va);
        if (beta != 0.0f) {
            y0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m0, row), vb, y0);
            y1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m1, row + 16), vb, y1);
        }
        _mm512_mask_storeu_ps(row, m0, y0);
        _mm512_mask_storeu_ps(row + 16, m1, y1);
    }
}
