/* Pixel rows with byte shuffles, equal to the C references bit for bit.
 * Luma: 32 packed pixels per step, each made one 32-bit lane (R, G, B, 0)
 * by vpermd and pshufb, weighted by pmaddubsw and pmaddwd with the same
 * 14-bit weights. Spread: 16 pixels per step, interleaved by pshufb masks
 * built once per row from the layout. */
#include <immintrin.h>
#include <stdint.h>

#include "kernels.h"

/* (R, G, B, 0) of 8 pixels, one per 32-bit lane: vpermd gives each 128-bit
 * lane four pixels (12 bytes of RGB, 16 of RGBx), a byte shuffle spreads
 * them. Reads 32 bytes at px. */
static inline __m256i pixels8(const uint8_t *px, __m256i lanes, __m256i shuf)
{
    __m256i v = _mm256_loadu_si256((const __m256i *)px);
    return _mm256_shuffle_epi8(_mm256_permutevar8x32_epi32(v, lanes), shuf);
}

/* The 14-bit weights split as w = 128 * hi + lo (hi, lo < 128): two
 * pmaddubsw never saturate (at most 255 * 113), two pmaddwd sum exactly. */
static inline __m256i luma8(__m256i rgb0, __m256i w_hi, __m256i w_lo, __m256i x128,
                            __m256i one, __m256i round)
{
    __m256i hi = _mm256_madd_epi16(_mm256_maddubs_epi16(rgb0, w_hi), x128);
    __m256i lo = _mm256_madd_epi16(_mm256_maddubs_epi16(rgb0, w_lo), one);
    return _mm256_srli_epi32(_mm256_add_epi32(_mm256_add_epi32(hi, lo), round), 14);
}

void cnn_pixels_luma_row_avx2(const uint8_t *px, uint8_t *luma, int width, int step, int r,
                              int g, int b)
{
    uint8_t shuf[32];
    for (int i = 0; i < 32; i++) {
        int pixel = (i & 15) / 4, c = i & 3;
        shuf[i] = c == 3 ? 0x80 : (uint8_t)(pixel * step + (c == 0 ? r : c == 1 ? g : b));
    }
    const __m256i vshuf = _mm256_loadu_si256((const __m256i *)shuf);
    const __m256i lanes = step == 3 ? _mm256_setr_epi32(0, 1, 2, 3, 3, 4, 5, 6)
                                    : _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    /* 4899 = 38 * 128 + 35, 9617 = 75 * 128 + 17, 1868 = 14 * 128 + 76 */
    const __m256i w_hi = _mm256_set1_epi32(14 << 16 | 75 << 8 | 38);
    const __m256i w_lo = _mm256_set1_epi32(76 << 16 | 17 << 8 | 35);
    const __m256i x128 = _mm256_set1_epi16(128), one = _mm256_set1_epi16(1);
    const __m256i round = _mm256_set1_epi32(1 << 13);
    /* packs leave each lane's four pixels of the four vectors in turn */
    const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    /* the last load of a step reads 8 bytes past RGB pixel 32: 3 more pixels */
    int over = step == 3 ? 3 : 0, x = 0;
    for (; x + 32 + over <= width; x += 32, px += 32 * step) {
        __m256i y[4];
        for (int k = 0; k < 4; k++)
            y[k] = luma8(pixels8(px + 8 * k * step, lanes, vshuf), w_hi, w_lo, x128, one,
                         round);
        __m256i bytes = _mm256_packus_epi16(_mm256_packus_epi32(y[0], y[1]),
                                            _mm256_packus_epi32(y[2], y[3]));
        _mm256_storeu_si256((__m256i *)(luma + x),
                            _mm256_permutevar8x32_epi32(bytes, order));
    }
    cnn_pixels_luma_row_c(px, luma + x, width - x, step, r, g, b);
}

void cnn_pixels_spread_row_avx2(const uint8_t *gray, uint8_t *px, int width, int step,
                                int keep)
{
    __m128i spread[4], kept[4];
    for (int k = 0; k < step; k++) {
        uint8_t m[16], km[16];
        for (int j = 0; j < 16; j++) {
            int byte = 16 * k + j, c = byte % step;
            m[j] = c == keep ? 0x80 : (uint8_t)(byte / step);
            km[j] = c == keep ? 0xff : 0;
        }
        spread[k] = _mm_loadu_si128((const __m128i *)m);
        kept[k] = _mm_loadu_si128((const __m128i *)km);
    }
    int x = 0;
    for (; x + 16 <= width; x += 16, px += 16 * step) {
        __m128i v = _mm_loadu_si128((const __m128i *)(gray + x));
        for (int k = 0; k < step; k++) {
            __m128i out = _mm_shuffle_epi8(v, spread[k]);
            if (keep >= 0)
                out = _mm_or_si128(out, _mm_and_si128(
                    _mm_loadu_si128((const __m128i *)(px + 16 * k)), kept[k]));
            _mm_storeu_si128((__m128i *)(px + 16 * k), out);
        }
    }
    cnn_pixels_spread_row_c(gray + x, px, width - x, step, keep);
}
