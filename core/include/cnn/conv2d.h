/* 2-D convolution (cross-correlation, as in PyTorch and ONNX), NCHW.
 *
 * x: [N, C_in, H, W], weight: [C_out, C_in / groups, KH, KW], bias: [C_out]
 * or NULL, y: [N, C_out, OH, OW] with
 *   OH = (H + pad_top + pad_bottom - dilation_h * (KH - 1) - 1) / stride_h + 1
 * (and likewise for W). Padding is explicit per side; cnn_conv2d_pad_same()
 * fills it for "same" output size. */
#ifndef CNN_CONV2D_H
#define CNN_CONV2D_H

#include <stddef.h>
#include "cnn/context.h"
#include "cnn/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cnn_pad_mode {
    CNN_PAD_ZEROS = 0,
    CNN_PAD_REFLECT,   /* mirror without repeating the edge: d c b | a b c d | c b a */
    CNN_PAD_REPLICATE, /* repeat the edge value: a a a | a b c d | d d d */
} cnn_pad_mode;

typedef struct cnn_conv2d_params {
    int kernel_h, kernel_w;
    int stride_h, stride_w;
    int dilation_h, dilation_w;
    int pad_top, pad_bottom, pad_left, pad_right;
    int groups;
    cnn_pad_mode pad_mode;
    /* With clamp set, each output v is stored as v < clamp_min ? clamp_min :
     * v > clamp_max ? clamp_max : v (NaN passing through; relu6 is 0, 6). */
    int clamp;
    float clamp_min, clamp_max;
} cnn_conv2d_params;

/* Kernel size given, stride 1, dilation 1, no padding, one group, zeros. */
void cnn_conv2d_params_init(cnn_conv2d_params *p, int kernel_h, int kernel_w);
/* Padding for "same": output size ceil(in / stride), any extra pixel at the
 * bottom/right (ONNX SAME_UPPER; identical to PyTorch padding='same' at
 * stride 1). */
void cnn_conv2d_pad_same(cnn_conv2d_params *p, int in_h, int in_w);
/* Output spatial size, or an error naming the bad parameter. */
cnn_status cnn_conv2d_output_size(const cnn_conv2d_params *p, int in_h, int in_w,
                                  int *out_h, int *out_w);
/* Check parameters and shapes once, at configure time. */
cnn_status cnn_conv2d_check(const cnn_conv2d_params *p, const cnn_tensor *x,
                            const cnn_tensor *weight, const cnn_tensor *bias,
                            const cnn_tensor *y);
/* Bytes of scratch memory cnn_conv2d_forward() needs for this input (0 when
 * it needs none: no padding and stride_w 1). The size is the same for any
 * n_threads: the op pads bands of rows into at most 64 per-thread slots. */
size_t cnn_conv2d_workspace_size(const cnn_conv2d_params *p, int in_c, int in_h, int in_w,
                                 int n_threads);
/* y = conv(x, weight) + bias. workspace: cnn_conv2d_workspace_size() bytes,
 * 64-byte aligned; nothing is allocated here. */
cnn_status cnn_conv2d_forward(cnn_context *ctx, const cnn_conv2d_params *p,
                              const cnn_tensor *x, const cnn_tensor *weight,
                              const cnn_tensor *bias, cnn_tensor *y, void *workspace);

#ifdef __cplusplus
}
#endif
#endif
