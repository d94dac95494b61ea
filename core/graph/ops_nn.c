/* Graph operators over the layer functions of core/ops/: BatchNormalization,
 * Dropout (inference: the identity), Relu, LeakyRelu, Sigmoid, Tanh,
 * HardSwish, Softmax, LogSoftmax, Gemm and MatMul. Only ONNX's conventions
 * live here (attributes, opset differences, broadcasting of Gemm's C and
 * MatMul's batch dimensions); the maths is the layers'. */
#include <math.h>
#include <string.h>

#include "cnn/activation.h"
#include "cnn/batchnorm.h"
#include "cnn/dense.h"
#include "cnn/softmax.h"
#include "graph_internal.h"

static cnn_status same_shape_prepare(cnn_graph_node *n)
{
    cnn_status st = graph_input_f32(n, 0);
    if (st != CNN_OK)
        return st;
    return graph_set_output(n, 0, n->in[0]->t.ndim, n->in[0]->t.shape);
}

/* ---- activations ---- */

typedef struct act_params {
    cnn_activation act;
    float alpha;
} act_params;

static cnn_status act_run(cnn_context *ctx, cnn_graph_node *n, void *workspace)
{
    const act_params *p = n->params;
    cnn_tensor x = graph_view(n->in[0]), y = graph_view(n->out[0]);
    return cnn_activation_forward(ctx, p->act, p->alpha, &x, &y);
}

#define ACTIVATION_OP(var, onnx_name, kind, alpha_default)                              \
    static cnn_status var##_prepare(cnn_context *ctx, cnn_graph_node *n)                \
    {                                                                                   \
        act_params *p = n->params;                                                      \
        p->act = kind;                                                                  \
        p->alpha = graph_attr_float(n, "alpha", alpha_default);                         \
        return same_shape_prepare(n);                                                   \
    }                                                                                   \
    const graph_op graph_op_##var = { onnx_name, 1, 1, 1, 1, sizeof(act_params),        \
                                      var##_prepare, act_run }

ACTIVATION_OP(relu, "Relu", CNN_ACT_RELU, 0.0f);
ACTIVATION_OP(leaky_relu, "LeakyRelu", CNN_ACT_LEAKY_RELU, 0.01f);
ACTIVATION_OP(sigmoid, "Sigmoid", CNN_ACT_SIGMOID, 0.0f);
ACTIVATION_OP(tanh, "Tanh", CNN_ACT_TANH, 0.0f);
ACTIVATION_OP(hard_swish, "HardSwish", CNN_ACT_HARD_SWISH, 0.0f);

int graph_activation_of(const cnn_graph_node *n, cnn_activation *act, float *alpha)
{
    if (graph_clip_is_relu6(n)) {
        *act = CNN_ACT_RELU6;
        *alpha = 0.0f;
        return 1;
    }
    if (n->op->run != act_run)
        return 0;
    const act_params *p = n->params;
    *act = p->act;
    *alpha = p->alpha;
    return 1;
}

/* ---- Dropout: inference only, so the output is the input ---- */

static cnn_status dropout_prepare(cnn_context *ctx, cnn_graph_node *n)
{
    if (n->n_in > 2 && n->in[2])
        return cnn_fail(CNN_ERR_UNSUPPORTED, "training_mode input not supported");
    if (n->n_out > 1 && n->out[1])
        return cnn_fail(CNN_ERR_UNSUPPORTED, "mask output not supported");
    cnn_status st = graph_input_f32(n, 0);
    if (st != CNN_OK)
        return st;
    return graph_set_alias(n, n->in[0]->t.ndim, n->in[0]->t.shape);
}

const graph_op graph_op_dropout = { "Dropout", 1, 3, 1, 2, 0, dropout_prepare,
                                    graph_run_alias };

/* ---- BatchNormalization ---- */

typedef struct batchnorm_params {
    float eps, momentum;
    int training;
} batchnorm_params;

static cnn_status batchnorm_prepare(cnn_context *ctx, cnn_graph_node *n)
{
    batchnorm_params *p = n->params;
    cnn_status st;
    for (int i = 0; i < 5; i++)
        if ((st = graph_input_f32(n, i)) != CNN_OK)
            return st;
    const cnn_tensor *x = &n->in[0]->t;
    if (x->ndim < 2)
        return cnn_fail(CNN_ERR_SHAPE, "input is %d-D, expected [N, C, ...]", x->ndim);
    for (int i = 1; i < 5; i++)
        if (n->in[i]->t.ndim != 1 || n->in[i]->t.shape[0] != x->shape[1])
            return cnn_fail(CNN_ERR_SHAPE, "input %d ('%s') must be [%d]", i, n->in[i]->name,
                            x->shape[1]);
    p->eps = graph_attr_float(n, "epsilon", 1e-5f);
    p->momentum = graph_attr_float(n, "momentum", 0.9f);
    p->training = (int)graph_attr_int(n, "training_mode", 0);
    if (!p->training && n->n_out > 1 && (n->out[1] || (n->n_out > 2 && n->out[2])))
        return cnn_fail(CNN_ERR_UNSUPPORTED, "running statistics outputs outside training");
    /* training: batch mean and 1/std land in the workspace */
    n->workspace_size = p->training ? 2 * (size_t)x->shape[1] * sizeof(float) : 0;
    for (int i = 1; i < n->n_out; i++)
        if ((st = graph_set_output(n, i, 1, &x->shape[1])) != CNN_OK)
            return st;
    return graph_set_output(n, 0, x->ndim, x->shape);
}

static cnn_status batchnorm_run(cnn_context *ctx, cnn_graph_node *n, void *workspace)
{
    const batchnorm_params *p = n->params;
    const cnn_tensor *x = &n->in[0]->t, *gamma = &n->in[1]->t, *beta = &n->in[2]->t;
    const cnn_tensor *mean = &n->in[3]->t, *var = &n->in[4]->t;
    cnn_tensor *y = &n->out[0]->t;
    if (!p->training)
        return cnn_batchnorm_inference(ctx, x, mean, var, gamma, beta, p->eps, y);
    int c = x->shape[1];
    cnn_tensor batch_mean = { .ndim = 1, .shape = { c }, .data = workspace };
    cnn_tensor invstd = { .ndim = 1, .shape = { c }, .data = (float *)workspace + c };
    cnn_batchnorm_params bp;
    cnn_batchnorm_params_init(&bp);
    bp.eps = p->eps;
    cnn_status st = cnn_batchnorm_train_forward(ctx, &bp, x, gamma, beta, NULL, NULL, y,
                                                &batch_mean, &invstd);
    if (st != CNN_OK)
        return st;
    /* ONNX's running statistics mix in the biased batch variance */
    for (int i = 0; i < c; i++) {
        float batch_var = 1.0f / (invstd.data[i] * invstd.data[i]) - p->eps;
        if (n->n_out > 1 && n->out[1])
            n->out[1]->t.data[i] =
                mean->data[i] * p->momentum + batch_mean.data[i] * (1.0f - p->momentum);
        if (n->n_out > 2 && n->out[2])
            n->out[2]->t.data[i] =
                var->data[i] * p->momentum + batch_var * (1.0f - p->momentum);
    }
    return CNN_OK;
}

int graph_batchnorm_inference(const cnn_graph_node *n, float *eps)
{
    if (n->op->run != batchnorm_run)
        return 0;
    const batchnorm_params *p = n->params;
    for (int i = 1; i < n->n_out; i++)
        if (n->out[i])
            return 0;
    *eps = p->eps;
    return !p->training;
}

const graph_op graph_op_batchnorm = { "BatchNormalization", 5, 5, 1, 3,
                                      sizeof(batchnorm_params), batchnorm_prepare,
                                      batchnorm_run };

/* ---- Softmax, LogSoftmax ---- */

typedef struct softmax_params {
    int log;
    /* before opset 13 the input is flattened to [outer, inner] at axis */
    int ndim, shape[CNN_MAX_DIMS], axis;
} softmax_params;

static cnn_status softmax_prepare_kind(cnn_graph_node *n, int log, int opset)
{
    softmax_params *p = n->params;
    const cnn_tensor *x = &n->in[0]->t;
    cnn_status st = same_shape_prepare(n);
    if (st != CNN_OK)
        return st;
    int old = opset > 0 && opset < 13, axis;
    if ((st = graph_axis("axis", graph_attr_int(n, "axis", old ? 1 : -1), x->ndim ? x->ndim : 1,
                         &axis)) != CNN_OK)
        return st;
    p->log = log;
    if (old) {
        p->ndim = 2;
        p->shape[0] = (int)graph_numel(axis, x->shape);
        p->shape[1] = (int)graph_numel(x->ndim - axis, x->shape + axis);
        p->axis = 1;
    } else {
        cnn_tensor v = graph_view(n->in[0]);
        p->ndim = v.ndim;
        memcpy(p->shape, v.shape, sizeof p->shape);
        p->axis = axis;
    }
    return CNN_OK;
}

static cnn_status softmax_run(cnn_context *ctx, cnn_graph_node *n, void *workspace)
{
    const softmax_params *p = n->params;
    cnn_tensor x = { .ndim = p->ndim, .data = n->in[0]->t.data };
    cnn_tensor y = { .ndim = p->ndim, .data = n->out[0]->t.data };
    memcpy(x.shape, p->shape, sizeof x.shape);
    memcpy(y.shape, p->shape, sizeof y.shape);
    return p->log ? cnn_log_softmax_forward(ctx, &x, p->axis, &y)
                  : cnn_softmax_forward(ctx, &x, p->axis, &y);
}

static cnn_status softmax_prepare(cnn_context *ctx, cnn_graph_node *n)
{
    return softmax_prepare_kind(n, 0, n->opset);
}

static cnn_status log_softmax_prepare(cnn_context *ctx, cnn_graph_node *n)
{
    return softmax_prepare_kind(n, 1, n->opset);
}

const graph_op graph_op_softmax = { "Softmax", 1, 1, 1, 1, sizeof(softmax_params),
                                    softmax_prepare, softmax_run };
const graph_op graph_op_log_softmax = { "LogSoftmax", 1, 1, 1, 1, sizeof(softmax_params),
                                        log_softmax_prepare, softmax_run };

/* ---- Gemm: Y = alpha * A' B' + beta * C, C broadcast to [M, N] ---- */

typedef struct gemm_params {
    int trans_a, trans_b, m, n, k;
    float alpha, beta;
    size_t c_stride[2]; /* C's strides over [M, N], 0 where broadcast */
} gemm_params;

static cnn_status gemm_prepare(cnn_context *ctx, cnn_graph_node *n)
{
    gemm_params *p = n->params;
    cnn_status st = graph_inputs_f32(n);
    if (st != CNN_OK)
        return st;
    const cnn_tensor *a = &n->in[0]->t, *b = &n->in[1]->t;
    if (a->ndim != 2 || b->ndim != 2)
        return cnn_fail(CNN_ERR_SHAPE, "A and B must be 2-D (A %d-D, B %d-D)", a->ndim,
                        b->ndim);
    p->trans_a = (int)graph_attr_int(n, "transA", 0);
    p->trans_b = (int)graph_attr_int(n, "transB", 0);
    p->alpha = graph_attr_float(n, "alpha", 1.0f);
    p->beta = graph_attr_float(n, "beta", 1.0f);
    p->m = a->shape[p->trans_a ? 1 : 0];
    p->k = a->shape[p->trans_a ? 0 : 1];
    p->n = b->shape[p->trans_b ? 0 : 1];
    int kb = b->shape[p->trans_b ? 1 : 0];
    if (kb != p->k)
        return cnn_fail(CNN_ERR_SHAPE, "A' is %dx%d but B' is %dx%d", p->m, p->k, kb, p->n);
    if (n->n_in > 2 && n->in[2]) {
        const cnn_tensor *c = &n->in[2]->t;
        int cm = c->ndim == 2 ? c->shape[0] : 1, cn = c->ndim >= 1 ? c->shape[c->ndim - 1] : 1;
        if (c->ndim > 2 || (cm != 1 && cm != p->m) || (cn != 1 && cn != p->n))
            return cnn_fail(CNN_ERR_SHAPE, "C does not broadcast to [%d, %d]", p->m, p->n);
        p->c_stride[0] = cm == 1 ? 0 : (size_t)cn;
        p->c_stride[1] = cn == 1 ? 0 : 1;
    }
    return graph_set_output(n, 0, 2, (int[]){ p->m, p->n });
}

static cnn_status gemm_run(cnn_context *ctx, cnn_graph_node *n, void *workspace)
{
    const gemm_params *p = n->params;
    const cnn_tensor *a = &n->in[0]->t, *b = &n->in[1]->t;
    float *y = n->out[0]->t.data, beta = 0.0f;
    if (n->n_in > 2 && n->in[2]) {
        const float *c = n->in[2]->t.data;
        for (int i = 0; i < p->m; i++)
            for (int j = 0; j < p->n; j++)
                y[(size_t)i * p->n + j] = c[i * p->c_stride[0] + j * p->c_stride[1]];
        beta = p->beta;
    }
    return cnn_gemm(ctx, p->trans_a, p->trans_b, p->m, p->n, p->k, p->alpha, a->data,
                    a->shape[1], b->data, b->shape[1], beta, y, p->n);
}

const graph_op graph_op_gemm = { "Gemm", 2, 3, 1, 1, sizeof(gemm_params), gemm_prepare,
                                 gemm_run };

/* ---- MatMul: numpy.matmul, batch dimensions broadcast ---- */

typedef struct matmul_params {
    int m, n, k, batch_ndim;
    int batch[CNN_MAX_DIMS];
    size_t a_stride[CNN_MAX_DIMS], b_stride[CNN_MAX_DIMS]; /* per batch dim, 0: broadcast */
} matmul_params;

static cnn_status matmul_prepare(cnn_context *ctx, cnn_graph_node *n)
{
    matmul_params *p = n->params;
    cnn_status st;
    if ((st = graph_input_f32(n, 0)) != CNN_OK || (st = graph_input_f32(n, 1)) != CNN_OK)
        return st;
    const cnn_tensor *a = &n->in[0]->t, *b = &n->in[1]->t;
    if (a->ndim < 1 || b->ndim < 1)
        return cnn_fail(CNN_ERR_SHAPE, "inputs must be at least 1-D");
    /* a 1-D A is a row [1, K], a 1-D B a column [K, 1]; both dropped after */
    p->m = a->ndim == 1 ? 1 : a->shape[a->ndim - 2];
    p->k = a->shape[a->ndim - 1];
    p->n = b->ndim == 1 ? 1 : b->shape[b->ndim - 1];
    int kb = b->ndim == 1 ? b->shape[0] : b->shape[b->ndim - 2];
    if (kb != p->k)
        return cnn_fail(CNN_ERR_SHAPE, "A has %d columns, B %d rows", p->k, kb);
    int an = a->ndim > 2 ? a->ndim - 2 : 0, bn = b->ndim > 2 ? b->ndim - 2 : 0;
    p->batch_ndim = an > bn ? an : bn;
    size_t sa = (size_t)p->m * p->k, sb = (size_t)p->k * p->n;
    for (int d = p->batch_ndim - 1; d >= 0; d--) {
        int da = d - (p->batch_ndim - an), db = d - (p->batch_ndim - bn);
        int ea = da >= 0 ? a->shape[da] : 1, eb = db >= 0 ? b->shape[db] : 1;
        if (ea != eb && ea != 1 && eb != 1)
            return cnn_fail(CNN_ERR_SHAPE, "batch dimension %d: %d against %d", d, ea, eb);
        p->batch[d] = ea == 1 ? eb : ea;
        p->a_stride[d] = ea == 1 ? 0 : sa;
        p->b_stride[d] = eb == 1 ? 0 : sb;
        sa *= (size_t)ea;
        sb *= (size_t)eb;
    }
    int shape[CNN_MAX_DIMS + 2], ndim = 0;
    for (int d = 0; d < p->batch_ndim; d++)
        shape[ndim++] = p->batch[d];
    if (a->ndim > 1)
        shape[ndim++] = p->m;
    if (b->ndim > 1)
        shape[ndim++] = p->n;
    return graph_set_output(n, 0, ndim, shape);
}

static cnn_status matmul_run(cnn_context *ctx, cnn_graph_node *n, void *workspace)
{
    const matmul_params *p = n->params;
    const float *a = n->in[0]->t.data, *b = n->in[1]->t.data;
    float *y = n->out[0]->t.data;
    size_t batches = graph_numel(p->batch_ndim, p->batch);
    for (size_t i = 0; i < batches; i++) {
        size_t rest = i, ia = 0, ib = 0;
        for (int d = p->batch_ndim - 1; d >= 0; d--) {
            size_t idx = rest % (size_t)p->batch[d];
            rest /= (size_t)p->batch[d];
            ia += idx * p->a_stride[d];
            ib += idx * p->b_stride[d];
        }
        cnn_status st = cnn_gemm(ctx, 0, 0, p->m, p->n, p->k, 1.0f, a + ia, p->k, b + ib, p->n,
                                 0.0f, y + i * p->m * p->n, p->n);
        if (st != CNN_OK)
            return st;
    }
    return CNN_OK;
}

const graph_op graph_op_matmul = { "MatMul", 2, 2, 1, 1, sizeof(matmul_params),
                                   matmul_prepare, matmul_run };
