/* Depthwise 3x3 convolution, the MobileNet layer: one input channel per
 * group (and usually one output channel), stride 1 or 2, zero padding of at most 1. Unlike the general path
 * (ops/conv2d.c) nothing is copied into a workspace: the kernels read the
 * input planes as they are and apply the zero border themselves (kernel rows
 * clipped at the top and bottom, masked columns at the left and right).
 * cnn_conv2d_dw3x3_c is the reference the SIMD twins are tested against. */
#include <stdatomic.h>

#include "conv2d_internal.h"
#include "kernels.h"

int cnn_conv2d_is_dw3x3(const cnn_conv2d_params *p, int in_c)
{
    int pads = p->pad_top | p->pad_bottom | p->pad_left | p->pad_right;
    return p->groups == in_c && p->kernel_h == 3 && p->kernel_w == 3 &&
           p->stride_h == p->stride_w && (p->stride_h == 1 || p->stride_h == 2) &&
           p->dilation_h == 1 && p->dilation_w == 1 &&
           (p->pad_mode == CNN_PAD_ZEROS || !pads) && p->pad_top <= 1 &&
           p->pad_bottom <= 1 && p->pad_left <= 1 && p->pad_right <= 1;
}

void cnn_conv2d_dw3x3_c(const cnn_conv2d_dw3x3_args *a, int c0, int c1, int oy0, int oy1)
{
    for (int c = c0; c < c1; c++) {
        const float *in = a->src + (size_t)(c / a->multiplier) * a->in_h * a->in_w;
        const float *w = a->weight + (size_t)c * 9;
        float *out = a->dst + (size_t)c * a->out_h * a->out_w;
        for (int oy = oy0; oy < oy1; oy++)
            for (int ox = 0; ox < a->out_w; ox++) {
                float sum = a->bias ? a->bias[c] : 0.0f;
                for (int ky = 0; ky < 3; ky++) {
                    int iy = oy * a->stride + ky - a->pad_top;
                    if (iy < 0 || iy >= a->in_h)
                        continue;
                    for (int kx = 0; kx < 3; kx++) {
                        int ix = ox * a->stride + kx - a->pad_left;
                        if (ix >= 0 && ix < a->in_w)
                            sum += w[ky * 3 + kx] * in[(size_t)iy * a->in_w + ix];
                    }
                }
                if (a->clamp)
                    sum = cnn_conv2d_clamp(sum, a->clamp_min, a->clamp_max);
                out[(size_t)oy * a->out_w + ox] = sum;
            }
    }
}

/* Output bytes a task aims at: enough to amortise taking it, few enough
 * that two threads share a layer of 14x14 planes evenly. */
#define TASK_BYTES (16 << 10)

/* A task is a run of whole output channels of one image, or, with fewer
 * channels than CNN_CONV2D_MIN_TASKS, a band of rows of one channel. */
typedef struct dw_job {
    cnn_conv2d_dw3x3_fn kernel;
    cnn_conv2d_dw3x3_args a; /* image 0 */
    size_t in_image, out_image; /* floats per image */
    int channels, chans_per_task, chan_tasks, rows_per_band, bands, tasks;
    atomic_int next_task;
} dw_job;

static void dw_tasks(void *arg, int ith, int nth)
{
    dw_job *j = arg;
    (void)ith;
    (void)nth;
    /* A shared counter: a thread the OS runs late leaves its tasks to the
     * others. Every output is computed the same way whoever runs it. */
    for (int t; (t = atomic_fetch_add(&j->next_task, 1)) < j->tasks;) {
        int per_image = j->chan_tasks * j->bands;
        int image = t / per_image, ct = t % per_image / j->bands, band = t % j->bands;
        cnn_conv2d_dw3x3_args a = j->a;
        a.src += (size_t)image * j->in_image;
        a.dst += (size_t)image * j->out_image;
        int c0 = ct * j->chans_per_task, oy0 = band * j->rows_per_band;
        int c1 = c0 + j->chans_per_task < j->channels ? c0 + j->chans_per_task : j->channels;
        int oy1 = oy0 + j->rows_per_band < a.out_h ? oy0 + j->rows_per_band : a.out_h;
        j->kernel(&a, c0, c1, oy0, oy1);
    }
}

cnn_status cnn_conv2d_dw3x3_forward(cnn_context *ctx, const cnn_conv2d_params *p,
                                    const cnn_tensor *x, const cnn_tensor *weight,
                                    const cnn_tensor *bias, cnn_tensor *y)
{
    int n = x->shape[0], c = y->shape[1], oh = y->shape[2], ow = y->shape[3];
    dw_job job = {
        .kernel = cnn_context_kernels(ctx)->conv2d_dw3x3,
        .a = {
            .src = x->data, .in_h = x->shape[2], .in_w = x->shape[3],
            .multiplier = y->shape[1] / x->shape[1],
            .weight = weight->data, .bias = bias ? bias->data : NULL,
            .dst = y->data, .out_h = oh, .out_w = ow,
            .stride = p->stride_h, .pad_top = p->pad_top, .pad_left = p->pad_left,
            .clamp = p->clamp, .clamp_min = p->clamp_min, .clamp_max = p->clamp_max,
        },
        .in_image = (size_t)x->shape[1] * x->shape[2] * x->shape[3],
        .out_image = (size_t)c * oh * ow,
        .channels = c,
    };
    if (n == 0 || c == 0 || oh == 0 || ow == 0)
        return CNN_OK;
    size_t plane = (size_t)oh * ow * sizeof(float);
    size_t per_task = plane < TASK_BYTES ? TASK_BYTES / plane : 1;
    int cap = (c + CNN_CONV2D_MIN_TASKS - 1) / CNN_CONV2D_MIN_TASKS;
    job.chans_per_task = (int)(per_task < (size_t)cap ? per_task : (size_t)cap);
    job.chan_tasks = (c + job.chans_per_task - 1) / job.chans_per_task;
    int bands = c < CNN_CONV2D_MIN_TASKS ? (CNN_CONV2D_MIN_TASKS + c - 1) / c : 1;
    job.rows_per_band = (oh + bands - 1) / bands;
    job.bands = (oh + job.rows_per_band - 1) / job.rows_per_band;
    job.tasks = n * job.chan_tasks * job.bands;
    atomic_init(&job.next_task, 0);
    cnn_threadpool_run(cnn_context_pool(ctx), dw_tasks, &job, job.tasks);
    return CNN_OK;
}

void cnn_conv2d_dw3x3_init_kernels(cnn_kernels *k, unsigned cpu_flags)
{
    k->conv2d_dw3x3 = cnn_conv2d_dw3x3_c;
#if CNN_HAVE_X86
    cnn_conv2d_dw3x3_init_x86(k, cpu_flags);
#endif
}
