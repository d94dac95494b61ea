/* conv2d paths shared between the files of core/ops/conv2d*. */
#ifndef CNN_CONV2D_INTERNAL_H
#define CNN_CONV2D_INTERNAL_H

#include "cnn/conv2d.h"

/* A 1x1 kernel at stride 1 without padding reads the input as it is. */
static inline int cnn_conv2d_is_pointwise(const cnn_conv2d_params *p)
{
    return p->kernel_h == 1 && p->kernel_w == 1 && p->stride_h == 1 && p->stride_w == 1 &&
           !(p->pad_top | p->pad_bottom | p->pad_left | p->pad_right);
}

/* y = conv2d(x) for a checked pointwise p (no workspace). */
void cnn_conv2d_pointwise(cnn_context *ctx, const cnn_conv2d_params *p, const cnn_tensor *x,
                          const cnn_tensor *weight, const cnn_tensor *bias, cnn_tensor *y);

#endif
