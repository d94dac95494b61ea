/* checkasm family blend: the 8-bit blend must equal C's for every length up
 * to 100 (tails after the 32-value steps), every source value, factors
 * that saturate both ways and offsets with fractions. */
#include <string.h>

#include "checkasm.h"

static void check_blend_u8(void)
{
    cnn_blend_u8_fn fn = checkasm_cur()->blend_u8, ref = checkasm_ref()->blend_u8;
    if (!checkasm_func_new("blend_u8", (void (*)(void))fn, (void (*)(void))ref))
        return;
    enum { N = 100 };
    uint8_t s[256], want[N + 1], got[N + 1];
    for (int n = 0; n <= N; n++) {
        for (int i = 0; i < 256; i++)
            s[i] = (uint8_t)(n < 50 ? i : checkasm_rand_range(0, 255));
        float a = (float)checkasm_rand_range(0, 300) * 0.01f;
        float b = (float)checkasm_rand_range(-30000, 30000) * 0.01f;
        want[n] = got[n] = 0xAB;
        /* Rows of the 256 source values, n at a time. */
        for (int o = 0; o + n <= 256 && (n > 0 || o == 0); o += n > 0 ? n : 1) {
            ref(s + o, want, n, a, b);
            fn(s + o, got, n, a, b);
            if (memcmp(got, want, (size_t)n))
                checkasm_fail("n %d a %g b %g: differs from C", n, a, b);
        }
        if (got[n] != 0xAB)
            checkasm_fail("n %d: wrote past the row", n);
    }
}

void checkasm_check_blend(void)
{
    check_blend_u8();
}
