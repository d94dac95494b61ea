/* Global, adaptive and spatial pyramid pooling (He et al. 2014), forward
 * and backward. All three cut the plane into n_h x n_w cells by PyTorch's
 * adaptive rule; global is one cell, a pyramid is one grid per level laid
 * out along the output row. */
#include <math.h>
#include <string.h>

#include "pool_internal.h"

/* The grids of a mode: count, and cells per side of grid g. */
static int grid_count(const cnn_pool2d_params *p)
{
    if (p->mode == CNN_POOL_PYRAMID_MAX || p->mode == CNN_POOL_PYRAMID_AVG)
        return p->n_levels;
    return 1;
}

static void grid_size(const cnn_pool2d_params *p, int g, int *nh, int *nw)
{
    switch (p->mode) {
    case CNN_POOL_ADAPTIVE_MAX:
    case CNN_POOL_ADAPTIVE_AVG:
        *nh = p->output_h, *nw = p->output_w;
        break;
    case CNN_POOL_PYRAMID_MAX:
    case CNN_POOL_PYRAMID_AVG:
        *nh = *nw = p->levels[g];
        break;
    default:
        *nh = *nw = 1;
        break;
    }
}

static int mode_is_max(cnn_pool_mode m)
{
    return m == CNN_POOL_GLOBAL_MAX || m == CNN_POOL_ADAPTIVE_MAX || m == CNN_POOL_PYRAMID_MAX;
}

typedef struct cells_job {
    const cnn_pool2d_params *p;
    const float *x;
    const float *dy;
    float *y;  /* forward output, or dx in the backward pass */
    const int32_t *indices_in;
    int32_t *indices_out;
    int h, w, out_len; /* input plane, output values per plane */
} cells_job;

/* Max over rows [y0, y1) x columns [x0, x1): first of ties, NaN wins. */
static float cell_max(const float *src, int w, int y0, int y1, int x0, int x1, int32_t *at)
{
    float best = -INFINITY;
    *at = y0 * w + x0;
    for (int iy = y0; iy < y1; iy++)
        for (int ix = x0; ix < x1; ix++) {
            float v = src[(size_t)iy * w + ix];
            if (v > best || isnan(v)) {
                best = v;
                *at = iy * w + ix;
            }
        }
    return best;
}

/* Walks the cells of every grid in output order. */
typedef struct cell_iter {
    const cnn_pool2d_params *p;
    int h, w;
    int grid, nh, nw, cy, cx;
    int y0, y1, x0, x1; /* the current cell */
} cell_iter;

static void cell_start(cell_iter *it, const cnn_pool2d_params *p, int h, int w)
{
    *it = (cell_iter){ .p = p, .h = h, .w = w, .cx = -1 };
    grid_size(p, 0, &it->nh, &it->nw);
}

/* Move to the next cell; 0 after the last. */
static int cell_next(cell_iter *it)
{
    if (++it->cx == it->nw) {
        it->cx = 0;
        if (++it->cy == it->nh) {
            it->cy = 0;
            if (++it->grid == grid_count(it->p))
                return 0;
            grid_size(it->p, it->grid, &it->nh, &it->nw);
        }
    }
    cnn_pool_adaptive_range(it->cy, it->nh, it->h, &it->y0, &it->y1);
    cnn_pool_adaptive_range(it->cx, it->nw, it->w, &it->x0, &it->x1);
    return 1;
}

/* Partial sums of a run of floats: a multiple of any vector width, so the
 * compiler keeps them in vector registers instead of one serial chain of
 * adds (a 14x14 plane would wait on 196 dependent additions). */
#define SUM_LANES 16

static float sum_run(const float *p, size_t n)
{
    float acc[SUM_LANES] = { 0 };
    size_t i = 0;
    for (; i + SUM_LANES <= n; i += SUM_LANES)
        for (int q = 0; q < SUM_LANES; q++)
            acc[q] += p[i + q];
    for (; i < n; i++)
        acc[i % SUM_LANES] += p[i];
    float sum = 0.0f;
    for (int q = 0; q < SUM_LANES; q++)
        sum += acc[q];
    return sum;
}

static void cells_forward_plane(const void *arg, int plane)
{
    const cells_job *j = arg;
    const float *src = j->x + (size_t)plane * j->h * j->w;
    float *dst = j->y + (size_t)plane * j->out_len;
    int32_t *idx = j->indices_out ? j->indices_out + (size_t)plane * j->out_len : NULL;
    int is_max = mode_is_max(j->p->mode);
    cell_iter c;
    for (cell_start(&c, j->p, j->h, j->w); cell_next(&c); dst++) {
        if (is_max) {
            int32_t at;
            *dst = cell_max(src, j->w, c.y0, c.y1, c.x0, c.x1, &at);
            if (idx)
                *idx++ = at;
            continue;
        }
        float sum = 0.0f;
        if (c.x0 == 0 && c.x1 == j->w) /* whole rows (global pooling): one run */
            sum = sum_run(src + (size_t)c.y0 * j->w, (size_t)(c.y1 - c.y0) * j->w);
        else
            for (int iy = c.y0; iy < c.y1; iy++)
                for (int ix = c.x0; ix < c.x1; ix++)
                    sum += src[(size_t)iy * j->w + ix];
        *dst = sum / (float)((c.y1 - c.y0) * (c.x1 - c.x0));
    }
}

static void cells_backward_plane(const void *arg, int plane)
{
    const cells_job *j = arg;
    const float *src = j->x ? j->x + (size_t)plane * j->h * j->w : NULL;
    const float *dy = j->dy + (size_t)plane * j->out_len;
    const int32_t *idx = j->indices_in ? j->indices_in + (size_t)plane * j->out_len : NULL;
    float *dx = j->y + (size_t)plane * j->h * j->w;
    int is_max = mode_is_max(j->p->mode);
    memset(dx, 0, (size_t)j->h * j->w * sizeof *dx);
    cell_iter c;
    for (cell_start(&c, j->p, j->h, j->w); cell_next(&c); dy++) {
        if (is_max) {
            int32_t at;
            if (idx)
                at = *idx++;
            else
                cell_max(src, j->w, c.y0, c.y1, c.x0, c.x1, &at);
            dx[at] += *dy;
            continue;
        }
        float share = *dy / (float)((c.y1 - c.y0) * (c.x1 - c.x0));
        for (int iy = c.y0; iy < c.y1; iy++)
            for (int ix = c.x0; ix < c.x1; ix++)
                dx[(size_t)iy * j->w + ix] += share;
    }
}

cnn_status cnn_pool_adaptive_forward(cnn_context *ctx, const cnn_pool2d_params *p,
                                     const cnn_tensor *x, cnn_tensor *y, int32_t *indices)
{
    cells_job job = {
        .p = p, .x = x->data, .y = y->data,
        .indices_out = mode_is_max(p->mode) ? indices : NULL,
        .h = x->shape[2], .w = x->shape[3], .out_len = y->shape[2] * y->shape[3],
    };
    cnn_pool_run_planes(ctx, x->shape[0] * x->shape[1], cells_forward_plane, &job);
    return CNN_OK;
}

cnn_status cnn_pool_adaptive_backward(cnn_context *ctx, const cnn_pool2d_params *p,
                                      const cnn_tensor *x, const cnn_tensor *dy,
                                      const int32_t *indices, cnn_tensor *dx)
{
    cells_job job = {
        .p = p, .x = x ? x->data : NULL, .dy = dy->data, .y = dx->data,
        .indices_in = mode_is_max(p->mode) ? indices : NULL,
        .h = dx->shape[2], .w = dx->shape[3], .out_len = dy->shape[2] * dy->shape[3],
    };
    cnn_pool_run_planes(ctx, dx->shape[0] * dx->shape[1], cells_backward_plane, &job);
    return CNN_OK;
}
