/* Point the depthwise 3x3 entry at the best SIMD kernel the CPU flags allow,
 * in ascending ISA order. Compiled without ISA flags. */
#include "cnn/cpu.h"
#include "kernels.h"

void cnn_conv2d_dw3x3_init_x86(cnn_kernels *k, unsigned cpu_flags)
{
    if (cpu_flags & CNN_CPU_AVX2)
        k->conv2d_dw3x3 = cnn_conv2d_dw3x3_avx2;
    if (cpu_flags & CNN_CPU_AVX512)
        k->conv2d_dw3x3 = cnn_conv2d_dw3x3_avx512;
}
