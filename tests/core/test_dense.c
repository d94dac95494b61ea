/* Dense layer and GEMM against PyTorch (tests/ref/norm_ref.py): y = x W^T + b
 * and its autograd gradients; sgemm over the four transpose combinations,
 * alpha/beta, tails of every tile and K beyond one cache block. Every CPU
 * level, one and three threads (bit for bit the same).
 * Usage: test_dense PYTHON SCRIPT */
#include <math.h>
#include <string.h>

#include "torchref.h"

/* Inputs are in [-1, 1): a sum of K products is off by at most about
 * K * 2^-24 * (sum of |terms| <= K); 1e-5 per term leaves room. */
#define TERM_TOL 1e-5

static void run_gemm(const ref_case *c, unsigned level, int threads, cnn_tensor *out)
{
    cnn_context *ctx;
    ck_assert_cnn_ok(cnn_context_create_isa(&ctx, threads, level));
    cnn_tensor a, b;
    ref_tensor(c, "a", &a);
    ref_tensor(c, "b", &b);
    ref_tensor(c, "c", out);
    int m = ref_int(c, "m"), n = ref_int(c, "n"), k = ref_int(c, "k");
    int ta = ref_int(c, "ta"), tb = ref_int(c, "tb");
    ck_assert_cnn_ok(cnn_gemm(ctx, ta, tb, m, n, k, (float)ref_double(c, "alpha"), a.data,
                              ta ? m : k, b.data, tb ? k : n, (float)ref_double(c, "beta"),
                              out->data, n));
    cnn_tensor_release(&a);
    cnn_tensor_release(&b);
    cnn_context_destroy(ctx);
}

static void run_dense(const ref_case *c, unsigned level, int threads, cnn_tensor out[4])
{
    cnn_context *ctx;
    ck_assert_cnn_ok(cnn_context_create_isa(&ctx, threads, level));
    cnn_tensor x, w, b, dy;
    ref_tensor(c, "x", &x);
    ref_tensor(c, "w", &w);
    ref_tensor(c, "b", &b);
    ref_tensor(c, "dy", &dy);
    ref_alloc_like(&out[0], &dy);
    ref_alloc_like(&out[1], &x);
    ref_alloc_like(&out[2], &w);
    ref_alloc_like(&out[3], &b);
    ck_assert_cnn_ok(cnn_dense_forward(ctx, &x, &w, &b, &out[0]));
    ck_assert_cnn_ok(cnn_dense_backward(ctx, &x, &w, &dy, &out[1], &out[2], &out[3]));
    cnn_tensor_release(&x);
    cnn_tensor_release(&w);
    cnn_tensor_release(&b);
    cnn_tensor_release(&dy);
    cnn_context_destroy(ctx);
}

static void check_dense(const ref_case *c, unsigned level)
{
    static const char *const names[4] = { "y", "dx", "dw", "db" };
    cnn_tensor one[4], three[4], x;
    ref_tensor(c, "x", &x);
    int batch = x.shape[0];
    cnn_tensor_release(&x);
    run_dense(c, level, 1, one);
    run_dense(c, level, 3, three);
    ref_expect_within_terms(c, "y", "mag", three[0].data, TERM_TOL, level);
    /* dx sums over the outputs, dw and db over the batch */
    int terms[4] = { 0, one[0].shape[1], batch, batch };
    for (int i = 0; i < 4; i++) {
        size_t n = cnn_tensor_numel(&one[i]);
        if (i > 0)
            ref_expect_close(c, names[i], three[i].data, n, TERM_TOL * terms[i], 1e-5, level);
        ref_expect_identical(c, names[i], one[i].data, three[i].data, n);
        cnn_tensor_release(&one[i]);
        cnn_tensor_release(&three[i]);
    }
}

START_TEST(matches_torch)
{
    const ref_case *c = ref_case_at(_i);
    unsigned levels[3];
    int n_levels = ref_levels(levels);
    for (int l = 0; l < n_levels; l++) {
        if (!ref_has(c, "m")) {
            check_dense(c, levels[l]);
            continue;
        }
        cnn_tensor one, three;
        run_gemm(c, levels[l], 1, &one);
        run_gemm(c, levels[l], 3, &three);
        ref_expect_within_terms(c, "y", "mag", three.data, TERM_TOL, levels[l]);
        ref_expect_identical(c, "C", one.data, three.data, cnn_tensor_numel(&one));
        cnn_tensor_release(&one);
        cnn_tensor_release(&three);
    }
}
END_TEST

START_TEST(beta_zero_ignores_nan_and_k_zero_scales)
{
    cnn_context *ctx;
    ck_assert_cnn_ok(cnn_context_create(&ctx, 1));
    float a[2] = { 1, 2 }, b[2] = { 3, 4 }, c[1] = { NAN };
    ck_assert_cnn_ok(cnn_gemm(ctx, 0, 0, 1, 1, 2, 1.0f, a, 2, b, 1, 0.0f, c, 1));
    ck_assert_float_eq(c[0], 11.0f);
    ck_assert_cnn_ok(cnn_gemm(ctx, 0, 0, 1, 1, 0, 1.0f, a, 1, b, 1, 2.0f, c, 1));
    ck_assert_float_eq(c[0], 22.0f);
    ck_assert_int_eq(cnn_gemm(ctx, 0, 0, 1, 1, 2, 1.0f, a, 1, b, 1, 0.0f, c, 1),
                     CNN_ERR_INVALID_ARG);
    cnn_context_destroy(ctx);
}
END_TEST

int main(int argc, char **argv)
{
    int n = ref_generate(argc, argv, "dense");
    Suite *s = suite_create("dense");
    TCase *tc = tcase_create("dense");
    tcase_add_loop_test(tc, matches_torch, 0, n);
    tcase_add_test(tc, beta_zero_ignores_nan_and_k_zero_scales);
    suite_add_tcase(s, tc);
    int status = test_run_suite(s);
    ref_cleanup();
    return status;
}
