/* Our Canny and 8-bit Sobel magnitude on one gray frame, one thread.
 *
 *   bench_edge FRAME.gray WIDTH HEIGHT REPS [low high aperture l2]
 *
 * Prints median milliseconds of cnn_edge_detect_u8 (Canny, then Sobel L1
 * magnitude) as "key value" lines that canny_vs_cv2.py reads, with the
 * Sobel's bytes (read + written) per second and memcpy's on a 128 MiB
 * buffer (the memory bandwidth). CNN_ISA picks the level. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../timing.h"
#include "cnn/cnn.h"

static double median_ms(cnn_context *ctx, const cnn_edge_params *p, const uint8_t *src,
                        uint8_t *dst, int w, int h, void *ws, int reps)
{
    double *t = malloc((size_t)reps * sizeof *t);
    cnn_edge_detect_u8(ctx, p, src, w, dst, w, w, h, ws); /* warm the pages */
    for (int i = 0; i < reps; i++) {
        double t0 = timing_now_ns();
        cnn_edge_detect_u8(ctx, p, src, w, dst, w, w, h, ws);
        t[i] = (timing_now_ns() - t0) * 1e-6;
    }
    double m = timing_median(t, reps);
    free(t);
    return m;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s FRAME.gray WIDTH HEIGHT REPS [low high aperture l2]\n",
                argv[0]);
        return 2;
    }
    int w = atoi(argv[2]), h = atoi(argv[3]), reps = atoi(argv[4]);
    size_t n = (size_t)w * h;
    uint8_t *src = cnn_aligned_alloc(n), *dst = cnn_aligned_alloc(n);
    FILE *f = fopen(argv[1], "rb");
    if (!f || fread(src, 1, n, f) != n) {
        fprintf(stderr, "cannot read %zu bytes from %s\n", n, argv[1]);
        return 1;
    }
    fclose(f);
    cnn_context *ctx;
    if (cnn_context_create(&ctx, 1) != CNN_OK || reps < 1)
        return 1;

    cnn_edge_params canny, sobel;
    cnn_edge_params_init(&canny, CNN_EDGE_CANNY);
    if (argc >= 9) {
        canny.threshold_low = (float)atof(argv[5]);
        canny.threshold_high = (float)atof(argv[6]);
        canny.aperture = atoi(argv[7]);
        canny.norm = atoi(argv[8]) ? CNN_EDGE_L2 : CNN_EDGE_L1;
    }
    cnn_edge_params_init(&sobel, CNN_EDGE_SOBEL);
    void *ws = cnn_aligned_alloc(cnn_edge_workspace_size(&canny, w, h, 1) +
                                 cnn_edge_workspace_size(&sobel, w, h, 1));
    if (cnn_edge_detect_u8(ctx, &canny, src, w, dst, w, w, h, ws) != CNN_OK) {
        fprintf(stderr, "%s\n", cnn_last_error());
        return 1;
    }
    double canny_ms = median_ms(ctx, &canny, src, dst, w, h, ws, reps);
    size_t edges = 0;
    for (size_t i = 0; i < n; i++)
        edges += dst[i] != 0;
    double sobel_ms = median_ms(ctx, &sobel, src, dst, w, h, ws, reps);

    /* Memory bandwidth: memcpy of a buffer far larger than the caches. */
    size_t big = (size_t)128 << 20;
    uint8_t *from = cnn_aligned_alloc(big), *to = cnn_aligned_alloc(big);
    memset(from, 1, big);
    memset(to, 2, big);
    double *t = malloc((size_t)reps * sizeof *t);
    for (int i = 0; i < reps; i++) {
        double t0 = timing_now_ns();
        memcpy(to, from, big);
        t[i] = (timing_now_ns() - t0) * 1e-6;
        from[i] = to[big - 1 - i]; /* keep the copy observable */
    }
    double copy_gbs = 2.0 * big / (timing_median(t, reps) * 1e6);
    double sobel_gbs = 2.0 * n / (sobel_ms * 1e6);
    cnn_aligned_free(from);
    cnn_aligned_free(to);

    printf("isa %s\n", cnn_cpu_level_name(cnn_context_cpu_flags(ctx)));
    printf("canny_ms %.4f\n", canny_ms);
    printf("canny_edges %zu\n", edges);
    printf("sobel_ms %.4f\n", sobel_ms);
    printf("sobel_gbs %.2f\n", sobel_gbs);
    printf("memcpy_gbs %.2f\n", copy_gbs);
    free(t);
    cnn_aligned_free(ws);
    cnn_aligned_free(src);
    cnn_aligned_free(dst);
    cnn_context_destroy(ctx);
    return 0;
}
