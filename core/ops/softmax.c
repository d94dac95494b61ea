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
        size_t off = (t / j->l.inner) * j->l.dim * j->l.inner + t % j->l.inner;
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

static cnn_status check_cross_entropy(const cnn_tensor *logits, const int *labels)
{
    if (logits->ndim != 2)
        return cnn_fail(CNN_ERR_SHAPE, "cross_entropy: logits are %d-D, expected [N, C]",
                        logits->ndim);
    for (int n = 0; n < logits->shape[0]; n++)
        if (labels[n] < 0 || labels[n] >= logits->shape[1])
            return cnn_fail(CNN_ERR_INVALID_ARG,
                            "cross_entropy: label %d of sample %d outside [0, %d)", labels[n], n,
                            logits->shape[1]);
    return CNN_OK;
}

/* log(sum(exp(row))) with the maximum taken out first. */
static double log_sum_exp(const float *row, int c)
{
    float max = row[0];
    for (int i = 1; i < c; i++)
        max = fmaxf(max, row[i]);
    double sum = 0.0;
    for (int i = 0; i < c; i++)
        sum += exp((double)row[i] - max);
    return max + log(sum);
}

cnn_status cnn_cross_entropy_forward(cnn_context *ctx, const cnn_tensor *logits,
                                     const int *labels, float *loss)
{
    cnn_status st = check_cross_entropy(logits, labels);
    if (st != CNN_OK)
        return st;
    int batch = logits->shape[0], c = logits->shape[1];
    double total = 0.0;
    for (int n = 0; n < batch; n++) {
        const float *row = logits->data + (size_t)n * c;
        total += log_sum_exp(row, c) - row[labels[n]];
    }
    *loss = (float)(total / batch);
    return CNN_OK;
}

cnn_status cnn_cross_entropy_backward(cnn_context *ctx, const cnn_tensor *logits,
                                      const int *labels, float dloss, cnn_tensor *dlogits)
{
    cnn_status st = check_cross_entropy(logits, labels);
    if (st != CNN_OK)
        return st;
    if (!cnn_tensor_same_shape(logits, dlogits))
        return cnn_fail(CNN_ERR_SHAPE, "cross_entropy: dlogits must have the shape of logits");
    int batch = logits->shape[0], c = logits->shape[1];
    double scale = (double)dloss / batch;
    for (int n = 0; n < batch; n++) {
        const float *row = logits->data + (size_t)n * c;
        float *out = dlogits->data + (size_t)n * c;
        double lse = log_sum_exp(row, c);
        for (int i = 0; i < c; i++)
            out[i] = (float)(scale * (exp((double)row[i] - lse) - (i == labels[n])));
    }
    return CNN_OK;
}
