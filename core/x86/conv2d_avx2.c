/* conv2d kernels for AVX2 + FMA: the convolution (8 floats per ymm, 4 output
 * channels x 2 vectors of accumulators in the 16 ymm registers, tails by
 * maskload/maskstore) and the stride-2 column split. */
#include "vec_avx2.h"
#define OCB 4
#define DWR 4
#define XVB 2
#define KERNEL_NAME cnn_conv2d_kernel_avx2
#define KERNEL_DW_NAME cnn_conv2d_kernel_dw_avx2
#include "conv2d_template.h"

void cnn_conv2d_split2_avx2(const float *src, int n, float *even, float *odd)
{
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256 a = _mm256_loadu_ps(src + i), b = _mm256_loadu_ps(src + i + 8);
        /* a0 a2 b0 b2 | a4 a6 b4 b6, then 64-bit lanes 0 2 1 3 */
        __m256 e = _mm256_shuffle_ps(a, b, 0x88), o = _mm256_shuffle_ps(a, b, 0xdd);
        _mm256_storeu_ps(even + i / 2,
                         _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(e), 0xd8)));
        _mm256_storeu_ps(odd + i / 2,
                         _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(o), 0xd8)));
    }
    cnn_conv2d_split2_c(src + i, n - i, even + i / 2, odd + i / 2);
}
