/* Pooling kernels for the x86 levels the CPU has. Built without ISA flags:
 * it runs before anyone knows whether AVX2 is there. */
#include "cnn/cpu.h"
#include "pool_x86.h"

void cnn_pool2d_init_x86(cnn_kernels *k, unsigned cpu_flags)
{
    if (cpu_flags & CNN_CPU_AVX2)
        cnn_pool2d_init_avx2(k);
    if (cpu_flags & CNN_CPU_AVX512)
        cnn_pool2d_init_avx512(k);
}
