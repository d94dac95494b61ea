/* AVX-512 (F, BW) pixel rows, 64 pixels per step. Luma: each 128-bit
 * lane takes four pixels (vpermd moves 12 bytes of RGB, or 16 of RGBx, into
 * it), a byte shuffle makes each pixel one 32-bit lane (R, G, B, 0), and the
 * 14-bit weights are split as w = 128 * hi + lo with hi, lo < 128, so two
 * pmaddubsw never saturate (at most 255 * 113) and two pmaddwd sum each
 * pixel exactly: the result equals the C reference bit for bit. */
#include <immintrin.h>
#include <stdint.h>

#include "kernels.h"

/* (R, G, B, 0) of 16 pixels, one per 32-bit lane, from the 48 (step 3) or
 * 64 (step 4) bytes at px. */
static inline __m512i pixels16(const uint8_t *px, int step, __m512i lanes, __m512i shuf)
{
    __m512i v = step == 3 ? _mm512_maskz_loadu_epi8(0xffffffffffffull, px)
                          : _mm512_loadu_si512(px);
    return _mm512_shuffle_epi8(_mm512_permutexvar_epi32(lanes, v), shuf);
}

static inline __m512i luma16(__m512i rgb0, __m512i w_hi, __m512i w_lo, __m512i x128,
                             __m512i one, __m512i round)
{
    __m512i hi = _mm512_madd_epi16(_mm512_maddubs_epi16(rgb0, w_hi), x128);
    __m512i lo = _mm512_madd_epi16(_mm512_maddubs_epi16(rgb0, w_lo), one);
    return _mm512_srli_epi32(_mm512_add_epi32(_mm512_add_epi32(hi, lo), round), 14);
}

void cnn_pixels_luma_row_avx512(const uint8_t *px, uint8_t *luma, int width, int step, int r,
                                int g, int b)
{
    uint8_t shuf[64];
    for (int i = 0; i < 64; i++) {
        int pixel = (i & 15) / 4, c = i & 3;
        shuf[i] = c == 3 ? 0x80 : (uint8_t)(pixel * step + (c == 0 ? r : c == 1 ? g : b));
    }
    const __m512i vshuf = _mm512_loadu_si512(shuf);
    const __m512i lanes = step == 3 ? _mm512_setr_epi32(0, 1, 2, 3, 3, 4, 5, 6, 6, 7, 8, 9, 9,
                                                        10, 11, 12)
                                    : _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
                                                        12, 13, 14, 15);
    /* 4899 = 38 * 128 + 35, 9617 = 75 * 128 + 17, 1868 = 14 * 128 + 76 */
    const __m512i w_hi = _mm512_set1_epi32(14 << 16 | 75 << 8 | 38);
    const __m512i w_lo = _mm512_set1_epi32(76 << 16 | 17 << 8 | 35);
    const __m512i x128 = _mm512_set1_epi16(128), one = _mm512_set1_epi16(1);
    const __m512i round = _mm512_set1_epi32(1 << 13);
    /* packs leave each lane's four pixels of the four vectors in turn */
    const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11,
                                            15);
    int x = 0;
    for (; x + 64 <= width; x += 64, px += 64 * step) {
        __m512i y[4];
        for (int k = 0; k < 4; k++)
            y[k] = luma16(pixels16(px + 16 * k * step, step, lanes, vshuf), w_hi, w_lo, x128,
                          one, round);
        __m512i bytes = _mm512_packus_epi16(_mm512_packus_epi32(y[0], y[1]),
                                            _mm512_packus_epi32(y[2], y[3]));
        _mm512_storeu_si512(luma + x, _mm512_permutexvar_epi32(order, bytes));
    }
    for (; x + 16 <= width; x += 16, px += 16 * step) {
        __m512i y16 = luma16(pixels16(px, step, lanes, vshuf), w_hi, w_lo, x128, one, round);
        _mm_storeu_si128((__m128i *)(luma + x), _mm512_cvtepi32_epi8(y16));
    }
    cnn_pixels_luma_row_c(px, luma + x, width - x, step, r, g, b);
}

/* Gray into packed pixels, 64 pixels per step: 128-bit lane q of the
 * output (bytes 16q to 16q + 15) takes, by vpermd, the four dwords of gray
 * from d = min(p / 4, 12), p its first pixel, and its byte i is gray byte
 * (16q + i) / step - 4d by a byte shuffle (step 4: d = q). Step 4 stores
 * under a mask that leaves the byte keep alone. */
static const int32_t spread3_idx[3][16] = {
    { 0, 1, 2, 3, 1, 2, 3, 4, 2, 3, 4, 5, 4, 5, 6, 7 },
    { 5, 6, 7, 8, 6, 7, 8, 9, 8, 9, 10, 11, 9, 10, 11, 12 },
    { 10, 11, 12, 13, 12, 13, 14, 15, 12, 13, 14, 15, 12, 13, 14, 15 },
};
/* step 4: lane q takes dword q, its four pixels */
static const int32_t spread4_idx[4][16] = {
    { 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3 },
    { 4, 4, 4, 4, 5, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7, 7 },
    { 8, 8, 8, 8, 9, 9, 9, 9, 10, 10, 10, 10, 11, 11, 11, 11 },
    { 12, 12, 12, 12, 13, 13, 13, 13, 14, 14, 14, 14, 15, 15, 15, 15 },
};
static const uint8_t spread3_shuf[3][64] = {
    { 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6,
      6, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6, 7, 7, 7, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4,
      4, 5 },
    { 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6, 7, 7,
      7, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5,
      6, 6 },
    { 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6, 7, 7, 7, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4,
      5, 5, 5, 6, 6, 6, 7, 7, 7, 8, 8, 8, 9, 9, 9, 10, 10, 10, 11, 11, 11, 12, 12, 12, 13, 13, 13,
      14, 14, 14, 15, 15, 15 },
};
/* step 4: byte i of every lane is pixel i / 4 of its first dword */
static const uint8_t spread4_shuf[64] = {
    0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3,
    3, 3, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
    3, 3, 3, 3,
};

void cnn_pixels_spread_row_avx512(const uint8_t *gray, uint8_t *px, int width, int step,
                                  int keep)
{
    __m512i vidx[4], vshuf[4];
    for (int j = 0; j < step; j++) {
        vidx[j] = _mm512_loadu_si512(step == 3 ? spread3_idx[j] : spread4_idx[j]);
        vshuf[j] = _mm512_loadu_si512(step == 3 ? spread3_shuf[j] : spread4_shuf);
    }
    __mmask64 store = step == 4 && keep >= 0 ? ~(0x1111111111111111ull << keep) : ~0ull;
    int x = 0;
    for (; x + 64 <= width; x += 64, px += 64 * step) {
        __m512i g = _mm512_loadu_si512(gray + x);
        for (int j = 0; j < step; j++) {
            __m512i v = _mm512_shuffle_epi8(_mm512_permutexvar_epi32(vidx[j], g), vshuf[j]);
            if (store == ~0ull) /* plain stores: masked ones are slow on some cores */
                _mm512_storeu_si512(px + 64 * j, v);
            else
                _mm512_mask_storeu_epi8(px + 64 * j, store, v);
        }
    }
    cnn_pixels_spread_row_c(gray + x, px, width - x, step, keep);
}
