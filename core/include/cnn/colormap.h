/* Colour maps for showing feature maps: a value range to 0..255, then an
 * index into a 256-entry RGB table (matplotlib's viridis, MATLAB's jet, or
 * gray). */
#ifndef CNN_COLORMAP_H
#define CNN_COLORMAP_H

#include <stddef.h>
#include <stdint.h>

#include "cnn/pixels.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cnn_colormap {
    CNN_COLORMAP_GRAY = 0,
    CNN_COLORMAP_VIRIDIS,
    CNN_COLORMAP_JET,
} cnn_colormap;

/* The 256 colours of a map: lut[i] = R, G, B of i / 255 (piecewise linear
 * between the map's published anchors). */
void cnn_colormap_table(cnn_colormap map, uint8_t lut[256][3]);
/* Smallest and largest finite value of x[0..n) (0, 0 when none). */
void cnn_colormap_range_f32(const float *x, size_t n, float *lo, float *hi);
/* dst[k] = lut[src][k] for the 8-bit index plane src and three 8-bit planes
 * dst (R, G, B) of its size. */
void cnn_colormap_apply(const uint8_t lut[256][3], const cnn_pixel_plane *src,
                        const cnn_pixel_plane dst[3]);

#ifdef __cplusplus
}
#endif
#endif
