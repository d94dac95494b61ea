/* Batch normalisation against PyTorch (tests/ref/norm_ref.py): three
 * training steps from given running statistics (PyTorch's momentum rule by
 * F.batch_norm, ONNX's by its formula), the last step's output and autograd
 * gradients, and inference with given statistics; at every CPU level, on one
 * and three threads, which must agree bit for bit.
 * Usage: test_batchnorm PYTHON SCRIPT */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "torchref.h"

/* float32 sums of a few thousand terms against a float64 reference. */
#define ATOL 2e-5
#define RTOL 1e-4

static void copy_tensor(cnn_tensor *dst, const cnn_tensor *src)
{
    memcpy(dst->data, src->data, cnn_tensor_numel(src) * sizeof(float));
}

typedef struct bn_run {
    cnn_tensor y, dx, dgamma, dbeta, rm, rv, y_inf;
} bn_run;

static void bn_run_alloc(bn_run *r, const cnn_tensor *x, const cnn_tensor *c)
{
    ref_alloc_like(&r->y, x);
    ref_alloc_like(&r->dx, x);
    ref_alloc_like(&r->y_inf, x);
    ref_alloc_like(&r->dgamma, c);
    ref_alloc_like(&r->dbeta, c);
    ref_alloc_like(&r->rm, c);
    ref_alloc_like(&r->rv, c);
}

static void bn_run_release(bn_run *r)
{
    cnn_tensor *all[] = { &r->y, &r->dx, &r->dgamma, &r->dbeta, &r->rm, &r->rv, &r->y_inf };
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        cnn_tensor_release(all[i]);
}

/* Steps x0..x{steps-1} from running statistics rm0/rv0, then the backward of
 * the last step and inference with rm0/rv0. */
static void bn_steps(const ref_case *c, cnn_momentum_rule rule, unsigned level, int threads,
                     bn_run *r)
{
    cnn_context *ctx;
    ck_assert_cnn_ok(cnn_context_create_isa(&ctx, threads, level));
    cnn_batchnorm_params p;
    cnn_batchnorm_params_init(&p);
    p.eps = (float)ref_double(c, "eps");
    p.momentum = (float)ref_double(c, "momentum");
    p.momentum_rule = rule;
    cnn_tensor gamma, beta, rm0, rv0, dy, mean, invstd, x = { 0 };
    ref_tensor(c, "gamma", &gamma);
    ref_tensor(c, "beta", &beta);
    ref_tensor(c, "running_mean0", &rm0);
    ref_tensor(c, "running_var0", &rv0);
    ref_tensor(c, "dy", &dy);
    ref_alloc_like(&mean, &gamma);
    ref_alloc_like(&invstd, &gamma);
    copy_tensor(&r->rm, &rm0);
    copy_tensor(&r->rv, &rv0);
    int steps = ref_int(c, "steps");
    for (int s = 0; s < steps; s++) {
        char name[16];
        snprintf(name, sizeof name, "x%d", s);
        cnn_tensor_release(&x);
        ref_tensor(c, name, &x);
        ck_assert_cnn_ok(cnn_batchnorm_train_forward(ctx, &p, &x, &gamma, &beta, &r->rm, &r->rv,
                                                     &r->y, &mean, &invstd));
    }
    ck_assert_cnn_ok(cnn_batchnorm_backward(ctx, &x, &dy, &gamma, &mean, &invstd, &r->dx,
                                            &r->dgamma, &r->dbeta));
    ck_assert_cnn_ok(cnn_batchnorm_inference(ctx, &x, &rm0, &rv0, &gamma, &beta, p.eps,
                                             &r->y_inf));
    cnn_tensor *all[] = { &gamma, &beta, &rm0, &rv0, &dy, &mean, &invstd, &x };
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        cnn_tensor_release(all[i]);
    cnn_context_destroy(ctx);
}

static void expect_close(const ref_case *c, const char *what, const cnn_tensor *got,
                         unsigned level)
{
    ref_expect_close(c, what, got->data, cnn_tensor_numel(got), ATOL, RTOL, level);
}

static void expect_identical(const cnn_tensor *a, const cnn_tensor *b, const char *what,
                             const ref_case *c)
{
    ref_expect_identical(c, what, a->data, b->data, cnn_tensor_numel(a));
}

START_TEST(matches_torch)
{
    const ref_case *c = ref_case_at(_i);
    cnn_tensor x0, gamma;
    ref_tensor(c, "x0", &x0);
    ref_tensor(c, "gamma", &gamma);
    unsigned levels[3];
    int n_levels = ref_levels(levels);
    for (int l = 0; l < n_levels; l++) {
        bn_run one, three;
        bn_run_alloc(&one, &x0, &gamma);
        bn_run_alloc(&three, &x0, &gamma);
        bn_steps(c, CNN_MOMENTUM_PYTORCH, levels[l], 1, &one);
        bn_steps(c, CNN_MOMENTUM_PYTORCH, levels[l], 3, &three);
        expect_close(c, "y", &three.y, levels[l]);
        expect_close(c, "dx", &three.dx, levels[l]);
        expect_close(c, "dgamma", &three.dgamma, levels[l]);
        expect_close(c, "dbeta", &three.dbeta, levels[l]);
        expect_close(c, "running_mean", &three.rm, levels[l]);
        expect_close(c, "running_var", &three.rv, levels[l]);
        expect_close(c, "y_inference", &three.y_inf, levels[l]);
        expect_identical(&one.y, &three.y, "y", c);
        expect_identical(&one.dx, &three.dx, "dx", c);
        expect_identical(&one.dgamma, &three.dgamma, "dgamma", c);
        expect_identical(&one.rv, &three.rv, "running_var", c);
        bn_steps(c, CNN_MOMENTUM_ONNX, levels[l], 3, &three);
        expect_close(c, "onnx_running_mean", &three.rm, levels[l]);
        expect_close(c, "onnx_running_var", &three.rv, levels[l]);
        bn_run_release(&one);
        bn_run_release(&three);
    }
    cnn_tensor_release(&x0);
    cnn_tensor_release(&gamma);
}
END_TEST

/* The lecture's simplified backward on a tiny case by hand: one channel,
 * x = [1, 2, 3, 4], gamma 2, dy = [1, 0, 0, 0]. */
START_TEST(lecture_backward_by_hand)
{
    float xv[4] = { 1, 2, 3, 4 }, dyv[4] = { 1, 0, 0, 0 }, g = 2.0f, b = 0.0f;
    float yv[4], dxv[4], m, is, dg, db;
    cnn_tensor x, dy, y, dx, gamma, beta, mean, invstd, dgamma, dbeta;
    int shape4[2] = { 4, 1 }, shape1[1] = { 1 };
    ck_assert_cnn_ok(cnn_tensor_wrap(&x, xv, 2, shape4));
    ck_assert_cnn_ok(cnn_tensor_wrap(&dy, dyv, 2, shape4));
    ck_assert_cnn_ok(cnn_tensor_wrap(&y, yv, 2, shape4));
    ck_assert_cnn_ok(cnn_tensor_wrap(&dx, dxv, 2, shape4));
    ck_assert_cnn_ok(cnn_tensor_wrap(&gamma, &g, 1, shape1));
    ck_assert_cnn_ok(cnn_tensor_wrap(&beta, &b, 1, shape1));
    ck_assert_cnn_ok(cnn_tensor_wrap(&mean, &m, 1, shape1));
    ck_assert_cnn_ok(cnn_tensor_wrap(&invstd, &is, 1, shape1));
    ck_assert_cnn_ok(cnn_tensor_wrap(&dgamma, &dg, 1, shape1));
    ck_assert_cnn_ok(cnn_tensor_wrap(&dbeta, &db, 1, shape1));
    cnn_context *ctx;
    ck_assert_cnn_ok(cnn_context_create(&ctx, 1));
    cnn_batchnorm_params p;
    cnn_batchnorm_params_init(&p);
    p.eps = 0.0f;
    ck_assert_cnn_ok(cnn_batchnorm_train_forward(ctx, &p, &x, &gamma, &beta, NULL, NULL, &y,
                                                 &mean, &invstd));
    /* mean 2.5, biased var 1.25 */
    ck_assert_float_eq_tol(m, 2.5f, 1e-6f);
    ck_assert_float_eq_tol(is, 1.0f / sqrtf(1.25f), 1e-6f);
    ck_assert_cnn_ok(cnn_batchnorm_backward(ctx, &x, &dy, &gamma, &mean, &invstd, &dx, &dgamma,
                                            &dbeta));
    /* x_norm = (x - 2.5) / sqrt(1.25); dx_norm = [2, 0, 0, 0];
     * dx = 1/4 / std * (4 dx_norm - 2 - x_norm * 2 x_norm[0]) */
    double std = sqrt(1.25), xn[4], want;
    for (int i = 0; i < 4; i++)
        xn[i] = (xv[i] - 2.5) / std;
    for (int i = 0; i < 4; i++) {
        want = 0.25 / std * (4 * (i == 0 ? 2.0 : 0.0) - 2.0 - xn[i] * 2.0 * xn[0]);
        ck_assert_double_eq_tol(dxv[i], want, 1e-6);
    }
    ck_assert_double_eq_tol(dg, xn[0], 1e-6);
    ck_assert_float_eq(db, 1.0f);
    cnn_context_destroy(ctx);
}
END_TEST

START_TEST(bad_shapes_name_the_problem)
{
    cnn_context *ctx;
    ck_assert_cnn_ok(cnn_context_create(&ctx, 1));
    cnn_tensor x, y, mean, var;
    ck_assert_cnn_ok(cnn_tensor_alloc_nchw(&x, 2, 3, 4, 4));
    ck_assert_cnn_ok(cnn_tensor_alloc_nchw(&y, 2, 3, 4, 4));
    ck_assert_cnn_ok(cnn_tensor_alloc(&mean, 1, (int[]){ 3 }));
    ck_assert_cnn_ok(cnn_tensor_alloc(&var, 1, (int[]){ 4 }));
    ck_assert_int_eq(cnn_batchnorm_inference(ctx, &x, &mean, &var, NULL, NULL, 1e-5f, &y),
                     CNN_ERR_SHAPE);
    ck_assert_str_eq(cnn_last_error(),
                     "batchnorm: var has 4 values, expected 3 (one per channel)");
    cnn_tensor_release(&x);
    cnn_tensor_release(&y);
    cnn_tensor_release(&mean);
    cnn_tensor_release(&var);
    cnn_context_destroy(ctx);
}
END_TEST

int main(int argc, char **argv)
{
    int n = ref_generate(argc, argv, "batchnorm");
    Suite *s = suite_create("batchnorm");
    TCase *tc = tcase_create("batchnorm");
    tcase_add_loop_test(tc, matches_torch, 0, n);
    tcase_add_test(tc, lecture_backward_by_hand);
    tcase_add_test(tc, bad_shapes_name_the_problem);
    suite_add_tcase(s, tc);
    int status = test_run_suite(s);
    ref_cleanup();
    return status;
}
