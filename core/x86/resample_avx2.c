/* Two-tap resampling of a float row into 8-bit values, AVX2: 8 outputs per
 * step from two gathers, the arithmetic of cnn_resample2_row_u8_c (cvtps
 * rounds half to even; the packs saturate). Bilinear samples of packed RGB
 * along a line: 8 pixels per step from four gathers of 32-bit words (two
 * per row: the left pixel and one byte on, and two bytes on: the right
 * pixel), pairs blended by pmaddwd, the integer arithmetic of C. */
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

/* (float)(d (x + i) + o) for the 8 columns x + i, in double like C. */
static inline __m256 line_coordinates(__m256i cols, __m256d d, __m256d o)
{
    __m256d lo = _mm256_add_pd(
        _mm256_mul_pd(_mm256_cvtepi32_pd(_mm256_castsi256_si128(cols)), d), o);
    __m256d hi = _mm256_add_pd(
        _mm256_mul_pd(_mm256_cvtepi32_pd(_mm256_extracti128_si256(cols, 1)), d), o);
    return _mm256_set_m128(_mm256_cvtpd_ps(hi), _mm256_cvtpd_ps(lo));
}

/* 11-bit weight of the fraction of v above its truncation t. */
static inline __m256i fraction_weight(__m256 v, __m256i t)
{
    __m256 f = _mm256_sub_ps(v, _mm256_cvtepi32_ps(t));
    return _mm256_cvttps_epi32(
        _mm256_add_ps(_mm256_mul_ps(f, _mm256_set1_ps(2048.0f)), _mm256_set1_ps(0.5f)));
}

/* Per 32-bit lane, the 16-bit pairs (left, right) of the three channels
 * times (2048 - wx, wx): a holds bytes R0 G0 B0 R1 (the left pixel), b
 * B0 R1 G1 B1 (from two bytes on). */
static inline void blend_pairs(__m256i a, __m256i b, __m256i wpair, __m256i out[3])
{
#define PAIRS(l, r)                                                                     \
    _mm256_broadcastsi128_si256(_mm_setr_epi8(l, -1, r, -1, 4 + (l), -1, 4 + (r), -1,   \
                                              8 + (l), -1, 8 + (r), -1, 12 + (l), -1,   \
                                              12 + (r), -1))
    /* Bytes 0 and 3 of each lane (R of a, B of b), byte 1 (G0 of a) and
     * byte 2 into the right word (G1 of b); -128 + 4k keeps the zeroing bit. */
    const __m256i ends = PAIRS(0, 3);
    const __m256i g = _mm256_or_si256(_mm256_shuffle_epi8(a, PAIRS(1, -128)),
                                      _mm256_shuffle_epi8(b, PAIRS(-128, 2)));
#undef PAIRS
    out[0] = _mm256_madd_epi16(_mm256_shuffle_epi8(a, ends), wpair);
    out[1] = _mm256_madd_epi16(g, wpair);
    out[2] = _mm256_madd_epi16(_mm256_shuffle_epi8(b, ends), wpair);
}

void cnn_warp_bilinear_rgb_u8_avx2(const uint8_t *s, ptrdiff_t stride, double ox, double dx,
                                   double oy, double dy, int x, uint8_t *d, int n)
{
    const __m256d vdx = _mm256_set1_pd(dx), vox = _mm256_set1_pd(ox);
    const __m256d vdy = _mm256_set1_pd(dy), voy = _mm256_set1_pd(oy);
    const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i full = _mm256_set1_epi32(2048), half = _mm256_set1_epi32(1 << 21);
    /* Bytes R0-3 G0-3 B0-3 of a 128-bit half into R0 G0 B0 R1 ... B3. */
    const __m256i interleave = _mm256_broadcastsi128_si256(
        _mm_setr_epi8(0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11, -1, -1, -1, -1));
    int i = 0;
    for (; i + 8 <= n; i += 8, d += 24) {
        __m256i cols = _mm256_add_epi32(_mm256_set1_epi32(x + i), iota);
        __m256 fx = line_coordinates(cols, vdx, vox), fy = line_coordinates(cols, vdy, voy);
        __m256i x0 = _mm256_cvttps_epi32(fx), y0 = _mm256_cvttps_epi32(fy);
        __m256i wx = fraction_weight(fx, x0), wy = fraction_weight(fy, y0);
        __m256i wpair = _mm256_or_si256(_mm256_sub_epi32(full, wx), _mm256_slli_epi32(wx, 16));
        __m256i off = _mm256_add_epi32(_mm256_mullo_epi32(y0, _mm256_set1_epi32((int)stride)),
                                       _mm256_add_epi32(x0, _mm256_add_epi32(x0, x0)));
        __m256i top[3], bottom[3];
        blend_pairs(_mm256_i32gather_epi32((const int *)s, off, 1),
                    _mm256_i32gather_epi32((const int *)(s + 2), off, 1), wpair, top);
        blend_pairs(_mm256_i32gather_epi32((const int *)(s + stride), off, 1),
                    _mm256_i32gather_epi32((const int *)(s + stride + 2), off, 1), wpair,
                    bottom);
        __m256i v[3];
        for (int c = 0; c < 3; c++)
            v[c] = _mm256_srai_epi32(
                _mm256_add_epi32(_mm256_add_epi32(_mm256_slli_epi32(top[c], 11),
                                                  _mm256_mullo_epi32(
                                                      _mm256_sub_epi32(bottom[c], top[c]), wy)),
                                 half),
                22);
        __m256i rg = _mm256_packus_epi32(v[0], v[1]);
        __m256i b0 = _mm256_packus_epi32(v[2], _mm256_setzero_si256());
        __m256i px = _mm256_shuffle_epi8(_mm256_packus_epi16(rg, b0), interleave);
        _mm_storeu_si128((__m128i *)d, _mm256_castsi256_si128(px)); /* 12 bytes, then 4 */
        __m128i hi = _mm256_extracti128_si256(px, 1);
        _mm_storel_epi64((__m128i *)(d + 12), hi);
        _mm_storeu_si32(d + 20, _mm_srli_si128(hi, 8));
    }
    cnn_warp_bilinear_rgb_u8_c(s, stride, ox, dx, oy, dy, x + i, d, n - i);
}
