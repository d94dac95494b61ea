/* Pixel planes to float planes and back, luma, overlay. Rows are split over
 * the context's thread pool; each job reads one sample through the plane's
 * step and depth, so one loop serves every layout. */
#include <math.h>
#include <string.h>

#include "cnn/pixels.h"
#include "kernels.h"
#include "pixels_internal.h"

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
    OP_SPREAD,
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
    int n_planes; /* spread: dst planes */
    const cnn_kernels *kernels; /* row kernels of the context; NULL: C */
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
        if (s->step == bytes && d->step == bytes)
            memcpy(out, in, (size_t)d->width * bytes);
        else if (bytes == 1)
            for (int x = 0; x < d->width; x++)
                out[(ptrdiff_t)x * d->step] = in[(ptrdiff_t)x * s->step];
        else
            for (int x = 0; x < d->width; x++)
                sample_set(out + (ptrdiff_t)x * d->step, 16,
                           sample_get(in + (ptrdiff_t)x * s->step, 16));
    }
}

int cnn_pixels_packed_layout(const cnn_pixel_plane p[3], uint8_t **first, int off[3])
{
    int step = p[0].step;
    if (p[0].depth != 8 || (step != 3 && step != 4))
        return 0;
    uint8_t *lo = p[0].data;
    for (int k = 1; k < 3; k++) {
        if (p[k].step != step || p[k].stride != p[0].stride || p[k].depth != 8)
            return 0;
        lo = p[k].data < lo ? p[k].data : lo;
    }
    for (int k = 0; k < 3; k++) {
        off[k] = (int)(p[k].data - lo);
        if (off[k] >= step)
            return 0;
    }
    if (off[0] == off[1] || off[1] == off[2] || off[0] == off[2])
        return 0;
    *first = lo;
    return 1;
}

void cnn_pixels_spread_row_c(const uint8_t *gray, uint8_t *px, int width, int step, int keep)
{
    int x = 0;
    if (step == 3) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        /* four pixels as three 32-bit stores (aaab bbcc cddd) */
        for (; x + 4 <= width; x += 4, px += 12) {
            uint32_t a = gray[x], b = gray[x + 1], c = gray[x + 2], d = gray[x + 3];
            uint32_t w[3] = { a * 0x010101u | b << 24, b * 0x0101u | c * 0x01010000u,
                              c | d * 0x01010100u };
            memcpy(px, w, sizeof w);
        }
#endif
        for (; x < width; x++, px += 3)
            px[0] = px[1] = px[2] = gray[x];
        return;
    }
    for (; x < width; x++, px += 4)
        for (int c = 0; c < 4; c++)
            if (c != keep)
                px[c] = gray[x];
}

static void spread_rows(const pixel_job *j, int y0, int y1)
{
    const cnn_pixel_plane *s = j->src, *d = j->dst;
    uint8_t *first;
    int off[3];
    if (j->n_planes == 3 && cnn_pixels_packed_layout(d, &first, off)) {
        cnn_pixels_spread_row_fn row = j->kernels ? j->kernels->pixels_spread_row
                                                  : cnn_pixels_spread_row_c;
        int keep = d[0].step == 4 ? 6 - off[0] - off[1] - off[2] : -1;
        for (int y = y0; y < y1; y++)
            row(row_of(s, y), first + (ptrdiff_t)y * d[0].stride, s->width, d[0].step, keep);
        return;
    }
    for (int y = y0; y < y1; y++) {
        const uint8_t *in = row_of(s, y);
        for (int k = 0; k < j->n_planes; k++) {
            uint8_t *out = row_of(&d[k], y);
            for (int x = 0; x < s->width; x++)
                out[(ptrdiff_t)x * d[k].step] = in[x];
        }
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

static inline uint8_t luma_601(unsigned r, unsigned g, unsigned b)
{
    return (uint8_t)((r * LUMA_R + g * LUMA_G + b * LUMA_B + (1u << (LUMA_SHIFT - 1))) >>
                     LUMA_SHIFT);
}

uint8_t cnn_pixels_luma_of(uint8_t r, uint8_t g, uint8_t b)
{
    return luma_601(r, g, b);
}

/* Inlined with a constant step (3 or 4) for unrolled code. */
static inline void luma_row(const uint8_t *px, uint8_t *luma, int width, int step, int r, int g,
                            int b)
{
    for (int x = 0; x < width; x++, px += step)
        luma[x] = luma_601(px[r], px[g], px[b]);
}

void cnn_pixels_luma_row_c(const uint8_t *px, uint8_t *luma, int width, int step, int r, int g,
                           int b)
{
    if (step == 3)
        luma_row(px, luma, width, 3, r, g, b);
    else
        luma_row(px, luma, width, 4, r, g, b);
}

static void luma_rows(const pixel_job *j, int y0, int y1)
{
    const cnn_pixel_plane *rgb = j->src, *d = j->dst;
    uint8_t *first;
    int off[3];
    if (cnn_pixels_packed_layout(rgb, &first, off)) {
        cnn_pixels_luma_row_fn row = j->kernels ? j->kernels->pixels_luma_row
                                                : cnn_pixels_luma_row_c;
        for (int y = y0; y < y1; y++)
            row(first + (ptrdiff_t)y * rgb[0].stride, row_of(d, y), d->width, rgb[0].step,
                off[0], off[1], off[2]);
        return;
    }
    for (int y = y0; y < y1; y++) {
        const uint8_t *r = row_of(&rgb[0], y), *g = row_of(&rgb[1], y), *b = row_of(&rgb[2], y);
        uint8_t *out = row_of(d, y);
        for (int x = 0; x < d->width; x++)
            out[x] = luma_601(r[x * rgb[0].step], g[x * rgb[1].step], b[x * rgb[2].step]);
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
    case OP_SPREAD: spread_rows(j, y0, y1); break;
    case OP_FILL: fill_rows(j, y0, y1); break;
    case OP_LUMA: luma_rows(j, y0, y1); break;
    case OP_THRESHOLD: threshold_rows(j, y0, y1); break;
    case OP_OVERLAY: overlay_rows(j, y0, y1); break;
    }
}

static void run(cnn_context *ctx, pixel_job *j)
{
    j->kernels = ctx ? cnn_context_kernels(ctx) : NULL;
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

void cnn_pixels_spread(cnn_context *ctx, const cnn_pixel_plane *src, const cnn_pixel_plane *dst,
                       int n_dst)
{
    pixel_job j = { .op = OP_SPREAD, .src = src, .dst = dst, .n_planes = n_dst };
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

void cnn_pixels_init_kernels(cnn_kernels *k, unsigned cpu_flags)
{
    (void)cpu_flags;
    k->pixels_luma_row = cnn_pixels_luma_row_c;
    k->pixels_spread_row = cnn_pixels_spread_row_c;
#if CNN_HAVE_X86
    cnn_pixels_init_x86(k, cpu_flags);
#endif
}
