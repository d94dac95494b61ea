/* The inference network of a cnn_net as a cnn_graph of ONNX operators:
 * parameters become constants named as the parameters, batch norm takes the
 * running statistics (the graph runtime folds it into the convolution),
 * dropout disappears. */
#include <stdio.h>
#include <string.h>

#include "cnn/graph.h"
#include "train_internal.h"

#define VALUE_NAME 40

static cnn_status add_param_constant(cnn_graph *g, const cnn_tensor *t, const char *name)
{
    return cnn_graph_add_constant(g, name, t->ndim, t->shape, t->data);
}

static cnn_status set_window(cnn_graph_node *n, int kh, int kw, int sh, int sw, int top,
                             int left, int bottom, int right)
{
    const int64_t kernel[2] = { kh, kw }, strides[2] = { sh, sw };
    const int64_t pads[4] = { top, left, bottom, right };
    cnn_status st = cnn_graph_node_set_ints(n, "kernel_shape", 2, kernel);
    if (st == CNN_OK)
        st = cnn_graph_node_set_ints(n, "strides", 2, strides);
    if (st == CNN_OK)
        st = cnn_graph_node_set_ints(n, "pads", 4, pads);
    return st;
}

/* The node of layer i reading `in` and writing `out`. */
static cnn_status export_layer(const cnn_net *net, int i, cnn_graph *g, const char *in,
                               const char *out)
{
    const net_layer *l = &net->layers[i];
    const net_param *params = &net->params[l->first_param];
    const char *inputs[5] = { in };
    int n_in = 1;
    cnn_graph_node *node;
    cnn_status st = CNN_OK;
    char flat[VALUE_NAME];
    switch (l->kind) {
    case LAYER_CONV:
    case LAYER_DENSE:
        for (int k = 0; k < 1 + l->has_bias && st == CNN_OK; k++) {
            st = add_param_constant(g, &params[k].value, params[k].name);
            inputs[n_in++] = params[k].name;
        }
        if (st != CNN_OK)
            return st;
        if (l->kind == LAYER_DENSE) {
            if (l->in.ndim != 1) { /* Gemm wants [N, features] */
                snprintf(flat, sizeof flat, "%s%d.flat", l->word, i);
                const char *flat_out[1] = { flat };
                if ((st = cnn_graph_add_node(g, "Flatten", flat, 1, inputs, 1, flat_out,
                                             &node)) != CNN_OK)
                    return st;
                inputs[0] = flat;
            }
            if ((st = cnn_graph_add_node(g, "Gemm", out, n_in, inputs, 1, &out, &node)))
                return st;
            return cnn_graph_node_set_int(node, "transB", 1);
        }
        if ((st = cnn_graph_add_node(g, "Conv", out, n_in, inputs, 1, &out, &node)))
            return st;
        const cnn_conv2d_params *c = &l->conv;
        const int64_t dilations[2] = { c->dilation_h, c->dilation_w };
        if ((st = set_window(node, c->kernel_h, c->kernel_w, c->stride_h, c->stride_w,
                             c->pad_top, c->pad_left, c->pad_bottom, c->pad_right)) ||
            (st = cnn_graph_node_set_ints(node, "dilations", 2, dilations)))
            return st;
        return cnn_graph_node_set_int(node, "group", c->groups);
    case LAYER_BN:
        for (int k = 0; k < 4 && st == CNN_OK; k++) {
            const char *name = k < 2 ? params[k].name : net->buffers[l->first_buffer + k - 2].name;
            const cnn_tensor *t = k < 2 ? &params[k].value
                                        : &net->buffers[l->first_buffer + k - 2].value;
            st = add_param_constant(g, t, name);
            inputs[n_in++] = name;
        }
        if (st != CNN_OK ||
            (st = cnn_graph_add_node(g, "BatchNormalization", out, n_in, inputs, 1, &out,
                                     &node)))
            return st;
        return cnn_graph_node_set_float(node, "epsilon", l->bn.eps);
    case LAYER_ACT: {
        static const char *const ops[] = {
            [CNN_ACT_RELU] = "Relu", [CNN_ACT_LEAKY_RELU] = "LeakyRelu",
            [CNN_ACT_SIGMOID] = "Sigmoid", [CNN_ACT_TANH] = "Tanh",
            [CNN_ACT_HARD_SWISH] = "HardSwish",
        };
        if ((st = cnn_graph_add_node(g, ops[l->act], out, 1, inputs, 1, &out, &node)))
            return st;
        return l->act == CNN_ACT_LEAKY_RELU ? cnn_graph_node_set_float(node, "alpha", l->alpha)
                                            : CNN_OK;
    }
    case LAYER_MAXPOOL:
    case LAYER_AVGPOOL: {
        const cnn_pool2d_params *p = &l->pool;
        int is_max = l->kind == LAYER_MAXPOOL;
        if ((st = cnn_graph_add_node(g, is_max ? "MaxPool" : "AveragePool", out, 1, inputs, 1,
                                     &out, &node)) ||
            (st = set_window(node, p->kernel_h, p->kernel_w, p->stride_h, p->stride_w,
                             p->pad_top, p->pad_left, p->pad_bottom, p->pad_right)))
            return st;
        /* nn.AvgPool2d counts the padding */
        return is_max ? CNN_OK : cnn_graph_node_set_int(node, "count_include_pad", 1);
    }
    case LAYER_FLATTEN:
        if ((st = cnn_graph_add_node(g, "Flatten", out, 1, inputs, 1, &out, &node)))
            return st;
        return cnn_graph_node_set_int(node, "axis", 1);
    case LAYER_DROPOUT: break;
    }
    return CNN_OK;
}

cnn_status cnn_net_export(const cnn_net *net, cnn_graph **out)
{
    cnn_graph *g;
    *out = NULL;
    cnn_status st = cnn_graph_create(&g);
    if (st != CNN_OK)
        return st;
    const int shape[4] = { -1, net->input.dims[0], net->input.dims[1], net->input.dims[2] };
    st = cnn_graph_add_input(g, "input", 4, shape);
    /* the last layer that makes a node writes "logits" */
    int last = net->n_layers - 1;
    while (last > 0 && net->layers[last].kind == LAYER_DROPOUT)
        last--;
    char names[2][VALUE_NAME] = { "input" };
    int cur = 0;
    for (int i = 0; i <= last && st == CNN_OK; i++) {
        if (net->layers[i].kind == LAYER_DROPOUT)
            continue;
        char *next = names[cur ^ 1];
        if (i == last)
            snprintf(next, VALUE_NAME, "logits");
        else
            snprintf(next, VALUE_NAME, "%s%d", net->layers[i].word, i);
        st = export_layer(net, i, g, names[cur], next);
        cur ^= 1;
    }
    if (st == CNN_OK && net->layers[last].kind == LAYER_DROPOUT)
        st = cnn_fail(CNN_ERR_UNSUPPORTED, "train export: a network of dropout only");
    if (st == CNN_OK)
        st = cnn_graph_mark_output(g, "logits");
    if (st != CNN_OK) {
        cnn_graph_destroy(g);
        return st;
    }
    *out = g;
    return CNN_OK;
}
