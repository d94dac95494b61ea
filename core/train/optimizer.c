/* The optimisers, by torch.optim's single-tensor formulas, over the net's
 * parameters as one block of values (and gradients, moments). */
#include <math.h>

#include "train_internal.h"

/* torch.optim.SGD, dampening 0: g = grad + wd * p; buf = g on the first step,
 * then momentum * buf + g; p -= lr * buf (g when momentum is 0). */
static void sgd_step(cnn_net *net, const cnn_optimizer_params *o)
{
    float *p = net->values, *buf = net->m;
    const float *grad = net->grads;
    for (size_t i = 0; i < net->n_values; i++) {
        float g = grad[i] + o->weight_decay * p[i];
        if (o->momentum != 0.0f) {
            buf[i] = net->steps == 1 ? g : o->momentum * buf[i] + g;
            g = buf[i];
        }
        p[i] -= o->lr * g;
    }
}

/* torch.optim.Adam: g = grad + wd * p; m = b1 m + (1 - b1) g;
 * v = b2 v + (1 - b2) g^2; p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps). */
static void adam_step(cnn_net *net, const cnn_optimizer_params *o)
{
    float *p = net->values, *m = net->m, *v = net->v;
    const float *grad = net->grads;
    double t = (double)net->steps;
    float step_size = (float)(o->lr / (1.0 - pow(o->beta1, t)));
    float correction2_sqrt = (float)sqrt(1.0 - pow(o->beta2, t));
    for (size_t i = 0; i < net->n_values; i++) {
        float g = grad[i] + o->weight_decay * p[i];
        m[i] = o->beta1 * m[i] + (1.0f - o->beta1) * g;
        v[i] = o->beta2 * v[i] + (1.0f - o->beta2) * g * g;
        p[i] -= step_size * m[i] / (sqrtf(v[i]) / correction2_sqrt + o->eps);
    }
}

void net_optimizer_step(cnn_net *net, const cnn_optimizer_params *opt)
{
    if (opt->kind == CNN_OPTIMIZER_ADAM)
        adam_step(net, opt);
    else
        sgd_step(net, opt);
}
