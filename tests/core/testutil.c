#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "testutil.h"

uint64_t test_seed(void)
{
    static int printed;
    const char *env = getenv("CNN_TEST_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 0) : 20261125u;
    if (!printed) {
        printed = 1;
        printf("seed %llu (set CNN_TEST_SEED to replay)\n", (unsigned long long)seed);
    }
    return seed;
}

void test_fill_uniform(float *x, size_t n, uint64_t seed, uint64_t purpose, float lo, float hi)
{
    cnn_rng_key key = { seed, purpose };
    for (size_t i = 0; i < n; i++)
        x[i] = cnn_rng_uniform_range(key, i, lo, hi);
}

double test_compare(const float *a, const float *b, size_t n, double atol, double rtol,
                    size_t *worst)
{
    double max_ratio = 0.0;
    *worst = 0;
    for (size_t i = 0; i < n; i++) {
        double diff = fabs((double)a[i] - (double)b[i]);
        double ratio = diff / (atol + rtol * fabs((double)b[i]));
        if (isnan(a[i]) != isnan(b[i]))
            ratio = INFINITY;
        if (ratio > max_ratio) {
            max_ratio = ratio;
            *worst = i;
        }
    }
    return max_ratio;
}

int test_run_suite(Suite *s)
{
    test_seed();
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

const char *test_source_path(const char *relative)
{
    static char path[4096];
    const char *root = getenv("CNN_SOURCE_ROOT");
    snprintf(path, sizeof path, "%s/%s", root ? root : ".", relative);
    return path;
}

void *test_read_file(const char *dir, const char *name, size_t size)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    void *data = malloc(size ? size : 1);
    size_t got = fread(data, 1, size, f);
    fclose(f);
    if (got != size) {
        free(data);
        return NULL;
    }
    return data;
}
