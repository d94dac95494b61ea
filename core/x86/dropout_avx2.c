/* Element dropout, AVX2: Philox4x32-10 on 8 blocks at once, 32 elements per
 * step, bit-identical to cnn_rng_block(). Lane j computes block
 * 2 * (j % 4) + j / 4 of the step, so the in-lane 4x4 transpose of the four
 * output words leaves the 32 words in element order. */
#include <immintrin.h>
#include <string.h>

#include "kernels.h"

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

static void mulhilo8(__m256i a, __m256i m, __m256i *hi, __m256i *lo)
{
    __m256i even = _mm256_mul_epu32(a, m);
    __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), m);
    *hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
    *lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
}

static void philox8(__m256i c0, uint32_t hi_block, uint64_t seed, uint64_t purpose,
                    __m256i r[4])
{
    __m256i c1 = _mm256_set1_epi32((int)hi_block);
    __m256i c2 = _mm256_set1_epi32((int)(uint32_t)purpose);
    __m256i c3 = _mm256_set1_epi32((int)(uint32_t)(purpose >> 32));
    __m256i m0 = _mm256_set1_epi32((int)PHILOX_M0), m1 = _mm256_set1_epi32((int)PHILOX_M1);
    uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
    for (int round = 0; round < 10; round++) {
        __m256i hi0, lo0, hi1, lo1;
        mulhilo8(c0, m0, &hi0, &lo0);
        mulhilo8(c2, m1, &hi1, &lo1);
        c0 = _mm256_xor_si256(_mm256_xor_si256(hi1, c1), _mm256_set1_epi32((int)k0));
        c1 = lo1;
        c2 = _mm256_xor_si256(_mm256_xor_si256(hi0, c3), _mm256_set1_epi32((int)k1));
        c3 = lo0;
        k0 += PHILOX_W0;
        k1 += PHILOX_W1;
    }
    __m256i t0 = _mm256_unpacklo_epi32(c0, c1), t1 = _mm256_unpacklo_epi32(c2, c3);
    __m256i t2 = _mm256_unpackhi_epi32(c0, c1), t3 = _mm256_unpackhi_epi32(c2, c3);
    r[0] = _mm256_unpacklo_epi64(t0, t1);
    r[1] = _mm256_unpackhi_epi64(t0, t1);
    r[2] = _mm256_unpacklo_epi64(t2, t3);
    r[3] = _mm256_unpackhi_epi64(t2, t3);
}

/* 8 bytes of 0/1 from 8 lanes of all-ones/zero. */
static void store_mask8(uint8_t *dst, __m256i kept)
{
    __m256i bits = _mm256_and_si256(kept, _mm256_set1_epi32(1));
    __m256i words = _mm256_packus_epi32(bits, bits);
    __m256i w = _mm256_packus_epi16(words, words);
    uint32_t lo = (uint32_t)_mm_cvtsi128_si32(_mm256_castsi256_si128(w));
    uint32_t hi = (uint32_t)_mm_cvtsi128_si32(_mm256_extracti128_si256(w, 1));
    memcpy(dst, &lo, 4);
    memcpy(dst + 4, &hi, 4);
}

void cnn_dropout_avx2(const float *x, float *y, uint8_t *mask, size_t n, uint64_t seed,
                      uint64_t purpose, uint64_t first, uint32_t threshold, float scale)
{
    size_t i = (4 - (first & 3)) & 3;
    if (i > n)
        i = n;
    cnn_dropout_c(x, y, mask, i, seed, purpose, first, threshold, scale);
    const __m256i lane_block = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
    __m256i thr = _mm256_set1_epi32((int)threshold);
    __m256 vscale = _mm256_set1_ps(scale);
    for (; i + 32 <= n; i += 32) {
        uint64_t block = (first + i) >> 2;
        if ((uint32_t)block > UINT32_MAX - 7) /* the low counter word would carry */
            break;
        __m256i r[4];
        philox8(_mm256_add_epi32(_mm256_set1_epi32((int)(uint32_t)block), lane_block),
                (uint32_t)(block >> 32), seed, purpose, r);
        for (int q = 0; q < 4; q++) {
            /* u >= threshold, unsigned: max(u, threshold) == u */
            __m256i kept = _mm256_cmpeq_epi32(_mm256_max_epu32(r[q], thr), r[q]);
            size_t o = i + 8 * (size_t)q;
            __m256 v = _mm256_mul_ps(_mm256_loadu_ps(x + o), vscale);
            _mm256_storeu_ps(y + o, _mm256_and_ps(v, _mm256_castsi256_ps(kept)));
            if (mask)
                store_mask8(mask + o, kept);
        }
    }
    cnn_dropout_c(x + i, y + i, mask ? mask + i : NULL, n - i, seed, purpose, first + i,
                  threshold, scale);
}
