/* The fused packed path (cnn_edge_detect_packed) against the unfused one
 * (cnn_pixels_luma, cnn_edge_detect_u8, cnn_pixels_spread): bit for bit, for
 * every method, aperture, norm, blur and scale, on RGB, BGR, RGBx and BGRA
 * frames into a gray plane or packed pixels (the fourth byte untouched), at
 * one, two and three threads and at every CPU level, out of place and in
 * place (the result over the input frame); and its refusals. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

typedef struct layout {
    int step, r, g, b;
} layout;

static const layout layouts[] = { { 3, 0, 1, 2 }, { 3, 2, 1, 0 }, { 4, 0, 1, 2 },
                                  { 4, 2, 1, 0 } };

/* Blocks of random colour with noise: strong and weak edges for Canny. */
static void fill_frame(uint8_t *px, ptrdiff_t stride, int step, int w, int h, uint64_t purpose)
{
    cnn_rng_key key = { test_seed(), purpose };
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w * step; x++) {
            int block = (y / 7) * 97 + (x / step) / 9;
            int base = (int)(cnn_rng_u32(key, (uint64_t)block * 4 + x % step) & 0xff);
            int noise = (int)(cnn_rng_u32(key, 1u << 30 | (uint64_t)(y * stride + x)) % 24);
            int v = base + noise - 12;
            px[y * stride + x] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
}

static cnn_pixel_plane plane(uint8_t *data, ptrdiff_t stride, int step, int w, int h)
{
    return (cnn_pixel_plane){ data, stride, step, 8, w, h };
}

static void planes(cnn_pixel_plane p[3], uint8_t *data, ptrdiff_t stride, const layout *l, int w,
                   int h)
{
    p[0] = plane(data + l->r, stride, l->step, w, h);
    p[1] = plane(data + l->g, stride, l->step, w, h);
    p[2] = plane(data + l->b, stride, l->step, w, h);
}

/* Unfused and fused results of p on one frame, gray and packed, compared. */
static void compare(cnn_context *ctx, cnn_context *ref_ctx, const cnn_edge_params *p,
                    const layout *l, int w, int h, const char *what)
{
    ptrdiff_t stride = (ptrdiff_t)w * l->step + 7, gstride = w + 3;
    size_t bytes = (size_t)stride * h;
    uint8_t *px = malloc(bytes), *luma = malloc((size_t)w * h);
    uint8_t *gray_ref = malloc((size_t)gstride * h), *gray = malloc((size_t)gstride * h);
    uint8_t *out_ref = malloc(bytes), *out = malloc(bytes);
    void *work = malloc(cnn_edge_workspace_size(p, w, h, 3));
    fill_frame(px, stride, l->step, w, h, 1);
    memset(gray_ref, 0x5a, (size_t)gstride * h);
    memset(gray, 0x5a, (size_t)gstride * h);
    memset(out_ref, 0x77, bytes);
    memset(out, 0x77, bytes);

    cnn_pixel_plane rgb[3], dst_ref[3], dst[3];
    cnn_pixel_plane y = plane(luma, w, 1, w, h), g_ref = plane(gray_ref, gstride, 1, w, h);
    cnn_pixel_plane g = plane(gray, gstride, 1, w, h);
    planes(rgb, px, stride, l, w, h);
    planes(dst_ref, out_ref, stride, l, w, h);
    planes(dst, out, stride, l, w, h);
    cnn_pixels_luma(NULL, rgb, &y);
    ck_assert_cnn_ok(cnn_edge_detect_u8(ref_ctx, p, luma, w, gray_ref, gstride, w, h, work));
    cnn_pixels_spread(NULL, &g_ref, dst_ref, 3);

    ck_assert_cnn_ok(cnn_edge_detect_packed(ctx, p, rgb, &g, 1, work));
    ck_assert_msg(!memcmp(gray, gray_ref, (size_t)gstride * h), "gray: %s, step %d, %dx%d",
                  what, l->step, w, h);
    ck_assert_cnn_ok(cnn_edge_detect_packed(ctx, p, rgb, dst, 3, work));
    ck_assert_msg(!memcmp(out, out_ref, bytes), "packed: %s, step %d, %dx%d", what, l->step,
                  w, h);

    /* in place: the result over the frame itself, its fourth byte kept */
    cnn_pixel_plane in_place[3];
    memcpy(out_ref, px, bytes);
    cnn_pixels_spread(NULL, &g_ref, dst_ref, 3);
    memcpy(out, px, bytes);
    planes(in_place, out, stride, l, w, h);
    ck_assert_cnn_ok(cnn_edge_detect_packed(ctx, p, in_place, in_place, 3, work));
    ck_assert_msg(!memcmp(out, out_ref, bytes), "in place: %s, step %d, %dx%d", what, l->step,
                  w, h);
    /* and as gray over the start of each pixel row */
    memcpy(out, px, bytes);
    g = plane(out, stride, 1, w, h);
    ck_assert_cnn_ok(cnn_edge_detect_packed(ctx, p, in_place, &g, 1, work));
    for (int r = 0; r < h; r++)
        ck_assert_msg(!memcmp(out + r * stride, gray_ref + r * gstride, (size_t)w),
                      "gray in place: %s, step %d, %dx%d, row %d", what, l->step, w, h, r);
    free(px), free(luma), free(gray_ref), free(gray), free(out_ref), free(out), free(work);
}

typedef struct method_case {
    const char *name;
    cnn_edge_method method;
    int aperture;
    cnn_edge_norm norm;
    cnn_laplacian_kind laplacian;
    float blur, scale;
} method_case;

static const method_case cases[] = {
    { "sobel3 l1", CNN_EDGE_SOBEL, 3, CNN_EDGE_L1, 0, 0, 1 },
    { "sobel3 l2", CNN_EDGE_SOBEL, 3, CNN_EDGE_L2, 0, 0, 1 },
    { "sobel5 l1 scale", CNN_EDGE_SOBEL, 5, CNN_EDGE_L1, 0, 0, 0.25f },
    { "sobel7 l2", CNN_EDGE_SOBEL, 7, CNN_EDGE_L2, 0, 0, 0.05f },
    { "sobel3 blur", CNN_EDGE_SOBEL, 3, CNN_EDGE_L1, 0, 1.3f, 1 },
    { "scharr", CNN_EDGE_SCHARR, 3, CNN_EDGE_L1, 0, 0, 1 },
    { "prewitt", CNN_EDGE_PREWITT, 3, CNN_EDGE_L2, 0, 0, 1 },
    { "laplacian 8", CNN_EDGE_LAPLACIAN, 3, CNN_EDGE_L1, CNN_LAPLACIAN_8, 0, 1 },
    { "laplacian aperture 5", CNN_EDGE_LAPLACIAN, 3, CNN_EDGE_L1, CNN_LAPLACIAN_APERTURE5, 0,
      1 },
    { "canny3 l1", CNN_EDGE_CANNY, 3, CNN_EDGE_L1, 0, 0, 1 },
    { "canny3 l2 blur", CNN_EDGE_CANNY, 3, CNN_EDGE_L2, 0, 1.5f, 1 },
    { "canny5", CNN_EDGE_CANNY, 5, CNN_EDGE_L1, 0, 0, 1 },
    { "canny7 l2", CNN_EDGE_CANNY, 7, CNN_EDGE_L2, 0, 0, 1 },
};

static const int sizes[][2] = { { 1, 1 }, { 2, 5 }, { 37, 23 }, { 131, 41 }, { 200, 3 } };

START_TEST(fused_equals_unfused)
{
    static const unsigned levels[] = { 0, CNN_CPU_AVX2, CNN_CPU_AVX2 | CNN_CPU_AVX512 };
    const method_case *c = &cases[_i];
    cnn_edge_params p;
    cnn_edge_params_init(&p, c->method);
    p.aperture = c->aperture;
    p.norm = c->norm;
    p.laplacian = c->laplacian;
    p.blur_sigma = c->blur;
    p.scale = c->scale;
    cnn_context *ref_ctx;
    ck_assert_cnn_ok(cnn_context_create_isa(&ref_ctx, 1, 0));
    for (size_t lv = 0; lv < sizeof levels / sizeof *levels; lv++) {
        if ((levels[lv] & cnn_cpu_detect()) != levels[lv])
            continue;
        for (int threads = 1; threads <= 3; threads++) {
            cnn_context *ctx;
            ck_assert_cnn_ok(cnn_context_create_isa(&ctx, threads, levels[lv]));
            for (size_t l = 0; l < sizeof layouts / sizeof *layouts; l++)
                for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
                    compare(ctx, ref_ctx, &p, &layouts[l], sizes[s][0], sizes[s][1], c->name);
            cnn_context_destroy(ctx);
        }
    }
    cnn_context_destroy(ref_ctx);
}
END_TEST

START_TEST(refuses_planar_and_mismatched_planes)
{
    uint8_t px[4 * 4 * 3] = { 0 }, out[4 * 4] = { 0 }, work[1 << 16];
    cnn_edge_params p;
    cnn_edge_params_init(&p, CNN_EDGE_SOBEL);
    ck_assert_uint_le(cnn_edge_workspace_size(&p, 4, 4, 1), sizeof work);
    cnn_context *ctx;
    ck_assert_cnn_ok(cnn_context_create(&ctx, 1));
    cnn_pixel_plane rgb[3], g = plane(out, 4, 1, 4, 4);
    /* planar: three gray planes side by side */
    for (int c = 0; c < 3; c++)
        rgb[c] = plane(px + 16 * c, 4, 1, 4, 4);
    ck_assert_int_eq(cnn_edge_detect_packed(ctx, &p, rgb, &g, 1, work), CNN_ERR_SHAPE);
    planes(rgb, px, 12, &layouts[0], 4, 4);
    ck_assert_cnn_ok(cnn_edge_detect_packed(ctx, &p, rgb, &g, 1, work));
    g.width = 3;
    ck_assert_int_eq(cnn_edge_detect_packed(ctx, &p, rgb, &g, 1, work), CNN_ERR_SHAPE);
    g.width = 4;
    ck_assert_int_eq(cnn_edge_detect_packed(ctx, &p, rgb, &g, 2, work), CNN_ERR_INVALID_ARG);
    ck_assert_int_eq(cnn_edge_detect_packed(ctx, &p, rgb, &g, 1, NULL), CNN_ERR_INVALID_ARG);
    /* overlapping the input other than row over row */
    g = plane(px + 12, 12, 1, 4, 3);
    rgb[0].height = rgb[1].height = rgb[2].height = 3;
    ck_assert_int_eq(cnn_edge_detect_packed(ctx, &p, rgb, &g, 1, work), CNN_ERR_INVALID_ARG);
    g = plane(out, 4, 1, 4, 4);
    rgb[0].height = rgb[1].height = rgb[2].height = 4;
    p.aperture = 4;
    ck_assert_int_eq(cnn_edge_detect_packed(ctx, &p, rgb, &g, 1, work), CNN_ERR_INVALID_ARG);
    cnn_context_destroy(ctx);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("edge_packed");
    TCase *tc = tcase_create("edge_packed");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, fused_equals_unfused, 0, (int)(sizeof cases / sizeof *cases));
    tcase_add_test(tc, refuses_planar_and_mismatched_planes);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
