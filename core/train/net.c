/* A sequential network for training: parameters and their initialisation,
 * the plan of one arena per batch size, the training forward pass, the loss,
 * the backward pass and the optimiser step. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cnn/conv2d_backward.h"
#include "cnn/dense.h"
#include "cnn/rng.h"
#include "cnn/softmax.h"
#include "train_internal.h"

/* Purposes of the counter generator: parameter initialisation and dropout
 * masks, refined by parameter index or by layer and step. */
#define PURPOSE_INIT 0x7472696e69ull    /* "trini" */
#define PURPOSE_DROPOUT 0x7472647270ull /* "trdrp" */

void cnn_optimizer_params_init(cnn_optimizer_params *p, cnn_optimizer_kind kind)
{
    memset(p, 0, sizeof *p);
    p->kind = kind;
    p->lr = kind == CNN_OPTIMIZER_ADAM ? 1e-3f : 1e-2f;
    p->beta1 = 0.9f;
    p->beta2 = 0.999f;
    p->eps = 1e-8f;
}

/* Shape of a parameter or buffer of layer l: what 0 weight, 1 bias (conv and
 * dense); bn: a vector of channels. */
static int param_shape(const net_layer *l, int what, int shape[4])
{
    if (l->kind == LAYER_BN) {
        shape[0] = l->in.dims[0];
        return 1;
    }
    shape[0] = l->units;
    if (what == 1)
        return 1;
    if (l->kind == LAYER_DENSE) {
        shape[1] = (int)sample_numel(&l->in);
        return 2;
    }
    shape[1] = l->in.dims[0] / l->conv.groups;
    shape[2] = l->conv.kernel_h;
    shape[3] = l->conv.kernel_w;
    return 4;
}

static void add_param(cnn_net *net, int layer, const char *what, int ndim, const int *shape)
{
    net_param *p = &net->params[net->n_params++];
    const net_layer *l = &net->layers[layer];
    snprintf(p->name, sizeof p->name, "%s%d.%s", l->word, layer, what);
    p->value.ndim = p->grad.ndim = ndim;
    memcpy(p->value.shape, shape, (size_t)ndim * sizeof *shape);
    memcpy(p->grad.shape, shape, (size_t)ndim * sizeof *shape);
    net->n_values += cnn_tensor_numel(&p->value);
}

/* Parameters and buffers of every layer, in PyTorch's order. */
static void list_params(cnn_net *net)
{
    int shape[4];
    for (int i = 0; i < net->n_layers; i++) {
        net_layer *l = &net->layers[i];
        l->first_param = net->n_params;
        if (l->kind == LAYER_CONV || l->kind == LAYER_DENSE) {
            add_param(net, i, "weight", param_shape(l, 0, shape), shape);
            if (l->has_bias)
                add_param(net, i, "bias", param_shape(l, 1, shape), shape);
        } else if (l->kind == LAYER_BN) {
            param_shape(l, 0, shape);
            add_param(net, i, "weight", 1, shape);
            add_param(net, i, "bias", 1, shape);
            l->first_buffer = net->n_buffers;
            for (int k = 0; k < 2; k++) {
                net_param *b = &net->buffers[net->n_buffers++];
                snprintf(b->name, sizeof b->name, "bn%d.%s", i,
                         k ? "running_var" : "running_mean");
                b->value.ndim = 1;
                b->value.shape[0] = shape[0];
            }
        }
    }
}

/* torch.nn defaults: conv/dense weight and bias uniform in +-1/sqrt(fan_in)
 * (kaiming_uniform(a=sqrt(5)) gives that bound for the weight); bn gamma 1,
 * beta 0, running mean 0 and var 1. */
static void init_values(cnn_net *net)
{
    for (int i = 0; i < net->n_layers; i++) {
        const net_layer *l = &net->layers[i];
        int n = l->kind == LAYER_CONV || l->kind == LAYER_DENSE ? 1 + l->has_bias
                : l->kind == LAYER_BN                          ? 2
                                                               : 0;
        for (int k = 0; k < n; k++) {
            int index = l->first_param + k;
            cnn_tensor *t = &net->params[index].value;
            size_t count = cnn_tensor_numel(t);
            if (l->kind == LAYER_BN) {
                for (size_t j = 0; j < count; j++)
                    t->data[j] = k ? 0.0f : 1.0f;
                continue;
            }
            const cnn_tensor *w = &net->params[l->first_param].value;
            float bound = 1.0f / sqrtf((float)(cnn_tensor_numel(w) / (size_t)w->shape[0]));
            cnn_rng_key key = { net->seed, cnn_rng_purpose(PURPOSE_INIT, (uint64_t)index) };
            for (size_t j = 0; j < count; j++)
                t->data[j] = cnn_rng_uniform_range(key, j, -bound, bound);
        }
    }
    for (int i = 0; i < net->n_buffers; i++) {
        cnn_tensor *t = &net->buffers[i].value;
        float v = i % 2 ? 1.0f : 0.0f;
        for (int j = 0; j < t->shape[0]; j++)
            t->data[j] = v;
    }
}

void cnn_net_destroy(cnn_net *net)
{
    if (!net)
        return;
    cnn_aligned_free(net->values);
    cnn_aligned_free(net->buffer_values);
    cnn_aligned_free(net->arena);
    free(net);
}

cnn_status cnn_net_create(cnn_net **out, const char *arch, int in_c, int in_h, int in_w,
                          uint64_t seed)
{
    *out = NULL;
    if (in_c < 1 || in_h < 1 || in_w < 1)
        return cnn_fail(CNN_ERR_INVALID_ARG, "train: input %dx%dx%d, must be positive", in_c,
                        in_h, in_w);
    cnn_net *net = calloc(1, sizeof *net);
    if (!net)
        return cnn_fail(CNN_ERR_NOMEM, "train: out of memory");
    net->input = (sample_shape){ 3, { in_c, in_h, in_w } };
    net->seed = seed;
    cnn_status st = net_parse(net, arch);
    if (st != CNN_OK) {
        cnn_net_destroy(net);
        return st;
    }
    list_params(net);
    size_t n_buffer_values = 0;
    for (int i = 0; i < net->n_buffers; i++)
        n_buffer_values += (size_t)net->buffers[i].value.shape[0];
    /* values, gradients, first and second moments: four blocks of n_values */
    net->values = cnn_aligned_alloc(4 * net->n_values * sizeof(float) + 1);
    net->buffer_values = cnn_aligned_alloc(n_buffer_values * sizeof(float) + 1);
    if (!net->values || !net->buffer_values) {
        size_t n_values = net->n_values;
        cnn_net_destroy(net);
        return cnn_fail(CNN_ERR_NOMEM, "train: out of memory for %zu parameters", n_values);
    }
    memset(net->values, 0, 4 * net->n_values * sizeof(float));
    net->grads = net->values + net->n_values;
    net->m = net->grads + net->n_values;
    net->v = net->m + net->n_values;
    size_t offset = 0;
    for (int i = 0; i < net->n_params; i++) {
        net_param *p = &net->params[i];
        p->value.data = net->values + offset;
        p->grad.data = net->grads + offset;
        offset += cnn_tensor_numel(&p->value);
    }
    offset = 0;
    for (int i = 0; i < net->n_buffers; i++) {
        net->buffers[i].value.data = net->buffer_values + offset;
        offset += (size_t)net->buffers[i].value.shape[0];
    }
    init_values(net);
    *out = net;
    return CNN_OK;
}

int cnn_net_outputs(const cnn_net *net)
{
    return net->layers[net->n_layers - 1].out.dims[0];
}

/* Entry i of a list of named tensors (parameters or buffers), or NULL. */
static cnn_tensor *named_tensor(net_param *list, int count, int i, const char **name)
{
    if (i < 0 || i >= count)
        return NULL;
    if (name)
        *name = list[i].name;
    return &list[i].value;
}

int cnn_net_param_count(const cnn_net *net)
{
    return net->n_params;
}

cnn_tensor *cnn_net_param(cnn_net *net, int i, const char **name)
{
    return named_tensor(net->params, net->n_params, i, name);
}

int cnn_net_buffer_count(const cnn_net *net)
{
    return net->n_buffers;
}

cnn_tensor *cnn_net_buffer(cnn_net *net, int i, const char **name)
{
    return named_tensor(net->buffers, net->n_buffers, i, name);
}

int64_t cnn_net_steps(const cnn_net *net)
{
    return net->steps;
}

/* A batch of samples of shape s as a tensor over data: [B, C, H, W] or [B, F]. */
static void batch_view(cnn_tensor *t, const sample_shape *s, int batch, float *data)
{
    t->ndim = s->ndim + 1;
    t->shape[0] = batch;
    memcpy(t->shape + 1, s->dims, (size_t)s->ndim * sizeof(int));
    t->data = data;
    t->owns_data = 0;
}

/* Bump allocation in the arena: a first pass (base NULL) only counts. */
typedef struct arena_cursor {
    char *base;
    size_t used;
} arena_cursor;

static void *arena_take(arena_cursor *a, size_t bytes)
{
    void *p = a->base ? a->base + a->used : NULL;
    a->used += (bytes + CNN_ALIGNMENT - 1) / CNN_ALIGNMENT * CNN_ALIGNMENT;
    return p;
}

/* Lay out everything a step of `batch` samples needs. */
static void lay_out(cnn_net *net, arena_cursor *a, int batch, int threads)
{
    size_t largest = sample_numel(&net->input), scratch = 0;
    const float *prev = NULL;
    for (int i = 0; i < net->n_layers; i++) {
        net_layer *l = &net->layers[i];
        size_t out = sample_numel(&l->out) * (size_t)batch;
        largest = out > largest ? out : largest;
        /* dense reads its input flattened; the input data is set per step */
        sample_shape in = l->in;
        if (l->kind == LAYER_DENSE || l->kind == LAYER_FLATTEN)
            in = (sample_shape){ 1, { (int)sample_numel(&l->in) } };
        batch_view(&l->x, &in, batch, (float *)prev);
        if (l->kind == LAYER_FLATTEN)
            batch_view(&l->y, &l->out, batch, (float *)prev);
        else
            batch_view(&l->y, &l->out, batch, arena_take(a, out * sizeof(float)));
        prev = l->y.data;
        l->save_mean = l->save_invstd = NULL;
        l->indices = NULL;
        l->mask = NULL;
        if (l->kind == LAYER_BN) {
            l->save_mean = arena_take(a, (size_t)l->in.dims[0] * sizeof(float));
            l->save_invstd = arena_take(a, (size_t)l->in.dims[0] * sizeof(float));
        } else if (l->kind == LAYER_MAXPOOL) {
            l->indices = arena_take(a, out * sizeof(int32_t));
        } else if (l->kind == LAYER_DROPOUT) {
            cnn_dropout_params dp;
            cnn_dropout_params_init(&dp, CNN_DROPOUT_ELEMENT, 0, 0);
            l->mask = arena_take(a, cnn_dropout_mask_size(&dp, &l->y));
        } else if (l->kind == LAYER_CONV) {
            const sample_shape *s = &l->in;
            size_t fwd = cnn_conv2d_workspace_size(&l->conv, s->dims[0], s->dims[1],
                                                   s->dims[2], threads);
            size_t bwd = cnn_conv2d_backward_workspace_size(&l->conv, batch, s->dims[0],
                                                            s->dims[1], s->dims[2], l->units);
            scratch = fwd > scratch ? fwd : scratch;
            scratch = bwd > scratch ? bwd : scratch;
        }
    }
    net->grad_a = arena_take(a, largest * sizeof(float));
    net->grad_b = arena_take(a, largest * sizeof(float));
    net->workspace = arena_take(a, scratch);
}

cnn_status cnn_net_plan(cnn_net *net, cnn_context *ctx, int batch)
{
    if (batch < 1)
        return cnn_fail(CNN_ERR_INVALID_ARG, "train: batch %d, must be >= 1", batch);
    if (net->arena && net->batch == batch)
        return CNN_OK;
    cnn_aligned_free(net->arena);
    net->arena = NULL;
    net->batch = 0;
    arena_cursor a = { NULL, 0 };
    int threads = cnn_context_threads(ctx);
    lay_out(net, &a, batch, threads);
    a.base = cnn_aligned_alloc(a.used);
    if (!a.base)
        return cnn_fail(CNN_ERR_NOMEM, "train: out of memory for a batch of %d (%zu bytes)",
                        batch, a.used);
    net->arena = a.base;
    a.used = 0;
    lay_out(net, &a, batch, threads);
    net->batch = batch;
    return CNN_OK;
}

static cnn_tensor *param_value(cnn_net *net, const net_layer *l, int k)
{
    return &net->params[l->first_param + k].value;
}

static cnn_tensor *param_grad(cnn_net *net, const net_layer *l, int k)
{
    return &net->params[l->first_param + k].grad;
}

/* The batch mean and 1 / std a batch norm layer keeps for its backward. */
static void batch_statistics(const net_layer *l, cnn_tensor *mean, cnn_tensor *invstd)
{
    int c = l->in.dims[0];
    cnn_tensor_wrap(mean, l->save_mean, 1, &c);
    cnn_tensor_wrap(invstd, l->save_invstd, 1, &c);
}

static void dropout_params(const cnn_net *net, int layer, cnn_dropout_params *dp)
{
    uint64_t purpose = cnn_rng_purpose(cnn_rng_purpose(PURPOSE_DROPOUT, (uint64_t)layer),
                                       (uint64_t)net->steps);
    cnn_dropout_params_init(dp, CNN_DROPOUT_ELEMENT, net->seed, purpose);
    dp->p = net->layers[layer].drop_p;
}

static cnn_status forward(cnn_net *net, cnn_context *ctx, const float *x)
{
    cnn_status st = CNN_OK;
    net->layers[0].x.data = (float *)x;
    if (net->layers[0].kind == LAYER_FLATTEN)
        net->layers[0].y.data = (float *)x;
    for (int i = 0; i < net->n_layers && st == CNN_OK; i++) {
        net_layer *l = &net->layers[i];
        switch (l->kind) {
        case LAYER_CONV:
            st = cnn_conv2d_forward(ctx, &l->conv, &l->x, param_value(net, l, 0),
                                    l->has_bias ? param_value(net, l, 1) : NULL, &l->y,
                                    net->workspace);
            break;
        case LAYER_DENSE:
            st = cnn_dense_forward(ctx, &l->x, param_value(net, l, 0),
                                   l->has_bias ? param_value(net, l, 1) : NULL, &l->y);
            break;
        case LAYER_BN: {
            cnn_tensor save_mean, save_invstd;
            batch_statistics(l, &save_mean, &save_invstd);
            st = cnn_batchnorm_train_forward(
                ctx, &l->bn, &l->x, param_value(net, l, 0), param_value(net, l, 1),
                &net->buffers[l->first_buffer].value, &net->buffers[l->first_buffer + 1].value,
                &l->y, &save_mean, &save_invstd);
            break;
        }
        case LAYER_ACT: st = cnn_activation_forward(ctx, l->act, l->alpha, &l->x, &l->y); break;
        case LAYER_MAXPOOL:
        case LAYER_AVGPOOL: st = cnn_pool2d_forward(ctx, &l->pool, &l->x, &l->y, l->indices); break;
        case LAYER_FLATTEN: break;
        case LAYER_DROPOUT: {
            cnn_dropout_params dp;
            dropout_params(net, i, &dp);
            st = cnn_dropout_forward(ctx, &dp, &l->x, &l->y, l->mask);
            break;
        }
        }
        if (i + 1 < net->n_layers)
            net->layers[i + 1].x.data = l->y.data;
    }
    return st;
}

/* Gradients of every parameter from dlogits in net->grad_a. */
static cnn_status backward(cnn_net *net, cnn_context *ctx)
{
    float *dy_data = net->grad_a, *dx_data = net->grad_b;
    for (int i = net->n_layers - 1; i >= 0; i--) {
        net_layer *l = &net->layers[i];
        if (l->kind == LAYER_FLATTEN)
            continue; /* the same values under another shape */
        int has_params = l->kind == LAYER_CONV || l->kind == LAYER_DENSE || l->kind == LAYER_BN;
        if (i == 0 && !has_params)
            break;
        cnn_tensor dy, dx;
        batch_view(&dy, &l->out, net->batch, dy_data);
        dx = l->x;
        dx.data = dx_data;
        cnn_tensor *want_dx = i > 0 ? &dx : NULL;
        cnn_status st = CNN_OK;
        switch (l->kind) {
        case LAYER_CONV:
            st = cnn_conv2d_backward(ctx, &l->conv, &l->x, param_value(net, l, 0), &dy, want_dx,
                                     param_grad(net, l, 0),
                                     l->has_bias ? param_grad(net, l, 1) : NULL,
                                     net->workspace);
            break;
        case LAYER_DENSE:
            st = cnn_dense_backward(ctx, &l->x, param_value(net, l, 0), &dy, want_dx,
                                    param_grad(net, l, 0),
                                    l->has_bias ? param_grad(net, l, 1) : NULL);
            break;
        case LAYER_BN: {
            cnn_tensor save_mean, save_invstd;
            batch_statistics(l, &save_mean, &save_invstd);
            st = cnn_batchnorm_backward(ctx, &l->x, &dy, param_value(net, l, 0), &save_mean,
                                        &save_invstd, &dx, param_grad(net, l, 0),
                                        param_grad(net, l, 1));
            break;
        }
        case LAYER_ACT:
            st = cnn_activation_backward(ctx, l->act, l->alpha, &l->x, &dy, &dx);
            break;
        case LAYER_MAXPOOL:
        case LAYER_AVGPOOL:
            st = cnn_pool2d_backward(ctx, &l->pool, &l->x, &dy, l->indices, &dx);
            break;
        case LAYER_DROPOUT: {
            cnn_dropout_params dp;
            dropout_params(net, i, &dp);
            st = cnn_dropout_backward(ctx, &dp, &dy, &dx, l->mask);
            break;
        }
        case LAYER_FLATTEN: break;
        }
        if (st != CNN_OK)
            return st;
        float *t = dy_data;
        dy_data = dx_data;
        dx_data = t;
    }
    return CNN_OK;
}

static int count_correct(const cnn_tensor *logits, const int *labels)
{
    int n = logits->shape[0], classes = logits->shape[1], correct = 0;
    for (int i = 0; i < n; i++) {
        const float *row = logits->data + (size_t)i * classes;
        int best = 0;
        for (int k = 1; k < classes; k++)
            if (row[k] > row[best])
                best = k;
        correct += best == labels[i];
    }
    return correct;
}

cnn_status cnn_net_train_step(cnn_net *net, cnn_context *ctx, const cnn_optimizer_params *opt,
                              const float *x, const int *labels, float *loss, int *correct)
{
    if (!net->arena)
        return cnn_fail(CNN_ERR_INVALID_ARG, "train: no plan; call cnn_net_plan() first");
    if (opt->kind != CNN_OPTIMIZER_SGD && opt->kind != CNN_OPTIMIZER_ADAM)
        return cnn_fail(CNN_ERR_INVALID_ARG, "train: unknown optimizer %d", (int)opt->kind);
    int classes = cnn_net_outputs(net);
    for (int i = 0; i < net->batch; i++)
        if (labels[i] < 0 || labels[i] >= classes)
            return cnn_fail(CNN_ERR_INVALID_ARG, "train: label %d of sample %d is not in "
                            "[0, %d)", labels[i], i, classes);
    cnn_status st = forward(net, ctx, x);
    if (st != CNN_OK)
        return st;
    const cnn_tensor *logits = &net->layers[net->n_layers - 1].y;
    if (correct)
        *correct = count_correct(logits, labels);
    cnn_tensor dlogits = *logits;
    dlogits.data = net->grad_a;
    if ((st = cnn_cross_entropy_forward(ctx, logits, labels, loss)) != CNN_OK ||
        (st = cnn_cross_entropy_backward(ctx, logits, labels, 1.0f, &dlogits)) != CNN_OK ||
        (st = backward(net, ctx)) != CNN_OK)
        return st;
    net->steps++;
    net_optimizer_step(net, opt);
    return CNN_OK;
}
