/* Inside the trainer: the layers of a cnn_net, shared by the parser
 * (arch.c), the training passes (net.c), the optimisers (optimizer.c) and the
 * export (export.c). */
#ifndef CNN_TRAIN_INTERNAL_H
#define CNN_TRAIN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "cnn/activation.h"
#include "cnn/batchnorm.h"
#include "cnn/conv2d.h"
#include "cnn/dropout.h"
#include "cnn/pool.h"
#include "cnn/train.h"

typedef enum layer_kind {
    LAYER_CONV = 0,
    LAYER_DENSE,
    LAYER_BN,
    LAYER_ACT,
    LAYER_MAXPOOL,
    LAYER_AVGPOOL,
    LAYER_FLATTEN,
    LAYER_DROPOUT,
} layer_kind;

/* A per-sample shape: ndim 3 (C, H, W) or 1 (features). */
typedef struct sample_shape {
    int ndim;
    int dims[3];
} sample_shape;

typedef struct net_layer {
    layer_kind kind;
    const char *word; /* "conv", "relu"... also the prefix of parameter names */
    sample_shape in, out;
    int units;        /* conv: output channels; dense: outputs */
    int has_bias;
    cnn_conv2d_params conv;
    cnn_pool2d_params pool;
    cnn_batchnorm_params bn;
    cnn_activation act;
    float alpha;      /* leaky relu */
    float drop_p;
    int first_param;  /* index in cnn_net.params of the weight (or gamma) */
    int first_buffer; /* bn: index of running_mean in cnn_net.buffers */

    /* planned for a batch size (views into the arena) */
    cnn_tensor x;     /* the input as this layer reads it (2-D for dense) */
    cnn_tensor y;     /* the output; flatten: a 2-D view of its input */
    float *save_mean, *save_invstd;
    int32_t *indices; /* max pool */
    uint8_t *mask;    /* dropout */
} net_layer;

#define NET_NAME_SIZE 32

/* A learned parameter (views into cnn_net.values, .grads) or a batch norm
 * buffer (into cnn_net.buffer_values; no gradient). */
typedef struct net_param {
    char name[NET_NAME_SIZE];
    cnn_tensor value;
    cnn_tensor grad;
} net_param;

#define NET_MAX_LAYERS 64
#define NET_MAX_PARAMS (2 * NET_MAX_LAYERS)

struct cnn_net {
    int n_layers;
    net_layer layers[NET_MAX_LAYERS];
    sample_shape input;
    uint64_t seed;
    int64_t steps;

    int n_params, n_buffers;
    net_param params[NET_MAX_PARAMS];
    net_param buffers[NET_MAX_PARAMS];
    size_t n_values; /* floats over all parameters */
    /* one block each, parameter after parameter: values, gradients and the
     * optimiser's moments (SGD's momentum buffer is m) */
    float *values, *grads, *m, *v;
    float *buffer_values;

    /* the plan */
    int batch;
    void *arena;
    float *grad_a, *grad_b; /* ping-pong gradients of the activations */
    void *workspace;        /* conv forward and backward scratch */
};

/* arch.c: parse the text into layers and infer their shapes. */
cnn_status net_parse(cnn_net *net, const char *arch);
size_t sample_numel(const sample_shape *s);
/* optimizer.c: one update of every parameter from its gradient. */
void net_optimizer_step(cnn_net *net, const cnn_optimizer_params *opt);

#endif
