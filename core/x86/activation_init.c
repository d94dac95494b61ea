/* Activation kernels for x86, in ascending ISA order. */
#include "cnn/cpu.h"
#include "kernels.h"

void cnn_activation_init_x86(cnn_kernels *k, unsigned cpu_flags)
{
    if (cpu_flags & CNN_CPU_AVX2)
        k->activation = cnn_activation_kernel_avx2;
    if (cpu_flags & CNN_CPU_AVX512)
        k->activation = cnn_activation_kernel_avx512;
}
