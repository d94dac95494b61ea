/* Edge detection: every SIMD kernel of the table against its C reference at
 * every level the CPU has (random rows, odd and tail widths, guard bytes
 * after the row), the same Canny mask and magnitudes for any thread count,
 * and parameter errors that name the problem. Values against OpenCV are in
 * test_edge_opencv. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "ops/edge_internal.h"
#include "testutil.h"

#define GUARD 64
#define MAX_W 1931

static const int widths[] = { 1, 2, 3, 7, 16, 17, 18, 19, 31, 33, 34, 35, 64, 100, 257, MAX_W };

/* Random bytes from the counter generator. */
static void fill_u8(uint8_t *x, size_t n, uint64_t purpose)
{
    cnn_rng_key key = { test_seed(), purpose };
    for (size_t i = 0; i < n; i++)
        x[i] = (uint8_t)(cnn_rng_uniform_range(key, i, 0, 256));
}

static void fill_s16(int16_t *x, size_t n, uint64_t purpose, int range)
{
    cnn_rng_key key = { test_seed(), purpose };
    for (size_t i = 0; i < n; i++)
        x[i] = (int16_t)cnn_rng_uniform_range(key, i, (float)-range, (float)range + 1);
}

/* Tables of every level above C that this CPU runs, the C table, and seven
 * random rows, for the kernel tests. */
static cnn_kernels simd[2], c;
static const char *names[2];
static int levels;
static uint8_t plane[7 * MAX_W];

static void kernels_setup(void)
{
    unsigned have = cnn_cpu_detect();
    const unsigned wanted[] = { CNN_CPU_AVX2, CNN_CPU_AVX2 | CNN_CPU_AVX512 };
    levels = 0;
    for (int i = 0; i < 2; i++) {
        if ((have & wanted[i]) != wanted[i])
            continue;
        cnn_kernels_init(&simd[levels], wanted[i]);
        names[levels++] = cnn_cpu_level_name(wanted[i]);
    }
    cnn_kernels_init(&c, 0);
    fill_u8(plane, sizeof plane, 1);
}

START_TEST(gradient_kernels_match_c)
{
    const int ops[3][2] = { { 1, 2 }, { 3, 10 }, { 1, 1 } };
    int16_t gx[MAX_W + GUARD], gy[MAX_W + GUARD], rx[MAX_W + GUARD], ry[MAX_W + GUARD];
    uint8_t m[MAX_W + GUARD], rm[MAX_W + GUARD];
    for (int l = 0; l < levels; l++)
        for (size_t wi = 0; wi < sizeof widths / sizeof *widths; wi++)
            for (int op = 0; op < 3; op++)
                for (int replicate = 0; replicate < 2; replicate++) {
                    int w = widths[wi], side = ops[op][0], centre = ops[op][1];
                    int left = w == 1 ? 0 : replicate ? 0 : 1;
                    int right = w == 1 ? 0 : replicate ? w - 1 : w - 2;
                    const uint8_t *r0 = plane, *r1 = plane + MAX_W, *r2 = plane + 2 * MAX_W;
                    memset(gx, 0x5a, sizeof gx);
                    memset(gy, 0x5a, sizeof gy);
                    memcpy(rx, gx, sizeof gx);
                    memcpy(ry, gy, sizeof gy);
                    c.edge_grad3_s16(r0, r1, r2, rx, ry, w, side, centre, left, right);
                    simd[l].edge_grad3_s16(r0, r1, r2, gx, gy, w, side, centre, left, right);
                    ck_assert_msg(!memcmp(gx, rx, sizeof gx) && !memcmp(gy, ry, sizeof gy),
                                  "grad3_s16 %s width %d op %d,%d differs from C", names[l],
                                  w, side, centre);
                    for (int l2 = 0; l2 < 2; l2++) {
                        memset(m, 0xa5, sizeof m);
                        memcpy(rm, m, sizeof m);
                        c.edge_mag3_u8(r0, r1, r2, rm, w, side, centre, left, right, l2);
                        simd[l].edge_mag3_u8(r0, r1, r2, m, w, side, centre, left, right, l2);
                        ck_assert_msg(!memcmp(m, rm, sizeof m),
                                      "mag3_u8 %s width %d op %d,%d l2 %d differs from C",
                                      names[l], w, side, centre, l2);
                    }
                }
}
END_TEST

/* The separable passes of both depths through one checker: their cells
 * are 4 bytes (int32 or float) and the rows come from the random planes. */
static float fplane[7 * MAX_W];
typedef void (*vpass_call)(const cnn_kernels *k, const edge_taps *t, void *vs, void *vd,
                           int w);
typedef void (*hpass_call)(const cnn_kernels *k, const edge_taps *t, const void *vs,
                           const void *vd, void *gx, void *gy, int w);

static void vpass_s32(const cnn_kernels *k, const edge_taps *t, void *vs, void *vd, int w)
{
    const uint8_t *rows[7];
    for (int i = 0; i < 7; i++)
        rows[i] = plane + i * MAX_W;
    k->edge_vpass_s32(rows, t->smooth, t->deriv, t->size, vs, vd, w);
}

static void hpass_s32(const cnn_kernels *k, const edge_taps *t, const void *vs, const void *vd,
                      void *gx, void *gy, int w)
{
    k->edge_hpass_s32(vs, vd, t->smooth, t->deriv, t->size, gx, gy, w);
}

static void vpass_f32(const cnn_kernels *k, const edge_taps *t, void *vs, void *vd, int w)
{
    const float *rows[7];
    for (int i = 0; i < 7; i++)
        rows[i] = fplane + i * MAX_W;
    k->edge_vpass_f32(rows, t->smooth, t->deriv, t->size, vs, vd, w);
}

static void hpass_f32(const cnn_kernels *k, const edge_taps *t, const void *vs, const void *vd,
                      void *gx, void *gy, int w)
{
    k->edge_hpass_f32(vs, vd, t->smooth, t->deriv, t->size, gx, gy, w);
}

/* Vertical pass of level l against C, then the horizontal one on C's
 * vertical rows padded with pad_s, pad_d (4-byte patterns); gx[0], gy[0]
 * keep C's gradients. */
static void check_passes(int l, const edge_taps *t, int w, const char *what, vpass_call vp,
                         hpass_call hp, uint32_t pad_s, uint32_t pad_d,
                         uint32_t gx[2][MAX_W + GUARD], uint32_t gy[2][MAX_W + GUARD])
{
    /* vs, vd padded by 3 on each side; outputs followed by guard cells */
    static uint32_t vs[2][MAX_W + 6 + GUARD], vd[2][MAX_W + 6 + GUARD];
    int r = t->size / 2;
    memset(vs, 0x5a, sizeof vs);
    memset(vd, 0x5a, sizeof vd);
    vp(&c, t, vs[0] + r, vd[0] + r, w);
    vp(&simd[l], t, vs[1] + r, vd[1] + r, w);
    ck_assert_msg(!memcmp(vs[0], vs[1], sizeof vs[0]) && !memcmp(vd[0], vd[1], sizeof vd[0]),
                  "vpass_%s %s width %d aperture %d differs from C", what, names[l], w,
                  t->size);
    for (int j = 1; j <= r; j++) {
        vs[0][r - j] = vs[0][r + w - 1 + j] = pad_s;
        vd[0][r - j] = vd[0][r + w - 1 + j] = pad_d;
    }
    memset(gx, 0xa5, 2 * sizeof gx[0]);
    memset(gy, 0xa5, 2 * sizeof gy[0]);
    hp(&c, t, vs[0] + r, vd[0] + r, gx[0], gy[0], w);
    hp(&simd[l], t, vs[0] + r, vd[0] + r, gx[1], gy[1], w);
    ck_assert_msg(!memcmp(gx[0], gx[1], sizeof gx[0]) && !memcmp(gy[0], gy[1], sizeof gy[0]),
                  "hpass_%s %s width %d aperture %d differs from C", what, names[l], w,
                  t->size);
}

START_TEST(separable_kernels_match_c)
{
    static uint32_t gx[2][MAX_W + GUARD], gy[2][MAX_W + GUARD];
    static float mag[3][MAX_W + 2];
    static uint8_t map[2][MAX_W + GUARD];
    test_fill_uniform(fplane, 7 * MAX_W, test_seed(), 3, 0, 255);
    const float pad_s = 100.5f, pad_d = -70.25f;
    uint32_t fpad_s, fpad_d;
    memcpy(&fpad_s, &pad_s, 4);
    memcpy(&fpad_d, &pad_d, 4);
    const cnn_edge_method methods[] = { CNN_EDGE_SOBEL, CNN_EDGE_SOBEL, CNN_EDGE_SOBEL,
                                        CNN_EDGE_SCHARR, CNN_EDGE_PREWITT };
    const int apertures[] = { 3, 5, 7, 3, 3 };
    for (int l = 0; l < levels; l++)
        for (size_t wi = 0; wi < sizeof widths / sizeof *widths; wi++)
            for (int o = 0; o < 5; o++) {
                const edge_taps *t = cnn_edge_taps(methods[o], apertures[o]);
                int w = widths[wi];
                check_passes(l, t, w, "s32", vpass_s32, hpass_s32, 1000, (uint32_t)-700, gx,
                             gy);
                check_passes(l, t, w, "f32", vpass_f32, hpass_f32, fpad_s, fpad_d, gx, gy);
                /* float suppression on C's float gradients, magnitudes
                 * rounded to multiples of 64 so that neighbours tie */
                const float *fx = (const float *)gx[0], *fy = (const float *)gy[0];
                for (int k = 0; k < 3; k++) {
                    mag[k][0] = mag[k][w + 1] = 0;
                    for (int x = 0; x < w; x++) {
                        float v = fabsf(fx[(x + 5 * k) % w]) + fabsf(fy[(x + 2 * k) % w]);
                        mag[k][x + 1] = 64.0f * floorf(v / 64.0f);
                    }
                }
                memset(map, 0xa5, sizeof map);
                c.edge_canny_nms_f32(mag[0] + 1, mag[1] + 1, mag[2] + 1, fx, fy, map[0], w,
                                     300.0f, 900.0f);
                simd[l].edge_canny_nms_f32(mag[0] + 1, mag[1] + 1, mag[2] + 1, fx, fy, map[1],
                                           w, 300.0f, 900.0f);
                ck_assert_msg(!memcmp(map[0], map[1], sizeof map[0]),
                              "canny_nms_f32 %s width %d aperture %d differs from C", names[l],
                              w, t->size);
            }
}
END_TEST

START_TEST(laplacian_kernels_match_c)
{
    static int16_t a[2][MAX_W + 4 + GUARD], b[2][MAX_W + 4 + GUARD];
    static uint8_t out[2][MAX_W + GUARD];
    const uint8_t *rows[5];
    for (int i = 0; i < 5; i++)
        rows[i] = plane + i * MAX_W;
    for (int l = 0; l < levels; l++)
        for (size_t wi = 0; wi < sizeof widths / sizeof *widths; wi++)
            for (int kind = CNN_LAPLACIAN_4; kind <= CNN_LAPLACIAN_APERTURE5; kind++) {
                const edge_laplacian_taps *t = cnn_edge_laplacian_taps(kind);
                int w = widths[wi], n = t->size, r = n / 2;
                memset(a, 0x5a, sizeof a);
                memset(b, 0x5a, sizeof b);
                c.edge_lap_vpass_s16(rows, t->v1, t->v2, n, a[0] + r, b[0] + r, w);
                simd[l].edge_lap_vpass_s16(rows, t->v1, t->v2, n, a[1] + r, b[1] + r, w);
                ck_assert_msg(!memcmp(a[0], a[1], sizeof a[0]) &&
                                  !memcmp(b[0], b[1], sizeof b[0]),
                              "lap_vpass_s16 %s width %d kind %d differs from C", names[l], w,
                              kind);
                for (int j = 1; j <= r; j++) { /* the extreme sums as padding */
                    a[0][r - j] = a[0][r + w - 1 + j] = 16 * 255;
                    b[0][r - j] = b[0][r + w - 1 + j] = -4 * 255;
                }
                memset(out, 0xa5, sizeof out);
                c.edge_lap_hpass_u8(a[0] + r, b[0] + r, t->h1, t->h2, n, out[0], w);
                simd[l].edge_lap_hpass_u8(a[0] + r, b[0] + r, t->h1, t->h2, n, out[1], w);
                ck_assert_msg(!memcmp(out[0], out[1], sizeof out[0]),
                              "lap_hpass_u8 %s width %d kind %d differs from C", names[l], w,
                              kind);
            }
}
END_TEST

START_TEST(blur_kernels_match_c)
{
    static uint16_t t[2][MAX_W + 2 * EDGE_MAX_BLUR + GUARD];
    static uint8_t out[2][MAX_W + GUARD];
    static uint32_t acc[MAX_W];
    const float sigmas[] = { 0.3f, 1.5f, 4.0f, 12.0f };
    const uint8_t *rows[EDGE_MAX_BLUR];
    for (int l = 0; l < levels; l++)
        for (size_t wi = 0; wi < sizeof widths / sizeof *widths; wi++)
            for (int si = 0; si < 4; si++) {
                uint16_t taps[EDGE_MAX_BLUR];
                int w = widths[wi], n = cnn_edge_blur_taps_u8(sigmas[si], taps), r = n / 2;
                for (int i = 0; i < n; i++) /* any rows of the random plane */
                    rows[i] = plane + (size_t)(i * 5 % 7) * MAX_W;
                memset(t, 0x5a, sizeof t);
                c.edge_blur_vpass(rows, taps, n, t[0] + r, w);
                simd[l].edge_blur_vpass(rows, taps, n, t[1] + r, w);
                ck_assert_msg(!memcmp(t[0], t[1], sizeof t[0]),
                              "blur_vpass %s width %d sigma %g differs from C", names[l], w,
                              (double)sigmas[si]);
                for (int j = 1; j <= r; j++) /* padding: the largest sums */
                    t[0][r - j] = t[0][r + w - 1 + j] = 65280;
                memset(out, 0xa5, sizeof out);
                c.edge_blur_hpass(t[0] + r, taps, n, out[0], acc, w);
                simd[l].edge_blur_hpass(t[0] + r, taps, n, out[1], acc, w);
                ck_assert_msg(!memcmp(out[0], out[1], sizeof out[0]),
                              "blur_hpass %s width %d sigma %g differs from C", names[l], w,
                              (double)sigmas[si]);
            }
}
END_TEST

START_TEST(canny_kernels_match_c)
{
    static int16_t gx[MAX_W], gy[MAX_W];
    static int32_t mag[3][MAX_W + 2], out[MAX_W + GUARD], ref[MAX_W + GUARD];
    static uint8_t map[MAX_W + GUARD], rmap[MAX_W + GUARD];
    for (int l = 0; l < levels; l++)
        for (size_t wi = 0; wi < sizeof widths / sizeof *widths; wi++)
            for (int range = 0; range < 2; range++) {
                /* aperture 3 gradients, and the 5x5 range that needs 32 bits */
                int w = widths[wi], g = range ? 24480 : 1020;
                fill_s16(gx, MAX_W, 10 + wi, g);
                fill_s16(gy, MAX_W, 20 + wi, g);
                for (int l2 = 0; l2 < 2; l2++) {
                    memset(out, 0x5a, sizeof out);
                    memcpy(ref, out, sizeof out);
                    c.edge_canny_mag(gx, gy, ref, w, l2);
                    simd[l].edge_canny_mag(gx, gy, out, w, l2);
                    ck_assert_msg(!memcmp(out, ref, sizeof out),
                                  "canny_mag %s width %d l2 %d differs from C", names[l], w,
                                  l2);
                }
                /* Magnitudes of three rows from the gradients of shifted
                 * copies, coarsely quantised so that neighbours often tie
                 * (the > and >= of the sectors matter); thresholds cut
                 * some out. */
                int shift = range ? 12 : 7;
                for (int r = 0; r < 3; r++) {
                    mag[r][0] = mag[r][w + 1] = 0;
                    for (int x = 0; x < w; x++) {
                        int v = abs(gx[(x + 7 * r) % w]) + abs(gy[(x + 3 * r) % w]);
                        mag[r][x + 1] = v >> shift << shift;
                    }
                }
                int32_t low = g / 2, high = g + g / 2;
                memset(map, 0xa5, sizeof map);
                memcpy(rmap, map, sizeof map);
                c.edge_canny_nms(mag[0] + 1, mag[1] + 1, mag[2] + 1, gx, gy, rmap, w, low,
                                 high);
                simd[l].edge_canny_nms(mag[0] + 1, mag[1] + 1, mag[2] + 1, gx, gy, map, w,
                                       low, high);
                ck_assert_msg(!memcmp(map, rmap, sizeof map),
                              "canny_nms %s width %d range %d differs from C", names[l], w, g);
            }
}
END_TEST

/* A plane with edges in every direction: rings, a ramp and noise. */
static void test_plane(uint8_t *img, int w, int h)
{
    fill_u8(img, (size_t)w * h, 30);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int dx = x - w / 2, dy = y - h / 3;
            int ring = ((dx * dx + dy * dy) / 97) % 3 ? 200 : 40;
            img[y * w + x] = (uint8_t)((ring + x / 4 + img[y * w + x] / 8) & 255);
        }
}

static void detect_threads(const cnn_edge_params *p, const uint8_t *img, int w, int h,
                           int threads, uint8_t *out)
{
    cnn_context *ctx;
    ck_assert_cnn_ok(cnn_context_create(&ctx, threads));
    void *ws = cnn_aligned_alloc(cnn_edge_workspace_size(p, w, h, threads));
    ck_assert_cnn_ok(cnn_edge_detect_u8(ctx, p, img, w, out, w, w, h, ws));
    cnn_aligned_free(ws);
    cnn_context_destroy(ctx);
}

START_TEST(same_output_for_any_thread_count)
{
    const int sizes[][2] = { { 301, 157 }, { 64, 3 }, { 40, 1 } };
    const int threads[] = { 2, 3, 5, 8 };
    cnn_edge_params cases[5];
    cnn_edge_params_init(&cases[0], CNN_EDGE_CANNY);
    cases[0].threshold_low = 20, cases[0].threshold_high = 60;
    cnn_edge_params_init(&cases[1], CNN_EDGE_CANNY);
    cases[1].norm = CNN_EDGE_L2, cases[1].aperture = 5, cases[1].blur_sigma = 1.2f;
    cases[1].threshold_low = 100, cases[1].threshold_high = 900;
    cnn_edge_params_init(&cases[2], CNN_EDGE_SOBEL);
    cnn_edge_params_init(&cases[3], CNN_EDGE_SCHARR);
    cases[3].norm = CNN_EDGE_L2, cases[3].scale = 0.3f;
    cnn_edge_params_init(&cases[4], CNN_EDGE_LAPLACIAN);
    cases[4].laplacian = CNN_LAPLACIAN_APERTURE5;
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        int w = sizes[s][0], h = sizes[s][1];
        uint8_t *img = malloc((size_t)w * h), *one = malloc((size_t)w * h);
        uint8_t *many = malloc((size_t)w * h);
        test_plane(img, w, h);
        for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
            detect_threads(&cases[c], img, w, h, 1, one);
            size_t edges = 0;
            for (size_t i = 0; i < (size_t)w * h; i++)
                edges += one[i] != 0;
            ck_assert_msg(s > 0 || edges > (size_t)w, "case %zu: only %zu edge pixels", c,
                          edges);
            for (size_t t = 0; t < sizeof threads / sizeof *threads; t++) {
                detect_threads(&cases[c], img, w, h, threads[t], many);
                ck_assert_msg(!memcmp(one, many, (size_t)w * h),
                              "case %zu on %dx%d: %d threads differ from 1", c, w, h,
                              threads[t]);
            }
        }
        free(img);
        free(one);
        free(many);
    }
}
END_TEST

START_TEST(strided_planes_match_packed)
{
    /* Rows with padding and a source off any alignment give the same
     * pixels as a packed plane, on both depths. */
    int w = 203, h = 61, ss = w + 13, ds = w + 5;
    uint8_t *img = malloc((size_t)w * h), *packed = malloc((size_t)w * h);
    uint8_t *wide = malloc((size_t)ss * h + 1), *out = malloc((size_t)ds * h);
    float *fimg = malloc((size_t)w * h * 4), *fpacked = malloc((size_t)w * h * 4);
    float *fwide = malloc((size_t)ss * h * 4), *fout = malloc((size_t)ds * h * 4);
    test_plane(img, w, h);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            wide[1 + y * ss + x] = img[y * w + x];
            fimg[y * w + x] = fwide[y * ss + x] = img[y * w + x];
        }
    cnn_context *ctx;
    ck_assert_cnn_ok(cnn_context_create(&ctx, 2));
    const cnn_edge_method methods[] = { CNN_EDGE_SOBEL, CNN_EDGE_PREWITT, CNN_EDGE_LAPLACIAN,
                                        CNN_EDGE_CANNY };
    for (int m = 0; m < 4; m++) {
        cnn_edge_params p;
        cnn_edge_params_init(&p, methods[m]);
        p.blur_sigma = m == 3 ? 0.8f : 0;
        p.aperture = m == 0 ? 5 : 3;
        void *ws = cnn_aligned_alloc(cnn_edge_workspace_size(&p, w, h, 2));
        ck_assert_cnn_ok(cnn_edge_detect_u8(ctx, &p, img, w, packed, w, w, h, ws));
        ck_assert_cnn_ok(cnn_edge_detect_u8(ctx, &p, wide + 1, ss, out, ds, w, h, ws));
        ck_assert_cnn_ok(cnn_edge_detect_f32(ctx, &p, fimg, w, fpacked, w, w, h, ws));
        ck_assert_cnn_ok(cnn_edge_detect_f32(ctx, &p, fwide, ss, fout, ds, w, h, ws));
        for (int y = 0; y < h; y++) {
            ck_assert_msg(!memcmp(out + y * ds, packed + y * w, (size_t)w),
                          "method %d row %d differs with strides", methods[m], y);
            ck_assert_msg(!memcmp(fout + y * ds, fpacked + y * w, (size_t)w * 4),
                          "method %d row %d of floats differs with strides", methods[m], y);
        }
        cnn_aligned_free(ws);
    }
    cnn_context_destroy(ctx);
    void *buffers[] = { img, packed, wide, out, fimg, fpacked, fwide, fout };
    for (size_t i = 0; i < sizeof buffers / sizeof *buffers; i++)
        free(buffers[i]);
}
END_TEST

START_TEST(canny_joins_edges_across_bands)
{
    /* One weak ramp edge crossing every band, strong only at the bottom: the
     * whole line is an edge only if hysteresis crosses the band boundaries. */
    int w = 32, h = 64;
    uint8_t img[32 * 64], one[32 * 64], four[32 * 64];
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            img[y * w + x] = x < w / 2 ? 100 : y > h - 4 ? 220 : 130;
    cnn_edge_params p;
    cnn_edge_params_init(&p, CNN_EDGE_CANNY);
    p.threshold_low = 60, p.threshold_high = 300;
    detect_threads(&p, img, w, h, 1, one);
    detect_threads(&p, img, w, h, 4, four);
    ck_assert_int_eq(memcmp(one, four, sizeof one), 0);
    for (int y = 0; y < h; y++)
        ck_assert_msg(one[y * w + w / 2 - 1] || one[y * w + w / 2], "row %d lost its edge", y);
}
END_TEST

START_TEST(bad_parameters_name_the_problem)
{
    cnn_edge_params p;
    cnn_edge_params_init(&p, CNN_EDGE_SOBEL);
    ck_assert_cnn_ok(cnn_edge_check(&p, 8, 8));
    p.aperture = 4;
    ck_assert_int_eq(cnn_edge_check(&p, 8, 8), CNN_ERR_INVALID_ARG);
    ck_assert_str_eq(cnn_last_error(), "edge: aperture 4, must be 3, 5 or 7");
    cnn_edge_params_init(&p, CNN_EDGE_SCHARR);
    p.aperture = 5;
    ck_assert_int_eq(cnn_edge_check(&p, 8, 8), CNN_ERR_INVALID_ARG);
    ck_assert_str_eq(cnn_last_error(), "edge: aperture 5, Scharr and Prewitt are 3x3");
    cnn_edge_params_init(&p, CNN_EDGE_CANNY);
    ck_assert_int_eq(cnn_edge_check(&p, 0, 8), CNN_ERR_SHAPE);
    ck_assert_str_eq(cnn_last_error(), "edge: plane 0x8, must be at least 1x1");
    p.blur_sigma = -1;
    ck_assert_int_eq(cnn_edge_check(&p, 8, 8), CNN_ERR_INVALID_ARG);
    ck_assert_str_eq(cnn_last_error(), "edge: blur sigma -1, must be in [0, 31]");
    p.blur_sigma = 1e30f;
    ck_assert_int_eq(cnn_edge_check(&p, 8, 8), CNN_ERR_INVALID_ARG);
    p.blur_sigma = 31;
    ck_assert_cnn_ok(cnn_edge_check(&p, 8, 8));
    cnn_edge_params_init(&p, CNN_EDGE_CANNY);
    p.threshold_low = -5;
    ck_assert_int_eq(cnn_edge_check(&p, 8, 8), CNN_ERR_INVALID_ARG);
    ck_assert_str_eq(cnn_last_error(), "edge: Canny thresholds -5, 150 must be finite and >= 0");
    cnn_edge_params_init(&p, CNN_EDGE_LAPLACIAN);
    p.laplacian = (cnn_laplacian_kind)9;
    ck_assert_int_eq(cnn_edge_check(&p, 8, 8), CNN_ERR_INVALID_ARG);
    ck_assert_str_eq(cnn_last_error(), "edge: unknown Laplacian kind 9");

    cnn_context *ctx;
    ck_assert_cnn_ok(cnn_context_create(&ctx, 1));
    uint8_t img[64] = { 0 }, out[64];
    cnn_edge_params_init(&p, CNN_EDGE_CANNY);
    ck_assert_int_eq(cnn_edge_detect_u8(ctx, &p, img, 8, out, 8, 8, 8, NULL),
                     CNN_ERR_INVALID_ARG);
    ck_assert_str_eq(cnn_last_error(),
                     "edge: NULL workspace, cnn_edge_workspace_size() bytes needed");
    ck_assert_int_eq(cnn_edge_detect_u8(ctx, &p, img, 4, out, 8, 8, 8, NULL), CNN_ERR_SHAPE);
    ck_assert_str_eq(cnn_last_error(), "edge: strides 4 and 8, must be >= width 8");
    float f[64] = { 0 };
    cnn_edge_params_init(&p, CNN_EDGE_LAPLACIAN);
    ck_assert_int_eq(cnn_edge_gradients_f32(ctx, &p, f, 8, f, f, 8, 8, 8, NULL),
                     CNN_ERR_INVALID_ARG);
    ck_assert_str_eq(cnn_last_error(),
                     "edge: gradients need Sobel, Scharr or Prewitt, not method 3");
    cnn_context_destroy(ctx);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("edge");
    TCase *kernels = tcase_create("kernels");
    tcase_add_checked_fixture(kernels, kernels_setup, NULL);
    tcase_add_test(kernels, gradient_kernels_match_c);
    tcase_add_test(kernels, separable_kernels_match_c);
    tcase_add_test(kernels, laplacian_kernels_match_c);
    tcase_add_test(kernels, blur_kernels_match_c);
    tcase_add_test(kernels, canny_kernels_match_c);
    suite_add_tcase(s, kernels);
    TCase *tc = tcase_create("edge");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, same_output_for_any_thread_count);
    tcase_add_test(tc, strided_planes_match_packed);
    tcase_add_test(tc, canny_joins_edges_across_bands);
    tcase_add_test(tc, bad_parameters_name_the_problem);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
