/* The batchnorm and GEMM kernel-table entries at every CPU level against the
 * C references on random lengths (all tails), with guard values around the
 * outputs that must stay untouched (checkasm's habit, until the harness is
 * on main). The dropout kernels are compared bit for bit in test_dropout. */
#include <math.h>
#include <string.h>

#include "testutil.h"
#include "kernels.h"

#define MAXN 200
#define GUARD 8
#define SENTINEL -12345.0f

static const unsigned levels[] = { CNN_CPU_AVX2, CNN_CPU_AVX2 | CNN_CPU_AVX512 };

/* The table of a level, or NULL when the CPU lacks it. */
static const cnn_kernels *table(int l, cnn_context **ctx)
{
    if ((levels[l] & cnn_cpu_detect()) != levels[l])
        return NULL;
    ck_assert_cnn_ok(cnn_context_create_isa(ctx, 1, levels[l]));
    return cnn_context_kernels(*ctx);
}

static void fill_guarded(float *buf, size_t n)
{
    for (size_t i = 0; i < n + 2 * GUARD; i++)
        buf[i] = SENTINEL;
}

static void expect_guards(const float *buf, size_t n, const char *what, unsigned level)
{
    for (size_t i = 0; i < GUARD; i++)
        ck_assert_msg(buf[i] == SENTINEL && buf[GUARD + n + i] == SENTINEL,
                      "%s at %s, n=%zu: wrote outside its output", what,
                      cnn_cpu_level_name(level), n);
}

START_TEST(batchnorm_kernels_match_c)
{
    float x[MAXN], dy[MAXN], y_ref[MAXN + 2 * GUARD], y[MAXN + 2 * GUARD];
    test_fill_uniform(x, MAXN, test_seed(), 60, 2.0f, 3.0f);
    test_fill_uniform(dy, MAXN, test_seed(), 61, -1.0f, 1.0f);
    for (int l = 0; l < 2; l++) {
        cnn_context *ctx;
        const cnn_kernels *k = table(l, &ctx);
        if (!k)
            continue;
        for (size_t n = 0; n < MAXN; n += 1 + n / 8) {
            float s_ref[2], s[2];
            cnn_bn_stats_c(x, n, 2.5f, s_ref);
            k->bn_stats(x, n, 2.5f, s);
            ck_assert_msg(fabsf(s[0] - s_ref[0]) <= 1e-5f * n && fabsf(s[1] - s_ref[1]) <= 1e-5f * n,
                          "bn_stats at %s, n=%zu: %g %g vs %g %g", cnn_cpu_level_name(levels[l]),
                          n, s[0], s[1], s_ref[0], s_ref[1]);
            cnn_bn_grad_sums_c(x, dy, n, 2.5f, s_ref);
            k->bn_grad_sums(x, dy, n, 2.5f, s);
            ck_assert_msg(fabsf(s[0] - s_ref[0]) <= 1e-5f * n && fabsf(s[1] - s_ref[1]) <= 1e-5f * n,
                          "bn_grad_sums at %s, n=%zu", cnn_cpu_level_name(levels[l]), n);

            fill_guarded(y_ref, n);
            fill_guarded(y, n);
            cnn_scale_shift_c(x, y_ref + GUARD, n, 0.75f, -1.5f);
            k->scale_shift(x, y + GUARD, n, 0.75f, -1.5f);
            expect_guards(y, n, "scale_shift", levels[l]);
            ck_assert_close(y + GUARD, y_ref + GUARD, n, 1e-6, 1e-6);

            fill_guarded(y_ref, n);
            fill_guarded(y, n);
            cnn_bn_backward_dx_c(x, dy, y_ref + GUARD, n, 2.5f, 1.25f, -0.5f, 0.125f);
            k->bn_backward_dx(x, dy, y + GUARD, n, 2.5f, 1.25f, -0.5f, 0.125f);
            expect_guards(y, n, "bn_backward_dx", levels[l]);
            ck_assert_close(y + GUARD, y_ref + GUARD, n, 1e-6, 1e-6);
        }
        cnn_context_destroy(ctx);
    }
}
END_TEST

/* C = alpha A B + beta C by the micro-kernel of a level on packed panels,
 * against a double sum, for every partial tile size. */
START_TEST(gemm_micro_matches_reference)
{
    enum { KC = 37, LDC = 40 };
    for (int l = 0; l < 2; l++) {
        cnn_context *ctx;
        const cnn_kernels *k = table(l, &ctx);
        if (!k)
            continue;
        int mr = k->gemm_mr, nr = k->gemm_nr;
        float a[KC * 8], b[KC * 32], c[(8 + 2) * LDC], c0[(8 + 2) * LDC];
        ck_assert(mr <= 8 && nr <= 32 && nr + GUARD <= LDC);
        test_fill_uniform(a, (size_t)KC * mr, test_seed(), 62, -1.0f, 1.0f);
        test_fill_uniform(b, (size_t)KC * nr, test_seed(), 63, -1.0f, 1.0f);
        test_fill_uniform(c0, sizeof c0 / sizeof *c0, test_seed(), 64, -1.0f, 1.0f);
        for (int m = 1; m <= mr; m++)
            for (int n = 1; n <= nr; n++)
                for (int with_beta = 0; with_beta < 2; with_beta++) {
                    float beta = with_beta ? -0.5f : 0.0f;
                    memcpy(c, c0, sizeof c);
                    k->gemm_micro(KC, a, b, c, LDC, 1.5f, beta, m, n);
                    for (int r = 0; r < mr + 2; r++)
                        for (int col = 0; col < LDC; col++) {
                            float got = c[r * LDC + col];
                            if (r >= m || col >= n) {
                                ck_assert_msg(got == c0[r * LDC + col], "gemm_micro at %s "
                                              "%dx%d: wrote (%d,%d) outside the tile",
                                              cnn_cpu_level_name(levels[l]), m, n, r, col);
                                continue;
                            }
                            double want = 0.0;
                            for (int p = 0; p < KC; p++)
                                want += (double)a[p * mr + r] * b[p * nr + col];
                            want = 1.5 * want + beta * c0[r * LDC + col];
                            ck_assert_msg(fabs(got - want) <= 1e-5 * KC,
                                          "gemm_micro at %s %dx%d (%d,%d): %g vs %g",
                                          cnn_cpu_level_name(levels[l]), m, n, r, col, got,
                                          want);
                        }
                }
        cnn_context_destroy(ctx);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("norm_kernels");
    TCase *tc = tcase_create("norm_kernels");
    tcase_add_test(tc, batchnorm_kernels_match_c);
    tcase_add_test(tc, gemm_micro_matches_reference);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
