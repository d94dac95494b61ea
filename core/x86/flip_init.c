/* Flip kernels for x86, in ascending ISA order. */
#include "cnn/cpu.h"
#include "kernels.h"

void cnn_flip_init_x86(cnn_kernels *k, unsigned cpu_flags)
{
    if (cpu_flags & CNN_CPU_AVX2)
        k->flip_rgb_u8 = cnn_flip_rgb_u8_avx2;
}
