/* Element-wise activations and their gradients, PyTorch's definitions
 * (torch/nn/functional.py, aten's activation kernels), split in chunks over
 * the thread pool. */
#include <math.h>
#include <string.h>

#include "cnn/activation.h"

#define ACT_CHUNK 4096

static const char *const activation_names[] = {
    [CNN_ACT_RELU] = "relu",           [CNN_ACT_LEAKY_RELU] = "leaky_relu",
    [CNN_ACT_SIGMOID] = "sigmoid",     [CNN_ACT_TANH] = "tanh",
    [CNN_ACT_GELU] = "gelu",           [CNN_ACT_GELU_TANH] = "gelu_tanh",
    [CNN_ACT_HARD_SWISH] = "hardswish",
};

#define N_ACTIVATIONS ((int)(sizeof activation_names / sizeof *activation_names))

int cnn_activation_from_name(const char *name)
{
    for (int i = 0; i < N_ACTIVATIONS; i++)
        if (strcmp(name, activation_names[i]) == 0)
            return i;
    return -1;
}

#define SQRT_2_OVER_PI 0.7978845608028654f
#define GELU_TANH_COEF 0.044715f
#define INV_SQRT_2 0.7071067811865476f
#define INV_SQRT_2PI 0.3989422804014327f

static void forward_range(cnn_activation act, float alpha, const float *x, float *y, size_t n)
{
    switch (act) {
    case CNN_ACT_RELU:
        for (size_t i = 0; i < n; i++)
            y[i] = x[i] > 0.0f ? x[i] : 0.0f;
        break;
    case CNN_ACT_LEAKY_RELU:
        for (size_t i = 0; i < n; i++)
            y[i] = x[i] > 0.0f ? x[i] : x[i] * alpha;
        break;
    case CNN_ACT_SIGMOID:
        for (size_t i = 0; i < n; i++)
            y[i] = 1.0f / (1.0f + expf(-x[i]));
        break;
    case CNN_ACT_TANH:
        for (size_t i = 0; i < n; i++)
            y[i] = tanhf(x[i]);
        break;
    case CNN_ACT_GELU:
        for (size_t i = 0; i < n; i++)
            y[i] = 0.5f * x[i] * (1.0f + erff(x[i] * INV_SQRT_2));
        break;
    case CNN_ACT_GELU_TANH:
        for (size_t i = 0; i < n; i++) {
            float v = x[i];
            y[i] = 0.5f * v * (1.0f + tanhf(SQRT_2_OVER_PI * (v + GELU_TANH_COEF * v * v * v)));
        }
        break;
    case CNN_ACT_HARD_SWISH:
        for (size_t i = 0; i < n; i++) {
            float v = x[i], r6 = fminf(fmaxf(v + 3.0f, 0.0f), 6.0f);
            y[i] = v * r6 / 6.0f;
        }
        break;
    }
}

static void backward_range(cnn_activation act, float alpha, const float *x, const float *dy,
                           float *dx, size_t n)
{
    switch (act) {
    case CNN_ACT_RELU:
        for (size_t i = 0; i < n; i++)
            dx[i] = x[i] > 0.0f ? dy[i] : 0.0f;
        break;
    case CNN_ACT_LEAKY_RELU:
        for (size_t i = 0; i < n; i++)
            dx[i] = x[i] > 0.0f ? dy[i] : dy[i] * alpha;
        break;
    case CNN_ACT_SIGMOID:
        for (size_t i = 0; i < n; i++) {
            float s = 1.0f / (1.0f + expf(-x[i]));
            dx[i] = dy[i] * s * (1.0f - s);
        }
        break;
    case CNN_ACT_TANH:
        for (size_t i = 0; i < n; i++) {
            float t = tanhf(x[i]);
            dx[i] = dy[i] * (1.0f - t * t);
        }
        break;
    case CNN_ACT_GELU:
        for (size_t i = 0; i < n; i++) {
            float v = x[i];
            float cdf = 0.5f * (1.0f + erff(v * INV_SQRT_2));
            float pdf = INV_SQRT_2PI * expf(-0.5f * v * v);
            dx[i] = dy[i] * (cdf + v * pdf);
        }
        break;
    case CNN_ACT_GELU_TANH:
        for (size_t i = 0; i < n; i++) {
            float v = x[i], v2 = v * v;
            float t = tanhf(SQRT_2_OVER_PI * (v + GELU_TANH_COEF * v2 * v));
            float dinner = SQRT_2_OVER_PI * (1.0f + 3.0f * GELU_TANH_COEF * v2);
            dx[i] = dy[i] * (0.5f * (1.0f + t) + 0.5f * v * (1.0f - t * t) * dinner);
        }
        break;
    case CNN_ACT_HARD_SWISH:
        for (size_t i = 0; i < n; i++) {
            float v = x[i];
            dx[i] = v < -3.0f ? 0.0f : v <= 3.0f ? dy[i] * (v / 3.0f + 0.5f) : dy[i];
        }
        break;
    }
}

typedef struct act_job {
    cnn_activation act;
    float alpha;
    const float *x, *dy;
    float *out;
    size_t n;
} act_job;

static void act_chunks(void *arg, int ith, int nth)
{
    const act_job *j = arg;
    int chunks = (int)((j->n + ACT_CHUNK - 1) / ACT_CHUNK);
    int t0, t1;
    cnn_split_range(chunks, ith, nth, &t0, &t1);
    size_t i0 = (size_t)t0 * ACT_CHUNK, i1 = (size_t)t1 * ACT_CHUNK;
    if (i1 > j->n)
        i1 = j->n;
    if (i0 >= i1)
        return;
    if (j->dy)
        backward_range(j->act, j->alpha, j->x + i0, j->dy + i0, j->out + i0, i1 - i0);
    else
        forward_range(j->act, j->alpha, j->x + i0, j->out + i0, i1 - i0);
}

static cnn_status check_act(cnn_activation act, const cnn_tensor *x, const cnn_tensor *y,
                            const char *yname)
{
    if ((int)act < 0 || (int)act >= N_ACTIVATIONS)
        return cnn_fail(CNN_ERR_INVALID_ARG, "activation: unknown kind %d", (int)act);
    if (!cnn_tensor_same_shape(x, y))
        return cnn_fail(CNN_ERR_SHAPE, "activation %s: %s must have the shape of x",
                        activation_names[act], yname);
    return CNN_OK;
}

cnn_status cnn_activation_forward(cnn_context *ctx, cnn_activation act, float alpha,
                                  const cnn_tensor *x, cnn_tensor *y)
{
    cnn_status st = check_act(act, x, y, "y");
    if (st != CNN_OK)
        return st;
    act_job j = { act, alpha, x->data, NULL, y->data, cnn_tensor_numel(x) };
    cnn_threadpool_run(cnn_context_pool(ctx), act_chunks, &j, 0);
    return CNN_OK;
}

cnn_status cnn_activation_backward(cnn_context *ctx, cnn_activation act, float alpha,
                                   const cnn_tensor *x, const cnn_tensor *dy, cnn_tensor *dx)
{
    cnn_status st = check_act(act, x, dy, "dy");
    if (st == CNN_OK)
        st = check_act(act, x, dx, "dx");
    if (st != CNN_OK)
        return st;
    act_job j = { act, alpha, x->data, dy->data, dx->data, cnn_tensor_numel(x) };
    cnn_threadpool_run(cnn_context_pool(ctx), act_chunks, &j, 0);
    return CNN_OK;
}
