/* Activation loops vectorised for AVX2 (activation_kernel.h). */
#define ACTIVATION_KERNEL cnn_activation_kernel_avx2
#include "ops/activation_kernel.h"
