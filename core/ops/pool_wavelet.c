/* Wavelet pooling (Williams & Li, ICLR 2018) with the Haar wavelet: keep
 * the low-low band of a one-level orthonormal decomposition. Its analysis
 * filter is (1, 1) / sqrt(2) on each axis, so every 2x2 block gives
 * (a + b + c + d) / 2; an odd last row or column is repeated (symmetric
 * extension). Forward and backward. */
#include <string.h>

#include "pool_internal.h"

typedef struct wavelet_job {
    const float *src;
    float *dst;
    int h, w, oh, ow;
} wavelet_job;

static void wavelet_forward_plane(const void *arg, int plane)
{
    const wavelet_job *j = arg;
    const float *src = j->src + (size_t)plane * j->h * j->w;
    float *dst = j->dst + (size_t)plane * j->oh * j->ow;
    for (int oy = 0; oy < j->oh; oy++) {
        const float *r0 = src + (size_t)(2 * oy) * j->w;
        const float *r1 = 2 * oy + 1 < j->h ? r0 + j->w : r0;
        for (int ox = 0; ox < j->ow; ox++) {
            int x0 = 2 * ox, x1 = 2 * ox + 1 < j->w ? 2 * ox + 1 : 2 * ox;
            dst[(size_t)oy * j->ow + ox] = 0.5f * (r0[x0] + r0[x1] + r1[x0] + r1[x1]);
        }
    }
}

/* The transpose of the forward map: each output spreads half its gradient
 * to the four taps it read (a repeated edge pixel collects twice). */
static void wavelet_backward_plane(const void *arg, int plane)
{
    const wavelet_job *j = arg;
    const float *dy = j->src + (size_t)plane * j->oh * j->ow;
    float *dx = j->dst + (size_t)plane * j->h * j->w;
    memset(dx, 0, (size_t)j->h * j->w * sizeof *dx);
    for (int oy = 0; oy < j->oh; oy++) {
        float *r0 = dx + (size_t)(2 * oy) * j->w;
        float *r1 = 2 * oy + 1 < j->h ? r0 + j->w : r0;
        for (int ox = 0; ox < j->ow; ox++) {
            int x0 = 2 * ox, x1 = 2 * ox + 1 < j->w ? 2 * ox + 1 : 2 * ox;
            float g = 0.5f * dy[(size_t)oy * j->ow + ox];
            r0[x0] += g;
            r0[x1] += g;
            r1[x0] += g;
            r1[x1] += g;
        }
    }
}

cnn_status cnn_pool_wavelet_forward(cnn_context *ctx, const cnn_tensor *x, cnn_tensor *y)
{
    wavelet_job job = { x->data, y->data, x->shape[2], x->shape[3], y->shape[2], y->shape[3] };
    cnn_pool_run_planes(ctx, x->shape[0] * x->shape[1], wavelet_forward_plane, &job);
    return CNN_OK;
}

cnn_status cnn_pool_wavelet_backward(cnn_context *ctx, const cnn_tensor *dy, cnn_tensor *dx)
{
    wavelet_job job = { dy->data, dx->data, dx->shape[2], dx->shape[3], dy->shape[2],
                        dy->shape[3] };
    cnn_pool_run_planes(ctx, dx->shape[0] * dx->shape[1], wavelet_backward_plane, &job);
    return CNN_OK;
}
