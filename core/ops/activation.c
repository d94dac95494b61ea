/* Element-wise activations and their gradients, PyTorch's definitions
 * (torch/nn/functional.py, aten's activation kernels), split in chunks over
 * the thread pool; the loops are the kernel table's activation entry
 * (activation_kernel.h). */
#include <string.h>

#include "cnn/activation.h"

#define ACT_CHUNK 4096

static const char *const activation_names[] = {
    [CNN_ACT_RELU] = "relu",           [CNN_ACT_LEAKY_RELU] = "leaky_relu",
    [CNN_ACT_SIGMOID] = "sigmoid",     [CNN_ACT_TANH] = "tanh",
    [CNN_ACT_GELU] = "gelu",           [CNN_ACT_GELU_TANH] = "gelu_tanh",
    [CNN_ACT_HARD_SWISH] = "hardswish", [CNN_ACT_RELU6] = "relu6",
};

#define N_ACTIVATIONS ((int)(sizeof activation_names / sizeof *activation_names))

int cnn_activation_from_name(const char *name)
{
    for (int i = 0; i < N_ACTIVATIONS; i++)
        if (strcmp(name, activation_names[i]) == 0)
            return i;
    return -1;
}

#define ACTIVATION_KERNEL cnn_activation_kernel_c
#include "activation_kernel.h"

typedef struct act_job {
    cnn_activation_fn kernel;
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
    j->kernel(j->act, j->alpha, j->x + i0, j->dy ? j->dy + i0 : NULL, j->out + i0, i1 - i0);
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
    act_job j = { cnn_context_kernels(ctx)->activation, act, alpha, x->data, NULL, y->data,
                  cnn_tensor_numel(x) };
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
    act_job j = { cnn_context_kernels(ctx)->activation, act, alpha, x->data, dy->data,
                  dx->data, cnn_tensor_numel(x) };
    cnn_threadpool_run(cnn_context_pool(ctx), act_chunks, &j, 0);
    return CNN_OK;
}

void cnn_activation_init_kernels(cnn_kernels *k, unsigned cpu_flags)
{
    k->activation = cnn_activation_kernel_c;
#if CNN_HAVE_X86
    cnn_activation_init_x86(k, cpu_flags);
#endif
}
