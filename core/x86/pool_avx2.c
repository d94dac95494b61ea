/* AVX2 pooling kernels: 8 float or 32 byte outputs at a time, from
 * pool_template.h. Stride-2 columns: shufps takes the even (odd) floats of
 * two vectors within each 128-bit lane, leaving 64-bit chunks in the order
 * 0, 2, 1, 3, which one permute puts back after the fold. */
#include "vec_avx2.h"

#define pool_even(lo, hi) _mm256_shuffle_ps(lo, hi, 0x88)
#define pool_odd(lo, hi) _mm256_shuffle_ps(lo, hi, 0xDD)
#define pool_even_lone(lo, hi1) _mm256_shuffle_ps(lo, hi1, 0xD8)
#define pool_in_order(v) _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(v), 0xD8))

#include "pool_template.h"

void cnn_pool2d_init_avx2(cnn_kernels *k)
{
    k->pool2d = pool2d_f32_avx2;
    k->pool2d_u8 = pool2d_u8_avx2;
}
