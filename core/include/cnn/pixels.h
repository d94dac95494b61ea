/* Pixels to float planes and back: the conversions every video element needs
 * around a float operation. A cnn_pixel_plane describes one channel of a
 * video plane, so packed RGB (step 3 or 4), semi-planar chroma (step 2) and
 * gray planes (step 1, 8 or 16 bits) share one code path.
 *
 * Every function takes an optional context whose thread pool splits the rows
 * (NULL runs on the caller's thread); nothing is allocated. Planes are
 * checked by the caller (the element validates them once at negotiation). */
#ifndef CNN_PIXELS_H
#define CNN_PIXELS_H

#include <stddef.h>
#include <stdint.h>

#include "cnn/context.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cnn_pixel_plane {
    uint8_t *data;    /* first sample of the channel */
    ptrdiff_t stride; /* bytes from one row to the next */
    int step;         /* bytes from one sample to the next in a row */
    int depth;        /* bits per sample: 8, or 16 in native byte order */
    int width, height;
} cnn_pixel_plane;

/* How a float result maps back to a pixel after v = x * scale + offset. */
typedef enum cnn_pixel_output {
    CNN_PIXEL_CLAMP = 0, /* v */
    CNN_PIXEL_ABS,       /* |v| (edge magnitudes of either sign) */
    CNN_PIXEL_SIGNED,    /* mid-grey + v: 128 for 8 bits, 32768 for 16 bits */
} cnn_pixel_output;

/* Largest sample value of a depth: 255 or 65535. */
unsigned cnn_pixel_max(int depth);

/* dst[y * dst_stride + x] = sample(x, y) * scale over src's size. */
void cnn_pixels_unpack(cnn_context *ctx, const cnn_pixel_plane *src, float *dst,
                       ptrdiff_t dst_stride, float scale);
/* sample(x, y) = saturate(round(map(src[y * src_stride + x] * scale + offset)))
 * over dst's size, rounding to nearest even like OpenCV's saturate_cast. */
void cnn_pixels_pack(cnn_context *ctx, const float *src, ptrdiff_t src_stride,
                     const cnn_pixel_plane *dst, float scale, float offset,
                     cnn_pixel_output output);
/* Copy src to dst (same depth) over dst's size. */
void cnn_pixels_copy(cnn_context *ctx, const cnn_pixel_plane *src, const cnn_pixel_plane *dst);
/* Copy 8-bit src into n_dst 8-bit planes of its size in one pass (gray into
 * the R, G and B of packed RGB). */
void cnn_pixels_spread(cnn_context *ctx, const cnn_pixel_plane *src, const cnn_pixel_plane *dst,
                       int n_dst);
/* Set every sample of dst to value. */
void cnn_pixels_fill(cnn_context *ctx, const cnn_pixel_plane *dst, unsigned value);
/* 8-bit luma of 8-bit R, G, B planes with ITU-R BT.601 weights, full range,
 * bit-exact with cv2.cvtColor(..., COLOR_RGB2GRAY). */
void cnn_pixels_luma(cnn_context *ctx, const cnn_pixel_plane rgb[3], const cnn_pixel_plane *dst);
/* dst = max of its depth where the 8-bit src is >= threshold, else 0; src
 * and dst may be the same plane. */
void cnn_pixels_threshold(cnn_context *ctx, const cnn_pixel_plane *src,
                          const cnn_pixel_plane *dst, unsigned threshold);
/* Luma of one colour, the formula of cnn_pixels_luma. */
uint8_t cnn_pixels_luma_of(uint8_t r, uint8_t g, uint8_t b);
/* Where the 8-bit mask is non-zero, blend value into dst with alpha/255 of
 * it. Sample (x, y) of dst covers the mask block of side 1 << mask_shift at
 * (x << mask_shift, y << mask_shift) and is painted when any of it is set,
 * so 2x2-subsampled chroma (mask_shift 1) keeps one-pixel lines. */
void cnn_pixels_overlay(cnn_context *ctx, const cnn_pixel_plane *mask, int mask_shift,
                        const cnn_pixel_plane *dst, unsigned value, unsigned alpha);
/* 8-bit R, G, B to BT.601 limited-range Y, Cb, Cr (the colorimetry of
 * GStreamer's default YUV caps). */
void cnn_pixels_rgb_to_yuv601(uint8_t r, uint8_t g, uint8_t b, uint8_t yuv[3]);

#ifdef __cplusplus
}
#endif
#endif
