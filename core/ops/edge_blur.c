/* The Gaussian blur before Canny, as cv2.GaussianBlur(src, (0, 0), sigma)
 * computes it: kernel size round(sigma * 3 * 2 + 1) | 1 for 8 bits (4 sigma
 * for float), taps exp(-d^2 / (2 sigma^2)) normalised, reflect-101 borders.
 * For 8 bits OpenCV rounds the taps to 8.8 fixed point with error diffusion
 * from the outer taps inwards (the centre takes the remainder), sums exactly
 * and rounds once at the end; doing the same here gives its bit-exact
 * result. One padded scratch row per thread, vertical pass first (the sum is
 * exact, so the order does not change it). */
#include <math.h>

#include "edge_internal.h"

int cnn_edge_blur_size(float sigma, int is_u8)
{
    return (int)lrint((double)sigma * (is_u8 ? 3 : 4) * 2 + 1) | 1;
}

size_t cnn_edge_blur_scratch(float sigma, int width)
{
    /* 8 bits: a uint16 padded row and a uint32 row; float: a padded row */
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

static void fixed_taps(double sigma, int n, uint32_t *taps)
{
    double t[EDGE_MAX_BLUR], err = 0;
    gaussian_taps(sigma, n, t);
    uint32_t outer = 0;
    for (int i = 0; i < n / 2; i++) {
        double v = t[i] * 256 + err;
        double q = nearbyint(v);
        err = v - q;
        taps[i] = taps[n - 1 - i] = (uint32_t)q;
        outer += (uint32_t)q;
    }
    taps[n / 2] = 256 - 2 * outer;
}

void cnn_edge_blur_rows_u8(float sigma, const uint8_t *src, ptrdiff_t src_stride, uint8_t *dst,
                           ptrdiff_t dst_stride, int width, int height, int y0, int y1,
                           void *scratch)
{
    int n = cnn_edge_blur_size(sigma, 1), r = n / 2;
    uint32_t taps[EDGE_MAX_BLUR];
    const uint8_t *rows[EDGE_MAX_BLUR];
    fixed_taps(sigma, n, taps);
    /* 8.8 fixed-point vertical sums (<= 255 * 256) padded by r, then the
     * 16.16 horizontal sums; tap-outer loops vectorise. */
    uint16_t *t = scratch;
    uint32_t *acc = (uint32_t *)((uint8_t *)scratch +
                                 edge_align64(((size_t)width + EDGE_MAX_BLUR) * sizeof *t));
    for (int y = y0; y < y1; y++) {
        edge_gather_rows((const void **)rows, src, src_stride, y, height, n, EDGE_REFLECT101);
        uint16_t *tr = t + r;
        for (int x = 0; x < width; x++)
            tr[x] = (uint16_t)(taps[0] * rows[0][x]);
        for (int i = 1; i < n; i++) {
            const uint8_t *row = rows[i];
            uint16_t k = (uint16_t)taps[i];
            for (int x = 0; x < width; x++)
                tr[x] = (uint16_t)(tr[x] + k * row[x]);
        }
        for (int j = 1; j <= r; j++) {
            t[r - j] = t[r + edge_border_index(-j, width, EDGE_REFLECT101)];
            t[r + width - 1 + j] = t[r + edge_border_index(width - 1 + j, width,
                                                           EDGE_REFLECT101)];
        }
        for (int x = 0; x < width; x++)
            acc[x] = 32768 + taps[0] * t[x];
        for (int j = 1; j < n; j++) {
            uint32_t k = taps[j];
            for (int x = 0; x < width; x++)
                acc[x] += k * t[x + j];
        }
        uint8_t *out = dst + y * dst_stride;
        for (int x = 0; x < width; x++)
            out[x] = (uint8_t)(acc[x] >> 16);
    }
}

void cnn_edge_blur_rows_f32(float sigma, const float *src, ptrdiff_t src_stride, float *dst,
                            ptrdiff_t dst_stride, int width, int height, int y0, int y1,
                            void *scratch)
{
    int n = cnn_edge_blur_size(sigma, 0), r = n / 2;
    double td[EDGE_MAX_BLUR];
    float taps[EDGE_MAX_BLUR];
    const float *rows[EDGE_MAX_BLUR];
    gaussian_taps(sigma, n, td);
    for (int i = 0; i < n; i++)
        taps[i] = (float)td[i];
    float *t = scratch;
    for (int y = y0; y < y1; y++) {
        edge_gather_rows((const void **)rows, src, src_stride * (ptrdiff_t)sizeof(float), y,
                         height, n, EDGE_REFLECT101);
        float *tr = t + r;
        for (int x = 0; x < width; x++)
            tr[x] = taps[0] * rows[0][x];
        for (int i = 1; i < n; i++) {
            const float *row = rows[i];
            float k = taps[i];
            for (int x = 0; x < width; x++)
                tr[x] += k * row[x];
        }
        edge_pad_row32(t, r, width, EDGE_REFLECT101);
        float *out = dst + y * dst_stride;
        for (int x = 0; x < width; x++)
            out[x] = taps[0] * t[x];
        for (int j = 1; j < n; j++) {
            float k = taps[j];
            for (int x = 0; x < width; x++)
                out[x] += k * t[x + j];
        }
    }
}
