/* Activation loops vectorised for AVX-512 (activation_kernel.h). */
#define ACTIVATION_KERNEL cnn_activation_kernel_avx512
#include "ops/activation_kernel.h"
