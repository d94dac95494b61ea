/* Colour maps: jet against MATLAB's piecewise-linear formula, viridis
 * against its published end points and its monotonic lightness, gray as
 * the identity; the value range and the table lookup on planes. */
#include <math.h>

#include "testutil.h"

static double clamp01(double v)
{
    return v < 0 ? 0 : v > 1 ? 1 : v;
}

START_TEST(jet_follows_the_formula)
{
    uint8_t lut[256][3];
    cnn_colormap_table(CNN_COLORMAP_JET, lut);
    for (int i = 0; i < 256; i++) {
        double t = i / 255.0;
        /* r, g, b = 1.5 - |4 t - 3|, |4 t - 2|, |4 t - 1|, clamped */
        double want[3] = { clamp01(1.5 - fabs(4 * t - 3)), clamp01(1.5 - fabs(4 * t - 2)),
                           clamp01(1.5 - fabs(4 * t - 1)) };
        for (int k = 0; k < 3; k++)
            ck_assert_msg(fabs(lut[i][k] - 255.0 * want[k]) <= 1.0, "jet[%d][%d] = %d, want %g",
                          i, k, lut[i][k], 255.0 * want[k]);
    }
}
END_TEST

START_TEST(viridis_ends_and_lightness)
{
    uint8_t lut[256][3];
    cnn_colormap_table(CNN_COLORMAP_VIRIDIS, lut);
    /* matplotlib: #440154 and #fde725 */
    ck_assert(lut[0][0] == 0x44 && lut[0][1] == 0x01 && lut[0][2] == 0x54);
    ck_assert(lut[255][0] == 0xfd && lut[255][1] == 0xe7 && lut[255][2] == 0x25);
    double prev = -1;
    for (int i = 0; i < 256; i += 8) {
        double y = 0.299 * lut[i][0] + 0.587 * lut[i][1] + 0.114 * lut[i][2];
        ck_assert_msg(y > prev, "viridis lightness falls at %d", i);
        prev = y;
    }
}
END_TEST

START_TEST(gray_is_the_identity_and_apply_looks_up)
{
    uint8_t lut[256][3], src[2 * 3], rgb[2 * 3 * 4];
    cnn_colormap_table(CNN_COLORMAP_GRAY, lut);
    for (int i = 0; i < 256; i++)
        ck_assert(lut[i][0] == i && lut[i][1] == i && lut[i][2] == i);
    cnn_colormap_table(CNN_COLORMAP_JET, lut);
    for (int i = 0; i < 6; i++)
        src[i] = (uint8_t)(i * 50);
    cnn_pixel_plane s = { src, 3, 1, 8, 3, 2 };
    /* RGBx: components at 0, 1, 2 of 4-byte pixels */
    cnn_pixel_plane d[3] = { { rgb, 12, 4, 8, 3, 2 }, { rgb + 1, 12, 4, 8, 3, 2 },
                             { rgb + 2, 12, 4, 8, 3, 2 } };
    cnn_colormap_apply(lut, &s, d);
    for (int i = 0; i < 6; i++)
        for (int k = 0; k < 3; k++)
            ck_assert_int_eq(rgb[i * 4 + k], lut[i * 50][k]);
}
END_TEST

START_TEST(range_skips_non_finite)
{
    float x[5] = { 3, NAN, -2, INFINITY, 7 }, lo, hi;
    cnn_colormap_range_f32(x, 5, &lo, &hi);
    ck_assert(lo == -2 && hi == 7);
    cnn_colormap_range_f32(x + 1, 1, &lo, &hi);
    ck_assert(lo == 0 && hi == 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("colormap");
    TCase *tc = tcase_create("colormap");
    tcase_add_test(tc, jet_follows_the_formula);
    tcase_add_test(tc, viridis_ends_and_lightness);
    tcase_add_test(tc, gray_is_the_identity_and_apply_looks_up);
    tcase_add_test(tc, range_skips_non_finite);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
