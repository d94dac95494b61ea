/* GEMM micro-kernel, AVX2 + FMA: 6 x 16 tile in 12 registers (gemm_template.h). */
#include "vec_avx2.h"
#define MR CNN_GEMM_MR_AVX2
#define NR CNN_GEMM_NR_AVX2
#include "gemm_template.h"
