/* Broadcasting add and mul against PyTorch (tests/ref/norm_ref.py): outputs
 * and autograd gradients summed over the broadcast dimensions, for same
 * shapes, per-channel and scalar operands, and both operands broadcast; one
 * and three threads. Usage: test_elementwise PYTHON SCRIPT */
#include "torchref.h"

#define ATOL 1e-6
#define RTOL 1e-5

static void run(const ref_case *c, int threads, cnn_tensor out[3])
{
    cnn_context *ctx;
    ck_assert_cnn_ok(cnn_context_create(&ctx, threads));
    cnn_tensor a, b, dy;
    ref_tensor(c, "a", &a);
    ref_tensor(c, "b", &b);
    ref_tensor(c, "dy", &dy);
    cnn_binary_op op = (cnn_binary_op)ref_int(c, "op");
    ref_alloc_like(&out[0], &dy);
    ref_alloc_like(&out[1], &a);
    ref_alloc_like(&out[2], &b);
    ck_assert_cnn_ok(cnn_binary_forward(ctx, op, &a, &b, &out[0]));
    ck_assert_cnn_ok(cnn_binary_backward(ctx, op, &a, &b, &dy, &out[1], &out[2]));
    cnn_tensor_release(&a);
    cnn_tensor_release(&b);
    cnn_tensor_release(&dy);
    cnn_context_destroy(ctx);
}

START_TEST(matches_torch)
{
    const ref_case *c = ref_case_at(_i);
    static const char *const names[3] = { "y", "da", "db" };
    cnn_tensor one[3], three[3];
    run(c, 1, one);
    run(c, 3, three);
    ref_expect_runs(c, names, one, three, 3, ATOL, RTOL);
}
END_TEST

START_TEST(incompatible_shapes_name_the_dimension)
{
    cnn_tensor a, b;
    int nd, shape[CNN_MAX_DIMS];
    ck_assert_cnn_ok(cnn_tensor_alloc_nchw(&a, 2, 3, 4, 5));
    ck_assert_cnn_ok(cnn_tensor_alloc(&b, 2, (int[]){ 3, 5 }));
    ck_assert_int_eq(cnn_broadcast_shape(&a, &b, &nd, shape), CNN_ERR_SHAPE);
    ck_assert_str_eq(cnn_last_error(), "broadcast: dimension 2 of the output is 4 in one "
                                       "operand and 3 in the other");
    cnn_tensor_release(&a);
    cnn_tensor_release(&b);
}
END_TEST

int main(int argc, char **argv)
{
    int n = ref_generate(argc, argv, "elementwise");
    Suite *s = suite_create("elementwise");
    TCase *tc = tcase_create("elementwise");
    tcase_add_loop_test(tc, matches_torch, 0, n);
    tcase_add_test(tc, incompatible_shapes_name_the_dimension);
    suite_add_tcase(s, tc);
    int status = test_run_suite(s);
    ref_cleanup();
    return status;
}
