/* AVX2 pooling kernels: 8 float or 32 byte outputs at a time, from
 * pool_template.h. Stride-2 columns: shufps takes the even (odd) floats of
 * two vectors within each 128-bit lane, leaving 64-bit chunks in the order
 * 0, 2, 1, 3, which one permute puts back after the fold (of the argmax
 * offsets too). */
#include "vec_avx2.h"

#define pool_even(lo, hi) _mm256_shuffle_ps(lo, hi, 0x88)
#define pool_odd(lo, hi) _mm256_shuffle_ps(lo, hi, 0xDD)
#define pool_even_lone(lo, hi1) _mm256_shuffle_ps(lo, hi1, 0xD8)
#define pool_in_order(v) _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(v), 0xD8))
#define pool_in_order_i(v) _mm256_permute4x64_epi64(v, 0xD8)
/* argmax bookkeeping: lanes where a pred b, int32 lanes of a where m is set */
#define pool_cmp(a, b, pred) _mm256_castps_si256(_mm256_cmp_ps(a, b, pred))
#define pool_select_i(m, a, b)                                                          \
    _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(b), _mm256_castsi256_ps(a), \
                                         _mm256_castsi256_ps(m)))
#define pool_storeu_i(p, v) _mm256_storeu_si256((__m256i *)(p), v)
#define pool_store_mask_i(p, m, v) _mm256_maskstore_epi32(p, m, v)
#define pool_mask_any(m) (!_mm256_testz_si256(m, m))

#include "pool_template.h"

void cnn_pool2d_init_avx2(cnn_kernels *k)
{
    k->pool2d = pool2d_f32_avx2;
    k->pool2d_u8 = pool2d_u8_avx2;
}
