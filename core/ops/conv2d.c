/* conv2d forward: parameter checks, padding into the workspace, and the
 * split of (group, output channels, rows) over the thread pool. The inner
 * loops are the kernel table's conv2d entry; cnn_conv2d_kernel_c below is the
 * reference every SIMD twin is tested against. */
#include <string.h>

#include "cnn/conv2d.h"
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
 * column-phase split of stride_w > 1; otherwise the op rewrites it into the
 * workspace first. */
static int needs_workspace(const cnn_conv2d_params *p)
{
    return p->pad_top | p->pad_bottom | p->pad_left | p->pad_right | (p->stride_w > 1);
}

/* Floats of one padded row: stride_w phases of ceil(padded width / stride_w). */
static size_t phase_len(const cnn_conv2d_params *p, int in_w)
{
    int pw = in_w + p->pad_left + p->pad_right;
    return (size_t)(pw + p->stride_w - 1) / p->stride_w;
}

size_t cnn_conv2d_workspace_size(const cnn_conv2d_params *p, int in_c, int in_h, int in_w,
                                 int n_threads)
{
    (void)n_threads; /* kernels need no per-thread scratch */
    if (!needs_workspace(p))
        return 0;
    size_t ph = (size_t)in_h + p->pad_top + p->pad_bottom;
    return (size_t)in_c * ph * p->stride_w * phase_len(p, in_w) * sizeof(float);
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

typedef struct pad_job {
    const cnn_conv2d_params *p;
    const float *src; /* cin planes of h x w */
    float *dst;       /* cin planes of ph rows of stride_w phases of pl floats */
    int cin, h, w;
    size_t pl;
} pad_job;

/* Padded column x of source row srow. */
static float pad_value(const cnn_conv2d_params *p, const float *srow, int w, int x)
{
    int sx = pad_source_index(x - p->pad_left, w, p->pad_mode);
    return sx < 0 ? 0.0f : srow[sx];
}

/* The padded row (one phase) from the source row srow. */
static void pad_row(const cnn_conv2d_params *p, const float *srow, int w, float *row)
{
    for (int x = 0; x < p->pad_left; x++)
        row[x] = pad_value(p, srow, w, x);
    memcpy(row + p->pad_left, srow, (size_t)w * sizeof *row);
    for (int x = p->pad_left + w; x < w + p->pad_left + p->pad_right; x++)
        row[x] = pad_value(p, srow, w, x);
}

static void pad_planes(void *arg, int ith, int nth)
{
    const pad_job *j = arg;
    const cnn_conv2d_params *p = j->p;
    int ph = j->h + p->pad_top + p->pad_bottom, pw = j->w + p->pad_left + p->pad_right;
    int s = p->stride_w;
    size_t row_len = (size_t)s * j->pl;
    int c0, c1;
    cnn_split_range(j->cin, ith, nth, &c0, &c1);
    for (int c = c0; c < c1; c++) {
        const float *plane = j->src + (size_t)c * j->h * j->w;
        for (int y = 0; y < ph; y++) {
            float *row = j->dst + ((size_t)c * ph + y) * row_len;
            int sy = pad_source_index(y - p->pad_top, j->h, p->pad_mode);
            if (sy < 0) {
                memset(row, 0, row_len * sizeof *row);
                continue;
            }
            const float *srow = plane + (size_t)sy * j->w;
            if (s == 1) {
                pad_row(p, srow, j->w, row);
                continue;
            }
            /* Phase r holds padded columns r, r + s, ...; the last slots of a
             * phase past the padded width are never read. */
            for (int r = 0; r < s; r++)
                for (int x = r, i = 0; x < pw; x += s, i++)
                    row[r * j->pl + i] = pad_value(p, srow, j->w, x);
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
                out[ox] = sum;
            }
        }
    }
}

/* Output channels per task: a multiple of what SIMD kernels block on. */
#define OC_BLOCK 16

typedef struct conv_job {
    cnn_conv2d_kernel_fn kernel;
    cnn_conv2d_kernel_args group_args; /* group 0; others offset from it */
    int groups;
    size_t src_group_stride, weight_group_stride, dst_group_stride;
    int oc_blocks, row_blocks;
} conv_job;

static void conv_tasks(void *arg, int ith, int nth)
{
    const conv_job *j = arg;
    int tasks = j->groups * j->oc_blocks * j->row_blocks;
    int t0, t1;
    cnn_split_range(tasks, ith, nth, &t0, &t1);
    for (int t = t0; t < t1; t++) {
        int rb = t % j->row_blocks, ob = (t / j->row_blocks) % j->oc_blocks;
        int g = t / (j->row_blocks * j->oc_blocks);
        cnn_conv2d_kernel_args a = j->group_args;
        a.src += g * j->src_group_stride;
        a.weight += g * j->weight_group_stride;
        a.dst += g * j->dst_group_stride;
        if (a.bias)
            a.bias += (size_t)g * a.cout;
        int oc0 = ob * OC_BLOCK, oc1 = oc0 + OC_BLOCK < a.cout ? oc0 + OC_BLOCK : a.cout;
        int oy0, oy1;
        cnn_split_range(a.out_h, rb, j->row_blocks, &oy0, &oy1);
        if (oy0 < oy1)
            j->kernel(&a, oc0, oc1, oy0, oy1);
    }
}

cnn_status cnn_conv2d_forward(cnn_context *ctx, const cnn_conv2d_params *p,
                              const cnn_tensor *x, const cnn_tensor *weight,
                              const cnn_tensor *bias, cnn_tensor *y, void *workspace)
{
    cnn_status st = cnn_conv2d_check(p, x, weight, bias, y);
    if (st != CNN_OK)
        return st;
    if (needs_workspace(p) && !workspace)
        return cnn_fail(CNN_ERR_INVALID_ARG,
                        "conv2d: padding or stride_w > 1 needs a workspace");

    int n = x->shape[0], cin = x->shape[1], h = x->shape[2], w = x->shape[3];
    int cout = y->shape[1], oh = y->shape[2], ow = y->shape[3], g = p->groups;
    int ph = h + p->pad_top + p->pad_bottom;
    size_t pl = needs_workspace(p) ? phase_len(p, w) : (size_t)w;
    size_t row_len = (size_t)p->stride_w * pl;
    int nth = cnn_context_threads(ctx);
    cnn_threadpool *pool = cnn_context_pool(ctx);

    conv_job job = {
        .kernel = cnn_context_kernels(ctx)->conv2d,
        .groups = g,
        .src_group_stride = (size_t)(cin / g) * ph * row_len,
        .weight_group_stride = (size_t)(cout / g) * (cin / g) * p->kernel_h * p->kernel_w,
        .dst_group_stride = (size_t)(cout / g) * oh * ow,
        .oc_blocks = (cout / g + OC_BLOCK - 1) / OC_BLOCK,
    };
    int tasks_per_row_block = g * job.oc_blocks;
    /* Enough row blocks to give every thread a few tasks when channels are few. */
    job.row_blocks = (4 * nth + tasks_per_row_block - 1) / tasks_per_row_block;
    if (job.row_blocks > oh)
        job.row_blocks = oh;

    for (int i = 0; i < n; i++) {
        const float *src = x->data + (size_t)i * cin * h * w;
        if (needs_workspace(p)) {
            pad_job pj = { p, src, workspace, cin, h, w, pl };
            cnn_threadpool_run(pool, pad_planes, &pj, 0);
            src = workspace;
        }
        job.group_args = (cnn_conv2d_kernel_args){
            .src = src, .cin = cin / g,
            .src_plane = (size_t)ph * row_len, .src_row = row_len, .src_phase = pl,
            .weight = weight->data, .bias = bias ? bias->data : NULL,
            .dst = y->data + (size_t)i * cout * oh * ow,
            .cout = cout / g, .out_h = oh, .out_w = ow,
            .kh = p->kernel_h, .kw = p->kernel_w,
            .stride_h = p->stride_h, .stride_w = p->stride_w,
            .dil_h = p->dilation_h, .dil_w = p->dilation_w,
        };
        cnn_threadpool_run(pool, conv_tasks, &job, 0);
    }
    return CNN_OK;
}

void cnn_conv2d_init_kernels(cnn_kernels *k, unsigned cpu_flags)
{
    k->conv2d = cnn_conv2d_kernel_c;
#if CNN_HAVE_X86
    cnn_conv2d_init_x86(k, cpu_flags);
#endif
}
