/* Text for overlays: a 5x7 bitmap font (printable ASCII; lower case is
 * drawn as upper case) rendered into an 8-bit mask, which callers blend
 * onto frames with cnn_pixels_overlay(). Each character takes a cell of
 * 6x9 pixels times scale (one column and two rows of spacing). */
#ifndef CNN_TEXT_H
#define CNN_TEXT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CNN_TEXT_CELL_W 6
#define CNN_TEXT_CELL_H 9

/* Size in pixels of one line of text at scale (>= 1). */
void cnn_text_size(const char *text, int scale, int *width, int *height);

/* Set mask to value where the glyphs of text lie, the top-left of the first
 * cell at (x, y); pixels outside the width x height mask are clipped. */
void cnn_text_draw(const char *text, int scale, int x, int y, uint8_t *mask,
                   ptrdiff_t stride, int width, int height, uint8_t value);

#ifdef __cplusplus
}
#endif
#endif
