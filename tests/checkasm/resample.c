/* checkasm family resample: two-tap resampling of a float row must equal
 * C's for every output count up to 60 (tails after the 8-value steps),
 * values that round half-way, saturate below 0 and above 255. */
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

void checkasm_check_resample(void)
{
    check_resample2_row_u8();
}
