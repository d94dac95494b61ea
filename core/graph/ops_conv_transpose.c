/* ConvTranspose (1-D, 2-D and 3-D), the gradient of Conv with respect to its
 * input: every input pixel scatters its kernel-weighted value into the
 * output. Split over output channels, so threads never write the same
 * element and sums happen in the same order on any thread count. */
#include <string.h>

#include "graph_internal.h"

typedef struct conv_transpose_params {
    int groups;
    int stride[3], dilation[3], pad_begin[3]; /* depth, height, width */
} conv_transpose_params;

typedef struct conv_transpose_job {
    const conv_transpose_params *p;
    const float *x, *w, *b;
    float *y;
    int n, cin, cout;
    int in[3], out[3], k[3]; /* depth, height, width; 1 where absent */
} conv_transpose_job;

static void conv_transpose_planes(void *arg, int ith, int nth)
{
    const conv_transpose_job *j = arg;
    const conv_transpose_params *p = j->p;
    int cin_g = j->cin / p->groups, cout_g = j->cout / p->groups, c0, c1;
    cnn_split_range(j->n * j->cout, ith, nth, &c0, &c1);
    size_t in_plane = (size_t)j->in[0] * j->in[1] * j->in[2];
    size_t out_plane = (size_t)j->out[0] * j->out[1] * j->out[2];
    size_t k_plane = (size_t)j->k[0] * j->k[1] * j->k[2];
    for (int t = c0; t < c1; t++) {
        int n = t / j->cout, oc = t % j->cout, g = oc / cout_g, ocg = oc % cout_g;
        float *y = j->y + (size_t)t * out_plane;
        float bias = j->b ? j->b[oc] : 0.0f;
        for (size_t i = 0; i < out_plane; i++)
            y[i] = bias;
        for (int icg = 0; icg < cin_g; icg++) {
            int ic = g * cin_g + icg;
            const float *x = j->x + ((size_t)n * j->cin + ic) * in_plane;
            const float *w = j->w + ((size_t)ic * cout_g + ocg) * k_plane;
            for (int iz = 0; iz < j->in[0]; iz++)
                for (int kz = 0; kz < j->k[0]; kz++) {
                    int oz = iz * p->stride[0] - p->pad_begin[0] + kz * p->dilation[0];
                    if (oz < 0 || oz >= j->out[0])
                        continue;
                    for (int iy = 0; iy < j->in[1]; iy++)
                        for (int ky = 0; ky < j->k[1]; ky++) {
                            int oy = iy * p->stride[1] - p->pad_begin[1] + ky * p->dilation[1];
                            if (oy < 0 || oy >= j->out[1])
                                continue;
                            float *yrow = y + ((size_t)oz * j->out[1] + oy) * j->out[2];
                            const float *xrow = x + ((size_t)iz * j->in[1] + iy) * j->in[2];
                            const float *wrow = w + ((size_t)kz * j->k[1] + ky) * j->k[2];
                            for (int ix = 0; ix < j->in[2]; ix++)
                                for (int kx = 0; kx < j->k[2]; kx++) {
                                    int ox = ix * p->stride[2] - p->pad_begin[2] +
                                             kx * p->dilation[2];
                                    if (ox >= 0 && ox < j->out[2])
                                        yrow[ox] += xrow[ix] * wrow[kx];
                                }
                        }
                }
        }
    }
}

static cnn_status conv_transpose_prepare(cnn_context *ctx, cnn_graph_node *n)
{
    conv_transpose_params *p = n->params;
    cnn_status st = graph_inputs_f32(n);
    if (st != CNN_OK)
        return st;
    const cnn_tensor *x = &n->in[0]->t, *w = &n->in[1]->t;
    if (x->ndim < 3 || w->ndim != x->ndim)
        return cnn_fail(CNN_ERR_SHAPE, "input (%d-D) and weight (%d-D) must both be 3-D to "
                        "5-D", x->ndim, w->ndim);
    int sp = x->ndim - 2, k[3], s[3], d[3], opad[3], pads[6], out_shape[3] = { -1, -1, -1 };
    if ((st = graph_attr_ints_or(n, "kernel_shape", sp, 0, k)) != CNN_OK ||
        (st = graph_attr_ints_or(n, "strides", sp, 1, s)) != CNN_OK ||
        (st = graph_attr_ints_or(n, "dilations", sp, 1, d)) != CNN_OK ||
        (st = graph_attr_ints_or(n, "output_padding", sp, 0, opad)) != CNN_OK ||
        (st = graph_attr_ints_or(n, "pads", 2 * sp, 0, pads)) != CNN_OK)
        return st;
    int count;
    const int64_t *os = graph_attr_ints(n, "output_shape", &count);
    if (os && count != sp && count != sp + 2)
        return cnn_fail(CNN_ERR_INVALID_ARG, "output_shape has %d values", count);
    for (int i = 0; os && i < sp; i++)
        out_shape[i] = (int)os[count - sp + i];
    p->groups = (int)graph_attr_int(n, "group", 1);
    int cin = x->shape[1], cout = w->shape[1] * p->groups;
    if (p->groups < 1 || cin % p->groups || w->shape[0] != cin)
        return cnn_fail(CNN_ERR_SHAPE, "weight has %d input channels for %d (group %d)",
                        w->shape[0], cin, p->groups);
    if (n->n_in > 2 && n->in[2] &&
        (n->in[2]->t.ndim != 1 || n->in[2]->t.shape[0] != cout))
        return cnn_fail(CNN_ERR_SHAPE, "bias must hold %d values", cout);
    const char *auto_pad = graph_attr_string(n, "auto_pad", "NOTSET");
    int same = !strncmp(auto_pad, "SAME_", 5), upper = !strcmp(auto_pad, "SAME_UPPER");
    int shape[5] = { x->shape[0], cout };
    for (int i = 0; i < 3; i++) {
        p->stride[i] = p->dilation[i] = 1;
        p->pad_begin[i] = 0;
    }
    for (int i = 0; i < sp; i++) {
        int in = x->shape[2 + i], kk = w->shape[2 + i];
        if (k[i] && k[i] != kk)
            return cnn_fail(CNN_ERR_SHAPE, "kernel_shape[%d] = %d but the weight has %d", i,
                            k[i], kk);
        if (s[i] < 1 || d[i] < 1)
            return cnn_fail(CNN_ERR_INVALID_ARG, "strides and dilations must be >= 1");
        int full = s[i] * (in - 1) + opad[i] + (kk - 1) * d[i] + 1;
        int begin = pads[i], end = pads[i + sp];
        if (same && out_shape[i] < 0)
            out_shape[i] = in * s[i];
        if (out_shape[i] >= 0) { /* pads follow from the wanted size */
            /* floor halves, as the spec's Python: a negative total pads the end */
            int total = full - out_shape[i], half = total >= 0 ? total / 2 : -((1 - total) / 2);
            begin = upper ? half : total - half;
            end = total - begin;
        }
        p->stride[3 - sp + i] = s[i];
        p->dilation[3 - sp + i] = d[i];
        p->pad_begin[3 - sp + i] = begin;
        shape[2 + i] = full - begin - end;
        if (shape[2 + i] < 1)
            return cnn_fail(CNN_ERR_SHAPE, "output dimension %d would be %d", i, shape[2 + i]);
    }
    return graph_set_output(n, 0, x->ndim, shape);
}

static cnn_status conv_transpose_run(cnn_context *ctx, cnn_graph_node *n, void *workspace)
{
    const cnn_tensor *x = &n->in[0]->t, *w = &n->in[1]->t, *y = &n->out[0]->t;
    int sp = x->ndim - 2;
    conv_transpose_job j = {
        .p = n->params, .x = x->data, .w = w->data,
        .b = n->n_in > 2 && n->in[2] ? n->in[2]->t.data : NULL, .y = y->data,
        .n = x->shape[0], .cin = x->shape[1], .cout = y->shape[1],
        .in = { 1, 1, 1 }, .out = { 1, 1, 1 }, .k = { 1, 1, 1 },
    };
    for (int i = 0; i < sp; i++) {
        j.in[3 - sp + i] = x->shape[2 + i];
        j.out[3 - sp + i] = y->shape[2 + i];
        j.k[3 - sp + i] = w->shape[2 + i];
    }
    cnn_threadpool_run(cnn_context_pool(ctx), conv_transpose_planes, &j, 0);
    return CNN_OK;
}

const graph_op graph_op_conv_transpose = { "ConvTranspose", 2, 3, 1, 1,
                                           sizeof(conv_transpose_params),
                                           conv_transpose_prepare, conv_transpose_run };
