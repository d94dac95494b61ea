/* Element dropout, AVX-512: Philox4x32-10 on 16 blocks at once, 64 elements
 * per step, bit-identical to cnn_rng_block(). Lane j computes block
 * 4 * (j % 4) + j / 4 of the step, so the in-lane 4x4 transpose of the four
 * output words leaves the 64 words in element order without crossing
 * 128-bit lanes. */
#include <immintrin.h>
#include <string.h>

#include "kernels.h"

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

/* hi and lo 32 bits of the 32x32 products a * m, per lane. */
static void mulhilo16(__m512i a, __m512i m, __m512i *hi, __m512i *lo)
{
    __m512i even = _mm512_mul_epu32(a, m);
    __m512i odd = _mm512_mul_epu32(_mm512_srli_epi64(a, 32), m);
    *hi = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 32), odd);
    *lo = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
}

static void philox16(__m512i c0, uint32_t hi_block, uint64_t seed, uint64_t purpose,
                     __m512i r[4])
{
    __m512i c1 = _mm512_set1_epi32((int)hi_block);
    __m512i c2 = _mm512_set1_epi32((int)(uint32_t)purpose);
    __m512i c3 = _mm512_set1_epi32((int)(uint32_t)(purpose >> 32));
    __m512i m0 = _mm512_set1_epi32((int)PHILOX_M0), m1 = _mm512_set1_epi32((int)PHILOX_M1);
    uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
    for (int round = 0; round < 10; round++) {
        __m512i hi0, lo0, hi1, lo1;
        mulhilo16(c0, m0, &hi0, &lo0);
        mulhilo16(c2, m1, &hi1, &lo1);
        c0 = _mm512_xor_si512(_mm512_xor_si512(hi1, c1), _mm512_set1_epi32((int)k0));
        c1 = lo1;
        c2 = _mm512_xor_si512(_mm512_xor_si512(hi0, c3), _mm512_set1_epi32((int)k1));
        c3 = lo0;
        k0 += PHILOX_W0;
        k1 += PHILOX_W1;
    }
    __m512i t0 = _mm512_unpacklo_epi32(c0, c1), t1 = _mm512_unpacklo_epi32(c2, c3);
    __m512i t2 = _mm512_unpackhi_epi32(c0, c1), t3 = _mm512_unpackhi_epi32(c2, c3);
    r[0] = _mm512_unpacklo_epi64(t0, t1);
    r[1] = _mm512_unpackhi_epi64(t0, t1);
    r[2] = _mm512_unpacklo_epi64(t2, t3);
    r[3] = _mm512_unpackhi_epi64(t2, t3);
}

void cnn_dropout_avx512(const float *x, float *y, uint8_t *mask, size_t n, uint64_t seed,
                        uint64_t purpose, uint64_t first, uint32_t threshold, float scale)
{
    /* Scalar until the position starts a block. */
    size_t i = (4 - (first & 3)) & 3;
    if (i > n)
        i = n;
    cnn_dropout_c(x, y, mask, i, seed, purpose, first, threshold, scale);
    const __m512i lane_block = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7,
                                                 11, 15);
    __m512i thr = _mm512_set1_epi32((int)threshold);
    __m512 vscale = _mm512_set1_ps(scale);
    __m128i ones = _mm_set1_epi8(1);
    for (; i + 64 <= n; i += 64) {
        uint64_t block = (first + i) >> 2;
        if ((uint32_t)block > UINT32_MAX - 15) /* the low counter word would carry */
            break;
        __m512i r[4];
        philox16(_mm512_add_epi32(_mm512_set1_epi32((int)(uint32_t)block), lane_block),
                 (uint32_t)(block >> 32), seed, purpose, r);
        for (int q = 0; q < 4; q++) {
            __mmask16 kept = _mm512_cmpge_epu32_mask(r[q], thr);
            size_t o = i + 16 * (size_t)q;
            _mm512_storeu_ps(y + o, _mm512_maskz_mul_ps(kept, _mm512_loadu_ps(x + o), vscale));
            if (mask)
                _mm_storeu_si128((__m128i *)(mask + o), _mm_maskz_mov_epi8(kept, ones));
        }
    }
    cnn_dropout_c(x + i, y + i, mask ? mask + i : NULL, n - i, seed, purpose, first + i,
                  threshold, scale);
}
