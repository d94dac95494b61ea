/* Standard normals, AVX2: eight Philox blocks (32 normals) per step, the
 * operations of cnn_normals_c (ops/normals.c) one for one: the first words
 * of 8 pairs give r, the second words the sine and cosine. */
#include "kernels.h"
#include "ops/normals_poly.h"
#include "vec_avx2.h"
#include "philox_template.h"

/* Lane j on block 2 * (j % 4) + j / 4 of the step (philox_template.h). */
#define LANE_BLOCK _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7)

/* Sixteen normals from sixteen words in order (eight pairs): lo gets the
 * normals of the words of a, hi those of b. */
static inline void normals16(__m256i a, __m256i b, float *lo, float *hi)
{
    const __m256 one = _mm256_set1_ps(1.0f);
    /* First and second words of the pairs, lanes [0 1 4 5 | 2 3 6 7]. */
    __m256 fa = _mm256_castsi256_ps(a), fb = _mm256_castsi256_ps(b);
    __m256i first = _mm256_castps_si256(_mm256_shuffle_ps(fa, fb, _MM_SHUFFLE(2, 0, 2, 0)));
    __m256i second = _mm256_castps_si256(_mm256_shuffle_ps(fa, fb, _MM_SHUFFLE(3, 1, 3, 1)));
    __m256 u1 = _mm256_mul_ps(_mm256_add_ps(_mm256_cvtepi32_ps(_mm256_srli_epi32(first, 8)), one),
                              _mm256_set1_ps(1.0f / 16777216.0f));
    __m256 u2 = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_srli_epi32(second, 8)),
                              _mm256_set1_ps(1.0f / 16777216.0f));

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

    /* Pair i gives r cos, r sin; interleaving restores the word order. */
    __m256 rc = _mm256_mul_ps(r, cs), rs = _mm256_mul_ps(r, sn);
    _mm256_storeu_ps(lo, _mm256_unpacklo_ps(rc, rs));
    _mm256_storeu_ps(hi, _mm256_unpackhi_ps(rc, rs));
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
        float *o = out + 4 * b;
        normals16(r[0], r[1], o, o + VLEN);
        normals16(r[2], r[3], o + 2 * VLEN, o + 3 * VLEN);
    }
    cnn_normals_c(out + 4 * b, n_blocks - b, seed, purpose, first_block + b);
}

/* Eight pixels' worth (24 values) in memory order: vector v holds elements
 * 8v .. 8v + 7, element i is channel i % 3 of pixel i / 3. */
static inline void noise_rgb8(const uint8_t *s, uint8_t *d, __m256 n0, __m256 n1, __m256 n2,
                              __m256 std, int v, __m256i pixel, int from_n1, int from_n2)
{
    __m256 n = _mm256_permutevar8x32_ps(n0, pixel);
    n = _mm256_blendv_ps(n, _mm256_permutevar8x32_ps(n1, pixel),
                         _mm256_castsi256_ps(_mm256_setr_epi32(
                             -(from_n1 & 1), -(from_n1 >> 1 & 1), -(from_n1 >> 2 & 1),
                             -(from_n1 >> 3 & 1), -(from_n1 >> 4 & 1), -(from_n1 >> 5 & 1),
                             -(from_n1 >> 6 & 1), -(from_n1 >> 7 & 1))));
    n = _mm256_blendv_ps(n, _mm256_permutevar8x32_ps(n2, pixel),
                         _mm256_castsi256_ps(_mm256_setr_epi32(
                             -(from_n2 & 1), -(from_n2 >> 1 & 1), -(from_n2 >> 2 & 1),
                             -(from_n2 >> 3 & 1), -(from_n2 >> 4 & 1), -(from_n2 >> 5 & 1),
                             -(from_n2 >> 6 & 1), -(from_n2 >> 7 & 1))));
    __m256 src = _mm256_cvtepi32_ps(
        _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(s + 8 * v))));
    /* cvtps rounds half to even; the packs saturate to 0..255. */
    __m256i i = _mm256_cvtps_epi32(_mm256_add_ps(src, _mm256_mul_ps(std, n)));
    __m256i b = _mm256_packus_epi16(_mm256_packs_epi32(i, i), _mm256_packs_epi32(i, i));
    b = _mm256_permutevar8x32_epi32(b, _mm256_setr_epi32(0, 4, 0, 0, 0, 0, 0, 0));
    _mm_storel_epi64((__m128i *)(d + 8 * v), _mm256_castsi256_si128(b));
}

void cnn_noise_rgb_u8_avx2(const uint8_t *s, uint8_t *d, const float *n0, const float *n1,
                           const float *n2, int w, float std)
{
    __m256 vstd = _mm256_set1_ps(std);
    const __m256i p0 = _mm256_setr_epi32(0, 0, 0, 1, 1, 1, 2, 2);
    const __m256i p1 = _mm256_setr_epi32(2, 3, 3, 3, 4, 4, 4, 5);
    const __m256i p2 = _mm256_setr_epi32(5, 5, 6, 6, 6, 7, 7, 7);
    int x = 0;
    for (; x + 8 <= w; x += 8) {
        __m256 a = _mm256_loadu_ps(n0 + x), b = _mm256_loadu_ps(n1 + x);
        __m256 c = _mm256_loadu_ps(n2 + x);
        /* Pixels p0..p2 of the lanes, and their channels: v0 0 1 2 0 1 2 0 1,
         * v1 2 0 1 2 0 1 2 0, v2 1 2 0 1 2 0 1 2 (masks: bit k for lane k). */
        noise_rgb8(s + 3 * x, d + 3 * x, a, b, c, vstd, 0, p0, 0x92, 0x24);
        noise_rgb8(s + 3 * x, d + 3 * x, a, b, c, vstd, 1, p1, 0x24, 0x49);
        noise_rgb8(s + 3 * x, d + 3 * x, a, b, c, vstd, 2, p2, 0x49, 0x92);
    }
    cnn_noise_rgb_u8_c(s + 3 * x, d + 3 * x, n0 + x, n1 + x, n2 + x, w - x, std);
}
