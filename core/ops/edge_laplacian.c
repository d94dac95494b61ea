/* Laplacian: the 4- and 8-neighbour stencils and cv2.Laplacian's aperture 3
 * and 5 kernels, reflect-101 borders. Every one is a sum of two separable
 * products, K = v1 (x) h1 + v2 (x) h2: with the second-derivative taps
 * d2 and smoothing s of cv2.getDerivKernels, K = s (x) d2 + d2 (x) s; the
 * 8-neighbour stencil is the 3x3 box minus 9 times the centre. So a row costs
 * two vertical and two horizontal passes over one padded row each (kernel
 * table entries for 8 bits; tap-outer loops the compiler vectorises for
 * floats). 8-bit planes stay in int16: |partial sums| <= 2 * 16 * 4 * 255 =
 * 32640; the result saturates |L| * scale. */
#include <math.h>
#include <stdlib.h>

#include "edge_internal.h"

static const edge_laplacian_taps lap4 = { 3, { 0, 1, 0 }, { 1, -2, 1 }, { 1, -2, 1 }, { 0, 1, 0 } };
static const edge_laplacian_taps lap8 = { 3, { 1, 1, 1 }, { 1, 1, 1 }, { 0, 1, 0 }, { 0, -9, 0 } };
static const edge_laplacian_taps lap_aperture3 = { 3, { 1, 2, 1 }, { 1, -2, 1 }, { 1, -2, 1 },
                                              { 1, 2, 1 } };
static const edge_laplacian_taps lap_aperture5 = { 5, { 1, 4, 6, 4, 1 }, { 1, 0, -2, 0, 1 },
                                              { 1, 0, -2, 0, 1 }, { 1, 4, 6, 4, 1 } };

const edge_laplacian_taps *cnn_edge_laplacian_taps(cnn_laplacian_kind kind)
{
    switch (kind) {
    case CNN_LAPLACIAN_8: return &lap8;
    case CNN_LAPLACIAN_APERTURE3: return &lap_aperture3;
    case CNN_LAPLACIAN_APERTURE5: return &lap_aperture5;
    case CNN_LAPLACIAN_4: break;
    }
    return &lap4;
}

size_t cnn_edge_laplacian_scratch(int width)
{
    /* two padded rows and an accumulator row, 4 bytes a cell at most */
    return 3 * edge_align64(((size_t)width + EDGE_MAX_APERTURE) * 4);
}

static void pad_row16(int16_t *row, int r, int width)
{
    for (int j = 1; j <= r; j++) {
        row[r - j] = row[r + edge_border_index(-j, width, EDGE_REFLECT101)];
        row[r + width - 1 + j] = row[r + edge_border_index(width - 1 + j, width,
                                                           EDGE_REFLECT101)];
    }
}

void cnn_edge_lap_vpass_s16_c(const uint8_t *const *rows, const int16_t *v1, const int16_t *v2,
                              int n, int16_t *a, int16_t *b, int width)
{
    for (int x = 0; x < width; x++)
        a[x] = b[x] = 0;
    for (int i = 0; i < n; i++) {
        const uint8_t *row = rows[i];
        for (int x = 0; x < width; x++) {
            a[x] = (int16_t)(a[x] + v1[i] * row[x]);
            b[x] = (int16_t)(b[x] + v2[i] * row[x]);
        }
    }
}

/* Horizontal sums of a chunk of columns at a time, tap-outer. */
#define LAP_CHUNK 256

void cnn_edge_lap_hpass_u8_c(const int16_t *a, const int16_t *b, const int16_t *h1,
                             const int16_t *h2, int n, uint8_t *dst, int width)
{
    int r = n / 2;
    int16_t acc[LAP_CHUNK];
    for (int x0 = 0; x0 < width; x0 += LAP_CHUNK) {
        int m = width - x0 < LAP_CHUNK ? width - x0 : LAP_CHUNK;
        for (int x = 0; x < m; x++)
            acc[x] = 0;
        for (int j = 0; j < n; j++) {
            const int16_t *pa = a + x0 + j - r, *pb = b + x0 + j - r;
            for (int x = 0; x < m; x++)
                acc[x] = (int16_t)(acc[x] + h1[j] * pa[x] + h2[j] * pb[x]);
        }
        for (int x = 0; x < m; x++) {
            int v = abs(acc[x]);
            dst[x0 + x] = (uint8_t)(v < 255 ? v : 255);
        }
    }
}

void cnn_edge_laplacian_rows_u8(const cnn_kernels *k, const cnn_edge_params *p,
                                edge_rows *src, uint8_t *dst, ptrdiff_t dst_stride, int y0,
                                int y1, void *scratch)
{
    const edge_laplacian_taps *t = cnn_edge_laplacian_taps(p->laplacian);
    int n = t->size, r = n / 2, width = src->width;
    size_t row_bytes = edge_align64(((size_t)width + EDGE_MAX_APERTURE) * 4);
    int16_t *a = scratch, *b = (int16_t *)((uint8_t *)scratch + row_bytes);
    int16_t *acc = (int16_t *)((uint8_t *)scratch + 2 * row_bytes);
    const uint8_t *rows[5];
    for (int y = y0; y < y1; y++) {
        edge_gather(src, (const void **)rows, y, n, EDGE_REFLECT101);
        k->edge_lap_vpass_s16(rows, t->v1, t->v2, n, a + r, b + r, width);
        pad_row16(a, r, width);
        pad_row16(b, r, width);
        uint8_t *out = dst + y * dst_stride;
        if (p->scale == 1.0f) {
            k->edge_lap_hpass_u8(a + r, b + r, t->h1, t->h2, n, out, width);
            continue;
        }
        for (int x = 0; x < width; x++)
            acc[x] = 0;
        for (int j = 0; j < n; j++)
            for (int x = 0; x < width; x++)
                acc[x] = (int16_t)(acc[x] + t->h1[j] * a[x + j] + t->h2[j] * b[x + j]);
        for (int x = 0; x < width; x++) {
            float v = (float)abs(acc[x]) * p->scale;
            out[x] = v >= 255.0f ? 255 : (uint8_t)lrintf(v);
        }
    }
}

void cnn_edge_laplacian_rows_f32(const cnn_edge_params *p, edge_rows *src, float *dst,
                                 ptrdiff_t dst_stride, int y0, int y1, void *scratch)
{
    const edge_laplacian_taps *t = cnn_edge_laplacian_taps(p->laplacian);
    int n = t->size, r = n / 2, width = src->width;
    size_t row_bytes = edge_align64(((size_t)width + EDGE_MAX_APERTURE) * 4);
    float *a = scratch, *b = (float *)((uint8_t *)scratch + row_bytes);
    const float *rows[5];
    for (int y = y0; y < y1; y++) {
        edge_gather(src, (const void **)rows, y, n, EDGE_REFLECT101);
        for (int x = 0; x < width; x++)
            a[r + x] = b[r + x] = 0;
        for (int i = 0; i < n; i++) {
            float k1 = (float)t->v1[i], k2 = (float)t->v2[i];
            const float *row = rows[i];
            for (int x = 0; x < width; x++) {
                a[r + x] += k1 * row[x];
                b[r + x] += k2 * row[x];
            }
        }
        edge_pad_row32(a, r, width, EDGE_REFLECT101);
        edge_pad_row32(b, r, width, EDGE_REFLECT101);
        float *out = dst + y * dst_stride;
        for (int x = 0; x < width; x++)
            out[x] = 0;
        for (int j = 0; j < n; j++) {
            float k1 = (float)t->h1[j], k2 = (float)t->h2[j];
            for (int x = 0; x < width; x++)
                out[x] += k1 * a[x + j] + k2 * b[x + j];
        }
        for (int x = 0; x < width; x++)
            out[x] = fabsf(out[x]) * p->scale;
    }
}
