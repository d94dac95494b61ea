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

typedef struct concat_job {
    const cnn_graph_node *n;
    float *y;
    size_t outer, inner, y_row;
} concat_job;

/* Thread ith copies its share of the output's elements, piece by piece: a
 * piece is the part of one input's row inside one output row. */
static void concat_copy(void *arg, int ith, int nth)
{
    const concat_job *j = arg;
    const concat_params *p = j->n->params;
    int begin, end; /* tensors hold at most INT_MAX elements (graph.c) */
    cnn_split_range((int)(j->outer * j->y_row), ith, nth, &begin, &end);
    size_t e0 = (size_t)begin, e1 = (size_t)end;
    for (size_t o = e0 / j->y_row; o * j->y_row < e1; o++) {
        size_t at = 0;
        for (int i = 0; i < j->n->n_in; i++) {
            const cnn_tensor *x = &j->n->in[i]->t;
            size_t row = (size_t)x->shape[p->axis] * j->inner;
            size_t lo = o * j->y_row + at, hi = lo + row;
            if (lo < e0)
                lo = e0;
            if (hi > e1)
                hi = e1;
            if (lo < hi)
                memcpy(j->y + lo, x->data + o * row + (lo - o * j->y_row - at),
                       (hi - lo) * sizeof(float));
            at += row;
        }
    }
}

static cnn_status concat_run(cnn_context *ctx, cnn_graph_node *n, void *workspace)
{
    const concat_params *p = n->params;
    cnn_tensor *y = &n->out[0]->t;
    concat_job j = { .n = n, .y = y->data, .outer = graph_numel(p->axis, y->shape),
                     .inner = graph_numel(y->ndim - p->axis - 1, y->shape + p->axis + 1) };
    j.y_row = (size_t)y->shape[p->axis] * j.inner;
    cnn_threadpool_run(cnn_context_pool(ctx), concat_copy, &j, 0);
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

/* Transpose works on the input with dimensions of size 1 dropped and
 * dimensions that stay neighbours merged: NCHW -> NHWC becomes
 * [N, C, HW] -> [N, HW, C], a batch of 2-D transposes, done in tiles that
 * stay in L1; other permutations walk the output row by row. */
#define TRANSPOSE_TILE 32

typedef struct transpose_params {
    int ndim;                  /* after merging; 0: a plain copy */
    int shape[CNN_MAX_DIMS];   /* merged input dimensions */
    int perm[CNN_MAX_DIMS];    /* output dimension d is merged input dimension perm[d] */
    int batch, rows, cols;     /* a batch of rows x cols transposes, or batch 0 */
    int tile_rows;             /* rows per tile: more when there are few columns */
} transpose_params;

/* Merge x's dimensions under perm (output d = input perm[d]) into p. */
static void transpose_merge(transpose_params *p, int ndim, const int *shape, const int *perm)
{
    int size[CNN_MAX_DIMS], kept[CNN_MAX_DIMS], pos[CNN_MAX_DIMS], merged[CNN_MAX_DIMS];
    int order[CNN_MAX_DIMS], nk = 0, np = 0;
    for (int a = 0; a < ndim; a++) {
        kept[a] = nk;
        if (shape[a] != 1)
            size[nk++] = shape[a];
    }
    for (int d = 0; d < ndim; d++)
        if (shape[perm[d]] != 1) {
            order[np] = kept[perm[d]];
            pos[order[np]] = np;
            np++;
        }
    /* kept dimension a merges with a - 1 when it follows it in the output too */
    p->ndim = 0;
    for (int a = 0; a < nk; a++) {
        if (a == 0 || pos[a] != pos[a - 1] + 1)
            p->shape[p->ndim++] = 1;
        merged[a] = p->ndim - 1;
        p->shape[merged[a]] *= size[a];
    }
    /* output order of the merged dimensions: where each one starts */
    for (int d = 0, m = 0; d < np; d++)
        if (d == 0 || merged[order[d]] != merged[order[d - 1]])
            p->perm[m++] = merged[order[d]];
    p->batch = 0;
    if (p->ndim == 2) { /* [R, C] -> [C, R] */
        p->batch = 1;
        p->rows = p->shape[0];
        p->cols = p->shape[1];
    } else if (p->ndim == 3 && p->perm[0] == 0 && p->perm[1] == 2) { /* [B, R, C] -> [B, C, R] */
        p->batch = p->shape[0];
        p->rows = p->shape[1];
        p->cols = p->shape[2];
    }
    p->tile_rows = p->batch && p->cols < 8 ? 32 * TRANSPOSE_TILE : TRANSPOSE_TILE;
}

static cnn_status transpose_prepare(cnn_context *ctx, cnn_graph_node *n)
{
    transpose_params *p = n->params;
    const cnn_tensor *x = &n->in[0]->t;
    int count, seen[CNN_MAX_DIMS] = { 0 }, shape[CNN_MAX_DIMS], perm_i[CNN_MAX_DIMS];
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
        perm_i[d] = (int)a;
        shape[d] = x->shape[a];
    }
    transpose_merge(p, x->ndim, x->shape, perm_i);
    return graph_set_output(n, 0, x->ndim, shape);
}

typedef struct transpose_job {
    const transpose_params *p;
    const float *x;
    float *y;
    size_t total;
} transpose_job;

/* Tiles of the batched 2-D transpose y[b][c][r] = x[b][r][c], split over
 * threads; each tile is written by one thread. */
static void transpose_tiles(void *arg, int ith, int nth)
{
    const transpose_job *j = arg;
    const transpose_params *p = j->p;
    int rt = (p->rows + p->tile_rows - 1) / p->tile_rows;
    int ct = (p->cols + TRANSPOSE_TILE - 1) / TRANSPOSE_TILE, t0, t1;
    cnn_split_range(p->batch * rt * ct, ith, nth, &t0, &t1);
    size_t plane = (size_t)p->rows * p->cols;
    for (int t = t0; t < t1; t++) {
        int b = t / (rt * ct), r0 = t / ct % rt * p->tile_rows;
        int c0 = t % ct * TRANSPOSE_TILE;
        int r1 = r0 + p->tile_rows < p->rows ? r0 + p->tile_rows : p->rows;
        int c1 = c0 + TRANSPOSE_TILE < p->cols ? c0 + TRANSPOSE_TILE : p->cols;
        const float *x = j->x + b * plane;
        float *y = j->y + b * plane;
        int c = c0;
        for (; c + 8 <= c1; c += 8) /* 8 output rows at a time: reads of 8 contiguous */
            for (int r = r0; r < r1; r++)
                for (int k = 0; k < 8; k++)
                    y[(size_t)(c + k) * p->rows + r] = x[(size_t)r * p->cols + c + k];
        if (c < c1) /* the last columns (all of them for RGB planes) */
            for (int r = r0; r < r1; r++)
                for (int k = c; k < c1; k++)
                    y[(size_t)k * p->rows + r] = x[(size_t)r * p->cols + k];
    }
}

/* Any other permutation: thread ith writes its range of output rows (the
 * last merged dimension), starting the odometer of output indices there. */
static void transpose_rows(void *arg, int ith, int nth)
{
    const transpose_job *j = arg;
    const transpose_params *p = j->p;
    int nd = p->ndim, w = p->shape[p->perm[nd - 1]], idx[CNN_MAX_DIMS], r0, r1;
    size_t xs[CNN_MAX_DIMS], step[CNN_MAX_DIMS], src = 0;
    packed_strides(nd, p->shape, xs);
    for (int d = 0; d < nd; d++)
        step[d] = xs[p->perm[d]];
    cnn_split_range((int)(j->total / (size_t)w), ith, nth, &r0, &r1);
    for (int d = nd - 2, rest = r0; d >= 0; d--) {
        idx[d] = rest % p->shape[p->perm[d]];
        rest /= p->shape[p->perm[d]];
        src += (size_t)idx[d] * step[d];
    }
    size_t inner = step[nd - 1];
    float *y = j->y + (size_t)r0 * w;
    for (int r = r0; r < r1; r++, y += w) {
        const float *x = j->x + src;
        for (int i = 0; i < w; i++)
            y[i] = x[i * inner];
        for (int d = nd - 2; d >= 0; d--) {
            src += step[d];
            if (++idx[d] < p->shape[p->perm[d]])
                break;
            src -= step[d] * (size_t)p->shape[p->perm[d]];
            idx[d] = 0;
        }
    }
}

static cnn_status transpose_run(cnn_context *ctx, cnn_graph_node *n, void *workspace)
{
    const transpose_params *p = n->params;
    const cnn_tensor *x = &n->in[0]->t;
    cnn_tensor *y = &n->out[0]->t;
    transpose_job j = { p, x->data, y->data, graph_numel(x->ndim, x->shape) };
    if (p->ndim <= 1)
        memcpy(y->data, x->data, j.total * sizeof(float));
    else
        cnn_threadpool_run(cnn_context_pool(ctx), p->batch ? transpose_tiles : transpose_rows,
                           &j, 0);
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

typedef struct pad_job {
    const cnn_tensor *x, *y;
    const int *src[CNN_MAX_DIMS]; /* per output dimension: source index or -1 */
    float value;
} pad_job;

/* Thread ith fills its range of output rows (the last dimension), starting
 * the odometer of output indices at its first row. */
static void pad_rows(void *arg, int ith, int nth)
{
    const pad_job *j = arg;
    const cnn_tensor *x = j->x, *y = j->y;
    int r = y->ndim, w = y->shape[r - 1], idx[CNN_MAX_DIMS], r0, r1;
    size_t xs[CNN_MAX_DIMS];
    packed_strides(r, x->shape, xs);
    cnn_split_range((int)graph_numel(r - 1, y->shape), ith, nth, &r0, &r1);
    for (int d = r - 2, rest = r0; d >= 0; d--) {
        idx[d] = rest % y->shape[d];
        rest /= y->shape[d];
    }
    const int *cols = j->src[r - 1];
    float *out = y->data + (size_t)r0 * w;
    for (int row = r0; row < r1; row++, out += w) {
        ptrdiff_t base = 0;
        for (int d = 0; d < r - 1 && base >= 0; d++)
            base = j->src[d][idx[d]] < 0 ? -1 : base + (ptrdiff_t)(j->src[d][idx[d]] * xs[d]);
        for (int o = 0; o < w; o++)
            out[o] = base < 0 || cols[o] < 0 ? j->value : x->data[base + cols[o]];
        for (int d = r - 2; d >= 0; d--) {
            if (++idx[d] < y->shape[d])
                break;
            idx[d] = 0;
        }
    }
}

static cnn_status pad_run(cnn_context *ctx, cnn_graph_node *n, void *workspace)
{
    const pad_params *p = n->params;
    const cnn_tensor *x = &n->in[0]->t;
    cnn_tensor *y = &n->out[0]->t;
    pad_job j = { .x = x, .y = y,
                  .value = n->n_in > 2 && n->in[2] ? n->in[2]->t.data[0] : p->value };
    if (y->ndim == 0) {
        y->data[0] = x->data[0];
        return CNN_OK;
    }
    int *t = workspace;
    for (int d = 0; d < y->ndim; d++) {
        j.src[d] = t;
        for (int o = 0; o < y->shape[d]; o++)
            t[o] = pad_source(o, p->before[d], x->shape[d], p->mode);
        t += y->shape[d];
    }
    cnn_threadpool_run(cnn_context_pool(ctx), pad_rows, &j, 0);
    return CNN_OK;
}

const graph_op graph_op_pad = { "Pad", 1, 4, 1, 1, sizeof(pad_params), pad_prepare, pad_run };
