/* Dense layer y = x W^T + b (torch.nn.Linear) and its gradients, on cnn_gemm. */
#include <string.h>

#include "cnn/dense.h"

static cnn_status check_dense(const cnn_tensor *x, const cnn_tensor *w, const cnn_tensor *b,
                              const cnn_tensor *y, const char *yname)
{
    if (x->ndim != 2 || w->ndim != 2 || y->ndim != 2)
        return cnn_fail(CNN_ERR_SHAPE, "dense: x, w and %s must be 2-D (got %d-D, %d-D, %d-D)",
                        yname, x->ndim, w->ndim, y->ndim);
    int batch = x->shape[0], in = x->shape[1], out = w->shape[0];
    if (w->shape[1] != in)
        return cnn_fail(CNN_ERR_SHAPE, "dense: w is [%d,%d], expected [out,%d]", w->shape[0],
                        w->shape[1], in);
    if (y->shape[0] != batch || y->shape[1] != out)
        return cnn_fail(CNN_ERR_SHAPE, "dense: %s is [%d,%d], expected [%d,%d]", yname,
                        y->shape[0], y->shape[1], batch, out);
    if (b && cnn_tensor_numel(b) != (size_t)out)
        return cnn_fail(CNN_ERR_SHAPE, "dense: bias has %zu values, expected %d",
                        cnn_tensor_numel(b), out);
    return CNN_OK;
}

cnn_status cnn_dense_forward(cnn_context *ctx, const cnn_tensor *x, const cnn_tensor *w,
                             const cnn_tensor *b, cnn_tensor *y)
{
    cnn_status st = check_dense(x, w, b, y, "y");
    if (st != CNN_OK)
        return st;
    int batch = x->shape[0], in = x->shape[1], out = w->shape[0];
    if (b)
        for (int i = 0; i < batch; i++)
            memcpy(y->data + (size_t)i * out, b->data, (size_t)out * sizeof(float));
    return cnn_gemm(ctx, 0, 1, batch, out, in, 1.0f, x->data, in, w->data, in, b ? 1.0f : 0.0f,
                    y->data, out);
}

cnn_status cnn_dense_backward(cnn_context *ctx, const cnn_tensor *x, const cnn_tensor *w,
                              const cnn_tensor *dy, cnn_tensor *dx, cnn_tensor *dw,
                              cnn_tensor *db)
{
    cnn_status st = check_dense(x, w, db, dy, "dy");
    if (st != CNN_OK)
        return st;
    int batch = x->shape[0], in = x->shape[1], out = w->shape[0];
    if (dx && !cnn_tensor_same_shape(dx, x))
        return cnn_fail(CNN_ERR_SHAPE, "dense: dx must have the shape of x");
    if (dw && !cnn_tensor_same_shape(dw, w))
        return cnn_fail(CNN_ERR_SHAPE, "dense: dw must have the shape of w");
    if (dx) {
        st = cnn_gemm(ctx, 0, 0, batch, in, out, 1.0f, dy->data, out, w->data, in, 0.0f,
                      dx->data, in);
        if (st != CNN_OK)
            return st;
    }
    if (dw) {
        st = cnn_gemm(ctx, 1, 0, out, in, batch, 1.0f, dy->data, out, x->data, in, 0.0f,
                      dw->data, in);
        if (st != CNN_OK)
            return st;
    }
    if (db)
        for (int o = 0; o < out; o++) {
            double sum = 0.0;
            for (int i = 0; i < batch; i++)
                sum += dy->data[(size_t)i * out + o];
            db->data[o] = (float)sum;
        }
    return CNN_OK;
}
