/* conv2d forward: parameter checks, padding into the workspace, and the
 * split of (group, output channels, rows) over the thread pool. The inner
 * loops are the kernel table's conv2d entry; cnn_conv2d_kernel_c below is the
 * reference every SIMD twin is tested against. */
#include <stdatomic.h>
#include <string.h>

#include "conv2d_internal.h"
#include "kernels.h"

void cnn_conv2d_params_init(cnn_conv2d_params *p, int kernel_h, int kernel_w)
{
    memset(p, 0, sizeof *p);
    p->kernel_h = kernel_h;
    p->kernel_w = kernel_w;
    p->stride_h = p->stride_w = 1;
    p->dilation_h = p->dilation_w = 1;
    p->groups = 1;
    p->pad_mode = CNN_PAD_ZEROS;
}

static void pad_same_1d(int in, int k, int s, int d, int *before, int *after)
{
    int out = (in + s - 1) / s;
    int total = (out - 1) * s + (k - 1) * d + 1 - in;
    if (total < 0)
        total = 0;
    *before = total / 2;
    *after = total - total / 2;
}

void cnn_conv2d_pad_same(cnn_conv2d_params *p, int in_h, int in_w)
{
    pad_same_1d(in_h, p->kernel_h, p->stride_h, p->dilation_h, &p->pad_top, &p->pad_bottom);
    pad_same_1d(in_w, p->kernel_w, p->stride_w, p->dilation_w, &p->pad_left, &p->pad_right);
}

cnn_status cnn_conv2d_output_size(const cnn_conv2d_params *p, int in_h, int in_w, int *out_h,
                                  int *out_w)
{
    if (p->kernel_h < 1 || p->kernel_w < 1)
        return cnn_fail(CNN_ERR_INVALID_ARG, "conv2d: kernel %dx%d, must be >= 1", p->kernel_h,
                        p->kernel_w);
    if (p->stride_h < 1 || p->stride_w < 1)
        return cnn_fail(CNN_ERR_INVALID_ARG, "conv2d: stride %dx%d, must be >= 1", p->stride_h,
                        p->stride_w);
    if (p->dilation_h < 1 || p->dilation_w < 1)
        return cnn_fail(CNN_ERR_INVALID_ARG, "conv2d: dilation %dx%d, must be >= 1",
                        p->dilation_h, p->dilation_w);
    if (p->pad_top < 0 || p->pad_bottom < 0 || p->pad_left < 0 || p->pad_right < 0)
        return cnn_fail(CNN_ERR_INVALID_ARG, "conv2d: negative padding");
    if (p->pad_mode == CNN_PAD_REFLECT &&
        (p->pad_top >= in_h || p->pad_bottom >= in_h || p->pad_left >= in_w ||
         p->pad_right >= in_w))
        return cnn_fail(CNN_ERR_INVALID_ARG,
                        "conv2d: reflect padding (%d,%d,%d,%d) must be smaller than the "
                        "input %dx%d",
                        p->pad_top, p->pad_bottom, p->pad_left, p->pad_right, in_w, in_h);
    int span_h = p->dilation_h * (p->kernel_h - 1) + 1;
    int span_w = p->dilation_w * (p->kernel_w - 1) + 1;
    int padded_h = in_h + p->pad_top + p->pad_bottom;
    int padded_w = in_w + p->pad_left + p->pad_right;
    if (span_h > padded_h || span_w > padded_w)
        return cnn_fail(CNN_ERR_SHAPE,
                        "conv2d: kernel spans %dx%d pixels (with dilation), more than the "
                        "padded input %dx%d",
                        span_w, span_h, padded_w, padded_h);
    *out_h = (padded_h - span_h) / p->stride_h + 1;
    *out_w = (padded_w - span_w) / p->stride_w + 1;
    return CNN_OK;
}

cnn_status cnn_conv2d_check(const cnn_conv2d_params *p, const cnn_tensor *x,
                            const cnn_tensor *weight, const cnn_tensor *bias,
                            const cnn_tensor *y)
{
    if (x->ndim != 4 || weight->ndim != 4 || y->ndim != 4)
        return cnn_fail(CNN_ERR_SHAPE, "conv2d: x, weight and y must be 4-D (x %d-D, "
                        "weight %d-D, y %d-D)", x->ndim, weight->ndim, y->ndim);
    int g = p->groups;
    int cin = x->shape[1], cout = weight->shape[0];
    if (g < 1 || cin % g || cout % g)
        return cnn_fail(CNN_ERR_INVALID_ARG,
                        "conv2d: groups=%d must divide input channels %d and output "
                        "channels %d", g, cin, cout);
    if (weight->shape[1] != cin / g || weight->shape[2] != p->kernel_h ||
        weight->shape[3] != p->kernel_w)
        return cnn_fail(CNN_ERR_SHAPE,
                        "conv2d: weight is [%d,%d,%d,%d], expected [%d,%d,%d,%d]",
                        weight->shape[0], weight->shape[1], weight->shape[2],
                        weight->shape[3], cout, cin / g, p->kernel_h, p->kernel_w);
    if (bias && (bias->ndim != 1 || bias->shape[0] != cout))
        return cnn_fail(CNN_ERR_SHAPE, "conv2d: bias must be 1-D of %d values", cout);
    int oh, ow;
    cnn_status st = cnn_conv2d_output_size(p, x->shape[2], x->shape[3], &oh, &ow);
    if (st != CNN_OK)
        return st;
    if (y->shape[0] != x->shape[0] || y->shape[1] != cout || y->shape[2] != oh ||
        y->shape[3] != ow)
        return cnn_fail(CNN_ERR_SHAPE, "conv2d: y is [%d,%d,%d,%d], expected [%d,%d,%d,%d]",
                        y->shape[0], y->shape[1], y->shape[2], y->shape[3], x->shape[0],
                        cout, oh, ow);
    return CNN_OK;
}

/* The kernels read the input as is when it needs neither padding nor the
 * column-phase split of stride_w > 1; otherwise each task first rewrites the
 * rows its band of output rows needs into its thread's slot of the
 * workspace, which stays in that core's L2 from one band to the next. */
static int needs_workspace(const cnn_conv2d_params *p)
{
    return p->pad_top | p->pad_bottom | p->pad_left | p->pad_right | (p->stride_w > 1);
}

/* Bytes of padded input a band of one group aims at: small enough to stay in
 * L2 while the kernel walks it once per block of output channels. */
#define BAND_BYTES (128 << 10)
/* Output rows padded and computed per kernel call: the depthwise kernel
 * blocks 4 rows; the input of the next rows is padded just before them. */
#define CHUNK_ROWS 4
/* Workspace slots: at most this many threads pad and convolve at once. */
#define MAX_SLOTS 64

/* Output rows are cut into bands; a task is one band of one group. */
typedef struct band_plan {
    size_t phase;      /* floats per column phase of a padded row */
    size_t row_len;    /* floats per padded row: stride_w phases */
    int rows_per_band; /* output rows */
    int n_bands;
    int band_in_rows;  /* padded input rows a full band reads */
    int slots;         /* bands padded at once: one per thread at most */
    size_t slot_len;   /* floats of one band of one group */
} band_plan;

static void plan_bands(const cnn_conv2d_params *p, int cin_g, int in_w, int out_h,
                       band_plan *b)
{
    int pw = in_w + p->pad_left + p->pad_right;
    b->phase = needs_workspace(p) ? (size_t)(pw + p->stride_w - 1) / p->stride_w
                                  : (size_t)in_w;
    b->row_len = needs_workspace(p) ? b->phase * p->stride_w : (size_t)in_w;
    size_t per_row = (size_t)cin_g * p->stride_h * b->row_len * sizeof(float);
    size_t rows = per_row < BAND_BYTES ? BAND_BYTES / per_row : 1;
    int min_bands = (CNN_CONV2D_MIN_TASKS + p->groups - 1) / p->groups;
    size_t cap = ((size_t)out_h + min_bands - 1) / min_bands;
    b->rows_per_band = (int)(rows < cap ? rows : cap);
    b->n_bands = (out_h + b->rows_per_band - 1) / b->rows_per_band;
    b->band_in_rows = (b->rows_per_band - 1) * p->stride_h +
                      (p->kernel_h - 1) * p->dilation_h + 1;
    b->slots = b->n_bands * p->groups < MAX_SLOTS ? b->n_bands * p->groups : MAX_SLOTS;
    b->slot_len = (size_t)cin_g * b->band_in_rows * b->row_len;
}

size_t cnn_conv2d_workspace_size(const cnn_conv2d_params *p, int in_c, int in_h, int in_w,
                                 int n_threads)
{
    (void)n_threads; /* one slot per thread, up to MAX_SLOTS whatever the count */
    int oh, ow;
    if (!needs_workspace(p) || p->groups < 1 || cnn_conv2d_is_dw3x3(p, in_c) ||
        cnn_conv2d_output_size(p, in_h, in_w, &oh, &ow) != CNN_OK)
        return 0;
    band_plan b;
    plan_bands(p, in_c / p->groups, in_w, oh, &b);
    return (size_t)b.slots * b.slot_len * sizeof(float);
}

/* Source index of padded position i in [-before, n + after) for the mode;
 * -1 means a zero. */
static int pad_source_index(int i, int n, cnn_pad_mode mode)
{
    if (i >= 0 && i < n)
        return i;
    switch (mode) {
    case CNN_PAD_REFLECT: return i < 0 ? -i : 2 * (n - 1) - i;
    case CNN_PAD_REPLICATE: return i < 0 ? 0 : n - 1;
    case CNN_PAD_ZEROS: break;
    }
    return -1;
}

/* Padded column x of source row srow. */
static float pad_value(const cnn_conv2d_params *p, const float *srow, int w, int x)
{
    int sx = pad_source_index(x - p->pad_left, w, p->pad_mode);
    return sx < 0 ? 0.0f : srow[sx];
}

void cnn_conv2d_split2_c(const float *src, int n, float *even, float *odd)
{
    for (int i = 0; i < n / 2; i++) {
        even[i] = src[2 * i];
        odd[i] = src[2 * i + 1];
    }
    if (n & 1)
        even[n / 2] = src[n - 1];
}

/* One padded row from source row srow, in stride_w column phases: padded
 * column x goes to row[(x % stride_w) * phase + x / stride_w]. */
static void pad_row(const cnn_conv2d_params *p, const float *srow, int w, size_t phase,
                    cnn_conv2d_split2_fn split2, float *row)
{
    int s = p->stride_w, l = p->pad_left;
    if (s == 1)
        memcpy(row + l, srow, (size_t)w * sizeof *row);
    else if (s == 2)
        split2(srow, w, row + (l & 1) * phase + l / 2,
               row + ((l + 1) & 1) * phase + (l + 1) / 2);
    else
        for (int c = 0; c < w; c++)
            row[(size_t)((c + l) % s) * phase + (c + l) / s] = srow[c];
    for (int x = 0; x < l; x++)
        row[(size_t)(x % s) * phase + x / s] = pad_value(p, srow, w, x);
    for (int x = l + w; x < l + w + p->pad_right; x++)
        row[(size_t)(x % s) * phase + x / s] = pad_value(p, srow, w, x);
}

/* Rows [i0, i1) of a band whose row 0 is padded row row0, from cin planes
 * of h x w, split in column phases, into planes of b->band_in_rows rows at
 * dst. */
static void pad_band(const cnn_conv2d_params *p, const float *src, int cin, int h, int w,
                     int row0, int i0, int i1, const band_plan *b,
                     cnn_conv2d_split2_fn split2, float *dst)
{
    for (int c = 0; c < cin; c++) {
        const float *plane = src + (size_t)c * h * w;
        for (int i = i0; i < i1; i++) {
            float *row = dst + ((size_t)c * b->band_in_rows + i) * b->row_len;
            int sy = pad_source_index(row0 + i - p->pad_top, h, p->pad_mode);
            if (sy < 0) {
                memset(row, 0, b->row_len * sizeof *row);
                continue;
            }
            pad_row(p, plane + (size_t)sy * w, w, b->phase, split2, row);
        }
    }
}

void cnn_conv2d_kernel_c(const cnn_conv2d_kernel_args *a, int oc0, int oc1, int oy0, int oy1)
{
    for (int oc = oc0; oc < oc1; oc++) {
        const float *w = a->weight + (size_t)oc * a->cin * a->kh * a->kw;
        float b = a->bias ? a->bias[oc] : 0.0f;
        for (int oy = oy0; oy < oy1; oy++) {
            float *out = a->dst + ((size_t)oc * a->out_h + oy) * a->out_w;
            for (int ox = 0; ox < a->out_w; ox++) {
                float sum = b;
                for (int ic = 0; ic < a->cin; ic++) {
                    const float *in = a->src + ic * a->src_plane;
                    const float *wk = w + (size_t)ic * a->kh * a->kw;
                    for (int ky = 0; ky < a->kh; ky++) {
                        const float *row =
                            in + (size_t)(oy * a->stride_h + ky * a->dil_h) * a->src_row + ox;
                        for (int kx = 0; kx < a->kw; kx++) {
                            int c = kx * a->dil_w;
                            sum += wk[ky * a->kw + kx] *
                                   row[(size_t)(c % a->stride_w) * a->src_phase +
                                       c / a->stride_w];
                        }
                    }
                }
                if (a->clamp)
                    sum = cnn_conv2d_clamp(sum, a->clamp_min, a->clamp_max);
                out[ox] = sum;
            }
        }
    }
}

typedef struct conv_job {
    const cnn_conv2d_params *p;
    cnn_conv2d_kernel_fn kernel, kernel_dw;
    cnn_conv2d_split2_fn split2;
    const float *x; /* one image */
    float *y;
    const float *weight, *bias;
    float *workspace; /* NULL: the kernels read x */
    int groups, cin_g, cout_g, h, w, out_h, out_w;
    band_plan plan;
    atomic_int next_task; /* tasks are taken in order by whichever thread is free */
} conv_job;

static void conv_tasks(void *arg, int ith, int nth)
{
    conv_job *j = arg;
    const cnn_conv2d_params *p = j->p;
    const band_plan *b = &j->plan;
    cnn_conv2d_kernel_fn kernel = j->cin_g == 1 ? j->kernel_dw : j->kernel;
    (void)nth;
    /* A shared counter, not a fixed split: a thread the OS runs late leaves
     * its bands to the others. Results do not depend on who runs a band. */
    int tasks = j->groups * b->n_bands;
    for (int t; (t = atomic_fetch_add(&j->next_task, 1)) < tasks;) {
        int g = t / b->n_bands, oy0 = t % b->n_bands * b->rows_per_band;
        int oy1 = oy0 + b->rows_per_band < j->out_h ? oy0 + b->rows_per_band : j->out_h;
        const float *x = j->x + (size_t)g * j->cin_g * j->h * j->w;
        size_t taps = (size_t)j->cin_g * p->kernel_h * p->kernel_w;
        /* dst starts at row oy0, so the kernel computes rows [0, oy1 - oy0). */
        cnn_conv2d_kernel_args a = {
            .cin = j->cin_g,
            .weight = j->weight + (size_t)g * j->cout_g * taps,
            .bias = j->bias ? j->bias + (size_t)g * j->cout_g : NULL,
            .dst = j->y + (size_t)g * j->cout_g * j->out_h * j->out_w + (size_t)oy0 * j->out_w,
            .cout = j->cout_g, .out_h = j->out_h, .out_w = j->out_w,
            .kh = p->kernel_h, .kw = p->kernel_w,
            .stride_h = p->stride_h, .stride_w = p->stride_w,
            .dil_h = p->dilation_h, .dil_w = p->dilation_w,
            .clamp = p->clamp, .clamp_min = p->clamp_min, .clamp_max = p->clamp_max,
        };
        a.src_row = b->row_len;
        a.src_phase = b->phase;
        if (!j->workspace) {
            a.src = x + (size_t)oy0 * p->stride_h * j->w;
            a.src_plane = (size_t)j->h * j->w;
            kernel(&a, 0, j->cout_g, 0, oy1 - oy0);
            continue;
        }
        float *band = j->workspace + (size_t)ith * b->slot_len;
        a.src = band;
        a.src_plane = (size_t)b->band_in_rows * b->row_len;
        int padded = 0;
        for (int oy = oy0; oy < oy1; oy += CHUNK_ROWS) {
            int end = oy + CHUNK_ROWS < oy1 ? oy + CHUNK_ROWS : oy1;
            int need = (end - 1 - oy0) * p->stride_h + (p->kernel_h - 1) * p->dilation_h + 1;
            pad_band(p, x, j->cin_g, j->h, j->w, oy0 * p->stride_h, padded, need, b,
                     j->split2, band);
            padded = need;
            kernel(&a, 0, j->cout_g, oy - oy0, end - oy0);
        }
    }
}

cnn_status cnn_conv2d_forward(cnn_context *ctx, const cnn_conv2d_params *p,
                              const cnn_tensor *x, const cnn_tensor *weight,
                              const cnn_tensor *bias, cnn_tensor *y, void *workspace)
{
    cnn_status st = cnn_conv2d_check(p, x, weight, bias, y);
    if (st != CNN_OK)
        return st;
    if (cnn_conv2d_is_pointwise(p)) {
        cnn_conv2d_pointwise(ctx, p, x, weight, bias, y);
        return CNN_OK;
    }
    if (cnn_conv2d_is_dw3x3(p, x->shape[1]))
        return cnn_conv2d_dw3x3_forward(ctx, p, x, weight, bias, y);
    if (needs_workspace(p) && !workspace)
        return cnn_fail(CNN_ERR_INVALID_ARG,
                        "conv2d: padding or stride_w > 1 needs a workspace");

    int n = x->shape[0], cin = x->shape[1], h = x->shape[2], w = x->shape[3];
    int cout = y->shape[1], oh = y->shape[2], ow = y->shape[3], g = p->groups;
    conv_job job = {
        .p = p,
        .kernel = cnn_context_kernels(ctx)->conv2d,
        .kernel_dw = cnn_context_kernels(ctx)->conv2d_dw,
        .split2 = cnn_context_kernels(ctx)->conv2d_split2,
        .weight = weight->data,
        .bias = bias ? bias->data : NULL,
        .workspace = needs_workspace(p) ? workspace : NULL,
        .groups = g, .cin_g = cin / g, .cout_g = cout / g,
        .h = h, .w = w, .out_h = oh, .out_w = ow,
    };
    plan_bands(p, cin / g, job.w, job.out_h, &job.plan);
    for (int i = 0; i < n; i++) {
        job.x = x->data + (size_t)i * cin * h * w;
        job.y = y->data + (size_t)i * cout * oh * ow;
        atomic_init(&job.next_task, 0);
        cnn_threadpool_run(cnn_context_pool(ctx), conv_tasks, &job,
                           job.workspace ? job.plan.slots : 0);
    }
    return CNN_OK;
}

void cnn_conv2d_init_kernels(cnn_kernels *k, unsigned cpu_flags)
{
    k->conv2d = cnn_conv2d_kernel_c;
    k->conv2d_dw = cnn_conv2d_kernel_c;
    k->conv2d_split2 = cnn_conv2d_split2_c;
    k->conv2d_pw = cnn_conv2d_pw_c;
#if CNN_HAVE_X86
    cnn_conv2d_init_x86(k, cpu_flags);
#endif
}
