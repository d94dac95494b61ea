/* cnn_graph: a DAG of operator nodes over named values, built in code or read
 * from an ONNX file (cnn/onnx.h). Operators and attributes follow ONNX.
 *
 * Life of a graph: add inputs, constants and nodes (in topological order),
 * mark outputs, then cnn_graph_prepare() once: it infers every shape, folds
 * nodes whose inputs are all constant, and plans one arena for the inputs,
 * the intermediate values and the largest workspace. cnn_graph_run() then
 * allocates nothing. Values are float32; int64 exists only for constants
 * that steer shapes (Reshape's shape, Pad's pads, Squeeze's axes...).
 *
 * Scalars have ndim 0 and one element. */
#ifndef CNN_GRAPH_H
#define CNN_GRAPH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cnn/context.h"
#include "cnn/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cnn_graph cnn_graph;
typedef struct cnn_graph_node cnn_graph_node;

cnn_status cnn_graph_create(cnn_graph **g);
void cnn_graph_destroy(cnn_graph *g);

/* A float input; a dimension < 0 is unknown until cnn_graph_set_input_shape(). */
cnn_status cnn_graph_add_input(cnn_graph *g, const char *name, int ndim, const int *shape);
cnn_status cnn_graph_set_input_shape(cnn_graph *g, const char *name, int ndim,
                                     const int *shape);
/* Constants are copied. Giving the name of an input turns that input into a
 * constant (a test binding Reshape's shape, say). */
cnn_status cnn_graph_add_constant(cnn_graph *g, const char *name, int ndim, const int *shape,
                                  const float *data);
cnn_status cnn_graph_add_constant_i64(cnn_graph *g, const char *name, int ndim,
                                      const int *shape, const int64_t *data);
/* A node of ONNX operator op_type. An empty input name is an omitted optional
 * input. A NULL or empty name makes the node go by its first output's name in
 * messages. Unknown operators are refused here, naming the node. */
cnn_status cnn_graph_add_node(cnn_graph *g, const char *op_type, const char *name,
                              int n_inputs, const char *const *inputs, int n_outputs,
                              const char *const *outputs, cnn_graph_node **node);
cnn_status cnn_graph_node_set_int(cnn_graph_node *n, const char *attr, int64_t v);
cnn_status cnn_graph_node_set_ints(cnn_graph_node *n, const char *attr, int count,
                                   const int64_t *v);
cnn_status cnn_graph_node_set_float(cnn_graph_node *n, const char *attr, float v);
cnn_status cnn_graph_node_set_floats(cnn_graph_node *n, const char *attr, int count,
                                     const float *v);
cnn_status cnn_graph_node_set_string(cnn_graph_node *n, const char *attr, const char *v);
cnn_status cnn_graph_mark_output(cnn_graph *g, const char *name);

/* 1 when the operator is known (op_type as in ONNX, e.g. "Conv"). */
int cnn_graph_op_supported(const char *op_type);

/* Infer shapes, fold constants, fuse, plan and allocate the arena. Errors
 * name the node, its operator and the reason; after one the graph can only
 * be destroyed. */
cnn_status cnn_graph_prepare(cnn_graph *g, cnn_context *ctx);
/* Run all nodes; write inputs first (cnn_graph_input), read outputs after. */
cnn_status cnn_graph_run(cnn_graph *g, cnn_context *ctx);

int cnn_graph_input_count(const cnn_graph *g);
const char *cnn_graph_input_name(const cnn_graph *g, int i);
/* 1 when input i decides output shapes (Reshape's shape, Resize's scales or
 * sizes, Pad's pads...): it must be bound with cnn_graph_add_constant*()
 * before prepare. */
int cnn_graph_input_decides_shapes(const cnn_graph *g, int i);
/* After prepare: the input's tensor in the arena, to be filled by the caller. */
cnn_tensor *cnn_graph_input(cnn_graph *g, int i);
int cnn_graph_output_count(const cnn_graph *g);
const char *cnn_graph_output_name(const cnn_graph *g, int i);
/* After run: the output's tensor. */
const cnn_tensor *cnn_graph_output(const cnn_graph *g, int i);
typedef struct cnn_graph_stats {
    int nodes;          /* as built */
    int folded;         /* computed at prepare: all their inputs were constant */
    int fused;          /* merged into the node before them (Conv+BatchNorm+activation) */
    size_t arena_bytes; /* inputs, intermediate values and workspace, planned once */
} cnn_graph_stats;

/* What prepare made of the graph. */
void cnn_graph_get_stats(const cnn_graph *g, cnn_graph_stats *stats);

/* Per-node profiling. When on, cnn_graph_run() times every node it executes
 * (two clock reads per node; off, it costs one branch per node). The profile
 * lists the executed nodes in graph order: not the folded ones, and a fused
 * node (BatchNormalization, activation) under the node that absorbed it. */
void cnn_graph_set_profiling(cnn_graph *g, int on);
/* Zero every node's calls and time. */
void cnn_graph_reset_profile(cnn_graph *g);

typedef struct cnn_graph_node_profile {
    const char *name;    /* the executed node */
    const char *op_type; /* its operator, then those fused into it: "Conv+BatchNormalization+Relu" */
    const char *fused;   /* names of the nodes fused into it, '+'-separated; "" when none */
    int ndim;            /* its (last fused node's) output 0 */
    int shape[CNN_MAX_DIMS];
    uint64_t calls;      /* runs timed since profiling was reset */
    uint64_t total_ns;   /* their time, summed */
} cnn_graph_node_profile;

/* After prepare: how many nodes cnn_graph_run() executes. */
int cnn_graph_profile_count(const cnn_graph *g);
/* Executed node i (0 <= i < cnn_graph_profile_count()), in graph order. */
cnn_status cnn_graph_get_profile(const cnn_graph *g, int i, cnn_graph_node_profile *p);
/* A table of the executed nodes, slowest first: time per run, share of the
 * summed time, calls, operator, output shape and node. */
cnn_status cnn_graph_print_profile(const cnn_graph *g, FILE *f);

#ifdef __cplusplus
}
#endif
#endif
