/* bench-norm: libcnn batch normalisation (inference; training forward +
 * backward) and dropout's training forward against PyTorch on one thread,
 * on 1x64x112x112 and 32x64x28x28. Prints the median times of both and the
 * ratio torch / libcnn (above 1: libcnn is faster).
 * Usage: bench-norm [--reps N] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cnn/cnn.h"
#include "../timing.h"

#define TORCH_TUNABLES                                                                     \
    "glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432:"                         \
    "glibc.malloc.trim_threshold=4294967296:glibc.malloc.top_pad=268435456"

typedef struct bench_case {
    const char *name;
    int shape[4];
    double cnn_ns, torch_ns;
} bench_case;

typedef struct bench_data {
    cnn_context *ctx;
    cnn_tensor x, dy, y, dx, gamma, beta, rm, rv, mean, invstd, dgamma, dbeta;
    cnn_batchnorm_params bn;
    cnn_dropout_params dropout;
} bench_data;

static cnn_status bn_inference(bench_data *d)
{
    return cnn_batchnorm_inference(d->ctx, &d->x, &d->rm, &d->rv, &d->gamma, &d->beta, 1e-5f,
                                   &d->y);
}

static cnn_status bn_train(bench_data *d)
{
    cnn_status st = cnn_batchnorm_train_forward(d->ctx, &d->bn, &d->x, &d->gamma, &d->beta,
                                                &d->rm, &d->rv, &d->y, &d->mean, &d->invstd);
    if (st != CNN_OK)
        return st;
    return cnn_batchnorm_backward(d->ctx, &d->x, &d->dy, &d->gamma, &d->mean, &d->invstd,
                                  &d->dx, &d->dgamma, &d->dbeta);
}

static cnn_status dropout_forward(bench_data *d)
{
    d->dropout.key.purpose++; /* a new mask each step, as in training */
    return cnn_dropout_forward(d->ctx, &d->dropout, &d->x, &d->y, NULL);
}

static double median_ns(cnn_status (*fn)(bench_data *), bench_data *d, int reps)
{
    double *t = malloc((size_t)reps * sizeof *t);
    if (!t || fn(d) != CNN_OK) {
        fprintf(stderr, "bench-norm: %s\n", t ? cnn_last_error() : "out of memory");
        exit(EXIT_FAILURE);
    }
    for (int i = 0; i < reps; i++) {
        double t0 = timing_now_ns();
        fn(d);
        t[i] = timing_now_ns() - t0;
    }
    double m = timing_median(t, reps);
    free(t);
    return m;
}

static void fill(cnn_tensor *t, uint64_t purpose, float lo, float hi)
{
    cnn_rng_key key = { 1, purpose };
    for (size_t i = 0; i < cnn_tensor_numel(t); i++)
        t->data[i] = cnn_rng_uniform_range(key, i, lo, hi);
}

static void alloc_or_die(cnn_tensor *t, int ndim, const int *shape)
{
    if (cnn_tensor_alloc(t, ndim, shape) != CNN_OK) {
        fprintf(stderr, "bench-norm: %s\n", cnn_last_error());
        exit(EXIT_FAILURE);
    }
}

static void run_cnn(const int shape[4], int reps, double out[3])
{
    bench_data d;
    memset(&d, 0, sizeof d);
    if (cnn_context_create(&d.ctx, 1) != CNN_OK) {
        fprintf(stderr, "bench-norm: %s\n", cnn_last_error());
        exit(EXIT_FAILURE);
    }
    cnn_tensor *big[] = { &d.x, &d.dy, &d.y, &d.dx };
    cnn_tensor *vec[] = { &d.gamma, &d.beta, &d.rm, &d.rv, &d.mean, &d.invstd, &d.dgamma,
                          &d.dbeta };
    for (size_t i = 0; i < 4; i++)
        alloc_or_die(big[i], 4, shape);
    for (size_t i = 0; i < 8; i++)
        alloc_or_die(vec[i], 1, &shape[1]);
    fill(&d.x, 1, 0.0f, 1.0f);
    fill(&d.dy, 2, 0.0f, 1.0f);
    fill(&d.gamma, 3, 0.5f, 1.5f);
    fill(&d.beta, 4, 0.0f, 1.0f);
    fill(&d.rv, 5, 1.0f, 1.0f);
    cnn_batchnorm_params_init(&d.bn);
    cnn_dropout_params_init(&d.dropout, CNN_DROPOUT_ELEMENT, 1, 0);
    out[0] = median_ns(bn_inference, &d, reps);
    out[1] = median_ns(bn_train, &d, reps);
    out[2] = median_ns(dropout_forward, &d, reps);
    for (size_t i = 0; i < 4; i++)
        cnn_tensor_release(big[i]);
    for (size_t i = 0; i < 8; i++)
        cnn_tensor_release(vec[i]);
    cnn_context_destroy(d.ctx);
}

int main(int argc, char **argv)
{
    int reps = 30;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--reps") && i + 1 < argc) {
            reps = atoi(argv[++i]);
        } else {
            fprintf(stderr, "usage: %s [--reps N]\n", argv[0]);
            return EXIT_FAILURE;
        }
    }
    if (reps < 1)
        reps = 1;
    static const char *const names[3] = { "bn_inference", "bn_train_fwd_bwd", "dropout_fwd" };
    static const int shapes[2][4] = { { 1, 64, 112, 112 }, { 32, 64, 28, 28 } };
    bench_case cases[6];
    for (int s = 0; s < 2; s++) {
        double t[3];
        run_cnn(shapes[s], reps, t);
        for (int k = 0; k < 3; k++)
            cases[s * 3 + k] = (bench_case){ names[k], { shapes[s][0], shapes[s][1],
                                             shapes[s][2], shapes[s][3] }, t[k], 0 };
    }

    char cmd[1024];
    snprintf(cmd, sizeof cmd, "GLIBC_TUNABLES=%s '%s' '%s' --reps %d", TORCH_TUNABLES,
             BENCH_PYTHON, BENCH_TORCH_SCRIPT, reps);
    FILE *torch = popen(cmd, "r");
    if (!torch) {
        perror("bench-norm: popen");
        return EXIT_FAILURE;
    }
    char line[256], name[64], shape[64];
    double ns;
    while (fgets(line, sizeof line, torch)) {
        if (sscanf(line, "torch %63s %63s %lf", name, shape, &ns) != 3)
            continue;
        for (int i = 0; i < 6; i++) {
            char want[64];
            snprintf(want, sizeof want, "%dx%dx%dx%d", cases[i].shape[0], cases[i].shape[1],
                     cases[i].shape[2], cases[i].shape[3]);
            if (!strcmp(name, cases[i].name) && !strcmp(shape, want))
                cases[i].torch_ns = ns;
        }
    }
    if (pclose(torch) != 0) {
        fprintf(stderr, "bench-norm: the PyTorch script failed: %s\n", cmd);
        return EXIT_FAILURE;
    }

    /* "ratio" lines are what `gst-cnn bench` collects */
    printf("bench-norm: median of %d runs, one thread, kernels %s; ratio = torch / libcnn\n",
           reps, cnn_cpu_level_name(cnn_cpu_flags()));
    for (int i = 0; i < 6; i++)
        printf("ratio %s %dx%dx%dx%d: %.2fx (libcnn %.3f ms, torch %.3f ms)\n", cases[i].name,
               cases[i].shape[0], cases[i].shape[1], cases[i].shape[2], cases[i].shape[3],
               cases[i].torch_ns / cases[i].cnn_ns, cases[i].cnn_ns / 1e6,
               cases[i].torch_ns / 1e6);
    return EXIT_SUCCESS;
}
