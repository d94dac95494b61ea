/* Element-wise activations and their gradients, with PyTorch's definitions:
 * relu, leaky_relu(negative_slope = alpha), sigmoid, tanh, gelu (erf form),
 * gelu(approximate='tanh'), hardswish, relu6. */
#ifndef CNN_ACTIVATION_H
#define CNN_ACTIVATION_H

#include "cnn/context.h"
#include "cnn/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cnn_activation {
    CNN_ACT_RELU = 0,
    CNN_ACT_LEAKY_RELU,
    CNN_ACT_SIGMOID,
    CNN_ACT_TANH,
    CNN_ACT_GELU,      /* x * Phi(x) = x / 2 * (1 + erf(x / sqrt 2)) */
    CNN_ACT_GELU_TANH, /* x / 2 * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 x^3))) */
    CNN_ACT_HARD_SWISH, /* x * relu6(x + 3) / 6 */
    CNN_ACT_RELU6,      /* min(max(x, 0), 6), NaN passing through (ONNX Clip 0, 6) */
} cnn_activation;

/* Name ("relu", "leaky_relu", "sigmoid", "tanh", "gelu", "gelu_tanh",
 * "hardswish", "relu6") to kind; -1 when unknown. */
int cnn_activation_from_name(const char *name);

/* y = f(x); alpha is leaky relu's negative slope (ignored by the others).
 * y may be x. */
cnn_status cnn_activation_forward(cnn_context *ctx, cnn_activation act, float alpha,
                                  const cnn_tensor *x, cnn_tensor *y);
/* dx = dy * f'(x) from the forward's input x. dx may be dy. */
cnn_status cnn_activation_backward(cnn_context *ctx, cnn_activation act, float alpha,
                                   const cnn_tensor *x, const cnn_tensor *dy, cnn_tensor *dx);

#ifdef __cplusplus
}
#endif
#endif
