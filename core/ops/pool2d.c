/* 2-D pooling: parameters, output sizes, the windowed modes (max, avg, min,
 * Lp, max-avg) forward and backward, and the dispatch to the adaptive and
 * wavelet files. The inner loops of the forward pass are the kernel table's
 * pool2d entry; cnn_pool2d_kernel_c below is the reference every SIMD twin
 * is tested against. */
#include <math.h>
#include <string.h>

#include "pool_internal.h"

void cnn_pool2d_params_init(cnn_pool2d_params *p, cnn_pool_mode mode, int kernel_h,
                            int kernel_w)
{
    memset(p, 0, sizeof *p);
    p->mode = mode;
    p->kernel_h = kernel_h;
    p->kernel_w = kernel_w;
    p->dilation_h = p->dilation_w = 1;
    p->count_include_pad = 1;
    p->p = 2.0f;
    p->alpha = 0.5f;
}

void cnn_pool2d_window_from_params(const cnn_pool2d_params *p, cnn_pool2d_window *w)
{
    *w = (cnn_pool2d_window){
        .kh = p->kernel_h, .kw = p->kernel_w,
        .stride_h = p->stride_h ? p->stride_h : p->kernel_h,
        .stride_w = p->stride_w ? p->stride_w : p->kernel_w,
        .dil_h = p->dilation_h, .dil_w = p->dilation_w,
        .pad_top = p->pad_top, .pad_bottom = p->pad_bottom,
        .pad_left = p->pad_left, .pad_right = p->pad_right,
        .count_include_pad = p->count_include_pad, .divisor = p->divisor,
    };
}

int cnn_pool2d_axis_taps(int start, int k, int dil, int lo, int hi)
{
    int n = 0;
    for (int i = 0; i < k; i++) {
        int t = start + i * dil;
        n += t >= lo && t < hi;
    }
    return n;
}

int cnn_pool2d_avg_count(const cnn_pool2d_window *w, int in_h, int in_w, int iy0, int ix0)
{
    if (w->divisor > 0)
        return w->divisor;
    if (w->count_include_pad)
        return cnn_pool2d_axis_taps(iy0, w->kh, w->dil_h, -w->pad_top, in_h + w->pad_bottom) *
               cnn_pool2d_axis_taps(ix0, w->kw, w->dil_w, -w->pad_left, in_w + w->pad_right);
    return cnn_pool2d_axis_taps(iy0, w->kh, w->dil_h, 0, in_h) *
           cnn_pool2d_axis_taps(ix0, w->kw, w->dil_w, 0, in_w);
}

void cnn_pool2d_interior(int in, int out, int k, int stride, int dil, int pad, int *lo, int *hi)
{
    /* first output whose window starts at or after 0 */
    *lo = (pad + stride - 1) / stride;
    /* last output whose last tap is at most in - 1 */
    int last = in - 1 - (k - 1) * dil + pad;
    *hi = last < 0 ? 0 : last / stride + 1;
    if (*hi > out)
        *hi = out;
    if (*lo > *hi)
        *lo = *hi;
}

/* One axis of a windowed mode: output size, PyTorch's rule. */
static cnn_status window_axis(const char *axis, int in, int k, int stride, int dil, int pad0,
                              int pad1, int ceil_mode, int *out)
{
    if (k < 1 || stride < 1 || dil < 1 || pad0 < 0 || pad1 < 0)
        return cnn_fail(CNN_ERR_INVALID_ARG,
                        "pool2d: %s kernel %d, stride %d, dilation %d must be >= 1 and "
                        "padding %d,%d >= 0", axis, k, stride, dil, pad0, pad1);
    int span = dil * (k - 1) + 1;
    if (pad0 > span / 2 || pad1 > span / 2)
        return cnn_fail(CNN_ERR_INVALID_ARG,
                        "pool2d: %s padding %d,%d exceeds half the kernel span %d", axis,
                        pad0, pad1, span);
    int padded = in + pad0 + pad1;
    if (in < 1 || span > padded)
        return cnn_fail(CNN_ERR_SHAPE,
                        "pool2d: %s kernel spans %d pixels, more than the padded input %d",
                        axis, span, padded);
    int n = (padded - span + (ceil_mode ? stride - 1 : 0)) / stride + 1;
    /* ceil mode: no window may start in the bottom/right padding */
    if (ceil_mode && (n - 1) * stride >= in + pad0)
        n--;
    *out = n;
    return CNN_OK;
}

cnn_status cnn_pool2d_output_size(const cnn_pool2d_params *p, int in_h, int in_w,
                                  int *out_h, int *out_w)
{
    if (in_h < 1 || in_w < 1)
        return cnn_fail(CNN_ERR_SHAPE, "pool2d: empty input %dx%d", in_w, in_h);
    switch (p->mode) {
    case CNN_POOL_MAX:
    case CNN_POOL_MIN:
        break;
    case CNN_POOL_AVG:
        if (p->divisor < 0)
            return cnn_fail(CNN_ERR_INVALID_ARG, "pool2d: avg divisor %d < 0", p->divisor);
        break;
    case CNN_POOL_LP:
        if (!(p->p > 0.0f) || isinf(p->p))
            return cnn_fail(CNN_ERR_INVALID_ARG, "pool2d: Lp needs a finite p > 0, got %g",
                            (double)p->p);
        break;
    case CNN_POOL_MAX_AVG:
        if (!(p->alpha >= 0.0f && p->alpha <= 1.0f))
            return cnn_fail(CNN_ERR_INVALID_ARG, "pool2d: max-avg alpha %g not in [0, 1]",
                            (double)p->alpha);
        if (p->divisor < 0)
            return cnn_fail(CNN_ERR_INVALID_ARG, "pool2d: avg divisor %d < 0", p->divisor);
        break;
    case CNN_POOL_GLOBAL_MAX:
    case CNN_POOL_GLOBAL_AVG:
        *out_h = *out_w = 1;
        return CNN_OK;
    case CNN_POOL_ADAPTIVE_MAX:
    case CNN_POOL_ADAPTIVE_AVG:
        if (p->output_h < 1 || p->output_w < 1)
            return cnn_fail(CNN_ERR_INVALID_ARG, "pool2d: adaptive output %dx%d, must be >= 1",
                            p->output_w, p->output_h);
        *out_h = p->output_h;
        *out_w = p->output_w;
        return CNN_OK;
    case CNN_POOL_PYRAMID_MAX:
    case CNN_POOL_PYRAMID_AVG: {
        if (p->n_levels < 1 || p->n_levels > CNN_POOL_MAX_LEVELS)
            return cnn_fail(CNN_ERR_INVALID_ARG, "pool2d: pyramid with %d levels, need 1..%d",
                            p->n_levels, CNN_POOL_MAX_LEVELS);
        int cells = 0;
        for (int l = 0; l < p->n_levels; l++) {
            if (p->levels[l] < 1 || p->levels[l] > 1024)
                return cnn_fail(CNN_ERR_INVALID_ARG, "pool2d: pyramid level %d has %d cells "
                                "per side, need 1..1024", l, p->levels[l]);
            cells += p->levels[l] * p->levels[l];
        }
        *out_h = 1;
        *out_w = cells;
        return CNN_OK;
    }
    case CNN_POOL_WAVELET:
        *out_h = (in_h + 1) / 2;
        *out_w = (in_w + 1) / 2;
        return CNN_OK;
    default:
        return cnn_fail(CNN_ERR_INVALID_ARG, "pool2d: unknown mode %d", (int)p->mode);
    }
    cnn_pool2d_window w;
    cnn_pool2d_window_from_params(p, &w);
    if ((long long)w.kh * w.kw > CNN_POOL_MAX_TAPS)
        return cnn_fail(CNN_ERR_UNSUPPORTED, "pool2d: window %dx%d has more than %d taps",
                        w.kw, w.kh, CNN_POOL_MAX_TAPS);
    cnn_status st = window_axis("height", in_h, w.kh, w.stride_h, w.dil_h, w.pad_top,
                                w.pad_bottom, p->ceil_mode, out_h);
    if (st != CNN_OK)
        return st;
    return window_axis("width", in_w, w.kw, w.stride_w, w.dil_w, w.pad_left, w.pad_right,
                       p->ceil_mode, out_w);
}

cnn_status cnn_pool2d_check(const cnn_pool2d_params *p, const cnn_tensor *x,
                            const cnn_tensor *y)
{
    if (x->ndim != 4 || y->ndim != 4)
        return cnn_fail(CNN_ERR_SHAPE, "pool2d: x and y must be 4-D (x %d-D, y %d-D)",
                        x->ndim, y->ndim);
    if (x->shape[0] < 1 || x->shape[1] < 1)
        return cnn_fail(CNN_ERR_SHAPE, "pool2d: empty input [%d,%d,%d,%d]", x->shape[0],
                        x->shape[1], x->shape[2], x->shape[3]);
    int oh, ow;
    cnn_status st = cnn_pool2d_output_size(p, x->shape[2], x->shape[3], &oh, &ow);
    if (st != CNN_OK)
        return st;
    if (y->shape[0] != x->shape[0] || y->shape[1] != x->shape[1] || y->shape[2] != oh ||
        y->shape[3] != ow)
        return cnn_fail(CNN_ERR_SHAPE, "pool2d: y is [%d,%d,%d,%d], expected [%d,%d,%d,%d]",
                        y->shape[0], y->shape[1], y->shape[2], y->shape[3], x->shape[0],
                        x->shape[1], oh, ow);
    return CNN_OK;
}

int cnn_pool2d_window_offsets(const cnn_pool2d_window *win, int h, int w, ptrdiff_t pitch,
                              int iy0, int ix0, ptrdiff_t *offs)
{
    int n = 0;
    for (int ky = 0; ky < win->kh; ky++) {
        int iy = iy0 + ky * win->dil_h;
        if (iy < 0 || iy >= h)
            continue;
        for (int kx = 0; kx < win->kw; kx++) {
            int ix = ix0 + kx * win->dil_w;
            if (ix >= 0 && ix < w)
                offs[n++] = iy * pitch + ix;
        }
    }
    return n;
}

/* Max (or min with want_min) over the input taps of the window at
 * (iy0, ix0); *index gets the flat position (first of ties, NaN wins), or
 * -1 when no tap is inside the input. */
static float window_extreme(const float *src, int h, int w, const cnn_pool2d_window *win,
                            int iy0, int ix0, int want_min, int32_t *index)
{
    ptrdiff_t offs[CNN_POOL_MAX_TAPS];
    int n = cnn_pool2d_window_offsets(win, h, w, w, iy0, ix0, offs);
    float best = want_min ? INFINITY : -INFINITY;
    int32_t at = -1;
    for (int i = 0; i < n; i++) {
        float v = src[offs[i]];
        if (at < 0 || (want_min ? v < best : v > best) || isnan(v)) {
            best = v;
            at = (int32_t)offs[i];
        }
    }
    *index = at;
    return best;
}

/* Sum of |x|^p (p > 0) or, with p == 0, of x over the input taps. */
static float window_sum(const float *src, int h, int w, const cnn_pool2d_window *win, int iy0,
                        int ix0, float p)
{
    ptrdiff_t offs[CNN_POOL_MAX_TAPS];
    int n = cnn_pool2d_window_offsets(win, h, w, w, iy0, ix0, offs);
    float sum = 0.0f;
    for (int i = 0; i < n; i++)
        sum += p == 0.0f ? src[offs[i]] : powf(fabsf(src[offs[i]]), p);
    return sum;
}

static float window_avg(const cnn_pool2d_kernel_args *a, int iy0, int ix0)
{
    int count = cnn_pool2d_avg_count(&a->win, a->src_h, a->src_w, iy0, ix0);
    float sum = window_sum(a->src, a->src_h, a->src_w, &a->win, iy0, ix0, 0.0f);
    return count ? sum / (float)count : 0.0f;
}

void cnn_pool2d_rect_c(const cnn_pool2d_kernel_args *a, int oy0, int oy1, int ox0, int ox1)
{
    const cnn_pool2d_window *win = &a->win;
    for (int oy = oy0; oy < oy1; oy++) {
        int iy0 = oy * win->stride_h - win->pad_top;
        float *out = a->dst + (size_t)oy * a->out_w;
        int32_t *idx = a->indices ? a->indices + (size_t)oy * a->out_w : NULL;
        for (int ox = ox0; ox < ox1; ox++) {
            int ix0 = ox * win->stride_w - win->pad_left;
            int32_t at;
            switch ((cnn_pool_mode)a->mode) {
            case CNN_POOL_MAX:
            case CNN_POOL_MIN:
                out[ox] = window_extreme(a->src, a->src_h, a->src_w, win, iy0, ix0,
                                         a->mode == CNN_POOL_MIN, &at);
                if (idx)
                    idx[ox] = at;
                break;
            case CNN_POOL_AVG:
                out[ox] = window_avg(a, iy0, ix0);
                break;
            case CNN_POOL_LP:
                out[ox] = powf(window_sum(a->src, a->src_h, a->src_w, win, iy0, ix0, a->p),
                               1.0f / a->p);
                break;
            case CNN_POOL_MAX_AVG:
                out[ox] = a->alpha * window_extreme(a->src, a->src_h, a->src_w, win, iy0, ix0,
                                                    0, &at) +
                          (1.0f - a->alpha) * window_avg(a, iy0, ix0);
                break;
            default:
                break;
            }
        }
    }
}

void cnn_pool2d_kernel_c(const cnn_pool2d_kernel_args *a, int oy0, int oy1)
{
    cnn_pool2d_rect_c(a, oy0, oy1, 0, a->out_w);
}

typedef struct plane_run {
    cnn_pool_plane_fn fn;
    const void *job;
    int n;
} plane_run;

static void run_planes(void *arg, int ith, int nth)
{
    const plane_run *r = arg;
    int b, e;
    cnn_split_range(r->n, ith, nth, &b, &e);
    for (int i = b; i < e; i++)
        r->fn(r->job, i);
}

void cnn_pool_run_planes(cnn_context *ctx, int n, cnn_pool_plane_fn fn, const void *job)
{
    plane_run r = { fn, job, n };
    cnn_threadpool_run(cnn_context_pool(ctx), run_planes, &r, 0);
}

typedef struct window_job {
    cnn_pool2d_kernel_fn kernel;
    cnn_pool2d_kernel_args plane0; /* plane 0; others offset from it */
    int planes, row_blocks;
} window_job;

static void window_tasks(void *arg, int ith, int nth)
{
    const window_job *j = arg;
    int t0, t1;
    cnn_split_range(j->planes * j->row_blocks, ith, nth, &t0, &t1);
    for (int t = t0; t < t1; t++) {
        int plane = t / j->row_blocks, rb = t % j->row_blocks;
        cnn_pool2d_kernel_args a = j->plane0;
        a.src += (size_t)plane * a.src_h * a.src_w;
        a.dst += (size_t)plane * a.out_h * a.out_w;
        if (a.indices)
            a.indices += (size_t)plane * a.out_h * a.out_w;
        int oy0, oy1;
        cnn_split_range(a.out_h, rb, j->row_blocks, &oy0, &oy1);
        if (oy0 < oy1)
            j->kernel(&a, oy0, oy1);
    }
}

static cnn_pool2d_kernel_args window_args(const cnn_pool2d_params *p, const cnn_tensor *x,
                                          const cnn_tensor *y)
{
    cnn_pool2d_kernel_args a = {
        .src = x->data, .src_h = x->shape[2], .src_w = x->shape[3],
        .dst = y->data, .out_h = y->shape[2], .out_w = y->shape[3],
        .mode = (int)p->mode, .p = p->p, .alpha = p->alpha,
    };
    cnn_pool2d_window_from_params(p, &a.win);
    return a;
}

cnn_status cnn_pool2d_forward(cnn_context *ctx, const cnn_pool2d_params *p,
                              const cnn_tensor *x, cnn_tensor *y, int32_t *indices)
{
    cnn_status st = cnn_pool2d_check(p, x, y);
    if (st != CNN_OK)
        return st;
    if (p->mode == CNN_POOL_WAVELET)
        return cnn_pool_wavelet_forward(ctx, x, y);
    if (!cnn_pool_mode_windowed(p->mode))
        return cnn_pool_adaptive_forward(ctx, p, x, y, indices);

    window_job job = {
        .kernel = cnn_context_kernels(ctx)->pool2d,
        .plane0 = window_args(p, x, y),
        .planes = x->shape[0] * x->shape[1],
    };
    if (p->mode == CNN_POOL_MAX || p->mode == CNN_POOL_MIN)
        job.plane0.indices = indices;
    /* Enough row blocks to give every thread a few tasks when planes are few. */
    int nth = cnn_context_threads(ctx);
    job.row_blocks = (4 * nth + job.planes - 1) / job.planes;
    if (job.row_blocks > y->shape[2])
        job.row_blocks = y->shape[2];
    cnn_threadpool_run(cnn_context_pool(ctx), window_tasks, &job, 0);
    return CNN_OK;
}

typedef struct window_grad_job {
    cnn_pool2d_kernel_args a; /* plane 0 of x and dy; dst unused */
    const float *dy;
    const int32_t *indices;
    float *dx;
} window_grad_job;

/* Add g to every input tap of the window. */
static void spread_avg(float *dx, int h, int w, const cnn_pool2d_window *win, int iy0, int ix0,
                       float g)
{
    ptrdiff_t offs[CNN_POOL_MAX_TAPS];
    int n = cnn_pool2d_window_offsets(win, h, w, w, iy0, ix0, offs);
    for (int i = 0; i < n; i++)
        dx[offs[i]] += g;
}

static void window_grad_plane(const void *arg, int plane)
{
    const window_grad_job *j = arg;
    const cnn_pool2d_kernel_args *a = &j->a;
    const cnn_pool2d_window *win = &a->win;
    int h = a->src_h, w = a->src_w, oh = a->out_h, ow = a->out_w;
    size_t in_plane = (size_t)h * w, out_plane = (size_t)oh * ow;
    const float *src = a->src ? a->src + plane * in_plane : NULL;
    const float *dy = j->dy + plane * out_plane;
    const int32_t *indices = j->indices ? j->indices + plane * out_plane : NULL;
    float *dx = j->dx + plane * in_plane;
    memset(dx, 0, in_plane * sizeof *dx);
    for (int oy = 0; oy < oh; oy++) {
        int iy0 = oy * win->stride_h - win->pad_top;
        for (int ox = 0; ox < ow; ox++) {
            int ix0 = ox * win->stride_w - win->pad_left;
            float g = dy[(size_t)oy * ow + ox];
            int32_t at = -1;
            int count;
            switch ((cnn_pool_mode)a->mode) {
            case CNN_POOL_MAX:
            case CNN_POOL_MIN:
                if (indices)
                    at = indices[(size_t)oy * ow + ox];
                else
                    window_extreme(src, h, w, win, iy0, ix0, a->mode == CNN_POOL_MIN, &at);
                if (at >= 0)
                    dx[at] += g;
                break;
            case CNN_POOL_AVG:
                count = cnn_pool2d_avg_count(win, h, w, iy0, ix0);
                if (count)
                    spread_avg(dx, h, w, win, iy0, ix0, g / (float)count);
                break;
            case CNN_POOL_MAX_AVG:
                window_extreme(src, h, w, win, iy0, ix0, 0, &at);
                if (at >= 0)
                    dx[at] += a->alpha * g;
                count = cnn_pool2d_avg_count(win, h, w, iy0, ix0);
                if (count)
                    spread_avg(dx, h, w, win, iy0, ix0, (1.0f - a->alpha) * g / (float)count);
                break;
            case CNN_POOL_LP: {
                /* d/dx (sum |x|^p)^(1/p) = sign(x) |x|^(p-1) / y^(p-1) */
                float y = powf(window_sum(src, h, w, win, iy0, ix0, a->p), 1.0f / a->p);
                if (!(y > 0.0f))
                    break;
                float scale = g / powf(y, a->p - 1.0f);
                ptrdiff_t offs[CNN_POOL_MAX_TAPS];
                int n = cnn_pool2d_window_offsets(win, h, w, w, iy0, ix0, offs);
                for (int i = 0; i < n; i++) {
                    float v = src[offs[i]];
                    if (v != 0.0f)
                        dx[offs[i]] += copysignf(powf(fabsf(v), a->p - 1.0f), v) * scale;
                }
                break;
            }
            default:
                break;
            }
        }
    }
}

/* Averages and the wavelet are linear; max and min only need x to find
 * their argmax again when the forward pass kept no indices. */
static int backward_needs_x(cnn_pool_mode mode, const int32_t *indices)
{
    switch (mode) {
    case CNN_POOL_AVG:
    case CNN_POOL_GLOBAL_AVG:
    case CNN_POOL_ADAPTIVE_AVG:
    case CNN_POOL_PYRAMID_AVG:
    case CNN_POOL_WAVELET:
        return 0;
    case CNN_POOL_MAX:
    case CNN_POOL_MIN:
    case CNN_POOL_GLOBAL_MAX:
    case CNN_POOL_ADAPTIVE_MAX:
    case CNN_POOL_PYRAMID_MAX:
        return indices == NULL;
    default:
        return 1;
    }
}

cnn_status cnn_pool2d_backward(cnn_context *ctx, const cnn_pool2d_params *p,
                               const cnn_tensor *x, const cnn_tensor *dy,
                               const int32_t *indices, cnn_tensor *dx)
{
    cnn_status st = cnn_pool2d_check(p, dx, dy);
    if (st != CNN_OK)
        return st;
    if (!x && backward_needs_x(p->mode, indices))
        return cnn_fail(CNN_ERR_INVALID_ARG, "pool2d: backward of this mode needs x");
    if (x && !cnn_tensor_same_shape(x, dx))
        return cnn_fail(CNN_ERR_SHAPE, "pool2d: x and dx differ in shape");
    if (p->mode == CNN_POOL_WAVELET)
        return cnn_pool_wavelet_backward(ctx, dy, dx);
    if (!cnn_pool_mode_windowed(p->mode))
        return cnn_pool_adaptive_backward(ctx, p, x, dy, indices, dx);

    window_grad_job job = {
        .a = window_args(p, dx, dy),
        .dy = dy->data,
        .indices = p->mode == CNN_POOL_MAX || p->mode == CNN_POOL_MIN ? indices : NULL,
        .dx = dx->data,
    };
    job.a.src = x ? x->data : NULL;
    cnn_pool_run_planes(ctx, dx->shape[0] * dx->shape[1], window_grad_plane, &job);
    return CNN_OK;
}

void cnn_pool2d_init_kernels(cnn_kernels *k, unsigned cpu_flags)
{
    k->pool2d = cnn_pool2d_kernel_c;
    k->pool2d_u8 = cnn_pool2d_u8_kernel_c;
#if CNN_HAVE_X86
    cnn_pool2d_init_x86(k, cpu_flags);
#else
    (void)cpu_flags;
#endif
}
