/* 8-bit pooling of video planes (GRAY8, or one plane of I420...): max, min
 * and avg windows with the float path's geometry and PyTorch's size rules,
 * rows addressed by stride. Averages round half up: (sum + n / 2) / n. */
#include "pool_internal.h"

void cnn_pool2d_u8_rect_c(const cnn_pool2d_u8_args *a, int oy0, int oy1, int ox0, int ox1)
{
    const cnn_pool2d_window *win = &a->win;
    int is_min = a->mode == CNN_POOL_MIN, is_avg = a->mode == CNN_POOL_AVG;
    for (int oy = oy0; oy < oy1; oy++) {
        int iy0 = oy * win->stride_h - win->pad_top;
        uint8_t *out = a->dst + oy * a->dst_stride;
        for (int ox = ox0; ox < ox1; ox++) {
            int ix0 = ox * win->stride_w - win->pad_left;
            ptrdiff_t offs[CNN_POOL_MAX_TAPS];
            int n = cnn_pool2d_window_offsets(win, a->src_h, a->src_w, a->src_stride, iy0, ix0,
                                              offs);
            unsigned acc = is_min ? 255u : 0u;
            for (int i = 0; i < n; i++) {
                unsigned v = a->src[offs[i]];
                if (is_avg)
                    acc += v;
                else if (is_min ? v < acc : v > acc)
                    acc = v;
            }
            if (is_avg) {
                unsigned count =
                    (unsigned)cnn_pool2d_avg_count(win, a->src_h, a->src_w, iy0, ix0);
                acc = count ? (acc + count / 2) / count : 0;
                if (acc > 255)
                    acc = 255; /* a divisor smaller than the window */
            }
            out[ox] = (uint8_t)acc;
        }
    }
}

void cnn_pool2d_u8_kernel_c(const cnn_pool2d_u8_args *a, int oy0, int oy1)
{
    cnn_pool2d_u8_rect_c(a, oy0, oy1, 0, a->out_w);
}

typedef struct u8_job {
    cnn_pool2d_u8_kernel_fn kernel;
    cnn_pool2d_u8_args args;
} u8_job;

static void u8_rows(void *arg, int ith, int nth)
{
    const u8_job *j = arg;
    int oy0, oy1;
    cnn_split_range(j->args.out_h, ith, nth, &oy0, &oy1);
    if (oy0 < oy1)
        j->kernel(&j->args, oy0, oy1);
}

cnn_status cnn_pool2d_u8(cnn_context *ctx, const cnn_pool2d_params *p, const uint8_t *src,
                         ptrdiff_t src_stride, uint8_t *dst, ptrdiff_t dst_stride, int width,
                         int height)
{
    if (p->mode != CNN_POOL_MAX && p->mode != CNN_POOL_MIN && p->mode != CNN_POOL_AVG)
        return cnn_fail(CNN_ERR_UNSUPPORTED,
                        "pool2d_u8: mode %d; 8-bit planes do max, min and avg", (int)p->mode);
    int oh, ow;
    cnn_status st = cnn_pool2d_output_size(p, height, width, &oh, &ow);
    if (st != CNN_OK)
        return st;
    if (!src || !dst || src_stride < width || dst_stride < ow)
        return cnn_fail(CNN_ERR_INVALID_ARG,
                        "pool2d_u8: strides %td/%td shorter than the rows %d/%d (or NULL plane)",
                        src_stride, dst_stride, width, ow);
    u8_job job = {
        .kernel = cnn_context_kernels(ctx)->pool2d_u8,
        .args = { .src = src, .src_stride = src_stride, .src_h = height, .src_w = width,
                  .dst = dst, .dst_stride = dst_stride, .out_h = oh, .out_w = ow,
                  .mode = (int)p->mode },
    };
    cnn_pool2d_window_from_params(p, &job.args.win);
    cnn_threadpool_run(cnn_context_pool(ctx), u8_rows, &job, 0);
    return CNN_OK;
}
