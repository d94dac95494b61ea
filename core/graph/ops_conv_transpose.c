/* ConvTranspose (1-D, 2-D and 3-D), the gradient of Conv with respect to its
 * input, as a GEMM and a col2im per batch item and group: col = W_g^T x_g
 * ([Cout_g * k] x input positions, cnn_gemm), then every column scatters its
 * kernel-weighted values into the output (col2im), split over output
 * channels. The input positions go in chunks of whole input rows so col
 * stays a bounded workspace planned at prepare. Each output element is
 * summed by one thread in a fixed order: results do not depend on the
 * thread count. */
#include <string.h>

#include "cnn/dense.h"
#include "graph_internal.h"

/* Floats of the col buffer a chunk may use (4 MiB): large enough for the
 * GEMM to run long rows, small enough to stay near the caches. */
#define COL_FLOATS (1 << 20)

typedef struct conv_transpose_params {
    int groups;
    int stride[3], dilation[3], pad_begin[3]; /* depth, height, width */
    int chunk_rows; /* input rows (depth x height positions) per GEMM */
} conv_transpose_params;

typedef struct col2im_job {
    const conv_transpose_params *p;
    const float *col, *b;
    float *y;           /* batch item n, group g's first output channel */
    int cout_g, first;  /* first: start from the bias */
    int row0, rows;     /* the chunk: input rows [row0, row0 + rows) */
    int in[3], out[3], k[3];
} col2im_job;

/* [lo, hi): the input positions i < n whose output i * s - pad + off lies
 * in [0, out). */
static void valid_inputs(int n, int s, int pad, int off, int out, int *lo, int *hi)
{
    int first = pad - off; /* i * s >= pad - off */
    *lo = first > 0 ? (first + s - 1) / s : 0;
    int last = out - 1 + pad - off; /* i * s <= out - 1 + pad - off */
    *hi = last < 0 ? 0 : last / s + 1;
    if (*hi > n)
        *hi = n;
    if (*lo > *hi)
        *lo = *hi;
}

static void col2im_channels(void *arg, int ith, int nth)
{
    const col2im_job *j = arg;
    const conv_transpose_params *p = j->p;
    int c0, c1;
    cnn_split_range(j->cout_g, ith, nth, &c0, &c1);
    size_t out_plane = (size_t)j->out[0] * j->out[1] * j->out[2];
    int k_plane = j->k[0] * j->k[1] * j->k[2], cols = j->rows * j->in[2];
    for (int ocg = c0; ocg < c1; ocg++) {
        float *y = j->y + (size_t)ocg * out_plane;
        if (j->first) {
            float bias = j->b ? j->b[ocg] : 0.0f;
            for (size_t i = 0; i < out_plane; i++)
                y[i] = bias;
        }
        for (int kk = 0; kk < k_plane; kk++) {
            int kz = kk / (j->k[1] * j->k[2]), ky = kk / j->k[2] % j->k[1], kx = kk % j->k[2];
            const float *col = j->col + ((size_t)ocg * k_plane + kk) * cols;
            int x0, x1;
            valid_inputs(j->in[2], p->stride[2], p->pad_begin[2], kx * p->dilation[2],
                         j->out[2], &x0, &x1);
            for (int r = 0; r < j->rows; r++) {
                int iz = (j->row0 + r) / j->in[1], iy = (j->row0 + r) % j->in[1];
                int oz = iz * p->stride[0] - p->pad_begin[0] + kz * p->dilation[0];
                int oy = iy * p->stride[1] - p->pad_begin[1] + ky * p->dilation[1];
                if (oz < 0 || oz >= j->out[0] || oy < 0 || oy >= j->out[1])
                    continue;
                int s = p->stride[2], ox0 = x0 * s - p->pad_begin[2] + kx * p->dilation[2];
                float *yrow = y + ((size_t)oz * j->out[1] + oy) * j->out[2] + ox0;
                const float *crow = col + (size_t)r * j->in[2] + x0;
                if (s == 1)
                    for (int i = 0; i < x1 - x0; i++)
                        yrow[i] += crow[i];
                else
                    for (int i = 0; i < x1 - x0; i++)
                        yrow[(size_t)i * s] += crow[i];
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
    /* col holds Cout_g * k values per input position, chunk_rows rows of them */
    size_t per_row = (size_t)(cout / p->groups) * x->shape[x->ndim - 1];
    for (int i = 0; i < sp; i++)
        per_row *= (size_t)w->shape[2 + i];
    size_t rows = 1;
    for (int i = 0; i + 1 < sp; i++)
        rows *= (size_t)x->shape[2 + i];
    size_t chunk = per_row ? COL_FLOATS / per_row : rows;
    p->chunk_rows = (int)(chunk < 1 ? 1 : chunk > rows ? rows : chunk);
    n->workspace_size = (size_t)p->chunk_rows * per_row * sizeof(float);
    return graph_set_output(n, 0, x->ndim, shape);
}

static cnn_status conv_transpose_run(cnn_context *ctx, cnn_graph_node *n, void *workspace)
{
    const conv_transpose_params *p = n->params;
    const cnn_tensor *x = &n->in[0]->t, *w = &n->in[1]->t, *y = &n->out[0]->t;
    const float *b = n->n_in > 2 && n->in[2] ? n->in[2]->t.data : NULL;
    int sp = x->ndim - 2, cin_g = x->shape[1] / p->groups, cout_g = y->shape[1] / p->groups;
    col2im_job j = { .p = p, .col = workspace, .cout_g = cout_g,
                     .in = { 1, 1, 1 }, .out = { 1, 1, 1 }, .k = { 1, 1, 1 } };
    for (int i = 0; i < sp; i++) {
        j.in[3 - sp + i] = x->shape[2 + i];
        j.out[3 - sp + i] = y->shape[2 + i];
        j.k[3 - sp + i] = w->shape[2 + i];
    }
    int in_rows = j.in[0] * j.in[1], in_plane = in_rows * j.in[2];
    int m = cout_g * j.k[0] * j.k[1] * j.k[2];
    size_t out_plane = (size_t)j.out[0] * j.out[1] * j.out[2];
    for (int bn = 0; bn < x->shape[0]; bn++)
        for (int g = 0; g < p->groups; g++) {
            const float *xg = x->data + ((size_t)bn * x->shape[1] + (size_t)g * cin_g) * in_plane;
            const float *wg = w->data + (size_t)g * cin_g * m;
            j.y = y->data + ((size_t)bn * y->shape[1] + (size_t)g * cout_g) * out_plane;
            j.b = b ? b + g * cout_g : NULL;
            /* at least one pass, which sets the bias: an empty input still
             * has an output */
            j.row0 = 0;
            do {
                j.rows = in_rows - j.row0 < p->chunk_rows ? in_rows - j.row0 : p->chunk_rows;
                j.first = j.row0 == 0;
                int cols = j.rows * j.in[2];
                cnn_status st = cols ? cnn_gemm(ctx, 1, 0, m, cols, cin_g, 1.0f, wg, m,
                                                xg + (size_t)j.row0 * j.in[2], in_plane, 0.0f,
                                                workspace, cols)
                                     : CNN_OK;
                if (st != CNN_OK)
                    return st;
                cnn_threadpool_run(cnn_context_pool(ctx), col2im_channels, &j, 0);
                j.row0 += j.rows;
            } while (j.row0 < in_rows);
        }
    return CNN_OK;
}

const graph_op graph_op_conv_transpose = { "ConvTranspose", 2, 3, 1, 1,
                                           sizeof(conv_transpose_params),
                                           conv_transpose_prepare, conv_transpose_run };
