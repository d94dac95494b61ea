/* Batch normalisation plane kernels, AVX2 + FMA (batchnorm_template.h). */
#include "vec_avx2.h"
#include "batchnorm_template.h"
