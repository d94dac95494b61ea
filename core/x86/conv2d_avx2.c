/* conv2d kernel for AVX2 + FMA: 8 floats per ymm, 4 output channels x 2
 * vectors of accumulators (16 ymm registers), tails by maskload/maskstore. */
#include <immintrin.h>

#define VEC __m256
#define VLEN 8
#define MASK __m256i
/* Lane i is on when i < n. */
#define vec_mask(n) \
    _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))
#define vec_zero() _mm256_setzero_ps()
#define vec_set1(x) _mm256_set1_ps(x)
#define vec_bcast(p) _mm256_broadcast_ss(p)
#define vec_loadu(p) _mm256_loadu_ps(p)
#define vec_fmadd(a, b, c) _mm256_fmadd_ps(a, b, c)
#define vec_storeu(p, v) _mm256_storeu_ps(p, v)
#define vec_load_mask(p, m) _mm256_maskload_ps(p, m)
#define vec_store_mask(p, m, v) _mm256_maskstore_ps(p, m, v)
#define OCB 4
#define XVB 2
#define KERNEL_NAME cnn_conv2d_kernel_avx2
#include "conv2d_template.h"
