/* Pixel conversions: hand-computed values for every layout and mapping, the
 * published cv2.cvtColor(RGB2GRAY) values, and the same output for any
 * thread count. */
#include <math.h>
#include <string.h>

#include "testutil.h"
#include "cnn/pixels.h"

static cnn_pixel_plane plane(void *data, ptrdiff_t stride, int step, int depth, int w, int h)
{
    return (cnn_pixel_plane){ data, stride, step, depth, w, h };
}

START_TEST(unpack_packed_rgb_and_gray16)
{
    /* 2x2 RGBx: the G channel is at offset 1, step 4, rows 10 bytes apart */
    uint8_t rgbx[20] = { 0 };
    for (int i = 0; i < 20; i++)
        rgbx[i] = (uint8_t)(i * 10);
    float g[4];
    cnn_pixel_plane p = plane(rgbx + 1, 10, 4, 8, 2, 2);
    cnn_pixels_unpack(NULL, &p, g, 2, 0.5f);
    ck_assert_float_eq(g[0], 5.0f);
    ck_assert_float_eq(g[1], 25.0f);
    ck_assert_float_eq(g[2], 55.0f);
    ck_assert_float_eq(g[3], 75.0f);

    uint16_t gray16[3] = { 0, 1000, 65535 };
    float f[3];
    p = plane(gray16, 6, 2, 16, 3, 1);
    cnn_pixels_unpack(NULL, &p, f, 3, 1.0f);
    ck_assert_float_eq(f[1], 1000.0f);
    ck_assert_float_eq(f[2], 65535.0f);
}
END_TEST

START_TEST(pack_rounds_saturates_and_maps)
{
    const float in[8] = { 2.5f, 3.5f, -10.0f, 300.0f, -300.0f, 0.49f, NAN, 127.6f };
    uint8_t out[8];
    cnn_pixel_plane p = plane(out, 8, 1, 8, 8, 1);

    cnn_pixels_pack(NULL, in, 8, &p, 1.0f, 0.0f, CNN_PIXEL_CLAMP);
    const uint8_t clamp[8] = { 2, 4, 0, 255, 0, 0, 0, 128 };
    ck_assert_mem_eq(out, clamp, 8);

    cnn_pixels_pack(NULL, in, 8, &p, 1.0f, 0.0f, CNN_PIXEL_ABS);
    const uint8_t absv[8] = { 2, 4, 10, 255, 255, 0, 0, 128 };
    ck_assert_mem_eq(out, absv, 8);

    /* signed: 128 + v; 2.5 + 128 rounds to even 130 */
    cnn_pixels_pack(NULL, in, 8, &p, 1.0f, 0.0f, CNN_PIXEL_SIGNED);
    const uint8_t signedv[8] = { 130, 132, 118, 255, 0, 128, 0, 255 };
    ck_assert_mem_eq(out, signedv, 8);

    /* scale then offset, before the mapping: |-10 * 0.5 - 1| = 6 */
    cnn_pixels_pack(NULL, in + 2, 8, &(cnn_pixel_plane){ out, 8, 1, 8, 1, 1 }, 0.5f, -1.0f,
                    CNN_PIXEL_ABS);
    ck_assert_int_eq(out[0], 6);

    /* 16 bits, into every other sample (step 4): mid-grey is 32768 */
    uint16_t out16[4] = { 7, 7, 7, 7 };
    const float in16[2] = { -10.0f, 40000.0f };
    p = plane(out16, 8, 4, 16, 2, 1);
    cnn_pixels_pack(NULL, in16, 2, &p, 1.0f, 0.0f, CNN_PIXEL_SIGNED);
    ck_assert_int_eq(out16[0], 32758);
    ck_assert_int_eq(out16[1], 7);
    ck_assert_int_eq(out16[2], 65535);
}
END_TEST

START_TEST(luma_matches_opencv_rgb2gray)
{
    /* cv2.cvtColor(np.uint8([[[r, g, b]]]), cv2.COLOR_RGB2GRAY) for pure red,
     * green, blue, white, and a grey-ish (10, 200, 30). */
    const uint8_t rgb[5][3] = { { 255, 0, 0 }, { 0, 255, 0 }, { 0, 0, 255 },
                                { 255, 255, 255 }, { 10, 200, 30 } };
    const uint8_t expected[5] = { 76, 150, 29, 255, 124 };
    /* as BGRx: B at 0, G at 1, R at 2 */
    uint8_t bgrx[5 * 4], gray[5];
    for (int i = 0; i < 5; i++) {
        bgrx[4 * i + 0] = rgb[i][2];
        bgrx[4 * i + 1] = rgb[i][1];
        bgrx[4 * i + 2] = rgb[i][0];
        bgrx[4 * i + 3] = 0;
    }
    const cnn_pixel_plane planes[3] = { plane(bgrx + 2, 20, 4, 8, 5, 1),
                                        plane(bgrx + 1, 20, 4, 8, 5, 1),
                                        plane(bgrx + 0, 20, 4, 8, 5, 1) };
    cnn_pixel_plane d = plane(gray, 5, 1, 8, 5, 1);
    cnn_pixels_luma(NULL, planes, &d);
    ck_assert_mem_eq(gray, expected, 5);
    ck_assert_int_eq(cnn_pixels_luma_of(10, 200, 30), 124);
}
END_TEST

START_TEST(copy_spread_fill_threshold_overlay)
{
    /* gray 3x2 into the R channel of RGB, then fill G, then overlay B */
    uint8_t gray[6] = { 1, 2, 3, 4, 5, 6 }, rgb[18];
    memset(rgb, 9, sizeof rgb);
    cnn_pixel_plane g = plane(gray, 3, 1, 8, 3, 2);
    cnn_pixel_plane r = plane(rgb, 9, 3, 8, 3, 2);
    cnn_pixels_copy(NULL, &g, &r);
    ck_assert_int_eq(rgb[0], 1);
    ck_assert_int_eq(rgb[3 * 2 + 9], 6);
    ck_assert_int_eq(rgb[1], 9);

    /* spread gray into B, G, R of BGRx in one pass */
    uint8_t bgrx[24] = { 0 };
    const cnn_pixel_plane channels[3] = { plane(bgrx + 2, 12, 4, 8, 3, 2),
                                          plane(bgrx + 1, 12, 4, 8, 3, 2),
                                          plane(bgrx, 12, 4, 8, 3, 2) };
    cnn_pixels_spread(NULL, &g, channels, 3);
    const uint8_t spread[24] = { 1, 1, 1, 0, 2, 2, 2, 0, 3, 3, 3, 0,
                                 4, 4, 4, 0, 5, 5, 5, 0, 6, 6, 6, 0 };
    ck_assert_mem_eq(bgrx, spread, 24);

    cnn_pixel_plane gc = plane(rgb + 1, 9, 3, 8, 3, 2);
    cnn_pixels_fill(NULL, &gc, 128);
    ck_assert_int_eq(rgb[1], 128);
    ck_assert_int_eq(rgb[3 * 2 + 9 + 1], 128);

    /* threshold into 16 bits, and in place */
    uint16_t mask16[6];
    cnn_pixel_plane m16 = plane(mask16, 6, 2, 16, 3, 2);
    cnn_pixels_threshold(NULL, &g, &m16, 4);
    ck_assert(mask16[0] == 0 && mask16[2] == 0 && mask16[3] == 65535 && mask16[5] == 65535);
    cnn_pixels_threshold(NULL, &g, &g, 6);
    const uint8_t binary[6] = { 0, 0, 0, 0, 0, 255 };
    ck_assert_mem_eq(gray, binary, 6);

    /* mask 4x3, overlay a 2x2 subsampled plane: sample (x, y) covers mask
     * pixels (2x..2x+1, 2y..2y+1), the last row of blocks only mask row 2 */
    uint8_t mask[12] = { 0 };
    mask[0] = 255;          /* (0,0) -> sample (0,0) */
    mask[1 * 4 + 3] = 255;  /* (3,1) -> sample (1,0) */
    uint8_t chroma[4] = { 100, 100, 100, 100 };
    cnn_pixel_plane m = plane(mask, 4, 1, 8, 4, 3);
    cnn_pixel_plane c = plane(chroma, 2, 1, 8, 2, 2);
    cnn_pixels_overlay(NULL, &m, 1, &c, 200, 255);
    const uint8_t full[4] = { 200, 200, 100, 100 };
    ck_assert_mem_eq(chroma, full, 4);
    /* half alpha: (200 * 128 + 100 * 127 + 127) / 255 = 150 */
    memset(chroma, 100, 4);
    cnn_pixels_overlay(NULL, &m, 1, &c, 200, 128);
    ck_assert_int_eq(chroma[0], 150);
    ck_assert_int_eq(chroma[2], 100);
    mask[2 * 4 + 1] = 255;  /* (1,2) -> sample (0,1), a block cut by the edge */
    cnn_pixels_overlay(NULL, &m, 1, &c, 200, 255);
    ck_assert_int_eq(chroma[2], 200);
    ck_assert_int_eq(chroma[3], 100);
}
END_TEST

START_TEST(rgb_to_yuv601_known_colours)
{
    uint8_t yuv[3];
    cnn_pixels_rgb_to_yuv601(0, 0, 0, yuv);
    ck_assert(yuv[0] == 16 && yuv[1] == 128 && yuv[2] == 128);
    cnn_pixels_rgb_to_yuv601(255, 255, 255, yuv);
    ck_assert(yuv[0] == 235 && yuv[1] == 128 && yuv[2] == 128);
    /* Rec. 601 red: Y 81, Cb 90, Cr 240 */
    cnn_pixels_rgb_to_yuv601(255, 0, 0, yuv);
    ck_assert_int_eq(yuv[0], 81);
    ck_assert_int_eq(yuv[1], 90);
    ck_assert_int_eq(yuv[2], 240);
}
END_TEST

START_TEST(any_thread_count_gives_identical_output)
{
    enum { W = 67, H = 41 };
    static float in[W * H];
    static uint8_t one[W * H], many[W * H];
    test_fill_uniform(in, W * H, test_seed(), 1, -300.0f, 300.0f);
    cnn_context *ctx;
    ck_assert_cnn_ok(cnn_context_create(&ctx, 3));
    cnn_pixel_plane a = plane(one, W, 1, 8, W, H), b = plane(many, W, 1, 8, W, H);
    cnn_pixels_pack(NULL, in, W, &a, 0.7f, 3.0f, CNN_PIXEL_SIGNED);
    cnn_pixels_pack(ctx, in, W, &b, 0.7f, 3.0f, CNN_PIXEL_SIGNED);
    ck_assert_mem_eq(one, many, sizeof one);
    static float back1[W * H], back3[W * H];
    cnn_pixels_unpack(NULL, &a, back1, W, 1.0f);
    cnn_pixels_unpack(ctx, &b, back3, W, 1.0f);
    ck_assert_mem_eq(back1, back3, sizeof back1);
    cnn_context_destroy(ctx);
}
END_TEST

/* The row kernels at every CPU level the machine has against the C
 * reference (NULL context), every packed layout, widths around the 16-pixel
 * blocks, random bytes. */
START_TEST(row_kernels_match_c_at_every_level)
{
    static const struct { int step, r, g, b; } layouts[] = {
        { 3, 0, 1, 2 }, { 3, 2, 1, 0 }, { 4, 0, 1, 2 }, { 4, 2, 1, 0 }, { 4, 1, 2, 3 },
    };
    static const unsigned levels[] = { 0, CNN_CPU_AVX2, CNN_CPU_AVX2 | CNN_CPU_AVX512 };
    enum { H = 3, MAXW = 67 };
    static uint8_t px[H * MAXW * 4], ref[H * MAXW * 4], got[H * MAXW * 4];
    static uint8_t gray_ref[H * MAXW], gray_got[H * MAXW];
    cnn_rng_key key = { test_seed(), 2 };
    for (size_t i = 0; i < sizeof px; i++)
        px[i] = (uint8_t)cnn_rng_u32(key, i);

    for (size_t l = 0; l < sizeof levels / sizeof levels[0]; l++) {
        if ((levels[l] & cnn_cpu_detect()) != levels[l])
            continue;
        cnn_context *ctx;
        ck_assert_cnn_ok(cnn_context_create_isa(&ctx, 1, levels[l]));
        for (size_t k = 0; k < sizeof layouts / sizeof layouts[0]; k++) {
            for (int w = 1; w <= MAXW; w += (w < 40 ? 1 : 13)) {
                int step = layouts[k].step;
                ptrdiff_t stride = (ptrdiff_t)w * step + 5;
                cnn_pixel_plane rgb[3] = {
                    plane(px + layouts[k].r, stride, step, 8, w, H),
                    plane(px + layouts[k].g, stride, step, 8, w, H),
                    plane(px + layouts[k].b, stride, step, 8, w, H),
                };
                cnn_pixel_plane g_ref = plane(gray_ref, w, 1, 8, w, H);
                cnn_pixel_plane g_got = plane(gray_got, w, 1, 8, w, H);
                cnn_pixels_luma(NULL, rgb, &g_ref);
                cnn_pixels_luma(ctx, rgb, &g_got);
                ck_assert_msg(!memcmp(gray_ref, gray_got, (size_t)w * H),
                              "luma, level %s, step %d, width %d",
                              cnn_cpu_level_name(levels[l]), step, w);

                memcpy(ref, px, sizeof px);
                memcpy(got, px, sizeof px);
                cnn_pixel_plane d_ref[3], d_got[3];
                for (int c = 0; c < 3; c++) {
                    d_ref[c] = rgb[c];
                    d_ref[c].data = ref + (rgb[c].data - px);
                    d_got[c] = rgb[c];
                    d_got[c].data = got + (rgb[c].data - px);
                }
                cnn_pixels_spread(NULL, &g_ref, d_ref, 3);
                cnn_pixels_spread(ctx, &g_ref, d_got, 3);
                ck_assert_msg(!memcmp(ref, got, sizeof ref), "spread, level %s, step %d, width %d",
                              cnn_cpu_level_name(levels[l]), step, w);
            }
        }
        cnn_context_destroy(ctx);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pixels");
    TCase *tc = tcase_create("pixels");
    tcase_add_test(tc, unpack_packed_rgb_and_gray16);
    tcase_add_test(tc, pack_rounds_saturates_and_maps);
    tcase_add_test(tc, luma_matches_opencv_rgb2gray);
    tcase_add_test(tc, copy_spread_fill_threshold_overlay);
    tcase_add_test(tc, rgb_to_yuv601_known_colours);
    tcase_add_test(tc, any_thread_count_gives_identical_output);
    tcase_add_test(tc, row_kernels_match_c_at_every_level);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
