/* Conv (1-D and 2-D) on cnn_conv2d_forward; a 1-D convolution is a 2-D one
 * of height 1. */
#include <string.h>

#include "cnn/conv2d.h"
#include "graph_internal.h"

typedef struct conv_params {
    cnn_conv2d_params conv;
} conv_params;

/* View a [N, C, W] or [N, C, H, W] tensor as 4-D. */
static cnn_tensor as_4d(const cnn_tensor *t)
{
    cnn_tensor v = *t;
    v.owns_data = 0;
    if (t->ndim == 3) {
        v.ndim = 4;
        v.shape[3] = t->shape[2];
        v.shape[2] = 1;
    }
    return v;
}

static cnn_status conv_prepare(cnn_context *ctx, cnn_graph_node *n)
{
    conv_params *p = n->params;
    cnn_status st;
    for (int i = 0; i < n->n_in; i++)
        if (n->in[i] && (st = graph_input_f32(n, i)) != CNN_OK)
            return st;
    const cnn_tensor *x = &n->in[0]->t, *w = &n->in[1]->t;
    if ((x->ndim != 3 && x->ndim != 4) || w->ndim != x->ndim)
        return cnn_fail(CNN_ERR_UNSUPPORTED, "only 1-D and 2-D convolutions are supported "
                        "(input %d-D, weight %d-D)", x->ndim, w->ndim);
    int sp = x->ndim - 2, k[2], s[2], d[2], pads[4];
    if ((st = graph_attr_ints_or(n, "kernel_shape", sp, 0, k)) != CNN_OK ||
        (st = graph_attr_ints_or(n, "strides", sp, 1, s)) != CNN_OK ||
        (st = graph_attr_ints_or(n, "dilations", sp, 1, d)) != CNN_OK ||
        (st = graph_attr_ints_or(n, "pads", 2 * sp, 0, pads)) != CNN_OK)
        return st;
    for (int i = 0; i < sp; i++)
        if (k[i] && k[i] != w->shape[2 + i])
            return cnn_fail(CNN_ERR_SHAPE, "kernel_shape[%d] = %d but the weight has %d", i,
                            k[i], w->shape[2 + i]);
    cnn_tensor x4 = as_4d(x), w4 = as_4d(w);
    cnn_conv2d_params *c = &p->conv;
    cnn_conv2d_params_init(c, w4.shape[2], w4.shape[3]);
    c->groups = (int)graph_attr_int(n, "group", 1);
    if (sp == 1) {
        c->stride_w = s[0];
        c->dilation_w = d[0];
        c->pad_left = pads[0];
        c->pad_right = pads[1];
    } else {
        c->stride_h = s[0], c->stride_w = s[1];
        c->dilation_h = d[0], c->dilation_w = d[1];
        c->pad_top = pads[0], c->pad_left = pads[1];
        c->pad_bottom = pads[2], c->pad_right = pads[3];
    }
    const char *auto_pad = graph_attr_string(n, "auto_pad", "NOTSET");
    if (!strcmp(auto_pad, "SAME_UPPER") || !strcmp(auto_pad, "SAME_LOWER")) {
        cnn_conv2d_pad_same(c, x4.shape[2], x4.shape[3]);
        if (!strcmp(auto_pad, "SAME_LOWER")) { /* the odd pixel goes first */
            int t = c->pad_top, l = c->pad_left;
            c->pad_top = c->pad_bottom, c->pad_bottom = t;
            c->pad_left = c->pad_right, c->pad_right = l;
        }
    } else if (!strcmp(auto_pad, "VALID")) {
        c->pad_top = c->pad_bottom = c->pad_left = c->pad_right = 0;
    } else if (strcmp(auto_pad, "NOTSET")) {
        return cnn_fail(CNN_ERR_INVALID_ARG, "auto_pad '%s' unknown", auto_pad);
    }
    int oh, ow;
    if ((st = cnn_conv2d_output_size(c, x4.shape[2], x4.shape[3], &oh, &ow)) != CNN_OK)
        return st;
    int shape[4] = { x->shape[0], w->shape[0], oh, ow };
    cnn_tensor y4;
    memset(&y4, 0, sizeof y4);
    y4.ndim = 4;
    memcpy(y4.shape, shape, sizeof shape);
    cnn_tensor b = n->n_in > 2 && n->in[2] ? n->in[2]->t : (cnn_tensor){ 0 };
    if ((st = cnn_conv2d_check(c, &x4, &w4, n->n_in > 2 && n->in[2] ? &b : NULL, &y4)) !=
        CNN_OK)
        return st;
    n->workspace_size = cnn_conv2d_workspace_size(c, x4.shape[1], x4.shape[2], x4.shape[3],
                                                  cnn_context_threads(ctx));
    if (sp == 1)
        shape[2] = ow;
    return graph_set_output(n, 0, x->ndim, shape);
}

static cnn_status conv_run(cnn_context *ctx, cnn_graph_node *n, void *workspace)
{
    const conv_params *p = n->params;
    cnn_tensor x = as_4d(&n->in[0]->t), w = as_4d(&n->in[1]->t), y = as_4d(&n->out[0]->t);
    const cnn_tensor *b = n->n_in > 2 && n->in[2] ? &n->in[2]->t : NULL;
    return cnn_conv2d_forward(ctx, &p->conv, &x, &w, b, &y, workspace);
}

const graph_op graph_op_conv = { "Conv", 2, 3, 1, 1, sizeof(conv_params), conv_prepare,
                                 conv_run };
