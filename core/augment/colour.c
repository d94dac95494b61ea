/* Colour transforms, following torchvision 0.14's functional_tensor.py:
 *  - blends (brightness, contrast, saturation) compute ratio * a +
 *    (1 - ratio) * b in float32, clamp, and truncate for 8-bit frames;
 *  - grayscale is 0.2989 R + 0.587 G + 0.114 B, truncated on 8-bit frames;
 *    contrast blends with the mean of that grayscale image;
 *  - gamma goes through [0, 1] and back with convert_image_dtype (x 255.999,
 *    truncated); hue goes through HSV and back with x 255, truncated.
 * Per-value operations on 8-bit frames run through a 256-entry table built
 * once per frame; float frames compute directly. Every operation here may run
 * in place (in == out), which color-jitter uses to chain them. */
#include <math.h>
#include <string.h>

#include "augment_internal.h"
#include "cnn/threadpool.h"
#include "kernels.h"

/* ---- per-value operations ---- */

typedef enum value_op {
    OP_RESCALE,    /* a * x + b */
    OP_BLEND,      /* a * x + b, b = float(1 - ratio) * other: torchvision's _blend */
    OP_GAMMA,      /* gain b * x^a on [0, 1] */
    OP_INVERT,
    OP_SOLARIZE,   /* a: threshold on the 8-bit scale */
    OP_POSTERIZE,  /* a: bits kept */
    OP_AUTOCONTRAST, /* (x - a) * b, clamped */
    OP_TABLE,      /* a table on the 8-bit grid (float frames: x rounded to it) */
} value_op;

/* One value on the frame's scale (0..255 values for 8-bit frames give the
 * table entries; the result is already rounded the torchvision way). */
static inline __attribute__((always_inline)) float value_apply(value_op op, float a, float b,
                                                                float x, int is_float)
{
    float bound = is_float ? 1.0f : 255.0f, v;
    switch (op) {
    case OP_RESCALE:
        v = a * x + b;
        return is_float ? v : (float)aug_round_u8(v);
    case OP_BLEND:
        v = a * x + b;
        if (is_float)
            return aug_clampf(v, 0.0f, bound);
        /* Truncating first then clamping as integers gives the same 0..255
         * and vectorises. */
        return (float)aug_clamp_u8((int)v);
    case OP_GAMMA:
        v = aug_clampf(b * powf(is_float ? x : x / 255.0f, a), 0.0f, 1.0f);
        return is_float ? v : aug_trunc_pos(v * 255.999f);
    case OP_INVERT:
        return bound - x;
    case OP_SOLARIZE:
        return x >= (is_float ? a / 255.0f : a) ? bound - x : x;
    case OP_AUTOCONTRAST:
        v = aug_clampf((x - a) * b, 0.0f, bound);
        return is_float ? v : aug_trunc_pos(v);
    default: { /* posterize: on the 8-bit grid for float frames */
        int mask = -(1 << (8 - (int)a));
        if (!is_float)
            return (float)((int)x & mask);
        return (float)((int)__builtin_nearbyintf(aug_clampf(x, 0.0f, 1.0f) * 255.0f) & mask) /
               255.0f;
    }
    }
}

typedef struct value_job {
    const aug_image *in, *out;
    value_op op;
    float a, b;
    uint8_t lut[256];
    cnn_blend_u8_fn blend; /* 8-bit OP_BLEND on contiguous rows */
} value_job;

/* The 8-bit grid index of a float value. */
static inline int grid_index(float x)
{
    return aug_round_u8(x * 255.0f);
}

static void value_rows(void *arg, int ith, int nth)
{
    const value_job *j = arg;
    const aug_image *in = j->in, *out = j->out;
    int y0, y1;
    cnn_split_range(out->h, ith, nth, &y0, &y1);
    for (int y = y0; y < y1; y++) {
        for (int c = 0; c < out->c; c++) {
            const uint8_t *s = aug_at(in, c, y, 0);
            uint8_t *d = aug_at(out, c, y, 0);
            if (!out->is_float && j->op == OP_BLEND && in->pix == 1 && out->pix == 1) {
                j->blend(s, d, out->w, j->a, j->b);
                continue;
            }
            if (!out->is_float) {
                for (int x = 0; x < out->w; x++)
                    d[x * out->pix] = j->lut[s[x * in->pix]];
                continue;
            }
            for (int x = 0; x < out->w; x++) {
                float v = aug_load(s + x * in->pix, 1);
                v = j->op == OP_TABLE ? (float)j->lut[grid_index(v)] / 255.0f
                                      : value_apply(j->op, j->a, j->b, v, 1);
                memcpy(d + x * out->pix, &v, 4);
            }
        }
    }
}

/* Run op on every element; table: OP_TABLE's 256 entries. */
static void value_run_table(cnn_context *ctx, value_op op, float a, float b,
                            const uint8_t *table, const aug_image *in, const aug_image *out)
{
    aug_image fi = *in, fo = *out;
    aug_flatten(&fi, &fo);
    value_job j = { &fi, &fo, op, a, b, { 0 },
                    ctx ? cnn_context_kernels(ctx)->blend_u8 : cnn_blend_u8_c };
    if (op == OP_TABLE)
        memcpy(j.lut, table, 256);
    else if (!out->is_float)
        for (int i = 0; i < 256; i++)
            j.lut[i] = (uint8_t)value_apply(op, a, b, (float)i, 0);
    aug_parallel(ctx, value_rows, &j);
}

static void value_run(cnn_context *ctx, value_op op, float a, float b, const aug_image *in,
                      const aug_image *out)
{
    value_run_table(ctx, op, a, b, NULL, in, out);
}

/* Channel c of an image as a one-channel image. */
static aug_image channel_view(const aug_image *im, int c)
{
    aug_image v = *im;
    v.data += c * im->plane;
    v.c = 1;
    return v;
}

/* ---- grayscale, and the mean contrast blends with ---- */

static inline float gray_of(float r, float g, float b, int is_float)
{
    float l = 0.2989f * r + 0.587f * g + 0.114f * b;
    return is_float ? l : aug_trunc_pos(l);
}

/* Sum of the grays of row y (of channel 0 when the image is not RGB). */
static inline __attribute__((always_inline)) double gray_row_sum(const aug_image *im, int y,
                                                                 int fl)
{
    const uint8_t *r = aug_at(im, 0, y, 0), *g = r + im->plane, *b = g + im->plane;
    ptrdiff_t p = im->pix;
    double sum = 0.0;
    if (im->c != 3) {
        for (int x = 0; x < im->w; x++)
            sum += aug_load(r + x * p, fl);
    } else if (!fl) { /* truncated grays are integers: an exact integer sum */
        int64_t isum = 0;
        for (int x = 0; x < im->w; x++)
            isum += (int)gray_of(r[x * p], g[x * p], b[x * p], 0);
        sum = (double)isum;
    } else {
        for (int x = 0; x < im->w; x++)
            sum += gray_of(aug_load(r + x * p, 1), aug_load(g + x * p, 1),
                           aug_load(b + x * p, 1), 1);
    }
    return sum;
}

/* Sum of the grays of row y of a packed 8-bit RGB image, through the
 * kernel in chunks of a stack buffer. */
static int64_t gray_row_sum_rgb_u8(const aug_image *im, int y, cnn_gray_rgb_u8_fn gray_rgb)
{
    uint8_t gray[256];
    const uint8_t *row = aug_at(im, 0, y, 0);
    int64_t sum = 0;
    for (int x0 = 0; x0 < im->w; x0 += 256) {
        int n = im->w - x0 < 256 ? im->w - x0 : 256;
        gray_rgb(row + 3 * x0, gray, n, 1);
        for (int i = 0; i < n; i++)
            sum += gray[i];
    }
    return sum;
}

/* Mean of the grayscale image (of the only channel when c == 1), summed
 * row by row in double so the result does not depend on threads. */
static float gray_mean(const aug_image *im, cnn_gray_rgb_u8_fn gray_rgb)
{
    double sum = 0.0;
    int packed_rgb = !im->is_float && im->c == 3 && im->pix == 3 && im->plane == 1;
    for (int y = 0; y < im->h; y++)
        sum += packed_rgb     ? (double)gray_row_sum_rgb_u8(im, y, gray_rgb)
               : im->is_float ? gray_row_sum(im, y, 1)
                              : gray_row_sum(im, y, 0);
    return (float)(sum / ((double)im->w * im->h));
}

/* ---- per-pixel operations on RGB: saturation, hue, grayscale ---- */

typedef enum pixel_op { OP_SATURATION, OP_HUE, OP_GRAYSCALE } pixel_op;

typedef struct pixel_job {
    const aug_image *in, *out;
    pixel_op op;
    float a;
    float complement; /* saturation: float(1 - ratio), rounded from double */
    cnn_gray_rgb_u8_fn gray_rgb;
    cnn_saturation_rgb_u8_fn saturation_rgb;
} pixel_job;

/* torchvision's _rgb2hsv, shift of the hue, _hsv2rgb; values in [0, 1]. */
static inline void hue_shift(float *rgb, float shift)
{
    float r = rgb[0], g = rgb[1], b = rgb[2];
    float maxc = r > g ? r : g, minc = r < g ? r : g;
    maxc = maxc > b ? maxc : b, minc = minc < b ? minc : b;
    int eqc = maxc == minc;
    float cr = maxc - minc;
    float s = cr / (eqc ? 1.0f : maxc);
    float crd = eqc ? 1.0f : cr;
    float rc = (maxc - r) / crd, gc = (maxc - g) / crd, bc = (maxc - b) / crd;
    float h = maxc == r ? bc - gc : maxc == g ? 2.0f + rc - bc : 4.0f + gc - rc;
    /* fmod(h / 6 + 1, 1) of a value in [5/6, 11/6): exact without libm. */
    h = h / 6.0f + 1.0f;
    h = h - (float)(int)h;
    h = h + shift;
    h = h - (float)aug_floor_int(h); /* Python's % 1.0 */
    float v = maxc, h6 = h * 6.0f;
    int fi = aug_floor_int(h6), i = fi >= 6 ? fi - 6 : fi; /* h6 in [0, 6] */
    float f = h6 - (float)fi;
    float p = aug_clampf(v * (1.0f - s), 0.0f, 1.0f);
    float q = aug_clampf(v * (1.0f - s * f), 0.0f, 1.0f);
    float t = aug_clampf(v * (1.0f - s * (1.0f - f)), 0.0f, 1.0f);
    /* _hsv2rgb's selection: r (v q p p t v), g (t v v q p p), b (p p t v v q). */
    rgb[0] = i == 0 || i == 5 ? v : i == 1 ? q : i == 4 ? t : p;
    rgb[1] = i == 1 || i == 2 ? v : i == 0 ? t : i == 3 ? q : p;
    rgb[2] = i == 3 || i == 4 ? v : i == 2 ? t : i == 5 ? q : p;
}

/* Store a value already on the 8-bit grid (truncated and clamped) as is. */
static inline void store_exact(uint8_t *p, int is_float, float v)
{
    if (is_float)
        memcpy(p, &v, 4);
    else
        *p = (uint8_t)(int)v;
}

/* Pixels per chunk: a row is processed in chunks of separate R, G, B
 * arrays so the arithmetic runs over contiguous floats and vectorises. */
#define PIXEL_CHUNK 64

/* One row; inlined with constant fl and op so each pair gets its own loop. */
static inline __attribute__((always_inline)) void pixel_row(const pixel_job *j, int y, int fl,
                                                            pixel_op op)
{
    const aug_image *in = j->in, *out = j->out;
    const uint8_t *src = aug_at(in, 0, y, 0);
    uint8_t *dst = aug_at(out, 0, y, 0);
    ptrdiff_t ip = in->pix, icp = in->plane, dp = out->pix, dc = out->plane;
    float rgb[3][PIXEL_CHUNK], gray[PIXEL_CHUNK];
    for (int x0 = 0; x0 < out->w; x0 += PIXEL_CHUNK) {
        int n = out->w - x0 < PIXEL_CHUNK ? out->w - x0 : PIXEL_CHUNK;
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < n; i++)
                rgb[c][i] = aug_load(src + (x0 + i) * ip + c * icp, fl);
        for (int i = 0; i < n; i++)
            gray[i] = gray_of(rgb[0][i], rgb[1][i], rgb[2][i], fl);
        if (op == OP_GRAYSCALE) {
            for (int c = 0; c < out->c; c++)
                for (int i = 0; i < n; i++)
                    store_exact(dst + (x0 + i) * dp + c * dc, fl, gray[i]);
            continue;
        }
        if (op == OP_SATURATION) {
            for (int c = 0; c < 3; c++)
                for (int i = 0; i < n; i++)
                    rgb[c][i] = value_apply(OP_BLEND, j->a, j->complement * gray[i], rgb[c][i],
                                            fl);
        } else {
            for (int i = 0; i < n; i++) {
                float px[3] = { rgb[0][i], rgb[1][i], rgb[2][i] };
                if (!fl)
                    for (int c = 0; c < 3; c++)
                        px[c] /= 255.0f;
                hue_shift(px, j->a);
                for (int c = 0; c < 3; c++)
                    rgb[c][i] = fl ? px[c] : aug_trunc_pos(px[c] * 255.0f);
            }
        }
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < n; i++)
                store_exact(dst + (x0 + i) * dp + c * dc, fl, rgb[c][i]);
    }
}

/* 8-bit grayscale of one row, inlined with the strides of planar images
 * as constants so the loop vectorises (packed RGB goes to the kernel). */
static inline __attribute__((always_inline)) void gray_row_u8(const uint8_t *src, uint8_t *dst,
                                                              int w, ptrdiff_t ip,
                                                              ptrdiff_t icp, ptrdiff_t dp,
                                                              ptrdiff_t dc, int oc)
{
    for (int x = 0; x < w; x++) {
        const uint8_t *px = src + x * ip;
        uint8_t l = (uint8_t)(int)gray_of(px[0], px[icp], px[2 * icp], 0);
        for (int c = 0; c < oc; c++)
            dst[x * dp + c * dc] = l;
    }
}

/* 1 when the row went through a constant-stride gray_row_u8. */
static int gray_row_fast(const pixel_job *j, int y)
{
    const aug_image *in = j->in, *out = j->out;
    const uint8_t *src = aug_at(in, 0, y, 0);
    uint8_t *dst = aug_at(out, 0, y, 0);
    if (in->is_float || in->c != 3)
        return 0;
    if (in->pix == 3 && in->plane == 1 && out->pix == out->c && (out->c == 1 || out->plane == 1))
        j->gray_rgb(src, dst, out->w, out->c);
    else if (in->pix == 1 && out->pix == 1 && out->c == 3)
        gray_row_u8(src, dst, out->w, 1, in->plane, 1, out->plane, 3);
    else if (in->pix == 1 && out->pix == 1 && out->c == 1)
        gray_row_u8(src, dst, out->w, 1, in->plane, 1, 0, 1);
    else
        return 0;
    return 1;
}

static void pixel_rows(void *arg, int ith, int nth)
{
    const pixel_job *j = arg;
    int y0, y1, fl = j->in->is_float;
    cnn_split_range(j->out->h, ith, nth, &y0, &y1);
    for (int y = y0; y < y1; y++) {
        switch (j->op) {
        case OP_SATURATION:
            if (!fl && j->in->pix == 3 && j->in->plane == 1 && j->out->pix == 3 &&
                j->out->plane == 1)
                j->saturation_rgb(aug_at(j->in, 0, y, 0), aug_at(j->out, 0, y, 0), j->out->w,
                                  j->a, j->complement);
            else
                fl ? pixel_row(j, y, 1, OP_SATURATION) : pixel_row(j, y, 0, OP_SATURATION);
            break;
        case OP_HUE: fl ? pixel_row(j, y, 1, OP_HUE) : pixel_row(j, y, 0, OP_HUE); break;
        default:
            if (!gray_row_fast(j, y))
                fl ? pixel_row(j, y, 1, OP_GRAYSCALE) : pixel_row(j, y, 0, OP_GRAYSCALE);
            break;
        }
    }
}

static void pixel_run(cnn_context *ctx, pixel_op op, double a, const aug_image *in,
                      const aug_image *out)
{
    const cnn_kernels *k = ctx ? cnn_context_kernels(ctx) : NULL;
    pixel_job j = { in, out, op, (float)a, (float)(1.0 - a),
                    k ? k->gray_rgb_u8 : cnn_gray_rgb_u8_c,
                    k ? k->saturation_rgb_u8 : cnn_saturation_rgb_u8_c };
    /* One channel: saturation and hue leave it as it is (like PIL). */
    if (in->c == 1 && op != OP_GRAYSCALE) {
        if (in->data != out->data)
            aug_copy(ctx, in, out);
        return;
    }
    aug_parallel(ctx, pixel_rows, &j);
}

/* 1 or 3 channels for the RGB operations. */
static cnn_status rgb_shape(const aug_step *s, aug_shape in, aug_shape *out)
{
    if (in.c != 1 && in.c != 3)
        return aug_fail(s, NULL, "needs 1 or 3 channels, not %d", in.c);
    *out = in;
    return CNN_OK;
}

/* ---- the colour adjustments shared by their own steps and color-jitter ---- */

enum { ADJ_BRIGHTNESS, ADJ_CONTRAST, ADJ_SATURATION, ADJ_HUE };

/* factor is the drawn double: torchvision rounds ratio and 1 - ratio to
 * float separately, and 1 - float(ratio) would move gray pixels a level. */
static void adjust(cnn_context *ctx, int which, double factor, const aug_image *in,
                   const aug_image *out)
{
    float complement = (float)(1.0 - factor);
    switch (which) {
    case ADJ_BRIGHTNESS: value_run(ctx, OP_BLEND, (float)factor, 0.0f, in, out); break;
    case ADJ_CONTRAST:
        value_run(ctx, OP_BLEND, (float)factor,
                  complement * gray_mean(in, ctx ? cnn_context_kernels(ctx)->gray_rgb_u8
                                                 : cnn_gray_rgb_u8_c),
                  in, out);
        break;
    case ADJ_SATURATION: pixel_run(ctx, OP_SATURATION, factor, in, out); break;
    default: pixel_run(ctx, OP_HUE, factor, in, out); break;
    }
}

/* brightness / contrast / saturation factor=f | lo,hi ; hue shift=s | lo,hi */
static void adjust_apply(cnn_context *ctx, const aug_step *s, const double *values,
                         cnn_rng_key key, const aug_image *in, const aug_image *out,
                         void *scratch)
{
    int which = s->kind == &aug_brightness ? ADJ_BRIGHTNESS
                : s->kind == &aug_contrast ? ADJ_CONTRAST
                : s->kind == &aug_saturation ? ADJ_SATURATION
                : ADJ_HUE;
    adjust(ctx, which, values[0], in, out);
}

#define FACTOR_SPEC { "factor", AUG_NUMBERS, 1, 2, 0, 1e3, 0, NULL, 0, { 0 } }

const aug_kind aug_brightness = { .name = "brightness", .default_p = 1.0,
                                  .params = { FACTOR_SPEC }, .finish = aug_range_finish,
                                  .draw = aug_range_draw, .apply = adjust_apply };
const aug_kind aug_contrast = { .name = "contrast", .default_p = 1.0, .params = { FACTOR_SPEC },
                                .finish = aug_range_finish, .shape = rgb_shape,
                                .draw = aug_range_draw, .apply = adjust_apply };
const aug_kind aug_saturation = { .name = "saturation", .default_p = 1.0,
                                  .params = { FACTOR_SPEC }, .finish = aug_range_finish,
                                  .shape = rgb_shape, .draw = aug_range_draw,
                                  .apply = adjust_apply };
const aug_kind aug_hue = {
    .name = "hue", .default_p = 1.0,
    .params = { { "shift", AUG_NUMBERS, 1, 2, -0.5, 0.5, 0, NULL, 0, { 0 } } },
    .finish = aug_range_finish, .shape = rgb_shape, .draw = aug_range_draw, .apply = adjust_apply,
};

/* color-jitter brightness=b contrast=c saturation=s hue=h: ColorJitter, the
 * four adjustments in a drawn order. Values: the four factors, then "order",
 * the adjustment indices as decimal digits (1302: contrast, hue, brightness,
 * saturation). Adjustments not given are not applied; one at least is. */
static cnn_status jitter_finish(aug_step *s)
{
    if (!s->given[0] && !s->given[1] && !s->given[2] && !s->given[3])
        return aug_fail(s, NULL, "give at least one of brightness, contrast, saturation, hue");
    cnn_status st = CNN_OK;
    for (int i = 0; i < 3 && st == CNN_OK; i++)
        st = aug_symmetric_range(s, i, 1.0, 0.0);
    if (st == CNN_OK)
        st = aug_symmetric_range(s, ADJ_HUE, 0.0, -0.5);
    if (st == CNN_OK && (s->v[ADJ_HUE][0] < -0.5 || s->v[ADJ_HUE][1] > 0.5))
        return aug_fail(s, "hue", "must stay within [-0.5, 0.5]");
    return st;
}

static cnn_status jitter_draw(const aug_step *s, aug_shape in, aug_draw *d)
{
    int order[4] = { 0, 1, 2, 3 };
    for (int i = 3; i > 0; i--) { /* Fisher-Yates */
        int k = aug_draw_int(d, 0, i), t = order[i];
        order[i] = order[k], order[k] = t;
    }
    for (int i = 0; i < 4; i++)
        aug_draw_value(d, s->kind->params[i].name, aug_draw_uniform(d, s->v[i][0], s->v[i][1]));
    aug_draw_value(d, "order", order[0] * 1000 + order[1] * 100 + order[2] * 10 + order[3]);
    return CNN_OK;
}

static void jitter_apply(cnn_context *ctx, const aug_step *s, const double *values,
                         cnn_rng_key key, const aug_image *in, const aug_image *out,
                         void *scratch)
{
    static const int pow10[4] = { 1000, 100, 10, 1 };
    const aug_image *src = in;
    for (int k = 0; k < 4; k++) {
        int which = (int)values[4] / pow10[k] % 10;
        if (!s->given[which])
            continue;
        adjust(ctx, which, values[which], src, out);
        src = out;
    }
}

#define JITTER_SPEC(name, dflt) { name, AUG_NUMBERS, 1, 2, -1e3, 1e3, 0, NULL, 1, { dflt } }

const aug_kind aug_color_jitter = {
    .name = "color-jitter", .default_p = 1.0,
    .params = { JITTER_SPEC("brightness", 0), JITTER_SPEC("contrast", 0),
                JITTER_SPEC("saturation", 0), JITTER_SPEC("hue", 0) },
    .finish = jitter_finish, .shape = rgb_shape, .draw = jitter_draw, .apply = jitter_apply,
};

/* ---- fixed per-value steps ---- */

/* rescale scale= offset=: x * scale + offset (1/255 and back for floats) */
static void rescale_apply(cnn_context *ctx, const aug_step *s, const double *values,
                          cnn_rng_key key, const aug_image *in, const aug_image *out,
                          void *scratch)
{
    value_run(ctx, OP_RESCALE, (float)s->v[0][0], (float)s->v[1][0], in, out);
}

const aug_kind aug_rescale = {
    .name = "rescale", .default_p = 1.0,
    .params = { { "scale", AUG_NUMBERS, 1, 1, -1e6, 1e6, 0, NULL, 1, { 1 } },
                { "offset", AUG_NUMBERS, 1, 1, -1e6, 1e6, 0, NULL, 1, { 0 } } },
    .apply = rescale_apply,
};

/* gamma gamma=g | lo,hi gain=1 */
static void gamma_apply(cnn_context *ctx, const aug_step *s, const double *values,
                        cnn_rng_key key, const aug_image *in, const aug_image *out,
                        void *scratch)
{
    value_run(ctx, OP_GAMMA, (float)values[0], (float)s->v[1][0], in, out);
}

const aug_kind aug_gamma = {
    .name = "gamma", .default_p = 1.0,
    .params = { { "gamma", AUG_NUMBERS, 1, 2, 0, 100, 0, NULL, 0, { 0 } },
                { "gain", AUG_NUMBERS, 1, 1, 0, 100, 0, NULL, 1, { 1 } } },
    .finish = aug_range_finish, .draw = aug_range_draw, .apply = gamma_apply,
};

/* grayscale channels=3 (or 1) */
static cnn_status grayscale_finish(aug_step *s)
{
    if (s->v[0][0] == 1 && s->p != 1.0)
        return aug_fail(s, "p", "must be 1 with channels=1: the step changes the channels");
    return CNN_OK;
}

static cnn_status grayscale_shape(const aug_step *s, aug_shape in, aug_shape *out)
{
    if (in.c != 3)
        return aug_fail(s, NULL, "needs 3 channels, not %d", in.c);
    *out = (aug_shape){ in.w, in.h, (int)s->v[0][0] };
    return CNN_OK;
}

static void grayscale_apply(cnn_context *ctx, const aug_step *s, const double *values,
                            cnn_rng_key key, const aug_image *in, const aug_image *out,
                            void *scratch)
{
    pixel_run(ctx, OP_GRAYSCALE, 0.0f, in, out);
}

const aug_kind aug_grayscale = {
    .name = "grayscale", .default_p = 1.0,
    .params = { { "channels", AUG_NUMBERS, 1, 1, 1, 3, 1, NULL, 1, { 3 } } },
    .finish = grayscale_finish, .shape = grayscale_shape, .apply = grayscale_apply,
};

static void invert_apply(cnn_context *ctx, const aug_step *s, const double *values,
                         cnn_rng_key key, const aug_image *in, const aug_image *out,
                         void *scratch)
{
    value_run(ctx, OP_INVERT, 0.0f, 0.0f, in, out);
}

const aug_kind aug_invert = { .name = "invert", .default_p = 1.0, .apply = invert_apply };

/* solarize threshold=128 (8-bit scale) */
static void solarize_apply(cnn_context *ctx, const aug_step *s, const double *values,
                           cnn_rng_key key, const aug_image *in, const aug_image *out,
                           void *scratch)
{
    value_run(ctx, OP_SOLARIZE, (float)s->v[0][0], 0.0f, in, out);
}

const aug_kind aug_solarize = {
    .name = "solarize", .default_p = 1.0,
    .params = { { "threshold", AUG_NUMBERS, 1, 1, 0, 256, 0, NULL, 1, { 128 } } },
    .apply = solarize_apply,
};

/* posterize bits=4 */
static void posterize_apply(cnn_context *ctx, const aug_step *s, const double *values,
                            cnn_rng_key key, const aug_image *in, const aug_image *out,
                            void *scratch)
{
    value_run(ctx, OP_POSTERIZE, (float)s->v[0][0], 0.0f, in, out);
}

const aug_kind aug_posterize = {
    .name = "posterize", .default_p = 1.0,
    .params = { { "bits", AUG_NUMBERS, 1, 1, 0, 8, 1, NULL, 1, { 4 } } },
    .apply = posterize_apply,
};

/* ---- per-channel statistics: autocontrast, equalize; channel-shuffle ---- */

/* autocontrast: each channel stretched from its min..max to the full range. */
static void autocontrast_apply(cnn_context *ctx, const aug_step *s, const double *values,
                               cnn_rng_key key, const aug_image *in, const aug_image *out,
                               void *scratch)
{
    float bound = in->is_float ? 1.0f : 255.0f;
    for (int c = 0; c < in->c; c++) {
        aug_image ci = channel_view(in, c), co = channel_view(out, c);
        float lo = INFINITY, hi = -INFINITY;
        for (int y = 0; y < in->h; y++)
            for (int x = 0; x < in->w; x++) {
                float v = aug_load(aug_at(&ci, 0, y, x), in->is_float);
                lo = v < lo ? v : lo;
                hi = v > hi ? v : hi;
            }
        /* torchvision: a flat channel keeps min 0 and scale 1. */
        float scale = hi == lo ? 1.0f : bound / (hi - lo);
        value_run(ctx, OP_AUTOCONTRAST, hi == lo ? 0.0f : lo, scale, &ci, &co);
    }
}

const aug_kind aug_autocontrast = { .name = "autocontrast", .default_p = 1.0,
                                    .apply = autocontrast_apply };

/* equalize: torchvision's _scale_channel on the 8-bit grid, per channel. */
static void equalize_apply(cnn_context *ctx, const aug_step *s, const double *values,
                           cnn_rng_key key, const aug_image *in, const aug_image *out,
                           void *scratch)
{
    for (int c = 0; c < in->c; c++) {
        aug_image ci = channel_view(in, c), co = channel_view(out, c);
        int64_t hist[256] = { 0 };
        for (int y = 0; y < in->h; y++)
            for (int x = 0; x < in->w; x++) {
                const uint8_t *p = aug_at(&ci, 0, y, x);
                hist[in->is_float ? grid_index(aug_load(p, 1)) : *p]++;
            }
        /* step: pixels outside the last non-empty bin, over 255. */
        int last = 255;
        while (last > 0 && !hist[last])
            last--;
        int64_t total = 0;
        for (int i = 0; i < last; i++)
            total += hist[i];
        int64_t step = total / 255;
        uint8_t lut[256];
        int64_t cum = 0;
        for (int i = 0; i < 256; i++) {
            int64_t v = step ? (cum + step / 2) / step : i;
            lut[i] = (uint8_t)(v > 255 ? 255 : v);
            cum += hist[i];
        }
        value_run_table(ctx, OP_TABLE, 0, 0, lut, &ci, &co);
    }
}

const aug_kind aug_equalize = { .name = "equalize", .default_p = 1.0, .apply = equalize_apply };

/* channel-shuffle: a drawn permutation; value "order", the source channel
 * of each output channel as decimal digits (201: R<-B, G<-R, B<-G). */
static cnn_status shuffle_shape(const aug_step *s, aug_shape in, aug_shape *out)
{
    if (in.c > 9)
        return aug_fail(s, NULL, "takes up to 9 channels, not %d", in.c);
    *out = in;
    return CNN_OK;
}

static cnn_status shuffle_draw(const aug_step *s, aug_shape in, aug_draw *d)
{
    int order[9];
    for (int i = 0; i < in.c; i++)
        order[i] = i;
    for (int i = in.c - 1; i > 0; i--) { /* Fisher-Yates */
        int k = aug_draw_int(d, 0, i), t = order[i];
        order[i] = order[k], order[k] = t;
    }
    double code = 0;
    for (int i = 0; i < in.c; i++)
        code = code * 10 + order[i];
    aug_draw_value(d, "order", code);
    return CNN_OK;
}

static void shuffle_apply(cnn_context *ctx, const aug_step *s, const double *values,
                          cnn_rng_key key, const aug_image *in, const aug_image *out,
                          void *scratch)
{
    int64_t code = (int64_t)values[0];
    for (int c = in->c - 1; c >= 0; c--, code /= 10) {
        aug_image ci = channel_view(in, (int)(code % 10)), co = channel_view(out, c);
        aug_copy(ctx, &ci, &co);
    }
}

const aug_kind aug_channel_shuffle = { .name = "channel-shuffle", .default_p = 1.0,
                                       .shape = shuffle_shape, .draw = shuffle_draw,
                                       .apply = shuffle_apply };
