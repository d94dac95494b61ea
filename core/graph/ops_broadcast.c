/* Element-wise graph operators: Add, Sub, Mul, Div and PRelu with NumPy
 * broadcasting (ONNX multidirectional), and Clip. */
#include <math.h>
#include <string.h>

#include "graph_internal.h"

typedef enum binary_kind { BIN_ADD = 0, BIN_SUB, BIN_MUL, BIN_DIV, BIN_PRELU } binary_kind;

typedef struct binary_params {
    binary_kind kind;
    size_t stride_a[CNN_MAX_DIMS], stride_b[CNN_MAX_DIMS]; /* 0 where broadcast */
} binary_params;

/* Strides of x over the output's dimensions, right-aligned, 0 where x has
 * size 1 (or no such dimension). */
static void broadcast_strides(const cnn_tensor *x, int ndim, size_t *stride)
{
    size_t s = 1;
    for (int d = ndim - 1, k = x->ndim - 1; d >= 0; d--, k--) {
        stride[d] = k >= 0 && x->shape[k] != 1 ? s : 0;
        if (k >= 0)
            s *= (size_t)x->shape[k];
    }
}

static cnn_status binary_prepare(cnn_graph_node *n, binary_kind kind)
{
    binary_params *p = n->params;
    const cnn_tensor *a = &n->in[0]->t, *b = &n->in[1]->t;
    cnn_status st = graph_input_f32(n, 0);
    if (st != CNN_OK || (st = graph_input_f32(n, 1)) != CNN_OK)
        return st;
    cnn_tensor channel_slope;
    if (kind == BIN_PRELU && n->opset > 0 && n->opset < 7 && b->ndim == 1 && a->ndim > 2 &&
        b->shape[0] == a->shape[1]) {
        /* PRelu before opset 7: a [C] slope is per channel, i.e. [C, 1, ...] */
        channel_slope = (cnn_tensor){ .ndim = a->ndim - 1, .shape = { b->shape[0] } };
        for (int d = 1; d < channel_slope.ndim; d++)
            channel_slope.shape[d] = 1;
        b = &channel_slope;
    }
    int ndim = a->ndim > b->ndim ? a->ndim : b->ndim, shape[CNN_MAX_DIMS];
    for (int d = 0; d < ndim; d++) {
        int da = d - (ndim - a->ndim), db = d - (ndim - b->ndim);
        int sa = da >= 0 ? a->shape[da] : 1, sb = db >= 0 ? b->shape[db] : 1;
        if (sa != sb && sa != 1 && sb != 1)
            return cnn_fail(CNN_ERR_SHAPE, "cannot broadcast dimension %d: %d against %d", d,
                            sa, sb);
        shape[d] = sa == 1 ? sb : sa;
    }
    p->kind = kind;
    broadcast_strides(a, ndim, p->stride_a);
    broadcast_strides(b, ndim, p->stride_b);
    return graph_set_output(n, 0, ndim, shape);
}

static void binary_row(binary_kind kind, const float *a, size_t sa, const float *b, size_t sb,
                       float *y, int n)
{
    switch (kind) {
    case BIN_ADD: for (int i = 0; i < n; i++) y[i] = a[i * sa] + b[i * sb]; break;
    case BIN_SUB: for (int i = 0; i < n; i++) y[i] = a[i * sa] - b[i * sb]; break;
    case BIN_MUL: for (int i = 0; i < n; i++) y[i] = a[i * sa] * b[i * sb]; break;
    case BIN_DIV: for (int i = 0; i < n; i++) y[i] = a[i * sa] / b[i * sb]; break;
    case BIN_PRELU:
        for (int i = 0; i < n; i++)
            y[i] = a[i * sa] < 0 ? a[i * sa] * b[i * sb] : a[i * sa];
        break;
    }
}

typedef struct binary_job {
    const binary_params *p;
    const float *a, *b;
    const cnn_tensor *y;
} binary_job;

/* Rows (all but the last output dimension) split over the threads. */
static void binary_rows(void *arg, int ith, int nth)
{
    const binary_job *j = arg;
    const binary_params *p = j->p;
    const cnn_tensor *y = j->y;
    int r = y->ndim, w = y->shape[r - 1], idx[CNN_MAX_DIMS] = { 0 }, r0, r1;
    cnn_split_range((int)graph_numel(r - 1, y->shape), ith, nth, &r0, &r1);
    size_t ia = 0, ib = 0, rest = (size_t)r0;
    for (int d = r - 2; d >= 0; d--) { /* offsets of row r0 */
        idx[d] = (int)(rest % (size_t)y->shape[d]);
        rest /= (size_t)y->shape[d];
        ia += idx[d] * p->stride_a[d];
        ib += idx[d] * p->stride_b[d];
    }
    for (int row = r0; row < r1; row++) {
        binary_row(p->kind, j->a + ia, p->stride_a[r - 1], j->b + ib, p->stride_b[r - 1],
                   y->data + (size_t)row * w, w);
        for (int d = r - 2; d >= 0; d--) {
            ia += p->stride_a[d];
            ib += p->stride_b[d];
            if (++idx[d] < y->shape[d])
                break;
            ia -= p->stride_a[d] * (size_t)y->shape[d];
            ib -= p->stride_b[d] * (size_t)y->shape[d];
            idx[d] = 0;
        }
    }
}

static cnn_status binary_run(cnn_context *ctx, cnn_graph_node *n, void *workspace)
{
    const binary_params *p = n->params;
    const float *a = n->in[0]->t.data, *b = n->in[1]->t.data;
    const cnn_tensor *y = &n->out[0]->t;
    if (y->ndim == 0) {
        binary_row(p->kind, a, 0, b, 0, y->data, 1);
        return CNN_OK;
    }
    binary_job j = { p, a, b, y };
    cnn_threadpool_run(cnn_context_pool(ctx), binary_rows, &j, 0);
    return CNN_OK;
}

#define BINARY_OP(var, onnx_name, kind)                                                 \
    static cnn_status var##_prepare(cnn_context *ctx, cnn_graph_node *n)                \
    {                                                                                   \
        return binary_prepare(n, kind);                                                 \
    }                                                                                   \
    const graph_op graph_op_##var = { onnx_name, 2, 2, 1, 1, sizeof(binary_params),     \
                                      var##_prepare, binary_run }

BINARY_OP(add, "Add", BIN_ADD);
BINARY_OP(sub, "Sub", BIN_SUB);
BINARY_OP(mul, "Mul", BIN_MUL);
BINARY_OP(div, "Div", BIN_DIV);
BINARY_OP(prelu, "PRelu", BIN_PRELU);

typedef struct clip_params {
    float lo, hi; /* when not given as inputs */
} clip_params;

static cnn_status clip_prepare(cnn_context *ctx, cnn_graph_node *n)
{
    clip_params *p = n->params;
    const cnn_tensor *x = &n->in[0]->t;
    cnn_status st = graph_input_f32(n, 0);
    if (st != CNN_OK)
        return st;
    for (int i = 1; i < n->n_in; i++) {
        if (!n->in[i])
            continue;
        if ((st = graph_input_f32(n, i)) != CNN_OK)
            return st;
        if (graph_numel(n->in[i]->t.ndim, n->in[i]->t.shape) != 1)
            return cnn_fail(CNN_ERR_SHAPE, "%s must be a scalar", i == 1 ? "min" : "max");
    }
    p->lo = graph_attr_float(n, "min", -INFINITY);
    p->hi = graph_attr_float(n, "max", INFINITY);
    return graph_set_output(n, 0, x->ndim, x->shape);
}

/* Comparisons written so that NaN passes through, as in NumPy. */
static void clamp(const float *x, float *y, size_t n, float lo, float hi)
{
    for (size_t i = 0; i < n; i++) {
        float v = x[i];
        y[i] = v < lo ? lo : v > hi ? hi : v;
    }
}

static cnn_status clip_run(cnn_context *ctx, cnn_graph_node *n, void *workspace)
{
    const clip_params *p = n->params;
    const cnn_tensor *x = &n->in[0]->t;
    float lo = n->n_in > 1 && n->in[1] ? n->in[1]->t.data[0] : p->lo;
    float hi = n->n_in > 2 && n->in[2] ? n->in[2]->t.data[0] : p->hi;
    clamp(x->data, n->out[0]->t.data, graph_numel(x->ndim, x->shape), lo, hi);
    return CNN_OK;
}

int graph_clip_is_relu6(const cnn_graph_node *n)
{
    if (n->op != &graph_op_clip)
        return 0;
    const clip_params *p = n->params;
    float bound[2] = { p->lo, p->hi };
    for (int i = 1; i < n->n_in && i < 3; i++) {
        if (!n->in[i])
            continue;
        if (n->in[i]->kind != VALUE_CONSTANT)
            return 0;
        bound[i - 1] = n->in[i]->t.data[0];
    }
    return bound[0] == 0.0f && bound[1] == 6.0f;
}

const graph_op graph_op_clip = { "Clip", 1, 3, 1, 1, sizeof(clip_params), clip_prepare,
                                 clip_run };
