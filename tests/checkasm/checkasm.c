/* checkasm driver: levels, seeded random data, guard zones, failure
 * counting and the bench timer. The family table is at the top. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkasm.h"
#include "cnn/cnn.h"
#include "../../bench/timing.h"
#include "../core/testutil.h"

typedef struct checkasm_family {
    const char *name;
    void (*test)(void);
} checkasm_family;

/* Every kernel family: add a line here and a checkasm_check_<family>(). */
static const checkasm_family families[] = {
    { "conv2d", checkasm_check_conv2d },
    { "conv2d_pw", checkasm_check_conv2d_pw },
    { "batchnorm", checkasm_check_batchnorm },
    { "dropout", checkasm_check_dropout },
    { "normals", checkasm_check_normals },
    { "grayscale", checkasm_check_grayscale },
    { "flip", checkasm_check_flip },
    { "blend", checkasm_check_blend },
    { "resample", checkasm_check_resample },
    { "gemm", checkasm_check_gemm },
    { "activation", checkasm_check_activation },
    { "edge", checkasm_check_edge },
    { "pixels", checkasm_check_pixels },
    { "conv2d_dw3x3", checkasm_check_conv2d_dw3x3 },
    { "pool", checkasm_check_pool },
};

#define GUARD_FLOATS 64
#define SENTINEL_BITS 0x7fc0deadu
#define MAX_TESTED 256

static struct {
    cnn_kernels cur, ref;
    const char *level;
    cnn_rng_key key;
    uint64_t counter;
    int bench;
    const char *func;     /* function under test, for messages */
    int func_failed;
    int checks, failures; /* per (level, function) */
    struct {
        const char *name;
        void (*fn)(void);
    } tested[MAX_TESTED];
    int n_tested;
} state;

const cnn_kernels *checkasm_cur(void)
{
    return &state.cur;
}

const cnn_kernels *checkasm_ref(void)
{
    return &state.ref;
}

/* Close the verdict of the previous function under test. */
static void end_func(void)
{
    if (!state.func)
        return;
    printf("  %-8s %-24s %s\n", state.level, state.func, state.func_failed ? "FAILED" : "ok");
    state.checks++;
    state.failures += state.func_failed > 0;
    state.func = NULL;
}

int checkasm_func_new(const char *name, void (*fn)(void), void (*ref)(void))
{
    end_func();
    if (fn == ref)
        return 0;
    for (int i = 0; i < state.n_tested; i++)
        if (state.tested[i].fn == fn && !strcmp(state.tested[i].name, name))
            return 0;
    if (state.n_tested < MAX_TESTED) {
        state.tested[state.n_tested].name = name;
        state.tested[state.n_tested].fn = fn;
        state.n_tested++;
    }
    state.func = name;
    state.func_failed = 0;
    return 1;
}

int checkasm_rand_range(int lo, int hi)
{
    return lo + (int)(cnn_rng_u32(state.key, state.counter++) % (uint32_t)(hi - lo + 1));
}

void checkasm_fill(float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] = cnn_rng_uniform_range(state.key, state.counter++, -1.0f, 1.0f);
}

void checkasm_fail(const char *fmt, ...)
{
    if (state.func_failed >= 3) /* keep the log short */
        return;
    va_list ap;
    va_start(ap, fmt);
    printf("  FAIL %s %s: ", state.level, state.func ? state.func : "?");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    state.func_failed++;
}

int checkasm_is_sentinel(float v)
{
    uint32_t bits;
    memcpy(&bits, &v, sizeof bits);
    return bits == SENTINEL_BITS;
}

void checkasm_sentinel_fill(float *p, size_t n)
{
    uint32_t bits = SENTINEL_BITS;
    for (size_t i = 0; i < n; i++)
        memcpy(&p[i], &bits, sizeof bits);
}

float *checkasm_guarded_alloc(size_t n)
{
    float *base = cnn_aligned_alloc((n + 2 * GUARD_FLOATS) * sizeof(float));
    if (!base) {
        fprintf(stderr, "checkasm: out of memory\n");
        exit(EXIT_FAILURE);
    }
    checkasm_sentinel_fill(base, n + 2 * GUARD_FLOATS);
    return base + GUARD_FLOATS;
}

void checkasm_guarded_free(float *p)
{
    if (p)
        cnn_aligned_free(p - GUARD_FLOATS);
}

int checkasm_guards_intact(const float *p, size_t n)
{
    for (size_t i = 0; i < GUARD_FLOATS; i++)
        if (!checkasm_is_sentinel(p[-1 - (ptrdiff_t)i]) || !checkasm_is_sentinel(p[n + i]))
            return 0;
    return 1;
}

float *checkasm_abs_copy(const float *x, size_t n)
{
    float *y = checkasm_guarded_alloc(n);
    for (size_t i = 0; i < n; i++)
        y[i] = fabsf(x[i]);
    return y;
}

void checkasm_check_planes(const char *what, const float *got, const float *want,
                           const float *mag, int planes, int rows, int cols, int p0, int p1,
                           int y0, int y1, double rel_tol)
{
    for (int p = 0; p < planes; p++)
        for (int y = 0; y < rows; y++)
            for (int x = 0; x < cols; x++) {
                size_t i = ((size_t)p * rows + y) * cols + x;
                if (p < p0 || p >= p1 || y < y0 || y >= y1) {
                    if (!checkasm_is_sentinel(got[i]))
                        checkasm_fail("%s: wrote (%d,%d,%d) outside its range", what, p, y, x);
                } else if (!(fabs((double)got[i] - want[i]) <= rel_tol * mag[i])) {
                    checkasm_fail("%s: (%d,%d,%d) %.9g, C %.9g (sum of |terms| %g)", what, p, y,
                                  x, got[i], want[i], mag[i]);
                }
            }
}

int checkasm_bench_enabled(void)
{
    return state.bench;
}

double checkasm_median_ns(void (*call)(void *), void *arg, int reps)
{
    double t[101];
    if (reps > 101)
        reps = 101;
    call(arg);
    for (int i = 0; i < reps; i++) {
        double t0 = timing_now_ns();
        call(arg);
        t[i] = timing_now_ns() - t0;
    }
    return timing_median(t, reps);
}

void checkasm_report_bench(const char *what, double ref_ns, double cur_ns)
{
    printf("  bench %-8s %-40s c %10.0f ns  %s %10.0f ns  speed-up %.2fx\n", state.level,
           what, ref_ns, state.level, cur_ns, ref_ns / cur_ns);
}

static void usage(void)
{
    fprintf(stderr, "usage: checkasm [--seed=N] [--test=FAMILY] [--bench]\n");
    exit(EXIT_FAILURE);
}

int main(int argc, char **argv)
{
    const char *only = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strncmp(argv[i], "--seed=", 7))
            setenv("CNN_TEST_SEED", argv[i] + 7, 1);
        else if (!strncmp(argv[i], "--test=", 7))
            only = argv[i] + 7;
        else if (!strcmp(argv[i], "--bench"))
            state.bench = 1;
        else
            usage();
    }
    uint64_t seed = test_seed();
    cnn_kernels_init(&state.ref, 0);
    /* Ascending levels, each capped by what the CPU has and by CNN_ISA. */
    static const unsigned levels[] = { CNN_CPU_AVX2, CNN_CPU_AVX2 | CNN_CPU_AVX512 };
    unsigned have = cnn_cpu_flags();
    printf("cpu: %s\n", cnn_cpu_level_name(have));
    for (size_t l = 0; l < sizeof levels / sizeof *levels; l++) {
        if ((levels[l] & have) != levels[l])
            continue;
        cnn_kernels_init(&state.cur, levels[l]);
        state.level = cnn_cpu_level_name(levels[l]);
        for (size_t f = 0; f < sizeof families / sizeof *families; f++) {
            if (only && strcmp(only, families[f].name))
                continue;
            /* The same data at every level: the stream restarts per family. */
            state.key = (cnn_rng_key){ seed, cnn_rng_purpose(0x636b61736dULL, f) };
            state.counter = 0;
            families[f].test();
            end_func();
        }
    }
    printf("Checks: %d, Failures: %d, Errors: 0\n", state.checks, state.failures);
    if (state.checks == 0)
        printf("no SIMD function to check on this CPU (%s)\n", cnn_cpu_level_name(have));
    return state.failures ? EXIT_FAILURE : EXIT_SUCCESS;
}
