/* Element dropout, AVX-512: 64 elements per step (dropout_template.h). */
#include "kernels.h"
#include "vec_avx512.h"

#define LANE_BLOCK _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15)

static inline void store_kept(const float *x, float *y, uint8_t *mask, __m512i words,
                              __m512i threshold, __m512 scale)
{
    __mmask16 kept = _mm512_cmpge_epu32_mask(words, threshold);
    _mm512_storeu_ps(y, _mm512_maskz_mul_ps(kept, _mm512_loadu_ps(x), scale));
    if (mask)
        _mm_storeu_si128((__m128i *)mask, _mm_maskz_mov_epi8(kept, _mm_set1_epi8(1)));
}

#include "dropout_template.h"
