/* Softmax and log-softmax along an axis, and cross-entropy from logits. The
 * tensor is seen as [outer, dim, inner]; each of the outer * inner lines is
 * done by one thread: maximum first, so exp never overflows. */
#include <math.h>
#include <stdint.h>

#include "cnn/softmax.h"

typedef struct line_layout {
    size_t outer, dim, inner;
} line_layout;

static cnn_status check_axis(const char *op, const cnn_tensor *x, const cnn_tensor *y,
                             const char *yname, int axis, line_layout *l)
{
    if (axis < -x->ndim || axis >= x->ndim)
        return cnn_fail(CNN_ERR_INVALID_ARG, "%s: axis %d out of range for %d-D input", op,
                        axis, x->ndim);
    if (!cnn_tensor_same_shape(x, y))
        return cnn_fail(CNN_ERR_SHAPE, "%s: %s must have the shape of the input", op, yname);
    if (axis < 0)
        axis += x->ndim;
    l->outer = l->inner = 1;
    for (int i = 0; i < axis; i++)
        l->outer *= (size_t)x->shape[i];
    for (int i = axis + 1; i < x->ndim; i++)
        l->inner *= (size_t)x->shape[i];
    l->dim = (size_t)x->shape[axis];
    return CNN_OK;
}

/* Offset of the first value of line t (of outer * inner). */
static size_t position_offset(const line_layout *l, size_t t)
{
    return (t / l->inner) * l->dim * l->inner + t % l->inner;
}

typedef enum softmax_kind {
    SOFTMAX_FORWARD,
    LOG_SOFTMAX_FORWARD,
    SOFTMAX_BACKWARD,
    LOG_SOFTMAX_BACKWARD,
} softmax_kind;

typedef struct softmax_job {
    softmax_kind kind;
    line_layout l;
    const float *x, *dy; /* x: input (forward) or output y (backward) */
    float *out;
} softmax_job;

/* One line of dim values at stride s. */
static void softmax_line(softmax_kind kind, const float *x, const float *dy, float *out,
                         size_t dim, size_t s)
{
    switch (kind) {
    case SOFTMAX_FORWARD:
    case LOG_SOFTMAX_FORWARD: {
        float max = x[0];
        for (size_t i = 1; i < dim; i++)
            max = fmaxf(max, x[i * s]);
        if (kind == LOG_SOFTMAX_FORWARD) {
            double sum = 0.0;
            for (size_t i = 0; i < dim; i++)
                sum += expf(x[i * s] - max);
            float shift = max + (float)log(sum);
            for (size_t i = 0; i < dim; i++)
                out[i * s] = x[i * s] - shift;
        } else { /* exp once, into out (which may be x) */
            double sum = 0.0;
            for (size_t i = 0; i < dim; i++) {
                float e = expf(x[i * s] - max);
                out[i * s] = e;
                sum += e;
            }
            float inv = (float)(1.0 / sum);
            for (size_t i = 0; i < dim; i++)
                out[i * s] *= inv;
        }
        break;
    }
    case SOFTMAX_BACKWARD: {
        double dot = 0.0;
        for (size_t i = 0; i < dim; i++)
            dot += (double)dy[i * s] * x[i * s];
        for (size_t i = 0; i < dim; i++)
            out[i * s] = x[i * s] * (dy[i * s] - (float)dot);
        break;
    }
    case LOG_SOFTMAX_BACKWARD: {
        double sum = 0.0;
        for (size_t i = 0; i < dim; i++)
            sum += dy[i * s];
        for (size_t i = 0; i < dim; i++)
            out[i * s] = dy[i * s] - expf(x[i * s]) * (float)sum;
        break;
    }
    }
}

static void softmax_lines(void *arg, int ith, int nth)
{
    const softmax_job *j = arg;
    size_t lines = j->l.outer * j->l.inner;
    int t0, t1;
    cnn_split_range((int)lines, ith, nth, &t0, &t1);
    for (size_t t = (size_t)t0; t < (size_t)t1; t++) {
        size_t off = position_offset(&j->l, t);
        softmax_line(j->kind, j->x + off, j->dy ? j->dy + off : NULL, j->out + off, j->l.dim,
                     j->l.inner);
    }
}

static cnn_status run_softmax(cnn_context *ctx, softmax_kind kind, const char *op,
                              const cnn_tensor *x, const cnn_tensor *dy, int axis,
                              cnn_tensor *out)
{
    softmax_job j = { kind, { 0 }, x->data, dy ? dy->data : NULL, out->data };
    cnn_status st = check_axis(op, x, out, dy ? "dx" : "y", axis, &j.l);
    if (st == CNN_OK && dy)
        st = check_axis(op, x, dy, "dy", axis, &j.l);
    if (st != CNN_OK)
        return st;
    if (j.l.outer * j.l.inner > (size_t)INT32_MAX)
        return cnn_fail(CNN_ERR_UNSUPPORTED, "%s: more than 2^31 lines", op);
    cnn_threadpool_run(cnn_context_pool(ctx), softmax_lines, &j, 0);
    return CNN_OK;
}

cnn_status cnn_softmax_forward(cnn_context *ctx, const cnn_tensor *x, int axis, cnn_tensor *y)
{
    return run_softmax(ctx, SOFTMAX_FORWARD, "softmax", x, NULL, axis, y);
}

cnn_status cnn_softmax_backward(cnn_context *ctx, const cnn_tensor *y, const cnn_tensor *dy,
                                int axis, cnn_tensor *dx)
{
    return run_softmax(ctx, SOFTMAX_BACKWARD, "softmax", y, dy, axis, dx);
}

cnn_status cnn_log_softmax_forward(cnn_context *ctx, const cnn_tensor *x, int axis,
                                   cnn_tensor *y)
{
    return run_softmax(ctx, LOG_SOFTMAX_FORWARD, "log_softmax", x, NULL, axis, y);
}

cnn_status cnn_log_softmax_backward(cnn_context *ctx, const cnn_tensor *y,
                                    const cnn_tensor *dy, int axis, cnn_tensor *dx)
{
    return run_softmax(ctx, LOG_SOFTMAX_BACKWARD, "log_softmax", y, dy, axis, dx);
}

/* logits [N, C, d1, ...]: N * d1 * ... positions, each a line of C logits at
 * stride d1 * ..., and one label per position. */
static cnn_status check_cross_entropy(const cnn_tensor *logits, const int *labels,
                                      line_layout *l)
{
    if (logits->ndim < 2)
        return cnn_fail(CNN_ERR_SHAPE,
                        "cross_entropy: logits are %d-D, expected [N, C] or [N, C, d1, ...]",
                        logits->ndim);
    cnn_status st = check_axis("cross_entropy", logits, logits, "logits", 1, l);
    if (st != CNN_OK)
        return st;
    for (size_t t = 0; t < l->outer * l->inner; t++)
        if (labels[t] < 0 || (size_t)labels[t] >= l->dim)
            return cnn_fail(CNN_ERR_INVALID_ARG,
                            "cross_entropy: label %d at position %zu outside [0, %zu)",
                            labels[t], t, l->dim);
    return CNN_OK;
}

/* log(sum(exp(line))) with the maximum taken out first. */
static double log_sum_exp(const float *line, size_t c, size_t s)
{
    float max = line[0];
    for (size_t i = 1; i < c; i++)
        max = fmaxf(max, line[i * s]);
    double sum = 0.0;
    for (size_t i = 0; i < c; i++)
        sum += exp((double)line[i * s] - max);
    return max + log(sum);
}

cnn_status cnn_cross_entropy_forward(cnn_context *ctx, const cnn_tensor *logits,
                                     const int *labels, float *loss)
{
    line_layout l;
    cnn_status st = check_cross_entropy(logits, labels, &l);
    if (st != CNN_OK)
        return st;
    size_t positions = l.outer * l.inner;
    double total = 0.0;
    for (size_t t = 0; t < positions; t++) {
        const float *line = logits->data + position_offset(&l, t);
        total += log_sum_exp(line, l.dim, l.inner) - line[(size_t)labels[t] * l.inner];
    }
    *loss = (float)(total / positions);
    return CNN_OK;
}

cnn_status cnn_cross_entropy_backward(cnn_context *ctx, const cnn_tensor *logits,
                                      const int *labels, float dloss, cnn_tensor *dlogits)
{
    line_layout l;
    cnn_status st = check_cross_entropy(logits, labels, &l);
    if (st != CNN_OK)
        return st;
    if (!cnn_tensor_same_shape(logits, dlogits))
        return cnn_fail(CNN_ERR_SHAPE, "cross_entropy: dlogits must have the shape of logits");
    size_t positions = l.outer * l.inner;
    double scale = (double)dloss / positions;
    for (size_t t = 0; t < positions; t++) {
        size_t off = position_offset(&l, t);
        const float *line = logits->data + off;
        float *out = dlogits->data + off;
        double lse = log_sum_exp(line, l.dim, l.inner);
        for (size_t i = 0; i < l.dim; i++)
            out[i * l.inner] = (float)(scale * (exp((double)line[i * l.inner] - lse) -
                                                (i == (size_t)labels[t])));
    }
    return CNN_OK;
}
