/* Pooling on hand-computed cases (the lecture's examples among them),
 * numerical gradients of the modes PyTorch lacks, every kernel-table entry
 * at every CPU level against the C reference, the 8-bit path against the
 * float one, and thread-count independence. The PyTorch comparison is
 * test_pool_torch. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "kernels.h"
#include "ops/pool_internal.h"

static cnn_context *ctx;

static void setup(void)
{
    ck_assert_cnn_ok(cnn_context_create(&ctx, 2));
}

static void teardown(void)
{
    cnn_context_destroy(ctx);
}

/* Pool one h x w plane; returns the output size in *oh, *ow. */
static void pool_plane(const cnn_pool2d_params *p, const float *img, int h, int w, float *out,
                       int32_t *idx, int *oh, int *ow)
{
    cnn_tensor x, y;
    ck_assert_cnn_ok(cnn_pool2d_output_size(p, h, w, oh, ow));
    ck_assert_cnn_ok(cnn_tensor_wrap(&x, (float *)img, 4, (int[]){ 1, 1, h, w }));
    ck_assert_cnn_ok(cnn_tensor_wrap(&y, out, 4, (int[]){ 1, 1, *oh, *ow }));
    ck_assert_cnn_ok(cnn_pool2d_forward(ctx, p, &x, &y, idx));
}

/* The cs231n example the lecture shows: 2x2 max pooling with stride 2 keeps
 * one activation of four ("discards three fourth of the activations"), and
 * only those get a gradient. */
START_TEST(lecture_max_2x2)
{
    const float img[16] = { 1, 1, 2, 4, 5, 6, 7, 8, 3, 2, 1, 0, 1, 2, 3, 4 };
    const float expect[4] = { 6, 8, 3, 4 };
    float out[4], dx[16];
    int32_t idx[4];
    int oh, ow;
    cnn_pool2d_params p;
    cnn_pool2d_params_init(&p, CNN_POOL_MAX, 2, 2);
    pool_plane(&p, img, 4, 4, out, idx, &oh, &ow);
    ck_assert_int_eq(oh * ow * 4, 16);
    for (int i = 0; i < 4; i++)
        ck_assert_float_eq(out[i], expect[i]);
    ck_assert_int_eq(idx[0], 5);
    ck_assert_int_eq(idx[1], 7);
    ck_assert_int_eq(idx[2], 8);
    ck_assert_int_eq(idx[3], 15);

    const float ones[4] = { 1, 1, 1, 1 };
    cnn_tensor tdy, tdx;
    ck_assert_cnn_ok(cnn_tensor_wrap(&tdy, (float *)ones, 4, (int[]){ 1, 1, 2, 2 }));
    ck_assert_cnn_ok(cnn_tensor_wrap(&tdx, dx, 4, (int[]){ 1, 1, 4, 4 }));
    ck_assert_cnn_ok(cnn_pool2d_backward(ctx, &p, NULL, &tdy, idx, &tdx));
    int kept = 0;
    for (int i = 0; i < 16; i++)
        kept += dx[i] != 0.0f;
    ck_assert_int_eq(kept, 4);
}
END_TEST

START_TEST(modes_by_hand)
{
    /* 4x4 ramp 0..15 minus 5: windows of 2x2 */
    float img[16];
    for (int i = 0; i < 16; i++)
        img[i] = (float)i - 5.0f;
    float out[16];
    int oh, ow;
    cnn_pool2d_params p;

    cnn_pool2d_params_init(&p, CNN_POOL_AVG, 2, 2);
    pool_plane(&p, img, 4, 4, out, NULL, &oh, &ow);
    ck_assert_float_eq(out[0], (-5 - 4 - 1 + 0) / 4.0f);
    cnn_pool2d_params_init(&p, CNN_POOL_MIN, 2, 2);
    pool_plane(&p, img, 4, 4, out, NULL, &oh, &ow);
    ck_assert_float_eq(out[0], -5.0f);
    ck_assert_float_eq(out[3], 10.0f - 5.0f);
    cnn_pool2d_params_init(&p, CNN_POOL_LP, 2, 2);
    p.p = 1.0f; /* L1: sum of magnitudes */
    pool_plane(&p, img, 4, 4, out, NULL, &oh, &ow);
    ck_assert_float_eq(out[0], 5 + 4 + 1 + 0);
    p.p = 2.0f;
    pool_plane(&p, img, 4, 4, out, NULL, &oh, &ow);
    ck_assert_float_eq_tol(out[0], sqrtf(25 + 16 + 1), 1e-5f);
    cnn_pool2d_params_init(&p, CNN_POOL_MAX_AVG, 2, 2);
    p.alpha = 0.25f;
    pool_plane(&p, img, 4, 4, out, NULL, &oh, &ow);
    ck_assert_float_eq(out[0], 0.25f * 0.0f + 0.75f * (-2.5f));

    /* 3x3 stride 2 pad 1 average at the corner: 4 input taps of 9 */
    cnn_pool2d_params_init(&p, CNN_POOL_AVG, 3, 3);
    p.stride_h = p.stride_w = 2;
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
    pool_plane(&p, img, 4, 4, out, NULL, &oh, &ow);
    ck_assert_float_eq_tol(out[0], (-5 - 4 - 1 + 0) / 9.0f, 1e-6f);
    p.count_include_pad = 0;
    pool_plane(&p, img, 4, 4, out, NULL, &oh, &ow);
    ck_assert_float_eq_tol(out[0], (-5 - 4 - 1 + 0) / 4.0f, 1e-6f);
    p.divisor = 2;
    pool_plane(&p, img, 4, 4, out, NULL, &oh, &ow);
    ck_assert_float_eq_tol(out[0], (-5 - 4 - 1 + 0) / 2.0f, 1e-6f);
}
END_TEST

START_TEST(output_sizes)
{
    cnn_pool2d_params p;
    int oh, ow;
    /* 5 px, 2x2 stride 2: floor 2, ceil 3 */
    cnn_pool2d_params_init(&p, CNN_POOL_MAX, 2, 2);
    ck_assert_cnn_ok(cnn_pool2d_output_size(&p, 5, 5, &oh, &ow));
    ck_assert_int_eq(oh, 2);
    p.ceil_mode = 1;
    ck_assert_cnn_ok(cnn_pool2d_output_size(&p, 5, 5, &oh, &ow));
    ck_assert_int_eq(oh, 3);
    /* with padding 1 the ceil window 3 would start at 6 - 1 = 5, in the
     * bottom padding: dropped, so 3 not 4 */
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
    ck_assert_cnn_ok(cnn_pool2d_output_size(&p, 5, 5, &oh, &ow));
    ck_assert_int_eq(oh, 3);
    /* 1080p, 3x3 stride 2: PyTorch gives 539 x 959 */
    cnn_pool2d_params_init(&p, CNN_POOL_AVG, 3, 3);
    p.stride_h = p.stride_w = 2;
    ck_assert_cnn_ok(cnn_pool2d_output_size(&p, 1080, 1920, &oh, &ow));
    ck_assert_int_eq(oh, 539);
    ck_assert_int_eq(ow, 959);
    /* dilation 2 on a 3x3 window spans 5 */
    cnn_pool2d_params_init(&p, CNN_POOL_MAX, 3, 3);
    p.stride_h = p.stride_w = 1;
    p.dilation_h = p.dilation_w = 2;
    ck_assert_cnn_ok(cnn_pool2d_output_size(&p, 9, 9, &oh, &ow));
    ck_assert_int_eq(oh, 5);
    /* pyramid 1, 2, 4: 21 cells per channel whatever the input */
    cnn_pool2d_params_init(&p, CNN_POOL_PYRAMID_MAX, 0, 0);
    p.n_levels = 3;
    p.levels[0] = 1, p.levels[1] = 2, p.levels[2] = 4;
    ck_assert_cnn_ok(cnn_pool2d_output_size(&p, 37, 91, &oh, &ow));
    ck_assert_int_eq(oh, 1);
    ck_assert_int_eq(ow, 21);
    cnn_pool2d_params_init(&p, CNN_POOL_WAVELET, 0, 0);
    ck_assert_cnn_ok(cnn_pool2d_output_size(&p, 9, 8, &oh, &ow));
    ck_assert_int_eq(oh, 5);
    ck_assert_int_eq(ow, 4);
}
END_TEST

START_TEST(errors_name_the_problem)
{
    cnn_pool2d_params p;
    int oh, ow;
    cnn_pool2d_params_init(&p, CNN_POOL_MAX, 3, 3);
    p.pad_top = 2;
    ck_assert_int_eq(cnn_pool2d_output_size(&p, 10, 10, &oh, &ow), CNN_ERR_INVALID_ARG);
    ck_assert_ptr_nonnull(strstr(cnn_last_error(), "padding"));
    cnn_pool2d_params_init(&p, CNN_POOL_MAX, 5, 5);
    ck_assert_int_eq(cnn_pool2d_output_size(&p, 4, 10, &oh, &ow), CNN_ERR_SHAPE);
    cnn_pool2d_params_init(&p, CNN_POOL_LP, 2, 2);
    p.p = 0.0f;
    ck_assert_int_eq(cnn_pool2d_output_size(&p, 4, 4, &oh, &ow), CNN_ERR_INVALID_ARG);
    ck_assert_ptr_nonnull(strstr(cnn_last_error(), "Lp"));
    p.p = 2.0f;
    float buf[16] = { 0 }, dy[4] = { 0 };
    cnn_tensor tdy, tdx;
    ck_assert_cnn_ok(cnn_tensor_wrap(&tdy, dy, 4, (int[]){ 1, 1, 2, 2 }));
    ck_assert_cnn_ok(cnn_tensor_wrap(&tdx, buf, 4, (int[]){ 1, 1, 4, 4 }));
    ck_assert_int_eq(cnn_pool2d_backward(ctx, &p, NULL, &tdy, NULL, &tdx), CNN_ERR_INVALID_ARG);
    uint8_t plane[16] = { 0 }, out[4];
    ck_assert_int_eq(cnn_pool2d_u8(ctx, &p, plane, 4, out, 2, 4, 4), CNN_ERR_UNSUPPORTED);
    cnn_pool2d_params_init(&p, CNN_POOL_MAX, 2, 2);
    ck_assert_int_eq(cnn_pool2d_u8(ctx, &p, plane, 3, out, 2, 4, 4), CNN_ERR_INVALID_ARG);
    /* A graph can describe an empty batch; it must be refused, not divided by. */
    cnn_tensor empty = { .ndim = 4, .shape = { 0, 1, 4, 4 }, .data = buf };
    cnn_tensor small = { .ndim = 4, .shape = { 0, 1, 2, 2 }, .data = dy };
    ck_assert_int_eq(cnn_pool2d_forward(ctx, &p, &empty, &small, NULL), CNN_ERR_SHAPE);
    ck_assert_ptr_nonnull(strstr(cnn_last_error(), "empty input"));
}
END_TEST

/* Haar low-low band: (a + b + c + d) / 2 per block; an odd edge repeats. */
START_TEST(wavelet_by_hand)
{
    const float img[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
    float out[4];
    int oh, ow;
    cnn_pool2d_params p;
    cnn_pool2d_params_init(&p, CNN_POOL_WAVELET, 0, 0);
    pool_plane(&p, img, 3, 3, out, NULL, &oh, &ow);
    ck_assert_int_eq(oh, 2);
    ck_assert_float_eq(out[0], (1 + 2 + 4 + 5) / 2.0f);
    ck_assert_float_eq(out[1], (3 + 3 + 6 + 6) / 2.0f);
    ck_assert_float_eq(out[2], (7 + 8 + 7 + 8) / 2.0f);
    ck_assert_float_eq(out[3], (9 * 4) / 2.0f);
}
END_TEST

/* Learned pooling on a hand case: with a zero gate the sigmoid is 1/2. */
START_TEST(learned_by_hand)
{
    float img[4] = { 1, 4, 2, 3 }, out, gate[4] = { 0 }, leaves[8] = { 1, 0, 0, 0, 0, 0, 0, 1 };
    cnn_pool2d_params p;
    cnn_pool2d_params_init(&p, CNN_POOL_AVG, 2, 2);
    cnn_tensor x, y, tg, tl;
    ck_assert_cnn_ok(cnn_tensor_wrap(&x, img, 4, (int[]){ 1, 1, 2, 2 }));
    ck_assert_cnn_ok(cnn_tensor_wrap(&y, &out, 4, (int[]){ 1, 1, 1, 1 }));
    ck_assert_cnn_ok(cnn_tensor_wrap(&tg, gate, 2, (int[]){ 2, 2 }));
    ck_assert_cnn_ok(cnn_tensor_wrap(&tl, leaves, 3, (int[]){ 2, 2, 2 }));
    ck_assert_cnn_ok(cnn_pool2d_mixed_forward(ctx, &p, &x, 0.75f, &y));
    ck_assert_float_eq(out, 0.75f * 4 + 0.25f * 2.5f);
    ck_assert_cnn_ok(cnn_pool2d_gated_forward(ctx, &p, &x, &tg, &y));
    ck_assert_float_eq(out, 0.5f * 4 + 0.5f * 2.5f);
    /* leaf 1 picks the first tap, leaf 2 the last */
    ck_assert_cnn_ok(cnn_pool2d_tree_forward(ctx, &p, &x, &tl, &tg, &y));
    ck_assert_float_eq(out, 0.5f * 1 + 0.5f * 3);
    /* gate on tap 1 with weight w: s = sigmoid(4 w) */
    gate[1] = 0.5f;
    ck_assert_cnn_ok(cnn_pool2d_gated_forward(ctx, &p, &x, &tg, &y));
    float s = 1.0f / (1.0f + expf(-2.0f));
    ck_assert_float_eq_tol(out, s * 4 + (1 - s) * 2.5f, 1e-6f);
}
END_TEST

/* Loss = sum(dy * forward(x, params)) in double for central differences. */
typedef enum grad_op { GRAD_WAVELET, GRAD_LP, GRAD_MIXED, GRAD_GATED, GRAD_TREE } grad_op;

static void grad_forward(grad_op op, const cnn_pool2d_params *p, cnn_tensor *x, float *params,
                         cnn_tensor *y)
{
    int kh = p->kernel_h, kw = p->kernel_w;
    cnn_tensor gate, leaves;
    if (op == GRAD_GATED)
        ck_assert_cnn_ok(cnn_tensor_wrap(&gate, params, 2, (int[]){ kh, kw }));
    if (op == GRAD_TREE) {
        ck_assert_cnn_ok(cnn_tensor_wrap(&leaves, params, 3, (int[]){ 2, kh, kw }));
        ck_assert_cnn_ok(cnn_tensor_wrap(&gate, params + 2 * kh * kw, 2, (int[]){ kh, kw }));
    }
    switch (op) {
    case GRAD_WAVELET:
    case GRAD_LP: ck_assert_cnn_ok(cnn_pool2d_forward(ctx, p, x, y, NULL)); break;
    case GRAD_MIXED: ck_assert_cnn_ok(cnn_pool2d_mixed_forward(ctx, p, x, params[0], y)); break;
    case GRAD_GATED: ck_assert_cnn_ok(cnn_pool2d_gated_forward(ctx, p, x, &gate, y)); break;
    case GRAD_TREE:
        ck_assert_cnn_ok(cnn_pool2d_tree_forward(ctx, p, x, &leaves, &gate, y));
        break;
    }
}

static double grad_loss(grad_op op, const cnn_pool2d_params *p, cnn_tensor *x, float *params,
                        cnn_tensor *y, const float *dy)
{
    grad_forward(op, p, x, params, y);
    double l = 0.0;
    for (size_t i = 0; i < cnn_tensor_numel(y); i++)
        l += (double)dy[i] * y->data[i];
    return l;
}

/* Compare analytic gradients with central differences on values numbered
 * v[0..n): the input, then the parameters. */
static void check_numeric(grad_op op, const cnn_pool2d_params *p, int n_params, uint64_t purpose)
{
    const int N = 1, C = 2, H = 7, W = 6;
    cnn_tensor x, y, dy, dx;
    int oh, ow;
    ck_assert_cnn_ok(cnn_tensor_alloc_nchw(&x, N, C, H, W));
    ck_assert_cnn_ok(cnn_pool2d_output_size(p, H, W, &oh, &ow));
    ck_assert_cnn_ok(cnn_tensor_alloc_nchw(&y, N, C, oh, ow));
    ck_assert_cnn_ok(cnn_tensor_alloc_nchw(&dy, N, C, oh, ow));
    ck_assert_cnn_ok(cnn_tensor_alloc_nchw(&dx, N, C, H, W));
    /* distinct values 4/84 apart in random order: a step of eps cannot
     * change which tap is a window's max */
    size_t nx = cnn_tensor_numel(&x);
    cnn_rng_key key = { test_seed(), purpose };
    for (size_t i = 0; i < nx; i++)
        x.data[i] = -2.0f + 4.0f * (float)i / (float)nx;
    for (size_t i = nx - 1; i > 0; i--) {
        size_t j = (size_t)(cnn_rng_uniform(key, i) * (float)(i + 1));
        float t = x.data[i];
        x.data[i] = x.data[j < i ? j : i];
        x.data[j < i ? j : i] = t;
    }
    if (op == GRAD_LP) /* keep |x| away from 0 where |x|^p bends */
        for (size_t i = 0; i < cnn_tensor_numel(&x); i++)
            x.data[i] += x.data[i] < 0 ? -0.3f : 0.3f;
    test_fill_uniform(dy.data, cnn_tensor_numel(&dy), test_seed(), purpose + 1, -1.0f, 1.0f);
    float params[3 * 9], dparams[3 * 9];
    test_fill_uniform(params, 27, test_seed(), purpose + 2, -0.5f, 0.5f);
    if (op == GRAD_MIXED)
        params[0] = 0.3f;
    void *ws = cnn_aligned_alloc(cnn_pool2d_learned_workspace_size(p, &x));
    int kh = p->kernel_h, kw = p->kernel_w;
    cnn_tensor gate, leaves, dgate, dleaves;
    switch (op) {
    case GRAD_WAVELET:
    case GRAD_LP: ck_assert_cnn_ok(cnn_pool2d_backward(ctx, p, &x, &dy, NULL, &dx)); break;
    case GRAD_MIXED:
        ck_assert_cnn_ok(cnn_pool2d_mixed_backward(ctx, p, &x, params[0], &dy, &dx, dparams, ws));
        break;
    case GRAD_GATED:
        ck_assert_cnn_ok(cnn_tensor_wrap(&gate, params, 2, (int[]){ kh, kw }));
        ck_assert_cnn_ok(cnn_tensor_wrap(&dgate, dparams, 2, (int[]){ kh, kw }));
        ck_assert_cnn_ok(cnn_pool2d_gated_backward(ctx, p, &x, &gate, &dy, &dx, &dgate, ws));
        break;
    case GRAD_TREE:
        ck_assert_cnn_ok(cnn_tensor_wrap(&leaves, params, 3, (int[]){ 2, kh, kw }));
        ck_assert_cnn_ok(cnn_tensor_wrap(&gate, params + 2 * kh * kw, 2, (int[]){ kh, kw }));
        ck_assert_cnn_ok(cnn_tensor_wrap(&dleaves, dparams, 3, (int[]){ 2, kh, kw }));
        ck_assert_cnn_ok(cnn_tensor_wrap(&dgate, dparams + 2 * kh * kw, 2, (int[]){ kh, kw }));
        ck_assert_cnn_ok(cnn_pool2d_tree_backward(ctx, p, &x, &leaves, &gate, &dy, &dx,
                                                  &dleaves, &dgate, ws));
        break;
    }
    const float eps = 1e-2f;
    for (size_t i = 0; i < nx + (size_t)n_params; i++) {
        float *v = i < nx ? &x.data[i] : &params[i - nx];
        float keep = *v;
        *v = keep + eps;
        double up = grad_loss(op, p, &x, params, &y, dy.data);
        *v = keep - eps;
        double down = grad_loss(op, p, &x, params, &y, dy.data);
        *v = keep;
        double numeric = (up - down) / (2.0 * eps);
        double analytic = i < nx ? dx.data[i] : dparams[i - nx];
        ck_assert_msg(fabs(numeric - analytic) <= 2e-3 + 2e-3 * fabs(numeric),
                      "op %d value %zu: numeric %g, analytic %g", (int)op, i, numeric, analytic);
    }
    cnn_aligned_free(ws);
    cnn_tensor_release(&x), cnn_tensor_release(&y), cnn_tensor_release(&dy);
    cnn_tensor_release(&dx);
}

START_TEST(numeric_gradients)
{
    cnn_pool2d_params p;
    cnn_pool2d_params_init(&p, CNN_POOL_WAVELET, 0, 0);
    check_numeric(GRAD_WAVELET, &p, 0, 10);
    cnn_pool2d_params_init(&p, CNN_POOL_LP, 3, 2);
    p.stride_h = 2, p.stride_w = 1, p.p = 2.5f, p.ceil_mode = 1;
    check_numeric(GRAD_LP, &p, 0, 20);
    /* learned: 3x3 windows, stride 2, padding 1, so padded taps matter */
    cnn_pool2d_params_init(&p, CNN_POOL_AVG, 3, 3);
    p.stride_h = p.stride_w = 2;
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
    check_numeric(GRAD_MIXED, &p, 1, 30);
    check_numeric(GRAD_GATED, &p, 9, 40);
    check_numeric(GRAD_TREE, &p, 27, 50);
}
END_TEST

/* Random windowed parameters, odd sizes included. */
static void random_params(cnn_pool2d_params *p, cnn_rng_key key, uint64_t *ctr, int u8)
{
    static const cnn_pool_mode float_modes[] = { CNN_POOL_MAX, CNN_POOL_AVG, CNN_POOL_MIN,
                                                 CNN_POOL_LP, CNN_POOL_MAX_AVG };
    static const cnn_pool_mode u8_modes[] = { CNN_POOL_MAX, CNN_POOL_AVG, CNN_POOL_MIN };
#define PICK(n) ((int)(cnn_rng_uniform(key, (*ctr)++) * (n)))
    cnn_pool_mode mode = u8 ? u8_modes[PICK(3)] : float_modes[PICK(5)];
    int kh = 1 + PICK(4);
    cnn_pool2d_params_init(p, mode, kh, 1 + PICK(4));
    p->stride_h = 1 + PICK(3);
    p->stride_w = 1 + PICK(2); /* the SIMD strides, and 3 now and then */
    if (PICK(4) == 0)
        p->stride_w = 3;
    p->dilation_h = 1 + PICK(2);
    p->dilation_w = PICK(4) == 0 ? 2 : 1;
    p->pad_top = PICK(p->kernel_h / 2 + 1);
    p->pad_bottom = PICK(p->kernel_h / 2 + 1);
    p->pad_left = PICK(p->kernel_w / 2 + 1);
    p->pad_right = PICK(p->kernel_w / 2 + 1);
    p->ceil_mode = PICK(2);
    p->count_include_pad = PICK(2);
    if (PICK(3) == 0)
        p->divisor = 1 + PICK(12);
    p->p = 0.5f + 2.0f * cnn_rng_uniform(key, (*ctr)++);
#undef PICK
}

/* checkasm-style: each table entry at each level the CPU has against the C
 * reference, bit for bit, on random shapes and parameters. */
START_TEST(kernels_match_c)
{
    static const unsigned levels[] = { CNN_CPU_AVX2, CNN_CPU_AVX2 | CNN_CPU_AVX512 };
    cnn_rng_key key = { test_seed(), 60 };
    uint64_t ctr = 0;
    for (size_t l = 0; l < sizeof levels / sizeof levels[0]; l++) {
        if ((levels[l] & cnn_cpu_detect()) != levels[l])
            continue;
        cnn_kernels k;
        cnn_kernels_init(&k, levels[l]);
        for (int iter = 0; iter < 300; iter++) {
            int u8 = iter & 1;
            cnn_pool2d_params p;
            random_params(&p, key, &ctr, u8);
            int h = 3 + (int)(cnn_rng_uniform(key, ctr++) * 30);
            int w = 3 + (int)(cnn_rng_uniform(key, ctr++) * (u8 ? 300 : 150));
            int oh, ow;
            if (cnn_pool2d_output_size(&p, h, w, &oh, &ow) != CNN_OK)
                continue;
            cnn_pool2d_window win;
            cnn_pool2d_window_from_params(&p, &win);
            if (u8) {
                int sstride = w + 5, dstride = ow + 3;
                uint8_t *src = malloc((size_t)sstride * h), *a = calloc((size_t)dstride, oh);
                uint8_t *b = calloc((size_t)dstride, oh);
                for (int i = 0; i < sstride * h; i++)
                    src[i] = (uint8_t)(cnn_rng_uniform(key, ctr++) * 256);
                cnn_pool2d_u8_args args = { src, sstride, h, w, a, dstride, oh, ow,
                                            (int)p.mode, win };
                int split = oh / 3;
                k.pool2d_u8(&args, 0, split);
                k.pool2d_u8(&args, split, oh);
                args.dst = b;
                cnn_pool2d_u8_kernel_c(&args, 0, oh);
                ck_assert_msg(!memcmp(a, b, (size_t)dstride * oh),
                              "u8 mode %d %dx%d k%dx%d s%dx%d d%dx%d at %s", (int)p.mode, w, h,
                              p.kernel_w, p.kernel_h, p.stride_w, p.stride_h, p.dilation_w,
                              p.dilation_h, cnn_cpu_level_name(levels[l]));
                free(src), free(a), free(b);
                continue;
            }
            float *src = malloc(sizeof(float) * h * w), *a = malloc(sizeof(float) * oh * ow);
            float *b = malloc(sizeof(float) * oh * ow);
            test_fill_uniform(src, (size_t)h * w, test_seed(), 61 + iter, -3.0f, 3.0f);
            if (iter % 10 == 0)
                src[(iter / 10) % (h * w)] = NAN;
            cnn_pool2d_kernel_args args = { .src = src, .src_h = h, .src_w = w, .dst = a,
                                            .out_h = oh, .out_w = ow, .mode = (int)p.mode,
                                            .p = p.p, .alpha = p.alpha, .win = win };
            int split = oh / 2;
            k.pool2d(&args, 0, split);
            k.pool2d(&args, split, oh);
            args.dst = b;
            cnn_pool2d_kernel_c(&args, 0, oh);
            for (int i = 0; i < oh * ow; i++)
                ck_assert_msg(!memcmp(&a[i], &b[i], 4) || (isnan(a[i]) && isnan(b[i])),
                              "f32 mode %d %dx%d k%dx%d s%dx%d at %s: out %d %g vs %g",
                              (int)p.mode, w, h, p.kernel_w, p.kernel_h, p.stride_w,
                              p.stride_h, cnn_cpu_level_name(levels[l]), i, a[i], b[i]);
            free(src), free(a), free(b);
        }
    }
}
END_TEST

/* The 8-bit path gives the float path's max and min, and its average
 * rounded half up, on a plane with a row stride. */
START_TEST(u8_matches_float)
{
    const int h = 37, w = 101, stride = 128;
    uint8_t *plane = malloc((size_t)stride * h), out[40 * 128];
    float *img = malloc(sizeof(float) * h * w), ref[40 * 128];
    cnn_rng_key key = { test_seed(), 70 };
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            plane[y * stride + x] = (uint8_t)(cnn_rng_uniform(key, (uint64_t)y * w + x) * 256);
            img[y * w + x] = plane[y * stride + x];
        }
    static const cnn_pool_mode modes[] = { CNN_POOL_MAX, CNN_POOL_MIN, CNN_POOL_AVG };
    for (int m = 0; m < 3; m++)
        for (int k = 2; k <= 3; k++) {
            cnn_pool2d_params p;
            cnn_pool2d_params_init(&p, modes[m], k, k);
            p.stride_h = p.stride_w = 2;
            p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = k == 3;
            p.ceil_mode = 1;
            int oh, ow;
            pool_plane(&p, img, h, w, ref, NULL, &oh, &ow);
            ck_assert_cnn_ok(cnn_pool2d_u8(ctx, &p, plane, stride, out, 128, w, h));
            for (int y = 0; y < oh; y++)
                for (int x = 0; x < ow; x++) {
                    float r = ref[y * ow + x];
                    int expect = (int)floorf(r + (modes[m] == CNN_POOL_AVG ? 0.5f : 0.0f));
                    ck_assert_msg(out[y * 128 + x] == expect, "mode %d k%d (%d,%d): %d vs %g",
                                  (int)modes[m], k, x, y, out[y * 128 + x], r);
                }
        }
    free(plane), free(img);
}
END_TEST

/* Forward, backward and learned gradients bit-identical on 1 and 3 threads. */
START_TEST(thread_count_independent)
{
    cnn_context *one, *three;
    ck_assert_cnn_ok(cnn_context_create(&one, 1));
    ck_assert_cnn_ok(cnn_context_create(&three, 3));
    cnn_tensor x, y1, y3, dy, dx1, dx3;
    ck_assert_cnn_ok(cnn_tensor_alloc_nchw(&x, 2, 5, 23, 31));
    test_fill_uniform(x.data, cnn_tensor_numel(&x), test_seed(), 80, -1.0f, 1.0f);
    cnn_pool2d_params p;
    cnn_pool2d_params_init(&p, CNN_POOL_AVG, 3, 3);
    p.stride_h = p.stride_w = 2;
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
    int oh, ow;
    ck_assert_cnn_ok(cnn_pool2d_output_size(&p, 23, 31, &oh, &ow));
    ck_assert_cnn_ok(cnn_tensor_alloc_nchw(&y1, 2, 5, oh, ow));
    ck_assert_cnn_ok(cnn_tensor_alloc_nchw(&y3, 2, 5, oh, ow));
    ck_assert_cnn_ok(cnn_tensor_alloc_nchw(&dy, 2, 5, oh, ow));
    ck_assert_cnn_ok(cnn_tensor_alloc_nchw(&dx1, 2, 5, 23, 31));
    ck_assert_cnn_ok(cnn_tensor_alloc_nchw(&dx3, 2, 5, 23, 31));
    test_fill_uniform(dy.data, cnn_tensor_numel(&dy), test_seed(), 81, -1.0f, 1.0f);
    size_t ny = cnn_tensor_numel(&y1) * 4, nx = cnn_tensor_numel(&x) * 4;

    ck_assert_cnn_ok(cnn_pool2d_forward(one, &p, &x, &y1, NULL));
    ck_assert_cnn_ok(cnn_pool2d_forward(three, &p, &x, &y3, NULL));
    ck_assert(!memcmp(y1.data, y3.data, ny));
    ck_assert_cnn_ok(cnn_pool2d_backward(one, &p, &x, &dy, NULL, &dx1));
    ck_assert_cnn_ok(cnn_pool2d_backward(three, &p, &x, &dy, NULL, &dx3));
    ck_assert(!memcmp(dx1.data, dx3.data, nx));

    float leaves_v[18], gate_v[9], dl1[18], dg1[9], dl3[18], dg3[9];
    test_fill_uniform(leaves_v, 18, test_seed(), 82, -1.0f, 1.0f);
    test_fill_uniform(gate_v, 9, test_seed(), 83, -1.0f, 1.0f);
    cnn_tensor leaves, gate, tdl1, tdg1, tdl3, tdg3;
    ck_assert_cnn_ok(cnn_tensor_wrap(&leaves, leaves_v, 3, (int[]){ 2, 3, 3 }));
    ck_assert_cnn_ok(cnn_tensor_wrap(&gate, gate_v, 2, (int[]){ 3, 3 }));
    ck_assert_cnn_ok(cnn_tensor_wrap(&tdl1, dl1, 3, (int[]){ 2, 3, 3 }));
    ck_assert_cnn_ok(cnn_tensor_wrap(&tdg1, dg1, 2, (int[]){ 3, 3 }));
    ck_assert_cnn_ok(cnn_tensor_wrap(&tdl3, dl3, 3, (int[]){ 2, 3, 3 }));
    ck_assert_cnn_ok(cnn_tensor_wrap(&tdg3, dg3, 2, (int[]){ 3, 3 }));
    void *ws = cnn_aligned_alloc(cnn_pool2d_learned_workspace_size(&p, &x));
    ck_assert_cnn_ok(cnn_pool2d_tree_backward(one, &p, &x, &leaves, &gate, &dy, &dx1, &tdl1,
                                              &tdg1, ws));
    ck_assert_cnn_ok(cnn_pool2d_tree_backward(three, &p, &x, &leaves, &gate, &dy, &dx3, &tdl3,
                                              &tdg3, ws));
    ck_assert(!memcmp(dx1.data, dx3.data, nx));
    ck_assert(!memcmp(dl1, dl3, sizeof dl1));
    ck_assert(!memcmp(dg1, dg3, sizeof dg1));
    cnn_aligned_free(ws);
    cnn_tensor_release(&x), cnn_tensor_release(&y1), cnn_tensor_release(&y3);
    cnn_tensor_release(&dy), cnn_tensor_release(&dx1), cnn_tensor_release(&dx3);
    cnn_context_destroy(one);
    cnn_context_destroy(three);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pool");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, lecture_max_2x2);
    tcase_add_test(tc, modes_by_hand);
    tcase_add_test(tc, output_sizes);
    tcase_add_test(tc, errors_name_the_problem);
    tcase_add_test(tc, wavelet_by_hand);
    tcase_add_test(tc, learned_by_hand);
    tcase_add_test(tc, numeric_gradients);
    tcase_add_test(tc, kernels_match_c);
    tcase_add_test(tc, u8_matches_float);
    tcase_add_test(tc, thread_count_independent);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
