/* Edge detection through the entry points: the same Canny mask and
 * magnitudes for any thread count, strided and unaligned planes, hysteresis
 * across band boundaries, and parameter errors that name the problem.
 * Values against OpenCV are in test_edge_opencv; every kernel of the table
 * against its C reference is in tests/checkasm/edge.c. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* Random bytes from the counter generator. */
static void fill_u8(uint8_t *x, size_t n, uint64_t purpose)
{
    cnn_rng_key key = { test_seed(), purpose };
    for (size_t i = 0; i < n; i++)
        x[i] = (uint8_t)(cnn_rng_uniform_range(key, i, 0, 256));
}

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
    TCase *tc = tcase_create("edge");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, same_output_for_any_thread_count);
    tcase_add_test(tc, strided_planes_match_packed);
    tcase_add_test(tc, canny_joins_edges_across_bands);
    tcase_add_test(tc, bad_parameters_name_the_problem);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
