/* ONNX writer: a graph as built (inputs, constants as initialisers, nodes
 * with their attributes and their inputs and outputs as added, outputs)
 * packed into a ModelProto by protobuf-c, before or after prepare: what
 * prepare folds, fuses or adds is not written.
 * The messages point at the graph's own names and data; only the message
 * structs and pointer arrays are allocated, all tracked and freed at the
 * end. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cnn/onnx.h"
#include "graph/graph_internal.h"
#include "onnx/onnx.pb-c.h"

/* The opset whose semantics the operators follow when the graph has none;
 * IR 7 goes with opsets up to 13, IR 8 with the later ones. */
#define DEFAULT_OPSET 13

typedef struct alloc_list {
    void **blocks;
    int n, cap, failed;
} alloc_list;

static void *track(alloc_list *a, size_t bytes)
{
    if (a->failed)
        return NULL;
    if (a->n == a->cap) {
        int cap = a->cap ? 2 * a->cap : 64;
        void **b = realloc(a->blocks, (size_t)cap * sizeof *b);
        if (!b) {
            a->failed = 1;
            return NULL;
        }
        a->blocks = b;
        a->cap = cap;
    }
    void *p = calloc(1, bytes ? bytes : 1);
    if (!p) {
        a->failed = 1;
        return NULL;
    }
    a->blocks[a->n++] = p;
    return p;
}

static void release(alloc_list *a)
{
    for (int i = 0; i < a->n; i++)
        free(a->blocks[i]);
    free(a->blocks);
}

static Onnx__TensorProto *tensor_proto(alloc_list *a, const graph_value *v)
{
    Onnx__TensorProto *t = track(a, sizeof *t);
    int64_t *dims = track(a, (size_t)v->t.ndim * sizeof *dims);
    if (!t || !dims)
        return NULL;
    onnx__tensor_proto__init(t);
    t->name = v->name;
    t->n_dims = (size_t)v->t.ndim;
    t->dims = dims;
    for (int i = 0; i < v->t.ndim; i++)
        dims[i] = v->t.shape[i];
    size_t count = graph_numel(v->t.ndim, v->t.shape);
    t->has_data_type = 1;
    if (v->dtype == GRAPH_I64) {
        t->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__INT64;
        t->n_int64_data = count;
        t->int64_data = v->i64;
    } else {
        t->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
        t->n_float_data = count;
        t->float_data = v->t.data;
    }
    return t;
}

/* Element type and, when with_shape, the shape (unknown dimensions get a
 * symbolic name); without, the shape the model file declared, if any. */
static Onnx__ValueInfoProto *value_info(alloc_list *a, const graph_value *v, int with_shape)
{
    Onnx__ValueInfoProto *vi = track(a, sizeof *vi);
    Onnx__TypeProto *tp = track(a, sizeof *tp);
    Onnx__TypeProto__Tensor *tt = track(a, sizeof *tt);
    if (!vi || !tp || !tt)
        return NULL;
    onnx__value_info_proto__init(vi);
    onnx__type_proto__init(tp);
    onnx__type_proto__tensor__init(tt);
    vi->name = v->name;
    vi->type = tp;
    tp->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    tp->tensor_type = tt;
    tt->has_elem_type = 1;
    tt->elem_type = v->dtype == GRAPH_I64 ? ONNX__TENSOR_PROTO__DATA_TYPE__INT64
                                          : ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
    int ndim = v->t.ndim;
    const int *shape = v->t.shape;
    if (!with_shape && v->declared_ndim >= 0) {
        ndim = v->declared_ndim;
        shape = v->declared_shape;
    } else if (!with_shape) {
        return vi;
    }
    Onnx__TensorShapeProto *sp = track(a, sizeof *sp);
    Onnx__TensorShapeProto__Dimension **dims = track(a, (size_t)ndim * sizeof *dims);
    if (!sp || !dims)
        return NULL;
    onnx__tensor_shape_proto__init(sp);
    sp->n_dim = (size_t)ndim;
    sp->dim = dims;
    tt->shape = sp;
    for (int i = 0; i < ndim; i++) {
        Onnx__TensorShapeProto__Dimension *d = track(a, sizeof *d);
        char *param = track(a, 16);
        if (!d || !param)
            return NULL;
        onnx__tensor_shape_proto__dimension__init(d);
        if (shape[i] >= 0) {
            d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
            d->dim_value = shape[i];
        } else {
            snprintf(param, 16, "d%d", i);
            d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
            d->dim_param = param;
        }
        dims[i] = d;
    }
    return vi;
}

static Onnx__AttributeProto *attribute(alloc_list *a, const graph_attr *at)
{
    Onnx__AttributeProto *p = track(a, sizeof *p);
    if (!p)
        return NULL;
    onnx__attribute_proto__init(p);
    p->name = at->name;
    p->has_type = 1;
    switch (at->type) {
    case ATTR_INT:
        p->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
        p->has_i = 1;
        p->i = at->i;
        break;
    case ATTR_FLOAT:
        p->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT;
        p->has_f = 1;
        p->f = at->f;
        break;
    case ATTR_STRING:
        p->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING;
        p->has_s = 1;
        p->s.data = (uint8_t *)at->s;
        p->s.len = strlen(at->s);
        break;
    case ATTR_INTS:
        p->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
        p->n_ints = (size_t)at->count;
        p->ints = at->ints;
        break;
    case ATTR_FLOATS:
        p->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS;
        p->n_floats = (size_t)at->count;
        p->floats = at->floats;
        break;
    }
    return p;
}

static Onnx__NodeProto *node_proto(alloc_list *a, const cnn_graph_node *n)
{
    static char empty[] = "";
    Onnx__NodeProto *p = track(a, sizeof *p);
    char **in = track(a, (size_t)n->built_n_in * sizeof *in);
    char **out = track(a, (size_t)n->n_out * sizeof *out);
    Onnx__AttributeProto **attrs = track(a, (size_t)n->n_attrs * sizeof *attrs);
    if (!p || !in || !out || !attrs)
        return NULL;
    onnx__node_proto__init(p);
    p->name = n->name;
    p->op_type = (char *)n->op->name;
    p->n_input = (size_t)n->built_n_in;
    p->input = in;
    p->n_output = (size_t)n->n_out;
    p->output = out;
    for (int i = 0; i < n->built_n_in; i++)
        in[i] = n->built_in[i] ? n->built_in[i]->name : empty;
    for (int i = 0; i < n->n_out; i++)
        out[i] = n->built_out[i] ? n->built_out[i]->name : empty;
    p->n_attribute = (size_t)n->n_attrs;
    p->attribute = attrs;
    for (int i = 0; i < n->n_attrs; i++)
        if (!(attrs[i] = attribute(a, &n->attrs[i])))
            return NULL;
    return p;
}

/* The constants of the graph as built: not those prepare folded or added. */
static int is_initialiser(const cnn_graph *g, int i)
{
    const graph_value *v = g->values[i];
    return v->kind == VALUE_CONSTANT && !v->folded &&
           (!g->n_built_values || i < g->n_built_values);
}

/* outputs: the graph's outputs with their inferred shapes, or NULL. */
static cnn_status build_model(alloc_list *a, const cnn_graph *g, graph_value *const *outputs,
                              Onnx__ModelProto *m)
{
    static char name[] = "cnn_graph", producer[] = "gst-cnn", domain[] = "";
    Onnx__GraphProto *gp = track(a, sizeof *gp);
    Onnx__OperatorSetIdProto *opset = track(a, sizeof *opset);
    Onnx__OperatorSetIdProto **opsets = track(a, sizeof *opsets);
    int n_const = 0;
    for (int i = 0; i < g->n_values; i++)
        n_const += is_initialiser(g, i);
    Onnx__TensorProto **inits = track(a, (size_t)n_const * sizeof *inits);
    Onnx__ValueInfoProto **ins = track(a, (size_t)g->n_inputs * sizeof *ins);
    Onnx__ValueInfoProto **outs = track(a, (size_t)g->n_outputs * sizeof *outs);
    Onnx__NodeProto **nodes = track(a, (size_t)g->n_nodes * sizeof *nodes);
    if (!gp || !opset || !opsets || !inits || !ins || !outs || !nodes)
        return cnn_fail(CNN_ERR_NOMEM, "onnx write: out of memory");
    onnx__model_proto__init(m);
    onnx__graph_proto__init(gp);
    onnx__operator_set_id_proto__init(opset);
    m->has_ir_version = 1;
    m->ir_version = g->opset > 13 ? 8 : 7;
    m->producer_name = producer;
    m->graph = gp;
    m->n_opset_import = 1;
    m->opset_import = opsets;
    opsets[0] = opset;
    opset->domain = domain;
    opset->has_version = 1;
    opset->version = g->opset > 0 ? g->opset : DEFAULT_OPSET;
    gp->name = name;
    gp->n_initializer = (size_t)n_const;
    gp->initializer = inits;
    for (int i = 0, k = 0; i < g->n_values; i++)
        if (is_initialiser(g, i) && !(inits[k++] = tensor_proto(a, g->values[i])))
            return cnn_fail(CNN_ERR_NOMEM, "onnx write: out of memory");
    gp->n_input = (size_t)g->n_inputs;
    gp->input = ins;
    for (int i = 0; i < g->n_inputs; i++)
        if (!(ins[i] = value_info(a, g->inputs[i], 1)))
            return cnn_fail(CNN_ERR_NOMEM, "onnx write: out of memory");
    gp->n_output = (size_t)g->n_outputs;
    gp->output = outs;
    for (int i = 0; i < g->n_outputs; i++)
        if (!(outs[i] = outputs ? value_info(a, outputs[i], 1) : value_info(a, g->outputs[i], 0)))
            return cnn_fail(CNN_ERR_NOMEM, "onnx write: out of memory");
    gp->n_node = (size_t)g->n_nodes;
    gp->node = nodes;
    for (int k = 0; k < g->n_nodes; k++)
        if (!(nodes[k] = node_proto(a, g->nodes[k])))
            return cnn_fail(CNN_ERR_NOMEM, "onnx write: out of memory");
    return CNN_OK;
}

static cnn_status pack(const cnn_graph *g, graph_value *const *outputs, void **data,
                       size_t *size)
{
    alloc_list a = { 0 };
    Onnx__ModelProto m;
    cnn_status st = build_model(&a, g, outputs, &m);
    if (st == CNN_OK) {
        *size = onnx__model_proto__get_packed_size(&m);
        *data = malloc(*size ? *size : 1);
        if (!*data)
            st = cnn_fail(CNN_ERR_NOMEM, "onnx write: cannot allocate %zu bytes", *size);
        else
            onnx__model_proto__pack(&m, *data);
    }
    release(&a);
    return st;
}

/* A copy of the packed model prepared with every unknown input dimension
 * set to `size`, or NULL when it does not prepare. */
static cnn_graph *prepared_copy(const void *data, size_t size_bytes, int size)
{
    cnn_graph *copy = NULL;
    cnn_context *ctx = NULL;
    int ok = cnn_onnx_read_memory(data, size_bytes, "written model", &copy) == CNN_OK &&
             cnn_context_create(&ctx, 1) == CNN_OK;
    for (int i = 0; ok && i < copy->n_inputs; i++) {
        cnn_tensor *t = &copy->inputs[i]->t;
        int shape[CNN_MAX_DIMS];
        for (int d = 0; d < t->ndim; d++)
            shape[d] = t->shape[d] < 0 ? size : t->shape[d];
        ok = cnn_graph_set_input_shape(copy, copy->inputs[i]->name, t->ndim, shape) == CNN_OK;
    }
    ok = ok && cnn_graph_prepare(copy, ctx) == CNN_OK;
    cnn_context_destroy(ctx);
    if (!ok) {
        cnn_graph_destroy(copy);
        return NULL;
    }
    return copy;
}

/* ONNX wants the shapes of graph outputs, which only prepare knows: prepare
 * copies read back from a first packing (the graph itself stays as built,
 * and a prepared graph writes the same bytes as before prepare).
 * Unknown input dimensions (a free batch) are tried at two sizes: output
 * dimensions that follow them are written symbolic. When the graph does not
 * prepare at all, the outputs are written without shapes. */
cnn_status cnn_onnx_write_memory(const cnn_graph *g, void **data, size_t *size)
{
    *data = NULL;
    *size = 0;
    void *first;
    size_t first_size;
    cnn_status st = pack(g, NULL, &first, &first_size);
    if (st != CNN_OK)
        return st;
    cnn_graph *copy = prepared_copy(first, first_size, 2);
    cnn_graph *other = copy ? prepared_copy(first, first_size, 3) : NULL;
    graph_value **outputs = other ? calloc((size_t)copy->n_outputs, sizeof *outputs) : NULL;
    graph_value *shaped = other ? calloc((size_t)copy->n_outputs, sizeof *shaped) : NULL;
    if (outputs && shaped) {
        for (int i = 0; i < copy->n_outputs; i++) {
            shaped[i] = *copy->outputs[i];
            for (int d = 0; d < shaped[i].t.ndim; d++)
                if (other->outputs[i]->t.shape[d] != shaped[i].t.shape[d])
                    shaped[i].t.shape[d] = -1;
            outputs[i] = &shaped[i];
        }
        st = pack(g, outputs, data, size);
        free(first);
    } else {
        *data = first;
        *size = first_size;
    }
    free(outputs);
    free(shaped);
    cnn_graph_destroy(copy);
    cnn_graph_destroy(other);
    return st;
}

/* Write size bytes to path, or an error naming it. */
static cnn_status write_file(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return cnn_fail(CNN_ERR_IO, "onnx write: cannot create '%s': %s", path,
                        strerror(errno));
    size_t put = fwrite(data, 1, size, f);
    int closed = fclose(f);
    if (put != size || closed != 0)
        return cnn_fail(CNN_ERR_IO, "onnx write: short write on '%s'", path);
    return CNN_OK;
}

cnn_status cnn_onnx_write(const cnn_graph *g, const char *path)
{
    void *data;
    size_t size;
    cnn_status st = cnn_onnx_write_memory(g, &data, &size);
    if (st != CNN_OK)
        return st;
    st = write_file(path, data, size);
    free(data);
    return st;
}

cnn_status cnn_onnx_write_tensor(const char *path, const char *name, const cnn_tensor *t)
{
    graph_value v = { .name = (char *)name, .dtype = GRAPH_F32, .t = *t };
    alloc_list a = { 0 };
    Onnx__TensorProto *p = tensor_proto(&a, &v);
    cnn_status st = p ? CNN_OK : cnn_fail(CNN_ERR_NOMEM, "onnx write: out of memory");
    size_t size = p ? onnx__tensor_proto__get_packed_size(p) : 0;
    uint8_t *data = p ? malloc(size ? size : 1) : NULL;
    if (st == CNN_OK && !data)
        st = cnn_fail(CNN_ERR_NOMEM, "onnx write: cannot allocate %zu bytes", size);
    if (st == CNN_OK) {
        onnx__tensor_proto__pack(p, data);
        st = write_file(path, data, size);
    }
    free(data);
    release(&a);
    return st;
}
