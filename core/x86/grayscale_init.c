/* Grayscale kernels for x86, in ascending ISA order. */
#include "cnn/cpu.h"
#include "kernels.h"

void cnn_grayscale_init_x86(cnn_kernels *k, unsigned cpu_flags)
{
    if (cpu_flags & CNN_CPU_AVX2) {
        k->gray_rgb_u8 = cnn_gray_rgb_u8_avx2;
        k->saturation_rgb_u8 = cnn_saturation_rgb_u8_avx2;
    }
}
