/* Blend kernels for x86, in ascending ISA order. */
#include "cnn/cpu.h"
#include "kernels.h"

void cnn_blend_init_x86(cnn_kernels *k, unsigned cpu_flags)
{
    if (cpu_flags & CNN_CPU_AVX2)
        k->blend_u8 = cnn_blend_u8_avx2;
}
