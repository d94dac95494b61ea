/* Resizing, following torch.nn.functional.interpolate as torchvision 0.14's
 * resize calls it on tensors (align_corners=False, antialias=False): bilinear,
 * bicubic (A = -0.75) and area in float, rounded half to even for 8-bit
 * frames like torchvision's _cast_squeeze_out; nearest through geometry.c's
 * remap. Separable: input rows are interpolated horizontally once and kept
 * while output rows need them, or, downscaling rows of contiguous elements,
 * blended vertically first; bilinear shrinking of packed 8-bit RGB goes
 * through the warps' fixed-point line kernel instead. resized-crop is a
 * resize of a drawn box. */
#include <math.h>
#include <string.h>

#include "augment_internal.h"
#include "cnn/threadpool.h"
#include "kernels.h"

enum { INTERP_NEAREST, INTERP_BILINEAR, INTERP_BICUBIC, INTERP_AREA };
static const char *const resize_interps[] = { "nearest", "bilinear", "bicubic", "area", NULL };

/* Resampling tables along one axis, taps per output index interleaved:
 * idx[taps * i + k] (input index) and wt[taps * i + k]. */

/* torch's linear interpolation (align_corners=False): two taps. */
static void linear_tables(int n_out, int n_in, int32_t *idx, float *wt)
{
    float scale = (float)n_in / (float)n_out;
    for (int i = 0; i < n_out; i++) {
        if (n_out == n_in) {
            idx[2 * i] = idx[2 * i + 1] = i, wt[2 * i] = 1.0f, wt[2 * i + 1] = 0.0f;
            continue;
        }
        float src = scale * ((float)i + 0.5f) - 0.5f;
        if (src < 0.0f)
            src = 0.0f;
        int k = (int)src;
        float lambda = src - (float)k;
        lambda = lambda < 0.0f ? 0.0f : lambda > 1.0f ? 1.0f : lambda;
        idx[2 * i] = k, idx[2 * i + 1] = k + (k < n_in - 1);
        wt[2 * i] = 1.0f - lambda, wt[2 * i + 1] = lambda;
    }
}

/* torch's bicubic: four clamped taps, cubic convolution with A = -0.75. */
static void cubic_tables(int n_out, int n_in, int32_t *idx, float *wt)
{
    const float a = -0.75f;
    float scale = (float)n_in / (float)n_out;
    for (int i = 0; i < n_out; i++) {
        float src = scale * ((float)i + 0.5f) - 0.5f;
        int k = (int)floorf(src);
        if (k > n_in - 1)
            k = n_in - 1;
        float t = src - (float)k;
        t = t < 0.0f ? 0.0f : t > 1.0f ? 1.0f : t;
        float x1 = t + 1.0f, x2 = 1.0f - t, x3 = 2.0f - t;
        wt[4 * i + 0] = ((a * x1 - 5.0f * a) * x1 + 8.0f * a) * x1 - 4.0f * a;
        wt[4 * i + 1] = ((a + 2.0f) * t - (a + 3.0f)) * t * t + 1.0f;
        wt[4 * i + 2] = ((a + 2.0f) * x2 - (a + 3.0f)) * x2 * x2 + 1.0f;
        wt[4 * i + 3] = ((a * x3 - 5.0f * a) * x3 + 8.0f * a) * x3 - 4.0f * a;
        for (int j = 0; j < 4; j++) {
            int m = k - 1 + j;
            idx[4 * i + j] = m < 0 ? 0 : m > n_in - 1 ? n_in - 1 : m;
        }
    }
}

/* Adaptive average pooling windows [start, end) (torch's start/end_index). */
static void area_tables(int n_out, int n_in, int32_t *idx)
{
    for (int i = 0; i < n_out; i++) {
        idx[2 * i] = (int)floorf((float)((int64_t)i * n_in) / (float)n_out);
        idx[2 * i + 1] = (int)ceilf((float)((int64_t)(i + 1) * n_in) / (float)n_out);
    }
}

typedef struct resize_job {
    const aug_image *in, *out;
    int interp, taps;
    /* Downscaling rows of contiguous elements: blend the input rows first
     * (contiguous, vectorised), then sample that one row; x tables then
     * hold element indices instead of byte offsets. */
    int vertical_first;
    const int32_t *xi, *yi; /* x: byte offsets into a row; y: row indices */
    const float *xw, *yw;
    float *rows;       /* per thread: row_floats floats */
    size_t row_floats; /* taps rows of out->w, or one input row when vertical_first */
    cnn_resample2_row_u8_fn resample2; /* 8-bit, two taps, contiguous output */
} resize_job;

/* Interpolate one input row horizontally: dst[x] = sum_k src[xi] * xw, in
 * torch's order. Inlined with constant taps and fl for tight loops. */
static inline __attribute__((always_inline)) void
resize_hrow(const resize_job *j, const uint8_t *row, float *dst, int taps, int fl)
{
    const int32_t *xi = j->xi;
    const float *xw = j->xw;
    for (int x = 0; x < j->out->w; x++, xi += taps, xw += taps) {
        float v = aug_load(row + xi[0], fl) * xw[0] + aug_load(row + xi[1], fl) * xw[1];
        if (taps == 4)
            v = v + aug_load(row + xi[2], fl) * xw[2] + aug_load(row + xi[3], fl) * xw[3];
        dst[x] = v;
    }
}

/* Combine the taps rows vertically into an output row. */
static inline __attribute__((always_inline)) void
resize_vrow(float *const *r, const float *yw, uint8_t *d, ptrdiff_t op, int w, int taps, int fl)
{
    for (int x = 0; x < w; x++) {
        float v = r[0][x] * yw[0] + r[1][x] * yw[1];
        if (taps == 4)
            v = v + r[2][x] * yw[2] + r[3][x] * yw[3];
        aug_store_small(d + x * op, fl, v);
    }
}

/* Separable resampling of rows [y0, y1) of one channel; each input row is
 * interpolated horizontally once and kept while output rows need it. */
static inline __attribute__((always_inline)) void
resize_channel(const resize_job *j, int c, int y0, int y1, float *rows, int taps, int fl)
{
    const aug_image *in = j->in, *out = j->out;
    int tag[4] = { -1, -1, -1, -1 };
    for (int y = y0; y < y1; y++) {
        const int32_t *need = j->yi + taps * y;
        float *r[4];
        for (int k = 0; k < taps; k++) {
            int slot = 0;
            while (slot < taps && tag[slot] != need[k])
                slot++;
            if (slot == taps) { /* a slot no tap of this row needs */
                for (slot = 0; slot < taps; slot++) {
                    int used = 0;
                    for (int m = 0; m < taps; m++)
                        used |= tag[slot] == need[m];
                    if (!used)
                        break;
                }
                resize_hrow(j, aug_at(in, c, need[k], 0), rows + (size_t)slot * out->w, taps,
                            fl);
                tag[slot] = need[k];
            }
            r[k] = rows + (size_t)slot * out->w;
        }
        uint8_t *d = aug_at(out, c, y, 0);
        if (out->pix == (fl ? 4 : 1)) /* contiguous: a constant step vectorises */
            resize_vrow(r, j->yw + taps * y, d, fl ? 4 : 1, out->w, taps, fl);
        else
            resize_vrow(r, j->yw + taps * y, d, out->pix, out->w, taps, fl);
    }
}

/* The vertical-first order for rows [y0, y1): the taps input rows blended
 * into one float row, then sampled horizontally. */
static inline __attribute__((always_inline)) void
resize_channel_vertical_first(const resize_job *j, int c, int y0, int y1, float *row, int taps,
                              int fl)
{
    const aug_image *in = j->in, *out = j->out;
    ptrdiff_t es = fl ? 4 : 1;
    for (int y = y0; y < y1; y++) {
        const int32_t *need = j->yi + taps * y;
        const float *yw = j->yw + taps * y;
        const uint8_t *r0 = aug_at(in, c, need[0], 0), *r1 = aug_at(in, c, need[1], 0);
        const uint8_t *r2 = aug_at(in, c, need[taps - 2], 0);
        const uint8_t *r3 = aug_at(in, c, need[taps - 1], 0);
        for (int x = 0; x < in->w; x++) {
            float v = aug_load(r0 + x * es, fl) * yw[0] + aug_load(r1 + x * es, fl) * yw[1];
            if (taps == 4)
                v = v + aug_load(r2 + x * es, fl) * yw[2] + aug_load(r3 + x * es, fl) * yw[3];
            row[x] = v;
        }
        const int32_t *xi = j->xi;
        const float *xw = j->xw;
        uint8_t *d = aug_at(out, c, y, 0);
        if (!fl && taps == 2 && out->pix == 1) {
            j->resample2(row, xi, xw, d, out->w);
            continue;
        }
        for (int x = 0; x < out->w; x++, xi += taps, xw += taps) {
            float v = row[xi[0]] * xw[0] + row[xi[1]] * xw[1];
            if (taps == 4)
                v = v + row[xi[2]] * xw[2] + row[xi[3]] * xw[3];
            aug_store_small(d + x * out->pix, fl, v);
        }
    }
}

static void area_channel(const resize_job *j, int c, int y0, int y1)
{
    const aug_image *in = j->in, *out = j->out;
    int fl = in->is_float;
    for (int y = y0; y < y1; y++) {
        int ys = j->yi[2 * y], ye = j->yi[2 * y + 1];
        uint8_t *d = aug_at(out, c, y, 0);
        for (int x = 0; x < out->w; x++) {
            int xs = j->xi[2 * x], xe = j->xi[2 * x + 1];
            float sum = 0.0f;
            for (int yy = ys; yy < ye; yy++) {
                const uint8_t *row = aug_at(in, c, yy, 0);
                for (int xx = xs; xx < xe; xx++)
                    sum += aug_load(row + xx * in->pix, fl);
            }
            aug_store(d + x * out->pix, fl, sum / (float)(ye - ys) / (float)(xe - xs));
        }
    }
}

static void resize_rows(void *arg, int ith, int nth)
{
    const resize_job *j = arg;
    float *rows = j->rows + (size_t)ith * j->row_floats;
    int y0, y1, fl = j->in->is_float;
    cnn_split_range(j->out->h, ith, nth, &y0, &y1);
    for (int c = 0; c < j->out->c; c++) {
        if (j->interp == INTERP_AREA)
            area_channel(j, c, y0, y1);
        else if (j->vertical_first && j->taps == 2)
            fl ? resize_channel_vertical_first(j, c, y0, y1, rows, 2, 1)
               : resize_channel_vertical_first(j, c, y0, y1, rows, 2, 0);
        else if (j->vertical_first)
            fl ? resize_channel_vertical_first(j, c, y0, y1, rows, 4, 1)
               : resize_channel_vertical_first(j, c, y0, y1, rows, 4, 0);
        else if (j->taps == 2 && fl)
            resize_channel(j, c, y0, y1, rows, 2, 1);
        else if (j->taps == 2)
            resize_channel(j, c, y0, y1, rows, 2, 0);
        else if (fl)
            resize_channel(j, c, y0, y1, rows, 4, 1);
        else
            resize_channel(j, c, y0, y1, rows, 4, 0);
    }
}

/* Floats of one thread's rows: taps output rows, or one input row. */
static size_t resize_row_floats(int taps, aug_shape in, aug_shape out)
{
    size_t rows = (size_t)taps * out.w * out.c, input = (size_t)in.w * in.c;
    return rows > input ? rows : input;
}

static size_t resize_scratch_bytes(int interp, aug_shape in, aug_shape out, int n_threads)
{
    size_t row = (size_t)out.w * out.c;
    if (interp == INTERP_NEAREST)
        return sizeof(ptrdiff_t) * (row + (size_t)out.h);
    size_t taps = interp == INTERP_BICUBIC ? 4 : 2;
    return taps * (sizeof(int32_t) + sizeof(float)) * (row + (size_t)out.h) +
           sizeof(float) * resize_row_floats((int)taps, in, out) * (size_t)n_threads;
}

/* Bilinear shrinking of packed 8-bit RGB in both directions: every output
 * pixel's four taps are inside, so each row is a line of the warps'
 * fixed-point kernel (ix = sx (x + 0.5) - 0.5, iy constant), within a grey
 * level of torch (see warp.c). */
typedef struct shrink_job {
    const aug_image *in, *out;
    double sx, sy;
    cnn_warp_bilinear_rgb_u8_fn bilinear_rgb;
} shrink_job;

static double shrink_row_y(const shrink_job *j, int y)
{
    return j->sy * ((double)y + 0.5) - 0.5;
}

static void shrink_rows(void *arg, int ith, int nth)
{
    const shrink_job *j = arg;
    int y0, y1;
    cnn_split_range(j->out->h, ith, nth, &y0, &y1);
    for (int y = y0; y < y1; y++)
        j->bilinear_rgb(j->in->data, j->in->row, 0.5 * j->sx - 0.5, j->sx, shrink_row_y(j, y),
                        0.0, 0, aug_at(j->out, 0, y, 0), j->out->w);
}

/* Shrink through the kernel when the box and output are packed 8-bit RGB
 * and the last samples (as the kernel rounds them) have both taps inside;
 * 0 when not applicable. */
static int shrink_rgb(cnn_context *ctx, const aug_image *box, const aug_image *out)
{
    if (box->is_float || out->c != 3 || box->pix != 3 || box->plane != 1 || out->pix != 3 ||
        out->plane != 1 || box->w <= out->w || box->h <= out->h)
        return 0;
    shrink_job j = { box, out, (double)box->w / out->w, (double)box->h / out->h, NULL };
    float last_x = (float)(j.sx * (out->w - 1) + (0.5 * j.sx - 0.5));
    float last_y = (float)shrink_row_y(&j, out->h - 1);
    if (!(last_x < (float)(box->w - 1) && last_y < (float)(box->h - 1)))
        return 0;
    j.bilinear_rgb = aug_bilinear_rgb_kernel(ctx, box);
    aug_parallel(ctx, shrink_rows, &j);
    return 1;
}

/* Resize the box (bx, by, bw, bh), inside the input, to the output size. */
static void resize_box(cnn_context *ctx, int interp, const aug_image *in, const aug_image *out,
                       int bx, int by, int bw, int bh, void *scratch)
{
    static const float no_fill[CNN_AUGMENT_MAX_CHANNELS];
    if (interp == INTERP_NEAREST) {
        aug_box_remap(ctx, in, out, bx, by, bw, bh, no_fill, scratch);
        return;
    }
    aug_image box = *in, fo = *out;
    box.data = aug_at(in, 0, by, bx);
    box.w = bw, box.h = bh;
    if (interp == INTERP_BILINEAR && shrink_rgb(ctx, &box, out))
        return;
    int taps = interp == INTERP_BICUBIC ? 4 : 2, c = out->c, ow = out->w;
    size_t row = (size_t)ow * c;
    ptrdiff_t es = in->is_float ? 4 : 1;
    int32_t *xi = scratch, *yi = xi + taps * row;
    float *xw = (float *)(yi + taps * out->h), *yw = xw + taps * row;
    if (interp == INTERP_AREA) {
        area_tables(ow, bw, xi);
        area_tables(out->h, bh, yi);
    } else {
        void (*tables)(int, int, int32_t *, float *) =
            interp == INTERP_BICUBIC ? cubic_tables : linear_tables;
        tables(ow, bw, xi, xw);
        tables(out->h, bh, yi, yw);
        ptrdiff_t pix = in->pix;
        if (aug_flatten(&box, &fo)) {
            /* Per element: expand in place from the end. */
            for (int x = ow - 1; x >= 0; x--)
                for (int ch = c - 1; ch >= 0; ch--)
                    for (int k = taps - 1; k >= 0; k--) {
                        xw[(x * c + ch) * taps + k] = xw[x * taps + k];
                        xi[(x * c + ch) * taps + k] = (int32_t)(xi[x * taps + k] * pix + ch * es);
                    }
        } else {
            for (int x = 0; x < taps * ow; x++)
                xi[x] *= (int32_t)pix;
        }
    }
    int vertical_first = interp != INTERP_AREA && bh > out->h && box.pix == es;
    if (vertical_first)
        for (size_t x = 0; x < taps * row; x++)
            xi[x] /= (int32_t)es;
    resize_job j = { &box, &fo, interp, taps, vertical_first, xi, yi, xw, yw,
                     yw + taps * out->h,
                     resize_row_floats(taps, (aug_shape){ in->w, in->h, in->c },
                                       (aug_shape){ out->w, out->h, out->c }),
                     ctx ? cnn_context_kernels(ctx)->resample2_row_u8 : cnn_resample2_row_u8_c };
    aug_parallel(ctx, resize_rows, &j);
}

/* resize size=W[,H] interp= fit= fill=. fit=stretch resizes to W x H;
 * letterbox keeps the aspect ratio inside W x H and fills the bands;
 * shorter makes the shorter side size=S, keeping the aspect ratio
 * (torchvision's resize with one int). */
enum { RESIZE_SIZE, RESIZE_INTERP, RESIZE_FIT, RESIZE_FILL };
enum { FIT_STRETCH, FIT_LETTERBOX, FIT_SHORTER };
static const char *const fits[] = { "stretch", "letterbox", "shorter", NULL };

static cnn_status resize_finish(aug_step *s)
{
    if ((int)s->v[RESIZE_FIT][0] == FIT_SHORTER && s->count[RESIZE_SIZE] != 1)
        return aug_fail(s, "size", "fit=shorter takes one size");
    aug_square_size(s, RESIZE_SIZE);
    return CNN_OK;
}

/* The resized picture's place (x, y, w, h) in the output. */
static void resize_layout(const aug_step *s, aug_shape in, int box[4])
{
    int W = (int)s->v[RESIZE_SIZE][0], H = (int)s->v[RESIZE_SIZE][1];
    box[0] = box[1] = 0, box[2] = W, box[3] = H;
    if ((int)s->v[RESIZE_FIT][0] == FIT_SHORTER) {
        /* torchvision: int(size * long / short) for the longer side */
        if (in.w <= in.h)
            box[3] = (int)((double)W * in.h / in.w);
        else
            box[2] = (int)((double)W * in.w / in.h);
    } else if ((int)s->v[RESIZE_FIT][0] == FIT_LETTERBOX) {
        double sc = fmin((double)W / in.w, (double)H / in.h);
        int w = (int)floor(in.w * sc + 0.5), h = (int)floor(in.h * sc + 0.5);
        box[2] = w < 1 ? 1 : w > W ? W : w, box[3] = h < 1 ? 1 : h > H ? H : h;
        box[0] = (W - box[2]) / 2, box[1] = (H - box[3]) / 2;
    }
}

static cnn_status resize_shape(const aug_step *s, aug_shape in, aug_shape *out)
{
    int box[4];
    resize_layout(s, in, box);
    *out = (aug_shape){ (int)s->v[RESIZE_SIZE][0], (int)s->v[RESIZE_SIZE][1], in.c };
    if ((int)s->v[RESIZE_FIT][0] == FIT_SHORTER)
        out->w = box[2], out->h = box[3];
    return CNN_OK;
}

static size_t resize_scratch(const aug_step *s, aug_shape in, aug_shape out, int n_threads)
{
    return resize_scratch_bytes((int)s->v[RESIZE_INTERP][0], in, out, n_threads);
}

/* Fill the output outside the box (x, y, w, h) with the fill values. */
static void fill_outside(const aug_image *out, const int box[4], const float *fill)
{
    for (int c = 0; c < out->c; c++)
        for (int y = 0; y < out->h; y++) {
            int inside = y >= box[1] && y < box[1] + box[3];
            for (int x = 0; x < out->w; x++)
                if (!inside || x < box[0] || x >= box[0] + box[2])
                    aug_store(aug_at(out, c, y, x), out->is_float, fill[c]);
        }
}

static void resize_apply(cnn_context *ctx, const aug_step *s, const double *values,
                         cnn_rng_key key, const aug_image *in, const aug_image *out,
                         void *scratch)
{
    int box[4];
    resize_layout(s, (aug_shape){ in->w, in->h, in->c }, box);
    aug_image picture = *out;
    picture.data = aug_at(out, 0, box[1], box[0]);
    picture.w = box[2], picture.h = box[3];
    resize_box(ctx, (int)s->v[RESIZE_INTERP][0], in, &picture, 0, 0, in->w, in->h, scratch);
    if ((int)s->v[RESIZE_FIT][0] == FIT_LETTERBOX) {
        float fill[CNN_AUGMENT_MAX_CHANNELS];
        aug_fill_values(s, RESIZE_FILL, out, fill);
        fill_outside(out, box, fill);
    }
}

const aug_kind aug_resize = {
    .name = "resize", .default_p = 1.0, .changes_size = 1,
    .params = { AUG_SIZE_SPEC(1),
                { "interp", AUG_WORD, 1, 1, 0, 0, 0, resize_interps, 1, { INTERP_BILINEAR } },
                { "fit", AUG_WORD, 1, 1, 0, 0, 0, fits, 1, { FIT_STRETCH } }, AUG_FILL_SPEC },
    .finish = resize_finish, .shape = resize_shape, .scratch = resize_scratch,
    .apply = resize_apply,
};

/* resized-crop size=W[,H] scale=lo,hi ratio=lo,hi interp=: RandomResizedCrop */
enum { RRC_SIZE, RRC_SCALE, RRC_RATIO, RRC_INTERP };

static cnn_status size_shape(const aug_step *s, aug_shape in, aug_shape *out)
{
    *out = (aug_shape){ (int)s->v[RRC_SIZE][0], (int)s->v[RRC_SIZE][1], in.c };
    return CNN_OK;
}

static cnn_status rrc_finish(aug_step *s)
{
    aug_square_size(s, RRC_SIZE);
    cnn_status st = aug_fixed_range(s, RRC_SCALE);
    return st != CNN_OK ? st : aug_fixed_range(s, RRC_RATIO);
}

static cnn_status rrc_draw(const aug_step *s, aug_shape in, aug_draw *d)
{
    int box[4];
    /* torchvision's get_params: ten tries, then a central crop. */
    if (aug_draw_area_box(d, in, s->v[RRC_SCALE], s->v[RRC_RATIO], 0, box)) {
        aug_draw_value_box(d, box);
        return CNN_OK;
    }
    double in_ratio = (double)in.w / in.h;
    int w = in.w, h = in.h;
    if (in_ratio < s->v[RRC_RATIO][0])
        h = (int)nearbyint(w / s->v[RRC_RATIO][0]);
    else if (in_ratio > s->v[RRC_RATIO][1])
        w = (int)nearbyint(h * s->v[RRC_RATIO][1]);
    aug_draw_value_box(d, (int[]){ (in.w - w) / 2, (in.h - h) / 2, w, h });
    return CNN_OK;
}

static size_t rrc_scratch(const aug_step *s, aug_shape in, aug_shape out, int n_threads)
{
    return resize_scratch_bytes((int)s->v[RRC_INTERP][0], in, out, n_threads);
}

static void rrc_apply(cnn_context *ctx, const aug_step *s, const double *values,
                      cnn_rng_key key, const aug_image *in, const aug_image *out,
                      void *scratch)
{
    resize_box(ctx, (int)s->v[RRC_INTERP][0], in, out, (int)values[AUG_BOX_X],
               (int)values[AUG_BOX_Y], (int)values[AUG_BOX_W], (int)values[AUG_BOX_H], scratch);
}

const aug_kind aug_resized_crop = {
    .name = "resized-crop", .default_p = 1.0, .changes_size = 1,
    .params = { AUG_SIZE_SPEC(1),
                { "scale", AUG_NUMBERS, 1, 2, 1e-6, 1, 0, NULL, 2, { 0.08, 1.0 } },
                { "ratio", AUG_NUMBERS, 1, 2, 1e-3, 1e3, 0, NULL, 2, { 3.0 / 4.0, 4.0 / 3.0 } },
                { "interp", AUG_WORD, 1, 1, 0, 0, 0, resize_interps, 1, { INTERP_BILINEAR } } },
    .finish = rrc_finish, .shape = size_shape, .draw = rrc_draw, .scratch = rrc_scratch,
    .apply = rrc_apply,
};
