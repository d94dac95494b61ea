/* Running a chain: frames to image views, the ping-pong buffers between
 * steps and the workspace plan. Intermediate images are planar, tightly
 * packed and of the source type (torchvision rounds after every step too). */
#include <string.h>

#include "augment_internal.h"
#include "cnn/context.h"
#include "cnn/threadpool.h"

void cnn_frame_init(cnn_frame *f, void *data, int width, int height, int channels,
                    cnn_frame_type type, cnn_frame_layout layout)
{
    ptrdiff_t esize = type == CNN_FRAME_F32 ? 4 : 1;
    f->data = data;
    f->width = width, f->height = height, f->channels = channels;
    f->type = type, f->layout = layout;
    f->pixel_stride = f->channel_step = 0;
    if (layout == CNN_FRAME_PACKED) {
        f->row_stride = esize * width * channels;
        f->plane_stride = 0;
    } else {
        f->row_stride = esize * width;
        f->plane_stride = esize * width * height;
    }
}

void aug_parallel(cnn_context *ctx, void (*fn)(void *arg, int ith, int nth), void *arg)
{
    if (ctx)
        cnn_threadpool_run(cnn_context_pool(ctx), fn, arg, 0);
    else
        fn(arg, 0, 1);
}

static aug_image frame_view(const cnn_frame *f)
{
    ptrdiff_t esize = f->type == CNN_FRAME_F32 ? 4 : 1;
    aug_image im = { f->data, f->width, f->height, f->channels, f->type == CNN_FRAME_F32,
                     f->row_stride, esize, f->plane_stride };
    if (f->layout == CNN_FRAME_PACKED) {
        im.pix = f->pixel_stride ? f->pixel_stride : esize * f->channels;
        im.plane = f->channel_step ? f->channel_step : esize;
    }
    return im;
}

static aug_image buffer_view(void *data, aug_shape s, int is_float)
{
    ptrdiff_t esize = is_float ? 4 : 1;
    return (aug_image){ data, s.w, s.h, s.c, is_float, esize * s.w, esize,
                        esize * s.w * s.h };
}

static size_t align64(size_t n)
{
    return (n + 63) & ~(size_t)63;
}

/* Bytes of one intermediate buffer and of the largest step scratch. */
static cnn_status plan(const cnn_augment_chain *chain, aug_shape in, int esize, int n_threads,
                       size_t *buffer, size_t *scratch)
{
    *buffer = *scratch = 0;
    if (in.w <= 0 || in.h <= 0 || in.c <= 0)
        return cnn_fail(CNN_ERR_SHAPE, "augment: input size %dx%dx%d is empty", in.w, in.h,
                        in.c);
    for (int i = 0; i < chain->n_steps; i++) {
        const aug_step *s = &chain->steps[i];
        aug_shape out = in;
        if (s->kind->shape) {
            cnn_status st = s->kind->shape(s, in, &out);
            if (st != CNN_OK)
                return st;
        }
        size_t bytes = align64((size_t)out.w * out.h * out.c * esize);
        if (bytes > *buffer)
            *buffer = bytes;
        size_t sc = s->kind->scratch ? align64(s->kind->scratch(s, in, out, n_threads)) : 0;
        if (sc > *scratch)
            *scratch = sc;
        in = out;
    }
    return CNN_OK;
}

size_t cnn_augment_workspace_size(const cnn_augment_chain *chain, int in_w, int in_h, int in_c,
                                  cnn_frame_type type, int n_threads)
{
    size_t buffer, scratch;
    if (plan(chain, (aug_shape){ in_w, in_h, in_c }, type == CNN_FRAME_F32 ? 4 : 1,
             n_threads < 1 ? 1 : n_threads, &buffer, &scratch) != CNN_OK)
        return 0;
    return 2 * buffer + scratch;
}

/* Packed frames of the same channel count on both sides are run as one
 * channel of w * c elements (tables per element), so rows are contiguous. */
int aug_flatten(aug_image *in, aug_image *out)
{
    ptrdiff_t es = in->is_float ? 4 : 1;
    int c = in->c;
    if (c == 1 || out->c != c || in->plane != es || out->plane != es || in->pix != c * es ||
        out->pix != c * es)
        return 0;
    in->w *= c, out->w *= c;
    in->c = out->c = 1;
    in->pix = out->pix = es;
    return 1;
}

typedef struct copy_job {
    const aug_image *in, *out;
} copy_job;

static void copy_rows(void *arg, int ith, int nth)
{
    const copy_job *j = arg;
    const aug_image *in = j->in, *out = j->out;
    int y0, y1;
    cnn_split_range(out->h, ith, nth, &y0, &y1);
    for (int c = 0; c < out->c; c++) {
        for (int y = y0; y < y1; y++) {
            const uint8_t *s = aug_at(in, c, y, 0);
            uint8_t *d = aug_at(out, c, y, 0);
            if (in->is_float != out->is_float) {
                /* 8-bit to float: x / 255; float to 8-bit: x * 255.999
                 * truncated, after a clamp to [0, 1]. */
                for (int x = 0; x < out->w; x++) {
                    float v = aug_load(s + x * in->pix, in->is_float);
                    if (in->is_float)
                        d[x * out->pix] = (uint8_t)(aug_clampf(v, 0.0f, 1.0f) * 255.999f);
                    else
                        aug_store(d + x * out->pix, 1, v / 255.0f);
                }
            } else if (in->is_float) {
                for (int x = 0; x < out->w; x++)
                    memcpy(d + x * out->pix, s + x * in->pix, 4);
            } else {
                for (int x = 0; x < out->w; x++)
                    d[x * out->pix] = s[x * in->pix];
            }
        }
    }
}

void aug_copy(cnn_context *ctx, const aug_image *in, const aug_image *out)
{
    copy_job j = { in, out };
    aug_parallel(ctx, copy_rows, &j);
}

static cnn_status check_frame(const cnn_frame *f, const char *which)
{
    if (!f->data || f->width <= 0 || f->height <= 0 || f->channels <= 0)
        return cnn_fail(CNN_ERR_SHAPE, "augment: %s frame is empty", which);
    if (f->channels > CNN_AUGMENT_MAX_CHANNELS)
        return cnn_fail(CNN_ERR_SHAPE, "augment: %s frame has %d channels, at most %d",
                        which, f->channels, CNN_AUGMENT_MAX_CHANNELS);
    ptrdiff_t esize = f->type == CNN_FRAME_F32 ? 4 : 1, row = esize * f->width;
    if (f->layout == CNN_FRAME_PACKED) {
        ptrdiff_t pix = f->pixel_stride ? f->pixel_stride : esize * f->channels;
        ptrdiff_t step = f->channel_step ? f->channel_step : esize;
        ptrdiff_t extent = (step < 0 ? -step : step) * (f->channels - 1) + esize;
        if (pix < extent || (step % esize) || (pix % esize))
            return cnn_fail(CNN_ERR_SHAPE,
                            "augment: %s pixel stride %td and channel step %td do not hold "
                            "%d channels", which, pix, step, f->channels);
        row = pix * f->width;
    }
    if (f->row_stride < row)
        return cnn_fail(CNN_ERR_SHAPE, "augment: %s row stride %td is below %td bytes", which,
                        f->row_stride, row);
    if (f->layout == CNN_FRAME_PLANAR && f->channels > 1 &&
        f->plane_stride < f->row_stride * f->height)
        return cnn_fail(CNN_ERR_SHAPE, "augment: %s plane stride %td is below %td bytes",
                        which, f->plane_stride, f->row_stride * f->height);
    return CNN_OK;
}

cnn_status cnn_augment_apply(cnn_context *ctx, const cnn_augment_chain *chain,
                             const cnn_augment_params *params, const cnn_frame *src,
                             cnn_frame *dst, void *workspace)
{
    cnn_status st;
    if ((st = check_frame(src, "source")) != CNN_OK || (st = check_frame(dst, "output")) != CNN_OK)
        return st;
    if (params->n_steps != chain->n_steps)
        return cnn_fail(CNN_ERR_INVALID_ARG,
                        "augment: parameters drawn for %d steps, the chain has %d",
                        params->n_steps, chain->n_steps);
    for (int i = 0; i < chain->n_steps; i++)
        if (params->steps[i].transform != chain->steps[i].kind->name)
            return cnn_fail(CNN_ERR_INVALID_ARG,
                            "augment: step %d parameters were drawn for another chain", i + 1);
    if (src->width != params->in_width || src->height != params->in_height ||
        src->channels != params->in_channels)
        return cnn_fail(CNN_ERR_SHAPE, "augment: source is %dx%dx%d, parameters drawn for %dx%dx%d",
                        src->width, src->height, src->channels, params->in_width,
                        params->in_height, params->in_channels);
    aug_shape in = { src->width, src->height, src->channels }, out;
    int is_float = src->type == CNN_FRAME_F32;
    size_t buffer, scratch_bytes;
    int n_threads = ctx ? cnn_context_threads(ctx) : 1;
    if ((st = plan(chain, in, is_float ? 4 : 1, n_threads, &buffer, &scratch_bytes)) != CNN_OK)
        return st;
    if ((st = cnn_augment_chain_output_shape(chain, in.w, in.h, in.c, &out.w, &out.h,
                                             &out.c)) != CNN_OK)
        return st;
    if (dst->width != out.w || dst->height != out.h || dst->channels != out.c)
        return cnn_fail(CNN_ERR_SHAPE,
                        "augment: output frame is %dx%dx%d, the chain gives %dx%dx%d", dst->width,
                        dst->height, dst->channels, out.w, out.h, out.c);
    if (!workspace && 2 * buffer + scratch_bytes > 0)
        return cnn_fail(CNN_ERR_INVALID_ARG, "augment: no workspace");

    uint8_t *buf[2] = { workspace, (uint8_t *)workspace + buffer };
    void *scratch = (uint8_t *)workspace + 2 * buffer;
    int last = -1;
    for (int i = 0; i < chain->n_steps; i++)
        if (params->steps[i].applied)
            last = i;
    /* Steps run in the source type; another output type is converted to at
     * the end (convert_image_dtype's scales). */
    int convert = src->type != dst->type, k = 0;
    aug_image cur = frame_view(src), dst_view = frame_view(dst);
    for (int i = 0; i <= last; i++) {
        const aug_step *s = &chain->steps[i];
        if (!params->steps[i].applied)
            continue;
        aug_shape shape = { cur.w, cur.h, cur.c }, next = shape;
        if (s->kind->shape)
            s->kind->shape(s, shape, &next);
        aug_image o = i == last && !convert ? dst_view : buffer_view(buf[k++ & 1], next, is_float);
        cnn_rng_key key = aug_step_key(params->seed, params->frame_key, params->sample, i);
        s->kind->apply(ctx, s, params->steps[i].values, key, &cur, &o, scratch);
        cur = o;
    }
    if (last < 0 || convert)
        aug_copy(ctx, &cur, &dst_view);
    return CNN_OK;
}
