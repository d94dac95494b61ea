/* Pieces shared by the edge detection files: operator taps, border rules,
 * row helpers and the per-method drivers called from edge.c. Internal. */
#ifndef CNN_EDGE_INTERNAL_H
#define CNN_EDGE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "cnn/edge.h"
#include "kernels.h"

#define EDGE_MAX_APERTURE 7
#define EDGE_MAX_BLUR 255 /* largest Gaussian kernel (float sigma up to ~31) */

/* Border rules: OpenCV's BORDER_REFLECT_101 (gfedcb|abcdefgh|gfedcba) for
 * the filters, BORDER_REPLICATE (aaa|abcdefgh|hhh) inside cv2.Canny. */
typedef enum edge_border {
    EDGE_REFLECT101 = 0,
    EDGE_REPLICATE,
} edge_border;

/* Index in [0, n) that position i reads (any i: reflection repeats). */
static inline int edge_border_index(int i, int n, edge_border border)
{
    if (i >= 0 && i < n)
        return i;
    if (n == 1)
        return 0;
    if (border == EDGE_REPLICATE)
        return i < 0 ? 0 : n - 1;
    int period = 2 * n - 2;
    i %= period;
    if (i < 0)
        i += period;
    return i < n ? i : period - i;
}

/* Fill the r cells on each side of a padded row of 4-byte values (int32 or
 * float) from its inside cells [r, r + width). */
static inline void edge_pad_row32(void *row, int r, int width, edge_border border)
{
    uint32_t *v = row;
    for (int j = 1; j <= r; j++) {
        v[r - j] = v[r + edge_border_index(-j, width, border)];
        v[r + width - 1 + j] = v[r + edge_border_index(width - 1 + j, width, border)];
    }
}

/* Gaussian blur like cv2.GaussianBlur(ksize=(0,0), sigma), reflect-101:
 * 8-bit with OpenCV's 8.8 fixed-point taps (bit-exact rounding), float with
 * float taps. Kernel size from sigma as OpenCV picks it per depth. */
/* The 8.8 fixed-point taps for 8 bits; returns their number. */
int cnn_edge_blur_taps_u8(float sigma, uint16_t *taps);

/* Where an operator reads the rows of its plane: the plane itself, or
 * without storing a blurred plane, a ring of blurred rows made on demand
 * (one per thread). EDGE_RING covers the 7 rows an operator reads at once. */
#define EDGE_RING 8
typedef struct edge_rows {
    const uint8_t *src;
    ptrdiff_t stride; /* bytes */
    int width, height, is_f32;
    const cnn_kernels *k;
    uint8_t *ring; /* NULL: no blur */
    size_t ring_row;
    int ring_y[EDGE_RING];
    int taps_n;
    uint16_t taps_u8[EDGE_MAX_BLUR];
    float taps_f32[EDGE_MAX_BLUR];
    void *blur_scratch;
    /* packed RGB source (edge_packed.c): src is its first pixel, and its luma
     * rows are made on demand into a ring of luma_n rows (NULL: src is the
     * 8-bit or float plane) */
    uint8_t *luma;
    size_t luma_row;
    int luma_n, px_step, px_off[3];
    int luma_y[EDGE_MAX_BLUR];
    /* in place (dst == src): pixel rows outside [own_y0, own_y1) come from
     * halo, the halo_n rows above and below the band saved before any band
     * wrote (halo NULL: all from src) */
    const uint8_t *halo;
    size_t halo_row;
    int halo_n, own_y0, own_y1;
} edge_rows;

/* Scratch of one thread for the ring (0 without blur), and the setup. */
size_t cnn_edge_rows_scratch(float sigma, int width);
void cnn_edge_rows_init(edge_rows *s, const cnn_kernels *k, const void *src,
                        ptrdiff_t stride_bytes, int width, int height, int is_f32, float sigma,
                        void *scratch);
/* Blurred row y, made into the ring unless it is there. */
const void *cnn_edge_blurred_row(edge_rows *s, int y);
/* Luma row y of a packed source, made into its ring unless it is there. */
const uint8_t *cnn_edge_luma_row(edge_rows *s, int y);

/* Row y of the source before any blur. */
static inline const void *edge_source_row(edge_rows *s, int y)
{
    return s->luma ? cnn_edge_luma_row(s, y) : s->src + y * s->stride;
}

static inline const void *edge_row(edge_rows *s, int y)
{
    return s->ring ? cnn_edge_blurred_row(s, y) : edge_source_row(s, y);
}

/* rows[0..n) = the rows around y under the border rule. */
static inline void edge_gather(edge_rows *s, const void **rows, int y, int n,
                               edge_border border)
{
    for (int i = 0; i < n; i++)
        rows[i] = edge_row(s, edge_border_index(y - n / 2 + i, s->height, border));
}

/* A separable gradient operator: gx = smooth (vertical) x deriv
 * (horizontal), gy the transpose. */
typedef struct edge_taps {
    int size;
    int smooth[EDGE_MAX_APERTURE];
    int deriv[EDGE_MAX_APERTURE];
} edge_taps;

/* Taps of a method (Sobel, Scharr, Prewitt) and aperture. */
const edge_taps *cnn_edge_taps(cnn_edge_method method, int aperture);

/* Row helpers on 8-bit planes with integer taps; rows[] are the size source
 * rows around y (border resolved), vs and vd scratch of width + size - 1. */
void cnn_edge_grad_row_s32(const cnn_kernels *k, const uint8_t *const *rows, const edge_taps *t,
                           int width, edge_border border, int32_t *vs, int32_t *vd,
                           int32_t *gx, int32_t *gy);
/* Float twin for float planes. */
void cnn_edge_grad_row_f32(const cnn_kernels *k, const float *const *rows, const edge_taps *t,
                           int width, edge_border border, float *vs, float *vd, float *gx,
                           float *gy);
/* Magnitude times scale, rounded to nearest and saturated to 8 bits. */
void cnn_edge_mag_row_u8(const int32_t *gx, const int32_t *gy, uint8_t *dst, int width,
                         cnn_edge_norm norm, float scale);

/* Scratch of one thread for the gradient methods, in bytes. */
size_t cnn_edge_gradient_scratch(const cnn_edge_params *p, int width);
/* Gradient magnitudes, rows [y0, y1) of an image; float gradients into
 * gx_out, gy_out (dst_stride) when given. */
void cnn_edge_magnitude_rows_u8(const cnn_kernels *k, const cnn_edge_params *p,
                                edge_rows *src, uint8_t *dst, ptrdiff_t dst_stride, int y0,
                                int y1, void *scratch);
void cnn_edge_magnitude_rows_f32(const cnn_kernels *k, const cnn_edge_params *p,
                                 edge_rows *src, float *dst, ptrdiff_t dst_stride, int y0,
                                 int y1, float *gx_out, float *gy_out, void *scratch);

/* A Laplacian as v1 (x) h1 + v2 (x) h2 (see edge_laplacian.c). */
typedef struct edge_laplacian_taps {
    int size;
    int16_t v1[5], h1[5], v2[5], h2[5];
} edge_laplacian_taps;

const edge_laplacian_taps *cnn_edge_laplacian_taps(cnn_laplacian_kind kind);

/* Laplacian |response| times scale, rows [y0, y1), with the scratch of
 * one thread. */
size_t cnn_edge_laplacian_scratch(int width);
void cnn_edge_laplacian_rows_u8(const cnn_kernels *k, const cnn_edge_params *p,
                                edge_rows *src, uint8_t *dst, ptrdiff_t dst_stride, int y0,
                                int y1, void *scratch);
void cnn_edge_laplacian_rows_f32(const cnn_edge_params *p, edge_rows *src, float *dst,
                                 ptrdiff_t dst_stride, int y0, int y1, void *scratch);

/* Scratch of one thread: the operator's rows (cnn_edge_op_scratch), then
 * the ring of blurred rows when blurring (edge.c). */
size_t cnn_edge_op_scratch(const cnn_edge_params *p, int width);
size_t cnn_edge_thread_scratch(const cnn_edge_params *p, int width);

/* The packed pixels around the fused path (edge_packed.c): the source is
 * packed 8-bit RGB(x) of in_step bytes with R, G, B at in_off; the result
 * goes to out, a gray plane (out_step 1) or the colour bytes of packed
 * pixels of out_step 3 or 4 (keeping byte keep). A thread's scratch holds
 * its ring of luma_rows luma rows at luma_offset and a gray row at
 * gray_offset. */
typedef struct edge_packed_io {
    int in_step, in_off[3], luma_rows;
    uint8_t *out;
    ptrdiff_t out_stride;
    int out_step, keep;
    size_t luma_offset, gray_offset;
} edge_packed_io;

/* Scratch of one thread on the packed path: the plane path's, then the
 * luma ring and the gray row at the offsets returned. */
size_t cnn_edge_packed_scratch(const cnn_edge_params *p, int width, size_t *luma_offset,
                               size_t *gray_offset);
/* Bytes one band saves of the pixel rows around it when run in place (the
 * rows above and below that its neighbours overwrite): the operator's
 * reach plus the blur's, on each side, of pixels up to 4 bytes. */
size_t cnn_edge_packed_halo(const cnn_edge_params *p, int width);
/* Make s (set up by cnn_edge_rows_init on the packed source) read luma rows
 * made into the ring at ring. */
void cnn_edge_rows_set_packed(edge_rows *s, const edge_packed_io *io, void *ring);
/* Row y of the result, 8-bit gray, into io's output. */
void cnn_edge_packed_put_row(const cnn_kernels *k, const edge_packed_io *io, int y,
                             const uint8_t *gray, int width);

/* Canny: scratch of one thread, the shared part (edge map and hysteresis
 * stack), and the detection; each thread's rows come through an edge_rows
 * with the blur of p, its ring at rows_offset in the thread's scratch, and
 * with io (else NULL) from packed pixels, the result into io's output. */
size_t cnn_edge_canny_scratch(int width);
size_t cnn_edge_canny_shared(int width, int height);
void cnn_edge_canny(cnn_context *ctx, const cnn_edge_params *p, const void *src,
                    ptrdiff_t src_stride, void *dst, ptrdiff_t dst_stride, int width,
                    int height, int is_f32, const edge_packed_io *io, uint8_t *scratch,
                    size_t scratch_size, size_t rows_offset, void *shared);

/* Round a size up to a multiple of 64 bytes (carving aligned scratch). */
static inline size_t edge_align64(size_t n)
{
    return (n + 63) & ~(size_t)63;
}

#endif
