/* Pieces of pixels.c other ops share. Internal. */
#ifndef CNN_PIXELS_INTERNAL_H
#define CNN_PIXELS_INTERNAL_H

#include "cnn/pixels.h"

/* The three colour planes of packed 8-bit pixels (RGB, BGR, RGBx...): the
 * first byte of a pixel and each colour's offset in it; 0 when not packed. */
int cnn_pixels_packed_layout(const cnn_pixel_plane p[3], uint8_t **first, int off[3]);

#endif
