/* Pixel planes to float planes and back, luma, overlay. Rows are split over
 * the context's thread pool; each job reads one sample through the plane's
 * step and depth, so one loop serves every layout. */
#include <math.h>
#include <string.h>

#include "cnn/pixels.h"

unsigned cnn_pixel_max(int depth)
{
    return depth == 16 ? 65535u : 255u;
}

static inline unsigned sample_get(const uint8_t *p, int depth)
{
    if (depth == 16) {
        uint16_t v;
        memcpy(&v, p, sizeof v);
        return v;
    }
    return *p;
}

static inline void sample_set(uint8_t *p, int depth, unsigned v)
{
    if (depth == 16) {
        uint16_t s = (uint16_t)v;
        memcpy(p, &s, sizeof s);
    } else {
        *p = (uint8_t)v;
    }
}

static inline uint8_t *row_of(const cnn_pixel_plane *p, int y)
{
    return p->data + (ptrdiff_t)y * p->stride;
}

typedef enum pixel_op {
    OP_UNPACK,
    OP_PACK,
    OP_COPY,
    OP_FILL,
    OP_LUMA,
    OP_THRESHOLD,
    OP_OVERLAY,
} pixel_op;

typedef struct pixel_job {
    pixel_op op;
    const cnn_pixel_plane *src; /* unpack, copy, overlay mask; luma: 3 planes */
    const cnn_pixel_plane *dst; /* pack, copy, fill, luma, overlay */
    float *fdst;
    const float *fsrc;
    ptrdiff_t fstride;
    float scale, offset;
    cnn_pixel_output output;
    unsigned value, alpha;
    int mask_shift;
} pixel_job;

static void unpack_rows(const pixel_job *j, int y0, int y1)
{
    const cnn_pixel_plane *s = j->src;
    for (int y = y0; y < y1; y++) {
        const uint8_t *in = row_of(s, y);
        float *out = j->fdst + (ptrdiff_t)y * j->fstride;
        if (s->depth == 8 && s->step == 1) {
            for (int x = 0; x < s->width; x++)
                out[x] = (float)in[x] * j->scale;
        } else {
            for (int x = 0; x < s->width; x++)
                out[x] = (float)sample_get(in + (ptrdiff_t)x * s->step, s->depth) * j->scale;
        }
    }
}

static void pack_rows(const pixel_job *j, int y0, int y1)
{
    const cnn_pixel_plane *d = j->dst;
    float maxv = (float)cnn_pixel_max(d->depth);
    float mid = j->output == CNN_PIXEL_SIGNED ? (maxv + 1.0f) * 0.5f : 0.0f;
    for (int y = y0; y < y1; y++) {
        const float *in = j->fsrc + (ptrdiff_t)y * j->fstride;
        uint8_t *out = row_of(d, y);
        for (int x = 0; x < d->width; x++) {
            float v = in[x] * j->scale + j->offset;
            if (j->output == CNN_PIXEL_ABS)
                v = fabsf(v);
            v += mid;
            /* NaN fails both tests and lands on 0 */
            v = v > 0.0f ? (v < maxv ? v : maxv) : 0.0f;
            sample_set(out + (ptrdiff_t)x * d->step, d->depth, (unsigned)lrintf(v));
        }
    }
}

static void copy_rows(const pixel_job *j, int y0, int y1)
{
    const cnn_pixel_plane *s = j->src, *d = j->dst;
    int bytes = d->depth / 8;
    for (int y = y0; y < y1; y++) {
        const uint8_t *in = row_of(s, y);
        uint8_t *out = row_of(d, y);
        if (s->step == bytes && d->step == bytes) {
            memcpy(out, in, (size_t)d->width * bytes);
            continue;
        }
        for (int x = 0; x < d->width; x++)
            memcpy(out + (ptrdiff_t)x * d->step, in + (ptrdiff_t)x * s->step, bytes);
    }
}

static void fill_rows(const pixel_job *j, int y0, int y1)
{
    const cnn_pixel_plane *d = j->dst;
    for (int y = y0; y < y1; y++) {
        uint8_t *out = row_of(d, y);
        if (d->depth == 8 && d->step == 1) {
            memset(out, (int)j->value, (size_t)d->width);
            continue;
        }
        for (int x = 0; x < d->width; x++)
            sample_set(out + (ptrdiff_t)x * d->step, d->depth, j->value);
    }
}

/* cv2's fixed-point RGB2GRAY: weights 0.299, 0.587, 0.114 in 14 bits. */
enum { LUMA_SHIFT = 14, LUMA_R = 4899, LUMA_G = 9617, LUMA_B = 1868 };

uint8_t cnn_pixels_luma_of(uint8_t r, uint8_t g, uint8_t b)
{
    return (uint8_t)((r * LUMA_R + g * LUMA_G + b * LUMA_B + (1 << (LUMA_SHIFT - 1))) >>
                     LUMA_SHIFT);
}

static void luma_rows(const pixel_job *j, int y0, int y1)
{
    const cnn_pixel_plane *rgb = j->src, *d = j->dst;
    for (int y = y0; y < y1; y++) {
        const uint8_t *r = row_of(&rgb[0], y), *g = row_of(&rgb[1], y), *b = row_of(&rgb[2], y);
        uint8_t *out = row_of(d, y);
        int sr = rgb[0].step, sg = rgb[1].step, sb = rgb[2].step;
        for (int x = 0; x < d->width; x++)
            out[x] = cnn_pixels_luma_of(r[x * sr], g[x * sg], b[x * sb]);
    }
}

static void threshold_rows(const pixel_job *j, int y0, int y1)
{
    const cnn_pixel_plane *s = j->src, *d = j->dst;
    unsigned on = cnn_pixel_max(d->depth);
    for (int y = y0; y < y1; y++) {
        const uint8_t *in = row_of(s, y);
        uint8_t *out = row_of(d, y);
        for (int x = 0; x < d->width; x++)
            sample_set(out + (ptrdiff_t)x * d->step, d->depth,
                       in[(ptrdiff_t)x * s->step] >= j->value ? on : 0);
    }
}

/* Is any mask pixel of the block of dst sample (x, y) set? */
static int mask_block_set(const cnn_pixel_plane *m, int shift, int x, int y)
{
    int x0 = x << shift, y0 = y << shift;
    int x1 = x0 + (1 << shift), y1 = y0 + (1 << shift);
    if (x1 > m->width)
        x1 = m->width;
    if (y1 > m->height)
        y1 = m->height;
    for (int my = y0; my < y1; my++)
        for (int mx = x0; mx < x1; mx++)
            if (row_of(m, my)[(ptrdiff_t)mx * m->step])
                return 1;
    return 0;
}

static void overlay_rows(const pixel_job *j, int y0, int y1)
{
    const cnn_pixel_plane *m = j->src, *d = j->dst;
    unsigned a = j->alpha, keep = 255u - a;
    for (int y = y0; y < y1; y++) {
        uint8_t *out = row_of(d, y);
        for (int x = 0; x < d->width; x++) {
            if (!mask_block_set(m, j->mask_shift, x, y))
                continue;
            uint8_t *p = out + (ptrdiff_t)x * d->step;
            unsigned old = sample_get(p, d->depth);
            sample_set(p, d->depth, (j->value * a + old * keep + 127u) / 255u);
        }
    }
}

static void pixel_rows(void *arg, int ith, int nth)
{
    const pixel_job *j = arg;
    int y0, y1;
    cnn_split_range(j->dst ? j->dst->height : j->src->height, ith, nth, &y0, &y1);
    switch (j->op) {
    case OP_UNPACK: unpack_rows(j, y0, y1); break;
    case OP_PACK: pack_rows(j, y0, y1); break;
    case OP_COPY: copy_rows(j, y0, y1); break;
    case OP_FILL: fill_rows(j, y0, y1); break;
    case OP_LUMA: luma_rows(j, y0, y1); break;
    case OP_THRESHOLD: threshold_rows(j, y0, y1); break;
    case OP_OVERLAY: overlay_rows(j, y0, y1); break;
    }
}

static void run(cnn_context *ctx, pixel_job *j)
{
    cnn_threadpool_run(ctx ? cnn_context_pool(ctx) : NULL, pixel_rows, j, 0);
}

void cnn_pixels_unpack(cnn_context *ctx, const cnn_pixel_plane *src, float *dst,
                       ptrdiff_t dst_stride, float scale)
{
    pixel_job j = { .op = OP_UNPACK, .src = src, .fdst = dst, .fstride = dst_stride,
                    .scale = scale };
    run(ctx, &j);
}

void cnn_pixels_pack(cnn_context *ctx, const float *src, ptrdiff_t src_stride,
                     const cnn_pixel_plane *dst, float scale, float offset,
                     cnn_pixel_output output)
{
    pixel_job j = { .op = OP_PACK, .dst = dst, .fsrc = src, .fstride = src_stride,
                    .scale = scale, .offset = offset, .output = output };
    run(ctx, &j);
}

void cnn_pixels_copy(cnn_context *ctx, const cnn_pixel_plane *src, const cnn_pixel_plane *dst)
{
    pixel_job j = { .op = OP_COPY, .src = src, .dst = dst };
    run(ctx, &j);
}

void cnn_pixels_fill(cnn_context *ctx, const cnn_pixel_plane *dst, unsigned value)
{
    pixel_job j = { .op = OP_FILL, .dst = dst, .value = value };
    run(ctx, &j);
}

void cnn_pixels_luma(cnn_context *ctx, const cnn_pixel_plane rgb[3], const cnn_pixel_plane *dst)
{
    pixel_job j = { .op = OP_LUMA, .src = rgb, .dst = dst };
    run(ctx, &j);
}

void cnn_pixels_threshold(cnn_context *ctx, const cnn_pixel_plane *src,
                          const cnn_pixel_plane *dst, unsigned threshold)
{
    pixel_job j = { .op = OP_THRESHOLD, .src = src, .dst = dst, .value = threshold };
    run(ctx, &j);
}

void cnn_pixels_overlay(cnn_context *ctx, const cnn_pixel_plane *mask, int mask_shift,
                        const cnn_pixel_plane *dst, unsigned value, unsigned alpha)
{
    pixel_job j = { .op = OP_OVERLAY, .src = mask, .dst = dst, .mask_shift = mask_shift,
                    .value = value, .alpha = alpha > 255 ? 255 : alpha };
    run(ctx, &j);
}

static uint8_t clamp_u8(float v)
{
    return (uint8_t)lrintf(v < 0.0f ? 0.0f : v > 255.0f ? 255.0f : v);
}

void cnn_pixels_rgb_to_yuv601(uint8_t r, uint8_t g, uint8_t b, uint8_t yuv[3])
{
    /* Y' = 16 + 219 * E'y, Cb/Cr = 128 + 224 * E'(b|r) scaled (Rec. 601). */
    float y = 0.299f * r + 0.587f * g + 0.114f * b;
    yuv[0] = clamp_u8(16.0f + y * (219.0f / 255.0f));
    yuv[1] = clamp_u8(128.0f + (b - y) * (224.0f / 255.0f) / 1.772f);
    yuv[2] = clamp_u8(128.0f + (r - y) * (224.0f / 255.0f) / 1.402f);
}
