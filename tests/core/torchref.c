#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "torchref.h"

#define MAX_CASES 128

static char dir[64];
static ref_case cases[MAX_CASES];
static int n_cases;

void ref_cleanup(void)
{
    char cmd[128];
    if (!dir[0])
        return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
    dir[0] = 0;
}

int ref_generate(int argc, char **argv, const char *op)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s PYTHON SCRIPT\n", argv[0]);
        exit(EXIT_FAILURE);
    }
    snprintf(dir, sizeof dir, "/tmp/cnn-%s-XXXXXX", op);
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        exit(EXIT_FAILURE);
    }
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s' '%s' %s '%s' %llu", argv[1], argv[2], op, dir,
             (unsigned long long)test_seed());
    if (system(cmd) != 0) {
        fprintf(stderr, "reference script failed: %s\n", cmd);
        ref_cleanup();
        exit(EXIT_FAILURE);
    }
    char path[128];
    snprintf(path, sizeof path, "%s/cases.txt", dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        exit(EXIT_FAILURE);
    }
    char line[512];
    while (n_cases < MAX_CASES && fgets(line, sizeof line, f)) {
        ref_case *c = &cases[n_cases];
        int len = 0;
        if (sscanf(line, "%63s %n", c->name, &len) != 1)
            continue;
        snprintf(c->params, sizeof c->params, " %s", line + len);
        c->params[strcspn(c->params, "\n")] = 0;
        n_cases++;
    }
    fclose(f);
    return n_cases;
}

const ref_case *ref_case_at(int i)
{
    return &cases[i];
}

static const char *find_value(const ref_case *c, const char *key)
{
    char pattern[80];
    snprintf(pattern, sizeof pattern, " %s=", key);
    const char *p = strstr(c->params, pattern);
    return p ? p + strlen(pattern) : NULL;
}

int ref_has(const ref_case *c, const char *key)
{
    return find_value(c, key) != NULL;
}

double ref_double(const ref_case *c, const char *key)
{
    const char *v = find_value(c, key);
    ck_assert_msg(v != NULL, "case %s has no %s", c->name, key);
    return strtod(v, NULL);
}

int ref_int(const ref_case *c, const char *key)
{
    return (int)ref_double(c, key);
}

void ref_tensor(const ref_case *c, const char *tensor, cnn_tensor *t)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s.%s.bin", dir, c->name, tensor);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    int32_t ndim, shape[CNN_MAX_DIMS];
    ck_assert_int_eq(fread(&ndim, sizeof ndim, 1, f), 1);
    ck_assert(ndim >= 1 && ndim <= CNN_MAX_DIMS);
    ck_assert_int_eq(fread(shape, sizeof *shape, (size_t)ndim, f), (size_t)ndim);
    ck_assert_cnn_ok(cnn_tensor_alloc(t, ndim, shape));
    size_t n = cnn_tensor_numel(t);
    size_t got = fread(t->data, sizeof(float), n, f);
    int extra = fgetc(f);
    fclose(f);
    ck_assert_msg(got == n && extra == EOF, "%s: expected %zu floats", path, n);
}

void ref_text(const ref_case *c, const char *what, char *buf, size_t size)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s.%s.txt", dir, c->name, what);
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    size_t got = fread(buf, 1, size - 1, f);
    int extra = fgetc(f);
    fclose(f);
    ck_assert_msg(extra == EOF, "%s: longer than %zu bytes", path, size - 1);
    buf[got] = 0;
}

const char *ref_dir(void)
{
    return dir;
}

int ref_levels(unsigned levels[3])
{
    static const unsigned all[] = { 0, CNN_CPU_AVX2, CNN_CPU_AVX2 | CNN_CPU_AVX512 };
    unsigned have = cnn_cpu_detect();
    int n = 0;
    for (int i = 0; i < 3; i++)
        if ((all[i] & have) == all[i])
            levels[n++] = all[i];
    return n;
}

void ref_expect_close(const ref_case *c, const char *tensor, const float *got, size_t n,
                      double atol, double rtol, unsigned level)
{
    cnn_tensor want;
    ref_tensor(c, tensor, &want);
    ck_assert_msg(cnn_tensor_numel(&want) == n, "%s %s: %zu values, torch has %zu", c->name,
                  tensor, n, cnn_tensor_numel(&want));
    size_t worst;
    double r = test_compare(got, want.data, n, atol, rtol, &worst);
    ck_assert_msg(r <= 1.0, "%s %s at %s: element %zu is %.8g, torch %.8g", c->name, tensor,
                  cnn_cpu_level_name(level), worst, got[worst], want.data[worst]);
    cnn_tensor_release(&want);
}

void ref_expect_within_terms(const ref_case *c, const char *tensor, const char *mag,
                             const float *got, double tol, unsigned level)
{
    cnn_tensor want, sums;
    ref_tensor(c, tensor, &want);
    ref_tensor(c, mag, &sums);
    for (size_t i = 0; i < cnn_tensor_numel(&want); i++) {
        double err = fabs((double)got[i] - want.data[i]);
        ck_assert_msg(err <= tol * sums.data[i] + 1e-7,
                      "%s %s at %s: element %zu is %.8g, torch %.8g (sum of |terms| %g)",
                      c->name, tensor, cnn_cpu_level_name(level), i, got[i], want.data[i],
                      sums.data[i]);
    }
    cnn_tensor_release(&want);
    cnn_tensor_release(&sums);
}

void ref_expect_identical(const ref_case *c, const char *what, const float *a, const float *b,
                          size_t n)
{
    ck_assert_msg(!memcmp(a, b, n * sizeof(float)), "%s %s: one and three threads differ",
                  c->name, what);
}

void ref_alloc_like(cnn_tensor *t, const cnn_tensor *like)
{
    ck_assert_cnn_ok(cnn_tensor_alloc(t, like->ndim, like->shape));
}

void ref_expect_runs(const ref_case *c, const char *const *names, cnn_tensor *one,
                     cnn_tensor *three, int count, double atol, double rtol)
{
    for (int i = 0; i < count; i++) {
        size_t n = cnn_tensor_numel(&one[i]);
        ref_expect_close(c, names[i], three[i].data, n, atol, rtol, 0);
        ref_expect_identical(c, names[i], one[i].data, three[i].data, n);
        cnn_tensor_release(&one[i]);
        cnn_tensor_release(&three[i]);
    }
}
