/* Standard normals, AVX2: eight Philox blocks (32 normals) per step, the
 * operations of cnn_normals_c (ops/normals.c) one for one on all lanes;
 * even lanes give r, odd lanes the sine and cosine, then pairs combine. */
#include "kernels.h"
#include "ops/normals_poly.h"
#include "vec_avx2.h"
#include "philox_template.h"

/* Lane j on block 2 * (j % 4) + j / 4 of the step (philox_template.h). */
#define LANE_BLOCK _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7)

/* Eight normals from eight words in order (four pairs). */
static inline __m256 normals8(__m256i words)
{
    const __m256 one = _mm256_set1_ps(1.0f);
    __m256 k = _mm256_cvtepi32_ps(_mm256_srli_epi32(words, 8));
    __m256 u1 = _mm256_mul_ps(_mm256_add_ps(k, one), _mm256_set1_ps(1.0f / 16777216.0f));
    __m256 u2 = _mm256_mul_ps(k, _mm256_set1_ps(1.0f / 16777216.0f));

    __m256i bits = _mm256_castps_si256(u1);
    __m256 e = _mm256_cvtepi32_ps(_mm256_sub_epi32(_mm256_srli_epi32(bits, 23),
                                                   _mm256_set1_epi32(127)));
    __m256 m = _mm256_castsi256_ps(_mm256_or_si256(
        _mm256_and_si256(bits, _mm256_set1_epi32(0x7fffff)), _mm256_set1_epi32(0x3f800000)));
    __m256 big = _mm256_cmp_ps(m, _mm256_set1_ps(NORMALS_SQRT2), _CMP_GT_OQ);
    m = _mm256_blendv_ps(m, _mm256_mul_ps(m, _mm256_set1_ps(0.5f)), big);
    e = _mm256_add_ps(e, _mm256_and_ps(big, one));
    __m256 t = _mm256_div_ps(_mm256_sub_ps(m, one), _mm256_add_ps(m, one));
    __m256 t2 = _mm256_mul_ps(t, t);
    __m256 p = _mm256_add_ps(_mm256_set1_ps(NORMALS_L7),
                             _mm256_mul_ps(t2, _mm256_set1_ps(NORMALS_L9)));
    p = _mm256_add_ps(_mm256_set1_ps(NORMALS_L5), _mm256_mul_ps(t2, p));
    p = _mm256_add_ps(_mm256_set1_ps(NORMALS_L3), _mm256_mul_ps(t2, p));
    p = _mm256_add_ps(one, _mm256_mul_ps(t2, p));
    __m256 ln = _mm256_add_ps(_mm256_mul_ps(e, _mm256_set1_ps(NORMALS_LN2)),
                              _mm256_mul_ps(_mm256_add_ps(t, t), p));
    __m256 r = _mm256_sqrt_ps(_mm256_mul_ps(_mm256_set1_ps(-2.0f), ln));

    __m256 q = _mm256_mul_ps(u2, _mm256_set1_ps(4.0f));
    __m256i j = _mm256_cvttps_epi32(_mm256_add_ps(q, _mm256_set1_ps(0.5f)));
    __m256 x = _mm256_mul_ps(_mm256_sub_ps(q, _mm256_cvtepi32_ps(j)),
                             _mm256_set1_ps(NORMALS_HALF_PI));
    __m256 x2 = _mm256_mul_ps(x, x);
    __m256 s = _mm256_add_ps(_mm256_set1_ps(NORMALS_S7),
                             _mm256_mul_ps(x2, _mm256_set1_ps(NORMALS_S9)));
    s = _mm256_add_ps(_mm256_set1_ps(NORMALS_S5), _mm256_mul_ps(x2, s));
    s = _mm256_add_ps(_mm256_set1_ps(NORMALS_S3), _mm256_mul_ps(x2, s));
    s = _mm256_add_ps(x, _mm256_mul_ps(_mm256_mul_ps(x, x2), s));
    __m256 c = _mm256_add_ps(_mm256_set1_ps(NORMALS_C8),
                             _mm256_mul_ps(x2, _mm256_set1_ps(NORMALS_C10)));
    c = _mm256_add_ps(_mm256_set1_ps(NORMALS_C6), _mm256_mul_ps(x2, c));
    c = _mm256_add_ps(_mm256_set1_ps(NORMALS_C4), _mm256_mul_ps(x2, c));
    c = _mm256_add_ps(_mm256_set1_ps(NORMALS_C2), _mm256_mul_ps(x2, c));
    c = _mm256_add_ps(one, _mm256_mul_ps(x2, c));

    /* Quadrant j & 3: odd ones swap sine and cosine; the cosine is negated
     * in quadrants 1 and 2 (bit 1 of j + 1), the sine in 2 and 3 (bit 1). */
    __m256i jq = _mm256_and_si256(j, _mm256_set1_epi32(3));
    __m256 swap = _mm256_castsi256_ps(_mm256_cmpeq_epi32(
        _mm256_and_si256(jq, _mm256_set1_epi32(1)), _mm256_set1_epi32(1)));
    __m256i two = _mm256_set1_epi32(2);
    __m256 cneg = _mm256_castsi256_ps(
        _mm256_slli_epi32(_mm256_and_si256(_mm256_add_epi32(jq, _mm256_set1_epi32(1)), two), 30));
    __m256 sneg = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_and_si256(jq, two), 30));
    __m256 cs = _mm256_xor_ps(_mm256_blendv_ps(c, s, swap), cneg);
    __m256 sn = _mm256_xor_ps(_mm256_blendv_ps(s, c, swap), sneg);

    /* Pair (2i, 2i + 1): r of lane 2i times cos, sin of lane 2i + 1. */
    __m256 trig = _mm256_blend_ps(_mm256_movehdup_ps(cs), _mm256_movehdup_ps(sn), 0xAA);
    return _mm256_mul_ps(_mm256_moveldup_ps(r), trig);
}

void cnn_normals_avx2(float *out, size_t n_blocks, uint64_t seed, uint64_t purpose,
                      uint64_t first_block)
{
    size_t b = 0;
    for (; b + VLEN <= n_blocks; b += VLEN) {
        uint64_t block = first_block + b;
        if ((uint32_t)block > UINT32_MAX - (VLEN - 1)) /* the low counter word would carry */
            break;
        __m256i r[4];
        philox(veci_add(veci_set1((uint32_t)block), LANE_BLOCK), (uint32_t)(block >> 32), seed,
               purpose, r);
        for (int q = 0; q < 4; q++)
            _mm256_storeu_ps(out + 4 * b + (size_t)q * VLEN, normals8(r[q]));
    }
    cnn_normals_c(out + 4 * b, n_blocks - b, seed, purpose, first_block + b);
}
