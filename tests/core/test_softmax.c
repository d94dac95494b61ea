/* Softmax, log-softmax and cross-entropy against PyTorch
 * (tests/ref/norm_ref.py): outputs and autograd gradients along several
 * axes, a logit of 80 that overflows exp without the maximum taken out, on
 * one and three threads. Usage: test_softmax PYTHON SCRIPT */
#include <stdlib.h>

#include "torchref.h"

#define ATOL 1e-6
#define RTOL 1e-5

static void softmax_case(const ref_case *c, int threads, cnn_tensor out[4])
{
    cnn_context *ctx;
    ck_assert_cnn_ok(cnn_context_create(&ctx, threads));
    cnn_tensor x, dy;
    ref_tensor(c, "x", &x);
    ref_tensor(c, "dy", &dy);
    int axis = ref_int(c, "axis");
    for (int i = 0; i < 4; i++)
        ref_alloc_like(&out[i], &x);
    ck_assert_cnn_ok(cnn_softmax_forward(ctx, &x, axis, &out[0]));
    ck_assert_cnn_ok(cnn_softmax_backward(ctx, &out[0], &dy, axis, &out[1]));
    ck_assert_cnn_ok(cnn_log_softmax_forward(ctx, &x, axis, &out[2]));
    ck_assert_cnn_ok(cnn_log_softmax_backward(ctx, &out[2], &dy, axis, &out[3]));
    cnn_tensor_release(&x);
    cnn_tensor_release(&dy);
    cnn_context_destroy(ctx);
}

static void cross_entropy_case(const ref_case *c)
{
    cnn_context *ctx;
    ck_assert_cnn_ok(cnn_context_create(&ctx, 2));
    cnn_tensor logits, labels_f, dlogits;
    ref_tensor(c, "logits", &logits);
    ref_tensor(c, "labels", &labels_f);
    size_t n = cnn_tensor_numel(&labels_f);
    int *labels = malloc(n * sizeof *labels);
    for (size_t i = 0; i < n; i++)
        labels[i] = (int)labels_f.data[i];
    float loss;
    ck_assert_cnn_ok(cnn_cross_entropy_forward(ctx, &logits, labels, &loss));
    ref_expect_close(c, "loss", &loss, 1, ATOL, RTOL, 0);
    ref_alloc_like(&dlogits, &logits);
    ck_assert_cnn_ok(cnn_cross_entropy_backward(ctx, &logits, labels,
                                                (float)ref_double(c, "dloss"), &dlogits));
    ref_expect_close(c, "dlogits", dlogits.data, cnn_tensor_numel(&dlogits), ATOL, RTOL, 0);
    labels[0] = logits.shape[1];
    ck_assert_int_eq(cnn_cross_entropy_forward(ctx, &logits, labels, &loss),
                     CNN_ERR_INVALID_ARG);
    free(labels);
    cnn_tensor_release(&logits);
    cnn_tensor_release(&labels_f);
    cnn_tensor_release(&dlogits);
    cnn_context_destroy(ctx);
}

START_TEST(matches_torch)
{
    const ref_case *c = ref_case_at(_i);
    if (ref_has(c, "dloss")) {
        cross_entropy_case(c);
        return;
    }
    static const char *const names[4] = { "y", "dx", "log_y", "log_dx" };
    cnn_tensor one[4], three[4];
    softmax_case(c, 1, one);
    softmax_case(c, 3, three);
    ref_expect_runs(c, names, one, three, 4, ATOL, RTOL);
}
END_TEST

int main(int argc, char **argv)
{
    int n = ref_generate(argc, argv, "softmax");
    Suite *s = suite_create("softmax");
    TCase *tc = tcase_create("softmax");
    tcase_add_loop_test(tc, matches_torch, 0, n);
    suite_add_tcase(s, tc);
    int status = test_run_suite(s);
    ref_cleanup();
    return status;
}
