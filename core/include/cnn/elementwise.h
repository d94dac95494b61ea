/* Element-wise binary operations with NumPy/ONNX broadcasting: shapes are
 * aligned from the last dimension, and a dimension of 1 (or a missing one)
 * repeats, so a [C, 1, 1] per-channel operand or a one-element scalar
 * applies to a whole [N, C, H, W] tensor. y has the broadcast shape. */
#ifndef CNN_ELEMENTWISE_H
#define CNN_ELEMENTWISE_H

#include "cnn/context.h"
#include "cnn/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cnn_binary_op {
    CNN_BINARY_ADD = 0,
    CNN_BINARY_MUL,
} cnn_binary_op;

/* The broadcast shape of a and b into out[CNN_MAX_DIMS], or an error naming
 * the dimensions that differ. */
cnn_status cnn_broadcast_shape(const cnn_tensor *a, const cnn_tensor *b, int *ndim, int *shape);

/* y = a + b or a * b. y may be a or b when it has their shape. */
cnn_status cnn_binary_forward(cnn_context *ctx, cnn_binary_op op, const cnn_tensor *a,
                              const cnn_tensor *b, cnn_tensor *y);
cnn_status cnn_add(cnn_context *ctx, const cnn_tensor *a, const cnn_tensor *b, cnn_tensor *y);
cnn_status cnn_mul(cnn_context *ctx, const cnn_tensor *a, const cnn_tensor *b, cnn_tensor *y);
/* Gradients from dy (broadcast shape), summed over the broadcast dimensions
 * into da (a's shape) and db (b's shape); either may be NULL. a and b are
 * read only by mul (da = dy * b, db = dy * a). */
cnn_status cnn_binary_backward(cnn_context *ctx, cnn_binary_op op, const cnn_tensor *a,
                               const cnn_tensor *b, const cnn_tensor *dy, cnn_tensor *da,
                               cnn_tensor *db);

#ifdef __cplusplus
}
#endif
#endif
