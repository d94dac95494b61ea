/* GEMM micro-kernel, AVX-512: 8 x 32 tile in 16 registers (gemm_template.h). */
#include "vec_avx512.h"
#define MR CNN_GEMM_MR_AVX512
#define NR CNN_GEMM_NR_AVX512
#include "gemm_template.h"
