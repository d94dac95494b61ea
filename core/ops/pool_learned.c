/* Learned pooling of Lee, Gallagher & Tu, "Generalizing Pooling Functions
 * in Convolutional Neural Networks: Mixed, Gated, and Tree" (AISTATS 2016):
 * mixed max-average with a learned alpha, gated max-average, and tree
 * pooling of depth 2 (two leaf filters, one gating node). Forward and
 * backward with parameter gradients; parameters are shared by the channels
 * of a layer. Per-plane parameter gradients go to the workspace and are
 * summed in plane order, so any thread count gives the same bits. */
#include <math.h>
#include <string.h>

#include "pool_internal.h"

#define LEARNED_MAX_TAPS (32 * 32)

typedef enum learned_kind { LEARNED_MIXED, LEARNED_GATED, LEARNED_TREE } learned_kind;

typedef struct learned_job {
    learned_kind kind;
    cnn_pool2d_window win;
    int h, w, oh, ow;
    const float *x;
    float alpha;        /* mixed */
    const float *gate;  /* gated, tree: [kh * kw] */
    const float *leaves; /* tree: [2][kh * kw] */
    float *y;            /* forward */
    const float *dy;     /* backward */
    float *dx;
    float *partial; /* backward: per plane, n_params values */
    int n_params;
} learned_job;

/* The window at (iy0, ix0) as kh * kw taps (zeros outside the input), its
 * max, argmax tap (-1 if none inside) and average. */
typedef struct window_taps {
    float v[LEARNED_MAX_TAPS];
    int inside[LEARNED_MAX_TAPS];
    float max, avg;
    int argmax;
    int count; /* divisor of the average, 0 if none */
} window_taps;

static void gather(const learned_job *j, const float *src, int iy0, int ix0, window_taps *t)
{
    const cnn_pool2d_window *win = &j->win;
    float sum = 0.0f;
    t->max = -INFINITY;
    t->argmax = -1;
    for (int ky = 0; ky < win->kh; ky++) {
        int iy = iy0 + ky * win->dil_h;
        for (int kx = 0; kx < win->kw; kx++) {
            int ix = ix0 + kx * win->dil_w, k = ky * win->kw + kx;
            t->inside[k] = iy >= 0 && iy < j->h && ix >= 0 && ix < j->w;
            t->v[k] = t->inside[k] ? src[(size_t)iy * j->w + ix] : 0.0f;
            if (!t->inside[k])
                continue;
            sum += t->v[k];
            if (t->argmax < 0 || t->v[k] > t->max || isnan(t->v[k])) {
                t->max = t->v[k];
                t->argmax = k;
            }
        }
    }
    t->count = cnn_pool2d_avg_count(win, j->h, j->w, iy0, ix0);
    t->avg = t->count ? sum / (float)t->count : 0.0f;
}

static float dot(const float *a, const float *b, int n)
{
    float s = 0.0f;
    for (int i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

static float sigmoid(float z)
{
    return 1.0f / (1.0f + expf(-z));
}

/* Flat input position of tap k of the window at (iy0, ix0). */
static size_t tap_offset(const learned_job *j, int iy0, int ix0, int k)
{
    int ky = k / j->win.kw, kx = k % j->win.kw;
    return (size_t)(iy0 + ky * j->win.dil_h) * j->w + (ix0 + kx * j->win.dil_w);
}

static void learned_forward_plane(const void *arg, int plane)
{
    const learned_job *j = arg;
    const float *src = j->x + (size_t)plane * j->h * j->w;
    float *dst = j->y + (size_t)plane * j->oh * j->ow;
    int nk = j->win.kh * j->win.kw;
    window_taps t;
    for (int oy = 0; oy < j->oh; oy++)
        for (int ox = 0; ox < j->ow; ox++) {
            gather(j, src, oy * j->win.stride_h - j->win.pad_top,
                   ox * j->win.stride_w - j->win.pad_left, &t);
            float out;
            if (j->kind == LEARNED_MIXED) {
                out = j->alpha * t.max + (1.0f - j->alpha) * t.avg;
            } else {
                float s = sigmoid(dot(j->gate, t.v, nk));
                if (j->kind == LEARNED_GATED)
                    out = s * t.max + (1.0f - s) * t.avg;
                else
                    out = s * dot(j->leaves, t.v, nk) + (1.0f - s) * dot(j->leaves + nk, t.v, nk);
            }
            dst[(size_t)oy * j->ow + ox] = out;
        }
}

static void learned_backward_plane(const void *arg, int plane)
{
    const learned_job *j = arg;
    const float *src = j->x + (size_t)plane * j->h * j->w;
    const float *dy = j->dy + (size_t)plane * j->oh * j->ow;
    float *dx = j->dx + (size_t)plane * j->h * j->w;
    float *dp = j->partial + (size_t)plane * j->n_params;
    int nk = j->win.kh * j->win.kw;
    memset(dx, 0, (size_t)j->h * j->w * sizeof *dx);
    memset(dp, 0, (size_t)j->n_params * sizeof *dp);
    window_taps t;
    for (int oy = 0; oy < j->oh; oy++)
        for (int ox = 0; ox < j->ow; ox++) {
            int iy0 = oy * j->win.stride_h - j->win.pad_top;
            int ix0 = ox * j->win.stride_w - j->win.pad_left;
            gather(j, src, iy0, ix0, &t);
            float g = dy[(size_t)oy * j->ow + ox];
            if (j->kind == LEARNED_TREE) {
                const float *v1 = j->leaves, *v2 = j->leaves + nk;
                float s = sigmoid(dot(j->gate, t.v, nk));
                float dz = g * (dot(v1, t.v, nk) - dot(v2, t.v, nk)) * s * (1.0f - s);
                for (int k = 0; k < nk; k++) {
                    dp[k] += s * g * t.v[k];                /* dv1 */
                    dp[nk + k] += (1.0f - s) * g * t.v[k];  /* dv2 */
                    dp[2 * nk + k] += dz * t.v[k];          /* dgate */
                    if (t.inside[k])
                        dx[tap_offset(j, iy0, ix0, k)] +=
                            g * (s * v1[k] + (1.0f - s) * v2[k]) + dz * j->gate[k];
                }
                continue;
            }
            /* mixed and gated: weight s of the max, 1 - s of the average */
            float s = j->alpha;
            if (j->kind == LEARNED_GATED) {
                s = sigmoid(dot(j->gate, t.v, nk));
                float dz = g * (t.max - t.avg) * s * (1.0f - s);
                for (int k = 0; k < nk; k++) {
                    dp[k] += dz * t.v[k];
                    if (t.inside[k])
                        dx[tap_offset(j, iy0, ix0, k)] += dz * j->gate[k];
                }
            } else {
                dp[0] += g * (t.max - t.avg);
            }
            if (t.argmax >= 0)
                dx[tap_offset(j, iy0, ix0, t.argmax)] += s * g;
            if (t.count) {
                float share = (1.0f - s) * g / (float)t.count;
                for (int k = 0; k < nk; k++)
                    if (t.inside[k])
                        dx[tap_offset(j, iy0, ix0, k)] += share;
            }
        }
}

size_t cnn_pool2d_learned_workspace_size(const cnn_pool2d_params *p, const cnn_tensor *x)
{
    /* room for the largest of the three: tree's 3 * kh * kw per plane */
    if (x->ndim != 4 || p->kernel_h < 1 || p->kernel_w < 1)
        return 0;
    return (size_t)x->shape[0] * x->shape[1] * 3 * p->kernel_h * p->kernel_w * sizeof(float);
}

static cnn_status learned_setup(const cnn_pool2d_params *p, const cnn_tensor *x,
                                const cnn_tensor *y, learned_kind kind, const cnn_tensor *gate,
                                const cnn_tensor *leaves, learned_job *j)
{
    static const char *const names[] = { "mixed", "gated", "tree" };
    cnn_pool2d_params avg = *p;
    avg.mode = CNN_POOL_AVG;
    cnn_status st = cnn_pool2d_check(&avg, x, y);
    if (st != CNN_OK)
        return st;
    size_t nk = (size_t)p->kernel_h * p->kernel_w;
    if (nk > LEARNED_MAX_TAPS)
        return cnn_fail(CNN_ERR_UNSUPPORTED, "pool2d %s: window %dx%d, at most 32x32 taps",
                        names[kind], p->kernel_w, p->kernel_h);
    if (gate && cnn_tensor_numel(gate) != nk)
        return cnn_fail(CNN_ERR_SHAPE, "pool2d %s: gate has %zu values, expected %zu (kh*kw)",
                        names[kind], cnn_tensor_numel(gate), nk);
    if (leaves && cnn_tensor_numel(leaves) != 2 * nk)
        return cnn_fail(CNN_ERR_SHAPE, "pool2d %s: leaves have %zu values, expected %zu "
                        "(2*kh*kw)", names[kind], cnn_tensor_numel(leaves), 2 * nk);
    *j = (learned_job){
        .kind = kind, .h = x->shape[2], .w = x->shape[3], .oh = y->shape[2], .ow = y->shape[3],
        .x = x->data, .gate = gate ? gate->data : NULL, .leaves = leaves ? leaves->data : NULL,
        .n_params = kind == LEARNED_MIXED ? 1 : kind == LEARNED_GATED ? (int)nk : 3 * (int)nk,
    };
    cnn_pool2d_window_from_params(p, &j->win);
    return CNN_OK;
}

/* Run the backward pass and sum the per-plane parameter gradients: the
 * first n_first go to dfirst, the others to drest. */
static cnn_status learned_backward(cnn_context *ctx, learned_job *j, const cnn_tensor *x,
                                   const cnn_tensor *dy, cnn_tensor *dx, void *workspace, float *dfirst,
                                   int n_first, float *drest)
{
    if (!workspace)
        return cnn_fail(CNN_ERR_INVALID_ARG, "pool2d learned: backward needs a workspace");
    if (!cnn_tensor_same_shape(dx, x))
        return cnn_fail(CNN_ERR_SHAPE, "pool2d learned: dx must have the shape of x");
    j->dy = dy->data;
    j->dx = dx->data;
    j->partial = workspace;
    int planes = dx->shape[0] * dx->shape[1];
    cnn_pool_run_planes(ctx, planes, learned_backward_plane, j);
    for (int k = 0; k < j->n_params; k++) {
        float sum = 0.0f;
        for (int pl = 0; pl < planes; pl++)
            sum += j->partial[(size_t)pl * j->n_params + k];
        if (k < n_first)
            dfirst[k] = sum;
        else
            drest[k - n_first] = sum;
    }
    return CNN_OK;
}

static cnn_status learned_forward(cnn_context *ctx, const cnn_pool2d_params *p,
                                  const cnn_tensor *x, learned_kind kind, float alpha,
                                  const cnn_tensor *gate, const cnn_tensor *leaves,
                                  cnn_tensor *y)
{
    learned_job j;
    cnn_status st = learned_setup(p, x, y, kind, gate, leaves, &j);
    if (st != CNN_OK)
        return st;
    j.alpha = alpha;
    j.y = y->data;
    cnn_pool_run_planes(ctx, x->shape[0] * x->shape[1], learned_forward_plane, &j);
    return CNN_OK;
}

cnn_status cnn_pool2d_mixed_forward(cnn_context *ctx, const cnn_pool2d_params *p,
                                    const cnn_tensor *x, float alpha, cnn_tensor *y)
{
    return learned_forward(ctx, p, x, LEARNED_MIXED, alpha, NULL, NULL, y);
}

cnn_status cnn_pool2d_mixed_backward(cnn_context *ctx, const cnn_pool2d_params *p,
                                     const cnn_tensor *x, float alpha, const cnn_tensor *dy,
                                     cnn_tensor *dx, float *dalpha, void *workspace)
{
    learned_job j;
    cnn_status st = learned_setup(p, x, dy, LEARNED_MIXED, NULL, NULL, &j);
    if (st != CNN_OK)
        return st;
    j.alpha = alpha;
    return learned_backward(ctx, &j, x, dy, dx, workspace, dalpha, 1, NULL);
}

cnn_status cnn_pool2d_gated_forward(cnn_context *ctx, const cnn_pool2d_params *p,
                                    const cnn_tensor *x, const cnn_tensor *gate,
                                    cnn_tensor *y)
{
    return learned_forward(ctx, p, x, LEARNED_GATED, 0.0f, gate, NULL, y);
}

cnn_status cnn_pool2d_gated_backward(cnn_context *ctx, const cnn_pool2d_params *p,
                                     const cnn_tensor *x, const cnn_tensor *gate,
                                     const cnn_tensor *dy, cnn_tensor *dx, cnn_tensor *dgate,
                                     void *workspace)
{
    learned_job j;
    cnn_status st = learned_setup(p, x, dy, LEARNED_GATED, gate, NULL, &j);
    if (st != CNN_OK)
        return st;
    if (cnn_tensor_numel(dgate) != (size_t)j.n_params)
        return cnn_fail(CNN_ERR_SHAPE, "pool2d gated: dgate must have kh*kw values");
    return learned_backward(ctx, &j, x, dy, dx, workspace, dgate->data, j.n_params, NULL);
}

cnn_status cnn_pool2d_tree_forward(cnn_context *ctx, const cnn_pool2d_params *p,
                                   const cnn_tensor *x, const cnn_tensor *leaves,
                                   const cnn_tensor *gate, cnn_tensor *y)
{
    return learned_forward(ctx, p, x, LEARNED_TREE, 0.0f, gate, leaves, y);
}

cnn_status cnn_pool2d_tree_backward(cnn_context *ctx, const cnn_pool2d_params *p,
                                    const cnn_tensor *x, const cnn_tensor *leaves,
                                    const cnn_tensor *gate, const cnn_tensor *dy,
                                    cnn_tensor *dx, cnn_tensor *dleaves, cnn_tensor *dgate,
                                    void *workspace)
{
    learned_job j;
    cnn_status st = learned_setup(p, x, dy, LEARNED_TREE, gate, leaves, &j);
    if (st != CNN_OK)
        return st;
    int nk = p->kernel_h * p->kernel_w;
    if (cnn_tensor_numel(dleaves) != (size_t)2 * nk || cnn_tensor_numel(dgate) != (size_t)nk)
        return cnn_fail(CNN_ERR_SHAPE, "pool2d tree: dleaves needs 2*kh*kw values and dgate "
                        "kh*kw");
    return learned_backward(ctx, &j, x, dy, dx, workspace, dleaves->data, 2 * nk, dgate->data);
}
