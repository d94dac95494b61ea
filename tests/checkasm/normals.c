/* checkasm family normals: the standard-normal kernel must give C's values
 * bit for bit from any first block (tails after the last vector step,
 * counters whose low word carries) and write nothing outside its span; the
 * C values must also be standard normals (mean near 0, variance near 1,
 * within 1e-5 of libm's Box-Muller on the same words). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "checkasm.h"
#include "cnn/rng.h"

#define MAX_BLOCKS 200
#define CASES 100

static void check_normals_values(void)
{
    /* Once, at the C level: the polynomials against libm in double. */
    static int done;
    if (done)
        return;
    done = 1;
    enum { N = 4096 };
    static float got[4 * N];
    cnn_normals_c(got, N, 5, 9, 123);
    double sum = 0, sq = 0, worst = 0;
    for (int b = 0; b < N; b++) {
        uint32_t w[4];
        cnn_rng_block((cnn_rng_key){ 5, 9 }, 123 + (uint64_t)b, w);
        for (int k = 0; k < 4; k += 2) {
            double u1 = ((double)(w[k] >> 8) + 1.0) / 16777216.0;
            double u2 = (double)(w[k + 1] >> 8) / 16777216.0;
            double r = sqrt(-2.0 * log(u1));
            double want[2] = { r * cos(2 * M_PI * u2), r * sin(2 * M_PI * u2) };
            for (int i = 0; i < 2; i++) {
                double v = got[4 * b + k + i], d = fabs(v - want[i]);
                worst = d > worst ? d : worst;
                sum += v, sq += v * v;
            }
        }
    }
    double mean = sum / (4 * N), var = sq / (4 * N) - mean * mean;
    if (worst > 1e-5 || fabs(mean) > 0.05 || fabs(var - 1) > 0.05)
        checkasm_fail("normals_c: worst error %g against libm, mean %g, variance %g", worst,
                      mean, var);
}

static void check_normals(void)
{
    cnn_normals_fn fn = checkasm_cur()->normals, ref = checkasm_ref()->normals;
    check_normals_values();
    if (!checkasm_func_new("normals", (void (*)(void))fn, (void (*)(void))ref))
        return;
    for (int i = 0; i < CASES; i++) {
        size_t n = (size_t)(i < 40 ? i : checkasm_rand_range(40, MAX_BLOCKS));
        uint64_t first = (uint64_t)checkasm_rand_range(0, 1000);
        if (i % 4 == 3) /* around block 2^32 - 16, where the low counter word carries */
            first += 0xFFFFFFF0ull;
        uint64_t seed = (uint64_t)checkasm_rand_range(0, 1 << 30) << 20;
        float *want = checkasm_guarded_alloc(4 * n), *got = checkasm_guarded_alloc(4 * n);
        ref(want, n, seed, 77, first);
        fn(got, n, seed, 77, first);
        if (memcmp(got, want, 4 * n * sizeof(float)))
            checkasm_fail("blocks %zu first %llu: differs from C", n,
                          (unsigned long long)first);
        if (!checkasm_guards_intact(got, 4 * n))
            checkasm_fail("blocks %zu first %llu: wrote outside its span", n,
                          (unsigned long long)first);
        checkasm_guarded_free(want);
        checkasm_guarded_free(got);
    }
}

typedef struct normals_call {
    cnn_normals_fn fn;
    float *out;
    size_t n_blocks;
} normals_call;

static void call_normals(void *arg)
{
    const normals_call *c = arg;
    c->fn(c->out, c->n_blocks, 1, 2, 0);
}

static void bench_normals(void)
{
    size_t n = 224 * 224 * 3 / 4;
    float *out = checkasm_guarded_alloc(4 * n);
    normals_call cref = { checkasm_ref()->normals, out, n };
    normals_call ccur = { checkasm_cur()->normals, out, n };
    double t_ref = checkasm_median_ns(call_normals, &cref, 11);
    double t_cur = checkasm_median_ns(call_normals, &ccur, 51);
    checkasm_report_bench("normals, 224x224x3", t_ref, t_cur);
    checkasm_guarded_free(out);
}

void checkasm_check_normals(void)
{
    check_normals();
    if (checkasm_bench_enabled() && checkasm_cur()->normals != checkasm_ref()->normals)
        bench_normals();
}
