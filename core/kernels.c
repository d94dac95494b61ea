/* Fill the kernel table family by family. */
#include <string.h>

#include "kernels.h"

void cnn_kernels_init(cnn_kernels *k, unsigned cpu_flags)
{
    memset(k, 0, sizeof *k);
    k->cpu_flags = cpu_flags;
    cnn_conv2d_init_kernels(k, cpu_flags);
    cnn_edge_init_kernels(k, cpu_flags);
    cnn_pool2d_init_kernels(k, cpu_flags);
    cnn_batchnorm_init_kernels(k, cpu_flags);
    cnn_dropout_init_kernels(k, cpu_flags);
    cnn_normals_init_kernels(k, cpu_flags);
    cnn_grayscale_init_kernels(k, cpu_flags);
    cnn_flip_init_kernels(k, cpu_flags);
    cnn_blend_init_kernels(k, cpu_flags);
    cnn_resample_init_kernels(k, cpu_flags);
    cnn_gemm_init_kernels(k, cpu_flags);
    cnn_activation_init_kernels(k, cpu_flags);
    cnn_pixels_init_kernels(k, cpu_flags);
    cnn_conv2d_dw3x3_init_kernels(k, cpu_flags);
}
