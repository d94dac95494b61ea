/* Point the conv2d entries at the best SIMD kernels the CPU flags allow,
 * in ascending ISA order. Compiled without ISA flags. */
#include "cnn/cpu.h"
#include "kernels.h"

void cnn_conv2d_init_x86(cnn_kernels *k, unsigned cpu_flags)
{
    if (cpu_flags & CNN_CPU_AVX2) {
        k->conv2d = cnn_conv2d_kernel_avx2;
        k->conv2d_dw = cnn_conv2d_kernel_dw_avx2;
        k->conv2d_split2 = cnn_conv2d_split2_avx2;
        k->conv2d_pw = cnn_conv2d_pw_avx2;
    }
    if (cpu_flags & CNN_CPU_AVX512) {
        k->conv2d = cnn_conv2d_kernel_avx512;
        k->conv2d_dw = cnn_conv2d_kernel_dw_avx512;
        k->conv2d_split2 = cnn_conv2d_split2_avx512;
        k->conv2d_pw = cnn_conv2d_pw_avx512;
    }
}
