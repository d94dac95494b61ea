/* checkasm family gemm: the micro-kernel of each level on its own packed
 * panels (its tile differs from C's, so the reference is a double sum of
 * the same panels), for every partial tile m x n, beta zero (C not read:
 * NaN there must not leak) and non-zero, K from 1 to beyond a cache block;
 * nothing written outside the m x n tile. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "checkasm.h"

#define LDC 48

static void check_tile(const cnn_kernels *k, int kc, int m, int n, float beta)
{
    int mr = k->gemm_mr, nr = k->gemm_nr;
    float *a = checkasm_guarded_alloc((size_t)kc * mr), *b = checkasm_guarded_alloc((size_t)kc * nr);
    size_t c_len = (size_t)mr * LDC;
    float *c = checkasm_guarded_alloc(c_len), *c0 = checkasm_guarded_alloc(c_len);
    checkasm_fill(a, (size_t)kc * mr);
    checkasm_fill(b, (size_t)kc * nr);
    checkasm_fill(c0, c_len);
    for (size_t i = 0; i < c_len; i++)
        c[i] = beta == 0.0f && i % LDC < (size_t)n ? NAN : c0[i];
    k->gemm_micro(kc, a, b, c, LDC, 1.5f, beta, m, n);
    for (int r = 0; r < mr; r++)
        for (int col = 0; col < LDC; col++) {
            size_t i = (size_t)r * LDC + col;
            if (r >= m || col >= n) {
                if (!(c[i] == c0[i] || (isnan(c[i]) && r >= m)))
                    checkasm_fail("kc %d tile %dx%d: wrote (%d,%d) outside it", kc, m, n, r,
                                  col);
                continue;
            }
            double want = 0.0, mag = 0.0;
            for (int p = 0; p < kc; p++) {
                double t = (double)a[p * mr + r] * b[p * nr + col];
                want += t;
                mag += fabs(t);
            }
            want = 1.5 * want + (beta != 0.0f ? beta * (double)c0[i] : 0.0);
            if (!(fabs(c[i] - want) <= 1e-6 * (1.5 * mag + 1.0)))
                checkasm_fail("kc %d tile %dx%d beta %g: (%d,%d) %.9g, want %.9g", kc, m, n,
                              beta, r, col, c[i], want);
        }
    if (!checkasm_guards_intact(c, c_len))
        checkasm_fail("kc %d tile %dx%d: wrote outside C", kc, m, n);
    checkasm_guarded_free(a);
    checkasm_guarded_free(b);
    checkasm_guarded_free(c);
    checkasm_guarded_free(c0);
}

typedef struct micro_call {
    const cnn_kernels *k;
    const float *a, *b;
    float *c;
} micro_call;

static void call_micro(void *arg)
{
    const micro_call *m = arg;
    for (int rep = 0; rep < 64; rep++)
        m->k->gemm_micro(256, m->a, m->b, m->c, LDC, 1.0f, 1.0f, m->k->gemm_mr, m->k->gemm_nr);
}

/* 64 full tiles at K = 256, reported per 2 * MR * NR * K flops. */
static void bench_gemm(void)
{
    const cnn_kernels *cur = checkasm_cur(), *ref = checkasm_ref();
    float *a = checkasm_guarded_alloc(256 * 8), *b = checkasm_guarded_alloc(256 * 32);
    float *c = checkasm_guarded_alloc(8 * LDC);
    checkasm_fill(a, 256 * 8);
    checkasm_fill(b, 256 * 32);
    checkasm_fill(c, 8 * LDC);
    micro_call cref = { ref, a, b, c }, ccur = { cur, a, b, c };
    /* per flop: tiles differ in size between levels */
    double t_ref = checkasm_median_ns(call_micro, &cref, 21) / (ref->gemm_mr * ref->gemm_nr);
    double t_cur = checkasm_median_ns(call_micro, &ccur, 51) / (cur->gemm_mr * cur->gemm_nr);
    checkasm_report_bench("gemm_micro, K 256, ns per tile element", t_ref, t_cur);
    checkasm_guarded_free(a);
    checkasm_guarded_free(b);
    checkasm_guarded_free(c);
}

/* Dot products of one row with n rows of b (ldb floats apart, k of them
 * read), against a double sum; only out[0..n) written. */
static void check_dot_rows(void)
{
    cnn_gemm_dot_rows_fn fn = checkasm_cur()->gemm_dot_rows;
    if (!checkasm_func_new("gemm_dot_rows", (void (*)(void))fn,
                           (void (*)(void))checkasm_ref()->gemm_dot_rows))
        return;
    for (int i = 0; i < 60; i++) {
        int k = i < 40 ? i + 1 : checkasm_rand_range(41, 1600);
        int n = checkasm_rand_range(1, 13);
        ptrdiff_t ldb = k + checkasm_rand_range(0, 3);
        float *a = checkasm_guarded_alloc((size_t)k);
        float *b = checkasm_guarded_alloc((size_t)(n - 1) * ldb + k);
        float *out = checkasm_guarded_alloc((size_t)n);
        checkasm_fill(a, (size_t)k);
        checkasm_fill(b, (size_t)(n - 1) * ldb + k);
        fn(a, b, ldb, k, n, out);
        for (int j = 0; j < n; j++) {
            double want = 0.0, mag = 0.0;
            for (int p = 0; p < k; p++) {
                want += (double)a[p] * b[j * ldb + p];
                mag += fabs((double)a[p] * b[j * ldb + p]);
            }
            if (!(fabs(out[j] - want) <= 1e-6 * (mag + 1.0)))
                checkasm_fail("k %d n %d ldb %td: row %d %.9g, want %.9g", k, n, ldb, j,
                              out[j], want);
        }
        if (!checkasm_guards_intact(out, (size_t)n))
            checkasm_fail("k %d n %d: wrote outside out", k, n);
        checkasm_guarded_free(a);
        checkasm_guarded_free(b);
        checkasm_guarded_free(out);
    }
}

void checkasm_check_gemm(void)
{
    const cnn_kernels *cur = checkasm_cur();
    check_dot_rows();
    if (!checkasm_func_new("gemm_micro", (void (*)(void))cur->gemm_micro,
                           (void (*)(void))checkasm_ref()->gemm_micro))
        return;
    if (cur->gemm_nr + 8 > LDC || cur->gemm_mr > 8) {
        checkasm_fail("tile %dx%d larger than the test's C", cur->gemm_mr, cur->gemm_nr);
        return;
    }
    static const int ks[] = { 1, 2, 7, 64, 300 };
    for (int m = 1; m <= cur->gemm_mr; m++)
        for (int n = 1; n <= cur->gemm_nr; n++)
            check_tile(cur, ks[(m * 7 + n) % 5], m, n, (m + n) % 2 ? -0.5f : 0.0f);
    if (checkasm_bench_enabled())
        bench_gemm();
}
