#include <math.h>

#include "testutil.h"

/* Known-answer vectors of Random123 (kat_vectors: philox4x32 10 rounds). */
START_TEST(philox_known_answers)
{
    uint32_t out[4];
    cnn_rng_key zero = { 0, 0 };
    cnn_rng_block(zero, 0, out);
    ck_assert_uint_eq(out[0], 0x6627e8d5u);
    ck_assert_uint_eq(out[1], 0xe169c58du);
    ck_assert_uint_eq(out[2], 0xbc57ac4cu);
    ck_assert_uint_eq(out[3], 0x9b00dbd8u);

    /* counter all ones, key all ones */
    cnn_rng_key ones = { UINT64_MAX, UINT64_MAX };
    cnn_rng_block(ones, UINT64_MAX, out);
    ck_assert_uint_eq(out[0], 0x408f276du);
    ck_assert_uint_eq(out[1], 0x41c83b0eu);
    ck_assert_uint_eq(out[2], 0xa20bc7c6u);
    ck_assert_uint_eq(out[3], 0x6d5451fdu);

    /* counter and key from the digits of pi */
    cnn_rng_key pi = { 0x299f31d0a4093822ull, 0x0370734413198a2eull };
    cnn_rng_block(pi, 0x85a308d3243f6a88ull, out);
    ck_assert_uint_eq(out[0], 0xd16cfe09u);
    ck_assert_uint_eq(out[1], 0x94fdccebu);
    ck_assert_uint_eq(out[2], 0x5001e420u);
    ck_assert_uint_eq(out[3], 0x24126ea1u);
}
END_TEST

START_TEST(same_key_same_value_any_order)
{
    cnn_rng_key key = { 42, cnn_rng_purpose(7, 3) };
    float forward[64], backward[64];
    for (int i = 0; i < 64; i++)
        forward[i] = cnn_rng_uniform(key, (uint64_t)i);
    for (int i = 63; i >= 0; i--)
        backward[i] = cnn_rng_uniform(key, (uint64_t)i);
    for (int i = 0; i < 64; i++)
        ck_assert_float_eq(forward[i], backward[i]);
    cnn_rng_key other = { 43, key.purpose };
    int differ = 0;
    for (int i = 0; i < 64; i++)
        differ += cnn_rng_uniform(other, (uint64_t)i) != forward[i];
    ck_assert_int_gt(differ, 60);
}
END_TEST

START_TEST(uniform_and_normal_moments)
{
    cnn_rng_key key = { test_seed(), 1 };
    const int n = 200000;
    double su = 0, su2 = 0, sn = 0, sn2 = 0;
    for (int i = 0; i < n; i++) {
        double u = cnn_rng_uniform(key, (uint64_t)i);
        ck_assert(u >= 0.0 && u < 1.0);
        su += u, su2 += u * u;
        double z = cnn_rng_normal(key, (uint64_t)i);
        sn += z, sn2 += z * z;
    }
    double mean_u = su / n, var_u = su2 / n - mean_u * mean_u;
    ck_assert_double_eq_tol(mean_u, 0.5, 0.005);
    ck_assert_double_eq_tol(var_u, 1.0 / 12.0, 0.002);
    ck_assert_double_eq_tol(sn / n, 0.0, 0.01);
    ck_assert_double_eq_tol(sn2 / n, 1.0, 0.02);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rng");
    TCase *tc = tcase_create("rng");
    tcase_add_test(tc, philox_known_answers);
    tcase_add_test(tc, same_key_same_value_any_order);
    tcase_add_test(tc, uniform_and_normal_moments);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
