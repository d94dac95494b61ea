/* 2-D pooling, NCHW, forward and backward.
 *
 * Windowed modes (max, avg, min, Lp, max-avg) follow PyTorch's max_pool2d /
 * avg_pool2d / lp_pool2d: output size
 *   OH = floor_or_ceil((H + pad_top + pad_bottom - dilation_h * (KH - 1) - 1) / stride_h) + 1
 * and in ceil mode the last window is dropped when it would start in the
 * bottom padding ((OH - 1) * stride_h >= H + pad_top); likewise for W.
 * Padded taps never win a max or min; for averages they count only with
 * count_include_pad, and only up to the padded border (PyTorch's rule), or
 * `divisor` (> 0) replaces the count. Max and min indices are flat h * W + w
 * within the input plane, as PyTorch's return_indices; ties keep the first
 * tap in row-major order and NaN propagates. Lp is (sum |x|^p)^(1/p) over
 * the input taps: PyTorch's lp_pool2d on x >= 0 (or even p), except that
 * in ceil mode PyTorch scales a partial window by kh * kw / taps.
 *
 * Global, adaptive and pyramid modes take no window parameters: adaptive
 * output cell i of n over an input of size H spans
 * [floor(i * H / n), ceil((i + 1) * H / n)) (PyTorch's adaptive pools).
 * Spatial pyramid pooling (He et al. 2014) pools each level l into
 * levels[l] x levels[l] cells that way and lays the cells out along W:
 * y is [N, C, 1, sum(levels[l]^2)], level by level, cells row-major, so its
 * length does not depend on the input size.
 *
 * Wavelet pooling (Williams & Li 2018) keeps the low-low band of a one-level
 * orthonormal Haar transform: each 2x2 block (a, b; c, d) gives
 * (a + b + c + d) / 2; an odd last row or column is extended by repeating
 * it (symmetric extension), so OH = ceil(H / 2).
 *
 * Learned pooling of Lee, Gallagher & Tu (AISTATS 2016) has parameters and
 * parameter gradients, hence its own functions below. */
#ifndef CNN_POOL_H
#define CNN_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "cnn/context.h"
#include "cnn/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cnn_pool_mode {
    CNN_POOL_MAX = 0,
    CNN_POOL_AVG,
    CNN_POOL_MIN,
    CNN_POOL_LP,          /* (sum |x|^p)^(1/p) over the window's input taps, p > 0 */
    CNN_POOL_MAX_AVG,     /* alpha * max + (1 - alpha) * avg, alpha fixed */
    CNN_POOL_GLOBAL_MAX,  /* 1x1 output */
    CNN_POOL_GLOBAL_AVG,
    CNN_POOL_ADAPTIVE_MAX, /* output_h x output_w */
    CNN_POOL_ADAPTIVE_AVG,
    CNN_POOL_PYRAMID_MAX,  /* levels */
    CNN_POOL_PYRAMID_AVG,
    CNN_POOL_WAVELET,      /* Haar low-low band, 2x down */
} cnn_pool_mode;

#define CNN_POOL_MAX_LEVELS 8

typedef struct cnn_pool2d_params {
    cnn_pool_mode mode;
    int kernel_h, kernel_w;
    int stride_h, stride_w; /* 0 means equal to the kernel */
    int pad_top, pad_bottom, pad_left, pad_right;
    int dilation_h, dilation_w;
    int ceil_mode;
    int count_include_pad; /* avg: padded taps count in the divisor */
    int divisor;           /* avg: > 0 replaces the count (divisor_override) */
    float p;               /* Lp: any p > 0 */
    float alpha;           /* max-avg: weight of the max, in [0, 1] */
    int output_h, output_w; /* adaptive */
    int n_levels;           /* pyramid: cells per side of each level */
    int levels[CNN_POOL_MAX_LEVELS];
} cnn_pool2d_params;

/* Mode and kernel given; stride = kernel, no padding, dilation 1, floor
 * mode, count_include_pad on (PyTorch's default), p = 2, alpha = 0.5. */
void cnn_pool2d_params_init(cnn_pool2d_params *p, cnn_pool_mode mode, int kernel_h,
                            int kernel_w);
/* Output spatial size for an input of in_h x in_w, or an error naming the
 * bad parameter. */
cnn_status cnn_pool2d_output_size(const cnn_pool2d_params *p, int in_h, int in_w,
                                  int *out_h, int *out_w);
/* Check parameters and the shapes of x [N, C, H, W] and y once. */
cnn_status cnn_pool2d_check(const cnn_pool2d_params *p, const cnn_tensor *x,
                            const cnn_tensor *y);

/* y = pool(x). indices (max, min, adaptive/global/pyramid max; may be NULL)
 * holds one int32 per element of y. */
cnn_status cnn_pool2d_forward(cnn_context *ctx, const cnn_pool2d_params *p,
                              const cnn_tensor *x, cnn_tensor *y, int32_t *indices);
/* dx = dL/dx given dy = dL/dy (dx is overwritten). x is needed by Lp,
 * max-avg, wavelet and by max/min without indices; indices from the forward
 * pass (or NULL) spare the argmax search. */
cnn_status cnn_pool2d_backward(cnn_context *ctx, const cnn_pool2d_params *p,
                               const cnn_tensor *x, const cnn_tensor *dy,
                               const int32_t *indices, cnn_tensor *dx);

/* 8-bit planes (video): max, min and avg windowed modes, one plane of
 * width x height bytes with a row stride in bytes; dst is out_w x out_h from
 * cnn_pool2d_output_size(). Averages round half up. */
cnn_status cnn_pool2d_u8(cnn_context *ctx, const cnn_pool2d_params *p, const uint8_t *src,
                         ptrdiff_t src_stride, uint8_t *dst, ptrdiff_t dst_stride, int width,
                         int height);

/* Learned pooling (Lee, Gallagher & Tu 2016) over the windows of p (its
 * mode is ignored; padding taps are zeros in the linear terms and never win
 * the max). With m = max and a = average of a window x (avg rules of p):
 *   mixed:  y = alpha * m + (1 - alpha) * a, alpha one learned scalar
 *   gated:  y = s * m + (1 - s) * a,  s = sigmoid(w . x), w [KH, KW]
 *   tree (depth 2): y = s * (v1 . x) + (1 - s) * (v2 . x), s = sigmoid(w . x),
 *           leaves v [2, KH, KW], gate w [KH, KW]
 * Parameters are shared by all channels. Backward writes dx and the
 * parameter gradients summed over the batch; it needs a workspace of
 * cnn_pool2d_learned_workspace_size() bytes so the sum has the same order
 * for any thread count. */
size_t cnn_pool2d_learned_workspace_size(const cnn_pool2d_params *p, const cnn_tensor *x);

cnn_status cnn_pool2d_mixed_forward(cnn_context *ctx, const cnn_pool2d_params *p,
                                    const cnn_tensor *x, float alpha, cnn_tensor *y);
cnn_status cnn_pool2d_mixed_backward(cnn_context *ctx, const cnn_pool2d_params *p,
                                     const cnn_tensor *x, float alpha, const cnn_tensor *dy,
                                     cnn_tensor *dx, float *dalpha, void *workspace);

cnn_status cnn_pool2d_gated_forward(cnn_context *ctx, const cnn_pool2d_params *p,
                                    const cnn_tensor *x, const cnn_tensor *gate,
                                    cnn_tensor *y);
cnn_status cnn_pool2d_gated_backward(cnn_context *ctx, const cnn_pool2d_params *p,
                                     const cnn_tensor *x, const cnn_tensor *gate,
                                     const cnn_tensor *dy, cnn_tensor *dx, cnn_tensor *dgate,
                                     void *workspace);

cnn_status cnn_pool2d_tree_forward(cnn_context *ctx, const cnn_pool2d_params *p,
                                   const cnn_tensor *x, const cnn_tensor *leaves,
                                   const cnn_tensor *gate, cnn_tensor *y);
cnn_status cnn_pool2d_tree_backward(cnn_context *ctx, const cnn_pool2d_params *p,
                                    const cnn_tensor *x, const cnn_tensor *leaves,
                                    const cnn_tensor *gate, const cnn_tensor *dy,
                                    cnn_tensor *dx, cnn_tensor *dleaves, cnn_tensor *dgate,
                                    void *workspace);

#ifdef __cplusplus
}
#endif
#endif
