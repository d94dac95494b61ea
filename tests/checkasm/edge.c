/* checkasm family edge: every edge kernel (3x3 gradients and 8-bit
 * magnitude, separable passes of both depths, Laplacian and blur passes,
 * Canny magnitude and suppression of both depths) must give C's output bit
 * for bit on random rows of every width up to a 1080p row and past it (the
 * one-pixel borders, vector steps and tails), with every operator's taps, and
 * write nothing past its row. Inputs of a horizontal pass come from the C
 * vertical pass; suppression sees magnitudes quantised so neighbours tie. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkasm.h"
#include "ops/edge_internal.h"

#define MAX_W 1931
#define GUARD 64
#define WIDTHS 24

/* Widths: the small and odd ones, every vector boundary, then random. */
static int width_of(int i)
{
    static const int fixed[] = { 1, 2, 3, 7, 15, 16, 17, 18, 19, 31, 32, 33, 34, 35, 63, 64,
                                 65, 66, 100, 257 };
    const int n = sizeof fixed / sizeof *fixed;
    return i < n ? fixed[i] : i == WIDTHS - 1 ? MAX_W : checkasm_rand_range(1, MAX_W);
}

/* Seven random 8-bit rows and seven float rows (values 0..255). */
static uint8_t plane[7 * MAX_W];
static float fplane[7 * MAX_W];
static const uint8_t *rows[7];
static const float *frows[7];

static void fill_rows(void)
{
    for (int i = 0; i < 7 * MAX_W; i++) {
        plane[i] = (uint8_t)checkasm_rand_range(0, 255);
        fplane[i] = (float)checkasm_rand_range(0, 25500) / 100.0f;
    }
    for (int i = 0; i < 7; i++) {
        rows[i] = plane + i * MAX_W;
        frows[i] = fplane + i * MAX_W;
    }
}

/* Two output buffers with guard cells, set to the same pattern. */
static void reset(void *a, void *b, size_t bytes)
{
    memset(a, 0xa5, bytes);
    memset(b, 0xa5, bytes);
}

#define FN(f) (void (*)(void))(f)

static void check_grad3(void)
{
    const cnn_kernels *cur = checkasm_cur(), *ref = checkasm_ref();
    static int16_t gx[2][MAX_W + GUARD], gy[2][MAX_W + GUARD];
    static uint8_t m[2][MAX_W + GUARD];
    const int ops[3][2] = { { 1, 2 }, { 3, 10 }, { 1, 1 } };
    for (int entry = 0; entry < 2; entry++) {
        if (entry == 0 && !checkasm_func_new("edge_grad3_s16", FN(cur->edge_grad3_s16),
                                             FN(ref->edge_grad3_s16)))
            continue;
        if (entry == 1 && !checkasm_func_new("edge_mag3_u8", FN(cur->edge_mag3_u8),
                                             FN(ref->edge_mag3_u8)))
            continue;
        for (int wi = 0; wi < WIDTHS; wi++)
            for (int o = 0; o < 6; o++) {
                int w = width_of(wi), side = ops[o % 3][0], centre = ops[o % 3][1];
                int replicate = o >= 3; /* Canny's border, else reflect-101 */
                int left = w == 1 ? 0 : replicate ? 0 : 1;
                int right = w == 1 ? 0 : replicate ? w - 1 : w - 2;
                if (entry == 0) {
                    reset(gx, gy, sizeof gx);
                    ref->edge_grad3_s16(rows[0], rows[1], rows[2], gx[0], gy[0], w, side,
                                        centre, left, right);
                    cur->edge_grad3_s16(rows[0], rows[1], rows[2], gx[1], gy[1], w, side,
                                        centre, left, right);
                    if (memcmp(gx[0], gx[1], sizeof gx[0]) || memcmp(gy[0], gy[1], sizeof gy[0]))
                        checkasm_fail("width %d op %d,%d: differs from C", w, side, centre);
                    continue;
                }
                for (int l2 = 0; l2 < 2; l2++) {
                    reset(m[0], m[1], sizeof m[0]);
                    ref->edge_mag3_u8(rows[0], rows[1], rows[2], m[0], w, side, centre, left,
                                      right, l2);
                    cur->edge_mag3_u8(rows[0], rows[1], rows[2], m[1], w, side, centre, left,
                                      right, l2);
                    if (memcmp(m[0], m[1], sizeof m[0]))
                        checkasm_fail("width %d op %d,%d l2 %d: differs from C", w, side,
                                      centre, l2);
                }
            }
    }
}

static const cnn_edge_method sep_methods[] = { CNN_EDGE_SOBEL, CNN_EDGE_SOBEL, CNN_EDGE_SOBEL,
                                               CNN_EDGE_SCHARR, CNN_EDGE_PREWITT };
static const int sep_apertures[] = { 3, 5, 7, 3, 3 };

/* The separable passes of both depths through one checker: their cells are
 * 4 bytes (int32 or float), the wrappers pick the rows of the depth. */
typedef void (*vpass_call)(const cnn_kernels *k, const edge_taps *t, void *vs, void *vd,
                           int w);
typedef void (*hpass_call)(const cnn_kernels *k, const edge_taps *t, const void *vs,
                           const void *vd, void *gx, void *gy, int w);

static void vpass_s32(const cnn_kernels *k, const edge_taps *t, void *vs, void *vd, int w)
{
    k->edge_vpass_s32(rows, t->smooth, t->deriv, t->size, vs, vd, w);
}

static void hpass_s32(const cnn_kernels *k, const edge_taps *t, const void *vs, const void *vd,
                      void *gx, void *gy, int w)
{
    k->edge_hpass_s32(vs, vd, t->smooth, t->deriv, t->size, gx, gy, w);
}

static void vpass_f32(const cnn_kernels *k, const edge_taps *t, void *vs, void *vd, int w)
{
    k->edge_vpass_f32(frows, t->smooth, t->deriv, t->size, vs, vd, w);
}

static void hpass_f32(const cnn_kernels *k, const edge_taps *t, const void *vs, const void *vd,
                      void *gx, void *gy, int w)
{
    k->edge_hpass_f32(vs, vd, t->smooth, t->deriv, t->size, gx, gy, w);
}

static void check_separable(const char *depth, int vnew, int hnew, vpass_call vp,
                            hpass_call hp)
{
    const cnn_kernels *cur = checkasm_cur(), *ref = checkasm_ref();
    /* vs, vd padded by 3 on each side; outputs followed by guard cells */
    static uint32_t vs[2][MAX_W + 6 + GUARD], vd[2][MAX_W + 6 + GUARD];
    static uint32_t gx[2][MAX_W + GUARD], gy[2][MAX_W + GUARD];
    for (int wi = 0; (vnew || hnew) && wi < WIDTHS; wi++)
        for (int o = 0; o < 5; o++) {
            const edge_taps *t = cnn_edge_taps(sep_methods[o], sep_apertures[o]);
            int w = width_of(wi), r = t->size / 2;
            reset(vs, vd, sizeof vs);
            vp(ref, t, vs[0] + r, vd[0] + r, w);
            if (vnew) {
                vp(cur, t, vs[1] + r, vd[1] + r, w);
                if (memcmp(vs[0], vs[1], sizeof vs[0]) || memcmp(vd[0], vd[1], sizeof vd[0]))
                    checkasm_fail("%s width %d aperture %d: differs from C", depth, w,
                                  t->size);
            }
            if (!hnew)
                continue;
            edge_pad_row32(vs[0], r, w, EDGE_REFLECT101);
            edge_pad_row32(vd[0], r, w, EDGE_REFLECT101);
            reset(gx, gy, sizeof gx);
            hp(ref, t, vs[0] + r, vd[0] + r, gx[0], gy[0], w);
            hp(cur, t, vs[0] + r, vd[0] + r, gx[1], gy[1], w);
            if (memcmp(gx[0], gx[1], sizeof gx[0]) || memcmp(gy[0], gy[1], sizeof gy[0]))
                checkasm_fail("%s width %d aperture %d: differs from C", depth, w, t->size);
        }
}

/* Float rows of C's gradients and their quantised L1 magnitudes. */
static float fgx[MAX_W], fgy[MAX_W], fmag[3][MAX_W + 2];

static void float_gradients(const edge_taps *t, int w)
{
    static float vs[MAX_W + 6], vd[MAX_W + 6];
    int r = t->size / 2;
    checkasm_ref()->edge_vpass_f32(frows, t->smooth, t->deriv, t->size, vs + r, vd + r, w);
    edge_pad_row32(vs, r, w, EDGE_REPLICATE);
    edge_pad_row32(vd, r, w, EDGE_REPLICATE);
    checkasm_ref()->edge_hpass_f32(vs + r, vd + r, t->smooth, t->deriv, t->size, fgx, fgy, w);
    for (int k = 0; k < 3; k++) {
        fmag[k][0] = fmag[k][w + 1] = 0;
        for (int x = 0; x < w; x++) {
            float v = fabsf(fgx[(x + 5 * k) % w]) + fabsf(fgy[(x + 2 * k) % w]);
            fmag[k][x + 1] = 64.0f * floorf(v / 64.0f);
        }
    }
}

static void check_nms_f32(void)
{
    const cnn_kernels *cur = checkasm_cur(), *ref = checkasm_ref();
    static uint8_t map[2][MAX_W + GUARD];
    if (checkasm_func_new("edge_canny_nms_f32", FN(cur->edge_canny_nms_f32),
                          FN(ref->edge_canny_nms_f32)))
        for (int wi = 0; wi < WIDTHS; wi++)
            for (int o = 0; o < 5; o++) {
                int w = width_of(wi);
                float_gradients(cnn_edge_taps(sep_methods[o], sep_apertures[o]), w);
                reset(map[0], map[1], sizeof map[0]);
                ref->edge_canny_nms_f32(fmag[0] + 1, fmag[1] + 1, fmag[2] + 1, fgx, fgy, map[0],
                                        w, 300.0f, 900.0f);
                cur->edge_canny_nms_f32(fmag[0] + 1, fmag[1] + 1, fmag[2] + 1, fgx, fgy, map[1],
                                        w, 300.0f, 900.0f);
                if (memcmp(map[0], map[1], sizeof map[0]))
                    checkasm_fail("width %d operator %d: differs from C", w, o);
            }
}

static void fill_s16(int16_t *x, int n, int range)
{
    for (int i = 0; i < n; i++)
        x[i] = (int16_t)checkasm_rand_range(-range, range);
}

static void check_canny(void)
{
    const cnn_kernels *cur = checkasm_cur(), *ref = checkasm_ref();
    static int16_t gx[MAX_W], gy[MAX_W];
    static int32_t mag[3][MAX_W + 2], out[2][MAX_W + GUARD];
    static uint8_t map[2][MAX_W + GUARD];
    /* aperture 3 gradients, and the 5x5 range that needs 32 bits */
    const int ranges[2] = { 1020, 24480 }, shifts[2] = { 7, 12 };
    if (checkasm_func_new("edge_canny_mag", FN(cur->edge_canny_mag), FN(ref->edge_canny_mag)))
        for (int wi = 0; wi < WIDTHS; wi++)
            for (int g = 0; g < 4; g++) {
                int w = width_of(wi), l2 = g & 1;
                fill_s16(gx, w, ranges[g / 2]);
                fill_s16(gy, w, ranges[g / 2]);
                reset(out[0], out[1], sizeof out[0]);
                ref->edge_canny_mag(gx, gy, out[0], w, l2);
                cur->edge_canny_mag(gx, gy, out[1], w, l2);
                if (memcmp(out[0], out[1], sizeof out[0]))
                    checkasm_fail("width %d range %d l2 %d: differs from C", w, ranges[g / 2],
                                  l2);
            }
    if (checkasm_func_new("edge_canny_nms", FN(cur->edge_canny_nms), FN(ref->edge_canny_nms)))
        for (int wi = 0; wi < WIDTHS; wi++)
            for (int g = 0; g < 2; g++) {
                int w = width_of(wi), range = ranges[g];
                fill_s16(gx, w, range);
                fill_s16(gy, w, range);
                /* magnitudes of shifted copies, quantised so neighbours tie
                 * (the > and >= of the sectors matter) */
                for (int k = 0; k < 3; k++) {
                    mag[k][0] = mag[k][w + 1] = 0;
                    for (int x = 0; x < w; x++) {
                        int v = abs(gx[(x + 7 * k) % w]) + abs(gy[(x + 3 * k) % w]);
                        mag[k][x + 1] = v >> shifts[g] << shifts[g];
                    }
                }
                reset(map[0], map[1], sizeof map[0]);
                ref->edge_canny_nms(mag[0] + 1, mag[1] + 1, mag[2] + 1, gx, gy, map[0], w,
                                    range / 2, range + range / 2);
                cur->edge_canny_nms(mag[0] + 1, mag[1] + 1, mag[2] + 1, gx, gy, map[1], w,
                                    range / 2, range + range / 2);
                if (memcmp(map[0], map[1], sizeof map[0]))
                    checkasm_fail("width %d range %d: differs from C", w, range);
            }
}

static void check_laplacian(void)
{
    const cnn_kernels *cur = checkasm_cur(), *ref = checkasm_ref();
    static int16_t a[2][MAX_W + 4 + GUARD], b[2][MAX_W + 4 + GUARD];
    static uint8_t out[2][MAX_W + GUARD];
    int vpass = checkasm_func_new("edge_lap_vpass_s16", FN(cur->edge_lap_vpass_s16),
                                  FN(ref->edge_lap_vpass_s16));
    for (int wi = 0; vpass && wi < WIDTHS; wi++)
        for (int kind = CNN_LAPLACIAN_4; kind <= CNN_LAPLACIAN_APERTURE5; kind++) {
            const edge_laplacian_taps *t = cnn_edge_laplacian_taps(kind);
            int w = width_of(wi), r = t->size / 2;
            reset(a, b, sizeof a);
            ref->edge_lap_vpass_s16(rows, t->v1, t->v2, t->size, a[0] + r, b[0] + r, w);
            cur->edge_lap_vpass_s16(rows, t->v1, t->v2, t->size, a[1] + r, b[1] + r, w);
            if (memcmp(a[0], a[1], sizeof a[0]) || memcmp(b[0], b[1], sizeof b[0]))
                checkasm_fail("width %d kind %d: differs from C", w, kind);
        }
    int hpass = checkasm_func_new("edge_lap_hpass_u8", FN(cur->edge_lap_hpass_u8),
                                  FN(ref->edge_lap_hpass_u8));
    for (int wi = 0; hpass && wi < WIDTHS; wi++)
        for (int kind = CNN_LAPLACIAN_4; kind <= CNN_LAPLACIAN_APERTURE5; kind++) {
            const edge_laplacian_taps *t = cnn_edge_laplacian_taps(kind);
            int w = width_of(wi), r = t->size / 2;
            ref->edge_lap_vpass_s16(rows, t->v1, t->v2, t->size, a[0] + r, b[0] + r, w);
            for (int j = 1; j <= r; j++) { /* the extreme sums as padding */
                a[0][r - j] = a[0][r + w - 1 + j] = 16 * 255;
                b[0][r - j] = b[0][r + w - 1 + j] = -4 * 255;
            }
            reset(out[0], out[1], sizeof out[0]);
            ref->edge_lap_hpass_u8(a[0] + r, b[0] + r, t->h1, t->h2, t->size, out[0], w);
            cur->edge_lap_hpass_u8(a[0] + r, b[0] + r, t->h1, t->h2, t->size, out[1], w);
            if (memcmp(out[0], out[1], sizeof out[0]))
                checkasm_fail("width %d kind %d: differs from C", w, kind);
        }
}

static void check_blur(void)
{
    const cnn_kernels *cur = checkasm_cur(), *ref = checkasm_ref();
    static uint16_t t[2][MAX_W + 2 * EDGE_MAX_BLUR + GUARD];
    static uint8_t out[2][MAX_W + GUARD];
    static uint32_t acc[MAX_W];
    const float sigmas[] = { 0.3f, 1.5f, 4.0f, 12.0f };
    const uint8_t *brows[EDGE_MAX_BLUR];
    uint16_t taps[EDGE_MAX_BLUR];
    int vpass = checkasm_func_new("edge_blur_vpass", FN(cur->edge_blur_vpass),
                                  FN(ref->edge_blur_vpass));
    for (int wi = 0; vpass && wi < WIDTHS; wi++)
        for (int si = 0; si < 4; si++) {
            int w = width_of(wi), n = cnn_edge_blur_taps_u8(sigmas[si], taps), r = n / 2;
            for (int i = 0; i < n; i++)
                brows[i] = rows[i * 5 % 7];
            reset(t[0], t[1], sizeof t[0]);
            ref->edge_blur_vpass(brows, taps, n, t[0] + r, w);
            cur->edge_blur_vpass(brows, taps, n, t[1] + r, w);
            if (memcmp(t[0], t[1], sizeof t[0]))
                checkasm_fail("width %d sigma %g: differs from C", w, (double)sigmas[si]);
        }
    int hpass = checkasm_func_new("edge_blur_hpass", FN(cur->edge_blur_hpass),
                                  FN(ref->edge_blur_hpass));
    for (int wi = 0; hpass && wi < WIDTHS; wi++)
        for (int si = 0; si < 4; si++) {
            int w = width_of(wi), n = cnn_edge_blur_taps_u8(sigmas[si], taps), r = n / 2;
            for (int i = 0; i < n; i++)
                brows[i] = rows[i * 5 % 7];
            ref->edge_blur_vpass(brows, taps, n, t[0] + r, w);
            for (int j = 1; j <= r; j++) /* padding: the largest sums */
                t[0][r - j] = t[0][r + w - 1 + j] = 65280;
            reset(out[0], out[1], sizeof out[0]);
            ref->edge_blur_hpass(t[0] + r, taps, n, out[0], acc, w);
            cur->edge_blur_hpass(t[0] + r, taps, n, out[1], acc, w);
            if (memcmp(out[0], out[1], sizeof out[0]))
                checkasm_fail("width %d sigma %g: differs from C", w, (double)sigmas[si]);
        }
}

/* Bench: a 1920-pixel row of the 8-bit Sobel magnitude and of the Canny
 * suppression on real-looking magnitudes. */
typedef struct edge_call {
    const cnn_kernels *k;
    int32_t *mag;
    int16_t *gx, *gy;
    uint8_t *out;
} edge_call;

static void call_mag3(void *arg)
{
    const edge_call *c = arg;
    c->k->edge_mag3_u8(rows[0], rows[1], rows[2], c->out, 1920, 1, 2, 1, 1918, 0);
}

static void call_nms(void *arg)
{
    const edge_call *c = arg;
    c->k->edge_canny_nms(c->mag + 1, c->mag + 1923, c->mag + 3845, c->gx, c->gy, c->out, 1920,
                         50, 150);
}

static void bench_edge(void)
{
    static int32_t mag[3 * 1922];
    static int16_t gx[1920], gy[1920];
    static uint8_t out[1920];
    fill_s16(gx, 1920, 255);
    fill_s16(gy, 1920, 255);
    for (int i = 0; i < 3 * 1922; i++)
        mag[i] = abs(gx[i % 1920]) + abs(gy[(i * 7) % 1920]);
    edge_call cref = { checkasm_ref(), mag, gx, gy, out };
    edge_call ccur = { checkasm_cur(), mag, gx, gy, out };
    if (cref.k->edge_mag3_u8 != ccur.k->edge_mag3_u8)
        checkasm_report_bench("edge_mag3_u8 Sobel L1, 1920 pixels",
                              checkasm_median_ns(call_mag3, &cref, 101),
                              checkasm_median_ns(call_mag3, &ccur, 1001));
    if (cref.k->edge_canny_nms != ccur.k->edge_canny_nms)
        checkasm_report_bench("edge_canny_nms, 1920 pixels",
                              checkasm_median_ns(call_nms, &cref, 101),
                              checkasm_median_ns(call_nms, &ccur, 1001));
}

void checkasm_check_edge(void)
{
    fill_rows();
    check_grad3();
    /* each entry announced alone, so a failure names it */
    const cnn_kernels *cur = checkasm_cur(), *ref = checkasm_ref();
    check_separable("s32", checkasm_func_new("edge_vpass_s32", FN(cur->edge_vpass_s32),
                                             FN(ref->edge_vpass_s32)),
                    0, vpass_s32, hpass_s32);
    check_separable("s32", 0,
                    checkasm_func_new("edge_hpass_s32", FN(cur->edge_hpass_s32),
                                      FN(ref->edge_hpass_s32)),
                    vpass_s32, hpass_s32);
    check_separable("f32", checkasm_func_new("edge_vpass_f32", FN(cur->edge_vpass_f32),
                                             FN(ref->edge_vpass_f32)),
                    0, vpass_f32, hpass_f32);
    check_separable("f32", 0,
                    checkasm_func_new("edge_hpass_f32", FN(cur->edge_hpass_f32),
                                      FN(ref->edge_hpass_f32)),
                    vpass_f32, hpass_f32);
    check_nms_f32();
    check_canny();
    check_laplacian();
    check_blur();
    if (checkasm_bench_enabled())
        bench_edge();
}
