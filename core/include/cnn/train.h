/* Training a sequential network in C: the layers described by a short text,
 * parameters initialised like PyTorch's defaults from the counter generator,
 * forward in training mode, backward, softmax cross-entropy, SGD and Adam
 * with PyTorch's formulas, and export of the inference network as a
 * cnn_graph (which cnn_onnx_write() saves).
 *
 * The architecture text is a list of layers separated by ';' or new lines,
 * '#' starting a comment; each layer is a word, its positional numbers, then
 * key=value options:
 *   conv OUT K [stride=1] [pad=0] [dilation=1] [groups=1] [bias=1]
 *   dense OUT [bias=1]            (flattens a 3-D input first)
 *   bn [eps=1e-5] [momentum=0.1]  (BatchNorm2d, or BatchNorm1d after dense)
 *   relu | sigmoid | tanh | hardswish | leaky_relu [alpha=0.01]
 *   maxpool K [stride=K] [pad=0]
 *   avgpool K [stride=K] [pad=0]  (padding counted, as nn.AvgPool2d)
 *   flatten
 *   dropout [P=0.5]               (nn.Dropout; the identity once exported)
 * e.g. FashionNet: "conv 16 3 pad=1; bn; relu; maxpool 2; conv 32 3 pad=1;
 * bn; relu; maxpool 2; flatten; dense 64; relu; dense 10". The last layer
 * gives the logits, a flat vector per sample.
 *
 * Initialisation (torch.nn defaults): conv and dense weights and biases
 * uniform in +-1 / sqrt(fan_in) (kaiming_uniform with a = sqrt(5) for the
 * weights), batch norm gamma 1, beta 0, running mean 0, running var 1. Every
 * value is drawn from (seed, parameter, index): the same seed gives the same
 * network, and training is deterministic for a given thread count (and the
 * same for any count where the ops' reductions are ordered, which they are). */
#ifndef CNN_TRAIN_H
#define CNN_TRAIN_H

#include <stdint.h>

#include "cnn/context.h"
#include "cnn/graph.h"
#include "cnn/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cnn_net cnn_net;

typedef enum cnn_optimizer_kind {
    CNN_OPTIMIZER_SGD = 0,
    CNN_OPTIMIZER_ADAM,
} cnn_optimizer_kind;

/* torch.optim.SGD (momentum, dampening 0, no Nesterov) and torch.optim.Adam
 * (L2 weight decay added to the gradient, bias-corrected moments). Weight
 * decay applies to every parameter, as with model.parameters(). */
typedef struct cnn_optimizer_params {
    cnn_optimizer_kind kind;
    float lr;
    float momentum;     /* SGD */
    float weight_decay;
    float beta1, beta2, eps; /* Adam */
} cnn_optimizer_params;

/* PyTorch's defaults: SGD lr 0.01, momentum 0; Adam lr 1e-3, betas (0.9,
 * 0.999), eps 1e-8; no weight decay. */
void cnn_optimizer_params_init(cnn_optimizer_params *p, cnn_optimizer_kind kind);

/* Parse arch for per-sample inputs of in_c x in_h x in_w and initialise the
 * parameters from seed. Errors name the layer (number and text) and the word. */
cnn_status cnn_net_create(cnn_net **net, const char *arch, int in_c, int in_h, int in_w,
                          uint64_t seed);
void cnn_net_destroy(cnn_net *net);

/* Values per sample of the last layer (the classes). */
int cnn_net_outputs(const cnn_net *net);
/* Learned parameters in the order of PyTorch's model.parameters() for the
 * same layers (conv/dense weight then bias, bn weight then bias), and the
 * batch norm buffers (running_mean, running_var) in state_dict order. Names
 * are "<word><layer>.<what>", e.g. "conv0.weight", "bn1.running_var". The
 * tensors may be overwritten (to start from given weights). */
int cnn_net_param_count(const cnn_net *net);
cnn_tensor *cnn_net_param(cnn_net *net, int i, const char **name);
int cnn_net_buffer_count(const cnn_net *net);
cnn_tensor *cnn_net_buffer(cnn_net *net, int i, const char **name);

/* Plan activations, gradients and scratch for batches of `batch` samples:
 * one allocation, reused by every step of that batch size. */
cnn_status cnn_net_plan(cnn_net *net, cnn_context *ctx, int batch);
/* One optimiser step on a planned batch: x [batch, in_c, in_h, in_w]
 * (packed floats), labels in [0, outputs). Writes the mean cross-entropy
 * and, when correct is not NULL, how many argmax predictions were right
 * (before the update). Nothing is allocated. */
cnn_status cnn_net_train_step(cnn_net *net, cnn_context *ctx, const cnn_optimizer_params *opt,
                              const float *x, const int *labels, float *loss, int *correct);
/* Steps taken so far. */
int64_t cnn_net_steps(const cnn_net *net);

/* The inference network as a new graph: input "input" [N, in_c, in_h, in_w]
 * with N free, output "logits" [N, outputs]; batch norm in inference form
 * with the running statistics, dropout left out. Write it with
 * cnn_onnx_write() or prepare and run it. */
cnn_status cnn_net_export(const cnn_net *net, cnn_graph **g);

#ifdef __cplusplus
}
#endif
#endif
