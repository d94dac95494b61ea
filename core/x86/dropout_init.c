/* Dropout mask kernels for x86, in ascending ISA order. */
#include "cnn/cpu.h"
#include "kernels.h"

void cnn_dropout_init_x86(cnn_kernels *k, unsigned cpu_flags)
{
    if (cpu_flags & CNN_CPU_AVX2)
        k->dropout = cnn_dropout_avx2;
    if (cpu_flags & CNN_CPU_AVX512)
        k->dropout = cnn_dropout_avx512;
}
