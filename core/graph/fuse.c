/* Fusions made once at prepare, after shape inference and constant folding:
 * a Conv followed by an inference BatchNormalization with constant
 * statistics and a constant weight becomes one Conv with rescaled weights
 * and bias, and an activation after a Conv runs on the convolution's output
 * in place, so neither needs a buffer of its own. A value is fused away only
 * when it has one reader and is not a graph output. */
#include "graph_internal.h"

/* The only node reading v (as its input 0), or NULL. */
static cnn_graph_node *sole_reader(const cnn_graph *g, const graph_value *v)
{
    cnn_graph_node *reader = NULL;
    if (v->is_output)
        return NULL;
    for (int k = 0; k < g->n_nodes; k++) {
        cnn_graph_node *n = g->nodes[k];
        for (int i = 0; i < n->n_in; i++) {
            if (n->in[i] != v)
                continue;
            if (reader || i != 0)
                return NULL;
            reader = n;
        }
    }
    return reader;
}

cnn_status graph_fuse(cnn_graph *g)
{
    for (int k = 0; k < g->n_nodes; k++) {
        cnn_graph_node *conv = g->nodes[k];
        if (conv->op != &graph_op_conv || conv->folded || conv->fused || !conv->out[0])
            continue;
        for (int act_fused = 0; !act_fused;) {
            cnn_graph_node *next = sole_reader(g, conv->out[0]);
            int fused = 0;
            if (!next || next->folded)
                break;
            if (next->op == &graph_op_batchnorm) {
                cnn_status st = graph_conv_fuse_batchnorm(g, conv, next, &fused);
                if (st != CNN_OK)
                    return st;
            } else {
                fused = act_fused = graph_conv_fuse_activation(conv, next);
            }
            if (!fused)
                break;
            conv->out[0] = next->out[0];
            next->fused = 1;
            next->fused_into = conv;
        }
    }
    return CNN_OK;
}
