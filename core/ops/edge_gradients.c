/* Gradient operators (Sobel 3/5/7, Scharr, Prewitt) and their magnitude:
 * the taps, the separable row passes (vertical then horizontal, one row of
 * scratch each, no full-frame temporaries) and the C reference kernels of the
 * 3x3 fast path. Kernels are OpenCV's (cv2.getDerivKernels), correlation
 * sense: gx = right - left, gy = below - above. */
#include <math.h>
#include <stdlib.h>

#include "edge_internal.h"

static const edge_taps sobel3 = { 3, { 1, 2, 1 }, { -1, 0, 1 } };
static const edge_taps sobel5 = { 5, { 1, 4, 6, 4, 1 }, { -1, -2, 0, 2, 1 } };
static const edge_taps sobel7 = { 7, { 1, 6, 15, 20, 15, 6, 1 }, { -1, -4, -5, 0, 5, 4, 1 } };
static const edge_taps scharr = { 3, { 3, 10, 3 }, { -1, 0, 1 } };
static const edge_taps prewitt = { 3, { 1, 1, 1 }, { -1, 0, 1 } };

const edge_taps *cnn_edge_taps(cnn_edge_method method, int aperture)
{
    switch (method) {
    case CNN_EDGE_SCHARR: return &scharr;
    case CNN_EDGE_PREWITT: return &prewitt;
    default: break;
    }
    return aperture == 7 ? &sobel7 : aperture == 5 ? &sobel5 : &sobel3;
}

/* Tap-outer loops: each pass over a row is a plain multiply-add the
 * compiler vectorises. */
void cnn_edge_vpass_s32_c(const uint8_t *const *rows, const int *smooth, const int *deriv,
                          int n, int32_t *vs, int32_t *vd, int width)
{
    for (int x = 0; x < width; x++) {
        vs[x] = smooth[0] * rows[0][x];
        vd[x] = deriv[0] * rows[0][x];
    }
    for (int i = 1; i < n; i++) {
        const uint8_t *row = rows[i];
        int s = smooth[i], d = deriv[i];
        for (int x = 0; x < width; x++) {
            vs[x] += s * row[x];
            vd[x] += d * row[x];
        }
    }
}

void cnn_edge_hpass_s32_c(const int32_t *vs, const int32_t *vd, const int *smooth,
                          const int *deriv, int n, int32_t *gx, int32_t *gy, int width)
{
    int r = n / 2;
    for (int x = 0; x < width; x++) {
        gx[x] = deriv[0] * vs[x - r];
        gy[x] = smooth[0] * vd[x - r];
    }
    for (int j = 1; j < n; j++) {
        int s = smooth[j], d = deriv[j];
        for (int x = 0; x < width; x++) {
            gx[x] += d * vs[x + j - r];
            gy[x] += s * vd[x + j - r];
        }
    }
}

void cnn_edge_grad_row_s32(const cnn_kernels *k, const uint8_t *const *rows, const edge_taps *t,
                           int width, edge_border border, int32_t *vs, int32_t *vd,
                           int32_t *gx, int32_t *gy)
{
    int r = t->size / 2;
    k->edge_vpass_s32(rows, t->smooth, t->deriv, t->size, vs + r, vd + r, width);
    edge_pad_row32(vs, r, width, border);
    edge_pad_row32(vd, r, width, border);
    k->edge_hpass_s32(vs + r, vd + r, t->smooth, t->deriv, t->size, gx, gy, width);
}

void cnn_edge_vpass_f32_c(const float *const *rows, const int *smooth, const int *deriv, int n,
                          float *vs, float *vd, int width)
{
    for (int x = 0; x < width; x++) {
        vs[x] = (float)smooth[0] * rows[0][x];
        vd[x] = (float)deriv[0] * rows[0][x];
    }
    for (int i = 1; i < n; i++) {
        const float *row = rows[i];
        float s = (float)smooth[i], d = (float)deriv[i];
        for (int x = 0; x < width; x++) {
            vs[x] += s * row[x];
            vd[x] += d * row[x];
        }
    }
}

void cnn_edge_hpass_f32_c(const float *vs, const float *vd, const int *smooth, const int *deriv,
                          int n, float *gx, float *gy, int width)
{
    int r = n / 2;
    for (int x = 0; x < width; x++) {
        gx[x] = (float)deriv[0] * vs[x - r];
        gy[x] = (float)smooth[0] * vd[x - r];
    }
    for (int j = 1; j < n; j++) {
        float s = (float)smooth[j], d = (float)deriv[j];
        for (int x = 0; x < width; x++) {
            gx[x] += d * vs[x + j - r];
            gy[x] += s * vd[x + j - r];
        }
    }
}

void cnn_edge_grad_row_f32(const cnn_kernels *k, const float *const *rows, const edge_taps *t,
                           int width, edge_border border, float *vs, float *vd, float *gx,
                           float *gy)
{
    int r = t->size / 2;
    k->edge_vpass_f32(rows, t->smooth, t->deriv, t->size, vs + r, vd + r, width);
    edge_pad_row32(vs, r, width, border);
    edge_pad_row32(vd, r, width, border);
    k->edge_hpass_f32(vs + r, vd + r, t->smooth, t->deriv, t->size, gx, gy, width);
}

static inline uint8_t sat_u8_round(double v)
{
    return v >= 255.0 ? 255 : v <= 0.0 ? 0 : (uint8_t)lrint(v);
}

void cnn_edge_mag_row_u8(const int32_t *gx, const int32_t *gy, uint8_t *dst, int width,
                         cnn_edge_norm norm, float scale)
{
    if (scale != 1.0f) {
        for (int x = 0; x < width; x++) {
            double m = norm == CNN_EDGE_L2
                           ? sqrt((double)gx[x] * gx[x] + (double)gy[x] * gy[x])
                           : (double)abs(gx[x]) + abs(gy[x]);
            dst[x] = sat_u8_round(m * scale);
        }
    } else if (norm == CNN_EDGE_L2) {
        /* A component past 255 saturates anyway: capping both at 256 keeps
         * the sum exact in float; below 255.5^2 sqrtf rounds like sqrt. */
        for (int x = 0; x < width; x++) {
            int ax = abs(gx[x]), ay = abs(gy[x]);
            ax = ax < 256 ? ax : 256;
            ay = ay < 256 ? ay : 256;
            int s = ax * ax + ay * ay;
            dst[x] = s >= 65280 ? 255 : (uint8_t)lrintf(sqrtf((float)s));
        }
    } else {
        for (int x = 0; x < width; x++) {
            int s = abs(gx[x]) + abs(gy[x]);
            dst[x] = s > 255 ? 255 : (uint8_t)s;
        }
    }
}

/* gx, gy of pixel x of a 3x3 operator with its left and right columns. */
static inline void grad3_at(const uint8_t *r0, const uint8_t *r1, const uint8_t *r2, int xl,
                            int x, int xr, int side, int centre, int *gx, int *gy)
{
    *gx = side * (r0[xr] - r0[xl] + r2[xr] - r2[xl]) + centre * (r1[xr] - r1[xl]);
    *gy = side * (r2[xl] - r0[xl] + r2[xr] - r0[xr]) + centre * (r2[x] - r0[x]);
}

void cnn_edge_grad3_s16_c(const uint8_t *r0, const uint8_t *r1, const uint8_t *r2, int16_t *gx,
                          int16_t *gy, int width, int side, int centre, int left, int right)
{
    /* Column -1 reads left, column width reads right (a row of width 1
     * reads both); the inside needs no test, so its loop vectorises. */
    int x1 = width - 1, vx, vy;
    grad3_at(r0, r1, r2, left, 0, width > 1 ? 1 : right, side, centre, &vx, &vy);
    gx[0] = (int16_t)vx, gy[0] = (int16_t)vy;
    for (int x = 1; x < x1; x++) {
        grad3_at(r0, r1, r2, x - 1, x, x + 1, side, centre, &vx, &vy);
        gx[x] = (int16_t)vx, gy[x] = (int16_t)vy;
    }
    if (width > 1) {
        grad3_at(r0, r1, r2, x1 - 1, x1, right, side, centre, &vx, &vy);
        gx[x1] = (int16_t)vx, gy[x1] = (int16_t)vy;
    }
}

/* 8-bit magnitude of one gradient: for L2, from 255.5^2 the result
 * saturates; below, sqrtf of the exact sum rounds like the float reference
 * (no integer sum sits on a .5 tie). */
static inline uint8_t mag3_of(int gx, int gy, int l2)
{
    if (l2) {
        int s = gx * gx + gy * gy;
        return s >= 65280 ? 255 : (uint8_t)lrintf(sqrtf((float)s));
    }
    int s = abs(gx) + abs(gy);
    return s > 255 ? 255 : (uint8_t)s;
}

void cnn_edge_mag3_u8_c(const uint8_t *r0, const uint8_t *r1, const uint8_t *r2, uint8_t *dst,
                        int width, int side, int centre, int left, int right, int l2)
{
    int x1 = width - 1, vx, vy;
    grad3_at(r0, r1, r2, left, 0, width > 1 ? 1 : right, side, centre, &vx, &vy);
    dst[0] = mag3_of(vx, vy, l2);
    if (l2) {
        for (int x = 1; x < x1; x++) {
            grad3_at(r0, r1, r2, x - 1, x, x + 1, side, centre, &vx, &vy);
            dst[x] = mag3_of(vx, vy, 1);
        }
    } else {
        for (int x = 1; x < x1; x++) {
            grad3_at(r0, r1, r2, x - 1, x, x + 1, side, centre, &vx, &vy);
            dst[x] = mag3_of(vx, vy, 0);
        }
    }
    if (width > 1) {
        grad3_at(r0, r1, r2, x1 - 1, x1, right, side, centre, &vx, &vy);
        dst[x1] = mag3_of(vx, vy, l2);
    }
}

/* Scratch of one thread: vs, vd padded rows and gx, gy rows (int32 for 8-bit
 * planes, float for float planes; both 4 bytes). */
size_t cnn_edge_gradient_scratch(const cnn_edge_params *p, int width)
{
    size_t padded = (size_t)width + EDGE_MAX_APERTURE - 1;
    return 2 * edge_align64(padded * 4) + 2 * edge_align64((size_t)width * 4);
}

void cnn_edge_magnitude_rows_u8(const cnn_kernels *k, const cnn_edge_params *p,
                                edge_rows *src, uint8_t *dst, ptrdiff_t dst_stride, int y0,
                                int y1, void *scratch)
{
    const edge_taps *t = cnn_edge_taps(p->method, p->aperture);
    const uint8_t *rows[EDGE_MAX_APERTURE];
    int width = src->width, l2 = p->norm == CNN_EDGE_L2;
    if (t->size == 3 && p->scale == 1.0f) {
        int left = edge_border_index(-1, width, EDGE_REFLECT101);
        int right = edge_border_index(width, width, EDGE_REFLECT101);
        for (int y = y0; y < y1; y++) {
            edge_gather(src, (const void **)rows, y, 3, EDGE_REFLECT101);
            k->edge_mag3_u8(rows[0], rows[1], rows[2], dst + y * dst_stride, width,
                            t->smooth[0], t->smooth[1], left, right, l2);
        }
        return;
    }
    size_t padded = edge_align64(((size_t)width + EDGE_MAX_APERTURE - 1) * 4);
    int32_t *vs = scratch, *vd = (int32_t *)((uint8_t *)scratch + padded);
    int32_t *gx = (int32_t *)((uint8_t *)scratch + 2 * padded);
    int32_t *gy = (int32_t *)((uint8_t *)gx + edge_align64((size_t)width * 4));
    for (int y = y0; y < y1; y++) {
        edge_gather(src, (const void **)rows, y, t->size, EDGE_REFLECT101);
        cnn_edge_grad_row_s32(k, rows, t, width, EDGE_REFLECT101, vs, vd, gx, gy);
        cnn_edge_mag_row_u8(gx, gy, dst + y * dst_stride, width, p->norm, p->scale);
    }
}

void cnn_edge_magnitude_rows_f32(const cnn_kernels *k, const cnn_edge_params *p,
                                 edge_rows *src, float *dst, ptrdiff_t dst_stride, int y0,
                                 int y1, float *gx_out, float *gy_out, void *scratch)
{
    const edge_taps *t = cnn_edge_taps(p->method, p->aperture);
    const float *rows[EDGE_MAX_APERTURE];
    int width = src->width;
    size_t padded = edge_align64(((size_t)width + EDGE_MAX_APERTURE - 1) * 4);
    float *vs = scratch, *vd = (float *)((uint8_t *)scratch + padded);
    float *gx = (float *)((uint8_t *)scratch + 2 * padded);
    float *gy = (float *)((uint8_t *)gx + edge_align64((size_t)width * 4));
    for (int y = y0; y < y1; y++) {
        float *rx = gx_out ? gx_out + y * dst_stride : gx;
        float *ry = gy_out ? gy_out + y * dst_stride : gy;
        edge_gather(src, (const void **)rows, y, t->size, EDGE_REFLECT101);
        cnn_edge_grad_row_f32(k, rows, t, width, EDGE_REFLECT101, vs, vd, rx, ry);
        if (!dst)
            continue;
        float *out = dst + y * dst_stride;
        for (int x = 0; x < width; x++)
            out[x] = p->scale * (p->norm == CNN_EDGE_L2
                                     ? sqrtf(rx[x] * rx[x] + ry[x] * ry[x])
                                     : fabsf(rx[x]) + fabsf(ry[x]));
    }
}
