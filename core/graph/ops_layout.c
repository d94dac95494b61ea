/* Operators that move elements without arithmetic: Concat, Transpose, Pad. */
#include <string.h>

#include "graph_internal.h"

typedef struct concat_params {
    int axis;
} concat_params;

static cnn_status concat_prepare(cnn_context *ctx, cnn_graph_node *n)
{
    concat_params *p = n->params;
    const cnn_tensor *x0 = &n->in[0]->t;
    cnn_status st;
    for (int i = 0; i < n->n_in; i++)
        if ((st = graph_input_f32(n, i)) != CNN_OK)
            return st;
    if ((st = graph_axis("axis", graph_attr_int(n, "axis", 0), x0->ndim, &p->axis)) != CNN_OK)
        return st;
    int shape[CNN_MAX_DIMS];
    memcpy(shape, x0->shape, sizeof shape);
    shape[p->axis] = 0;
    for (int i = 0; i < n->n_in; i++) {
        const cnn_tensor *x = &n->in[i]->t;
        if (x->ndim != x0->ndim)
            return cnn_fail(CNN_ERR_SHAPE, "input %d is %d-D, input 0 %d-D", i, x->ndim,
                            x0->ndim);
        for (int d = 0; d < x->ndim; d++)
            if (d != p->axis && x->shape[d] != x0->shape[d])
                return cnn_fail(CNN_ERR_SHAPE, "input %d has %d in dimension %d, input 0 %d",
                                i, x->shape[d], d, x0->shape[d]);
        shape[p->axis] += x->shape[p->axis];
    }
    return graph_set_output(n, 0, x0->ndim, shape);
}

static cnn_status concat_run(cnn_context *ctx, cnn_graph_node *n, void *workspace)
{
    const concat_params *p = n->params;
    cnn_tensor *y = &n->out[0]->t;
    size_t outer = graph_numel(p->axis, y->shape);
    size_t inner = graph_numel(y->ndim - p->axis - 1, y->shape + p->axis + 1);
    size_t y_row = (size_t)y->shape[p->axis] * inner, at = 0;
    for (int i = 0; i < n->n_in; i++) {
        const cnn_tensor *x = &n->in[i]->t;
        size_t row = (size_t)x->shape[p->axis] * inner;
        for (size_t o = 0; o < outer; o++)
            memcpy(y->data + o * y_row + at, x->data + o * row, row * sizeof(float));
        at += row;
    }
    return CNN_OK;
}

const graph_op graph_op_concat = { "Concat", 1, GRAPH_MAX_IO, 1, 1, sizeof(concat_params),
                                   concat_prepare, concat_run };

/* Element strides of a packed tensor. */
static void packed_strides(int ndim, const int *shape, size_t *stride)
{
    size_t s = 1;
    for (int d = ndim - 1; d >= 0; d--) {
        stride[d] = s;
        s *= (size_t)shape[d];
    }
}

typedef struct transpose_params {
    int perm[CNN_MAX_DIMS];
} transpose_params;

static cnn_status transpose_prepare(cnn_context *ctx, cnn_graph_node *n)
{
    transpose_params *p = n->params;
    const cnn_tensor *x = &n->in[0]->t;
    int count, seen[CNN_MAX_DIMS] = { 0 }, shape[CNN_MAX_DIMS];
    const int64_t *perm = graph_attr_ints(n, "perm", &count);
    cnn_status st = graph_input_f32(n, 0);
    if (st != CNN_OK)
        return st;
    if (perm && count != x->ndim)
        return cnn_fail(CNN_ERR_INVALID_ARG, "perm has %d entries for a %d-D input", count,
                        x->ndim);
    for (int d = 0; d < x->ndim; d++) {
        int64_t a = perm ? perm[d] : x->ndim - 1 - d;
        if (a < 0 || a >= x->ndim || seen[a])
            return cnn_fail(CNN_ERR_INVALID_ARG, "perm is not a permutation of 0..%d",
                            x->ndim - 1);
        seen[a] = 1;
        p->perm[d] = (int)a;
        shape[d] = x->shape[a];
    }
    return graph_set_output(n, 0, x->ndim, shape);
}

static cnn_status transpose_run(cnn_context *ctx, cnn_graph_node *n, void *workspace)
{
    const transpose_params *p = n->params;
    const cnn_tensor *x = &n->in[0]->t;
    cnn_tensor *y = &n->out[0]->t;
    size_t xs[CNN_MAX_DIMS], step[CNN_MAX_DIMS];
    int idx[CNN_MAX_DIMS] = { 0 }, nd = y->ndim;
    packed_strides(x->ndim, x->shape, xs);
    for (int d = 0; d < nd; d++)
        step[d] = xs[p->perm[d]];
    size_t total = graph_numel(nd, y->shape), src = 0;
    for (size_t i = 0; i < total; i++) {
        y->data[i] = x->data[src];
        /* odometer over output indices, moving src by the permuted strides */
        for (int d = nd - 1; d >= 0; d--) {
            src += step[d];
            if (++idx[d] < y->shape[d])
                break;
            src -= step[d] * (size_t)y->shape[d];
            idx[d] = 0;
        }
    }
    return CNN_OK;
}

const graph_op graph_op_transpose = { "Transpose", 1, 1, 1, 1, sizeof(transpose_params),
                                      transpose_prepare, transpose_run };

typedef enum pad_mode { PAD_CONSTANT = 0, PAD_REFLECT, PAD_EDGE } pad_mode;

typedef struct pad_params {
    pad_mode mode;
    int before[CNN_MAX_DIMS];
    float value; /* when there is no constant_value input */
} pad_params;

static cnn_status pad_prepare(cnn_context *ctx, cnn_graph_node *n)
{
    pad_params *p = n->params;
    const cnn_tensor *x = &n->in[0]->t;
    const char *mode = graph_attr_string(n, "mode", "constant");
    int r = x->ndim, count, n_axes = 0, after[CNN_MAX_DIMS] = { 0 }, axes[CNN_MAX_DIMS];
    cnn_status st = graph_input_f32(n, 0);
    if (st != CNN_OK)
        return st;
    if (!strcmp(mode, "constant"))
        p->mode = PAD_CONSTANT;
    else if (!strcmp(mode, "reflect"))
        p->mode = PAD_REFLECT;
    else if (!strcmp(mode, "edge"))
        p->mode = PAD_EDGE;
    else
        return cnn_fail(CNN_ERR_UNSUPPORTED, "mode '%s' not supported", mode);
    p->value = graph_attr_float(n, "value", 0.0f);
    const int64_t *pads = graph_attr_ints(n, "pads", &count);
    if (!pads && (st = graph_input_i64(n, 1, &pads, &count)) != CNN_OK)
        return st;
    if (n->n_in > 2 && n->in[2]) {
        if ((st = graph_input_f32(n, 2)) != CNN_OK)
            return st;
        if (graph_numel(n->in[2]->t.ndim, n->in[2]->t.shape) != 1)
            return cnn_fail(CNN_ERR_SHAPE, "constant_value must hold one value");
    }
    if (n->n_in > 3 && n->in[3]) {
        const int64_t *a;
        if ((st = graph_input_i64(n, 3, &a, &n_axes)) != CNN_OK)
            return st;
        for (int i = 0; i < n_axes && i < CNN_MAX_DIMS; i++)
            if ((st = graph_axis("axis", a[i], r, &axes[i])) != CNN_OK)
                return st;
    } else {
        n_axes = r;
        for (int i = 0; i < r; i++)
            axes[i] = i;
    }
    if (count != 2 * n_axes)
        return cnn_fail(CNN_ERR_INVALID_ARG, "pads has %d values, expected %d", count,
                        2 * n_axes);
    for (int i = 0; i < count; i++)
        if (pads[i] < -(1 << 24) || pads[i] > (1 << 24))
            return cnn_fail(CNN_ERR_INVALID_ARG, "pads[%d] = %lld is out of range", i,
                            (long long)pads[i]);
    memset(p->before, 0, sizeof p->before);
    for (int i = 0; i < n_axes; i++) {
        p->before[axes[i]] = (int)pads[i];
        after[axes[i]] = (int)pads[i + n_axes];
    }
    int shape[CNN_MAX_DIMS];
    size_t table = 0;
    for (int d = 0; d < r; d++) {
        shape[d] = x->shape[d] + p->before[d] + after[d];
        if (shape[d] < 0)
            return cnn_fail(CNN_ERR_SHAPE, "dimension %d would be %d", d, shape[d]);
        if (p->mode == PAD_REFLECT && (p->before[d] >= x->shape[d] || after[d] >= x->shape[d]))
            return cnn_fail(CNN_ERR_INVALID_ARG, "reflect pads (%d, %d) must be smaller than "
                            "dimension %d of size %d", p->before[d], after[d], d, x->shape[d]);
        if (p->mode == PAD_EDGE && x->shape[d] == 0 && shape[d] > 0)
            return cnn_fail(CNN_ERR_INVALID_ARG, "edge padding of empty dimension %d", d);
        table += (size_t)shape[d];
    }
    n->workspace_size = table * sizeof(int);
    return graph_set_output(n, 0, r, shape);
}

/* Source index along one dimension for output position o, or -1. */
static int pad_source(int o, int before, int size, pad_mode mode)
{
    int i = o - before;
    if (i >= 0 && i < size)
        return i;
    switch (mode) {
    case PAD_REFLECT: return i < 0 ? -i : 2 * (size - 1) - i;
    case PAD_EDGE: return i < 0 ? 0 : size - 1;
    case PAD_CONSTANT: break;
    }
    return -1;
}

static cnn_status pad_run(cnn_context *ctx, cnn_graph_node *n, void *workspace)
{
    const pad_params *p = n->params;
    const cnn_tensor *x = &n->in[0]->t;
    cnn_tensor *y = &n->out[0]->t;
    float value = n->n_in > 2 && n->in[2] ? n->in[2]->t.data[0] : p->value;
    int r = y->ndim, *src[CNN_MAX_DIMS], *t = workspace;
    size_t xs[CNN_MAX_DIMS];
    packed_strides(r, x->shape, xs);
    for (int d = 0; d < r; d++) {
        src[d] = t;
        for (int o = 0; o < y->shape[d]; o++)
            t[o] = pad_source(o, p->before[d], x->shape[d], p->mode);
        t += y->shape[d];
    }
    if (r == 0) {
        y->data[0] = x->data[0];
        return CNN_OK;
    }
    int w = y->shape[r - 1], idx[CNN_MAX_DIMS] = { 0 };
    size_t rows = graph_numel(r - 1, y->shape);
    float *out = y->data;
    for (size_t row = 0; row < rows; row++, out += w) {
        ptrdiff_t base = 0;
        for (int d = 0; d < r - 1 && base >= 0; d++)
            base = src[d][idx[d]] < 0 ? -1 : base + (ptrdiff_t)(src[d][idx[d]] * xs[d]);
        for (int o = 0; o < w; o++)
            out[o] = base < 0 || src[r - 1][o] < 0 ? value : x->data[base + src[r - 1][o]];
        for (int d = r - 2; d >= 0; d--) {
            if (++idx[d] < y->shape[d])
                break;
            idx[d] = 0;
        }
    }
    return CNN_OK;
}

const graph_op graph_op_pad = { "Pad", 1, 4, 1, 1, sizeof(pad_params), pad_prepare, pad_run };
