/* GEMM micro-kernels for x86, in ascending ISA order; packing follows the
 * tile of the chosen one. */
#include "cnn/cpu.h"
#include "kernels.h"

void cnn_gemm_init_x86(cnn_kernels *k, unsigned cpu_flags)
{
    if (cpu_flags & CNN_CPU_AVX2) {
        k->gemm_micro = cnn_gemm_micro_avx2;
        k->gemm_dot_rows = cnn_gemm_dot_rows_avx2;
        k->gemm_mr = CNN_GEMM_MR_AVX2;
        k->gemm_nr = CNN_GEMM_NR_AVX2;
    }
    if (cpu_flags & CNN_CPU_AVX512) {
        k->gemm_micro = cnn_gemm_micro_avx512;
        k->gemm_dot_rows = cnn_gemm_dot_rows_avx512;
        k->gemm_mr = CNN_GEMM_MR_AVX512;
        k->gemm_nr = CNN_GEMM_NR_AVX512;
    }
}
