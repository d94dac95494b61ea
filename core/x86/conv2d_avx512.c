/* conv2d kernels for AVX-512: the convolution (16 floats per zmm, 8 output
 * channels x 3 vectors (48 columns) of accumulators, tails by lane masks)
 * and the stride-2 column split. */
#include "vec_avx512.h"
#define OCB 8
#define DWR 4
#define XVB 3
#define KERNEL_NAME cnn_conv2d_kernel_avx512
#define KERNEL_DW_NAME cnn_conv2d_kernel_dw_avx512
#include "conv2d_template.h"

void cnn_conv2d_split2_avx512(const float *src, int n, float *even, float *odd)
{
    const __m512i ie = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26,
                                         28, 30);
    const __m512i io = _mm512_add_epi32(ie, _mm512_set1_epi32(1));
    int i = 0;
    for (; i + 32 <= n; i += 32, src += 32) {
        __m512 a = _mm512_loadu_ps(src), b = _mm512_loadu_ps(src + 16);
        _mm512_storeu_ps(even + i / 2, _mm512_permutex2var_ps(a, ie, b));
        _mm512_storeu_ps(odd + i / 2, _mm512_permutex2var_ps(a, io, b));
    }
    int m = n - i; /* 0..31 floats left */
    if (m > 0) {
        __m512 a = _mm512_maskz_loadu_ps(vec_mask(m < 16 ? m : 16), src);
        __m512 b = m > 16 ? _mm512_maskz_loadu_ps(vec_mask(m - 16), src + 16)
                          : _mm512_setzero_ps();
        _mm512_mask_storeu_ps(even + i / 2, vec_mask((m + 1) / 2),
                              _mm512_permutex2var_ps(a, ie, b));
        if (m > 1)
            _mm512_mask_storeu_ps(odd + i / 2, vec_mask(m / 2),
                                  _mm512_permutex2var_ps(a, io, b));
    }
}
