/* Pixel rows with byte shuffles: 16 packed pixels per step, deinterleaved
 * (luma) or interleaved (spread) by pshufb masks built once per row from the
 * layout. Results equal the C references bit for bit: the luma sums use the
 * same 14-bit weights in 32-bit lanes. */
#include <immintrin.h>
#include <stdint.h>

#include "kernels.h"

/* Mask for load k of a row: output byte i takes byte i * step + off of the
 * 16 pixels if it lies in that load, else zero (0x80). */
static __m128i gather_mask(int k, int step, int off)
{
    uint8_t m[16];
    for (int i = 0; i < 16; i++) {
        int pos = i * step + off;
        m[i] = pos >> 4 == k ? (uint8_t)(pos & 15) : 0x80;
    }
    return _mm_loadu_si128((const __m128i *)m);
}

/* (x0 * w0 + x1 * w1) per 32-bit lane of interleaved 16-bit pairs */
static inline __m128i luma4(__m128i rg, __m128i b1, __m128i w_rg, __m128i w_b1)
{
    __m128i sum = _mm_add_epi32(_mm_madd_epi16(rg, w_rg), _mm_madd_epi16(b1, w_b1));
    return _mm_srli_epi32(sum, 14);
}

void cnn_pixels_luma_row_avx2(const uint8_t *px, uint8_t *luma, int width, int step, int r,
                              int g, int b)
{
    __m128i mr[4], mg[4], mb[4];
    for (int k = 0; k < step; k++) {
        mr[k] = gather_mask(k, step, r);
        mg[k] = gather_mask(k, step, g);
        mb[k] = gather_mask(k, step, b);
    }
    const __m128i w_rg = _mm_set1_epi32(9617 << 16 | 4899);
    const __m128i w_b1 = _mm_set1_epi32(8192 << 16 | 1868); /* B * 1868 + 1 * rounding */
    const __m128i zero = _mm_setzero_si128(), one = _mm_set1_epi16(1);
    int x = 0;
    for (; x + 16 <= width; x += 16, px += 16 * step) {
        __m128i R = zero, G = zero, B = zero;
        for (int k = 0; k < step; k++) {
            __m128i v = _mm_loadu_si128((const __m128i *)(px + 16 * k));
            R = _mm_or_si128(R, _mm_shuffle_epi8(v, mr[k]));
            G = _mm_or_si128(G, _mm_shuffle_epi8(v, mg[k]));
            B = _mm_or_si128(B, _mm_shuffle_epi8(v, mb[k]));
        }
        __m128i r16[2] = { _mm_unpacklo_epi8(R, zero), _mm_unpackhi_epi8(R, zero) };
        __m128i g16[2] = { _mm_unpacklo_epi8(G, zero), _mm_unpackhi_epi8(G, zero) };
        __m128i b16[2] = { _mm_unpacklo_epi8(B, zero), _mm_unpackhi_epi8(B, zero) };
        __m128i y16[2];
        for (int h = 0; h < 2; h++) {
            __m128i lo = luma4(_mm_unpacklo_epi16(r16[h], g16[h]),
                               _mm_unpacklo_epi16(b16[h], one), w_rg, w_b1);
            __m128i hi = luma4(_mm_unpackhi_epi16(r16[h], g16[h]),
                               _mm_unpackhi_epi16(b16[h], one), w_rg, w_b1);
            y16[h] = _mm_packs_epi32(lo, hi);
        }
        _mm_storeu_si128((__m128i *)(luma + x), _mm_packus_epi16(y16[0], y16[1]));
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
