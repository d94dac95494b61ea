/* The operator table: ONNX op_type to implementation. */
#include <string.h>

#include "graph_internal.h"

static const graph_op *const graph_ops[] = {
    &graph_op_add,
    &graph_op_average_pool,
    &graph_op_batchnorm,
    &graph_op_clip,
    &graph_op_concat,
    &graph_op_conv,
    &graph_op_conv_transpose,
    &graph_op_div,
    &graph_op_dropout,
    &graph_op_flatten,
    &graph_op_gemm,
    &graph_op_global_average_pool,
    &graph_op_global_max_pool,
    &graph_op_hard_swish,
    &graph_op_identity,
    &graph_op_leaky_relu,
    &graph_op_log_softmax,
    &graph_op_lp_pool,
    &graph_op_matmul,
    &graph_op_max_pool,
    &graph_op_mul,
    &graph_op_pad,
    &graph_op_prelu,
    &graph_op_relu,
    &graph_op_reshape,
    &graph_op_resize,
    &graph_op_sigmoid,
    &graph_op_softmax,
    &graph_op_squeeze,
    &graph_op_sub,
    &graph_op_tanh,
    &graph_op_transpose,
    &graph_op_unsqueeze,
};

const graph_op *graph_find_op(const char *name)
{
    for (size_t i = 0; i < sizeof graph_ops / sizeof graph_ops[0]; i++)
        if (!strcmp(graph_ops[i]->name, name))
            return graph_ops[i];
    return NULL;
}

unsigned graph_op_shape_inputs(const graph_op *op)
{
    if (op == &graph_op_reshape || op == &graph_op_squeeze || op == &graph_op_unsqueeze)
        return 1u << 1;
    if (op == &graph_op_pad)
        return 1u << 1 | 1u << 3;
    if (op == &graph_op_resize)
        return 1u << 1 | 1u << 2 | 1u << 3;
    return 0;
}
