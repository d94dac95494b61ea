/* Our augmentation steps on one packed RGB 8-bit frame, one thread.
 *
 *   bench_augment FRAME.rgb WIDTH HEIGHT REPS DESCRIPTION...
 *
 * For each description prints "ms DESCRIPTION" with the median
 * milliseconds of cnn_augment_draw (seed 1, the rep as frame key) and
 * cnn_augment_apply, packed in and out, like a peer drawing on every call.
 * augment_vs_torchvision.py runs it. */
#include <stdio.h>
#include <stdlib.h>

#include "../timing.h"
#include "cnn/cnn.h"

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: %s FRAME.rgb WIDTH HEIGHT REPS DESCRIPTION...\n", argv[0]);
        return 2;
    }
    int w = atoi(argv[2]), h = atoi(argv[3]), reps = atoi(argv[4]);
    size_t n = (size_t)w * h * 3;
    uint8_t *src = cnn_aligned_alloc(n);
    FILE *f = fopen(argv[1], "rb");
    if (!f || fread(src, 1, n, f) != n) {
        fprintf(stderr, "cannot read %zu bytes from %s\n", n, argv[1]);
        return 1;
    }
    fclose(f);
    cnn_context *ctx;
    if (cnn_context_create(&ctx, 1) != CNN_OK)
        return 1;
    double *t = malloc((size_t)reps * sizeof *t);
    for (int a = 5; a < argc; a++) {
        cnn_augment_chain *chain;
        cnn_augment_params p;
        int ow, oh, oc;
        if (cnn_augment_chain_parse(&chain, argv[a]) != CNN_OK ||
            cnn_augment_chain_output_shape(chain, w, h, 3, &ow, &oh, &oc) != CNN_OK ||
            cnn_augment_draw(chain, 1, 0, 0, w, h, 3, &p) != CNN_OK) {
            fprintf(stderr, "%s\n", cnn_last_error());
            return 1;
        }
        size_t ws_size = cnn_augment_workspace_size(chain, w, h, 3, CNN_FRAME_U8, 1);
        void *ws = cnn_aligned_alloc(ws_size ? ws_size : 1);
        uint8_t *dst = cnn_aligned_alloc((size_t)ow * oh * oc);
        cnn_frame in, out;
        cnn_frame_init(&in, src, w, h, 3, CNN_FRAME_U8, CNN_FRAME_PACKED);
        cnn_frame_init(&out, dst, ow, oh, oc, CNN_FRAME_U8, CNN_FRAME_PACKED);
        cnn_augment_apply(ctx, chain, &p, &in, &out, ws); /* warm the pages */
        for (int i = 0; i < reps; i++) {
            double t0 = timing_now_ns();
            cnn_augment_draw(chain, 1, (uint64_t)i + 1, 0, w, h, 3, &p);
            cnn_augment_apply(ctx, chain, &p, &in, &out, ws);
            t[i] = (timing_now_ns() - t0) * 1e-6;
        }
        printf("%.4f %s\n", timing_median(t, reps), argv[a]);
        cnn_aligned_free(dst);
        cnn_aligned_free(ws);
        cnn_augment_chain_free(chain);
    }
    free(t);
    cnn_context_destroy(ctx);
    cnn_aligned_free(src);
    return 0;
}
