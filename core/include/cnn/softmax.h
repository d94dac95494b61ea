/* Softmax, log-softmax (numerically stable: the maximum is subtracted first)
 * along one axis, and cross-entropy from logits as
 * torch.nn.functional.cross_entropy (mean over the batch). */
#ifndef CNN_SOFTMAX_H
#define CNN_SOFTMAX_H

#include "cnn/context.h"
#include "cnn/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* y = softmax(x) along axis (negative counts from the end). y may be x. */
cnn_status cnn_softmax_forward(cnn_context *ctx, const cnn_tensor *x, int axis, cnn_tensor *y);
/* dx = y * (dy - sum(dy * y)) from the forward's output y. dx may be dy. */
cnn_status cnn_softmax_backward(cnn_context *ctx, const cnn_tensor *y, const cnn_tensor *dy,
                                int axis, cnn_tensor *dx);
cnn_status cnn_log_softmax_forward(cnn_context *ctx, const cnn_tensor *x, int axis,
                                   cnn_tensor *y);
/* dx = dy - exp(y) * sum(dy) from the forward's output y. dx may be dy. */
cnn_status cnn_log_softmax_backward(cnn_context *ctx, const cnn_tensor *y,
                                    const cnn_tensor *dy, int axis, cnn_tensor *dx);

/* Mean over the batch of -log softmax(logits)[n, labels[n]]; logits [N, C],
 * labels N class indices in [0, C). Logits [N, C, d1, ...] (per-pixel
 * classes) take N * d1 * ... labels in that order and average over all of
 * them, as PyTorch does. */
cnn_status cnn_cross_entropy_forward(cnn_context *ctx, const cnn_tensor *logits,
                                     const int *labels, float *loss);
/* dlogits = dloss * (softmax(logits) - onehot(labels)) / positions. */
cnn_status cnn_cross_entropy_backward(cnn_context *ctx, const cnn_tensor *logits,
                                      const int *labels, float dloss, cnn_tensor *dlogits);

#ifdef __cplusplus
}
#endif
#endif
