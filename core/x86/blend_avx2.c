/* Blend of 8-bit values with a constant, AVX2: 32 values per step, the
 * float arithmetic of cnn_blend_u8_c; truncation, then the signed and
 * unsigned saturating packs clamp to 0..255 (|a x + b| < 2^31). */
#include <immintrin.h>

#include "kernels.h"

static inline __m256i blend8(const uint8_t *s, __m256 a, __m256 b)
{
    __m256 x = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)s)));
    return _mm256_cvttps_epi32(_mm256_add_ps(_mm256_mul_ps(a, x), b));
}

void cnn_blend_u8_avx2(const uint8_t *s, uint8_t *d, int n, float a, float b)
{
    __m256 va = _mm256_set1_ps(a), vb = _mm256_set1_ps(b);
    int i = 0;
    for (; i + 32 <= n; i += 32) {
        __m256i w0 = _mm256_packs_epi32(blend8(s + i, va, vb), blend8(s + i + 8, va, vb));
        __m256i w1 = _mm256_packs_epi32(blend8(s + i + 16, va, vb), blend8(s + i + 24, va, vb));
        /* The in-lane packs interleave the 8-value groups: restore the order. */
        __m256i bytes = _mm256_packus_epi16(w0, w1);
        bytes = _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
        _mm256_storeu_si256((__m256i *)(d + i), bytes);
    }
    cnn_blend_u8_c(s + i, d + i, n - i, a, b);
}
