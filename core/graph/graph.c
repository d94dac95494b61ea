/* Graph building, preparation (shape inference, constant folding, arena)
 * and execution. Operators live in ops_*.c behind the table of ops.c. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph_internal.h"

cnn_status cnn_graph_create(cnn_graph **g)
{
    *g = calloc(1, sizeof **g);
    if (!*g)
        return cnn_fail(CNN_ERR_NOMEM, "graph: out of memory");
    return CNN_OK;
}

static void free_node(cnn_graph_node *n)
{
    for (int i = 0; i < n->n_attrs; i++) {
        free(n->attrs[i].name);
        free(n->attrs[i].s);
        free(n->attrs[i].ints);
        free(n->attrs[i].floats);
    }
    free(n->attrs);
    free(n->params);
    free(n->profile_op);
    free(n->profile_fused);
    free(n->name);
    free(n);
}

static void free_value_data(graph_value *v)
{
    cnn_aligned_free(v->storage);
    v->storage = NULL;
    v->i64 = NULL;
    v->t.data = NULL;
}

void cnn_graph_destroy(cnn_graph *g)
{
    if (!g)
        return;
    for (int i = 0; i < g->n_nodes; i++)
        free_node(g->nodes[i]);
    for (int i = 0; i < g->n_values; i++) {
        free_value_data(g->values[i]);
        free(g->values[i]->name);
        free(g->values[i]);
    }
    free(g->nodes);
    free(g->values);
    free(g->inputs);
    free(g->outputs);
    cnn_aligned_free(g->arena);
    cnn_context_destroy(g->serial_ctx);
    free(g);
}

/* Grow *array (of pointers) to hold one more. */
static cnn_status grow(void *array, int n, int *cap)
{
    void ***a = array;
    if (n < *cap)
        return CNN_OK;
    int c = *cap ? 2 * *cap : 16;
    void **p = realloc(*a, (size_t)c * sizeof *p);
    if (!p)
        return cnn_fail(CNN_ERR_NOMEM, "graph: out of memory");
    *a = p;
    *cap = c;
    return CNN_OK;
}

static graph_value *find_value(const cnn_graph *g, const char *name)
{
    for (int i = 0; i < g->n_values; i++)
        if (!strcmp(g->values[i]->name, name))
            return g->values[i];
    return NULL;
}

/* Rank within CNN_MAX_DIMS and at most INT_MAX elements (known dimensions),
 * so sizes never overflow and thread splits fit an int. */
static cnn_status check_shape(const char *name, int ndim, const int *shape)
{
    if (ndim < 0 || ndim > CNN_MAX_DIMS)
        return cnn_fail(CNN_ERR_UNSUPPORTED, "graph: value '%s' has %d dimensions, at most %d "
                        "are supported", name, ndim, CNN_MAX_DIMS);
    double elements = 1.0;
    for (int i = 0; i < ndim; i++)
        elements *= shape[i] > 0 ? shape[i] : 1;
    if (elements > INT_MAX)
        return cnn_fail(CNN_ERR_SHAPE, "graph: value '%s' would hold %.0f elements, more than "
                        "%d", name, elements, INT_MAX);
    return CNN_OK;
}

static cnn_status new_value(cnn_graph *g, const char *name, graph_value_kind kind,
                            graph_value **out)
{
    if (find_value(g, name))
        return cnn_fail(CNN_ERR_INVALID_ARG, "graph: value '%s' is defined twice", name);
    cnn_status st = grow(&g->values, g->n_values, &g->cap_values);
    if (st != CNN_OK)
        return st;
    graph_value *v = calloc(1, sizeof *v);
    if (!v || !(v->name = strdup(name))) {
        free(v);
        return cnn_fail(CNN_ERR_NOMEM, "graph: out of memory");
    }
    v->kind = kind;
    v->declared_ndim = -1;
    g->values[g->n_values++] = v;
    *out = v;
    return CNN_OK;
}

static void set_shape(graph_value *v, int ndim, const int *shape)
{
    v->t.ndim = ndim;
    v->shape_known = 1;
    for (int i = 0; i < ndim; i++) {
        v->t.shape[i] = shape[i];
        if (shape[i] < 0)
            v->shape_known = 0;
    }
}

cnn_status cnn_graph_add_input(cnn_graph *g, const char *name, int ndim, const int *shape)
{
    cnn_status st = check_shape(name, ndim, shape);
    if (st != CNN_OK)
        return st;
    int cap = g->n_inputs;
    if ((st = grow(&g->inputs, g->n_inputs, &cap)) != CNN_OK)
        return st;
    graph_value *v;
    if ((st = new_value(g, name, VALUE_INPUT, &v)) != CNN_OK)
        return st;
    set_shape(v, ndim, shape);
    g->inputs[g->n_inputs++] = v;
    return CNN_OK;
}

cnn_status cnn_graph_set_input_shape(cnn_graph *g, const char *name, int ndim,
                                     const int *shape)
{
    graph_value *v = find_value(g, name);
    if (!v || v->kind != VALUE_INPUT)
        return cnn_fail(CNN_ERR_INVALID_ARG, "graph: '%s' is not an input", name);
    if (g->prepared)
        return cnn_fail(CNN_ERR_INVALID_ARG, "graph: input '%s' reshaped after prepare", name);
    cnn_status st = check_shape(name, ndim, shape);
    if (st != CNN_OK)
        return st;
    set_shape(v, ndim, shape);
    return CNN_OK;
}

static cnn_status add_constant(cnn_graph *g, const char *name, int ndim, const int *shape,
                               const void *data, graph_dtype dtype)
{
    cnn_status st = check_shape(name, ndim, shape);
    if (st != CNN_OK)
        return st;
    for (int i = 0; i < ndim; i++)
        if (shape[i] < 0)
            return cnn_fail(CNN_ERR_SHAPE, "graph: constant '%s' has dimension %d = %d", name,
                            i, shape[i]);
    graph_value *v = find_value(g, name);
    if (v && v->kind == VALUE_INPUT && !g->prepared) {
        /* an input bound to a value: it leaves the input list */
        int j = 0;
        for (int i = 0; i < g->n_inputs; i++)
            if (g->inputs[i] != v)
                g->inputs[j++] = g->inputs[i];
        g->n_inputs = j;
        v->kind = VALUE_CONSTANT;
    } else if ((st = new_value(g, name, VALUE_CONSTANT, &v)) != CNN_OK) {
        return st;
    }
    set_shape(v, ndim, shape);
    v->dtype = dtype;
    size_t bytes = graph_numel(ndim, shape) * (dtype == GRAPH_I64 ? 8 : 4);
    v->storage = cnn_aligned_alloc(bytes);
    if (!v->storage)
        return cnn_fail(CNN_ERR_NOMEM, "graph: constant '%s': out of memory", name);
    memcpy(v->storage, data, bytes);
    if (dtype == GRAPH_I64)
        v->i64 = v->storage;
    else
        v->t.data = v->storage;
    return CNN_OK;
}

cnn_status cnn_graph_add_constant(cnn_graph *g, const char *name, int ndim, const int *shape,
                                  const float *data)
{
    return add_constant(g, name, ndim, shape, data, GRAPH_F32);
}

cnn_status cnn_graph_add_constant_i64(cnn_graph *g, const char *name, int ndim,
                                      const int *shape, const int64_t *data)
{
    return add_constant(g, name, ndim, shape, data, GRAPH_I64);
}

int cnn_graph_op_supported(const char *op_type)
{
    return graph_find_op(op_type) != NULL;
}

cnn_status cnn_graph_add_node(cnn_graph *g, const char *op_type, const char *name,
                              int n_inputs, const char *const *inputs, int n_outputs,
                              const char *const *outputs, cnn_graph_node **node)
{
    const graph_op *op = graph_find_op(op_type);
    /* unnamed nodes (common in ONNX files) go by their first output */
    if (!name || !name[0])
        name = n_outputs > 0 ? outputs[0] : "";
    if (!op)
        return cnn_fail(CNN_ERR_UNSUPPORTED, "node '%s' (%s): operator not supported", name,
                        op_type);
    /* trailing omitted optional inputs count as absent */
    while (n_inputs > 0 && !inputs[n_inputs - 1][0])
        n_inputs--;
    if (n_inputs < op->min_in || n_inputs > op->max_in || n_outputs < op->min_out ||
        n_outputs > op->max_out)
        return cnn_fail(CNN_ERR_FORMAT,
                        "node '%s' (%s): %d inputs and %d outputs, expected %d-%d and %d-%d",
                        name, op_type, n_inputs, n_outputs, op->min_in, op->max_in,
                        op->min_out, op->max_out);
    for (int i = 0; i < op->min_in; i++)
        if (!inputs[i][0])
            return cnn_fail(CNN_ERR_FORMAT, "node '%s' (%s): required input %d is missing",
                            name, op_type, i);
    for (int i = 0; i < op->min_out; i++)
        if (!outputs[i][0])
            return cnn_fail(CNN_ERR_FORMAT, "node '%s' (%s): output %d has no name", name,
                            op_type, i);
    cnn_status st = grow(&g->nodes, g->n_nodes, &g->cap_nodes);
    if (st != CNN_OK)
        return st;
    cnn_graph_node *n = calloc(1, sizeof *n);
    if (!n || !(n->name = strdup(name))) {
        free(n);
        return cnn_fail(CNN_ERR_NOMEM, "graph: out of memory");
    }
    n->op = op;
    n->n_in = n_inputs;
    n->n_out = n_outputs;
    for (int i = 0; i < n_inputs; i++) {
        if (!inputs[i][0])
            continue;
        n->in[i] = find_value(g, inputs[i]);
        if (!n->in[i]) {
            free_node(n);
            return cnn_fail(CNN_ERR_FORMAT,
                            "node '%s' (%s): input '%s' is not produced by an earlier node, "
                            "an input or a constant", name, op_type, inputs[i]);
        }
    }
    for (int i = 0; i < n_outputs; i++) {
        if (!outputs[i][0])
            continue; /* an optional output nobody reads */
        if ((st = new_value(g, outputs[i], VALUE_TEMP, &n->out[i])) != CNN_OK) {
            free_node(n);
            return cnn_fail(st, "node '%s' (%s): %s", name, op_type, cnn_last_error());
        }
    }
    n->built_n_in = n->n_in;
    memcpy(n->built_in, n->in, sizeof n->in);
    memcpy(n->built_out, n->out, sizeof n->out);
    g->nodes[g->n_nodes++] = n;
    if (node)
        *node = n;
    return CNN_OK;
}

static cnn_status new_attr(cnn_graph_node *n, const char *name, graph_attr_type type,
                           graph_attr **out)
{
    if (graph_attr_find(n, name))
        return cnn_fail(CNN_ERR_INVALID_ARG, "node '%s' (%s): attribute '%s' set twice",
                        n->name, n->op->name, name);
    graph_attr *a = realloc(n->attrs, (size_t)(n->n_attrs + 1) * sizeof *a);
    if (!a)
        return cnn_fail(CNN_ERR_NOMEM, "graph: out of memory");
    n->attrs = a;
    a += n->n_attrs;
    memset(a, 0, sizeof *a);
    if (!(a->name = strdup(name)))
        return cnn_fail(CNN_ERR_NOMEM, "graph: out of memory");
    a->type = type;
    n->n_attrs++;
    *out = a;
    return CNN_OK;
}

cnn_status cnn_graph_node_set_int(cnn_graph_node *n, const char *attr, int64_t v)
{
    graph_attr *a = NULL;
    cnn_status st = new_attr(n, attr, ATTR_INT, &a);
    if (st == CNN_OK)
        a->i = v;
    return st;
}

cnn_status cnn_graph_node_set_float(cnn_graph_node *n, const char *attr, float v)
{
    graph_attr *a = NULL;
    cnn_status st = new_attr(n, attr, ATTR_FLOAT, &a);
    if (st == CNN_OK)
        a->f = v;
    return st;
}

cnn_status cnn_graph_node_set_string(cnn_graph_node *n, const char *attr, const char *v)
{
    graph_attr *a = NULL;
    cnn_status st = new_attr(n, attr, ATTR_STRING, &a);
    if (st == CNN_OK && !(a->s = strdup(v)))
        return cnn_fail(CNN_ERR_NOMEM, "graph: out of memory");
    return st;
}

cnn_status cnn_graph_node_set_ints(cnn_graph_node *n, const char *attr, int count,
                                   const int64_t *v)
{
    graph_attr *a = NULL;
    cnn_status st = new_attr(n, attr, ATTR_INTS, &a);
    if (st != CNN_OK)
        return st;
    a->count = count;
    if (!(a->ints = malloc((size_t)(count ? count : 1) * sizeof *v)))
        return cnn_fail(CNN_ERR_NOMEM, "graph: out of memory");
    if (count)
        memcpy(a->ints, v, (size_t)count * sizeof *v);
    return CNN_OK;
}

cnn_status cnn_graph_node_set_floats(cnn_graph_node *n, const char *attr, int count,
                                     const float *v)
{
    graph_attr *a = NULL;
    cnn_status st = new_attr(n, attr, ATTR_FLOATS, &a);
    if (st != CNN_OK)
        return st;
    a->count = count;
    if (!(a->floats = malloc((size_t)(count ? count : 1) * sizeof *v)))
        return cnn_fail(CNN_ERR_NOMEM, "graph: out of memory");
    if (count)
        memcpy(a->floats, v, (size_t)count * sizeof *v);
    return CNN_OK;
}

cnn_status cnn_graph_mark_output(cnn_graph *g, const char *name)
{
    graph_value *v = find_value(g, name);
    if (!v)
        return cnn_fail(CNN_ERR_FORMAT, "graph: output '%s' is not produced by any node", name);
    int cap = g->n_outputs;
    cnn_status st = grow(&g->outputs, g->n_outputs, &cap);
    if (st != CNN_OK)
        return st;
    v->is_output = 1;
    g->outputs[g->n_outputs++] = v;
    return CNN_OK;
}

/* ---- helpers for operator files ---- */

const graph_attr *graph_attr_find(const cnn_graph_node *n, const char *name)
{
    for (int i = 0; i < n->n_attrs; i++)
        if (!strcmp(n->attrs[i].name, name))
            return &n->attrs[i];
    return NULL;
}

int64_t graph_attr_int(const cnn_graph_node *n, const char *name, int64_t def)
{
    const graph_attr *a = graph_attr_find(n, name);
    return a && a->type == ATTR_INT ? a->i : def;
}

float graph_attr_float(const cnn_graph_node *n, const char *name, float def)
{
    const graph_attr *a = graph_attr_find(n, name);
    return a && a->type == ATTR_FLOAT ? a->f : def;
}

const char *graph_attr_string(const cnn_graph_node *n, const char *name, const char *def)
{
    const graph_attr *a = graph_attr_find(n, name);
    return a && a->type == ATTR_STRING ? a->s : def;
}

const int64_t *graph_attr_ints(const cnn_graph_node *n, const char *name, int *count)
{
    const graph_attr *a = graph_attr_find(n, name);
    if (!a || a->type != ATTR_INTS) {
        *count = 0;
        return NULL;
    }
    *count = a->count;
    return a->ints;
}

cnn_status graph_attr_ints_or(const cnn_graph_node *n, const char *name, int want, int def,
                              int *out)
{
    int count;
    const int64_t *v = graph_attr_ints(n, name, &count);
    if (v && count != want)
        return cnn_fail(CNN_ERR_INVALID_ARG, "%s has %d values, expected %d", name, count,
                        want);
    for (int i = 0; i < want; i++) {
        /* kernel sizes, strides, pads: far from int overflow once summed */
        if (v && (v[i] < -(1 << 24) || v[i] > (1 << 24)))
            return cnn_fail(CNN_ERR_INVALID_ARG, "%s[%d] = %lld is out of range", name, i,
                            (long long)v[i]);
        out[i] = v ? (int)v[i] : def;
    }
    return CNN_OK;
}

cnn_status graph_input_i64(const cnn_graph_node *n, int i, const int64_t **v, int *count)
{
    const graph_value *x = i < n->n_in ? n->in[i] : NULL;
    if (!x)
        return cnn_fail(CNN_ERR_FORMAT, "input %d is missing", i);
    if (x->kind != VALUE_CONSTANT || x->dtype != GRAPH_I64)
        return cnn_fail(CNN_ERR_UNSUPPORTED, "input %d ('%s') must be a constant int64 tensor",
                        i, x->name);
    if (x->t.ndim > 1)
        return cnn_fail(CNN_ERR_SHAPE, "input %d ('%s') must be 1-D", i, x->name);
    *v = x->i64;
    *count = (int)graph_numel(x->t.ndim, x->t.shape);
    return CNN_OK;
}

cnn_status graph_input_f32(const cnn_graph_node *n, int i)
{
    const graph_value *x = i < n->n_in ? n->in[i] : NULL;
    if (!x)
        return cnn_fail(CNN_ERR_FORMAT, "input %d is missing", i);
    if (x->dtype != GRAPH_F32)
        return cnn_fail(CNN_ERR_UNSUPPORTED, "input %d ('%s') must be float32", i, x->name);
    return CNN_OK;
}

cnn_status graph_inputs_f32(const cnn_graph_node *n)
{
    for (int i = 0; i < n->n_in; i++) {
        cnn_status st = n->in[i] ? graph_input_f32(n, i) : CNN_OK;
        if (st != CNN_OK)
            return st;
    }
    return CNN_OK;
}

cnn_status graph_set_output(cnn_graph_node *n, int i, int ndim, const int *shape)
{
    graph_value *y = n->out[i];
    if (!y)
        return CNN_OK;
    cnn_status st = check_shape(y->name, ndim, shape);
    if (st != CNN_OK)
        return st;
    for (int d = 0; d < ndim; d++)
        if (shape[d] < 0)
            return cnn_fail(CNN_ERR_SHAPE, "output '%s' would have dimension %d = %d", y->name,
                            d, shape[d]);
    set_shape(y, ndim, shape);
    y->dtype = GRAPH_F32;
    return CNN_OK;
}

cnn_tensor graph_view(const graph_value *v)
{
    cnn_tensor t = v->t;
    if (t.ndim == 0) {
        t.ndim = 1;
        t.shape[0] = 1;
    }
    return t;
}

cnn_status graph_set_alias(cnn_graph_node *n, int ndim, const int *shape)
{
    cnn_status st = graph_set_output(n, 0, ndim, shape);
    if (st == CNN_OK && n->out[0])
        n->out[0]->alias = n->in[0];
    return st;
}

cnn_status graph_run_alias(cnn_context *ctx, cnn_graph_node *n, void *workspace)
{
    const cnn_tensor *x = &n->in[0]->t;
    cnn_tensor *y = &n->out[0]->t;
    if (y->data != x->data)
        memcpy(y->data, x->data, graph_numel(x->ndim, x->shape) * sizeof(float));
    return CNN_OK;
}

void graph_pad_same(int in, int k, int stride, int dilation, int upper, int *begin, int *end)
{
    int out = (in + stride - 1) / stride;
    int total = (out - 1) * stride + (k - 1) * dilation + 1 - in;
    if (total < 0)
        total = 0;
    *begin = upper ? total / 2 : total - total / 2;
    *end = total - *begin;
}

size_t graph_numel(int ndim, const int *shape)
{
    size_t n = 1;
    for (int i = 0; i < ndim; i++)
        n *= (size_t)shape[i];
    return n;
}

cnn_status graph_axis(const char *what, int64_t axis, int rank, int *out)
{
    if (axis < -rank || axis >= rank)
        return cnn_fail(CNN_ERR_INVALID_ARG, "%s %lld is out of range for rank %d", what,
                        (long long)axis, rank);
    *out = (int)(axis < 0 ? axis + rank : axis);
    return CNN_OK;
}

/* ---- prepare and run ---- */

static cnn_status node_error(const cnn_graph_node *n, cnn_status st)
{
    char reason[400];
    snprintf(reason, sizeof reason, "%s", cnn_last_error());
    return cnn_fail(st, "node '%s' (%s): %s", n->name, n->op->name, reason);
}

static int all_inputs_constant(const cnn_graph_node *n)
{
    int any = 0;
    for (int i = 0; i < n->n_in; i++) {
        if (!n->in[i])
            continue;
        if (n->in[i]->kind != VALUE_CONSTANT)
            return 0;
        any = 1;
    }
    return any;
}

/* 1 when every output of n has no elements: there is nothing to compute
 * (layer functions need not handle empty tensors). */
static int outputs_empty(const cnn_graph_node *n)
{
    for (int i = 0; i < n->n_out; i++)
        if (n->out[i] && graph_numel(n->out[i]->t.ndim, n->out[i]->t.shape) > 0)
            return 0;
    return 1;
}

/* Run a node whose inputs are all constant now; its outputs become constants. */
static cnn_status fold_node(cnn_context *ctx, cnn_graph_node *n)
{
    for (int i = 0; i < n->n_out; i++) {
        graph_value *y = n->out[i];
        if (!y)
            continue;
        y->alias = NULL;
        y->storage = cnn_aligned_alloc(graph_numel(y->t.ndim, y->t.shape) * sizeof(float));
        if (!y->storage)
            return cnn_fail(CNN_ERR_NOMEM, "constant folding: out of memory");
        y->t.data = y->storage;
    }
    void *ws = n->workspace_size ? cnn_aligned_alloc(n->workspace_size) : NULL;
    if (n->workspace_size && !ws)
        return cnn_fail(CNN_ERR_NOMEM, "constant folding: out of memory");
    cnn_status st = outputs_empty(n) ? CNN_OK : n->op->run(ctx, n, ws);
    cnn_aligned_free(ws);
    if (st != CNN_OK)
        return st;
    for (int i = 0; i < n->n_out; i++)
        if (n->out[i]) {
            n->out[i]->kind = VALUE_CONSTANT;
            n->out[i]->folded = 1;
        }
    n->folded = 1;
    return CNN_OK;
}

/* Floats a node reads and writes below which it runs on one thread: waking
 * the pool and waiting for the last thread cost more than its share of the
 * work saves (every node of the Fashion-MNIST model is below it). */
#define SERIAL_FLOATS (1 << 17)

static int node_is_small(const cnn_graph_node *n)
{
    size_t floats = 0;
    for (int i = 0; i < n->n_in; i++)
        if (n->in[i] && n->in[i]->dtype == GRAPH_F32)
            floats += graph_numel(n->in[i]->t.ndim, n->in[i]->t.shape);
    for (int i = 0; i < n->n_out; i++)
        if (n->out[i] && n->out[i]->dtype == GRAPH_F32)
            floats += graph_numel(n->out[i]->t.ndim, n->out[i]->t.shape);
    return floats < SERIAL_FLOATS;
}

cnn_status cnn_graph_prepare(cnn_graph *g, cnn_context *ctx)
{
    if (g->prepared)
        return cnn_fail(CNN_ERR_INVALID_ARG, "graph: prepared twice");
    for (int i = 0; i < g->n_inputs; i++)
        if (g->inputs[i]->dtype == GRAPH_I64)
            return cnn_fail(CNN_ERR_UNSUPPORTED, "graph: input '%s' is int64; bind its value "
                            "with cnn_graph_add_constant_i64()", g->inputs[i]->name);
    for (int i = 0; i < g->n_inputs; i++)
        if (!g->inputs[i]->shape_known)
            return cnn_fail(CNN_ERR_SHAPE, "graph: input '%s' has an unknown dimension; set "
                            "it with cnn_graph_set_input_shape()", g->inputs[i]->name);
    if (g->n_outputs == 0)
        return cnn_fail(CNN_ERR_FORMAT, "graph: no output");
    g->n_built_values = g->n_values;
    for (int k = 0; k < g->n_nodes; k++) {
        cnn_graph_node *n = g->nodes[k];
        for (int i = 0; i < n->n_in; i++)
            if (n->in[i] && n->in[i]->dtype == GRAPH_F32 && !n->in[i]->shape_known)
                return cnn_fail(CNN_ERR_SHAPE, "node '%s' (%s): input '%s' has no shape",
                                n->name, n->op->name, n->in[i]->name);
        n->opset = g->opset;
        if (n->op->params_size && !(n->params = calloc(1, n->op->params_size)))
            return cnn_fail(CNN_ERR_NOMEM, "graph: out of memory");
        cnn_status st = n->op->prepare(ctx, n);
        if (st == CNN_OK && all_inputs_constant(n))
            st = fold_node(ctx, n);
        if (st != CNN_OK)
            return node_error(n, st);
    }
    size_t ws_offset;
    cnn_status st = graph_fuse(g);
    if (st == CNN_OK)
        st = graph_plan(g, &g->arena_size, &ws_offset);
    if (st != CNN_OK)
        return st;
    g->arena = cnn_aligned_alloc(g->arena_size);
    if (!g->arena)
        return cnn_fail(CNN_ERR_NOMEM, "graph: cannot allocate an arena of %zu bytes",
                        g->arena_size);
    for (int i = 0; i < g->n_values; i++) {
        graph_value *v = g->values[i];
        if (v->kind == VALUE_CONSTANT)
            continue;
        const graph_value *root = v;
        while (root->alias)
            root = root->alias;
        v->t.data = (float *)((char *)g->arena + root->offset);
    }
    g->workspace = (char *)g->arena + ws_offset;
    for (int k = 0; k < g->n_nodes; k++) {
        cnn_graph_node *n = g->nodes[k];
        n->serial = node_is_small(n);
        n->executed = !n->folded && !n->fused && !outputs_empty(n);
    }
    if ((st = graph_profile_prepare(g)) != CNN_OK)
        return st;
    g->prepared = 1;
    return CNN_OK;
}

/* The one-thread context of the small nodes, with ctx's kernels; made at
 * the first run on several threads, again only if ctx's CPU features
 * change. Every operation gives the same result on any thread count. */
static cnn_status serial_context(cnn_graph *g, cnn_context *ctx, cnn_context **out)
{
    *out = ctx;
    if (cnn_context_threads(ctx) == 1)
        return CNN_OK;
    unsigned flags = cnn_context_cpu_flags(ctx);
    if (!g->serial_ctx || g->serial_flags != flags) {
        cnn_context_destroy(g->serial_ctx);
        g->serial_ctx = NULL;
        cnn_status st = cnn_context_create_isa(&g->serial_ctx, 1, flags);
        if (st != CNN_OK)
            return st;
        g->serial_flags = flags;
    }
    *out = g->serial_ctx;
    return CNN_OK;
}

cnn_status cnn_graph_run(cnn_graph *g, cnn_context *ctx)
{
    if (!g->prepared)
        return cnn_fail(CNN_ERR_INVALID_ARG, "graph: run before prepare");
    cnn_context *serial;
    cnn_status st = serial_context(g, ctx, &serial);
    if (st != CNN_OK)
        return st;
    for (int k = 0; k < g->n_nodes; k++) {
        cnn_graph_node *n = g->nodes[k];
        if (!n->executed)
            continue;
        if (g->profiling) {
            uint64_t t0 = graph_now_ns();
            st = n->op->run(n->serial ? serial : ctx, n, g->workspace);
            n->profile_ns += graph_now_ns() - t0;
            n->profile_calls++;
        } else {
            st = n->op->run(n->serial ? serial : ctx, n, g->workspace);
        }
        if (st != CNN_OK)
            return node_error(n, st);
    }
    return CNN_OK;
}

int cnn_graph_input_decides_shapes(const cnn_graph *g, int i)
{
    if (i < 0 || i >= g->n_inputs)
        return 0;
    for (int k = 0; k < g->n_nodes; k++) {
        const cnn_graph_node *n = g->nodes[k];
        unsigned mask = graph_op_shape_inputs(n->op);
        for (int j = 0; j < n->n_in; j++)
            if ((mask >> j & 1) && n->in[j] == g->inputs[i])
                return 1;
    }
    return 0;
}

int cnn_graph_input_count(const cnn_graph *g)
{
    return g->n_inputs;
}

const char *cnn_graph_input_name(const cnn_graph *g, int i)
{
    return i >= 0 && i < g->n_inputs ? g->inputs[i]->name : NULL;
}

cnn_tensor *cnn_graph_input(cnn_graph *g, int i)
{
    return g->prepared && i >= 0 && i < g->n_inputs ? &g->inputs[i]->t : NULL;
}

int cnn_graph_output_count(const cnn_graph *g)
{
    return g->n_outputs;
}

const char *cnn_graph_output_name(const cnn_graph *g, int i)
{
    return i >= 0 && i < g->n_outputs ? g->outputs[i]->name : NULL;
}

const cnn_tensor *cnn_graph_output(const cnn_graph *g, int i)
{
    return g->prepared && i >= 0 && i < g->n_outputs ? &g->outputs[i]->t : NULL;
}

void cnn_graph_get_stats(const cnn_graph *g, cnn_graph_stats *stats)
{
    memset(stats, 0, sizeof *stats);
    stats->nodes = g->n_nodes;
    for (int k = 0; k < g->n_nodes; k++) {
        stats->folded += g->nodes[k]->folded;
        stats->fused += g->nodes[k]->fused;
    }
    stats->arena_bytes = g->arena_size;
}
