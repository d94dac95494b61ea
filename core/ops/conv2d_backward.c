/* conv2d backward: im2col of a chunk of images into the workspace, the
 * gradient products on cnn_gemm, col2im for the input gradient. The unfolding
 * is split over (image, column row) or (image, input channel) between
 * threads; each output value is written by one thread in a fixed order. */
#include <string.h>

#include "cnn/conv2d_backward.h"
#include "cnn/dense.h"

/* Images unfolded together: the products of a chunk run as one gemm (fewer,
 * larger calls, fewer waits for the pool); results do not depend on it. */
#define CHUNK_IMAGES 8

/* A chunk of images: column row r = (c * kh + ky) * kw + kx holds, image
 * after image, for every output position (oy, ox), the input tap it
 * multiplies; a row is ld = images * oh * ow floats long. */
typedef struct unfold_args {
    const cnn_conv2d_params *p;
    int images, c, h, w, oh, ow;
    size_t ld;
    const float *x; /* im2col: the chunk's first image [c, h, w] */
    float *col;     /* [c * kh * kw, ld] */
    float *dx;      /* col2im: the chunk's first image gradient [c, h, w] */
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
    size_t plane = (size_t)a->oh * a->ow, image = (size_t)a->c * a->h * a->w;
    int t0, t1;
    cnn_split_range(a->images * rows, ith, nth, &t0, &t1);
    for (int t = t0; t < t1; t++) {
        int i = t / rows, r = t % rows;
        int c = r / kk, ky = r % kk / p->kernel_w, kx = r % p->kernel_w;
        int ox0, ox1;
        valid_columns(a->w, a->ow, p->stride_w, p->pad_left, kx * p->dilation_w, &ox0, &ox1);
        const float *src = a->x + i * image + (size_t)c * a->h * a->w;
        float *dst = a->col + (size_t)r * a->ld + i * plane;
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
    size_t plane = (size_t)a->oh * a->ow, image = (size_t)a->c * a->h * a->w;
    int t0, t1;
    cnn_split_range(a->images * a->c, ith, nth, &t0, &t1);
    for (int t = t0; t < t1; t++) {
        int i = t / a->c, c = t % a->c;
        float *dst = a->dx + i * image + (size_t)c * a->h * a->w;
        memset(dst, 0, (size_t)a->h * a->w * sizeof *dst);
        for (int k = 0; k < kk; k++) {
            int ky = k / p->kernel_w, kx = k % p->kernel_w;
            int ox0, ox1;
            valid_columns(a->w, a->ow, p->stride_w, p->pad_left, kx * p->dilation_w, &ox0,
                          &ox1);
            const float *src = a->col + ((size_t)c * kk + k) * a->ld + i * plane;
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

size_t cnn_conv2d_backward_workspace_size(const cnn_conv2d_params *p, int batch, int in_c,
                                          int in_h, int in_w, int out_c)
{
    int oh, ow;
    if (batch < 1 || cnn_conv2d_output_size(p, in_h, in_w, &oh, &ow) != CNN_OK)
        return 0;
    size_t images = batch < CHUNK_IMAGES ? (size_t)batch : CHUNK_IMAGES;
    /* the columns and the chunk's dy side by side: [rows + out_c, images * oh * ow] */
    return ((size_t)in_c * p->kernel_h * p->kernel_w + (size_t)out_c) * images * oh * ow *
           sizeof(float);
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
    for (int i0 = 0; i0 < n && (dx || dweight); i0 += CHUNK_IMAGES) {
        int images = n - i0 < CHUNK_IMAGES ? n - i0 : CHUNK_IMAGES;
        size_t ld = (size_t)images * plane, image = (size_t)c * h * w;
        unfold_args a = { .p = p, .images = images, .c = c, .h = h, .w = w, .oh = oh,
                          .ow = ow, .ld = ld, .col = workspace };
        /* dy of the chunk as [cout, images * plane], after the columns */
        float *dyc = a.col + (size_t)c * p->kernel_h * p->kernel_w * ld;
        for (int i = 0; i < images; i++)
            for (int oc = 0; oc < cout; oc++)
                memcpy(dyc + oc * ld + (size_t)i * plane,
                       dy->data + ((size_t)(i0 + i) * cout + oc) * plane,
                       (size_t)plane * sizeof(float));
        if (dweight) {
            a.x = x->data + (size_t)i0 * image;
            cnn_threadpool_run(pool, im2col_job, &a, 0);
            for (int gi = 0; gi < g; gi++) {
                /* dW_g += dY_g [cout_g, ld] x col_g^T [ld, rows_g] */
                st = cnn_gemm(ctx, 0, 1, cout_g, rows_g, (int)ld, 1.0f,
                              dyc + (size_t)gi * cout_g * ld, (int)ld,
                              a.col + (size_t)gi * rows_g * ld, (int)ld, i0 ? 1.0f : 0.0f,
                              dweight->data + (size_t)gi * cout_g * rows_g, rows_g);
                if (st != CNN_OK)
                    return st;
            }
        }
        if (dx) {
            for (int gi = 0; gi < g; gi++) {
                /* col_g = W_g^T [rows_g, cout_g] x dY_g [cout_g, ld] */
                st = cnn_gemm(ctx, 1, 0, rows_g, (int)ld, cout_g, 1.0f,
                              weight->data + (size_t)gi * cout_g * rows_g, rows_g,
                              dyc + (size_t)gi * cout_g * ld, (int)ld, 0.0f,
                              a.col + (size_t)gi * rows_g * ld, (int)ld);
                if (st != CNN_OK)
                    return st;
            }
            a.dx = dx->data + (size_t)i0 * image;
            cnn_threadpool_run(pool, col2im_job, &a, 0);
        }
    }
    return CNN_OK;
}
