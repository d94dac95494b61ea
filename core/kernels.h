/* The kernel table: one function pointer per hot loop, filled once per
 * context from the CPU features. Families fill their entries in
 * cnn_<family>_init_kernels() with the C reference first, then override in
 * ascending ISA order (FFmpeg's DSP-context habit). Kernels cannot fail:
 * shapes were checked by the op before it calls them. Internal header. */
#ifndef CNN_KERNELS_H
#define CNN_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "cnn/activation.h"

/* One group of one image, input already padded (zeros/reflect/replicate done
 * by the op), so kernels never test borders. For stride_w > 1 the op splits
 * each padded row into stride_w column phases (phase r holds columns r,
 * r + stride_w, ...), so the taps of consecutive outputs are consecutive
 * floats and SIMD loads stay contiguous. Input tap (ic, ky, kx) of output
 * (oy, ox), with c = kx * dil_w, is
 *   src[ic * src_plane + (oy * stride_h + ky * dil_h) * src_row
 *       + (c % stride_w) * src_phase + c / stride_w + ox]. */
typedef struct cnn_conv2d_kernel_args {
    const float *src;
    int cin;
    size_t src_plane;    /* floats between input channels */
    size_t src_row;      /* floats between padded rows */
    size_t src_phase;    /* floats between the column phases of a row */
    const float *weight; /* [cout][cin][kh][kw] of this group */
    const float *bias;   /* [cout] or NULL */
    float *dst;          /* cout planes of out_h x out_w */
    int cout, out_h, out_w;
    int kh, kw, stride_h, stride_w, dil_h, dil_w;
    int clamp; /* store outputs clamped to [clamp_min, clamp_max], NaN passing */
    float clamp_min, clamp_max;
} cnn_conv2d_kernel_args;

/* Compute output channels [oc0, oc1) and rows [oy0, oy1). */
typedef void (*cnn_conv2d_kernel_fn)(const cnn_conv2d_kernel_args *a, int oc0, int oc1,
                                     int oy0, int oy1);

/* A 1x1 stride-1 unpadded convolution is a matrix product per image:
 * dst[m][n] = bias[m] + sum_k weight[m][k] src[k][n], m an output channel,
 * k an input channel, n a pixel of the flattened plane. */
typedef struct cnn_conv2d_pw_args {
    const float *src;    /* k rows of ld_src floats */
    size_t ld_src;
    const float *weight; /* [m][k], rows of k floats */
    int k;
    const float *bias;   /* [m] or NULL */
    float *dst;          /* m rows of ld_dst floats */
    size_t ld_dst;
    int clamp; /* outputs clamped to [clamp_min, clamp_max] (NaN passing) */
    float clamp_min, clamp_max;
} cnn_conv2d_pw_args;

/* Rows [m0, m1) and columns [n0, n1) of dst over input channels [k0, k1):
 * k0 == 0 starts from the bias, otherwise adds to what dst holds; k1 == k
 * applies the clamp. Summing in k order makes any split of k give the same
 * floats as one pass. */
typedef void (*cnn_conv2d_pw_fn)(const cnn_conv2d_pw_args *a, int m0, int m1, int n0, int n1,
                                 int k0, int k1);
/* Depthwise 3x3 convolution reading unpadded planes (ops/conv2d_depthwise.c):
 * input channel c / multiplier of src (planes of in_h x in_w, packed) with
 * the 9 taps at weight + 9 c gives channel c of dst (out_h x out_w).
 * Output (oy, ox) = bias[c] + sum of weight[ky][kx] * in(oy * stride + ky -
 * pad_top, ox * stride + kx - pad_left) over the taps inside the plane (the
 * zero padding), clamped like cnn_conv2d_kernel_args when clamp is set. */
typedef struct cnn_conv2d_dw3x3_args {
    const float *src;
    int in_h, in_w;
    int multiplier;      /* output channels per input channel */
    const float *weight; /* [channels][3][3] */
    const float *bias;   /* [channels] or NULL */
    float *dst;
    int out_h, out_w;
    int stride;            /* 1 or 2 */
    int pad_top, pad_left; /* 0 or 1 */
    int clamp;
    float clamp_min, clamp_max;
} cnn_conv2d_dw3x3_args;

/* Compute channels [c0, c1), output rows [oy0, oy1). */
typedef void (*cnn_conv2d_dw3x3_fn)(const cnn_conv2d_dw3x3_args *a, int c0, int c1, int oy0,
                                    int oy1);

/* Deinterleave n floats: even[i] = src[2 i], odd[i] = src[2 i + 1]; the
 * column-phase split of conv2d's input at stride_w 2. */
typedef void (*cnn_conv2d_split2_fn)(const float *src, int n, float *even, float *odd);
/* Edge detection. A 3x3 gradient operator is [side centre side]^T x
 * [-1 0 1] (gx) and its transpose (gy): Sobel 1,2, Scharr 3,10, Prewitt 1,1.
 * Rows r0, r1, r2 are y-1, y, y+1 with the vertical border already resolved;
 * column -1 reads column `left` and column width reads column `right` (the
 * horizontal border rule). */
typedef void (*cnn_edge_grad3_s16_fn)(const uint8_t *r0, const uint8_t *r1, const uint8_t *r2,
                                      int16_t *gx, int16_t *gy, int width, int side,
                                      int centre, int left, int right);
/* The same operator straight to 8 bits: min(|gx| + |gy|, 255), or with l2
 * the rounded min(sqrt(gx^2 + gy^2), 255). */
typedef void (*cnn_edge_mag3_u8_fn)(const uint8_t *r0, const uint8_t *r1, const uint8_t *r2,
                                    uint8_t *dst, int width, int side, int centre, int left,
                                    int right, int l2);
/* Canny magnitude of n gradients: |gx| + |gy|, or with l2 gx^2 + gy^2. */
typedef void (*cnn_edge_canny_mag_fn)(const int16_t *gx, const int16_t *gy, int32_t *mag,
                                      int n, int l2);
/* Canny non-maximum suppression of one row (OpenCV's tan(22.5) sectors):
 * map[x] = 2 for a strong edge (> high), 0 for a weak candidate (> low), 1
 * otherwise. mag_p, mag_a, mag_n are rows y-1, y, y+1, readable at -1 and
 * width. */
typedef void (*cnn_edge_canny_nms_fn)(const int32_t *mag_p, const int32_t *mag_a,
                                      const int32_t *mag_n, const int16_t *gx,
                                      const int16_t *gy, uint8_t *map, int width, int32_t low,
                                      int32_t high);
/* Window geometry of 2-D pooling, shared by the float and 8-bit kernels. */
typedef struct cnn_pool2d_window {
    int kh, kw, stride_h, stride_w, dil_h, dil_w;
    int pad_top, pad_bottom, pad_left, pad_right;
    int count_include_pad, divisor; /* averages: see cnn/pool.h */
} cnn_pool2d_window;

/* One input plane pooled into one output plane by a windowed mode (max,
 * avg, min, Lp, max-avg; an int holding a cnn_pool_mode). */
typedef struct cnn_pool2d_kernel_args {
    const float *src;
    int src_h, src_w;
    float *dst;
    int32_t *indices; /* NULL, or one per output (max and min only) */
    int out_h, out_w;
    int mode;
    float p, alpha;
    cnn_pool2d_window win;
} cnn_pool2d_kernel_args;

/* Compute output rows [oy0, oy1) of the plane. */
typedef void (*cnn_pool2d_kernel_fn)(const cnn_pool2d_kernel_args *a, int oy0, int oy1);

/* One 8-bit plane with row strides in bytes; max, min or avg. */
typedef struct cnn_pool2d_u8_args {
    const uint8_t *src;
    ptrdiff_t src_stride;
    int src_h, src_w;
    uint8_t *dst;
    ptrdiff_t dst_stride;
    int out_h, out_w;
    int mode;
    cnn_pool2d_window win;
} cnn_pool2d_u8_args;

typedef void (*cnn_pool2d_u8_kernel_fn)(const cnn_pool2d_u8_args *a, int oy0, int oy1);
/* Batch normalisation on one contiguous plane of n values. */
/* out[0] = sum(x - shift), out[1] = sum((x - shift)^2). */
typedef void (*cnn_bn_stats_fn)(const float *x, size_t n, float shift, float out[2]);
/* y = x * scale + shift (y may be x). */
typedef void (*cnn_scale_shift_fn)(const float *x, float *y, size_t n, float scale,
                                   float shift);
/* out[0] = sum(dy), out[1] = sum(dy * (x - mean)). */
typedef void (*cnn_bn_grad_sums_fn)(const float *x, const float *dy, size_t n, float mean,
                                    float out[2]);
/* dx = a * dy + b * (x - mean) + c (dx may be dy). */
typedef void (*cnn_bn_backward_dx_fn)(const float *x, const float *dy, float *dx, size_t n,
                                      float mean, float a, float b, float c);

/* Element dropout of positions [first, first + n) of the key's stream: element
 * i is dropped when cnn_rng_u32(key, i) < threshold; y = kept ? x * scale : 0;
 * mask (may be NULL) gets 1 for kept, 0 for dropped. */
typedef void (*cnn_dropout_fn)(const float *x, float *y, uint8_t *mask, size_t n,
                               uint64_t seed, uint64_t purpose, uint64_t first,
                               uint32_t threshold, float scale);

/* 4 * n_blocks standard normals from blocks [first_block, first_block +
 * n_blocks) of the key's Philox stream (ops/normals.c: Box-Muller, the same
 * bits at every level). */
typedef void (*cnn_normals_fn)(float *out, size_t n_blocks, uint64_t seed, uint64_t purpose,
                               uint64_t first_block);
/* Gaussian noise on w packed 8-bit RGB pixels: channel c of pixel x becomes
 * s + std * nc[x] (the product and the sum rounded as floats, no fused
 * multiply-add), rounded half to even and saturated; |s + std * n| < 2^22. */
typedef void (*cnn_noise_rgb_u8_fn)(const uint8_t *s, uint8_t *d, const float *n0,
                                    const float *n1, const float *n2, int w, float std);

/* torchvision's rgb_to_grayscale of w packed 8-bit RGB pixels (ops/grayscale.c)
 * into out_channels (1 or 3) packed copies. */
typedef void (*cnn_gray_rgb_u8_fn)(const uint8_t *rgb, uint8_t *dst, int w, int out_channels);
/* torchvision's adjust_saturation of w packed 8-bit RGB pixels: each channel
 * a x + complement gray (float, truncated, saturated). */
typedef void (*cnn_saturation_rgb_u8_fn)(const uint8_t *rgb, uint8_t *dst, int w, float a,
                                         float complement);

/* Horizontal flip of w packed 3-byte pixels (ops/flip.c); s and d do not
 * overlap. */
typedef void (*cnn_flip_rgb_u8_fn)(const uint8_t *s, uint8_t *d, int w);

/* torchvision's _blend of n 8-bit values with a constant (ops/blend.c):
 * d = a s + b in float, truncated, saturated. */
typedef void (*cnn_blend_u8_fn)(const uint8_t *s, uint8_t *d, int n, float a, float b);

/* Two-tap resampling of a float row into n 8-bit values (ops/resample.c):
 * d[x] = row[idx[2x]] wt[2x] + row[idx[2x + 1]] wt[2x + 1], rounded half to
 * even, saturated. */
typedef void (*cnn_resample2_row_u8_fn)(const float *row, const int32_t *idx, const float *wt,
                                        uint8_t *d, int n);

/* Bilinear samples of packed 8-bit RGB along a line (ops/resample.c): output
 * pixel i of d samples s at ix = (float)(dx (x + i) + ox), iy likewise with
 * dy and oy, all four taps inside the frame (0 <= ix < w - 1, same for iy)
 * and every offset below 2^31; fixed point with 11-bit weights (the
 * fraction times 2048 plus 0.5, truncated), rounded half up. */
typedef void (*cnn_warp_bilinear_rgb_u8_fn)(const uint8_t *s, ptrdiff_t stride, double ox,
                                            double dx, double oy, double dy, int x, uint8_t *d,
                                            int n);

/* GEMM micro-kernel: C[m x n] = alpha * A B + beta * C (beta 0: C not read)
 * for m <= gemm_mr, n <= gemm_nr; a is packed k-major (gemm_mr values per k,
 * zero padded), b likewise (gemm_nr values per k). */
typedef void (*cnn_gemm_micro_fn)(int kc, const float *a, const float *b, float *c,
                                  ptrdiff_t ldc, float alpha, float beta, int m, int n);

/* n dot products of k floats: out[j] = sum_p a[p] b[j * ldb + p], each
 * summed in the same order whatever n is (a batch-1 dense layer: one input
 * row against the rows of W). */
typedef void (*cnn_gemm_dot_rows_fn)(const float *a, const float *b, ptrdiff_t ldb, int k,
                                     int n, float *out);

/* Activation act (cnn_activation) of n values: forward out = f(x) when dy is
 * NULL, else backward out = dy * f'(x). */
typedef void (*cnn_activation_fn)(cnn_activation act, float alpha, const float *x,
                                  const float *dy, float *out, size_t n);
/* Separable gradient passes on 8-bit planes (apertures 5 and 7), n taps.
 * Vertical: vs[x] = sum_i smooth[i] * rows[i][x], vd[x] = sum_i deriv[i] *
 * rows[i][x]. Horizontal, over rows readable from -n/2 to width + n/2:
 * gx[x] = sum_j deriv[j] * vs[x + j - n/2], gy[x] = sum_j smooth[j] *
 * vd[x + j - n/2]. n <= 7; SIMD twins may use that smooth is symmetric,
 * deriv antisymmetric and sum |tap| * 255 < 32768 (true of every operator
 * here). */
typedef void (*cnn_edge_vpass_s32_fn)(const uint8_t *const *rows, const int *smooth,
                                      const int *deriv, int n, int32_t *vs, int32_t *vd,
                                      int width);
typedef void (*cnn_edge_hpass_s32_fn)(const int32_t *vs, const int32_t *vd, const int *smooth,
                                      const int *deriv, int n, int32_t *gx, int32_t *gy,
                                      int width);

/* Gaussian blur passes on 8-bit planes with symmetric 8.8 fixed-point taps
 * summing to 256 (cv2.GaussianBlur's): vertical t[x] = sum_i taps[i] *
 * rows[i][x] (exact in uint16); horizontal over t readable from -n/2 to
 * width + n/2, dst[x] = (sum_j taps[j] * t[x + j - n/2] + 32768) >> 16, with
 * acc a scratch row of width uint32. */
typedef void (*cnn_edge_blur_vpass_fn)(const uint8_t *const *rows, const uint16_t *taps, int n,
                                       uint16_t *t, int width);
typedef void (*cnn_edge_blur_hpass_fn)(const uint16_t *t, const uint16_t *taps, int n,
                                       uint8_t *dst, uint32_t *acc, int width);
/* Pixel rows (pixels.c): 8-bit BT.601 luma of width packed pixels of step
 * bytes with R, G, B at byte offsets r, g, b; and gray into the colour bytes
 * of packed pixels of step 3 or 4 (step 4 leaves the byte at offset keep). */
typedef void (*cnn_pixels_luma_row_fn)(const uint8_t *px, uint8_t *luma, int width, int step,
                                       int r, int g, int b);
typedef void (*cnn_pixels_spread_row_fn)(const uint8_t *gray, uint8_t *px, int width, int step,
                                         int keep);

/* Float twins of the separable passes and of the Canny suppression, for
 * float planes: the same sums in the same order (no contraction), so SIMD
 * results equal the C reference bit for bit. */
typedef void (*cnn_edge_vpass_f32_fn)(const float *const *rows, const int *smooth,
                                      const int *deriv, int n, float *vs, float *vd,
                                      int width);
typedef void (*cnn_edge_hpass_f32_fn)(const float *vs, const float *vd, const int *smooth,
                                      const int *deriv, int n, float *gx, float *gy, int width);
typedef void (*cnn_edge_canny_nms_f32_fn)(const float *mag_p, const float *mag_a,
                                          const float *mag_n, const float *gx, const float *gy,
                                          uint8_t *map, int width, float low, float high);

/* Laplacian on 8-bit planes as v1 (x) h1 + v2 (x) h2 (n <= 5 taps, int16
 * sums): vertical a[x] = sum_i v1[i] * rows[i][x], b likewise with v2;
 * horizontal over a, b readable from -n/2 to width + n/2, dst[x] =
 * min(|sum_j h1[j] * a[x + j - n/2] + h2[j] * b[x + j - n/2]|, 255). */
typedef void (*cnn_edge_lap_vpass_fn)(const uint8_t *const *rows, const int16_t *v1,
                                      const int16_t *v2, int n, int16_t *a, int16_t *b,
                                      int width);
typedef void (*cnn_edge_lap_hpass_fn)(const int16_t *a, const int16_t *b, const int16_t *h1,
                                      const int16_t *h2, int n, uint8_t *dst, int width);

struct cnn_kernels {
    unsigned cpu_flags; /* the level the table was filled for */
    cnn_conv2d_kernel_fn conv2d;
    cnn_conv2d_kernel_fn conv2d_dw; /* the same when a->cin == 1 (depthwise) */
    cnn_conv2d_split2_fn conv2d_split2;
    cnn_conv2d_pw_fn conv2d_pw; /* 1x1 stride 1, no padding, one group */
    cnn_conv2d_dw3x3_fn conv2d_dw3x3;
    cnn_edge_grad3_s16_fn edge_grad3_s16;
    cnn_edge_mag3_u8_fn edge_mag3_u8;
    cnn_edge_canny_mag_fn edge_canny_mag;
    cnn_edge_canny_nms_fn edge_canny_nms;
    cnn_pool2d_kernel_fn pool2d;
    cnn_pool2d_u8_kernel_fn pool2d_u8;
    cnn_bn_stats_fn bn_stats;
    cnn_scale_shift_fn scale_shift;
    cnn_bn_grad_sums_fn bn_grad_sums;
    cnn_bn_backward_dx_fn bn_backward_dx;
    cnn_dropout_fn dropout;
    cnn_gemm_micro_fn gemm_micro;
    int gemm_mr, gemm_nr; /* tile of gemm_micro, which packing follows */
    cnn_gemm_dot_rows_fn gemm_dot_rows;
    cnn_activation_fn activation;
    cnn_edge_vpass_s32_fn edge_vpass_s32;
    cnn_edge_hpass_s32_fn edge_hpass_s32;
    cnn_edge_blur_vpass_fn edge_blur_vpass;
    cnn_edge_blur_hpass_fn edge_blur_hpass;
    cnn_edge_vpass_f32_fn edge_vpass_f32;
    cnn_edge_hpass_f32_fn edge_hpass_f32;
    cnn_edge_canny_nms_f32_fn edge_canny_nms_f32;
    cnn_edge_lap_vpass_fn edge_lap_vpass_s16;
    cnn_edge_lap_hpass_fn edge_lap_hpass_u8;
    cnn_pixels_luma_row_fn pixels_luma_row;
    cnn_pixels_spread_row_fn pixels_spread_row;
    cnn_normals_fn normals;
    cnn_noise_rgb_u8_fn noise_rgb_u8;
    cnn_gray_rgb_u8_fn gray_rgb_u8;
    cnn_saturation_rgb_u8_fn saturation_rgb_u8;
    cnn_flip_rgb_u8_fn flip_rgb_u8;
    cnn_blend_u8_fn blend_u8;
    cnn_resample2_row_u8_fn resample2_row_u8;
    cnn_warp_bilinear_rgb_u8_fn warp_bilinear_rgb_u8;
};

typedef struct cnn_kernels cnn_kernels;

/* Fill every family for the given features. */
void cnn_kernels_init(cnn_kernels *k, unsigned cpu_flags);

/* Per family: C reference first, then the ISA overrides (in core/x86/, only
 * built and called on x86-64). */
void cnn_conv2d_init_kernels(cnn_kernels *k, unsigned cpu_flags);
void cnn_edge_init_kernels(cnn_kernels *k, unsigned cpu_flags);
void cnn_pool2d_init_kernels(cnn_kernels *k, unsigned cpu_flags);
void cnn_batchnorm_init_kernels(cnn_kernels *k, unsigned cpu_flags);
void cnn_dropout_init_kernels(cnn_kernels *k, unsigned cpu_flags);
void cnn_gemm_init_kernels(cnn_kernels *k, unsigned cpu_flags);
void cnn_activation_init_kernels(cnn_kernels *k, unsigned cpu_flags);
void cnn_pixels_init_kernels(cnn_kernels *k, unsigned cpu_flags);
void cnn_normals_init_kernels(cnn_kernels *k, unsigned cpu_flags);
void cnn_grayscale_init_kernels(cnn_kernels *k, unsigned cpu_flags);
void cnn_flip_init_kernels(cnn_kernels *k, unsigned cpu_flags);
void cnn_blend_init_kernels(cnn_kernels *k, unsigned cpu_flags);
void cnn_resample_init_kernels(cnn_kernels *k, unsigned cpu_flags);
void cnn_conv2d_dw3x3_init_kernels(cnn_kernels *k, unsigned cpu_flags);
#if CNN_HAVE_X86
void cnn_conv2d_init_x86(cnn_kernels *k, unsigned cpu_flags);
void cnn_edge_init_x86(cnn_kernels *k, unsigned cpu_flags);
void cnn_pool2d_init_x86(cnn_kernels *k, unsigned cpu_flags);
void cnn_batchnorm_init_x86(cnn_kernels *k, unsigned cpu_flags);
void cnn_dropout_init_x86(cnn_kernels *k, unsigned cpu_flags);
void cnn_gemm_init_x86(cnn_kernels *k, unsigned cpu_flags);
void cnn_activation_init_x86(cnn_kernels *k, unsigned cpu_flags);
void cnn_pixels_init_x86(cnn_kernels *k, unsigned cpu_flags);
void cnn_normals_init_x86(cnn_kernels *k, unsigned cpu_flags);
void cnn_grayscale_init_x86(cnn_kernels *k, unsigned cpu_flags);
void cnn_flip_init_x86(cnn_kernels *k, unsigned cpu_flags);
void cnn_blend_init_x86(cnn_kernels *k, unsigned cpu_flags);
void cnn_resample_init_x86(cnn_kernels *k, unsigned cpu_flags);
void cnn_conv2d_dw3x3_init_x86(cnn_kernels *k, unsigned cpu_flags);
#endif

/* C references, callable directly by tests and by SIMD twins for tails. */
void cnn_pixels_luma_row_c(const uint8_t *px, uint8_t *luma, int width, int step, int r, int g,
                           int b);
void cnn_pixels_spread_row_c(const uint8_t *gray, uint8_t *px, int width, int step, int keep);
void cnn_conv2d_kernel_c(const cnn_conv2d_kernel_args *a, int oc0, int oc1, int oy0, int oy1);
void cnn_conv2d_split2_c(const float *src, int n, float *even, float *odd);
void cnn_conv2d_pw_c(const cnn_conv2d_pw_args *a, int m0, int m1, int n0, int n1, int k0,
                     int k1);
void cnn_conv2d_dw3x3_c(const cnn_conv2d_dw3x3_args *a, int c0, int c1, int oy0, int oy1);
void cnn_edge_grad3_s16_c(const uint8_t *r0, const uint8_t *r1, const uint8_t *r2, int16_t *gx,
                          int16_t *gy, int width, int side, int centre, int left, int right);
void cnn_edge_mag3_u8_c(const uint8_t *r0, const uint8_t *r1, const uint8_t *r2, uint8_t *dst,
                        int width, int side, int centre, int left, int right, int l2);
void cnn_edge_canny_mag_c(const int16_t *gx, const int16_t *gy, int32_t *mag, int n, int l2);
void cnn_edge_canny_nms_c(const int32_t *mag_p, const int32_t *mag_a, const int32_t *mag_n,
                          const int16_t *gx, const int16_t *gy, uint8_t *map, int width,
                          int32_t low, int32_t high);
void cnn_pool2d_kernel_c(const cnn_pool2d_kernel_args *a, int oy0, int oy1);
void cnn_pool2d_u8_kernel_c(const cnn_pool2d_u8_args *a, int oy0, int oy1);
/* The same on the output rectangle [oy0, oy1) x [ox0, ox1): SIMD kernels
 * do the interior and hand the borders to these. */
void cnn_pool2d_rect_c(const cnn_pool2d_kernel_args *a, int oy0, int oy1, int ox0, int ox1);
void cnn_pool2d_u8_rect_c(const cnn_pool2d_u8_args *a, int oy0, int oy1, int ox0, int ox1);
/* Outputs [*lo, *hi) of one axis whose windows lie inside the input
 * (empty when *lo >= *hi). */
void cnn_pool2d_interior(int in, int out, int k, int stride, int dil, int pad, int *lo,
                         int *hi);
void cnn_bn_stats_c(const float *x, size_t n, float shift, float out[2]);
void cnn_scale_shift_c(const float *x, float *y, size_t n, float scale, float shift);
void cnn_bn_grad_sums_c(const float *x, const float *dy, size_t n, float mean, float out[2]);
void cnn_bn_backward_dx_c(const float *x, const float *dy, float *dx, size_t n, float mean,
                          float a, float b, float c);
void cnn_dropout_c(const float *x, float *y, uint8_t *mask, size_t n, uint64_t seed,
                   uint64_t purpose, uint64_t first, uint32_t threshold, float scale);
void cnn_normals_c(float *out, size_t n_blocks, uint64_t seed, uint64_t purpose,
                   uint64_t first_block);
void cnn_resample2_row_u8_c(const float *row, const int32_t *idx, const float *wt, uint8_t *d,
                            int n);
void cnn_warp_bilinear_rgb_u8_c(const uint8_t *s, ptrdiff_t stride, double ox, double dx,
                                double oy, double dy, int x, uint8_t *d, int n);
void cnn_blend_u8_c(const uint8_t *s, uint8_t *d, int n, float a, float b);
void cnn_flip_rgb_u8_c(const uint8_t *s, uint8_t *d, int w);
void cnn_gray_rgb_u8_c(const uint8_t *rgb, uint8_t *dst, int w, int out_channels);
void cnn_saturation_rgb_u8_c(const uint8_t *rgb, uint8_t *dst, int w, float a, float complement);
void cnn_noise_rgb_u8_c(const uint8_t *s, uint8_t *d, const float *n0, const float *n1,
                        const float *n2, int w, float std);
void cnn_gemm_dot_rows_c(const float *a, const float *b, ptrdiff_t ldb, int k, int n,
                         float *out);
void cnn_gemm_micro_c(int kc, const float *a, const float *b, float *c, ptrdiff_t ldc,
                      float alpha, float beta, int m, int n);
void cnn_activation_kernel_c(cnn_activation act, float alpha, const float *x, const float *dy,
                             float *out, size_t n);

/* x86 twins, set by the cnn_<family>_init_x86() functions. */
void cnn_conv2d_kernel_avx2(const cnn_conv2d_kernel_args *a, int oc0, int oc1, int oy0,
                            int oy1);
void cnn_conv2d_kernel_avx512(const cnn_conv2d_kernel_args *a, int oc0, int oc1, int oy0,
                              int oy1);
void cnn_conv2d_kernel_dw_avx2(const cnn_conv2d_kernel_args *a, int oc0, int oc1, int oy0,
                               int oy1);
void cnn_conv2d_kernel_dw_avx512(const cnn_conv2d_kernel_args *a, int oc0, int oc1, int oy0,
                                 int oy1);
void cnn_conv2d_dw3x3_avx2(const cnn_conv2d_dw3x3_args *a, int c0, int c1, int oy0,
                           int oy1);
void cnn_conv2d_dw3x3_avx512(const cnn_conv2d_dw3x3_args *a, int c0, int c1, int oy0,
                             int oy1);
void cnn_conv2d_split2_avx2(const float *src, int n, float *even, float *odd);
void cnn_conv2d_split2_avx512(const float *src, int n, float *even, float *odd);
void cnn_conv2d_pw_avx2(const cnn_conv2d_pw_args *a, int m0, int m1, int n0, int n1, int k0,
                        int k1);
void cnn_conv2d_pw_avx512(const cnn_conv2d_pw_args *a, int m0, int m1, int n0, int n1, int k0,
                          int k1);
void cnn_bn_stats_avx2(const float *x, size_t n, float shift, float out[2]);
void cnn_scale_shift_avx2(const float *x, float *y, size_t n, float scale, float shift);
void cnn_bn_grad_sums_avx2(const float *x, const float *dy, size_t n, float mean, float out[2]);
void cnn_bn_backward_dx_avx2(const float *x, const float *dy, float *dx, size_t n, float mean,
                             float a, float b, float c);
void cnn_bn_stats_avx512(const float *x, size_t n, float shift, float out[2]);
void cnn_scale_shift_avx512(const float *x, float *y, size_t n, float scale, float shift);
void cnn_bn_grad_sums_avx512(const float *x, const float *dy, size_t n, float mean,
                             float out[2]);
void cnn_bn_backward_dx_avx512(const float *x, const float *dy, float *dx, size_t n,
                               float mean, float a, float b, float c);
void cnn_dropout_avx2(const float *x, float *y, uint8_t *mask, size_t n, uint64_t seed,
                      uint64_t purpose, uint64_t first, uint32_t threshold, float scale);
void cnn_dropout_avx512(const float *x, float *y, uint8_t *mask, size_t n, uint64_t seed,
                        uint64_t purpose, uint64_t first, uint32_t threshold, float scale);
void cnn_normals_avx2(float *out, size_t n_blocks, uint64_t seed, uint64_t purpose,
                      uint64_t first_block);
void cnn_resample2_row_u8_avx2(const float *row, const int32_t *idx, const float *wt,
                               uint8_t *d, int n);
void cnn_warp_bilinear_rgb_u8_avx2(const uint8_t *s, ptrdiff_t stride, double ox, double dx,
                                   double oy, double dy, int x, uint8_t *d, int n);
void cnn_warp_bilinear_rgb_u8_avx512(const uint8_t *s, ptrdiff_t stride, double ox, double dx,
                                     double oy, double dy, int x, uint8_t *d, int n);
void cnn_blend_u8_avx2(const uint8_t *s, uint8_t *d, int n, float a, float b);
void cnn_flip_rgb_u8_avx2(const uint8_t *s, uint8_t *d, int w);
void cnn_gray_rgb_u8_avx2(const uint8_t *rgb, uint8_t *dst, int w, int out_channels);
void cnn_saturation_rgb_u8_avx2(const uint8_t *rgb, uint8_t *dst, int w, float a,
                                float complement);
void cnn_noise_rgb_u8_avx2(const uint8_t *s, uint8_t *d, const float *n0, const float *n1,
                           const float *n2, int w, float std);
void cnn_gemm_dot_rows_avx2(const float *a, const float *b, ptrdiff_t ldb, int k, int n,
                            float *out);
void cnn_gemm_dot_rows_avx512(const float *a, const float *b, ptrdiff_t ldb, int k, int n,
                              float *out);
void cnn_gemm_micro_avx2(int kc, const float *a, const float *b, float *c, ptrdiff_t ldc,
                         float alpha, float beta, int m, int n);
void cnn_gemm_micro_avx512(int kc, const float *a, const float *b, float *c, ptrdiff_t ldc,
                           float alpha, float beta, int m, int n);
void cnn_activation_kernel_avx2(cnn_activation act, float alpha, const float *x,
                                const float *dy, float *out, size_t n);
void cnn_activation_kernel_avx512(cnn_activation act, float alpha, const float *x,
                                  const float *dy, float *out, size_t n);
#define CNN_GEMM_MR_AVX2 6
#define CNN_GEMM_NR_AVX2 16
#define CNN_GEMM_MR_AVX512 8
#define CNN_GEMM_NR_AVX512 32
void cnn_edge_vpass_s32_c(const uint8_t *const *rows, const int *smooth, const int *deriv,
                          int n, int32_t *vs, int32_t *vd, int width);
void cnn_edge_hpass_s32_c(const int32_t *vs, const int32_t *vd, const int *smooth,
                          const int *deriv, int n, int32_t *gx, int32_t *gy, int width);
void cnn_edge_blur_vpass_c(const uint8_t *const *rows, const uint16_t *taps, int n, uint16_t *t,
                           int width);
void cnn_edge_blur_hpass_c(const uint16_t *t, const uint16_t *taps, int n, uint8_t *dst,
                           uint32_t *acc, int width);
void cnn_edge_vpass_f32_c(const float *const *rows, const int *smooth, const int *deriv, int n,
                          float *vs, float *vd, int width);
void cnn_edge_hpass_f32_c(const float *vs, const float *vd, const int *smooth, const int *deriv,
                          int n, float *gx, float *gy, int width);
void cnn_edge_canny_nms_f32_c(const float *mag_p, const float *mag_a, const float *mag_n,
                              const float *gx, const float *gy, uint8_t *map, int width,
                              float low, float high);
void cnn_edge_lap_vpass_s16_c(const uint8_t *const *rows, const int16_t *v1, const int16_t *v2,
                              int n, int16_t *a, int16_t *b, int width);
void cnn_edge_lap_hpass_u8_c(const int16_t *a, const int16_t *b, const int16_t *h1,
                             const int16_t *h2, int n, uint8_t *dst, int width);

#endif
