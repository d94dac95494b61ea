/* Edge detection on single-channel planes: gradient magnitude (Sobel,
 * Scharr, Prewitt), Laplacian and Canny, with OpenCV's definitions (kernels,
 * BORDER_REFLECT_101 borders, Canny thresholds on the same gradient scale as
 * cv2.Canny). 8-bit planes take integer fast paths where the result equals
 * the float one; float planes serve GRAY16 video and tensors.
 *
 * Strides are in elements of the plane's type (bytes for uint8_t). */
#ifndef CNN_EDGE_H
#define CNN_EDGE_H

#include <stddef.h>
#include <stdint.h>

#include "cnn/context.h"
#include "cnn/pixels.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cnn_edge_method {
    CNN_EDGE_SOBEL = 0,
    CNN_EDGE_SCHARR,
    CNN_EDGE_PREWITT,
    CNN_EDGE_LAPLACIAN,
    CNN_EDGE_CANNY,
} cnn_edge_method;

typedef enum cnn_edge_norm {
    CNN_EDGE_L1 = 0, /* |gx| + |gy| */
    CNN_EDGE_L2,     /* sqrt(gx^2 + gy^2) */
} cnn_edge_norm;

typedef enum cnn_laplacian_kind {
    CNN_LAPLACIAN_4 = 0,   /* [0 1 0; 1 -4 1; 0 1 0] (cv2.Laplacian ksize=1) */
    CNN_LAPLACIAN_8,       /* [1 1 1; 1 -8 1; 1 1 1] */
    CNN_LAPLACIAN_APERTURE3, /* cv2.Laplacian ksize=3: [2 0 2; 0 -8 0; 2 0 2] */
    CNN_LAPLACIAN_APERTURE5, /* cv2.Laplacian ksize=5 */
} cnn_laplacian_kind;

typedef struct cnn_edge_params {
    cnn_edge_method method;
    cnn_edge_norm norm;        /* gradient magnitude, also Canny's (L2gradient) */
    int aperture;              /* Sobel and Canny: 3, 5 or 7; Scharr, Prewitt: 3 */
    cnn_laplacian_kind laplacian;
    float blur_sigma;          /* Gaussian blur before gradients; 0 = none */
    float threshold_low;       /* Canny hysteresis thresholds, cv2.Canny's scale */
    float threshold_high;
    float scale;               /* magnitude factor before saturating to 8 bits */
} cnn_edge_params;

/* Defaults: the method, L1, aperture 3, Laplacian 4, no blur, thresholds
 * 50/150, scale 1. */
void cnn_edge_params_init(cnn_edge_params *p, cnn_edge_method method);
/* Check parameters for a plane size, with a message naming the bad one. */
cnn_status cnn_edge_check(const cnn_edge_params *p, int width, int height);
/* Scratch bytes for cnn_edge_detect_* on this size; n_threads must be at
 * least cnn_context_threads() of the context the detection runs on (<= 0:
 * one per online CPU, as cnn_context_create counts them). */
size_t cnn_edge_workspace_size(const cnn_edge_params *p, int width, int height,
                               int n_threads);

/* 8-bit in, 8-bit out: saturated magnitude (|response| for Laplacian) times
 * scale, or for Canny a 0/255 mask. Canny follows cv2.Canny exactly: its
 * Sobel uses BORDER_REPLICATE as cv2.Canny does, and for aperture 7 the
 * gradients and thresholds are divided by 16 as in OpenCV. The same output
 * for any thread count. */
cnn_status cnn_edge_detect_u8(cnn_context *ctx, const cnn_edge_params *p, const uint8_t *src,
                              ptrdiff_t src_stride, uint8_t *dst, ptrdiff_t dst_stride,
                              int width, int height, void *workspace);
/* Float in, float out: unsaturated magnitude, or a 0/1 Canny mask. Canny
 * thresholds apply to values on the 0..255 scale. */
cnn_status cnn_edge_detect_f32(cnn_context *ctx, const cnn_edge_params *p, const float *src,
                               ptrdiff_t src_stride, float *dst, ptrdiff_t dst_stride,
                               int width, int height, void *workspace);
/* Float gradients gx, gy of the method (Sobel/Scharr/Prewitt) and aperture. */
cnn_status cnn_edge_gradients_f32(cnn_context *ctx, const cnn_edge_params *p, const float *src,
                                  ptrdiff_t src_stride, float *gx, float *gy,
                                  ptrdiff_t dst_stride, int width, int height,
                                  void *workspace);
/* Edges of the luma of packed 8-bit RGB(x) pixels (rgb: their R, G, B
 * planes as cnn_pixels_luma takes them) written as cnn_pixels_spread writes
 * gray: into one 8-bit gray plane (n_dst 1) or the colour bytes of packed
 * pixels (n_dst 3, a fourth byte left alone). Bit for bit the result of
 * cnn_pixels_luma, cnn_edge_detect_u8 and cnn_pixels_spread in turn, in one
 * pass over the frame without their full-frame planes: each thread makes
 * the luma of its rows into a ring of rows that stays in cache. The output
 * may be the input itself (in place: its planes at the input's first pixel
 * and stride, e.g. dst == rgb; the rows each thread reads around its band
 * are saved first), with the same result; any other overlap is refused.
 * The workspace is that of cnn_edge_workspace_size. */
cnn_status cnn_edge_detect_packed(cnn_context *ctx, const cnn_edge_params *p,
                                  const cnn_pixel_plane rgb[3], const cnn_pixel_plane *dst,
                                  int n_dst, void *workspace);
/* Gradient direction atan2(gy, gx) in radians, element-wise over n values. */
void cnn_edge_direction_f32(const float *gx, const float *gy, float *angle, size_t n);

#ifdef __cplusplus
}
#endif
#endif
