/* checkasm family activation: the activation entry is the same C compiled at
 * each level's vector width, with no FMA contraction (ISO C), so every
 * activation, forward and backward, must give C's bits on every length
 * around the vector sizes, over the kinks, the saturated ends and NaN, and
 * write nothing outside its span. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "checkasm.h"

#define MAX_LEN 300
#define N_ACTS 8

static const char *const act_names[N_ACTS] = {
    "relu", "leaky_relu", "sigmoid", "tanh", "gelu", "gelu_tanh", "hardswish", "relu6",
};

static void check_activation(void)
{
    cnn_activation_fn fn = checkasm_cur()->activation, ref = checkasm_ref()->activation;
    if (!checkasm_func_new("activation", (void (*)(void))fn, (void (*)(void))ref))
        return;
    float *x = checkasm_guarded_alloc(MAX_LEN), *dy = checkasm_guarded_alloc(MAX_LEN);
    static const float special[] = { 0.0f, -3.0f, 3.0f, 0.625f, -0.625f, 1.4142135f, 88.0f,
                                     -88.0f, 1e-30f, NAN, INFINITY, -INFINITY };
    for (int len = 0; len < 70; len++) {
        size_t n = (size_t)(len < 60 ? len : checkasm_rand_range(60, MAX_LEN));
        checkasm_fill(x, n);
        checkasm_fill(dy, n);
        for (size_t i = 0; i < n; i++) /* spread over [-8, 8) and the specials */
            x[i] = i % 7 == 3 ? special[(i / 7) % 12] : 8.0f * x[i];
        for (int act = 0; act < N_ACTS; act++)
            for (int backward = 0; backward < 2; backward++) {
                float *want = checkasm_guarded_alloc(n), *got = checkasm_guarded_alloc(n);
                ref((cnn_activation)act, 0.1f, x, backward ? dy : NULL, want, n);
                fn((cnn_activation)act, 0.1f, x, backward ? dy : NULL, got, n);
                if (memcmp(got, want, n * sizeof(float)))
                    checkasm_fail("%s %s n %zu: differs from C", act_names[act],
                                  backward ? "backward" : "forward", n);
                if (!checkasm_guards_intact(got, n))
                    checkasm_fail("%s n %zu: wrote outside its span", act_names[act], n);
                checkasm_guarded_free(want);
                checkasm_guarded_free(got);
            }
    }
    checkasm_guarded_free(x);
    checkasm_guarded_free(dy);
}

#define BENCH_LEN (112 * 112)
static float bench_x[BENCH_LEN], bench_y[BENCH_LEN];

typedef struct act_call {
    cnn_activation_fn fn;
    cnn_activation act;
} act_call;

static void call_activation(void *arg)
{
    const act_call *c = arg;
    c->fn(c->act, 0.1f, bench_x, NULL, bench_y, BENCH_LEN);
}

/* Each activation's forward over a 112 x 112 plane. */
static void bench_activation(void)
{
    checkasm_fill(bench_x, BENCH_LEN);
    for (int act = 0; act < N_ACTS; act++) {
        act_call cref = { checkasm_ref()->activation, (cnn_activation)act };
        act_call ccur = { checkasm_cur()->activation, (cnn_activation)act };
        char what[64];
        snprintf(what, sizeof what, "%s forward, 112x112 plane", act_names[act]);
        checkasm_report_bench(what, checkasm_median_ns(call_activation, &cref, 21),
                              checkasm_median_ns(call_activation, &ccur, 51));
    }
}

void checkasm_check_activation(void)
{
    check_activation();
    if (checkasm_bench_enabled() && checkasm_cur()->activation != checkasm_ref()->activation)
        bench_activation();
}
