/* bench-pool: libcnn max/avg pooling (2x2 and 3x3, stride 2) on a
 * 1x16x224x224 float tensor and on a 1080p GRAY8 plane, one thread, against
 * PyTorch (one thread, timed by bench_pool_torch.py in the same run under
 * the malloc tunables that make it fastest) and against the memory-bandwidth
 * bound of this machine: a memcpy of the input bytes (the pool reads them
 * all once and writes a quarter as much). Prints ratios; medians of
 * repetitions of ~20 ms each, in CPU time of the calling thread (both sides
 * run on that one thread), so other load on the machine does not count.
 *
 *   build/bench/pool/bench-pool [--reps N] [--no-torch]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cnn/cnn.h"

#define TORCH_TUNABLES                                                                     \
    "glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432:"                          \
    "glibc.malloc.trim_threshold=4294967296:glibc.malloc.top_pad=268435456"

typedef struct bench_case {
    const char *name;
    cnn_pool_mode mode;
    int kernel, u8;
    int n, c, h, w;
    double ours, copy, torch;
} bench_case;

static bench_case cases[] = {
    { "f32_max_2x2", CNN_POOL_MAX, 2, 0, 1, 16, 224, 224, 0, 0, 0 },
    { "f32_max_3x3", CNN_POOL_MAX, 3, 0, 1, 16, 224, 224, 0, 0, 0 },
    { "f32_avg_2x2", CNN_POOL_AVG, 2, 0, 1, 16, 224, 224, 0, 0, 0 },
    { "f32_avg_3x3", CNN_POOL_AVG, 3, 0, 1, 16, 224, 224, 0, 0, 0 },
    { "u8_max_2x2", CNN_POOL_MAX, 2, 1, 1, 1, 1080, 1920, 0, 0, 0 },
    { "u8_max_3x3", CNN_POOL_MAX, 3, 1, 1, 1, 1080, 1920, 0, 0, 0 },
    { "u8_avg_2x2", CNN_POOL_AVG, 2, 1, 1, 1, 1080, 1920, 0, 0, 0 },
    { "u8_avg_3x3", CNN_POOL_AVG, 3, 1, 1, 1, 1080, 1920, 0, 0, 0 },
};
#define N_CASES (int)(sizeof cases / sizeof cases[0])

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef void (*bench_fn)(void *arg);

/* Median seconds per call over reps repetitions of ~20 ms. */
static double time_call(bench_fn fn, void *arg, int reps)
{
    fn(arg);
    double t0 = now();
    fn(arg);
    double one = now() - t0;
    int n = one > 0 ? (int)(0.02 / one) : 1000;
    if (n < 1)
        n = 1;
    double samples[64];
    if (reps > 64)
        reps = 64;
    for (int r = 0; r < reps; r++) {
        t0 = now();
        for (int i = 0; i < n; i++)
            fn(arg);
        samples[r] = (now() - t0) / n;
    }
    qsort(samples, (size_t)reps, sizeof samples[0], cmp_double);
    return samples[reps / 2];
}

typedef struct run {
    cnn_context *ctx;
    cnn_pool2d_params p;
    cnn_tensor x, y;
    uint8_t *src, *dst;
    int w, h, ow;
    void *copy_dst;
    size_t bytes;
} run;

static void run_f32(void *arg)
{
    run *r = arg;
    if (cnn_pool2d_forward(r->ctx, &r->p, &r->x, &r->y, NULL) != CNN_OK)
        abort();
}

static void run_u8(void *arg)
{
    run *r = arg;
    if (cnn_pool2d_u8(r->ctx, &r->p, r->src, r->w, r->dst, r->ow, r->w, r->h) != CNN_OK)
        abort();
}

static void run_copy(void *arg)
{
    run *r = arg;
    memcpy(r->copy_dst, r->src ? (const void *)r->src : (const void *)r->x.data, r->bytes);
}

static int measure_ours(bench_case *bc, int reps)
{
    run r = { 0 };
    if (cnn_context_create(&r.ctx, 1) != CNN_OK)
        return -1;
    cnn_pool2d_params_init(&r.p, bc->mode, bc->kernel, bc->kernel);
    r.p.stride_h = r.p.stride_w = 2;
    int oh, ow;
    if (cnn_pool2d_output_size(&r.p, bc->h, bc->w, &oh, &ow) != CNN_OK)
        return -1;
    cnn_rng_key key = { 1, 2 };
    if (bc->u8) {
        r.w = bc->w, r.h = bc->h, r.ow = ow;
        r.bytes = (size_t)bc->w * bc->h;
        r.src = cnn_aligned_alloc(r.bytes);
        r.dst = cnn_aligned_alloc((size_t)ow * oh);
        for (size_t i = 0; i < r.bytes; i++)
            r.src[i] = (uint8_t)(cnn_rng_uniform(key, i) * 256);
        memset(r.dst, 0, (size_t)ow * oh);
    } else {
        if (cnn_tensor_alloc_nchw(&r.x, bc->n, bc->c, bc->h, bc->w) != CNN_OK ||
            cnn_tensor_alloc_nchw(&r.y, bc->n, bc->c, oh, ow) != CNN_OK)
            return -1;
        r.bytes = cnn_tensor_numel(&r.x) * sizeof(float);
        for (size_t i = 0; i < cnn_tensor_numel(&r.x); i++)
            r.x.data[i] = cnn_rng_uniform(key, i);
    }
    r.copy_dst = cnn_aligned_alloc(r.bytes);
    memset(r.copy_dst, 1, r.bytes);
    bc->ours = time_call(bc->u8 ? run_u8 : run_f32, &r, reps);
    bc->copy = time_call(run_copy, &r, reps);
    cnn_aligned_free(r.copy_dst);
    cnn_aligned_free(r.src);
    cnn_aligned_free(r.dst);
    cnn_tensor_release(&r.x);
    cnn_tensor_release(&r.y);
    cnn_context_destroy(r.ctx);
    return 0;
}

/* One python run for all cases; fills bc->torch by name. */
static int measure_torch(int reps)
{
    char cmd[4096];
    int len = snprintf(cmd, sizeof cmd, "GLIBC_TUNABLES=%s '%s' '%s' --reps %d",
                       TORCH_TUNABLES, BENCH_PYTHON, BENCH_TORCH_SCRIPT, reps);
    for (int i = 0; i < N_CASES; i++)
        len += snprintf(cmd + len, sizeof cmd - (size_t)len, " %s:%s:%d:%d:%d:%d:%d",
                        cases[i].name, cases[i].mode == CNN_POOL_MAX ? "max" : "avg",
                        cases[i].kernel, cases[i].n, cases[i].c, cases[i].h, cases[i].w);
    FILE *f = popen(cmd, "r");
    if (!f)
        return -1;
    char name[64];
    double t;
    while (fscanf(f, "%63s %lf", name, &t) == 2)
        for (int i = 0; i < N_CASES; i++)
            if (!strcmp(name, cases[i].name))
                cases[i].torch = t;
    return pclose(f) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    int reps = 11, torch = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--reps") && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--no-torch"))
            torch = 0;
        else {
            fprintf(stderr, "usage: %s [--reps N] [--no-torch]\n", argv[0]);
            return 2;
        }
    }
    for (int i = 0; i < N_CASES; i++)
        if (measure_ours(&cases[i], reps) != 0) {
            fprintf(stderr, "bench-pool: %s: %s\n", cases[i].name, cnn_last_error());
            return 1;
        }
    if (torch && measure_torch(reps) != 0)
        fprintf(stderr, "bench-pool: the PyTorch peer failed; ratios to it are missing\n");

    printf("pooling, stride 2, one thread, ISA %s; f32 on 1x16x224x224, u8 on 1920x1080 "
           "GRAY8 (PyTorch: float32 plane)\n", cnn_cpu_level_name(cnn_cpu_flags()));
    printf("%-12s %10s %10s %10s %12s %12s\n", "case", "libcnn us", "torch us", "copy us",
           "torch/libcnn", "libcnn/copy");
    for (int i = 0; i < N_CASES; i++) {
        const bench_case *bc = &cases[i];
        printf("%-12s %10.1f ", bc->name, bc->ours * 1e6);
        if (bc->torch > 0)
            printf("%10.1f ", bc->torch * 1e6);
        else
            printf("%10s ", "-");
        printf("%10.1f ", bc->copy * 1e6);
        if (bc->torch > 0)
            printf("%11.2fx ", bc->torch / bc->ours);
        else
            printf("%12s ", "-");
        printf("%11.2fx\n", bc->ours / bc->copy);
    }
    printf("targets: torch/libcnn >= 1.5x, libcnn/copy <= 2x\n");
    return 0;
}
