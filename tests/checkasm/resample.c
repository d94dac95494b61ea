/* checkasm family resample: two-tap resampling of a float row must equal
 * C's for every output count up to 60 (tails after the 8-value steps),
 * values that round half-way, saturate below 0 and above 255. Bilinear
 * samples of packed RGB along random lines inside a padded frame (and
 * lines on whole pixels, weights 0) must equal C's for every count up to
 * 40, without writing past the span. */
#include <string.h>

#include "checkasm.h"

static void check_resample2_row_u8(void)
{
    cnn_resample2_row_u8_fn fn = checkasm_cur()->resample2_row_u8;
    cnn_resample2_row_u8_fn ref = checkasm_ref()->resample2_row_u8;
    if (!checkasm_func_new("resample2_row_u8", (void (*)(void))fn, (void (*)(void))ref))
        return;
    enum { N = 60, ROW = 200 };
    float row[ROW], wt[2 * N];
    int32_t idx[2 * N];
    uint8_t want[N + 1], got[N + 1];
    for (int n = 0; n <= N; n++) {
        for (int i = 0; i < ROW; i++)
            row[i] = i % 9 == 0 ? (float)checkasm_rand_range(-20, 300) + 0.5f
                                : (float)checkasm_rand_range(-5000, 30000) * 0.01f;
        for (int x = 0; x < n; x++) {
            idx[2 * x] = checkasm_rand_range(0, ROW - 2);
            idx[2 * x + 1] = idx[2 * x] + 1;
            wt[2 * x] = x % 4 == 0 ? 1.0f : (float)checkasm_rand_range(0, 1000) * 0.001f;
            wt[2 * x + 1] = 1.0f - wt[2 * x];
        }
        want[n] = got[n] = 0xAB;
        ref(row, idx, wt, want, n);
        fn(row, idx, wt, got, n);
        if (memcmp(got, want, (size_t)n))
            checkasm_fail("n %d: differs from C", n);
        if (got[n] != 0xAB)
            checkasm_fail("n %d: wrote past the row", n);
    }
}

/* A coordinate in [0.001, size - 1.001]. */
static double inside_coordinate(int size)
{
    return 0.001 + (size - 1.002) * checkasm_rand_range(0, 1000000) * 1e-6;
}

static void check_warp_bilinear_rgb_u8(void)
{
    cnn_warp_bilinear_rgb_u8_fn fn = checkasm_cur()->warp_bilinear_rgb_u8;
    cnn_warp_bilinear_rgb_u8_fn ref = checkasm_ref()->warp_bilinear_rgb_u8;
    if (!checkasm_func_new("warp_bilinear_rgb_u8", (void (*)(void))fn, (void (*)(void))ref))
        return;
    enum { W = 37, H = 29, STRIDE = 3 * W + 5, N = 40 };
    static uint8_t frame[H * STRIDE];
    uint8_t want[3 * N + 1], got[3 * N + 1];
    for (int i = 0; i < H * STRIDE; i++)
        frame[i] = (uint8_t)checkasm_rand_range(0, 255);
    for (int n = 0; n <= N; n++) {
        int x = checkasm_rand_range(0, 50);
        double x0 = inside_coordinate(W), y0 = inside_coordinate(H);
        double x1 = inside_coordinate(W), y1 = inside_coordinate(H);
        double dx = (x1 - x0) / (n > 1 ? n - 1 : 1), dy = (y1 - y0) / (n > 1 ? n - 1 : 1);
        if (n % 5 == 0) { /* down a column of whole pixels (in place past H - 1) */
            x0 = checkasm_rand_range(0, W - 2), y0 = 0;
            dx = 0, dy = n <= H - 1;
        }
        double ox = x0 - dx * x, oy = y0 - dy * x;
        want[3 * n] = got[3 * n] = 0xAB;
        ref(frame, STRIDE, ox, dx, oy, dy, x, want, n);
        fn(frame, STRIDE, ox, dx, oy, dy, x, got, n);
        if (memcmp(got, want, 3 * (size_t)n))
            checkasm_fail("n %d: differs from C", n);
        if (got[3 * n] != 0xAB)
            checkasm_fail("n %d: wrote past the span", n);
    }
}

void checkasm_check_resample(void)
{
    check_resample2_row_u8();
    check_warp_bilinear_rgb_u8();
}
