/* Two-tap resampling of a float row into 8-bit values, AVX2: 8 outputs per
 * step from two gathers, the arithmetic of cnn_resample2_row_u8_c (cvtps
 * rounds half to even; the packs saturate). Bilinear samples of packed RGB
 * along a line: 8 pixels per step (warp_template.h). */
#include <immintrin.h>

#include "kernels.h"

/* Even and odd 32-bit lanes of the 16 values at p, in order. */
static inline void split_pairs(const void *p, __m256 *even, __m256 *odd)
{
    __m256 a = _mm256_loadu_ps((const float *)p), b = _mm256_loadu_ps((const float *)p + 8);
    /* In-lane: [a0 a2 b0 b2 | a4 a6 b4 b6], then 64-bit blocks reordered. */
    *even = _mm256_castpd_ps(_mm256_permute4x64_pd(
        _mm256_castps_pd(_mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0))), 0xD8));
    *odd = _mm256_castpd_ps(_mm256_permute4x64_pd(
        _mm256_castps_pd(_mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1))), 0xD8));
}

void cnn_resample2_row_u8_avx2(const float *row, const int32_t *idx, const float *wt,
                               uint8_t *d, int n)
{
    int x = 0;
    for (; x + 8 <= n; x += 8) {
        __m256 i0, i1, w0, w1;
        split_pairs(idx + 2 * x, &i0, &i1);
        split_pairs(wt + 2 * x, &w0, &w1);
        __m256 v0 = _mm256_i32gather_ps(row, _mm256_castps_si256(i0), 4);
        __m256 v1 = _mm256_i32gather_ps(row, _mm256_castps_si256(i1), 4);
        __m256i v = _mm256_cvtps_epi32(_mm256_add_ps(_mm256_mul_ps(v0, w0),
                                                     _mm256_mul_ps(v1, w1)));
        __m128i w16 = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
        _mm_storel_epi64((__m128i *)(d + x), _mm_packus_epi16(w16, w16));
    }
    cnn_resample2_row_u8_c(row, idx + 2 * x, wt + 2 * x, d + x, n - x);
}

#include "vec_avx2.h"

/* 12 bytes from each 128-bit lane: 16 then 8 and 4 (lane 0's last 4 are
 * overwritten). */
static inline void store_pixels(uint8_t *d, __m256i px)
{
    _mm_storeu_si128((__m128i *)d, _mm256_castsi256_si128(px));
    __m128i hi = _mm256_extracti128_si256(px, 1);
    _mm_storel_epi64((__m128i *)(d + 12), hi);
    _mm_storeu_si32(d + 20, _mm_srli_si128(hi, 8));
}

#include "warp_template.h"
