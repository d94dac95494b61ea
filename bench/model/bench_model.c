/* bench-model: one ONNX model through the graph runtime, timed per call.
 * The graph is prepared once for the given input shape, its input filled with
 * uniform values in [0, 1), run once to warm up, then REPS times; prints
 * "median_ns N" (one forward of the batch). bench_model.py drives it against
 * PyTorch. With -p, the timed runs are also profiled per node and the table
 * (slowest node first, cnn_graph_print_profile) follows.
 *
 * usage: bench-model [-p] [-t THREADS] [-r REPS] -s NxCxHxW MODEL.onnx */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cnn/cnn.h"
#include "cnn/onnx.h"
#include "../timing.h"

#define MAX_REPS 10000

/* "1x3x224x224" into shape; returns the dimension count, 0 when malformed. */
static int parse_shape(const char *s, int *shape)
{
    int n = 0;
    while (n < CNN_MAX_DIMS) {
        char *end;
        long d = strtol(s, &end, 10);
        if (end == s || d <= 0 || d > 1 << 20)
            return 0;
        shape[n++] = (int)d;
        if (!*end)
            return n;
        if (*end != 'x')
            return 0;
        s = end + 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int threads = 1, reps = 50, ndim = 0, shape[CNN_MAX_DIMS], opt, profile = 0;
    while ((opt = getopt(argc, argv, "pt:r:s:")) != -1) {
        if (opt == 'p')
            profile = 1;
        else if (opt == 't')
            threads = atoi(optarg);
        else if (opt == 'r')
            reps = atoi(optarg);
        else if (opt == 's')
            ndim = parse_shape(optarg, shape);
        else
            reps = 0; /* an unknown option: print the usage */
    }
    if (optind + 1 != argc || !ndim || reps < 1 || reps > MAX_REPS) {
        fprintf(stderr, "usage: %s [-p] [-t THREADS] [-r REPS 1..%d] -s NxCxHxW MODEL.onnx\n",
                argv[0], MAX_REPS);
        return 2;
    }
    const char *path = argv[optind];
    cnn_context *ctx = NULL;
    cnn_graph *g = NULL;
    if (cnn_context_create(&ctx, threads) != CNN_OK || cnn_onnx_read(path, &g) != CNN_OK ||
        cnn_graph_set_input_shape(g, cnn_graph_input_name(g, 0), ndim, shape) != CNN_OK ||
        cnn_graph_prepare(g, ctx) != CNN_OK) {
        fprintf(stderr, "bench-model: %s: %s\n", path, cnn_last_error());
        return 1;
    }
    cnn_tensor *x = cnn_graph_input(g, 0);
    cnn_rng_key key = { 1, 2 };
    for (size_t i = 0; i < cnn_tensor_numel(x); i++)
        x->data[i] = cnn_rng_uniform(key, i);
    static double t[MAX_REPS];
    int ok = cnn_graph_run(g, ctx) == CNN_OK;
    cnn_graph_set_profiling(g, profile);
    for (int i = 0; ok && i < reps; i++) {
        double t0 = timing_now_ns();
        cnn_graph_run(g, ctx);
        t[i] = timing_now_ns() - t0;
    }
    if (!ok) {
        fprintf(stderr, "bench-model: %s: %s\n", path, cnn_last_error());
        return 1;
    }
    cnn_graph_stats stats;
    cnn_graph_get_stats(g, &stats);
    printf("# %s: %d nodes, %d fused, %d folded, arena %zu KiB, %d threads\n", path, stats.nodes,
           stats.fused, stats.folded, stats.arena_bytes >> 10, threads);
    printf("median_ns %.0f\n", timing_median(t, reps));
    if (profile)
        cnn_graph_print_profile(g, stdout);
    cnn_graph_destroy(g);
    cnn_context_destroy(ctx);
    return 0;
}
