/* Depthwise 3x3 conv for AVX2 + FMA: 8 floats per ymm, 4 output rows of
 * accumulators next to the 9 weights, stride-2 columns deinterleaved with
 * in-lane shuffles. */
#include <immintrin.h>

#define VEC __m256
#define VLEN 8
#define MASK __m256i
/* Lane i is on when lo <= i < hi. */
#define vec_range_mask(lo, hi)                                                               \
    _mm256_andnot_si256(                                                                     \
        _mm256_cmpgt_epi32(_mm256_set1_epi32(lo), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)), \
        _mm256_cmpgt_epi32(_mm256_set1_epi32(hi), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)))
#define vec_zero() _mm256_setzero_ps()
#define vec_set1(x) _mm256_set1_ps(x)
#define vec_loadu(p) _mm256_loadu_ps(p)
#define vec_storeu(p, v) _mm256_storeu_ps(p, v)
#define vec_fmadd(a, b, c) _mm256_fmadd_ps(a, b, c)
#define vec_load_mask(p, m) _mm256_maskload_ps(p, m)
#define vec_store_mask(p, m, v) _mm256_maskstore_ps(p, m, v)
#define vec_max(a, b) _mm256_max_ps(a, b)
#define vec_min(a, b) _mm256_min_ps(a, b)
/* Per 128-bit lane: a0 a2 b0 b2 (odd: a1 a3 b1 b3), so lane pairs hold
 * outputs 0-1, 4-5, 2-3, 6-7. */
#define vec_even(a, b) _mm256_shuffle_ps(a, b, 0x88)
#define vec_odd(a, b) _mm256_shuffle_ps(a, b, 0xdd)
/* lane 4k of e + 2 is lane 4k + 1 of e, lane 4k + 1 lane 4 (k + 1) (column 8,
 * lane 2, for k = 1), ...; the last comes from s */
#define vec_next_even(e, s)                                                                  \
    _mm256_blend_ps(_mm256_permutevar8x32_ps(e, _mm256_setr_epi32(1, 4, 3, 6, 5, 2, 7, 0)), \
                    s, 0x80)
#define vec_unscramble(v) \
    _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(v), 0xd8))
#define DW_ROWS 4
#define KERNEL_NAME cnn_conv2d_dw3x3_avx2
#include "conv2d_dw_template.h"
