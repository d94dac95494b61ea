/* checkasm family grayscale: grays of packed RGB rows must equal C's for
 * every width up to 70 (tails after the 16-pixel steps), 1 and 3 output
 * channels, random bytes and the extremes, nothing written past the row. */
#include <string.h>

#include "checkasm.h"

enum { W = 70 }; /* pixels of the longest row */

/* Random bytes, every fifth one 0 or 255. */
static void fill_rgb_row(uint8_t *s)
{
    for (int i = 0; i < 3 * W; i++)
        s[i] = (uint8_t)(i % 5 == 0 ? 255 * (i % 2) : checkasm_rand_range(0, 255));
}

static void check_gray_rgb_u8(void)
{
    cnn_gray_rgb_u8_fn fn = checkasm_cur()->gray_rgb_u8, ref = checkasm_ref()->gray_rgb_u8;
    if (!checkasm_func_new("gray_rgb_u8", (void (*)(void))fn, (void (*)(void))ref))
        return;
    uint8_t s[3 * W], want[3 * W + 1], got[3 * W + 1];
    for (int w = 0; w <= W; w++) {
        fill_rgb_row(s);
        for (int oc = 1; oc <= 3; oc += 2) {
            want[oc * w] = got[oc * w] = 0xAB;
            ref(s, want, w, oc);
            fn(s, got, w, oc);
            if (memcmp(got, want, (size_t)(oc * w)))
                checkasm_fail("width %d channels %d: differs from C", w, oc);
            if (got[oc * w] != 0xAB)
                checkasm_fail("width %d channels %d: wrote past the row", w, oc);
        }
    }
}

/* Saturation on the same rows, factors from 0 to 4 (complement 1 - a, so
 * values fall below 0 and above 255). */
static void check_saturation_rgb_u8(void)
{
    cnn_saturation_rgb_u8_fn fn = checkasm_cur()->saturation_rgb_u8;
    cnn_saturation_rgb_u8_fn ref = checkasm_ref()->saturation_rgb_u8;
    if (!checkasm_func_new("saturation_rgb_u8", (void (*)(void))fn, (void (*)(void))ref))
        return;
    uint8_t s[3 * W], want[3 * W + 1], got[3 * W + 1];
    for (int w = 0; w <= W; w++) {
        fill_rgb_row(s);
        float a = (float)checkasm_rand_range(0, 400) * 0.01f;
        want[3 * w] = got[3 * w] = 0xAB;
        ref(s, want, w, a, 1.0f - a);
        fn(s, got, w, a, 1.0f - a);
        if (memcmp(got, want, 3 * (size_t)w))
            checkasm_fail("width %d factor %g: differs from C", w, a);
        if (got[3 * w] != 0xAB)
            checkasm_fail("width %d: wrote past the row", w);
    }
}

typedef struct gray_call {
    cnn_gray_rgb_u8_fn fn;
    const uint8_t *s;
    uint8_t *d;
} gray_call;

static void call_gray(void *arg)
{
    const gray_call *c = arg;
    for (int y = 0; y < 224; y++)
        c->fn(c->s + 3 * 224 * y, c->d + 3 * 224 * y, 224, 3);
}

static void bench_gray_rgb_u8(void)
{
    static uint8_t s[224 * 224 * 3], d[224 * 224 * 3];
    for (size_t i = 0; i < sizeof s; i++)
        s[i] = (uint8_t)checkasm_rand_range(0, 255);
    gray_call cref = { checkasm_ref()->gray_rgb_u8, s, d };
    gray_call ccur = { checkasm_cur()->gray_rgb_u8, s, d };
    double t_ref = checkasm_median_ns(call_gray, &cref, 21);
    double t_cur = checkasm_median_ns(call_gray, &ccur, 51);
    checkasm_report_bench("gray_rgb_u8, 224x224 to 3 channels", t_ref, t_cur);
}

void checkasm_check_grayscale(void)
{
    check_gray_rgb_u8();
    check_saturation_rgb_u8();
    if (checkasm_bench_enabled() && checkasm_cur()->gray_rgb_u8 != checkasm_ref()->gray_rgb_u8)
        bench_gray_rgb_u8();
}
