/* bench-conv: libcnn conv2d against PyTorch CPU on two layers of a small
 * image network, one thread and two: 3x3 convolutions, padding 1, N = 1,
 * 3->16 channels at 224x224 and 16->16 at stride 2. Our side is timed here
 * (median of REPS calls after a warm-up, buffers planned once); the PyTorch
 * side by bench_conv_torch.py, run from here under the GLIBC_TUNABLES
 * setting that makes PyTorch fastest; ROUNDS rounds alternate the two.
 * Prints a `ratio` line per layer and thread count: PyTorch time / our time
 * (> 1 means we are faster).
 * Usage: bench-conv [REPS]   (CNN_ISA=c|avx2|avx512 caps our level) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cnn/cnn.h"
#include "../timing.h"

#define TORCH_TUNABLES                                                                     \
    "glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432:"                         \
    "glibc.malloc.trim_threshold=4294967296:glibc.malloc.top_pad=268435456"
#define MAX_REPS 1000
#define ROUNDS 3

typedef struct layer {
    const char *name;
    int cin, cout, size, stride;
} layer;

/* Must match LAYERS in bench_conv_torch.py. */
static const layer layers[] = {
    { "rgb3_to_16_224", 3, 16, 224, 1 },
    { "c16_to_16_s2_224", 16, 16, 224, 2 },
};
static const int thread_counts[] = { 1, 2 };

#define N_LAYERS (sizeof layers / sizeof *layers)
#define N_THREADS (sizeof thread_counts / sizeof *thread_counts)

static void fill(float *x, size_t n, uint64_t purpose, float lo, float hi)
{
    cnn_rng_key key = { 1, purpose };
    for (size_t i = 0; i < n; i++)
        x[i] = cnn_rng_uniform_range(key, i, lo, hi);
}

/* Median ns of one forward of layer l on `threads` threads. */
static int time_ours(const layer *l, int threads, int reps, double *median)
{
    cnn_conv2d_params p;
    cnn_conv2d_params_init(&p, 3, 3);
    p.stride_h = p.stride_w = l->stride;
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
    int oh, ow;
    cnn_context *ctx = NULL;
    cnn_tensor x = { 0 }, w = { 0 }, b = { 0 }, y = { 0 };
    void *ws = NULL;
    double t[MAX_REPS];
    int ok = cnn_conv2d_output_size(&p, l->size, l->size, &oh, &ow) == CNN_OK &&
             cnn_context_create(&ctx, threads) == CNN_OK &&
             cnn_tensor_alloc_nchw(&x, 1, l->cin, l->size, l->size) == CNN_OK &&
             cnn_tensor_alloc_nchw(&w, l->cout, l->cin, 3, 3) == CNN_OK &&
             cnn_tensor_alloc(&b, 1, &l->cout) == CNN_OK &&
             cnn_tensor_alloc_nchw(&y, 1, l->cout, oh, ow) == CNN_OK &&
             (ws = cnn_aligned_alloc(cnn_conv2d_workspace_size(&p, l->cin, l->size, l->size,
                                                               threads))) != NULL;
    if (ok) {
        fill(x.data, cnn_tensor_numel(&x), 1, 0, 1);
        fill(w.data, cnn_tensor_numel(&w), 2, -0.5f, 0.5f);
        fill(b.data, cnn_tensor_numel(&b), 3, 0, 1);
        ok = cnn_conv2d_forward(ctx, &p, &x, &w, &b, &y, ws) == CNN_OK;
    }
    for (int i = 0; ok && i < reps; i++) {
        double t0 = timing_now_ns();
        cnn_conv2d_forward(ctx, &p, &x, &w, &b, &y, ws);
        t[i] = timing_now_ns() - t0;
    }
    if (ok) {
        *median = timing_median(t, reps);
    } else {
        fprintf(stderr, "bench-conv: %s\n", cnn_last_error());
    }
    cnn_aligned_free(ws);
    cnn_tensor_release(&x);
    cnn_tensor_release(&w);
    cnn_tensor_release(&b);
    cnn_tensor_release(&y);
    cnn_context_destroy(ctx);
    return ok ? 0 : -1;
}

/* Fill torch_ns[layer][thread] from the PyTorch script's lines. */
static int time_torch(int reps, double torch_ns[N_LAYERS][N_THREADS])
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "GLIBC_TUNABLES=%s '%s' '%s' --reps %d --threads 1,2",
             TORCH_TUNABLES, BENCH_PYTHON, BENCH_TORCH_SCRIPT, reps);
    FILE *f = popen(cmd, "r");
    if (!f)
        return -1;
    char name[64];
    int threads, found = 0;
    double ns;
    while (fscanf(f, "torch %63s %d %lf\n", name, &threads, &ns) == 3)
        for (size_t l = 0; l < N_LAYERS; l++)
            for (size_t t = 0; t < N_THREADS; t++)
                if (!strcmp(name, layers[l].name) && threads == thread_counts[t]) {
                    torch_ns[l][t] = ns;
                    found++;
                }
    int status = pclose(f);
    return status == 0 && found == (int)(N_LAYERS * N_THREADS) ? 0 : -1;
}

int main(int argc, char **argv)
{
    int reps = argc > 1 ? atoi(argv[1]) : 50;
    if (reps < 1 || reps > MAX_REPS) {
        fprintf(stderr, "usage: %s [REPS 1..%d]\n", argv[0], MAX_REPS);
        return EXIT_FAILURE;
    }
    /* Rounds alternate the two sides, so a burst of load from elsewhere on
     * the machine hits both; each side keeps the median of its rounds. */
    double torch_ns[ROUNDS][N_LAYERS][N_THREADS], ours_ns[N_LAYERS][N_THREADS][ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        if (time_torch(reps, torch_ns[r]) != 0) {
            fprintf(stderr, "bench-conv: the PyTorch side failed (%s)\n", BENCH_TORCH_SCRIPT);
            return EXIT_FAILURE;
        }
        for (size_t l = 0; l < N_LAYERS; l++)
            for (size_t t = 0; t < N_THREADS; t++)
                if (time_ours(&layers[l], thread_counts[t], reps, &ours_ns[l][t][r]) != 0)
                    return EXIT_FAILURE;
    }
    printf("conv2d 3x3 pad 1, N=1, median of %d calls x %d rounds; libcnn level %s\n", reps,
           ROUNDS, cnn_cpu_level_name(cnn_cpu_flags()));
    for (size_t l = 0; l < N_LAYERS; l++) {
        const layer *ly = &layers[l];
        int out = (ly->size - 1) / ly->stride + 1;
        double flop = 2.0 * ly->cout * ly->cin * 9 * out * out;
        for (size_t t = 0; t < N_THREADS; t++) {
            double theirs[ROUNDS];
            for (int r = 0; r < ROUNDS; r++)
                theirs[r] = torch_ns[r][l][t];
            double torch = timing_median(theirs, ROUNDS);
            double ours = timing_median(ours_ns[l][t], ROUNDS);
            printf("%-18s threads %d  libcnn %8.1f us %6.1f GFLOP/s  torch %8.1f us %6.1f "
                   "GFLOP/s\n",
                   ly->name, thread_counts[t], ours / 1e3, flop / ours, torch / 1e3,
                   flop / torch);
            printf("ratio %s threads %d: %.2f\n", ly->name, thread_counts[t], torch / ours);
        }
    }
    return EXIT_SUCCESS;
}
