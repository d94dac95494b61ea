/* ONNX reader: protobuf-c decodes ModelProto (bindings generated from
 * onnx.proto at build time), then the graph is rebuilt through the public
 * cnn_graph calls, so a model from a file and one built in code take the
 * same checks. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cnn/onnx.h"
#include "graph/graph_internal.h"
#include "onnx/onnx.pb-c.h"

static const char *elem_type_name(int t)
{
    static const char *const names[] = {
        "UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64", "STRING",
        "BOOL", "FLOAT16", "DOUBLE", "UINT32", "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16",
    };
    return t >= 0 && t < (int)(sizeof names / sizeof names[0]) ? names[t] : "unknown";
}

/* Whole file in memory; *size set. */
static cnn_status read_file(const char *path, uint8_t **data, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return cnn_fail(CNN_ERR_IO, "onnx: cannot open '%s': %s", path, strerror(errno));
    long len = -1;
    if (fseek(f, 0, SEEK_END) == 0)
        len = ftell(f);
    if (len < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return cnn_fail(CNN_ERR_IO, "onnx: cannot read '%s': %s", path, strerror(errno));
    }
    *data = malloc(len ? (size_t)len : 1);
    if (!*data) {
        fclose(f);
        return cnn_fail(CNN_ERR_NOMEM, "onnx: '%s': cannot allocate %ld bytes", path, len);
    }
    size_t got = fread(*data, 1, (size_t)len, f);
    fclose(f);
    if (got != (size_t)len) {
        free(*data);
        return cnn_fail(CNN_ERR_IO, "onnx: short read on '%s'", path);
    }
    *size = got;
    return CNN_OK;
}

/* Decode a TensorProto holding float32 or int64 (int32 widened) into *t. */
static cnn_status decode_tensor(const Onnx__TensorProto *p, const char *what,
                                cnn_onnx_tensor *t)
{
    memset(t, 0, sizeof *t);
    int type = p->has_data_type ? p->data_type : 0;
    if (type != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT &&
        type != ONNX__TENSOR_PROTO__DATA_TYPE__INT64 &&
        type != ONNX__TENSOR_PROTO__DATA_TYPE__INT32)
        return cnn_fail(CNN_ERR_UNSUPPORTED, "%s: element type %s not supported (float32 "
                        "data, int64 shapes)", what, elem_type_name(type));
    if (p->n_external_data || p->segment)
        return cnn_fail(CNN_ERR_UNSUPPORTED, "%s: external or segmented data not supported",
                        what);
    if (p->n_dims > CNN_MAX_DIMS)
        return cnn_fail(CNN_ERR_UNSUPPORTED, "%s: %zu dimensions, at most %d supported", what,
                        p->n_dims, CNN_MAX_DIMS);
    size_t count = 1;
    t->ndim = (int)p->n_dims;
    for (size_t i = 0; i < p->n_dims; i++) {
        if (p->dims[i] < 0 || p->dims[i] > (1 << 30))
            return cnn_fail(CNN_ERR_FORMAT, "%s: dimension %zu is %lld", what, i,
                            (long long)p->dims[i]);
        t->shape[i] = (int)p->dims[i];
        count *= (size_t)p->dims[i];
    }
    int is_float = type == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
    size_t elem = type == ONNX__TENSOR_PROTO__DATA_TYPE__INT32 ? 4 : is_float ? 4 : 8;
    size_t have = p->has_raw_data ? p->raw_data.len / elem
                  : is_float      ? p->n_float_data
                  : type == ONNX__TENSOR_PROTO__DATA_TYPE__INT64 ? p->n_int64_data
                                                                 : p->n_int32_data;
    if ((p->has_raw_data && p->raw_data.len % elem) || have != count)
        return cnn_fail(CNN_ERR_FORMAT, "%s: holds %zu values, its shape %zu", what, have,
                        count);
    void *buf = cnn_aligned_alloc((count ? count : 1) * (is_float ? 4 : 8));
    if (!buf)
        return cnn_fail(CNN_ERR_NOMEM, "%s: out of memory", what);
    if (is_float) {
        t->f32 = buf;
        if (count)
            memcpy(t->f32, p->has_raw_data ? (const void *)p->raw_data.data : p->float_data,
                   count * 4);
    } else {
        t->is_int64 = 1;
        t->i64 = buf;
        for (size_t i = 0; i < count; i++) {
            if (type == ONNX__TENSOR_PROTO__DATA_TYPE__INT64 && p->has_raw_data)
                memcpy(&t->i64[i], p->raw_data.data + 8 * i, 8);
            else if (type == ONNX__TENSOR_PROTO__DATA_TYPE__INT64)
                t->i64[i] = p->int64_data[i];
            else {
                int32_t v;
                if (p->has_raw_data)
                    memcpy(&v, p->raw_data.data + 4 * i, 4);
                else
                    v = p->int32_data[i];
                t->i64[i] = v;
            }
        }
    }
    return CNN_OK;
}

void cnn_onnx_tensor_release(cnn_onnx_tensor *t)
{
    free(t->name);
    cnn_aligned_free(t->f32);
    cnn_aligned_free(t->i64);
    memset(t, 0, sizeof *t);
}

cnn_status cnn_onnx_read_tensor(const char *path, cnn_onnx_tensor *t)
{
    uint8_t *data;
    size_t size;
    memset(t, 0, sizeof *t);
    cnn_status st = read_file(path, &data, &size);
    if (st != CNN_OK)
        return st;
    Onnx__TensorProto *p = onnx__tensor_proto__unpack(NULL, size, data);
    free(data);
    if (!p)
        return cnn_fail(CNN_ERR_FORMAT, "onnx: '%s' is not a TensorProto file (truncated or "
                        "another format)", path);
    char what[300];
    snprintf(what, sizeof what, "onnx: tensor file '%s'", path);
    st = decode_tensor(p, what, t);
    if (st == CNN_OK && p->name && !(t->name = strdup(p->name)))
        st = cnn_fail(CNN_ERR_NOMEM, "%s: out of memory", what);
    onnx__tensor_proto__free_unpacked(p, NULL);
    if (st != CNN_OK)
        cnn_onnx_tensor_release(t);
    return st;
}

static cnn_status add_tensor_constant(cnn_graph *g, const char *name, const cnn_onnx_tensor *t)
{
    return t->is_int64 ? cnn_graph_add_constant_i64(g, name, t->ndim, t->shape, t->i64)
                       : cnn_graph_add_constant(g, name, t->ndim, t->shape, t->f32);
}

/* A Constant node becomes a graph constant named after its output. */
static cnn_status add_constant_node(cnn_graph *g, const Onnx__NodeProto *node)
{
    const char *name = node->name ? node->name : "";
    if (node->n_output != 1 || node->n_attribute != 1)
        return cnn_fail(CNN_ERR_FORMAT, "node '%s' (Constant): expected one output and one "
                        "attribute", name);
    const Onnx__AttributeProto *a = node->attribute[0];
    const char *out = node->output[0];
    char what[300];
    snprintf(what, sizeof what, "node '%s' (Constant)", name);
    if (!a->name)
        return cnn_fail(CNN_ERR_FORMAT, "%s: attribute without a name", what);
    if (!strcmp(a->name, "value") && a->t) {
        cnn_onnx_tensor t;
        cnn_status st = decode_tensor(a->t, what, &t);
        if (st == CNN_OK)
            st = add_tensor_constant(g, out, &t);
        cnn_onnx_tensor_release(&t);
        return st;
    }
    int n = (int)a->n_floats;
    if (!strcmp(a->name, "value_float"))
        return cnn_graph_add_constant(g, out, 0, NULL, &a->f);
    if (!strcmp(a->name, "value_floats"))
        return cnn_graph_add_constant(g, out, 1, &n, a->floats);
    n = (int)a->n_ints;
    if (!strcmp(a->name, "value_int"))
        return cnn_graph_add_constant_i64(g, out, 0, NULL, &a->i);
    if (!strcmp(a->name, "value_ints"))
        return cnn_graph_add_constant_i64(g, out, 1, &n, a->ints);
    return cnn_fail(CNN_ERR_UNSUPPORTED, "%s: attribute '%s' not supported", what, a->name);
}

static cnn_status add_attribute(cnn_graph_node *n, const char *node_name, const char *op,
                                const Onnx__AttributeProto *a)
{
    char *s;
    cnn_status st;
    if (!a->name || !a->name[0])
        return cnn_fail(CNN_ERR_FORMAT, "node '%s' (%s): attribute without a name", node_name,
                        op);
    switch (a->type) {
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT:
        return cnn_graph_node_set_int(n, a->name, a->i);
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT:
        return cnn_graph_node_set_float(n, a->name, a->f);
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS:
        return cnn_graph_node_set_ints(n, a->name, (int)a->n_ints, a->ints);
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS:
        return cnn_graph_node_set_floats(n, a->name, (int)a->n_floats, a->floats);
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING:
        /* bytes in the proto: make a C string */
        if (!(s = malloc(a->s.len + 1)))
            return cnn_fail(CNN_ERR_NOMEM, "onnx: out of memory");
        if (a->s.len)
            memcpy(s, a->s.data, a->s.len);
        s[a->s.len] = 0;
        st = cnn_graph_node_set_string(n, a->name, s);
        free(s);
        return st;
    default:
        return cnn_fail(CNN_ERR_UNSUPPORTED, "node '%s' (%s): attribute '%s' of type %d not "
                        "supported", node_name, op, a->name, (int)a->type);
    }
}

/* Element type and shape of a graph input or output; unknown dims are -1. */
static cnn_status value_info_shape(const Onnx__ValueInfoProto *v, const char *role,
                                   int *elem_type, int *ndim, int *shape)
{
    const Onnx__TypeProto *tp = v->type;
    if (!v->name || !v->name[0])
        return cnn_fail(CNN_ERR_FORMAT, "onnx: a graph %s without a name", role);
    *elem_type = 0;
    *ndim = 1;
    shape[0] = -1;
    if (!tp)
        return CNN_OK;
    if (tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !tp->tensor_type)
        return cnn_fail(CNN_ERR_UNSUPPORTED, "onnx: %s '%s' is not a tensor", role, v->name);
    const Onnx__TypeProto__Tensor *tt = tp->tensor_type;
    *elem_type = tt->has_elem_type ? tt->elem_type : 0;
    if (!tt->shape)
        return CNN_OK;
    if (tt->shape->n_dim > CNN_MAX_DIMS)
        return cnn_fail(CNN_ERR_UNSUPPORTED, "onnx: %s '%s' has %zu dimensions, at most %d "
                        "supported", role, v->name, tt->shape->n_dim, CNN_MAX_DIMS);
    *ndim = (int)tt->shape->n_dim;
    for (int i = 0; i < *ndim; i++) {
        const Onnx__TensorShapeProto__Dimension *d = tt->shape->dim[i];
        int known = d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
        shape[i] = known && d->dim_value >= 0 && d->dim_value <= (1 << 30) ? (int)d->dim_value
                                                                            : -1;
    }
    return CNN_OK;
}

static int is_initializer(const Onnx__GraphProto *gp, const char *name)
{
    for (size_t i = 0; i < gp->n_initializer; i++)
        if (gp->initializer[i]->name && !strcmp(gp->initializer[i]->name, name))
            return 1;
    return 0;
}

static cnn_status build_graph(cnn_graph *g, const Onnx__GraphProto *gp, const char *what)
{
    cnn_status st;
    int elem, ndim, shape[CNN_MAX_DIMS];
    for (size_t i = 0; i < gp->n_initializer; i++) {
        const Onnx__TensorProto *p = gp->initializer[i];
        char tname[300];
        snprintf(tname, sizeof tname, "onnx: initializer '%s'", p->name ? p->name : "");
        cnn_onnx_tensor t;
        if ((st = decode_tensor(p, tname, &t)) == CNN_OK)
            st = add_tensor_constant(g, p->name ? p->name : "", &t);
        cnn_onnx_tensor_release(&t);
        if (st != CNN_OK)
            return st;
    }
    if (gp->n_sparse_initializer)
        return cnn_fail(CNN_ERR_UNSUPPORTED, "onnx: %s: sparse initializers not supported",
                        what);
    for (size_t i = 0; i < gp->n_input; i++) {
        const Onnx__ValueInfoProto *v = gp->input[i];
        if ((st = value_info_shape(v, "input", &elem, &ndim, shape)) != CNN_OK)
            return st;
        if (is_initializer(gp, v->name))
            continue; /* before IR 4, initializers were listed as inputs too */
        if (elem != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT &&
            elem != ONNX__TENSOR_PROTO__DATA_TYPE__INT64)
            return cnn_fail(CNN_ERR_UNSUPPORTED, "onnx: input '%s' has element type %s; "
                            "inputs are float32 (int64 only bound as constants)", v->name,
                            elem_type_name(elem));
        if ((st = cnn_graph_add_input(g, v->name, ndim, shape)) != CNN_OK)
            return st;
        if (elem == ONNX__TENSOR_PROTO__DATA_TYPE__INT64)
            g->values[g->n_values - 1]->dtype = GRAPH_I64;
    }
    for (size_t k = 0; k < gp->n_node; k++) {
        const Onnx__NodeProto *node = gp->node[k];
        const char *name = node->name ? node->name : "";
        const char *op = node->op_type ? node->op_type : "";
        if (node->domain && node->domain[0] && strcmp(node->domain, "ai.onnx"))
            return cnn_fail(CNN_ERR_UNSUPPORTED, "node '%s' (%s): domain '%s' not supported",
                            name, op, node->domain);
        if (!strcmp(op, "Constant")) {
            if ((st = add_constant_node(g, node)) != CNN_OK)
                return st;
            continue;
        }
        if (node->n_input > GRAPH_MAX_IO || node->n_output > GRAPH_MAX_IO)
            return cnn_fail(CNN_ERR_UNSUPPORTED, "node '%s' (%s): more than %d inputs or "
                            "outputs", name, op, GRAPH_MAX_IO);
        cnn_graph_node *n;
        st = cnn_graph_add_node(g, op, name, (int)node->n_input,
                                (const char *const *)node->input, (int)node->n_output,
                                (const char *const *)node->output, &n);
        for (size_t a = 0; st == CNN_OK && a < node->n_attribute; a++)
            st = add_attribute(n, name, op, node->attribute[a]);
        if (st != CNN_OK)
            return st;
    }
    for (size_t i = 0; i < gp->n_output; i++) {
        const Onnx__ValueInfoProto *v = gp->output[i];
        if ((st = value_info_shape(v, "output", &elem, &ndim, shape)) != CNN_OK)
            return st;
        if (elem && elem != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT)
            return cnn_fail(CNN_ERR_UNSUPPORTED, "onnx: output '%s' has element type %s; "
                            "outputs are float32", v->name, elem_type_name(elem));
        if ((st = cnn_graph_mark_output(g, v->name)) != CNN_OK)
            return st;
        graph_value *out = g->outputs[g->n_outputs - 1];
        int known = v->type && v->type->tensor_type && v->type->tensor_type->shape;
        for (int d = 0; known && d < ndim; d++)
            known = shape[d] >= 0;
        if (known) { /* kept for writing the model back */
            out->declared_ndim = ndim;
            memcpy(out->declared_shape, shape, sizeof out->declared_shape);
        }
    }
    return CNN_OK;
}

cnn_status cnn_onnx_read_memory(const void *data, size_t size, const char *what,
                                cnn_graph **g)
{
    *g = NULL;
    Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, size, data);
    if (!m)
        return cnn_fail(CNN_ERR_FORMAT, "onnx: '%s' is not an ONNX model (protobuf decoding "
                        "failed: truncated or another format)", what);
    cnn_status st;
    if (!m->has_ir_version || !m->graph)
        st = cnn_fail(CNN_ERR_FORMAT, "onnx: '%s' is not an ONNX model (no %s)", what,
                      m->graph ? "IR version" : "graph");
    else if ((st = cnn_graph_create(g)) == CNN_OK) {
        for (size_t i = 0; i < m->n_opset_import; i++) {
            const Onnx__OperatorSetIdProto *o = m->opset_import[i];
            if ((!o->domain || !o->domain[0] || !strcmp(o->domain, "ai.onnx")) &&
                o->has_version)
                (*g)->opset = (int)o->version;
        }
        st = build_graph(*g, m->graph, what);
    }
    if (st != CNN_OK && *g) {
        cnn_graph_destroy(*g);
        *g = NULL;
    }
    onnx__model_proto__free_unpacked(m, NULL);
    return st;
}

cnn_status cnn_onnx_read(const char *path, cnn_graph **g)
{
    uint8_t *data;
    size_t size;
    *g = NULL;
    cnn_status st = read_file(path, &data, &size);
    if (st != CNN_OK)
        return st;
    st = cnn_onnx_read_memory(data, size, path, g);
    free(data);
    return st;
}
