/* Batch normalisation plane kernels, AVX-512 (batchnorm_template.h). */
#include "vec_avx512.h"
#include "batchnorm_template.h"
