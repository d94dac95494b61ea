/* checkasm family flip: the packed RGB flip must equal C's for every width
 * up to 70 (tails after the 5-pixel steps) and write nothing past the row. */
#include <string.h>

#include "checkasm.h"

static void check_flip_rgb_u8(void)
{
    cnn_flip_rgb_u8_fn fn = checkasm_cur()->flip_rgb_u8, ref = checkasm_ref()->flip_rgb_u8;
    if (!checkasm_func_new("flip_rgb_u8", (void (*)(void))fn, (void (*)(void))ref))
        return;
    enum { W = 70 };
    uint8_t s[3 * W], want[3 * W + 1], got[3 * W + 1];
    for (int w = 0; w <= W; w++) {
        for (int i = 0; i < 3 * W; i++)
            s[i] = (uint8_t)checkasm_rand_range(0, 255);
        want[3 * w] = got[3 * w] = 0xAB;
        ref(s, want, w);
        fn(s, got, w);
        if (memcmp(got, want, 3 * (size_t)w))
            checkasm_fail("width %d: differs from C", w);
        if (got[3 * w] != 0xAB)
            checkasm_fail("width %d: wrote past the row", w);
    }
}

typedef struct flip_call {
    cnn_flip_rgb_u8_fn fn;
    const uint8_t *s;
    uint8_t *d;
} flip_call;

static void call_flip(void *arg)
{
    const flip_call *c = arg;
    for (int y = 0; y < 224; y++)
        c->fn(c->s + 3 * 224 * y, c->d + 3 * 224 * y, 224);
}

static void bench_flip_rgb_u8(void)
{
    static uint8_t s[224 * 224 * 3], d[224 * 224 * 3];
    flip_call cref = { checkasm_ref()->flip_rgb_u8, s, d };
    flip_call ccur = { checkasm_cur()->flip_rgb_u8, s, d };
    double t_ref = checkasm_median_ns(call_flip, &cref, 21);
    double t_cur = checkasm_median_ns(call_flip, &ccur, 51);
    checkasm_report_bench("flip_rgb_u8, 224x224", t_ref, t_cur);
}

void checkasm_check_flip(void)
{
    check_flip_rgb_u8();
    if (checkasm_bench_enabled() && checkasm_cur()->flip_rgb_u8 != checkasm_ref()->flip_rgb_u8)
        bench_flip_rgb_u8();
}
