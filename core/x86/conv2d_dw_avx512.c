/* Depthwise 3x3 conv for AVX-512: 16 floats per zmm, 8 output rows of
 * accumulators with the 9 weights in the 32 registers, stride-2 columns
 * deinterleaved with in-lane shuffles. */
#include <immintrin.h>

#define VEC __m512
#define VLEN 16
#define MASK __mmask16
#define vec_range_mask(lo, hi) ((__mmask16)(((1u << (hi)) - 1) & ~((1u << (lo)) - 1)))
#define vec_zero() _mm512_setzero_ps()
#define vec_set1(x) _mm512_set1_ps(x)
#define vec_loadu(p) _mm512_loadu_ps(p)
#define vec_storeu(p, v) _mm512_storeu_ps(p, v)
#define vec_fmadd(a, b, c) _mm512_fmadd_ps(a, b, c)
#define vec_load_mask(p, m) _mm512_maskz_loadu_ps(m, p)
#define vec_store_mask(p, m, v) _mm512_mask_storeu_ps(p, m, v)
#define vec_max(a, b) _mm512_max_ps(a, b)
#define vec_min(a, b) _mm512_min_ps(a, b)
/* Per 128-bit lane: a0 a2 b0 b2 (odd: a1 a3 b1 b3), so lane pair 2k holds
 * outputs 2k, 2k + 1 and pair 2k + 1 outputs 8 + 2k, 9 + 2k. */
#define vec_even(a, b) _mm512_shuffle_ps(a, b, 0x88)
#define vec_odd(a, b) _mm512_shuffle_ps(a, b, 0xdd)
/* lane 4k + 3 of e + 2 is lane 4 (k + 1) + 2 of e, lane 4k + 1 lane 4 (k + 1)
 * (column 16, lane 2, for k = 3); the last comes from s */
#define vec_next_even(e, s)                                                                  \
    _mm512_mask_permutexvar_ps(s, 0x7fff,                                                    \
                               _mm512_setr_epi32(1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, \
                                                 2, 15, 0),                                   \
                               e)
#define vec_unscramble(v)                                                                    \
    _mm512_castpd_ps(_mm512_permutexvar_pd(_mm512_setr_epi64(0, 2, 4, 6, 1, 3, 5, 7),         \
                                           _mm512_castps_pd(v)))
/* floats n.. of a:b: the stride-1 taps of a block at the plane's edge from
 * two masked loads instead of three (masked loads are the dear part there) */
#define vec_shift(a, b, n) \
    _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(b), _mm512_castps_si512(a), n))
#define DW_ROWS 8
#define KERNEL_NAME cnn_conv2d_dw3x3_avx512
#include "conv2d_dw_template.h"
