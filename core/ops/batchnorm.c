/* Batch normalisation: inference, training forward with batch statistics and
 * the backward pass. Work is split by channel over the thread pool; each
 * channel's sums are taken by one thread in a fixed order (planes in batch
 * order, each plane by the kernel), so results do not depend on the thread
 * count. Per-plane sums are float (the kernels' lanes), their total double. */
#include <math.h>
#include <string.h>

#include "cnn/batchnorm.h"
#include "kernels.h"

void cnn_batchnorm_params_init(cnn_batchnorm_params *p)
{
    p->eps = 1e-5f;
    p->momentum = 0.1f;
    p->momentum_rule = CNN_MOMENTUM_PYTORCH;
}

/* Channels whose scalars one pass keeps on the stack. */
#define CHANNEL_BLOCK 64
/* Planes shorter than this (BatchNorm1d's [N, C] has planes of 1) are walked
 * in memory order, batch by batch over a block of channels, instead of one
 * kernel call per plane. */
#define SMALL_PLANE 16

/* x is [N, C, ...]: n batches of c planes of `plane` values. */
typedef struct bn_layout {
    int n, c;
    size_t plane;
} bn_layout;

static cnn_status check_layout(const cnn_tensor *x, const cnn_tensor *y, const char *yname,
                               bn_layout *l)
{
    if (x->ndim < 2)
        return cnn_fail(CNN_ERR_SHAPE, "batchnorm: x is %d-D, expected [N, C, ...]", x->ndim);
    if (!cnn_tensor_same_shape(x, y))
        return cnn_fail(CNN_ERR_SHAPE, "batchnorm: %s must have the shape of x", yname);
    l->n = x->shape[0];
    l->c = x->shape[1];
    l->plane = cnn_tensor_numel(x) / ((size_t)l->n * l->c);
    return CNN_OK;
}

/* Check the optional (NULL allowed) per-channel vectors t[i] named names[i]. */
static cnn_status check_channel_vectors(int c, int count, const char *const *names,
                                        const cnn_tensor *const *t)
{
    for (int i = 0; i < count; i++)
        if (t[i] && cnn_tensor_numel(t[i]) != (size_t)c)
            return cnn_fail(CNN_ERR_SHAPE,
                            "batchnorm: %s has %zu values, expected %d (one per channel)",
                            names[i], cnn_tensor_numel(t[i]), c);
    return CNN_OK;
}

static float value_or(const float *v, int c, float absent)
{
    return v ? v[c] : absent;
}

static float *data_or_null(const cnn_tensor *t)
{
    return t ? t->data : NULL;
}

typedef struct bn_job {
    const cnn_kernels *k;
    bn_layout l;
    const float *x, *dy;
    float *y;
    const float *mean, *var, *invstd, *gamma, *beta;
    float eps;
    const cnn_batchnorm_params *p;
    float *running_mean, *running_var, *save_mean, *save_invstd;
    float *dgamma, *dbeta;
} bn_job;

static size_t plane_offset(const bn_layout *l, int n, int c)
{
    return ((size_t)n * l->c + c) * l->plane;
}

/* y = x * scale[c - c0] + shift[c - c0] over channels [c0, c1). */
static void apply_block(const bn_job *j, int c0, int c1, const float *scale,
                        const float *shift)
{
    const bn_layout *l = &j->l;
    if (l->plane == 1) {
        for (int n = 0; n < l->n; n++) {
            const float *x = j->x + (size_t)n * l->c + c0;
            float *y = j->y + (size_t)n * l->c + c0;
            for (int r = 0; r < c1 - c0; r++)
                y[r] = x[r] * scale[r] + shift[r];
        }
        return;
    }
    for (int n = 0; n < l->n; n++)
        for (int c = c0; c < c1; c++) {
            size_t off = plane_offset(l, n, c);
            if (l->plane >= SMALL_PLANE) {
                j->k->scale_shift(j->x + off, j->y + off, l->plane, scale[c - c0],
                                  shift[c - c0]);
                continue;
            }
            for (size_t i = 0; i < l->plane; i++)
                j->y[off + i] = j->x[off + i] * scale[c - c0] + shift[c - c0];
        }
}

static void inference_channels(void *arg, int ith, int nth)
{
    const bn_job *j = arg;
    int c0, c1;
    cnn_split_range(j->l.c, ith, nth, &c0, &c1);
    for (int b0 = c0; b0 < c1; b0 += CHANNEL_BLOCK) {
        int b1 = b0 + CHANNEL_BLOCK < c1 ? b0 + CHANNEL_BLOCK : c1;
        float scale[CHANNEL_BLOCK], shift[CHANNEL_BLOCK];
        for (int c = b0; c < b1; c++) {
            scale[c - b0] = value_or(j->gamma, c, 1.0f) / sqrtf(j->var[c] + j->eps);
            shift[c - b0] = value_or(j->beta, c, 0.0f) - j->mean[c] * scale[c - b0];
        }
        apply_block(j, b0, b1, scale, shift);
    }
}

cnn_status cnn_batchnorm_inference(cnn_context *ctx, const cnn_tensor *x,
                                   const cnn_tensor *mean, const cnn_tensor *var,
                                   const cnn_tensor *gamma, const cnn_tensor *beta, float eps,
                                   cnn_tensor *y)
{
    bn_job j = { .k = cnn_context_kernels(ctx), .x = x->data, .y = y->data, .eps = eps };
    cnn_status st = check_layout(x, y, "y", &j.l);
    if (st != CNN_OK)
        return st;
    if (!mean || !var)
        return cnn_fail(CNN_ERR_INVALID_ARG, "batchnorm: inference needs mean and var");
    st = check_channel_vectors(j.l.c, 4, (const char *const[]){ "mean", "var", "gamma", "beta" },
                               (const cnn_tensor *const[]){ mean, var, gamma, beta });
    if (st != CNN_OK)
        return st;
    if (!(eps >= 0.0f))
        return cnn_fail(CNN_ERR_INVALID_ARG, "batchnorm: eps %g, must be >= 0", eps);
    j.mean = mean->data;
    j.var = var->data;
    j.gamma = data_or_null(gamma);
    j.beta = data_or_null(beta);
    cnn_threadpool_run(cnn_context_pool(ctx), inference_channels, &j, 0);
    return CNN_OK;
}

static float momentum_update(const cnn_batchnorm_params *p, float running, double batch)
{
    double m = p->momentum;
    if (p->momentum_rule == CNN_MOMENTUM_ONNX)
        return (float)(m * running + (1.0 - m) * batch);
    return (float)((1.0 - m) * running + m * batch);
}

/* Per channel c of [c0, c1), with r = c - c0 and centre[r]:
 *   stats (dy NULL): sums[r] = { sum(x - centre), sum((x - centre)^2) }
 *   gradient:        sums[r] = { sum(dy), sum(dy * (x - centre)) } */
static void channel_sums(const bn_job *j, const float *dy, int c0, int c1,
                         const float *centre, double (*sums)[2])
{
    const bn_layout *l = &j->l;
    if (l->plane == 1) { /* [N, C]: rows across the channels, float lanes */
        float s0[CHANNEL_BLOCK] = { 0 }, s1[CHANNEL_BLOCK] = { 0 };
        int w = c1 - c0;
        for (int n = 0; n < l->n; n++) {
            const float *x = j->x + (size_t)n * l->c + c0;
            const float *g = dy ? dy + (size_t)n * l->c + c0 : NULL;
            if (g) {
                for (int r = 0; r < w; r++) {
                    s0[r] += g[r];
                    s1[r] += g[r] * (x[r] - centre[r]);
                }
            } else {
                for (int r = 0; r < w; r++) {
                    float d = x[r] - centre[r];
                    s0[r] += d;
                    s1[r] += d * d;
                }
            }
        }
        for (int r = 0; r < w; r++) {
            sums[r][0] = s0[r];
            sums[r][1] = s1[r];
        }
        return;
    }
    for (int c = c0; c < c1; c++)
        sums[c - c0][0] = sums[c - c0][1] = 0.0;
    for (int n = 0; n < l->n; n++)
        for (int c = c0; c < c1; c++) {
            size_t off = plane_offset(l, n, c);
            double *acc = sums[c - c0];
            float m = centre[c - c0];
            if (l->plane >= SMALL_PLANE) {
                float s[2];
                if (dy)
                    j->k->bn_grad_sums(j->x + off, dy + off, l->plane, m, s);
                else
                    j->k->bn_stats(j->x + off, l->plane, m, s);
                acc[0] += s[0];
                acc[1] += s[1];
                continue;
            }
            for (size_t i = 0; i < l->plane; i++) {
                double d = (double)j->x[off + i] - m, g = dy ? dy[off + i] : d;
                acc[0] += g;
                acc[1] += g * d;
            }
        }
}

static void train_channels(void *arg, int ith, int nth)
{
    const bn_job *j = arg;
    size_t count = (size_t)j->l.n * j->l.plane;
    int c0, c1;
    cnn_split_range(j->l.c, ith, nth, &c0, &c1);
    for (int b0 = c0; b0 < c1; b0 += CHANNEL_BLOCK) {
        int b1 = b0 + CHANNEL_BLOCK < c1 ? b0 + CHANNEL_BLOCK : c1;
        float centre[CHANNEL_BLOCK], scale[CHANNEL_BLOCK], shift[CHANNEL_BLOCK];
        double sums[CHANNEL_BLOCK][2];
        /* Sums around each channel's first value: no cancellation when the
         * mean is large against the spread. */
        for (int c = b0; c < b1; c++)
            centre[c - b0] = j->x[plane_offset(&j->l, 0, c)];
        channel_sums(j, NULL, b0, b1, centre, sums);
        for (int c = b0; c < b1; c++) {
            double dmean = sums[c - b0][0] / count;
            double var = sums[c - b0][1] / count - dmean * dmean;
            if (var < 0.0)
                var = 0.0;
            double mean = centre[c - b0] + dmean;
            float invstd = (float)(1.0 / sqrt(var + j->p->eps));
            if (j->running_mean)
                j->running_mean[c] = momentum_update(j->p, j->running_mean[c], mean);
            if (j->running_var) {
                double unbiased = count > 1 ? var * count / (count - 1) : var;
                j->running_var[c] = momentum_update(j->p, j->running_var[c], unbiased);
            }
            j->save_mean[c] = (float)mean;
            j->save_invstd[c] = invstd;
            scale[c - b0] = value_or(j->gamma, c, 1.0f) * invstd;
            shift[c - b0] = value_or(j->beta, c, 0.0f) - (float)mean * scale[c - b0];
        }
        apply_block(j, b0, b1, scale, shift);
    }
}

cnn_status cnn_batchnorm_train_forward(cnn_context *ctx, const cnn_batchnorm_params *p,
                                       const cnn_tensor *x, const cnn_tensor *gamma,
                                       const cnn_tensor *beta, cnn_tensor *running_mean,
                                       cnn_tensor *running_var, cnn_tensor *y,
                                       cnn_tensor *save_mean, cnn_tensor *save_invstd)
{
    bn_job j = { .k = cnn_context_kernels(ctx), .x = x->data, .y = y->data, .p = p };
    cnn_status st = check_layout(x, y, "y", &j.l);
    if (st != CNN_OK)
        return st;
    if (!save_mean || !save_invstd)
        return cnn_fail(CNN_ERR_INVALID_ARG,
                        "batchnorm: training needs save_mean and save_invstd");
    st = check_channel_vectors(j.l.c, 6,
                               (const char *const[]){ "gamma", "beta", "running_mean",
                                                      "running_var", "save_mean",
                                                      "save_invstd" },
                               (const cnn_tensor *const[]){ gamma, beta, running_mean,
                                                            running_var, save_mean,
                                                            save_invstd });
    if (st != CNN_OK)
        return st;
    if (!(p->eps >= 0.0f) || !(p->momentum >= 0.0f && p->momentum <= 1.0f))
        return cnn_fail(CNN_ERR_INVALID_ARG,
                        "batchnorm: eps %g must be >= 0 and momentum %g in [0, 1]", p->eps,
                        p->momentum);
    j.gamma = data_or_null(gamma);
    j.beta = data_or_null(beta);
    j.running_mean = data_or_null(running_mean);
    j.running_var = data_or_null(running_var);
    j.save_mean = save_mean->data;
    j.save_invstd = save_invstd->data;
    cnn_threadpool_run(cnn_context_pool(ctx), train_channels, &j, 0);
    return CNN_OK;
}

/* dx = a * dy + b * (x - mean) + cst over channels [c0, c1) (index c - c0). */
static void dx_block(const bn_job *j, int c0, int c1, const float *mean, const float *a,
                     const float *b, const float *cst)
{
    const bn_layout *l = &j->l;
    if (l->plane == 1) {
        for (int n = 0; n < l->n; n++) {
            size_t off = (size_t)n * l->c + c0;
            const float *x = j->x + off, *dy = j->dy + off;
            float *dx = j->y + off;
            for (int r = 0; r < c1 - c0; r++)
                dx[r] = a[r] * dy[r] + b[r] * (x[r] - mean[r]) + cst[r];
        }
        return;
    }
    for (int n = 0; n < l->n; n++)
        for (int c = c0; c < c1; c++) {
            size_t off = plane_offset(l, n, c);
            int r = c - c0;
            if (l->plane >= SMALL_PLANE) {
                j->k->bn_backward_dx(j->x + off, j->dy + off, j->y + off, l->plane, mean[r],
                                     a[r], b[r], cst[r]);
                continue;
            }
            for (size_t i = 0; i < l->plane; i++)
                j->y[off + i] = a[r] * j->dy[off + i] + b[r] * (j->x[off + i] - mean[r]) + cst[r];
        }
}

static void backward_channels(void *arg, int ith, int nth)
{
    const bn_job *j = arg;
    size_t count = (size_t)j->l.n * j->l.plane;
    int c0, c1;
    cnn_split_range(j->l.c, ith, nth, &c0, &c1);
    for (int b0 = c0; b0 < c1; b0 += CHANNEL_BLOCK) {
        int b1 = b0 + CHANNEL_BLOCK < c1 ? b0 + CHANNEL_BLOCK : c1;
        float a[CHANNEL_BLOCK], b[CHANNEL_BLOCK], cst[CHANNEL_BLOCK];
        double sums[CHANNEL_BLOCK][2];
        channel_sums(j, j->dy, b0, b1, j->mean + b0, sums);
        for (int c = b0; c < b1; c++) {
            /* dbeta = sum(dy), dgamma = sum(dy * x_norm); with dx_norm = dy * gamma
             * the lecture's formula becomes
             * dx = gamma * invstd / M * (M * dy - dbeta - x_norm * dgamma),
             * i.e. a * dy + b * (x - mean) + cst. */
            double invstd = j->invstd[c];
            double dbeta = sums[c - b0][0], dgamma = sums[c - b0][1] * invstd;
            if (j->dbeta)
                j->dbeta[c] = (float)dbeta;
            if (j->dgamma)
                j->dgamma[c] = (float)dgamma;
            double ac = value_or(j->gamma, c, 1.0f) * invstd;
            a[c - b0] = (float)ac;
            b[c - b0] = (float)(-ac * invstd * dgamma / count);
            cst[c - b0] = (float)(-ac * dbeta / count);
        }
        dx_block(j, b0, b1, j->mean + b0, a, b, cst);
    }
}

cnn_status cnn_batchnorm_backward(cnn_context *ctx, const cnn_tensor *x, const cnn_tensor *dy,
                                  const cnn_tensor *gamma, const cnn_tensor *save_mean,
                                  const cnn_tensor *save_invstd, cnn_tensor *dx,
                                  cnn_tensor *dgamma, cnn_tensor *dbeta)
{
    bn_job j = { .k = cnn_context_kernels(ctx), .x = x->data, .dy = dy->data, .y = dx->data };
    cnn_status st = check_layout(x, dy, "dy", &j.l);
    if (st == CNN_OK)
        st = check_layout(x, dx, "dx", &j.l);
    if (st != CNN_OK)
        return st;
    if (!save_mean || !save_invstd)
        return cnn_fail(CNN_ERR_INVALID_ARG,
                        "batchnorm: backward needs save_mean and save_invstd");
    st = check_channel_vectors(j.l.c, 5,
                               (const char *const[]){ "gamma", "save_mean", "save_invstd",
                                                      "dgamma", "dbeta" },
                               (const cnn_tensor *const[]){ gamma, save_mean, save_invstd,
                                                            dgamma, dbeta });
    if (st != CNN_OK)
        return st;
    if (dx->data == x->data)
        return cnn_fail(CNN_ERR_INVALID_ARG, "batchnorm: backward cannot write dx over x");
    j.gamma = data_or_null(gamma);
    j.mean = save_mean->data;
    j.invstd = save_invstd->data;
    j.dgamma = data_or_null(dgamma);
    j.dbeta = data_or_null(dbeta);
    cnn_threadpool_run(cnn_context_pool(ctx), backward_channels, &j, 0);
    return CNN_OK;
}

void cnn_bn_stats_c(const float *x, size_t n, float shift, float out[2])
{
    float sum = 0.0f, sumsq = 0.0f;
    for (size_t i = 0; i < n; i++) {
        float d = x[i] - shift;
        sum += d;
        sumsq += d * d;
    }
    out[0] = sum;
    out[1] = sumsq;
}

void cnn_scale_shift_c(const float *x, float *y, size_t n, float scale, float shift)
{
    for (size_t i = 0; i < n; i++)
        y[i] = x[i] * scale + shift;
}

void cnn_bn_grad_sums_c(const float *x, const float *dy, size_t n, float mean, float out[2])
{
    float sum = 0.0f, sum_xc = 0.0f;
    for (size_t i = 0; i < n; i++) {
        sum += dy[i];
        sum_xc += dy[i] * (x[i] - mean);
    }
    out[0] = sum;
    out[1] = sum_xc;
}

void cnn_bn_backward_dx_c(const float *x, const float *dy, float *dx, size_t n, float mean,
                          float a, float b, float c)
{
    for (size_t i = 0; i < n; i++)
        dx[i] = a * dy[i] + b * (x[i] - mean) + c;
}

void cnn_batchnorm_init_kernels(cnn_kernels *k, unsigned cpu_flags)
{
    k->bn_stats = cnn_bn_stats_c;
    k->scale_shift = cnn_scale_shift_c;
    k->bn_grad_sums = cnn_bn_grad_sums_c;
    k->bn_backward_dx = cnn_bn_backward_dx_c;
#if CNN_HAVE_X86
    cnn_batchnorm_init_x86(k, cpu_flags);
#endif
}
