/* The operator table: ONNX op_type to implementation. */
#include <string.h>

#include "graph_internal.h"

static const graph_op *const graph_ops[] = {
    &graph_op_add,
    &graph_op_clip,
    &graph_op_concat,
    &graph_op_conv,
    &graph_op_conv_transpose,
    &graph_op_div,
    &graph_op_flatten,
    &graph_op_identity,
    &graph_op_mul,
    &graph_op_pad,
    &graph_op_relu,
    &graph_op_reshape,
    &graph_op_squeeze,
    &graph_op_sub,
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
