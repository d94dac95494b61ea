/* cnn-onnx-test: run ONNX backend tests (the `gst-cnn onnx-test` subcommand).
 *
 *   cnn-onnx-test [-t THREADS] [-q] [--rtol R] [--atol A] DIR...
 *
 * A DIR holding model.onnx is one test; any other DIR is scanned for test
 * directories (e.g. /usr/share/libonnx-testdata/data/node). One line per test
 * (-q: only failures), outputs compared with |got - want| <= atol + rtol *
 * |want| (default rtol 1e-3, atol 1e-7 as onnx's backend runner), then "N passed, N failed, N skipped" and check's
 * "Checks: N, Failures: F, Errors: 0" line for the test summary. Skipped means
 * an operator or element type this build does not claim. Exit status 1 when
 * a test failed. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cnn/cnn.h"
#include "cnn/onnx.h"

typedef struct tally {
    int passed, failed, skipped, quiet;
    double rtol, atol;
} tally;

static void run_one(cnn_context *ctx, const char *dir, const char *name, tally *t)
{
    char msg[1024];
    cnn_onnx_test_result r = cnn_onnx_backend_test(ctx, dir, t->rtol, t->atol, msg, sizeof msg);
    switch (r) {
    case CNN_ONNX_TEST_PASSED:
        t->passed++;
        if (!t->quiet)
            printf("PASS %s\n", name);
        break;
    case CNN_ONNX_TEST_FAILED:
        t->failed++;
        printf("FAIL %s: %s\n", name, msg);
        break;
    case CNN_ONNX_TEST_SKIPPED:
        t->skipped++;
        if (!t->quiet)
            printf("SKIP %s: %s\n", name, msg);
        break;
    }
}

static int is_test_dir(const char *dir)
{
    char path[4096 + 16];
    snprintf(path, sizeof path, "%s/model.onnx", dir);
    FILE *f = fopen(path, "rb");
    if (f)
        fclose(f);
    return f != NULL;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int run_dir(cnn_context *ctx, const char *dir, tally *t)
{
    if (is_test_dir(dir)) {
        const char *base = strrchr(dir, '/');
        run_one(ctx, dir, base ? base + 1 : dir, t);
        return 0;
    }
    struct dirent **list;
    int n = scandir(dir, &list, NULL, by_name);
    if (n < 0) {
        fprintf(stderr, "cnn-onnx-test: cannot read directory '%s'\n", dir);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, list[i]->d_name);
        if (list[i]->d_name[0] != '.' && is_test_dir(path))
            run_one(ctx, path, list[i]->d_name, t);
        free(list[i]);
    }
    free(list);
    return 0;
}

/* The whole command; gst-cnn links this file as `gst-cnn onnx-test`. */
int gst_cnn_onnx_test(int argc, char **argv);

int gst_cnn_onnx_test(int argc, char **argv)
{
    tally t = { .rtol = 1e-3, .atol = 1e-7 };
    int threads = 1, first = 1;
    for (; first < argc && argv[first][0] == '-'; first++) {
        if (!strcmp(argv[first], "-q"))
            t.quiet = 1;
        else if (!strcmp(argv[first], "-t") && first + 1 < argc)
            threads = atoi(argv[++first]);
        else if (!strcmp(argv[first], "--rtol") && first + 1 < argc)
            t.rtol = atof(argv[++first]);
        else if (!strcmp(argv[first], "--atol") && first + 1 < argc)
            t.atol = atof(argv[++first]);
        else
            break;
    }
    if (first >= argc) {
        fprintf(stderr, "usage: %s [-t THREADS] [-q] [--rtol R] [--atol A] DIR...\n",
                argv[0]);
        return 2;
    }
    cnn_context *ctx;
    if (cnn_context_create(&ctx, threads) != CNN_OK) {
        fprintf(stderr, "cnn-onnx-test: %s\n", cnn_last_error());
        return 2;
    }
    int bad_dir = 0;
    for (int i = first; i < argc; i++)
        bad_dir |= run_dir(ctx, argv[i], &t) != 0;
    cnn_context_destroy(ctx);
    printf("%d passed, %d failed, %d skipped\n", t.passed, t.failed, t.skipped);
    printf("Checks: %d, Failures: %d, Errors: %d\n", t.passed + t.failed, t.failed, bad_dir);
    return t.failed || bad_dir ? 1 : 0;
}

#ifndef GST_CNN_SUBCOMMAND
int main(int argc, char **argv)
{
    return gst_cnn_onnx_test(argc, argv);
}
#endif
