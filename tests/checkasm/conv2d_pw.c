/* checkasm family conv2d_pw: the pointwise entry on random shapes (1 to 40
 * output channels for the register-block remainders, odd column counts for
 * the vector tails, up to 300 input channels summed in random consecutive
 * passes as the op's input-channel blocks are), random [m0, m1) x [n0, n1)
 * ranges whose outside must stay untouched, row strides wider than the rows. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "checkasm.h"

#define CASES 120
/* |simd - c| within this share of the sum of |terms| (FMA vs mul + add). */
#define REL_TOL 1e-5

typedef struct pw_case {
    cnn_conv2d_pw_args a;
    int m, n;
    float *src, *weight, *bias;
    size_t src_len, dst_len;
} pw_case;

static float *alloc_floats(size_t n)
{
    float *p = malloc((n ? n : 1) * sizeof(float));
    if (!p) {
        fprintf(stderr, "checkasm: out of memory\n");
        exit(EXIT_FAILURE);
    }
    return p;
}

static void case_init(pw_case *c)
{
    cnn_conv2d_pw_args *a = &c->a;
    c->m = checkasm_rand_range(1, 40);
    c->n = checkasm_rand_range(0, 2) ? checkasm_rand_range(1, 60) : checkasm_rand_range(61, 250);
    int k = checkasm_rand_range(0, 2) ? checkasm_rand_range(1, 20) : checkasm_rand_range(21, 300);
    *a = (cnn_conv2d_pw_args){
        .k = k,
        .ld_src = (size_t)c->n + checkasm_rand_range(0, 5),
        .ld_dst = (size_t)c->n + checkasm_rand_range(0, 5),
        .clamp = checkasm_rand_range(0, 1),
        .clamp_min = -0.5f * (float)checkasm_rand_range(0, 2),
        .clamp_max = 0.5f * (float)checkasm_rand_range(1, 4),
    };
    c->src_len = a->ld_src * k;
    c->dst_len = a->ld_dst * c->m;
    c->src = alloc_floats(c->src_len);
    c->weight = alloc_floats((size_t)c->m * k);
    c->bias = checkasm_rand_range(0, 1) ? alloc_floats((size_t)c->m) : NULL;
    checkasm_fill(c->src, c->src_len);
    checkasm_fill(c->weight, (size_t)c->m * k);
    if (c->bias)
        checkasm_fill(c->bias, (size_t)c->m);
    a->src = c->src;
    a->weight = c->weight;
    a->bias = c->bias;
}

static void case_free(pw_case *c)
{
    free(c->src);
    free(c->weight);
    free(c->bias);
}

/* fn over [m0, m1) x [n0, n1), input channels in the passes `cuts` gives. */
static void run_passes(cnn_conv2d_pw_fn fn, const cnn_conv2d_pw_args *a, float *dst, int m0,
                       int m1, int n0, int n1, const int *cuts, int n_cuts)
{
    cnn_conv2d_pw_args b = *a;
    b.dst = dst;
    for (int i = 0; i + 1 < n_cuts; i++)
        fn(&b, m0, m1, n0, n1, cuts[i], cuts[i + 1]);
}

static void check_case(cnn_conv2d_pw_fn fn, cnn_conv2d_pw_fn ref, pw_case *c)
{
    const cnn_conv2d_pw_args *a = &c->a;
    int m0 = 0, m1 = c->m, n0 = 0, n1 = c->n;
    if (checkasm_rand_range(0, 1)) { /* half the cases a random sub-range */
        m0 = checkasm_rand_range(0, c->m - 1);
        m1 = checkasm_rand_range(m0 + 1, c->m);
        n0 = checkasm_rand_range(0, c->n - 1);
        n1 = checkasm_rand_range(n0 + 1, c->n);
    }
    int cuts[5] = { 0 }, n_cuts = 1; /* 1 to 4 consecutive passes over k */
    for (int passes = checkasm_rand_range(1, 4); n_cuts < passes && cuts[n_cuts - 1] < a->k;
         n_cuts++)
        cuts[n_cuts] = checkasm_rand_range(cuts[n_cuts - 1] + 1, a->k);
    if (cuts[n_cuts - 1] < a->k)
        cuts[n_cuts++] = a->k;
    float *want = checkasm_guarded_alloc(c->dst_len);
    float *got = checkasm_guarded_alloc(c->dst_len);
    float *mag = checkasm_guarded_alloc(c->dst_len);
    run_passes(ref, a, want, m0, m1, n0, n1, cuts, n_cuts);
    run_passes(fn, a, got, m0, m1, n0, n1, cuts, n_cuts);
    /* the sum of |terms|: the reference on absolute values, one pass */
    pw_case abs = *c;
    abs.src = alloc_floats(c->src_len);
    abs.weight = alloc_floats((size_t)c->m * a->k);
    abs.bias = c->bias ? alloc_floats((size_t)c->m) : NULL;
    for (size_t i = 0; i < c->src_len; i++)
        abs.src[i] = fabsf(c->src[i]);
    for (size_t i = 0; i < (size_t)c->m * a->k; i++)
        abs.weight[i] = fabsf(c->weight[i]);
    for (int i = 0; abs.bias && i < c->m; i++)
        abs.bias[i] = fabsf(c->bias[i]);
    abs.a.src = abs.src;
    abs.a.weight = abs.weight;
    abs.a.bias = abs.bias;
    abs.a.clamp = 0;
    int whole[2] = { 0, a->k };
    run_passes(ref, &abs.a, mag, m0, m1, n0, n1, whole, 2);
    char shape[160];
    snprintf(shape, sizeof shape,
             "m %d n %d k %d (%d passes) ld %zu/%zu bias %d clamp %d [%g,%g] m [%d,%d) "
             "n [%d,%d)",
             c->m, c->n, a->k, n_cuts - 1, a->ld_src, a->ld_dst, a->bias != NULL, a->clamp,
             a->clamp_min, a->clamp_max, m0, m1, n0, n1);
    if (!checkasm_guards_intact(got, c->dst_len))
        checkasm_fail("%s: wrote outside the output", shape);
    for (int m = 0; m < c->m; m++)
        for (size_t n = 0; n < a->ld_dst; n++) {
            size_t i = m * a->ld_dst + n;
            int inside = m >= m0 && m < m1 && (int)n >= n0 && (int)n < n1;
            if (!inside) {
                if (!checkasm_is_sentinel(got[i]))
                    checkasm_fail("%s: wrote (%d,%zu) outside its range", shape, m, n);
            } else if (!(fabs((double)got[i] - want[i]) <= REL_TOL * mag[i])) {
                checkasm_fail("%s: (%d,%zu) %.9g, C %.9g (sum of |terms| %g)", shape, m, n,
                              got[i], want[i], mag[i]);
            }
        }
    case_free(&abs);
    checkasm_guarded_free(want);
    checkasm_guarded_free(got);
    checkasm_guarded_free(mag);
}

typedef struct bench_call {
    cnn_conv2d_pw_fn fn;
    const cnn_conv2d_pw_args *a;
    int m, n;
} bench_call;

static void run_bench_call(void *arg)
{
    const bench_call *b = arg;
    b->fn(b->a, 0, b->m, 0, b->n, 0, b->a->k);
}

/* 128 -> 128 channels over 240 columns of a 56x56 plane. */
static void bench_pw(cnn_conv2d_pw_fn fn, cnn_conv2d_pw_fn ref)
{
    int m = 128, n = 240, k = 128;
    cnn_conv2d_pw_args a = { .k = k, .ld_src = 3136, .ld_dst = 3136 };
    float *src = alloc_floats(a.ld_src * k), *weight = alloc_floats((size_t)m * k);
    float *dst = alloc_floats(a.ld_dst * m);
    checkasm_fill(src, a.ld_src * k);
    checkasm_fill(weight, (size_t)m * k);
    a.src = src;
    a.weight = weight;
    a.dst = dst;
    bench_call cref = { ref, &a, m, n }, ccur = { fn, &a, m, n };
    double t_ref = checkasm_median_ns(run_bench_call, &cref, 11);
    double t_cur = checkasm_median_ns(run_bench_call, &ccur, 101);
    checkasm_report_bench("pointwise 128->128, 240 columns of 56x56", t_ref, t_cur);
    free(src);
    free(weight);
    free(dst);
}

void checkasm_check_conv2d_pw(void)
{
    cnn_conv2d_pw_fn fn = checkasm_cur()->conv2d_pw, ref = checkasm_ref()->conv2d_pw;
    if (!checkasm_func_new("conv2d_pw", (void (*)(void))fn, (void (*)(void))ref))
        return;
    for (int i = 0; i < CASES; i++) {
        pw_case c;
        case_init(&c);
        check_case(fn, ref, &c);
        case_free(&c);
    }
    if (checkasm_bench_enabled())
        bench_pw(fn, ref);
}
