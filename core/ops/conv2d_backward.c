/* conv2d backward: im2col of each image into the workspace, the gradient
 * products on cnn_gemm, col2im for the input gradient. The unfolding is split
 * over column rows (im2col) or input channels (col2im) between threads; each
 * output value is written by one thread in a fixed order. */
#include <string.h>

#include "cnn/conv2d_backward.h"
#include "cnn/dense.h"

/* One image's geometry: column row r = (c * kh + ky) * kw + kx holds, for
 * every output position (oy, ox), the input tap it multiplies. */
typedef struct unfold_args {
    const cnn_conv2d_params *p;
    int c, h, w, oh, ow;
    const float *x; /* im2col: the image [c, h, w] */
    float *col;     /* [c * kh * kw, oh * ow] */
    float *dx;      /* col2im: the image gradient [c, h, w] */
} unfold_args;

/* Output columns [*ox0, *ox1) whose tap ox * stride - pad + k * dilation
 * lies inside [0, w). */
static void valid_columns(int w, int ow, int stride, int pad, int offset, int *ox0, int *ox1)
{
    int first = offset - pad; /* input column of output column 0 */
    int lo = first >= 0 ? 0 : (-first + stride - 1) / stride;
    int hi = w - first <= 0 ? 0 : (w - first + stride - 1) / stride;
    *ox0 = lo < ow ? lo : ow;
    *ox1 = hi < ow ? hi : ow;
    if (*ox1 < *ox0)
        *ox1 = *ox0;
}

static void im2col_job(void *arg, int ith, int nth)
{
    const unfold_args *a = arg;
    const cnn_conv2d_params *p = a->p;
    int kk = p->kernel_h * p->kernel_w, rows = a->c * kk;
    size_t plane = (size_t)a->oh * a->ow;
    int r0, r1;
    cnn_split_range(rows, ith, nth, &r0, &r1);
    for (int r = r0; r < r1; r++) {
        int c = r / kk, ky = r % kk / p->kernel_w, kx = r % p->kernel_w;
        int ox0, ox1;
        valid_columns(a->w, a->ow, p->stride_w, p->pad_left, kx * p->dilation_w, &ox0, &ox1);
        const float *src = a->x + (size_t)c * a->h * a->w;
        float *dst = a->col + (size_t)r * plane;
        for (int oy = 0; oy < a->oh; oy++, dst += a->ow) {
            int iy = oy * p->stride_h - p->pad_top + ky * p->dilation_h;
            if (iy < 0 || iy >= a->h) {
                memset(dst, 0, (size_t)a->ow * sizeof *dst);
                continue;
            }
            const float *srow = src + (size_t)iy * a->w;
            int ix = ox0 * p->stride_w - p->pad_left + kx * p->dilation_w;
            memset(dst, 0, (size_t)ox0 * sizeof *dst);
            if (p->stride_w == 1)
                memcpy(dst + ox0, srow + ix, (size_t)(ox1 - ox0) * sizeof *dst);
            else
                for (int ox = ox0; ox < ox1; ox++, ix += p->stride_w)
                    dst[ox] = srow[ix];
            memset(dst + ox1, 0, (size_t)(a->ow - ox1) * sizeof *dst);
        }
    }
}

static void col2im_job(void *arg, int ith, int nth)
{
    const unfold_args *a = arg;
    const cnn_conv2d_params *p = a->p;
    int kk = p->kernel_h * p->kernel_w;
    size_t plane = (size_t)a->oh * a->ow;
    int c0, c1;
    cnn_split_range(a->c, ith, nth, &c0, &c1);
    for (int c = c0; c < c1; c++) {
        float *dst = a->dx + (size_t)c * a->h * a->w;
        memset(dst, 0, (size_t)a->h * a->w * sizeof *dst);
        for (int k = 0; k < kk; k++) {
            int ky = k / p->kernel_w, kx = k % p->kernel_w;
            int ox0, ox1;
            valid_columns(a->w, a->ow, p->stride_w, p->pad_left, kx * p->dilation_w, &ox0,
                          &ox1);
            const float *src = a->col + ((size_t)c * kk + k) * plane;
            for (int oy = 0; oy < a->oh; oy++) {
                int iy = oy * p->stride_h - p->pad_top + ky * p->dilation_h;
                if (iy < 0 || iy >= a->h)
                    continue;
                float *drow = dst + (size_t)iy * a->w;
                const float *srow = src + (size_t)oy * a->ow;
                int ix = ox0 * p->stride_w - p->pad_left + kx * p->dilation_w;
                for (int ox = ox0; ox < ox1; ox++, ix += p->stride_w)
                    drow[ix] += srow[ox];
            }
        }
    }
}

size_t cnn_conv2d_backward_workspace_size(const cnn_conv2d_params *p, int in_c, int in_h,
                                          int in_w)
{
    int oh, ow;
    if (cnn_conv2d_output_size(p, in_h, in_w, &oh, &ow) != CNN_OK)
        return 0;
    return (size_t)in_c * p->kernel_h * p->kernel_w * oh * ow * sizeof(float);
}

static cnn_status check_backward(const cnn_conv2d_params *p, const cnn_tensor *x,
                                 const cnn_tensor *weight, const cnn_tensor *dy,
                                 const cnn_tensor *dx, const cnn_tensor *dweight,
                                 const cnn_tensor *dbias)
{
    cnn_status st = cnn_conv2d_check(p, x, weight, dbias, dy);
    if (st != CNN_OK)
        return st;
    if (p->pad_mode != CNN_PAD_ZEROS)
        return cnn_fail(CNN_ERR_UNSUPPORTED,
                        "conv2d backward: only zero padding is differentiated");
    if (p->clamp)
        return cnn_fail(CNN_ERR_UNSUPPORTED,
                        "conv2d backward: the output clamp is not differentiated");
    if (dx && !cnn_tensor_same_shape(dx, x))
        return cnn_fail(CNN_ERR_SHAPE, "conv2d backward: dx must have the shape of x");
    if (dweight && !cnn_tensor_same_shape(dweight, weight))
        return cnn_fail(CNN_ERR_SHAPE,
                        "conv2d backward: dweight must have the shape of weight");
    return CNN_OK;
}

cnn_status cnn_conv2d_backward(cnn_context *ctx, const cnn_conv2d_params *p,
                               const cnn_tensor *x, const cnn_tensor *weight,
                               const cnn_tensor *dy, cnn_tensor *dx, cnn_tensor *dweight,
                               cnn_tensor *dbias, void *workspace)
{
    cnn_status st = check_backward(p, x, weight, dy, dx, dweight, dbias);
    if (st != CNN_OK)
        return st;
    int n = x->shape[0], c = x->shape[1], h = x->shape[2], w = x->shape[3];
    int cout = weight->shape[0], oh = dy->shape[2], ow = dy->shape[3];
    int g = p->groups, cin_g = c / g, cout_g = cout / g;
    int rows_g = cin_g * p->kernel_h * p->kernel_w; /* column rows of one group */
    int plane = oh * ow;
    if ((dx || dweight) && !workspace)
        return cnn_fail(CNN_ERR_INVALID_ARG, "conv2d backward: no workspace");
    cnn_threadpool *pool = cnn_context_pool(ctx);
    unfold_args a = { .p = p, .c = c, .h = h, .w = w, .oh = oh, .ow = ow, .col = workspace };

    if (dbias)
        for (int oc = 0; oc < cout; oc++) {
            double sum = 0.0;
            for (int i = 0; i < n; i++) {
                const float *d = dy->data + ((size_t)i * cout + oc) * plane;
                for (int j = 0; j < plane; j++)
                    sum += d[j];
            }
            dbias->data[oc] = (float)sum;
        }
    if (dweight && n == 0)
        memset(dweight->data, 0, cnn_tensor_numel(dweight) * sizeof(float));
    for (int i = 0; i < n; i++) {
        const float *dyi = dy->data + (size_t)i * cout * plane;
        if (dweight) {
            a.x = x->data + (size_t)i * c * h * w;
            cnn_threadpool_run(pool, im2col_job, &a, 0);
            for (int gi = 0; gi < g; gi++) {
                /* dW_g += dY_g [cout_g, plane] x col_g^T [plane, rows_g] */
                st = cnn_gemm(ctx, 0, 1, cout_g, rows_g, plane, 1.0f,
                              dyi + (size_t)gi * cout_g * plane, plane,
                              a.col + (size_t)gi * rows_g * plane, plane, i ? 1.0f : 0.0f,
                              dweight->data + (size_t)gi * cout_g * rows_g, rows_g);
                if (st != CNN_OK)
                    return st;
            }
        }
        if (dx) {
            for (int gi = 0; gi < g; gi++) {
                /* col_g = W_g^T [rows_g, cout_g] x dY_g [cout_g, plane] */
                st = cnn_gemm(ctx, 1, 0, rows_g, plane, cout_g, 1.0f,
                              weight->data + (size_t)gi * cout_g * rows_g, rows_g,
                              dyi + (size_t)gi * cout_g * plane, plane, 0.0f,
                              a.col + (size_t)gi * rows_g * plane, plane);
                if (st != CNN_OK)
                    return st;
            }
            a.dx = dx->data + (size_t)i * c * h * w;
            cnn_threadpool_run(pool, col2im_job, &a, 0);
        }
    }
    return CNN_OK;
}
