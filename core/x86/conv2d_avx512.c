/* conv2d kernel for AVX-512: 16 floats per zmm, 8 output channels x 3
 * vectors (48 columns) of accumulators, tails by lane masks. */
#include <immintrin.h>

#define VEC __m512
#define VLEN 16
#define MASK __mmask16
#define vec_mask(n) ((__mmask16)((1u << (n)) - 1))
#define vec_zero() _mm512_setzero_ps()
#define vec_set1(x) _mm512_set1_ps(x)
#define vec_bcast(p) _mm512_set1_ps(*(p))
#define vec_loadu(p) _mm512_loadu_ps(p)
#define vec_fmadd(a, b, c) _mm512_fmadd_ps(a, b, c)
#define vec_storeu(p, v) _mm512_storeu_ps(p, v)
#define vec_load_mask(p, m) _mm512_maskz_loadu_ps(m, p)
#define vec_store_mask(p, m, v) _mm512_mask_storeu_ps(p, m, v)
#define OCB 8
#define XVB 3
#define KERNEL_NAME cnn_conv2d_kernel_avx512
#include "conv2d_template.h"
