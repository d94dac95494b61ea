/* conv2d against PyTorch on every configuration: kernel sizes, strides,
 * explicit/same/valid padding in zeros/reflect/replicate modes, dilation,
 * groups and depthwise, bias, batches. tests/ref/conv2d_ref.py writes the
 * cases (inputs, float64 reference outputs, sums of |terms|) to a temporary
 * directory at start; each case runs at every CPU level this machine has,
 * on one and two threads (which must agree bit for bit), and once more with
 * the fused clamp, against the clamped reference.
 * Usage: test_conv2d_torch PYTHON SCRIPT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

/* |y - torch| <= REL_TOL * (sum of |terms|): FMA and summation order differ
 * from the float64 reference by a few float32 roundings per term. */
#define REL_TOL 1e-5
#define MAX_CASES 64
/* The clamp pass: bounds inside the spread of the outputs, so both bite;
 * clamping moves no output further from the clamped reference. */
#define CLAMP_MIN -0.5f
#define CLAMP_MAX 0.5f

typedef struct torch_case {
    char name[64], pad[32], mode[16];
    int n, cin, h, w, cout, kh, kw, sh, sw, dh, dw, groups, bias;
} torch_case;

static char dir[64];
static torch_case cases[MAX_CASES];
static int n_cases;

static float *read_floats(const char *name, const char *ext, size_t n)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%.63s.%s", dir, name, ext);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    float *data = cnn_aligned_alloc(n * sizeof(float));
    ck_assert_ptr_nonnull(data);
    size_t got = fread(data, sizeof(float), n, f);
    int extra = fgetc(f);
    fclose(f);
    ck_assert_msg(got == n && extra == EOF, "%s: expected %zu floats", path, n);
    return data;
}

static void params_of(const torch_case *c, cnn_conv2d_params *p)
{
    cnn_conv2d_params_init(p, c->kh, c->kw);
    p->stride_h = c->sh;
    p->stride_w = c->sw;
    p->dilation_h = c->dh;
    p->dilation_w = c->dw;
    p->groups = c->groups;
    p->pad_mode = !strcmp(c->mode, "reflect")     ? CNN_PAD_REFLECT
                  : !strcmp(c->mode, "replicate") ? CNN_PAD_REPLICATE
                                                  : CNN_PAD_ZEROS;
    if (!strcmp(c->pad, "same"))
        cnn_conv2d_pad_same(p, c->h, c->w);
    else if (strcmp(c->pad, "valid"))
        ck_assert_int_eq(sscanf(c->pad, "%d,%d,%d,%d", &p->pad_top, &p->pad_bottom,
                                &p->pad_left, &p->pad_right),
                         4);
}

/* y on a context of the given level and threads. */
static void run_conv(const cnn_conv2d_params *p, const cnn_tensor *x, const cnn_tensor *w,
                     const cnn_tensor *b, cnn_tensor *y, unsigned level, int threads)
{
    cnn_context *ctx;
    ck_assert_cnn_ok(cnn_context_create_isa(&ctx, threads, level));
    size_t ws_size = cnn_conv2d_workspace_size(p, x->shape[1], x->shape[2], x->shape[3],
                                               threads);
    void *ws = ws_size ? cnn_aligned_alloc(ws_size) : NULL;
    ck_assert_cnn_ok(cnn_conv2d_forward(ctx, p, x, w, b, y, ws));
    cnn_aligned_free(ws);
    cnn_context_destroy(ctx);
}

/* y within tolerance of torch's output, clamped as p asks. */
static void expect_near(const torch_case *c, const cnn_conv2d_params *p, unsigned level,
                        const cnn_tensor *y, const float *want, const float *mag)
{
    for (size_t i = 0; i < cnn_tensor_numel(y); i++) {
        float ref = want[i];
        if (p->clamp)
            ref = ref < p->clamp_min ? p->clamp_min : ref > p->clamp_max ? p->clamp_max : ref;
        double err = y->data[i] - (double)ref;
        ck_assert_msg(err <= REL_TOL * mag[i] && -err <= REL_TOL * mag[i],
                      "%s at %s%s: output %zu is %.9g, torch %.9g (sum of |terms| %g)",
                      c->name, cnn_cpu_level_name(level), p->clamp ? ", clamped" : "", i,
                      y->data[i], ref, mag[i]);
    }
}

START_TEST(matches_torch)
{
    const torch_case *c = &cases[_i];
    cnn_conv2d_params p;
    params_of(c, &p);
    int oh, ow;
    ck_assert_cnn_ok(cnn_conv2d_output_size(&p, c->h, c->w, &oh, &ow));
    size_t nx = (size_t)c->n * c->cin * c->h * c->w;
    size_t nw = (size_t)c->cout * (c->cin / c->groups) * c->kh * c->kw;
    size_t ny = (size_t)c->n * c->cout * oh * ow;
    cnn_tensor x, w, b, y, y1;
    ck_assert_cnn_ok(cnn_tensor_wrap(&x, read_floats(c->name, "x", nx), 4,
                                     (int[]){ c->n, c->cin, c->h, c->w }));
    ck_assert_cnn_ok(cnn_tensor_wrap(&w, read_floats(c->name, "w", nw), 4,
                                     (int[]){ c->cout, c->cin / c->groups, c->kh, c->kw }));
    if (c->bias)
        ck_assert_cnn_ok(cnn_tensor_wrap(&b, read_floats(c->name, "b", (size_t)c->cout), 1,
                                         (int[]){ c->cout }));
    float *want = read_floats(c->name, "y", ny), *mag = read_floats(c->name, "mag", ny);
    ck_assert_cnn_ok(cnn_tensor_alloc_nchw(&y, c->n, c->cout, oh, ow));
    ck_assert_cnn_ok(cnn_tensor_alloc_nchw(&y1, c->n, c->cout, oh, ow));

    static const unsigned levels[] = { 0, CNN_CPU_AVX2, CNN_CPU_AVX2 | CNN_CPU_AVX512 };
    unsigned have = cnn_cpu_detect();
    for (size_t l = 0; l < sizeof levels / sizeof *levels; l++) {
        if ((levels[l] & have) != levels[l])
            continue;
        run_conv(&p, &x, &w, c->bias ? &b : NULL, &y, levels[l], 2);
        expect_near(c, &p, levels[l], &y, want, mag);
        run_conv(&p, &x, &w, c->bias ? &b : NULL, &y1, levels[l], 1);
        ck_assert_msg(!memcmp(y.data, y1.data, ny * sizeof(float)),
                      "%s at %s: one and two threads differ", c->name,
                      cnn_cpu_level_name(levels[l]));
        cnn_conv2d_params pc = p;
        pc.clamp = 1;
        pc.clamp_min = CLAMP_MIN;
        pc.clamp_max = CLAMP_MAX;
        run_conv(&pc, &x, &w, c->bias ? &b : NULL, &y, levels[l], 2);
        expect_near(c, &pc, levels[l], &y, want, mag);
    }
    cnn_aligned_free(x.data);
    cnn_aligned_free(w.data);
    if (c->bias)
        cnn_aligned_free(b.data);
    cnn_aligned_free(want);
    cnn_aligned_free(mag);
    cnn_tensor_release(&y);
    cnn_tensor_release(&y1);
}
END_TEST

/* Run the generator and read its case list; 0 on success. */
static int generate_cases(const char *python, const char *script)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/cnn-conv2d-XXXXXX", tmp && strlen(tmp) < 40 ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return -1;
    }
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s' '%s' --seed %llu --out '%s'", python, script,
             (unsigned long long)test_seed(), dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "failed: %s\n", cmd);
        return -1;
    }
    char path[256];
    snprintf(path, sizeof path, "%s/cases.txt", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    torch_case c;
    while (n_cases < MAX_CASES &&
           fscanf(f, "%63s %d %d %d %d %d %d %d %d %d %d %d %31s %d %15s %d", c.name, &c.n,
                  &c.cin, &c.h, &c.w, &c.cout, &c.kh, &c.kw, &c.sh, &c.sw, &c.dh, &c.dw,
                  c.pad, &c.groups, c.mode, &c.bias) == 16)
        cases[n_cases++] = c;
    fclose(f);
    return n_cases > 0 ? 0 : -1;
}

static void remove_cases(void)
{
    static const char *exts[] = { "x", "w", "b", "y", "mag" };
    char path[256];
    for (int i = 0; i < n_cases; i++)
        for (size_t e = 0; e < sizeof exts / sizeof *exts; e++) {
            snprintf(path, sizeof path, "%s/%.63s.%s", dir, cases[i].name, exts[e]);
            unlink(path);
        }
    snprintf(path, sizeof path, "%s/cases.txt", dir);
    unlink(path);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s PYTHON SCRIPT\n", argv[0]);
        return EXIT_FAILURE;
    }
    test_seed();
    int st = generate_cases(argv[1], argv[2]);
    if (st == 0) {
        printf("%d cases from %s, levels up to %s\n", n_cases, argv[2],
               cnn_cpu_level_name(cnn_cpu_detect()));
        Suite *s = suite_create("conv2d_torch");
        TCase *tc = tcase_create("conv2d_torch");
        tcase_add_loop_test(tc, matches_torch, 0, n_cases);
        suite_add_tcase(s, tc);
        st = test_run_suite(s);
    }
    remove_cases();
    return st ? EXIT_FAILURE : EXIT_SUCCESS;
}
