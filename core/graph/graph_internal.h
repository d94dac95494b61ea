/* Graph internals shared by graph.c, plan.c and the operator files. */
#ifndef CNN_GRAPH_INTERNAL_H
#define CNN_GRAPH_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "cnn/activation.h"
#include "cnn/graph.h"

typedef enum graph_dtype {
    GRAPH_F32 = 0,
    GRAPH_I64,
} graph_dtype;

typedef enum graph_value_kind {
    VALUE_INPUT = 0,
    VALUE_CONSTANT,
    VALUE_TEMP, /* produced by a node */
} graph_value_kind;

typedef struct graph_value {
    char *name;
    graph_value_kind kind;
    graph_dtype dtype;
    int is_output;
    int shape_known;
    cnn_tensor t;      /* shape; data set by the plan, or the constant's */
    int64_t *i64;      /* int64 constants */
    void *storage;     /* constant data owned by the graph */
    int declared_ndim; /* an output's shape as the model file states it, -1: none */
    int declared_shape[CNN_MAX_DIMS];
    int folded;        /* a node's output computed at prepare: not an initialiser */
    /* plan */
    struct graph_value *alias; /* shares this value's buffer (reshape-like ops) */
    int first_node, last_node;
    size_t offset, bytes;
} graph_value;

typedef enum graph_attr_type {
    ATTR_INT = 0,
    ATTR_FLOAT,
    ATTR_STRING,
    ATTR_INTS,
    ATTR_FLOATS,
} graph_attr_type;

typedef struct graph_attr {
    char *name;
    graph_attr_type type;
    int64_t i;
    float f;
    char *s;
    int count;
    int64_t *ints;
    float *floats;
} graph_attr;

typedef struct graph_op graph_op;

#define GRAPH_MAX_IO 8

struct cnn_graph_node {
    char *name;
    const graph_op *op;
    int n_in, n_out;
    graph_value *in[GRAPH_MAX_IO]; /* NULL for an omitted optional input */
    graph_value *out[GRAPH_MAX_IO];
    /* the inputs and outputs as added; prepare's fusions rewrite in/out,
     * the ONNX writer writes these */
    int built_n_in;
    graph_value *built_in[GRAPH_MAX_IO], *built_out[GRAPH_MAX_IO];
    int n_attrs;
    graph_attr *attrs;
    void *params;          /* op_params_size bytes, filled by prepare */
    size_t workspace_size; /* set by prepare */
    int folded;            /* outputs computed at prepare time */
    int fused;             /* merged into the node before it (fuse.c) */
    int opset;             /* the graph's ONNX opset, 0 = latest */
    int serial;            /* small: runs on one thread (graph.c) */
    int executed;          /* run by cnn_graph_run: not folded, fused or empty (prepare) */
    cnn_graph_node *fused_into; /* the node that absorbed this one (fuse.c) */
    /* profile.c: labels made at prepare, counters of the profiled runs */
    char *profile_op, *profile_fused;
    uint64_t profile_calls, profile_ns;
};

struct graph_op {
    const char *name;
    int min_in, max_in, min_out, max_out;
    size_t params_size;
    /* Parse attributes, check inputs (shapes, constants), set output shapes
     * and node->workspace_size; may alias out[0] to in[0]. */
    cnn_status (*prepare)(cnn_context *ctx, cnn_graph_node *n);
    cnn_status (*run)(cnn_context *ctx, cnn_graph_node *n, void *workspace);
};

struct cnn_graph {
    int n_values, cap_values;
    graph_value **values;
    int n_nodes, cap_nodes;
    cnn_graph_node **nodes;
    int n_inputs, n_outputs;
    graph_value **inputs, **outputs;
    void *arena;
    size_t arena_size;
    void *workspace; /* inside the arena */
    int prepared;
    int n_built_values; /* values before prepare added its own (fused weights); 0: all */
    int opset; /* ai.onnx opset of the model, 0 = latest */
    cnn_context *serial_ctx; /* one thread, for the small nodes; made by run */
    unsigned serial_flags;   /* CPU features serial_ctx was made with */
    int profiling;           /* cnn_graph_run times each node (profile.c) */
};

/* The operator table (ops.c). */
const graph_op *graph_find_op(const char *name);
/* Bit i set: the operator's input i decides output shapes, so it must be a
 * constant (Reshape's shape, Resize's scales...). */
unsigned graph_op_shape_inputs(const graph_op *op);

/* Attribute access for prepare functions. */
const graph_attr *graph_attr_find(const cnn_graph_node *n, const char *name);
int64_t graph_attr_int(const cnn_graph_node *n, const char *name, int64_t def);
float graph_attr_float(const cnn_graph_node *n, const char *name, float def);
const char *graph_attr_string(const cnn_graph_node *n, const char *name, const char *def);
/* A list attribute: its values, or NULL with *count 0 when absent. */
const int64_t *graph_attr_ints(const cnn_graph_node *n, const char *name, int *count);
/* An ints attribute of exactly `want` values into out, or def everywhere
 * when absent. */
cnn_status graph_attr_ints_or(const cnn_graph_node *n, const char *name, int want, int def,
                              int *out);

/* Values of a constant int64 input i (1-D or scalar), or an error naming it. */
cnn_status graph_input_i64(const cnn_graph_node *n, int i, const int64_t **v, int *count);
/* Require input i to be a present float tensor. */
cnn_status graph_input_f32(const cnn_graph_node *n, int i);
/* Require every present input to be float. */
cnn_status graph_inputs_f32(const cnn_graph_node *n);
/* Set output i's shape (float). */
cnn_status graph_set_output(cnn_graph_node *n, int i, int ndim, const int *shape);
/* A value's tensor with scalars seen as [1], for the layer functions. */
cnn_tensor graph_view(const graph_value *v);
/* Output 0 takes the given shape and shares input 0's buffer; the run
 * function of such operators is graph_run_alias (a copy only when the input
 * is a constant). */
cnn_status graph_set_alias(cnn_graph_node *n, int ndim, const int *shape);
cnn_status graph_run_alias(cnn_context *ctx, cnn_graph_node *n, void *workspace);
/* auto_pad SAME_UPPER (upper = 1) or SAME_LOWER padding of one dimension:
 * output ceil(in / stride), the odd pixel at the end (upper) or the start. */
void graph_pad_same(int in, int k, int stride, int dilation, int upper, int *begin, int *end);
/* Elements of a shape; 1 for a scalar. */
size_t graph_numel(int ndim, const int *shape);
/* An axis in [-rank, rank) made non-negative, or an error. */
cnn_status graph_axis(const char *what, int64_t axis, int rank, int *out);

/* Fusions (fuse.c) and what they ask of the operators. */
cnn_status graph_fuse(cnn_graph *g);
/* Fold an inference BatchNormalization reading conv's output into conv's
 * weight and bias (new constants); *fused = 0 when it does not apply. */
cnn_status graph_conv_fuse_batchnorm(cnn_graph *g, cnn_graph_node *conv,
                                     const cnn_graph_node *bn, int *fused);
/* Make conv apply act's activation to its output; 0 when it does not apply. */
int graph_conv_fuse_activation(cnn_graph_node *conv, const cnn_graph_node *act);
/* The activation of an activation node (Relu, LeakyRelu...); 0 otherwise. */
int graph_activation_of(const cnn_graph_node *n, cnn_activation *act, float *alpha);
/* Whether a Clip node clamps to [0, 6] with constant bounds (fuses as relu6). */
int graph_clip_is_relu6(const cnn_graph_node *n);
/* Epsilon of a BatchNormalization node in inference mode with only Y
 * wanted; 0 otherwise. */
int graph_batchnorm_inference(const cnn_graph_node *n, float *eps);

/* Profile labels of the executed nodes, with what was fused into them
 * (profile.c); called at the end of prepare. */
cnn_status graph_profile_prepare(cnn_graph *g);
/* Monotonic nanoseconds. */
uint64_t graph_now_ns(void);

/* Arena plan (plan.c): offsets for inputs and temporaries, workspace last. */
cnn_status graph_plan(cnn_graph *g, size_t *arena_size, size_t *workspace_offset);

extern const graph_op graph_op_identity, graph_op_reshape, graph_op_flatten,
    graph_op_squeeze, graph_op_unsqueeze, graph_op_concat, graph_op_transpose, graph_op_pad,
    graph_op_add, graph_op_sub, graph_op_mul, graph_op_div, graph_op_prelu, graph_op_clip,
    graph_op_conv, graph_op_conv_transpose, graph_op_relu, graph_op_leaky_relu,
    graph_op_sigmoid, graph_op_tanh, graph_op_hard_swish, graph_op_dropout, graph_op_batchnorm,
    graph_op_softmax, graph_op_log_softmax, graph_op_gemm, graph_op_matmul, graph_op_max_pool,
    graph_op_average_pool, graph_op_lp_pool, graph_op_global_max_pool,
    graph_op_global_average_pool, graph_op_resize;

#endif
