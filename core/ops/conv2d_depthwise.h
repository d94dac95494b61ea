/* The depthwise 3x3 fast path of conv2d (ops/conv2d_depthwise.c), chosen by
 * cnn_conv2d_forward. Internal header. */
#ifndef CNN_CONV2D_DEPTHWISE_H
#define CNN_CONV2D_DEPTHWISE_H

#include "cnn/conv2d.h"

/* 1 when the conv is depthwise 3x3 (one input channel per group, any number
 * of output channels per group), stride 1 or 2 both ways, no dilation, zero
 * padding of at most 1 on each side: the case the dw3x3 kernels compute
 * without a workspace. */
int cnn_conv2d_is_dw3x3(const cnn_conv2d_params *p, int in_c);

/* That conv on shapes cnn_conv2d_check accepted. */
cnn_status cnn_conv2d_dw3x3_forward(cnn_context *ctx, const cnn_conv2d_params *p,
                                    const cnn_tensor *x, const cnn_tensor *weight,
                                    const cnn_tensor *bias, cnn_tensor *y);

#endif
