/* Conv (1-D, 2-D, 3-D) on cnn_conv2d_forward. A 1-D convolution is a 2-D
 * one of height 1; a 3-D one is, for each output depth, the sum over kernel
 * depths of 2-D convolutions of one input depth slice with one kernel depth
 * slice (slices gathered into the workspace; depth padding skips slices). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cnn/conv2d.h"
#include "graph_internal.h"

typedef struct conv_params {
    cnn_conv2d_params conv; /* height and width */
    int has_act;            /* a fused activation runs on y in place */
    cnn_activation act;
    float alpha;
    int kd, sd, dd, pad_front; /* depth of a 3-D convolution; kd = 0 otherwise */
    size_t conv_ws, x_slice, w_slice; /* 3-D workspace layout, in bytes */
} conv_params;

static size_t align64(size_t n)
{
    return (n + 63) & ~(size_t)63;
}

/* A 4-D descriptor of a tensor: [N, C, W] as [N, C, 1, W]; for 3-D
 * convolutions one depth slice [N, C, H, W] (data left to the caller). */
static cnn_tensor as_4d(const cnn_tensor *t)
{
    cnn_tensor v = *t;
    v.owns_data = 0;
    v.ndim = 4;
    if (t->ndim == 3) {
        v.shape[3] = t->shape[2];
        v.shape[2] = 1;
    } else if (t->ndim == 5) {
        v.shape[2] = t->shape[3];
        v.shape[3] = t->shape[4];
    }
    return v;
}

static cnn_status conv_prepare(cnn_context *ctx, cnn_graph_node *n)
{
    conv_params *p = n->params;
    cnn_status st = graph_inputs_f32(n);
    if (st != CNN_OK)
        return st;
    const cnn_tensor *x = &n->in[0]->t, *w = &n->in[1]->t;
    if (x->ndim < 3 || w->ndim != x->ndim)
        return cnn_fail(CNN_ERR_SHAPE, "input (%d-D) and weight (%d-D) must both be 3-D to "
                        "5-D", x->ndim, w->ndim);
    int sp = x->ndim - 2, k[3], s[3], d[3], pads[6];
    if ((st = graph_attr_ints_or(n, "kernel_shape", sp, 0, k)) != CNN_OK ||
        (st = graph_attr_ints_or(n, "strides", sp, 1, s)) != CNN_OK ||
        (st = graph_attr_ints_or(n, "dilations", sp, 1, d)) != CNN_OK ||
        (st = graph_attr_ints_or(n, "pads", 2 * sp, 0, pads)) != CNN_OK)
        return st;
    for (int i = 0; i < sp; i++)
        if (k[i] && k[i] != w->shape[2 + i])
            return cnn_fail(CNN_ERR_SHAPE, "kernel_shape[%d] = %d but the weight has %d", i,
                            k[i], w->shape[2 + i]);
    const char *auto_pad = graph_attr_string(n, "auto_pad", "NOTSET");
    int same = !strcmp(auto_pad, "SAME_UPPER") || !strcmp(auto_pad, "SAME_LOWER");
    if (!same && strcmp(auto_pad, "VALID") && strcmp(auto_pad, "NOTSET"))
        return cnn_fail(CNN_ERR_INVALID_ARG, "auto_pad '%s' unknown", auto_pad);
    for (int i = 0; i < sp; i++) {
        if (same)
            graph_pad_same(x->shape[2 + i], w->shape[2 + i], s[i], d[i],
                           !strcmp(auto_pad, "SAME_UPPER"), &pads[i], &pads[sp + i]);
        else if (!strcmp(auto_pad, "VALID"))
            pads[i] = pads[sp + i] = 0;
    }
    /* depth (3-D only), then height and width in the last two slots */
    int depth = sp == 3, od = 1;
    p->kd = 0;
    if (depth) {
        p->kd = w->shape[2], p->sd = s[0], p->dd = d[0], p->pad_front = pads[0];
        int span = (p->kd - 1) * p->dd + 1, padded = x->shape[2] + pads[0] + pads[3];
        if (p->sd < 1 || p->dd < 1 || pads[0] < 0 || pads[3] < 0 || span > padded)
            return cnn_fail(CNN_ERR_SHAPE, "depth: kernel %d (dilation %d, stride %d) does "
                            "not fit the padded input %d", p->kd, p->dd, p->sd, padded);
        od = (padded - span) / p->sd + 1;
    }
    cnn_tensor x4 = as_4d(x), w4 = as_4d(w);
    cnn_conv2d_params *c = &p->conv;
    cnn_conv2d_params_init(c, w4.shape[2], w4.shape[3]);
    c->groups = (int)graph_attr_int(n, "group", 1);
    int hw = sp - 1; /* index of width among the spatial attributes */
    c->stride_w = s[hw], c->dilation_w = d[hw];
    c->pad_left = pads[hw], c->pad_right = pads[sp + hw];
    if (sp > 1) {
        c->stride_h = s[hw - 1], c->dilation_h = d[hw - 1];
        c->pad_top = pads[hw - 1], c->pad_bottom = pads[sp + hw - 1];
    }
    int oh, ow;
    if ((st = cnn_conv2d_output_size(c, x4.shape[2], x4.shape[3], &oh, &ow)) != CNN_OK)
        return st;
    cnn_tensor y4 = { .ndim = 4, .shape = { x->shape[0], w->shape[0], oh, ow } };
    const cnn_tensor *b = n->n_in > 2 && n->in[2] ? &n->in[2]->t : NULL;
    if ((st = cnn_conv2d_check(c, &x4, &w4, b, &y4)) != CNN_OK)
        return st;
    p->conv_ws = align64(cnn_conv2d_workspace_size(c, x4.shape[1], x4.shape[2], x4.shape[3],
                                                   cnn_context_threads(ctx)));
    n->workspace_size = p->conv_ws;
    if (depth) {
        p->x_slice = align64(graph_numel(3, x4.shape + 1) * sizeof(float));
        p->w_slice = align64(graph_numel(4, w4.shape) * sizeof(float));
        n->workspace_size += p->x_slice + p->w_slice +
                             graph_numel(3, y4.shape + 1) * sizeof(float);
    }
    int shape[5] = { x->shape[0], w->shape[0] };
    if (sp == 1)
        shape[2] = ow;
    else if (sp == 2)
        shape[2] = oh, shape[3] = ow;
    else
        shape[2] = od, shape[3] = oh, shape[4] = ow;
    return graph_set_output(n, 0, x->ndim, shape);
}

/* y[:, :, od] of every image: sum over kernel depths of 2-D convolutions. */
static cnn_status conv3d_run(cnn_context *ctx, const conv_params *p, cnn_graph_node *n,
                             char *workspace)
{
    const cnn_tensor *x = &n->in[0]->t, *w = &n->in[1]->t, *y = &n->out[0]->t;
    const cnn_tensor *b = n->n_in > 2 && n->in[2] ? &n->in[2]->t : NULL;
    int cin = x->shape[1], depth = x->shape[2], cout = y->shape[1], od_n = y->shape[2];
    size_t x_plane = (size_t)x->shape[3] * x->shape[4], y_plane = (size_t)y->shape[3] * y->shape[4];
    size_t k_plane = (size_t)w->shape[3] * w->shape[4];
    int w_rows = cout * w->shape[1]; /* (output channel, input channel of group) pairs */
    cnn_tensor xs = as_4d(x), ws = as_4d(w), ys = as_4d(y);
    xs.shape[0] = ys.shape[0] = 1;
    xs.data = (float *)(workspace + p->conv_ws);
    ws.data = (float *)(workspace + p->conv_ws + p->x_slice);
    ys.data = (float *)(workspace + p->conv_ws + p->x_slice + p->w_slice);
    for (int img = 0; img < x->shape[0]; img++)
        for (int od = 0; od < od_n; od++) {
            int first = 1;
            for (int kz = 0; kz < p->kd; kz++) {
                int id = od * p->sd - p->pad_front + kz * p->dd;
                if (id < 0 || id >= depth)
                    continue;
                for (int c = 0; c < cin; c++)
                    memcpy(xs.data + c * x_plane,
                           x->data + (((size_t)img * cin + c) * depth + id) * x_plane,
                           x_plane * sizeof(float));
                for (int r = 0; r < w_rows; r++)
                    memcpy(ws.data + r * k_plane,
                           w->data + ((size_t)r * p->kd + kz) * k_plane,
                           k_plane * sizeof(float));
                cnn_status st = cnn_conv2d_forward(ctx, &p->conv, &xs, &ws, first ? b : NULL,
                                                   &ys, workspace);
                if (st != CNN_OK)
                    return st;
                for (int c = 0; c < cout; c++) {
                    float *dst = y->data + (((size_t)img * cout + c) * od_n + od) * y_plane;
                    const float *src = ys.data + c * y_plane;
                    for (size_t i = 0; i < y_plane; i++)
                        dst[i] = first ? src[i] : dst[i] + src[i];
                }
                first = 0;
            }
            for (int c = 0; first && c < cout; c++) { /* only padding under the kernel */
                float *dst = y->data + (((size_t)img * cout + c) * od_n + od) * y_plane;
                for (size_t i = 0; i < y_plane; i++)
                    dst[i] = b ? b->data[c] : 0.0f;
            }
        }
    return CNN_OK;
}

static cnn_status conv_run(cnn_context *ctx, cnn_graph_node *n, void *workspace)
{
    const conv_params *p = n->params;
    cnn_status st;
    if (p->kd) {
        st = conv3d_run(ctx, p, n, workspace);
    } else {
        cnn_tensor x = as_4d(&n->in[0]->t), w = as_4d(&n->in[1]->t), y = as_4d(&n->out[0]->t);
        const cnn_tensor *b = n->n_in > 2 && n->in[2] ? &n->in[2]->t : NULL;
        /* relu6 is applied in the kernels' stores, not in a second sweep
         * (a 3-D convolution sums several 2-D ones, so it cannot). */
        cnn_conv2d_params c = p->conv;
        if (p->has_act && p->act == CNN_ACT_RELU6) {
            c.clamp = 1;
            c.clamp_min = 0.0f;
            c.clamp_max = 6.0f;
        }
        st = cnn_conv2d_forward(ctx, &c, &x, &w, b, &y, workspace);
        if (c.clamp)
            return st;
    }
    if (st == CNN_OK && p->has_act) {
        cnn_tensor y = n->out[0]->t;
        st = cnn_activation_forward(ctx, p->act, p->alpha, &y, &y);
    }
    return st;
}

int graph_conv_fuse_activation(cnn_graph_node *conv, const cnn_graph_node *act)
{
    conv_params *p = conv->params;
    if (conv->op != &graph_op_conv || p->has_act || !graph_activation_of(act, &p->act, &p->alpha))
        return 0;
    p->has_act = 1;
    return 1;
}

/* A new constant of the given shape named after `base` and `suffix`. */
static cnn_status fused_constant(cnn_graph *g, const char *base, const char *suffix, int ndim,
                                 const int *shape, const float *data, graph_value **out)
{
    char name[256];
    for (int i = 0;; i++) {
        snprintf(name, sizeof name, i ? "%s/%s%d" : "%s/%s", base, suffix, i);
        int taken = 0;
        for (int j = 0; j < g->n_values && !taken; j++)
            taken = !strcmp(g->values[j]->name, name);
        if (!taken)
            break;
    }
    cnn_status st = cnn_graph_add_constant(g, name, ndim, shape, data);
    if (st == CNN_OK)
        *out = g->values[g->n_values - 1];
    return st;
}

cnn_status graph_conv_fuse_batchnorm(cnn_graph *g, cnn_graph_node *conv,
                                     const cnn_graph_node *bn, int *fused)
{
    const conv_params *p = conv->params;
    float eps;
    *fused = 0;
    if (p->has_act || !graph_batchnorm_inference(bn, &eps) ||
        conv->in[1]->kind != VALUE_CONSTANT ||
        (conv->n_in > 2 && conv->in[2] && conv->in[2]->kind != VALUE_CONSTANT))
        return CNN_OK;
    for (int i = 1; i < 5; i++)
        if (bn->in[i]->kind != VALUE_CONSTANT)
            return CNN_OK;
    /* scale = gamma / sqrt(var + eps): w' = w * scale, b' = (b - mean) * scale + beta */
    const cnn_tensor *w = &conv->in[1]->t;
    const float *gamma = bn->in[1]->t.data, *beta = bn->in[2]->t.data;
    const float *mean = bn->in[3]->t.data, *var = bn->in[4]->t.data;
    const float *b = conv->n_in > 2 && conv->in[2] ? conv->in[2]->t.data : NULL;
    int cout = w->shape[0];
    size_t per_channel = graph_numel(w->ndim - 1, w->shape + 1);
    float *nw = malloc(graph_numel(w->ndim, w->shape) * sizeof(float));
    float *nb = malloc((size_t)cout * sizeof(float));
    cnn_status st = CNN_OK;
    if (!nw || !nb)
        st = cnn_fail(CNN_ERR_NOMEM, "fusing batch normalisation: out of memory");
    for (int c = 0; st == CNN_OK && c < cout; c++) {
        double scale = gamma[c] / sqrt((double)var[c] + eps);
        for (size_t i = 0; i < per_channel; i++)
            nw[c * per_channel + i] = (float)(w->data[c * per_channel + i] * scale);
        nb[c] = (float)(((b ? b[c] : 0.0) - mean[c]) * scale + beta[c]);
    }
    graph_value *vw, *vb;
    if (st == CNN_OK &&
        (st = fused_constant(g, bn->name, "fused_weight", w->ndim, w->shape, nw, &vw)) ==
            CNN_OK &&
        (st = fused_constant(g, bn->name, "fused_bias", 1, &cout, nb, &vb)) == CNN_OK) {
        conv->in[1] = vw;
        conv->in[2] = vb;
        conv->n_in = 3;
        *fused = 1;
    }
    free(nw);
    free(nb);
    return st;
}

const graph_op graph_op_conv = { "Conv", 2, 3, 1, 1, sizeof(conv_params), conv_prepare,
                                 conv_run };
