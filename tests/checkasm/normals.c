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

/* Noise on packed RGB rows of every width up to 70 (tails after the
 * 8-pixel steps), sources at all levels including 0 and 255 so rounding
 * and saturation are exercised, std up to 255. */
static void check_noise_rgb_u8(void)
{
    cnn_noise_rgb_u8_fn fn = checkasm_cur()->noise_rgb_u8, ref = checkasm_ref()->noise_rgb_u8;
    if (!checkasm_func_new("noise_rgb_u8", (void (*)(void))fn, (void (*)(void))ref))
        return;
    enum { W = 70 };
    float n[3][W];
    uint8_t s[3 * W], want[3 * W + 1], got[3 * W + 1];
    for (int w = 0; w <= W; w++) {
        float std = w % 5 == 0 ? 255.0f : (float)checkasm_rand_range(0, 4000) * 0.01f;
        for (int c = 0; c < 3; c++) {
            checkasm_fill(n[c], W);
            for (int x = 0; x < W; x++)
                n[c][x] *= 3.0f; /* checkasm_fill gives values in [-1, 1] */
        }
        for (int i = 0; i < 3 * W; i++)
            s[i] = (uint8_t)(i % 7 == 0 ? 255 * (i % 2) : checkasm_rand_range(0, 255));
        /* A half-way value: rounds to even. */
        if (w > 0)
            s[0] = 10, n[0][0] = 0.5f / (std > 0 ? std : 1);
        want[3 * w] = got[3 * w] = 0xAB;
        ref(s, want, n[0], n[1], n[2], w, std);
        fn(s, got, n[0], n[1], n[2], w, std);
        if (memcmp(got, want, 3 * (size_t)w))
            checkasm_fail("width %d std %g: differs from C", w, std);
        if (got[3 * w] != 0xAB)
            checkasm_fail("width %d: wrote past the row", w);
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
    check_noise_rgb_u8();
    if (checkasm_bench_enabled() && checkasm_cur()->normals != checkasm_ref()->normals)
        bench_normals();
}
