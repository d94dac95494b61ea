/* checkasm family conv2d: the conv2d entry on random shapes (odd widths for
 * the vector tails, 1 to 19 output channels for the register-block
 * remainders, stride, dilation and the column-phase layout), random
 * [oc0, oc1) x [oy0, oy1) ranges whose outside must stay untouched; and the
 * stride-2 column split. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkasm.h"

#define CASES 80
/* |simd - c| must stay within this share of the sum of |terms| (FMA and
 * summation order differ, values do not). */
#define REL_TOL 1e-5

typedef struct conv_case {
    cnn_conv2d_kernel_args a;
    float *src, *weight, *bias;
    size_t src_len, weight_len, dst_len;
} conv_case;

/* Random arguments; inputs sized for exactly the columns and rows the taps
 * reach, plus a random margin. */
static void case_init(conv_case *c, int cin, int cout, int out_h, int out_w)
{
    cnn_conv2d_kernel_args *a = &c->a;
    *a = (cnn_conv2d_kernel_args){ .cin = cin, .cout = cout, .out_h = out_h, .out_w = out_w };
    a->kh = checkasm_rand_range(1, 5);
    a->kw = checkasm_rand_range(1, 5);
    a->stride_h = checkasm_rand_range(1, 3);
    a->stride_w = checkasm_rand_range(1, 3);
    a->dil_h = checkasm_rand_range(1, 2);
    a->dil_w = checkasm_rand_range(1, 3);
    /* half the cases clamp the stores (the fused relu6) to about the
     * spread of the outputs, so both bounds bite */
    a->clamp = checkasm_rand_range(0, 1);
    a->clamp_min = -0.5f * (float)checkasm_rand_range(0, 2);
    a->clamp_max = 0.5f * (float)checkasm_rand_range(1, 4);
    int rows = (out_h - 1) * a->stride_h + (a->kh - 1) * a->dil_h + 1;
    int cols = (out_w - 1) * a->stride_w + (a->kw - 1) * a->dil_w + 1;
    a->src_phase = (size_t)(cols + a->stride_w - 1) / a->stride_w + checkasm_rand_range(0, 3);
    a->src_row = a->src_phase * a->stride_w;
    a->src_plane = a->src_row * (size_t)(rows + checkasm_rand_range(0, 2));
    c->src_len = a->src_plane * cin;
    c->weight_len = (size_t)cout * cin * a->kh * a->kw;
    c->dst_len = (size_t)cout * out_h * out_w;
    c->src = malloc(c->src_len * sizeof(float));
    c->weight = malloc(c->weight_len * sizeof(float));
    int with_bias = checkasm_rand_range(0, 1);
    c->bias = with_bias ? malloc((size_t)cout * sizeof(float)) : NULL;
    if (!c->src || !c->weight || (with_bias && !c->bias)) {
        fprintf(stderr, "checkasm: out of memory\n");
        exit(EXIT_FAILURE);
    }
    checkasm_fill(c->src, c->src_len);
    checkasm_fill(c->weight, c->weight_len);
    if (c->bias)
        checkasm_fill(c->bias, (size_t)cout);
    a->src = c->src;
    a->weight = c->weight;
    a->bias = c->bias;
}

static void case_free(conv_case *c)
{
    free(c->src);
    free(c->weight);
    free(c->bias);
}

/* Sum of |terms| of every output: the C kernel on absolute values. */
static void abs_sums(const conv_case *c, float *dst, int oc0, int oc1, int oy0, int oy1)
{
    conv_case m = *c;
    float *src = checkasm_abs_copy(c->src, c->src_len);
    float *weight = checkasm_abs_copy(c->weight, c->weight_len);
    float *bias = c->bias ? checkasm_abs_copy(c->bias, (size_t)c->a.cout) : NULL;
    m.a.src = src;
    m.a.weight = weight;
    m.a.bias = bias;
    m.a.dst = dst;
    m.a.clamp = 0;
    cnn_conv2d_kernel_c(&m.a, oc0, oc1, oy0, oy1);
    checkasm_guarded_free(src);
    checkasm_guarded_free(weight);
    checkasm_guarded_free(bias);
}

static void check_case(cnn_conv2d_kernel_fn fn, cnn_conv2d_kernel_fn ref, conv_case *c)
{
    int cout = c->a.cout, oh = c->a.out_h, ow = c->a.out_w;
    int oc0 = checkasm_rand_range(0, cout - 1), oc1 = checkasm_rand_range(oc0 + 1, cout);
    int oy0 = checkasm_rand_range(0, oh - 1), oy1 = checkasm_rand_range(oy0 + 1, oh);
    if (checkasm_rand_range(0, 1)) { /* half the cases cover everything */
        oc0 = oy0 = 0;
        oc1 = cout;
        oy1 = oh;
    }
    float *want = checkasm_guarded_alloc(c->dst_len);
    float *got = checkasm_guarded_alloc(c->dst_len);
    float *mag = checkasm_guarded_alloc(c->dst_len);
    c->a.dst = want;
    ref(&c->a, oc0, oc1, oy0, oy1);
    c->a.dst = got;
    fn(&c->a, oc0, oc1, oy0, oy1);
    abs_sums(c, mag, oc0, oc1, oy0, oy1);
    const cnn_conv2d_kernel_args *a = &c->a;
    char shape[160];
    snprintf(shape, sizeof shape,
             "cin %d cout %d out %dx%d k %dx%d s %dx%d d %dx%d bias %d clamp %d [%g,%g] "
             "oc [%d,%d) oy [%d,%d)",
             a->cin, cout, ow, oh, a->kw, a->kh, a->stride_w, a->stride_h, a->dil_w,
             a->dil_h, a->bias != NULL, a->clamp, a->clamp_min, a->clamp_max, oc0, oc1, oy0,
             oy1);
    if (!checkasm_guards_intact(got, c->dst_len))
        checkasm_fail("%s: wrote outside the output", shape);
    checkasm_check_planes(shape, got, want, mag, cout, oh, ow, oc0, oc1, oy0, oy1, REL_TOL);
    checkasm_guarded_free(want);
    checkasm_guarded_free(got);
    checkasm_guarded_free(mag);
}

typedef struct bench_call {
    cnn_conv2d_kernel_fn fn;
    const cnn_conv2d_kernel_args *a;
} bench_call;

static void run_bench_call(void *arg)
{
    const bench_call *b = arg;
    b->fn(b->a, 0, b->a->cout, 0, b->a->out_h);
}

typedef struct bench_shape {
    int cin, stride, out_w;
    const char *what;
} bench_shape;

/* A band of 16 rows of the bench/conv layers (3x3 kernels, 16 output
 * channels), or of a depthwise layer. */
static void bench_conv2d(cnn_conv2d_kernel_fn fn, cnn_conv2d_kernel_fn ref, int depthwise)
{
    static const bench_shape conv[] = {
        { 3, 1, 224, "3->16 3x3 s1, 224 wide, 16 rows" },
        { 16, 2, 112, "16->16 3x3 s2, 112 wide, 16 rows" },
        { 0, 0, 0, NULL },
    };
    static const bench_shape dw[] = {
        { 1, 1, 112, "depthwise x16 3x3 s1, 112 wide, 16 rows" },
        { 1, 2, 56, "depthwise x16 3x3 s2, 56 wide, 16 rows" },
        { 0, 0, 0, NULL },
    };
    const bench_shape *shapes = depthwise ? dw : conv;
    for (size_t s = 0; shapes[s].what; s++) {
        int cin = shapes[s].cin, st = shapes[s].stride, ow = shapes[s].out_w, oh = 16;
        size_t phase = (size_t)((ow - 1) * st + 3 + st - 1) / st;
        cnn_conv2d_kernel_args a = {
            .cin = cin, .src_phase = phase, .src_row = phase * st,
            .src_plane = phase * st * (size_t)((oh - 1) * st + 3),
            .cout = 16, .out_h = oh, .out_w = ow, .kh = 3, .kw = 3,
            .stride_h = st, .stride_w = st, .dil_h = 1, .dil_w = 1,
        };
        size_t src_len = a.src_plane * cin, weight_len = (size_t)16 * cin * 9;
        float *src = malloc(src_len * sizeof(float));
        float *weight = malloc(weight_len * sizeof(float));
        float *dst = malloc((size_t)16 * oh * ow * sizeof(float));
        if (!src || !weight || !dst) {
            fprintf(stderr, "checkasm: out of memory\n");
            exit(EXIT_FAILURE);
        }
        checkasm_fill(src, src_len);
        checkasm_fill(weight, weight_len);
        a.src = src;
        a.weight = weight;
        a.dst = dst;
        bench_call cref = { ref, &a }, ccur = { fn, &a };
        double t_ref = checkasm_median_ns(run_bench_call, &cref, 21);
        double t_cur = checkasm_median_ns(run_bench_call, &ccur, 101);
        checkasm_report_bench(shapes[s].what, t_ref, t_cur);
        free(src);
        free(weight);
        free(dst);
    }
}

/* The stride-2 split is a copy: it must match C exactly, for every length
 * around the vector sizes. */
static void check_split2(void)
{
    cnn_conv2d_split2_fn fn = checkasm_cur()->conv2d_split2;
    cnn_conv2d_split2_fn ref = checkasm_ref()->conv2d_split2;
    if (!checkasm_func_new("conv2d_split2", (void (*)(void))fn, (void (*)(void))ref))
        return;
    for (int n = 0; n <= 100; n++) {
        int len = n < 70 ? n : checkasm_rand_range(70, 1000);
        float *src = checkasm_guarded_alloc((size_t)len);
        float *even[2], *odd[2];
        checkasm_fill(src, (size_t)len);
        for (int k = 0; k < 2; k++) {
            even[k] = checkasm_guarded_alloc((size_t)(len + 1) / 2);
            odd[k] = checkasm_guarded_alloc((size_t)len / 2);
            (k ? fn : ref)(src, len, even[k], odd[k]);
        }
        if (memcmp(even[0], even[1], (size_t)(len + 1) / 2 * sizeof(float)) ||
            memcmp(odd[0], odd[1], (size_t)len / 2 * sizeof(float)))
            checkasm_fail("n %d: differs from C", len);
        if (!checkasm_guards_intact(even[1], (size_t)(len + 1) / 2) ||
            !checkasm_guards_intact(odd[1], (size_t)len / 2))
            checkasm_fail("n %d: wrote outside its outputs", len);
        checkasm_guarded_free(src);
        for (int k = 0; k < 2; k++) {
            checkasm_guarded_free(even[k]);
            checkasm_guarded_free(odd[k]);
        }
    }
}

/* The conv2d entry (max_cin 6) or the depthwise one (max_cin 1). */
static void check_conv(const char *name, cnn_conv2d_kernel_fn fn, cnn_conv2d_kernel_fn ref,
                       int max_cin)
{
    if (!checkasm_func_new(name, (void (*)(void))fn, (void (*)(void))ref))
        return;
    for (int i = 0; i < CASES; i++) {
        conv_case c;
        /* Mostly small; some wide rows for the full register blocks. */
        int out_w = checkasm_rand_range(0, 3) ? checkasm_rand_range(1, 40)
                                              : checkasm_rand_range(41, 100);
        case_init(&c, checkasm_rand_range(1, max_cin), checkasm_rand_range(1, 19),
                  checkasm_rand_range(1, 9), out_w);
        check_case(fn, ref, &c);
        case_free(&c);
    }
    if (checkasm_bench_enabled())
        bench_conv2d(fn, ref, max_cin == 1);
}

void checkasm_check_conv2d(void)
{
    check_conv("conv2d", checkasm_cur()->conv2d, checkasm_ref()->conv2d, 6);
    check_conv("conv2d_dw", checkasm_cur()->conv2d_dw, checkasm_ref()->conv2d_dw, 1);
    check_split2();
}
