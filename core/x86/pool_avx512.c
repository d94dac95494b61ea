/* AVX-512 pooling kernels (F + BW): 16 float or 64 byte outputs at a time,
 * from pool_template.h. Stride-2 columns are gathered in order by a
 * two-source permute, so no fix-up follows the fold. */
#include "vec_avx512.h"

#define pool_even(lo, hi)                                                                  \
    _mm512_permutex2var_ps(lo,                                                             \
                           _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, \
                                             26, 28, 30),                                  \
                           hi)
#define pool_odd(lo, hi)                                                                   \
    _mm512_permutex2var_ps(lo,                                                             \
                           _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, \
                                             27, 29, 31),                                  \
                           hi)
#define pool_even_lone(lo, hi1)                                                            \
    _mm512_permutex2var_ps(lo,                                                             \
                           _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 17, 19, 21, 23, 25, \
                                             27, 29, 31),                                  \
                           hi1)
#define pool_in_order(v) (v)
#define pool_in_order_i(v) (v)
/* argmax bookkeeping: lanes where a pred b, int32 lanes of a where m is set */
#define pool_cmp(a, b, pred) _mm512_cmp_ps_mask(a, b, pred)
#define pool_select_i(m, a, b) _mm512_mask_mov_epi32(b, m, a)
#define pool_storeu_i(p, v) _mm512_storeu_si512(p, v)
#define pool_store_mask_i(p, m, v) _mm512_mask_storeu_epi32(p, m, v)
#define pool_mask_any(m) ((m) != 0)

#include "pool_template.h"

void cnn_pool2d_init_avx512(cnn_kernels *k)
{
    k->pool2d = pool2d_f32_avx512;
    k->pool2d_u8 = pool2d_u8_avx512;
}
