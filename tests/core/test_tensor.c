#include <stdint.h>

#include "testutil.h"

START_TEST(alloc_is_aligned_and_zeroed)
{
    cnn_tensor t;
    ck_assert_cnn_ok(cnn_tensor_alloc_nchw(&t, 2, 3, 5, 7));
    ck_assert_int_eq(cnn_tensor_numel(&t), 2 * 3 * 5 * 7);
    ck_assert_int_eq((uintptr_t)t.data % CNN_ALIGNMENT, 0);
    for (size_t i = 0; i < cnn_tensor_numel(&t); i++)
        ck_assert_float_eq(t.data[i], 0.0f);
    ck_assert_int_eq(cnn_tensor_dim(&t, -1), 7);
    ck_assert_int_eq(cnn_tensor_dim(&t, 1), 3);
    ck_assert_int_eq(cnn_tensor_dim(&t, 4), 0);
    cnn_tensor_release(&t);
    ck_assert_ptr_null(t.data);
}
END_TEST

START_TEST(wrap_borrows)
{
    float data[6] = { 1, 2, 3, 4, 5, 6 };
    const int shape[2] = { 2, 3 };
    cnn_tensor t;
    ck_assert_cnn_ok(cnn_tensor_wrap(&t, data, 2, shape));
    ck_assert_ptr_eq(t.data, data);
    ck_assert_int_eq(t.owns_data, 0);
    cnn_tensor_release(&t); /* must not free the stack array */
    ck_assert_float_eq(data[5], 6.0f);
}
END_TEST

START_TEST(bad_shapes_are_rejected_with_a_message)
{
    cnn_tensor t;
    const int zero[2] = { 3, 0 };
    ck_assert_int_eq(cnn_tensor_alloc(&t, 2, zero), CNN_ERR_SHAPE);
    ck_assert_str_eq(cnn_last_error(), "tensor: dimension 1 is 0, must be >= 1");
    const int six[6] = { 1, 1, 1, 1, 1, 1 };
    ck_assert_int_eq(cnn_tensor_alloc(&t, 6, six), CNN_ERR_SHAPE);
    ck_assert_int_eq(cnn_tensor_wrap(&t, NULL, 1, six), CNN_ERR_INVALID_ARG);
}
END_TEST

START_TEST(large_blocks_are_aligned_too)
{
    void *p = cnn_aligned_alloc(8u << 20);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq((uintptr_t)p % CNN_ALIGNMENT, 0);
    cnn_aligned_free(p);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("tensor");
    TCase *tc = tcase_create("tensor");
    tcase_add_test(tc, alloc_is_aligned_and_zeroed);
    tcase_add_test(tc, wrap_borrows);
    tcase_add_test(tc, bad_shapes_are_rejected_with_a_message);
    tcase_add_test(tc, large_blocks_are_aligned_too);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
