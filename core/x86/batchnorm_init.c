/* Batch normalisation kernels for x86, in ascending ISA order. */
#include "cnn/cpu.h"
#include "kernels.h"

void cnn_batchnorm_init_x86(cnn_kernels *k, unsigned cpu_flags)
{
    if (cpu_flags & CNN_CPU_AVX2) {
        k->bn_stats = cnn_bn_stats_avx2;
        k->scale_shift = cnn_scale_shift_avx2;
        k->bn_grad_sums = cnn_bn_grad_sums_avx2;
        k->bn_backward_dx = cnn_bn_backward_dx_avx2;
    }
    if (cpu_flags & CNN_CPU_AVX512) {
        k->bn_stats = cnn_bn_stats_avx512;
        k->scale_shift = cnn_scale_shift_avx512;
        k->bn_grad_sums = cnn_bn_grad_sums_avx512;
        k->bn_backward_dx = cnn_bn_backward_dx_avx512;
    }
}
