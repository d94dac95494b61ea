/* checkasm family batchnorm: the four plane kernels (bn_stats, scale_shift,
 * bn_grad_sums, bn_backward_dx) on every length around the vector sizes and
 * some long planes; sums within float rounding of C, element-wise outputs
 * within an ulp or two (FMA), nothing written outside the plane. */
#include <math.h>
#include <stdio.h>

#include "checkasm.h"

#define MAX_LEN 2000

/* Lengths 0..70 (every tail), then random long ones. */
static size_t test_length(int i)
{
    return i <= 70 ? (size_t)i : (size_t)checkasm_rand_range(71, MAX_LEN);
}

#define LENGTHS 90

typedef enum bn_kernel { BN_STATS, BN_GRAD_SUMS, BN_SCALE_SHIFT, BN_BACKWARD_DX } bn_kernel;

static void (*entry(const cnn_kernels *k, bn_kernel which))(void)
{
    switch (which) {
    case BN_STATS: return (void (*)(void))k->bn_stats;
    case BN_GRAD_SUMS: return (void (*)(void))k->bn_grad_sums;
    case BN_SCALE_SHIFT: return (void (*)(void))k->scale_shift;
    case BN_BACKWARD_DX: return (void (*)(void))k->bn_backward_dx;
    }
    return NULL;
}

/* The two sums of bn_stats / bn_grad_sums against C. Both sum in float in
 * different orders: rounding grows like sqrt(n) ulps of the sum of |terms|. */
static void compare_sums(const cnn_kernels *cur, const cnn_kernels *ref, bn_kernel which,
                         const float *x, const float *dy, size_t n)
{
    int grad = which == BN_GRAD_SUMS;
    float centre = n ? x[0] * 0.5f : 0.0f, want[2], got[2];
    if (grad) {
        ref->bn_grad_sums(x, dy, n, centre, want);
        cur->bn_grad_sums(x, dy, n, centre, got);
    } else {
        ref->bn_stats(x, n, centre, want);
        cur->bn_stats(x, n, centre, got);
    }
    double mag[2] = { 0.0, 0.0 };
    for (size_t t = 0; t < n; t++) {
        double d = (double)x[t] - centre, g = grad ? dy[t] : d;
        mag[0] += fabs(g);
        mag[1] += fabs(g * d);
    }
    for (int k = 0; k < 2; k++)
        if (!(fabsf(got[k] - want[k]) <= 1e-6 * sqrt((double)n) * mag[k] + 1e-6))
            checkasm_fail("n %zu: sum %d is %.9g, C %.9g", n, k, got[k], want[k]);
}

/* The element-wise outputs of scale_shift / bn_backward_dx: an FMA apart at
 * most, and nothing written outside the plane. */
static void compare_outputs(const cnn_kernels *cur, const cnn_kernels *ref, bn_kernel which,
                            const float *x, const float *dy, size_t n)
{
    float *want = checkasm_guarded_alloc(n), *got = checkasm_guarded_alloc(n);
    if (which == BN_BACKWARD_DX) {
        ref->bn_backward_dx(x, dy, want, n, 0.25f, 1.5f, -0.75f, 0.125f);
        cur->bn_backward_dx(x, dy, got, n, 0.25f, 1.5f, -0.75f, 0.125f);
    } else {
        ref->scale_shift(x, want, n, 1.5f, -0.75f);
        cur->scale_shift(x, got, n, 1.5f, -0.75f);
    }
    if (!checkasm_guards_intact(got, n))
        checkasm_fail("n %zu: wrote outside the plane", n);
    for (size_t k = 0; k < n; k++)
        if (!(fabsf(got[k] - want[k]) <= 1e-6f))
            checkasm_fail("n %zu: element %zu is %.9g, C %.9g", n, k, got[k], want[k]);
    checkasm_guarded_free(want);
    checkasm_guarded_free(got);
}

static void check_kernel(const char *name, bn_kernel which)
{
    const cnn_kernels *cur = checkasm_cur(), *ref = checkasm_ref();
    if (!checkasm_func_new(name, entry(cur, which), entry(ref, which)))
        return;
    float *x = checkasm_guarded_alloc(MAX_LEN), *dy = checkasm_guarded_alloc(MAX_LEN);
    for (int i = 0; i < LENGTHS; i++) {
        size_t n = test_length(i);
        checkasm_fill(x, n);
        checkasm_fill(dy, n);
        if (which == BN_STATS || which == BN_GRAD_SUMS)
            compare_sums(cur, ref, which, x, dy, n);
        else
            compare_outputs(cur, ref, which, x, dy, n);
    }
    checkasm_guarded_free(x);
    checkasm_guarded_free(dy);
}

typedef struct plane_call {
    const cnn_kernels *k;
    const float *x, *dy;
    float *y;
    size_t n;
} plane_call;

static void call_train_plane(void *arg)
{
    const plane_call *c = arg;
    float s[2];
    c->k->bn_stats(c->x, c->n, 0.5f, s);
    c->k->scale_shift(c->x, c->y, c->n, 1.5f, -0.75f);
    c->k->bn_grad_sums(c->x, c->dy, c->n, 0.5f, s);
    c->k->bn_backward_dx(c->x, c->dy, c->y, c->n, 0.5f, 0.25f, 1.5f, -0.75f);
}

/* One 112 x 112 plane through all four kernels: a training step's passes. */
static void bench_batchnorm(void)
{
    size_t n = 112 * 112;
    float *x = checkasm_guarded_alloc(n), *dy = checkasm_guarded_alloc(n);
    float *y = checkasm_guarded_alloc(n);
    checkasm_fill(x, n);
    checkasm_fill(dy, n);
    plane_call cref = { checkasm_ref(), x, dy, y, n }, ccur = { checkasm_cur(), x, dy, y, n };
    double t_ref = checkasm_median_ns(call_train_plane, &cref, 51);
    double t_cur = checkasm_median_ns(call_train_plane, &ccur, 101);
    checkasm_report_bench("batchnorm kernels, 112x112 plane", t_ref, t_cur);
    checkasm_guarded_free(x);
    checkasm_guarded_free(dy);
    checkasm_guarded_free(y);
}

void checkasm_check_batchnorm(void)
{
    check_kernel("bn_stats", BN_STATS);
    check_kernel("bn_grad_sums", BN_GRAD_SUMS);
    check_kernel("scale_shift", BN_SCALE_SHIFT);
    check_kernel("bn_backward_dx", BN_BACKWARD_DX);
    if (checkasm_bench_enabled() && checkasm_cur()->bn_stats != checkasm_ref()->bn_stats)
        bench_batchnorm();
}
