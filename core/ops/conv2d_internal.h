/* conv2d paths shared between the files of core/ops/conv2d*. */
#ifndef CNN_CONV2D_INTERNAL_H
#define CNN_CONV2D_INTERNAL_H

#include "cnn/conv2d.h"

/* The fused clamp of cnn_conv2d_params (relu6): NaN passes through, as in
 * the SIMD kernels' max/min. */
static inline float cnn_conv2d_clamp(float v, float lo, float hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* At least this many tasks (bands x groups in the general path, channel runs
 * or bands in the depthwise one) when there are rows, so threads have work;
 * the plans, like every result, do not depend on the thread count. */
#define CNN_CONV2D_MIN_TASKS 16

/* A 1x1 kernel at stride 1 without padding reads the input as it is. */
static inline int cnn_conv2d_is_pointwise(const cnn_conv2d_params *p)
{
    return p->kernel_h == 1 && p->kernel_w == 1 && p->stride_h == 1 && p->stride_w == 1 &&
           !(p->pad_top | p->pad_bottom | p->pad_left | p->pad_right);
}

/* y = conv2d(x) for a checked pointwise p (no workspace). */
void cnn_conv2d_pointwise(cnn_context *ctx, const cnn_conv2d_params *p, const cnn_tensor *x,
                          const cnn_tensor *weight, const cnn_tensor *bias, cnn_tensor *y);

/* 1 when the conv is depthwise 3x3 (one input channel per group, any number
 * of output channels per group), stride 1 or 2 both ways, no dilation, zero
 * padding of at most 1 on each side: the case the dw3x3 kernels compute
 * without a workspace (ops/conv2d_depthwise.c). */
int cnn_conv2d_is_dw3x3(const cnn_conv2d_params *p, int in_c);

/* That conv on shapes cnn_conv2d_check accepted. */
cnn_status cnn_conv2d_dw3x3_forward(cnn_context *ctx, const cnn_conv2d_params *p,
                                    const cnn_tensor *x, const cnn_tensor *weight,
                                    const cnn_tensor *bias, cnn_tensor *y);

#endif
