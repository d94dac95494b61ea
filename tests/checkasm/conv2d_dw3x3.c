/* checkasm family conv2d_dw3x3: the depthwise 3x3 entry on random planes
 * (widths 1 to 40 and some wide ones for the masked borders and tails,
 * heights from the smallest the padding allows), stride 1 and 2, each side
 * padded by 0 or 1, one or two output channels per input channel, bias and
 * clamp on or off, random [c0, c1) x [oy0, oy1) ranges whose outside must
 * stay untouched. Input and output sit between guard zones of NaN
 * sentinels: a read past the planes poisons an output, a write is seen. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "checkasm.h"

#define CASES 200
/* |simd - c| within this share of the sum of |terms| (FMA vs mul + add). */
#define REL_TOL 1e-5

typedef struct dw_case {
    cnn_conv2d_dw3x3_args a;
    int channels, in_c;
    size_t src_len, dst_len;
} dw_case;

static void case_init(dw_case *c)
{
    cnn_conv2d_dw3x3_args *a = &c->a;
    *a = (cnn_conv2d_dw3x3_args){ .stride = checkasm_rand_range(1, 2) };
    a->pad_top = checkasm_rand_range(0, 1);
    a->pad_left = checkasm_rand_range(0, 1);
    int pad_bottom = checkasm_rand_range(0, 1), pad_right = checkasm_rand_range(0, 1);
    /* the kernel spans 3 padded pixels: at least 3 - pads input pixels */
    int min_w = 3 - a->pad_left - pad_right, min_h = 3 - a->pad_top - pad_bottom;
    a->in_w = checkasm_rand_range(0, 3) ? checkasm_rand_range(min_w < 1 ? 1 : min_w, 40)
                                        : checkasm_rand_range(41, 130);
    a->in_h = checkasm_rand_range(min_h < 1 ? 1 : min_h, 19);
    a->out_w = (a->in_w + a->pad_left + pad_right - 3) / a->stride + 1;
    a->out_h = (a->in_h + a->pad_top + pad_bottom - 3) / a->stride + 1;
    a->multiplier = checkasm_rand_range(1, 2);
    c->in_c = checkasm_rand_range(1, 3);
    c->channels = c->in_c * a->multiplier;
    /* half the cases clamp (the fused relu6) to about the spread of the
     * outputs, so both bounds bite */
    a->clamp = checkasm_rand_range(0, 1);
    a->clamp_min = -0.5f * (float)checkasm_rand_range(0, 2);
    a->clamp_max = 0.5f * (float)checkasm_rand_range(1, 4);
    c->src_len = (size_t)c->in_c * a->in_h * a->in_w;
    c->dst_len = (size_t)c->channels * a->out_h * a->out_w;
    float *src = checkasm_guarded_alloc(c->src_len);
    float *weight = checkasm_guarded_alloc((size_t)c->channels * 9);
    float *bias = checkasm_rand_range(0, 1) ? checkasm_guarded_alloc((size_t)c->channels)
                                            : NULL;
    checkasm_fill(src, c->src_len);
    checkasm_fill(weight, (size_t)c->channels * 9);
    if (bias)
        checkasm_fill(bias, (size_t)c->channels);
    a->src = src;
    a->weight = weight;
    a->bias = bias;
}

static void case_free(dw_case *c)
{
    checkasm_guarded_free((float *)c->a.src);
    checkasm_guarded_free((float *)c->a.weight);
    checkasm_guarded_free((float *)c->a.bias);
}

/* Sum of |terms| of every output: the C kernel on absolute values. */
static void abs_sums(const dw_case *c, float *dst, int c0, int c1, int oy0, int oy1)
{
    cnn_conv2d_dw3x3_args m = c->a;
    float *src = checkasm_abs_copy(c->a.src, c->src_len);
    float *weight = checkasm_abs_copy(c->a.weight, (size_t)c->channels * 9);
    float *bias = c->a.bias ? checkasm_abs_copy(c->a.bias, (size_t)c->channels) : NULL;
    m.src = src;
    m.weight = weight;
    m.bias = bias;
    m.dst = dst;
    m.clamp = 0;
    cnn_conv2d_dw3x3_c(&m, c0, c1, oy0, oy1);
    checkasm_guarded_free(src);
    checkasm_guarded_free(weight);
    checkasm_guarded_free(bias);
}

static void check_case(cnn_conv2d_dw3x3_fn fn, cnn_conv2d_dw3x3_fn ref, dw_case *c)
{
    cnn_conv2d_dw3x3_args *a = &c->a;
    int ch = c->channels, oh = a->out_h, ow = a->out_w;
    int c0 = checkasm_rand_range(0, ch - 1), c1 = checkasm_rand_range(c0 + 1, ch);
    int oy0 = checkasm_rand_range(0, oh - 1), oy1 = checkasm_rand_range(oy0 + 1, oh);
    if (checkasm_rand_range(0, 1)) { /* half the cases cover everything */
        c0 = oy0 = 0;
        c1 = ch;
        oy1 = oh;
    }
    float *want = checkasm_guarded_alloc(c->dst_len);
    float *got = checkasm_guarded_alloc(c->dst_len);
    float *mag = checkasm_guarded_alloc(c->dst_len);
    a->dst = want;
    ref(a, c0, c1, oy0, oy1);
    a->dst = got;
    fn(a, c0, c1, oy0, oy1);
    abs_sums(c, mag, c0, c1, oy0, oy1);
    char shape[160];
    snprintf(shape, sizeof shape,
             "in %dx%d x%d out %dx%d x%d s%d pad t%d l%d bias %d clamp %d [%g,%g] "
             "c [%d,%d) oy [%d,%d)",
             a->in_w, a->in_h, c->in_c, ow, oh, ch, a->stride, a->pad_top, a->pad_left,
             a->bias != NULL, a->clamp, a->clamp_min, a->clamp_max, c0, c1, oy0, oy1);
    if (!checkasm_guards_intact(got, c->dst_len))
        checkasm_fail("%s: wrote outside the output", shape);
    checkasm_check_planes(shape, got, want, mag, ch, oh, ow, c0, c1, oy0, oy1, REL_TOL);
    checkasm_guarded_free(want);
    checkasm_guarded_free(got);
    checkasm_guarded_free(mag);
}

typedef struct bench_call {
    cnn_conv2d_dw3x3_fn fn;
    const cnn_conv2d_dw3x3_args *a;
    int channels;
} bench_call;

static void run_bench_call(void *arg)
{
    const bench_call *b = arg;
    b->fn(b->a, 0, b->channels, 0, b->a->out_h);
}

/* 16 channels of the MobileNet layers, padding 1, relu6. */
static void bench_dw3x3(cnn_conv2d_dw3x3_fn fn, cnn_conv2d_dw3x3_fn ref)
{
    static const struct {
        int size, stride;
        const char *what;
    } shapes[] = {
        { 112, 1, "x16 3x3 s1, 112x112" },
        { 112, 2, "x16 3x3 s2, 112x112" },
        { 28, 1, "x16 3x3 s1, 28x28" },
        { 14, 1, "x16 3x3 s1, 14x14" },
    };
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
        int n = shapes[s].size, st = shapes[s].stride, on = (n - 1) / st + 1;
        cnn_conv2d_dw3x3_args a = {
            .in_h = n, .in_w = n, .multiplier = 1, .out_h = on, .out_w = on, .stride = st,
            .pad_top = 1, .pad_left = 1, .clamp = 1, .clamp_min = 0.0f, .clamp_max = 6.0f,
        };
        float *src = checkasm_guarded_alloc((size_t)16 * n * n);
        float *weight = checkasm_guarded_alloc(16 * 9);
        float *dst = checkasm_guarded_alloc((size_t)16 * on * on);
        checkasm_fill(src, (size_t)16 * n * n);
        checkasm_fill(weight, 16 * 9);
        a.src = src;
        a.weight = weight;
        a.dst = dst;
        bench_call cref = { ref, &a, 16 }, ccur = { fn, &a, 16 };
        double t_ref = checkasm_median_ns(run_bench_call, &cref, 21);
        double t_cur = checkasm_median_ns(run_bench_call, &ccur, 101);
        checkasm_report_bench(shapes[s].what, t_ref, t_cur);
        checkasm_guarded_free(src);
        checkasm_guarded_free(weight);
        checkasm_guarded_free(dst);
    }
}

void checkasm_check_conv2d_dw3x3(void)
{
    cnn_conv2d_dw3x3_fn fn = checkasm_cur()->conv2d_dw3x3;
    cnn_conv2d_dw3x3_fn ref = checkasm_ref()->conv2d_dw3x3;
    if (!checkasm_func_new("conv2d_dw3x3", (void (*)(void))fn, (void (*)(void))ref))
        return;
    for (int i = 0; i < CASES; i++) {
        dw_case c;
        case_init(&c);
        check_case(fn, ref, &c);
        case_free(&c);
    }
    if (checkasm_bench_enabled())
        bench_dw3x3(fn, ref);
}
