/* The Gaussian blur before Canny, as cv2.GaussianBlur(src, (0, 0), sigma)
 * computes it: kernel size round(sigma * 3 * 2 + 1) | 1 for 8 bits (4 sigma
 * for float), taps exp(-d^2 / (2 sigma^2)) normalised, reflect-101 borders.
 * For 8 bits OpenCV rounds the taps to 8.8 fixed point with error diffusion
 * from the outer taps inwards (the centre takes the remainder), sums exactly
 * and rounds once at the end; doing the same here gives its bit-exact
 * result (vertical pass first: the sum is exact, so the order does not change
 * it). Blurred rows are made on demand into a ring of EDGE_RING rows per
 * thread, so no blurred plane is ever stored. */
#include <math.h>

#include "edge_internal.h"

static int blur_size(float sigma, int is_u8)
{
    return (int)lrint((double)sigma * (is_u8 ? 3 : 4) * 2 + 1) | 1;
}

/* 8 bits: a uint16 padded row and a uint32 row; float: a padded row. */
static size_t blur_scratch(int width)
{
    return edge_align64(((size_t)width + EDGE_MAX_BLUR) * sizeof(uint16_t)) +
           edge_align64(((size_t)width + EDGE_MAX_BLUR) * sizeof(float));
}

/* Normalised Gaussian taps in double. */
static void gaussian_taps(double sigma, int n, double *taps)
{
    double sum = 0;
    for (int i = 0; i < n; i++) {
        double d = i - (n - 1) / 2;
        taps[i] = exp(-d * d / (2 * sigma * sigma));
        sum += taps[i];
    }
    for (int i = 0; i < n; i++)
        taps[i] /= sum;
}

int cnn_edge_blur_taps_u8(float sigma, uint16_t *taps)
{
    int n = blur_size(sigma, 1);
    double t[EDGE_MAX_BLUR], err = 0;
    gaussian_taps(sigma, n, t);
    int outer = 0;
    for (int i = 0; i < n / 2; i++) {
        double v = t[i] * 256 + err;
        double q = nearbyint(v);
        err = v - q;
        taps[i] = taps[n - 1 - i] = (uint16_t)q;
        outer += (int)q;
    }
    taps[n / 2] = (uint16_t)(256 - 2 * outer);
    return n;
}

void cnn_edge_blur_vpass_c(const uint8_t *const *rows, const uint16_t *taps, int n, uint16_t *t,
                           int width)
{
    for (int x = 0; x < width; x++)
        t[x] = (uint16_t)(taps[0] * rows[0][x]);
    for (int i = 1; i < n; i++) {
        const uint8_t *row = rows[i];
        uint16_t k = taps[i];
        for (int x = 0; x < width; x++)
            t[x] = (uint16_t)(t[x] + k * row[x]);
    }
}

void cnn_edge_blur_hpass_c(const uint16_t *t, const uint16_t *taps, int n, uint8_t *dst,
                           uint32_t *acc, int width)
{
    int r = n / 2;
    for (int x = 0; x < width; x++)
        acc[x] = 32768 + (uint32_t)taps[0] * t[x - r];
    for (int j = 1; j < n; j++) {
        uint32_t k = taps[j];
        for (int x = 0; x < width; x++)
            acc[x] += k * t[x + j - r];
    }
    for (int x = 0; x < width; x++)
        dst[x] = (uint8_t)(acc[x] >> 16);
}

size_t cnn_edge_rows_scratch(float sigma, int width)
{
    if (!(sigma > 0))
        return 0;
    return EDGE_RING * edge_align64((size_t)width * sizeof(float)) +
           blur_scratch(width);
}

void cnn_edge_rows_init(edge_rows *s, const cnn_kernels *k, const void *src,
                        ptrdiff_t stride_bytes, int width, int height, int is_f32, float sigma,
                        void *scratch)
{
    s->src = src;
    s->stride = stride_bytes;
    s->width = width;
    s->height = height;
    s->is_f32 = is_f32;
    s->k = k;
    s->ring = NULL;
    s->luma = NULL;
    if (!(sigma > 0))
        return;
    s->ring = scratch;
    s->ring_row = edge_align64((size_t)width * sizeof(float));
    s->blur_scratch = (uint8_t *)scratch + EDGE_RING * s->ring_row;
    for (int i = 0; i < EDGE_RING; i++)
        s->ring_y[i] = -1;
    if (is_f32) {
        double t[EDGE_MAX_BLUR];
        s->taps_n = blur_size(sigma, 0);
        gaussian_taps(sigma, s->taps_n, t);
        for (int i = 0; i < s->taps_n; i++)
            s->taps_f32[i] = (float)t[i];
    } else {
        s->taps_n = cnn_edge_blur_taps_u8(sigma, s->taps_u8);
    }
}

/* Blur row y of 8 bits: 8.8 fixed-point vertical sums padded by r, then the
 * 16.16 horizontal sums rounded once. */
static void blur_row_u8(edge_rows *s, int y, uint8_t *out)
{
    int n = s->taps_n, r = n / 2, w = s->width;
    const uint8_t *rows[EDGE_MAX_BLUR];
    uint16_t *t = s->blur_scratch;
    uint32_t *acc = (uint32_t *)((uint8_t *)s->blur_scratch +
                                 edge_align64(((size_t)w + EDGE_MAX_BLUR) * sizeof *t));
    int i = 0;
    do /* n >= 1 taps; a do loop lets gcc 14 see rows written */
        rows[i] = edge_source_row(s, edge_border_index(y - r + i, s->height, EDGE_REFLECT101));
    while (++i < n);
    s->k->edge_blur_vpass(rows, s->taps_u8, n, t + r, w);
    for (int j = 1; j <= r; j++) {
        t[r - j] = t[r + edge_border_index(-j, w, EDGE_REFLECT101)];
        t[r + w - 1 + j] = t[r + edge_border_index(w - 1 + j, w, EDGE_REFLECT101)];
    }
    s->k->edge_blur_hpass(t + r, s->taps_u8, n, out, acc, w);
}

static void blur_row_f32(const edge_rows *s, int y, float *out)
{
    int n = s->taps_n, r = n / 2, w = s->width;
    const float *taps = s->taps_f32;
    float *t = s->blur_scratch, *tr = t + r;
    for (int i = 0; i < n; i++) {
        const float *row = (const float *)(s->src + edge_border_index(y - r + i, s->height,
                                                                      EDGE_REFLECT101) *
                                                        s->stride);
        float k = taps[i];
        if (i == 0)
            for (int x = 0; x < w; x++)
                tr[x] = k * row[x];
        else
            for (int x = 0; x < w; x++)
                tr[x] += k * row[x];
    }
    edge_pad_row32(t, r, w, EDGE_REFLECT101);
    for (int x = 0; x < w; x++)
        out[x] = taps[0] * t[x];
    for (int j = 1; j < n; j++) {
        float k = taps[j];
        for (int x = 0; x < w; x++)
            out[x] += k * t[x + j];
    }
}

const void *cnn_edge_blurred_row(edge_rows *s, int y)
{
    int slot = y % EDGE_RING;
    uint8_t *row = s->ring + slot * s->ring_row;
    if (s->ring_y[slot] != y) {
        if (s->is_f32)
            blur_row_f32(s, y, (float *)row);
        else
            blur_row_u8(s, y, row);
        s->ring_y[slot] = y;
    }
    return row;
}
