/* MaxPool, AveragePool (1-D, 2-D, 3-D), LpPool (1-D, 2-D), GlobalAveragePool
 * and GlobalMaxPool (any rank) on cnn_pool2d_forward. A 1-D pool is a 2-D one
 * of height 1; a global pool sees the spatial dimensions as one row. Box
 * windows are separable: a 3-D pool is the 2-D pool of every depth slice
 * (the planes of [N, C * D, H, W]) into the workspace, then a max or a mean
 * over each depth window, whose divisor multiplies the 2-D one.
 *
 * ONNX allows padding wider than half the window, which cnn_pool2d (like
 * PyTorch) refuses: then the input is padded into the workspace first (-inf
 * for max, 0 otherwise) and pooled without padding; an average that must not
 * count padding is pooled as a sum and divided by each window's real taps. */
#include <math.h>
#include <string.h>

#include "cnn/pool.h"
#include "graph_internal.h"

typedef struct pool_params {
    cnn_pool2d_params pool;
    int view[4];   /* x as [N, C, H, W] */
    int prepad;    /* pad into the workspace first */
    int pad[4];    /* top, bottom, left, right of the prepad */
    int real_taps; /* divide sums by the taps inside the input */
    int depth;     /* 3-D: input depth, else 0; then the depth window: */
    int kd, sd, dd, pad_front, pad_back, out_depth, depth_include_pad;
    size_t slices_offset; /* bytes: the 2-D results of every depth slice */
} pool_params;

static void prepad_planes(const pool_params *p, const float *x, float *dst)
{
    int h = p->view[2], w = p->view[3];
    int ph = h + p->pad[0] + p->pad[1], pw = w + p->pad[2] + p->pad[3];
    float fill = p->pool.mode == CNN_POOL_MAX ? -INFINITY : 0.0f;
    for (size_t c = 0; c < (size_t)p->view[0] * p->view[1]; c++)
        for (int y = 0; y < ph; y++) {
            float *row = dst + (c * ph + y) * pw;
            int sy = y - p->pad[0];
            for (int i = 0; i < pw; i++)
                row[i] = fill;
            if (sy >= 0 && sy < h)
                memcpy(row + p->pad[2], x + (c * h + sy) * w, (size_t)w * sizeof(float));
        }
}

/* Taps of a window starting at `start` (padded coordinates) inside [0, in). */
static int taps_inside(int start, int k, int dil, int in)
{
    int count = 0;
    for (int i = 0; i < k; i++)
        count += start + i * dil >= 0 && start + i * dil < in;
    return count;
}

static void divide_by_real_taps(const pool_params *p, float *y, int oh, int ow)
{
    const cnn_pool2d_params *q = &p->pool;
    for (size_t c = 0; c < (size_t)p->view[0] * p->view[1]; c++)
        for (int oy = 0; oy < oh; oy++) {
            int ty = taps_inside(oy * q->stride_h - p->pad[0], q->kernel_h, q->dilation_h,
                                 p->view[2]);
            for (int ox = 0; ox < ow; ox++) {
                int tx = taps_inside(ox * q->stride_w - p->pad[2], q->kernel_w,
                                     q->dilation_w, p->view[3]);
                y[(c * oh + oy) * ow + ox] /= (float)(ty * tx);
            }
        }
}

/* Max or mean over each depth window of the pooled slices [N, C, D, plane]. */
static void pool_depth(const pool_params *p, const float *slices, size_t plane, float *y)
{
    int planes = p->view[1] / p->depth; /* N * C images of depth D */
    for (size_t img = 0; img < (size_t)p->view[0] * planes; img++)
        for (int od = 0; od < p->out_depth; od++) {
            float *out = y + (img * p->out_depth + od) * plane;
            int taps = 0, padded_taps = 0;
            for (int kz = 0; kz < p->kd; kz++) {
                int id = od * p->sd - p->pad_front + kz * p->dd;
                padded_taps += id < p->depth + p->pad_back; /* PyTorch: up to the border */
                if (id < 0 || id >= p->depth)
                    continue;
                const float *in = slices + (img * p->depth + id) * plane;
                for (size_t i = 0; i < plane; i++)
                    out[i] = !taps ? in[i]
                             : p->pool.mode == CNN_POOL_MAX ? (in[i] > out[i] || isnan(in[i])
                                                                   ? in[i] : out[i])
                                                            : out[i] + in[i];
                taps++;
            }
            if (p->pool.mode == CNN_POOL_AVG) {
                float div = (float)(p->depth_include_pad ? padded_taps : taps);
                for (size_t i = 0; i < plane; i++)
                    out[i] /= div;
            }
        }
}

static cnn_status pool_run(cnn_context *ctx, cnn_graph_node *n, void *workspace)
{
    const pool_params *p = n->params;
    cnn_tensor x = { .ndim = 4, .shape = { p->view[0], p->view[1], p->view[2], p->view[3] },
                     .data = n->in[0]->t.data };
    if (p->prepad) {
        prepad_planes(p, x.data, workspace);
        x.data = workspace;
        x.shape[2] += p->pad[0] + p->pad[1];
        x.shape[3] += p->pad[2] + p->pad[3];
    }
    int oh, ow;
    cnn_status st = cnn_pool2d_output_size(&p->pool, x.shape[2], x.shape[3], &oh, &ow);
    if (st != CNN_OK)
        return st;
    cnn_tensor y = { .ndim = 4, .shape = { p->view[0], p->view[1], oh, ow },
                     .data = p->depth ? (float *)((char *)workspace + p->slices_offset)
                                      : n->out[0]->t.data };
    if ((st = cnn_pool2d_forward(ctx, &p->pool, &x, &y, NULL)) == CNN_OK && p->real_taps)
        divide_by_real_taps(p, y.data, oh, ow);
    if (st == CNN_OK && p->depth)
        pool_depth(p, y.data, (size_t)oh * ow, n->out[0]->t.data);
    return st;
}

static cnn_status pool_prepare(cnn_graph_node *n, cnn_pool_mode mode)
{
    pool_params *p = n->params;
    cnn_status st = graph_input_f32(n, 0);
    if (st != CNN_OK)
        return st;
    const cnn_tensor *x = &n->in[0]->t;
    if (x->ndim < 3 || (x->ndim == 5 && mode == CNN_POOL_LP))
        return cnn_fail(CNN_ERR_UNSUPPORTED, "%d-D input not supported (%s)", x->ndim,
                        mode == CNN_POOL_LP ? "1-D and 2-D" : "1-D to 3-D");
    if (n->n_out > 1 && n->out[1])
        return cnn_fail(CNN_ERR_UNSUPPORTED, "Indices output not supported");
    int sp = x->ndim - 2, k[3], s[3], d[3], pads[6];
    if ((st = graph_attr_ints_or(n, "kernel_shape", sp, 0, k)) != CNN_OK ||
        (st = graph_attr_ints_or(n, "strides", sp, 1, s)) != CNN_OK ||
        (st = graph_attr_ints_or(n, "dilations", sp, 1, d)) != CNN_OK ||
        (st = graph_attr_ints_or(n, "pads", 2 * sp, 0, pads)) != CNN_OK)
        return st;
    if (!graph_attr_find(n, "kernel_shape"))
        return cnn_fail(CNN_ERR_FORMAT, "kernel_shape missing");
    if (graph_attr_int(n, "storage_order", 0))
        return cnn_fail(CNN_ERR_UNSUPPORTED, "storage_order 1 not supported");
    const char *auto_pad = graph_attr_string(n, "auto_pad", "NOTSET");
    int upper = !strcmp(auto_pad, "SAME_UPPER");
    if (upper || !strcmp(auto_pad, "SAME_LOWER")) {
        for (int i = 0; i < sp; i++)
            graph_pad_same(x->shape[2 + i], k[i], s[i], d[i], upper, &pads[i], &pads[sp + i]);
    } else if (!strcmp(auto_pad, "VALID")) {
        memset(pads, 0, sizeof pads);
    } else if (strcmp(auto_pad, "NOTSET")) {
        return cnn_fail(CNN_ERR_INVALID_ARG, "auto_pad '%s' unknown", auto_pad);
    }
    /* (depth,) height, width; 1-D: height 1 */
    int h = sp - 2, w = sp - 1;
    cnn_pool2d_params *q = &p->pool;
    cnn_pool2d_params_init(q, mode, h < 0 ? 1 : k[h], k[w]);
    q->stride_w = s[w], q->dilation_w = d[w];
    q->pad_left = pads[w], q->pad_right = pads[sp + w];
    q->stride_h = h < 0 ? 1 : s[h];
    q->dilation_h = h < 0 ? 1 : d[h];
    q->pad_top = h < 0 ? 0 : pads[h];
    q->pad_bottom = h < 0 ? 0 : pads[sp + h];
    q->ceil_mode = (int)graph_attr_int(n, "ceil_mode", 0);
    q->count_include_pad = (int)graph_attr_int(n, "count_include_pad", 0);
    q->p = (float)graph_attr_int(n, "p", 2);
    p->view[0] = x->shape[0], p->view[1] = x->shape[1];
    p->view[2] = h < 0 ? 1 : x->shape[2 + h], p->view[3] = x->shape[x->ndim - 1];
    p->depth = 0;
    if (sp == 3) {
        int depth = x->shape[2], span = d[0] * (k[0] - 1) + 1;
        int padded = depth + pads[0] + pads[3];
        if (k[0] < 1 || s[0] < 1 || d[0] < 1 || pads[0] < 0 || pads[3] < 0 || span > padded)
            return cnn_fail(CNN_ERR_SHAPE, "depth window %d (stride %d, dilation %d) does not "
                            "fit the padded depth %d", k[0], s[0], d[0], padded);
        p->depth = depth, p->kd = k[0], p->sd = s[0], p->dd = d[0];
        p->pad_front = pads[0], p->pad_back = pads[3];
        p->depth_include_pad = q->count_include_pad;
        p->out_depth = (padded - span + (q->ceil_mode ? s[0] - 1 : 0)) / s[0] + 1;
        if (q->ceil_mode && (p->out_depth - 1) * s[0] >= depth + pads[0])
            p->out_depth--; /* as cnn_pool2d: no window starts in the end padding */
        p->view[1] *= depth;
    }
    int span_h = q->dilation_h * (q->kernel_h - 1) + 1;
    int span_w = q->dilation_w * (q->kernel_w - 1) + 1;
    int ph = p->view[2], pw = p->view[3];
    p->prepad = 2 * q->pad_top > span_h || 2 * q->pad_bottom > span_h ||
                2 * q->pad_left > span_w || 2 * q->pad_right > span_w;
    if (p->prepad) {
        if (q->ceil_mode)
            return cnn_fail(CNN_ERR_UNSUPPORTED, "ceil_mode with padding wider than half "
                            "the window");
        p->pad[0] = q->pad_top, p->pad[1] = q->pad_bottom;
        p->pad[2] = q->pad_left, p->pad[3] = q->pad_right;
        q->pad_top = q->pad_bottom = q->pad_left = q->pad_right = 0;
        ph += p->pad[0] + p->pad[1];
        pw += p->pad[2] + p->pad[3];
        n->workspace_size = (size_t)p->view[0] * p->view[1] * ph * pw * sizeof(float);
        if (mode == CNN_POOL_AVG && !q->count_include_pad) {
            q->divisor = 1; /* sums, divided by the real taps after */
            p->real_taps = 1;
        }
    }
    int oh, ow;
    if ((st = cnn_pool2d_output_size(q, ph, pw, &oh, &ow)) != CNN_OK)
        return st;
    int shape[5] = { x->shape[0], x->shape[1] };
    if (sp == 1)
        shape[2] = ow;
    else if (sp == 2)
        shape[2] = oh, shape[3] = ow;
    else
        shape[2] = p->out_depth, shape[3] = oh, shape[4] = ow;
    if (p->depth) {
        p->slices_offset = (n->workspace_size + 63) & ~(size_t)63;
        n->workspace_size = p->slices_offset +
                            (size_t)p->view[0] * p->view[1] * oh * ow * sizeof(float);
    }
    return graph_set_output(n, 0, x->ndim, shape);
}

static cnn_status global_prepare(cnn_graph_node *n, cnn_pool_mode mode)
{
    pool_params *p = n->params;
    cnn_status st = graph_input_f32(n, 0);
    if (st != CNN_OK)
        return st;
    const cnn_tensor *x = &n->in[0]->t;
    if (x->ndim < 3)
        return cnn_fail(CNN_ERR_SHAPE, "input is %d-D, expected [N, C, spatial...]", x->ndim);
    cnn_pool2d_params_init(&p->pool, mode, 1, 1);
    p->view[0] = x->shape[0], p->view[1] = x->shape[1];
    p->view[2] = 1, p->view[3] = (int)graph_numel(x->ndim - 2, x->shape + 2);
    int shape[CNN_MAX_DIMS] = { x->shape[0], x->shape[1], 1, 1, 1 };
    return graph_set_output(n, 0, x->ndim, shape);
}

#define POOL_OP(var, onnx_name, prepare_fn, mode, max_out)                              \
    static cnn_status var##_prepare(cnn_context *ctx, cnn_graph_node *n)                \
    {                                                                                   \
        return prepare_fn(n, mode);                                                     \
    }                                                                                   \
    const graph_op graph_op_##var = { onnx_name, 1, 1, 1, max_out, sizeof(pool_params), \
                                      var##_prepare, pool_run }

POOL_OP(max_pool, "MaxPool", pool_prepare, CNN_POOL_MAX, 2);
POOL_OP(average_pool, "AveragePool", pool_prepare, CNN_POOL_AVG, 1);
POOL_OP(lp_pool, "LpPool", pool_prepare, CNN_POOL_LP, 1);
POOL_OP(global_max_pool, "GlobalMaxPool", global_prepare, CNN_POOL_GLOBAL_MAX, 1);
POOL_OP(global_average_pool, "GlobalAveragePool", global_prepare, CNN_POOL_GLOBAL_AVG, 1);
