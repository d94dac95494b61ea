/* Element dropout, AVX2: 32 elements per step (dropout_template.h). */
#include <string.h>

#include "kernels.h"
#include "vec_avx2.h"

#define LANE_BLOCK _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7)

static inline void store_kept(const float *x, float *y, uint8_t *mask, __m256i words,
                              __m256i threshold, __m256 scale)
{
    /* words >= threshold, unsigned: max(words, threshold) == words */
    __m256i kept = _mm256_cmpeq_epi32(_mm256_max_epu32(words, threshold), words);
    __m256 v = _mm256_mul_ps(_mm256_loadu_ps(x), scale);
    _mm256_storeu_ps(y, _mm256_and_ps(v, _mm256_castsi256_ps(kept)));
    if (!mask)
        return;
    /* 0/1 per lane, packed to bytes within each 128-bit lane */
    __m256i bits = _mm256_and_si256(kept, _mm256_set1_epi32(1));
    __m256i words16 = _mm256_packus_epi32(bits, bits);
    __m256i bytes = _mm256_packus_epi16(words16, words16);
    uint32_t lo = (uint32_t)_mm_cvtsi128_si32(_mm256_castsi256_si128(bytes));
    uint32_t hi = (uint32_t)_mm_cvtsi128_si32(_mm256_extracti128_si256(bytes, 1));
    memcpy(mask, &lo, 4);
    memcpy(mask + 4, &hi, 4);
}

#include "dropout_template.h"
