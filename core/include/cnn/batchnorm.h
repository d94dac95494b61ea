/* Batch normalisation over the channel axis of x [N, C, ...] (statistics per
 * channel over N and every spatial position), as torch.nn.BatchNorm2d and
 * ONNX BatchNormalization:
 *   y = (x - mean) / sqrt(var + eps) * gamma + beta
 *
 * Training uses the batch statistics: the biased variance normalises, the
 * unbiased one (divided by count - 1) updates the running variance. gamma and
 * beta may be NULL (affine=False: gamma 1, beta 0). */
#ifndef CNN_BATCHNORM_H
#define CNN_BATCHNORM_H

#include "cnn/context.h"
#include "cnn/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How running statistics follow the batch, for momentum m. */
typedef enum cnn_momentum_rule {
    CNN_MOMENTUM_PYTORCH = 0, /* running = (1 - m) * running + m * batch (m = 0.1) */
    CNN_MOMENTUM_ONNX,        /* running = m * running + (1 - m) * batch (m = 0.9) */
} cnn_momentum_rule;
/* PyTorch's momentum=None (a cumulative average) is the PyTorch rule with
 * m = 1 / k at the k-th step. */

typedef struct cnn_batchnorm_params {
    float eps;
    float momentum;
    cnn_momentum_rule momentum_rule;
} cnn_batchnorm_params;

/* eps 1e-5, momentum 0.1, PyTorch's rule. */
void cnn_batchnorm_params_init(cnn_batchnorm_params *p);

/* Inference with given statistics; mean, var, gamma, beta are [C] (gamma and
 * beta may be NULL). y may be x. */
cnn_status cnn_batchnorm_inference(cnn_context *ctx, const cnn_tensor *x,
                                   const cnn_tensor *mean, const cnn_tensor *var,
                                   const cnn_tensor *gamma, const cnn_tensor *beta, float eps,
                                   cnn_tensor *y);

/* Training forward with batch statistics. running_mean and running_var ([C],
 * may both be NULL) are updated by the momentum rule. save_mean and
 * save_invstd ([C]) receive the batch mean and 1 / sqrt(biased var + eps),
 * which the backward pass reads. y may be x only when no backward follows. */
cnn_status cnn_batchnorm_train_forward(cnn_context *ctx, const cnn_batchnorm_params *p,
                                       const cnn_tensor *x, const cnn_tensor *gamma,
                                       const cnn_tensor *beta, cnn_tensor *running_mean,
                                       cnn_tensor *running_var, cnn_tensor *y,
                                       cnn_tensor *save_mean, cnn_tensor *save_invstd);

/* Backward of the training forward (the simplified formula, per channel over
 * the M = N * spatial values):
 *   x_norm = (x - mean) * invstd, dx_norm = dy * gamma
 *   dx = invstd / M * (M * dx_norm - sum(dx_norm) - x_norm * sum(dx_norm * x_norm))
 *   dgamma = sum(dy * x_norm), dbeta = sum(dy)
 * dgamma and dbeta may be NULL (not wanted, or affine=False). */
cnn_status cnn_batchnorm_backward(cnn_context *ctx, const cnn_tensor *x, const cnn_tensor *dy,
                                  const cnn_tensor *gamma, const cnn_tensor *save_mean,
                                  const cnn_tensor *save_invstd, cnn_tensor *dx,
                                  cnn_tensor *dgamma, cnn_tensor *dbeta);

#ifdef __cplusplus
}
#endif
#endif
