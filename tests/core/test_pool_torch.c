/* Pooling against PyTorch: every case of tests/ref/pool_ref.py (run once at
 * start with this run's seed) forward, indices and backward, at every CPU
 * level the machine has. Each case is one check test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define MAX_CASES 128

typedef struct torch_case {
    char name[64], mode[32], levels[64];
    int n, c, h, w, kh, kw, sh, sw, pt, pb, pl, pr, dh, dw, ceil_mode, cip, divisor, oh, ow;
    float p, alpha;
} torch_case;

static torch_case cases[MAX_CASES];
static int n_cases;
static char ref_dir[256];

static const struct {
    const char *name;
    cnn_pool_mode mode;
} modes[] = {
    { "max", CNN_POOL_MAX }, { "avg", CNN_POOL_AVG }, { "min", CNN_POOL_MIN },
    { "lp", CNN_POOL_LP }, { "max_avg", CNN_POOL_MAX_AVG },
    { "global_max", CNN_POOL_GLOBAL_MAX }, { "global_avg", CNN_POOL_GLOBAL_AVG },
    { "adaptive_max", CNN_POOL_ADAPTIVE_MAX }, { "adaptive_avg", CNN_POOL_ADAPTIVE_AVG },
    { "pyramid_max", CNN_POOL_PYRAMID_MAX }, { "pyramid_avg", CNN_POOL_PYRAMID_AVG },
    { "wavelet", CNN_POOL_WAVELET },
    /* learned: the window rules of avg, their own entry points */
    { "mixed", CNN_POOL_AVG }, { "gated", CNN_POOL_AVG }, { "tree", CNN_POOL_AVG },
};

static void params_of(const torch_case *tc, cnn_pool2d_params *p)
{
    cnn_pool_mode mode = CNN_POOL_MAX;
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
        if (!strcmp(modes[i].name, tc->mode))
            mode = modes[i].mode;
    cnn_pool2d_params_init(p, mode, tc->kh, tc->kw);
    p->stride_h = tc->sh, p->stride_w = tc->sw;
    p->pad_top = tc->pt, p->pad_bottom = tc->pb, p->pad_left = tc->pl, p->pad_right = tc->pr;
    p->dilation_h = tc->dh, p->dilation_w = tc->dw;
    p->ceil_mode = tc->ceil_mode, p->count_include_pad = tc->cip, p->divisor = tc->divisor;
    p->p = tc->p, p->alpha = tc->alpha;
    p->output_h = tc->oh, p->output_w = tc->ow;
    if (strcmp(tc->levels, "-")) {
        const char *s = tc->levels;
        while (p->n_levels < CNN_POOL_MAX_LEVELS && *s) {
            char *end;
            p->levels[p->n_levels++] = (int)strtol(s, &end, 10);
            s = end;
            if (*s == ',')
                s++;
        }
    }
}

/* Read NAME.ext; NULL when absent. Checks the size when expect > 0. */
static void *load(const char *name, const char *ext, size_t expect)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s.%s", ref_dir, name, ext);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    void *buf = malloc(size ? (size_t)size : 1);
    ck_assert_int_eq(fread(buf, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    if (expect)
        ck_assert_msg((size_t)size == expect, "%s: %ld bytes, expected %zu", path, size, expect);
    return buf;
}

static void run_case(const torch_case *tc, cnn_context *ctx, const char *level)
{
    cnn_pool2d_params p;
    params_of(tc, &p);
    size_t in_n = (size_t)tc->n * tc->c * tc->h * tc->w;
    size_t out_n = (size_t)tc->n * tc->c * tc->oh * tc->ow;
    float *x = load(tc->name, "x", in_n * 4), *y_ref = load(tc->name, "y", out_n * 4);
    float *dy = load(tc->name, "dy", out_n * 4), *dx_ref = load(tc->name, "dx", in_n * 4);
    int32_t *idx_ref = load(tc->name, "idx", 0);
    float *param = load(tc->name, "param", 0), *dparam_ref = load(tc->name, "dparam", 0);
    ck_assert_ptr_nonnull(x);
    float *y = malloc(out_n * 4), *dx = malloc(in_n * 4), dparam[3 * 32 * 32];
    int32_t *idx = malloc(out_n * 4);
    cnn_tensor tx, ty, tdy, tdx;
    int oh, ow;
    ck_assert_cnn_ok(cnn_pool2d_output_size(&p, tc->h, tc->w, &oh, &ow));
    ck_assert_int_eq(oh, tc->oh);
    ck_assert_int_eq(ow, tc->ow);
    ck_assert_cnn_ok(cnn_tensor_wrap(&tx, x, 4, (int[]){ tc->n, tc->c, tc->h, tc->w }));
    ck_assert_cnn_ok(cnn_tensor_wrap(&ty, y, 4, (int[]){ tc->n, tc->c, oh, ow }));
    ck_assert_cnn_ok(cnn_tensor_wrap(&tdy, dy, 4, (int[]){ tc->n, tc->c, oh, ow }));
    ck_assert_cnn_ok(cnn_tensor_wrap(&tdx, dx, 4, (int[]){ tc->n, tc->c, tc->h, tc->w }));
    double tol = !strcmp(tc->mode, "lp") ? 1e-4 : 2e-5;
    int nk = tc->kh * tc->kw, n_params = 0;
    void *ws = cnn_aligned_alloc(cnn_pool2d_learned_workspace_size(&p, &tx) + 64);

    if (!strcmp(tc->mode, "mixed")) {
        n_params = 1;
        ck_assert_cnn_ok(cnn_pool2d_mixed_forward(ctx, &p, &tx, param[0], &ty));
        ck_assert_cnn_ok(cnn_pool2d_mixed_backward(ctx, &p, &tx, param[0], &tdy, &tdx,
                                                   dparam, ws));
    } else if (!strcmp(tc->mode, "gated")) {
        n_params = nk;
        cnn_tensor gate, dgate;
        ck_assert_cnn_ok(cnn_tensor_wrap(&gate, param, 2, (int[]){ tc->kh, tc->kw }));
        ck_assert_cnn_ok(cnn_tensor_wrap(&dgate, dparam, 2, (int[]){ tc->kh, tc->kw }));
        ck_assert_cnn_ok(cnn_pool2d_gated_forward(ctx, &p, &tx, &gate, &ty));
        ck_assert_cnn_ok(cnn_pool2d_gated_backward(ctx, &p, &tx, &gate, &tdy, &tdx, &dgate, ws));
    } else if (!strcmp(tc->mode, "tree")) {
        n_params = 3 * nk;
        cnn_tensor leaves, gate, dleaves, dgate;
        ck_assert_cnn_ok(cnn_tensor_wrap(&leaves, param, 3, (int[]){ 2, tc->kh, tc->kw }));
        ck_assert_cnn_ok(cnn_tensor_wrap(&gate, param + 2 * nk, 2, (int[]){ tc->kh, tc->kw }));
        ck_assert_cnn_ok(cnn_tensor_wrap(&dleaves, dparam, 3, (int[]){ 2, tc->kh, tc->kw }));
        ck_assert_cnn_ok(cnn_tensor_wrap(&dgate, dparam + 2 * nk, 2, (int[]){ tc->kh, tc->kw }));
        ck_assert_cnn_ok(cnn_pool2d_tree_forward(ctx, &p, &tx, &leaves, &gate, &ty));
        ck_assert_cnn_ok(cnn_pool2d_tree_backward(ctx, &p, &tx, &leaves, &gate, &tdy, &tdx,
                                                  &dleaves, &dgate, ws));
    } else {
        ck_assert_cnn_ok(cnn_pool2d_forward(ctx, &p, &tx, &ty, idx_ref ? idx : NULL));
        if (idx_ref)
            for (size_t i = 0; i < out_n; i++)
                ck_assert_msg(idx[i] == idx_ref[i], "%s (%s): index %zu is %d, torch %d",
                              tc->name, level, i, idx[i], idx_ref[i]);
        /* backward with the forward's indices and without x where the mode
         * allows it, then with x and finding the argmax again */
        int needs_x = !strcmp(tc->mode, "lp") || !strcmp(tc->mode, "max_avg");
        ck_assert_cnn_ok(cnn_pool2d_backward(ctx, &p, needs_x ? &tx : NULL, &tdy,
                                             idx_ref ? idx : NULL, &tdx));
        ck_assert_close(dx, dx_ref, in_n, tol, tol);
        ck_assert_cnn_ok(cnn_pool2d_backward(ctx, &p, &tx, &tdy, NULL, &tdx));
    }
    ck_assert_close(y, y_ref, out_n, tol, tol);
    ck_assert_close(dx, dx_ref, in_n, tol, tol);
    if (n_params)
        ck_assert_close(dparam, dparam_ref, (size_t)n_params, 1e-4, 1e-4);
    cnn_aligned_free(ws);
    free(x), free(y_ref), free(dy), free(dx_ref), free(idx_ref), free(param), free(dparam_ref);
    free(y), free(dx), free(idx);
}

START_TEST(torch_case_test)
{
    ck_assert_int_lt(_i, n_cases);
    static const unsigned levels[] = { 0, CNN_CPU_AVX2, CNN_CPU_AVX2 | CNN_CPU_AVX512 };
    unsigned have = cnn_cpu_detect();
    for (size_t l = 0; l < sizeof levels / sizeof levels[0]; l++) {
        if ((levels[l] & have) != levels[l])
            continue;
        cnn_context *ctx;
        ck_assert_cnn_ok(cnn_context_create_isa(&ctx, 2, levels[l]));
        run_case(&cases[_i], ctx, cnn_cpu_level_name(levels[l]));
        cnn_context_destroy(ctx);
    }
}
END_TEST

/* Run the generator into a fresh directory and read its case list. */
static int generate_cases(const char *python, const char *script)
{
    snprintf(ref_dir, sizeof ref_dir, "%s/pool_ref_XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(ref_dir))
        return -1;
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s' '%s' --seed %llu --out '%s'", python, script,
             (unsigned long long)test_seed(), ref_dir);
    if (system(cmd) != 0)
        return -1;
    char path[512];
    snprintf(path, sizeof path, "%s/cases.txt", ref_dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    torch_case *c = cases;
    while (n_cases < MAX_CASES &&
           fscanf(f, "%63s %31s %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %f %f %d %d %63s",
                  c->name, c->mode, &c->n, &c->c, &c->h, &c->w, &c->kh, &c->kw, &c->sh, &c->sw,
                  &c->pt, &c->pb, &c->pl, &c->pr, &c->dh, &c->dw, &c->ceil_mode, &c->cip,
                  &c->divisor, &c->p, &c->alpha, &c->oh, &c->ow, c->levels) == 24) {
        n_cases++;
        c++;
    }
    fclose(f);
    return n_cases > 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s PYTHON tests/ref/pool_ref.py\n", argv[0]);
        return 2;
    }
    test_seed();
    if (generate_cases(argv[1], argv[2]) != 0) {
        fprintf(stderr, "pool_ref.py failed or wrote no cases\n");
        return 1;
    }
    Suite *s = suite_create("pool_torch");
    TCase *tc = tcase_create("torch");
    tcase_add_loop_test(tc, torch_case_test, 0, n_cases);
    suite_add_tcase(s, tc);
    int status = test_run_suite(s);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", ref_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", ref_dir);
    return status;
}
