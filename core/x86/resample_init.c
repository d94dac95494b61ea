/* Resampling kernels for x86, in ascending ISA order. */
#include "cnn/cpu.h"
#include "kernels.h"

void cnn_resample_init_x86(cnn_kernels *k, unsigned cpu_flags)
{
    if (cpu_flags & CNN_CPU_AVX2) {
        k->resample2_row_u8 = cnn_resample2_row_u8_avx2;
        k->warp_bilinear_rgb_u8 = cnn_warp_bilinear_rgb_u8_avx2;
    }
    if (cpu_flags & CNN_CPU_AVX512)
        k->warp_bilinear_rgb_u8 = cnn_warp_bilinear_rgb_u8_avx512;
}
