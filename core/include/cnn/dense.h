/* Dense (fully connected) layer and the GEMM under it.
 *
 * cnn_gemm is row-major BLAS sgemm: C = alpha * op(A) * op(B) + beta * C with
 * op(A) M x K, op(B) K x N, C M x N; transA/transB non-zero use the
 * transpose of the stored matrix. beta = 0 ignores C's contents (NaN too).
 * It runs a cache-blocked micro-kernel from the context's table (fewer than 4
 * rows: dot products or row updates without packing); ONNX Gemm/MatMul and
 * 1x1 convolutions reuse it. Packing buffers live on the calling threads'
 * stacks (about 240 KiB), nothing is allocated. Each element of C is computed
 * by one thread in a fixed order: results do not depend on the thread count. */
#ifndef CNN_DENSE_H
#define CNN_DENSE_H

#include "cnn/context.h"
#include "cnn/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

cnn_status cnn_gemm(cnn_context *ctx, int transA, int transB, int M, int N, int K, float alpha,
                    const float *A, int lda, const float *B, int ldb, float beta, float *C,
                    int ldc);

/* y = x W^T + b like torch.nn.Linear: x [B, in], w [out, in], b [out] or
 * NULL, y [B, out]. */
cnn_status cnn_dense_forward(cnn_context *ctx, const cnn_tensor *x, const cnn_tensor *w,
                             const cnn_tensor *b, cnn_tensor *y);
/* Gradients of the forward from dy [B, out]: dx = dy W, dw = dy^T x,
 * db = sum over the batch of dy. Any of dx, dw, db may be NULL. */
cnn_status cnn_dense_backward(cnn_context *ctx, const cnn_tensor *x, const cnn_tensor *w,
                              const cnn_tensor *dy, cnn_tensor *dx, cnn_tensor *dw,
                              cnn_tensor *db);

#ifdef __cplusplus
}
#endif
#endif
