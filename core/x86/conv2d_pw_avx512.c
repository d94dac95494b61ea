/* Pointwise conv2d kernel, AVX-512: 8 channels x 3 vectors (48 columns) of
 * accumulators (conv2d_pw_template.h). */
#include "vec_avx512.h"
#define MR 8
#define NV 3
#include "conv2d_pw_template.h"
