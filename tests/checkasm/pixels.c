/* checkasm family pixels: the luma and spread rows of packed pixels must
 * give C's output bit for bit for RGB, BGR, RGBx, BGRA and xRGB layouts on
 * random rows of every width to past a 1080p row (vector steps and tails),
 * and write nothing past the row (nor, for spread, the kept byte). */
#include <string.h>

#include "checkasm.h"

#define MAX_W 1931
#define GUARD 64
#define WIDTHS 20

typedef struct layout {
    int step, r, g, b, keep;
} layout;

static const layout layouts[] = { { 3, 0, 1, 2, -1 }, { 3, 2, 1, 0, -1 }, { 4, 0, 1, 2, 3 },
                                  { 4, 2, 1, 0, 3 },  { 4, 1, 2, 3, 0 } };

static int width_of(int i)
{
    static const int fixed[] = { 1, 15, 16, 17, 63, 64, 65, 79, 80, 127, 128, 129, 1920 };
    const int n = sizeof fixed / sizeof *fixed;
    return i < n ? fixed[i] : i == WIDTHS - 1 ? MAX_W : checkasm_rand_range(1, MAX_W);
}

static uint8_t px[MAX_W * 4 + GUARD], gray[MAX_W + GUARD];
static uint8_t out[2][MAX_W * 4 + GUARD];

#define FN(f) (void (*)(void))(f)

static void check_luma(void)
{
    const cnn_kernels *cur = checkasm_cur(), *ref = checkasm_ref();
    if (!checkasm_func_new("pixels_luma_row", FN(cur->pixels_luma_row),
                           FN(ref->pixels_luma_row)))
        return;
    for (int wi = 0; wi < WIDTHS; wi++)
        for (size_t l = 0; l < sizeof layouts / sizeof *layouts; l++) {
            const layout *t = &layouts[l];
            int w = width_of(wi);
            memset(out, 0xa5, sizeof out);
            ref->pixels_luma_row(px, out[0], w, t->step, t->r, t->g, t->b);
            cur->pixels_luma_row(px, out[1], w, t->step, t->r, t->g, t->b);
            if (memcmp(out[0], out[1], MAX_W + GUARD))
                checkasm_fail("width %d step %d offsets %d,%d,%d: differs from C", w, t->step,
                              t->r, t->g, t->b);
        }
}

static void check_spread(void)
{
    const cnn_kernels *cur = checkasm_cur(), *ref = checkasm_ref();
    if (!checkasm_func_new("pixels_spread_row", FN(cur->pixels_spread_row),
                           FN(ref->pixels_spread_row)))
        return;
    for (int wi = 0; wi < WIDTHS; wi++)
        for (size_t l = 0; l < sizeof layouts / sizeof *layouts; l++) {
            const layout *t = &layouts[l];
            int w = width_of(wi);
            memcpy(out[0], px, sizeof out[0]);
            memcpy(out[1], px, sizeof out[1]);
            ref->pixels_spread_row(gray, out[0], w, t->step, t->keep);
            cur->pixels_spread_row(gray, out[1], w, t->step, t->keep);
            if (memcmp(out[0], out[1], sizeof out[0]))
                checkasm_fail("width %d step %d keep %d: differs from C", w, t->step, t->keep);
        }
}

/* Bench: a 1080p row of RGB. */
typedef struct pixels_call {
    const cnn_kernels *k;
} pixels_call;

static void call_luma(void *arg)
{
    const pixels_call *c = arg;
    c->k->pixels_luma_row(px, out[0], 1920, 3, 0, 1, 2);
}

static void call_spread(void *arg)
{
    const pixels_call *c = arg;
    c->k->pixels_spread_row(gray, out[0], 1920, 3, -1);
}

static void bench_pixels(void)
{
    pixels_call cref = { checkasm_ref() }, ccur = { checkasm_cur() };
    if (cref.k->pixels_luma_row != ccur.k->pixels_luma_row)
        checkasm_report_bench("pixels_luma_row RGB, 1920 pixels",
                              checkasm_median_ns(call_luma, &cref, 101),
                              checkasm_median_ns(call_luma, &ccur, 1001));
    if (cref.k->pixels_spread_row != ccur.k->pixels_spread_row)
        checkasm_report_bench("pixels_spread_row RGB, 1920 pixels",
                              checkasm_median_ns(call_spread, &cref, 101),
                              checkasm_median_ns(call_spread, &ccur, 1001));
}

void checkasm_check_pixels(void)
{
    for (size_t i = 0; i < sizeof px; i++)
        px[i] = (uint8_t)checkasm_rand_range(0, 255);
    for (size_t i = 0; i < sizeof gray; i++)
        gray[i] = (uint8_t)checkasm_rand_range(0, 255);
    check_luma();
    check_spread();
    if (checkasm_bench_enabled())
        bench_pixels();
}
