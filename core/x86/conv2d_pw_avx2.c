/* Pointwise conv2d kernel, AVX2 + FMA: 4 channels x 3 vectors (24 columns)
 * of accumulators in 12 of the 16 ymm registers (conv2d_pw_template.h). */
#include "vec_avx2.h"
#define MR 4
#define NV 3
#include "conv2d_pw_template.h"
