/* Gradients of the 2-D convolution (cnn/conv2d.h) for training, as PyTorch's
 * autograd of torch.nn.functional.conv2d: from dy = dL/dy [N, C_out, OH, OW]
 *   dx[n, c, iy, ix]    = sum over (oc, ky, kx) of dy[n, oc, oy, ox] * w[oc, c', ky, kx]
 *                         where iy = oy * stride_h - pad_top + ky * dilation_h (and x alike)
 *   dweight[oc, c', ky, kx] = sum over (n, oy, ox) of dy[n, oc, oy, ox] * x[n, c, iy, ix]
 *   dbias[oc]           = sum over (n, oy, ox) of dy[n, oc, oy, ox]
 * with any stride, dilation, explicit zero padding and groups (c' is c within
 * its group). Reflect/replicate padding and the clamp are not differentiated
 * here (refused as unsupported).
 *
 * Each image is unfolded into a column matrix (im2col) in the workspace and
 * the products run on cnn_gemm; dx folds the columns back (col2im). Sums run
 * in a fixed order, so results do not depend on the thread count. */
#ifndef CNN_CONV2D_BACKWARD_H
#define CNN_CONV2D_BACKWARD_H

#include <stddef.h>
#include "cnn/conv2d.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes of scratch memory cnn_conv2d_backward() needs for inputs of in_c x
 * in_h x in_w (the column matrix of one image), 0 when the parameters are
 * invalid for that size. */
size_t cnn_conv2d_backward_workspace_size(const cnn_conv2d_params *p, int in_c, int in_h,
                                          int in_w);
/* dx, dweight, dbias from dy and the forward's x and weight; any of the three
 * outputs may be NULL (not wanted). They are overwritten, not accumulated.
 * workspace: cnn_conv2d_backward_workspace_size() bytes, 64-byte aligned. */
cnn_status cnn_conv2d_backward(cnn_context *ctx, const cnn_conv2d_params *p,
                               const cnn_tensor *x, const cnn_tensor *weight,
                               const cnn_tensor *dy, cnn_tensor *dx, cnn_tensor *dweight,
                               cnn_tensor *dbias, void *workspace);

#ifdef __cplusplus
}
#endif
#endif
