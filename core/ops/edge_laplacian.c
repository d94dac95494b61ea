/* Laplacian: the 4- and 8-neighbour stencils and cv2.Laplacian's aperture 3
 * and 5 kernels (d2/dx2 + d2/dy2 of the Sobel taps), reflect-101 borders.
 * 8-bit planes sum in integers (|response| <= 56 * 255) and saturate
 * |response| * scale; float planes keep |response| * scale. */
#include <math.h>
#include <stdlib.h>

#include "edge_internal.h"

typedef struct laplacian_kernel {
    int size;
    int w[25];
} laplacian_kernel;

static const laplacian_kernel lap4 = { 3, { 0, 1, 0, 1, -4, 1, 0, 1, 0 } };
static const laplacian_kernel lap8 = { 3, { 1, 1, 1, 1, -8, 1, 1, 1, 1 } };
static const laplacian_kernel lap_aperture3 = { 3, { 2, 0, 2, 0, -8, 0, 2, 0, 2 } };
/* [1 0 -2 0 1] x [1 4 6 4 1] in both directions, summed. */
static const laplacian_kernel lap_aperture5 = { 5, { 2, 4, 4, 4, 2,
                                                     4, 0, -8, 0, 4,
                                                     4, -8, -24, -8, 4,
                                                     4, 0, -8, 0, 4,
                                                     2, 4, 4, 4, 2 } };

static const laplacian_kernel *kernel_of(cnn_laplacian_kind kind)
{
    switch (kind) {
    case CNN_LAPLACIAN_8: return &lap8;
    case CNN_LAPLACIAN_APERTURE3: return &lap_aperture3;
    case CNN_LAPLACIAN_APERTURE5: return &lap_aperture5;
    case CNN_LAPLACIAN_4: break;
    }
    return &lap4;
}

/* Column that tap j of output x reads: direct inside, border rule outside. */
static inline int tap_column(int x, int j, int r, int width)
{
    return edge_border_index(x + j - r, width, EDGE_REFLECT101);
}

void cnn_edge_laplacian_rows_u8(const cnn_edge_params *p, const uint8_t *src,
                                ptrdiff_t src_stride, uint8_t *dst, ptrdiff_t dst_stride,
                                int width, int height, int y0, int y1)
{
    const laplacian_kernel *k = kernel_of(p->laplacian);
    int n = k->size, r = n / 2;
    const uint8_t *rows[5];
    for (int y = y0; y < y1; y++) {
        edge_gather_rows((const void **)rows, src, src_stride, y, height, n, EDGE_REFLECT101);
        uint8_t *out = dst + y * dst_stride;
        for (int x = 0; x < width; x++) {
            int inside = x >= r && x < width - r;
            int sum = 0;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                    sum += k->w[i * n + j] *
                           rows[i][inside ? x + j - r : tap_column(x, j, r, width)];
            sum = abs(sum);
            if (p->scale == 1.0f) {
                out[x] = sum > 255 ? 255 : (uint8_t)sum;
            } else {
                float v = (float)sum * p->scale;
                out[x] = v >= 255.0f ? 255 : (uint8_t)lrintf(v);
            }
        }
    }
}

void cnn_edge_laplacian_rows_f32(const cnn_edge_params *p, const float *src,
                                 ptrdiff_t src_stride, float *dst, ptrdiff_t dst_stride,
                                 int width, int height, int y0, int y1)
{
    const laplacian_kernel *k = kernel_of(p->laplacian);
    int n = k->size, r = n / 2;
    const float *rows[5];
    for (int y = y0; y < y1; y++) {
        edge_gather_rows((const void **)rows, src, src_stride * (ptrdiff_t)sizeof(float), y,
                         height, n, EDGE_REFLECT101);
        float *out = dst + y * dst_stride;
        for (int x = 0; x < width; x++) {
            int inside = x >= r && x < width - r;
            float sum = 0;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                    sum += (float)k->w[i * n + j] *
                           rows[i][inside ? x + j - r : tap_column(x, j, r, width)];
            out[x] = fabsf(sum) * p->scale;
        }
    }
}
