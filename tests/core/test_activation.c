/* Activations against PyTorch (tests/ref/norm_ref.py): outputs and autograd
 * gradients of relu, leaky_relu, sigmoid, tanh, gelu (erf and tanh forms) and
 * hardswish, including their kinks and saturated ends, at every CPU level on
 * one and three threads. Usage: test_activation PYTHON SCRIPT */
#include "torchref.h"

/* float32 polynomials against float64 torch: a few ulps. */
#define ATOL 1e-6
#define RTOL 1e-5

static void run(const ref_case *c, unsigned level, int threads, cnn_tensor *y, cnn_tensor *dx)
{
    cnn_context *ctx;
    ck_assert_cnn_ok(cnn_context_create_isa(&ctx, threads, level));
    cnn_tensor x, dy;
    ref_tensor(c, "x", &x);
    ref_tensor(c, "dy", &dy);
    ref_alloc_like(y, &x);
    ref_alloc_like(dx, &x);
    cnn_activation act = (cnn_activation)ref_int(c, "kind");
    float alpha = (float)ref_double(c, "alpha");
    ck_assert_cnn_ok(cnn_activation_forward(ctx, act, alpha, &x, y));
    ck_assert_cnn_ok(cnn_activation_backward(ctx, act, alpha, &x, &dy, dx));
    /* in place: x becomes y, dy becomes dx */
    ck_assert_cnn_ok(cnn_activation_backward(ctx, act, alpha, &x, &dy, &dy));
    ck_assert_cnn_ok(cnn_activation_forward(ctx, act, alpha, &x, &x));
    ref_expect_identical(c, "in-place y", x.data, y->data, cnn_tensor_numel(&x));
    ref_expect_identical(c, "in-place dx", dy.data, dx->data, cnn_tensor_numel(&x));
    cnn_tensor_release(&x);
    cnn_tensor_release(&dy);
    cnn_context_destroy(ctx);
}

START_TEST(matches_torch)
{
    const ref_case *c = ref_case_at(_i);
    ck_assert_int_eq(cnn_activation_from_name(c->name), ref_int(c, "kind"));
    static const char *const names[2] = { "y", "dx" };
    unsigned levels[3];
    int n_levels = ref_levels(levels);
    for (int l = 0; l < n_levels; l++) {
        cnn_tensor one[2], three[2];
        run(c, levels[l], 1, &one[0], &one[1]);
        run(c, levels[l], 3, &three[0], &three[1]);
        ref_expect_runs(c, names, one, three, 2, ATOL, RTOL);
    }
}
END_TEST

START_TEST(unknown_kind_is_refused)
{
    cnn_context *ctx;
    ck_assert_cnn_ok(cnn_context_create(&ctx, 1));
    cnn_tensor x;
    ck_assert_cnn_ok(cnn_tensor_alloc(&x, 1, (int[]){ 4 }));
    ck_assert_int_eq(cnn_activation_forward(ctx, (cnn_activation)99, 0, &x, &x),
                     CNN_ERR_INVALID_ARG);
    ck_assert_str_eq(cnn_last_error(), "activation: unknown kind 99");
    ck_assert_int_eq(cnn_activation_from_name("swish"), -1);
    cnn_tensor_release(&x);
    cnn_context_destroy(ctx);
}
END_TEST

int main(int argc, char **argv)
{
    int n = ref_generate(argc, argv, "activation");
    Suite *s = suite_create("activation");
    TCase *tc = tcase_create("activation");
    tcase_add_loop_test(tc, matches_torch, 0, n);
    tcase_add_test(tc, unknown_kind_is_refused);
    suite_add_tcase(s, tc);
    int status = test_run_suite(s);
    ref_cleanup();
    return status;
}
