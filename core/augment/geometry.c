/* Geometric transforms, following torchvision 0.14 on tensors:
 *  - copies (flips, crops, pads, nearest resize) are one remap kernel over a
 *    column table and a row table built per frame;
 *  - bilinear, bicubic and area resize follow torch.nn.functional.interpolate
 *    (align_corners=False, antialias=False) in float, rounded half to even
 *    for 8-bit frames like torchvision's _cast_squeeze_out;
 *  - rotate and affine follow torchvision's inverse matrix
 *    (_get_inverse_affine_matrix, centre of the image), its affine grid and
 *    grid_sample (align_corners=False, zeros padding), blended with the fill
 *    value through the sampled mask as RandomRotation/RandomAffine do. */
#include <math.h>
#include <string.h>

#include "augment_internal.h"
#include "cnn/threadpool.h"

enum { INTERP_NEAREST, INTERP_BILINEAR, INTERP_BICUBIC, INTERP_AREA };
static const char *const resize_interps[] = { "nearest", "bilinear", "bicubic", "area", NULL };
static const char *const warp_interps[] = { "nearest", "bilinear", NULL };
enum { PAD_CONSTANT, PAD_EDGE, PAD_REFLECT, PAD_SYMMETRIC };
static const char *const pad_modes[] = { "constant", "edge", "reflect", "symmetric", NULL };

#define SIZE_SPEC(req) \
    { "size", AUG_NUMBERS, 1, 2, 1, 65536, 1, NULL, (req) ? 0 : 1, { 0 } }
#define FILL_SPEC { "fill", AUG_NUMBERS, 1, 4, 0, 255, 0, NULL, 1, { 0 } }

/* size=S means S x S. */
static void square_size(aug_step *s, int i)
{
    if (s->count[i] == 1)
        s->v[i][1] = s->v[i][0];
}

/* ---- the remap kernel: out(c, y, x) = in(c, ymap[y], xmap[x]) or fill ---- */

/* Offsets in bytes into the input (x * pix, y * row); -1 marks fill. */
typedef struct remap_job {
    const aug_image *in, *out;
    const ptrdiff_t *xoff, *yoff;
    float fill[CNN_AUGMENT_MAX_CHANNELS]; /* per channel, on the frame's scale */
    int period;    /* fill[(c + x) % period]: channels interleaved in x */
    int contiguous; /* xoff is one run: rows are copied whole */
} remap_job;

static void remap_rows(void *arg, int ith, int nth)
{
    const remap_job *j = arg;
    const aug_image *in = j->in, *out = j->out;
    ptrdiff_t op = out->pix, es = in->is_float ? 4 : 1;
    uint8_t fill8[CNN_AUGMENT_MAX_CHANNELS];
    for (int k = 0; k < CNN_AUGMENT_MAX_CHANNELS; k++)
        fill8[k] = aug_round_u8(j->fill[k]);
    int y0, y1;
    cnn_split_range(out->h, ith, nth, &y0, &y1);
    for (int y = y0; y < y1; y++) {
        for (int c = 0; c < out->c; c++) {
            uint8_t *d = aug_at(out, c, y, 0);
            const uint8_t *s = j->yoff[y] < 0 ? NULL : in->data + c * in->plane + j->yoff[y];
            if (s && j->contiguous) {
                memcpy(d, s + j->xoff[0], (size_t)out->w * es);
            } else if (out->is_float) {
                for (int x = 0; x < out->w; x++) {
                    float v = s && j->xoff[x] >= 0 ? aug_load(s + j->xoff[x], 1)
                                                   : j->fill[(c + x) % j->period];
                    memcpy(d + x * op, &v, 4);
                }
            } else if (!s) {
                for (int x = 0; x < out->w; x++)
                    d[x * op] = fill8[(c + x) % j->period];
            } else {
                for (int x = 0; x < out->w; x++)
                    d[x * op] = j->xoff[x] >= 0 ? s[j->xoff[x]] : fill8[(c + x) % j->period];
            }
        }
    }
}

/* Fill values of a step's "fill" parameter (8-bit scale) for a frame. */
static void fill_values(const aug_step *s, int param, const aug_image *out, float *fill)
{
    for (int c = 0; c < CNN_AUGMENT_MAX_CHANNELS; c++) {
        double v = param < 0 ? 0.0 : s->v[param][c < s->count[param] ? c : s->count[param] - 1];
        fill[c] = (float)(out->is_float ? v / 255.0 : v);
    }
}

static size_t remap_scratch(const aug_step *s, aug_shape in, aug_shape out, int n_threads)
{
    return sizeof(ptrdiff_t) * (size_t)(out.w * out.c + out.h);
}

/* Run the remap with tables xoff (out->w entries, room for out->w * out->c)
 * and yoff holding input columns and rows, -1 for fill. */
static void remap(cnn_context *ctx, const aug_image *in, const aug_image *out, ptrdiff_t *xoff,
                  ptrdiff_t *yoff, const float *fill)
{
    aug_image fi = *in, fo = *out;
    ptrdiff_t es = in->is_float ? 4 : 1;
    int period = 1, w = out->w;
    if (aug_flatten(&fi, &fo)) {
        int c = out->c;
        period = c;
        /* Expand in place from the end: entry x*c+ch is never below x. */
        for (int x = w - 1; x >= 0; x--) {
            ptrdiff_t t = xoff[x];
            for (int ch = c - 1; ch >= 0; ch--)
                xoff[x * c + ch] = t < 0 ? -1 : t * in->pix + ch * es;
        }
    } else {
        for (int x = 0; x < w; x++)
            xoff[x] = xoff[x] < 0 ? -1 : xoff[x] * in->pix;
    }
    for (int y = 0; y < out->h; y++)
        yoff[y] = yoff[y] < 0 ? -1 : yoff[y] * in->row;
    int contiguous = fo.pix == es && xoff[0] >= 0;
    for (int x = 1; x < fo.w && contiguous; x++)
        contiguous = xoff[x] == xoff[0] + x * es;
    remap_job j = { &fi, &fo, xoff, yoff, { 0 }, period, contiguous };
    memcpy(j.fill, fill, sizeof j.fill);
    aug_parallel(ctx, remap_rows, &j);
}

static void remap_tables(void *scratch, const aug_image *out, ptrdiff_t **xoff, ptrdiff_t **yoff)
{
    *xoff = scratch;
    *yoff = *xoff + (size_t)out->w * out->c;
}

/* A crop box (x, y, w, h) of the input resampled by the remap: identity
 * steps when the box has the output size, nearest resize otherwise. Parts
 * of the box outside the input are filled. */
static void nearest_index(ptrdiff_t *map, int n_out, int start, int n_box, int n_in)
{
    float scale = (float)n_box / (float)n_out;
    for (int i = 0; i < n_out; i++) {
        /* torch's nearest_idx: identity, exact 2x, else floor(i * scale). */
        int k = n_out == n_box ? i
                : n_out == 2 * n_box ? i >> 1
                : (int)floorf((float)i * scale);
        if (k > n_box - 1)
            k = n_box - 1;
        k += start;
        map[i] = k < 0 || k >= n_in ? -1 : k;
    }
}

static void box_remap(cnn_context *ctx, const aug_image *in, const aug_image *out, int bx, int by,
                      int bw, int bh, const float *fill, void *scratch)
{
    ptrdiff_t *xoff, *yoff;
    remap_tables(scratch, out, &xoff, &yoff);
    nearest_index(xoff, out->w, bx, bw, in->w);
    nearest_index(yoff, out->h, by, bh, in->h);
    remap(ctx, in, out, xoff, yoff, fill);
}

/* ---- flips ---- */

static void flip_apply(cnn_context *ctx, const aug_image *in, const aug_image *out, int horizontal,
                       void *scratch)
{
    ptrdiff_t *xoff, *yoff;
    remap_tables(scratch, out, &xoff, &yoff);
    for (int x = 0; x < out->w; x++)
        xoff[x] = horizontal ? out->w - 1 - x : x;
    for (int y = 0; y < out->h; y++)
        yoff[y] = horizontal ? y : out->h - 1 - y;
    static const float no_fill[CNN_AUGMENT_MAX_CHANNELS];
    remap(ctx, in, out, xoff, yoff, no_fill);
}

/* Reverse a row of w pixels of size bytes; inlined per constant size. */
static inline __attribute__((always_inline)) void reverse_row(uint8_t *d, const uint8_t *s, int w,
                                                              size_t size)
{
    for (int x = 0; x < w; x++)
        memcpy(d + (size_t)x * size, s + (size_t)(w - 1 - x) * size, size);
}

/* Reverse a row of bytes eight at a time. */
static void reverse_bytes(uint8_t *d, const uint8_t *s, int w)
{
    int x = 0;
    for (; x + 8 <= w; x += 8) {
        uint64_t v;
        memcpy(&v, s + w - x - 8, 8);
        v = __builtin_bswap64(v);
        memcpy(d + x, &v, 8);
    }
    for (; x < w; x++)
        d[x] = s[w - 1 - x];
}

typedef struct flip_job {
    const aug_image *in, *out;
    size_t size; /* bytes per reversed unit: an element, or a packed pixel */
    int groups;  /* channels handled one by one (1 when packed) */
} flip_job;

static void flip_h_rows(void *arg, int ith, int nth)
{
    const flip_job *j = arg;
    int y0, y1, w = j->in->w;
    cnn_split_range(j->out->h, ith, nth, &y0, &y1);
    for (int y = y0; y < y1; y++) {
        for (int g = 0; g < j->groups; g++) {
            const uint8_t *s = aug_at(j->in, g, y, 0);
            uint8_t *d = aug_at(j->out, g, y, 0);
            switch (j->size) {
            case 1: reverse_bytes(d, s, w); break;
            case 3: reverse_row(d, s, w, 3); break;
            case 4: reverse_row(d, s, w, 4); break;
            case 12: reverse_row(d, s, w, 12); break;
            default: reverse_row(d, s, w, j->size); break;
            }
        }
    }
}

static void flip_h_apply(cnn_context *ctx, const aug_step *s, const double *values,
                         cnn_rng_key key, const aug_image *in, const aug_image *out,
                         void *scratch)
{
    ptrdiff_t es = in->is_float ? 4 : 1;
    int planar = in->pix == es && out->pix == es;
    int packed = in->pix == out->pix && in->plane == es && out->plane == es &&
                 in->pix == in->c * es;
    if (!planar && !packed) {
        flip_apply(ctx, in, out, 1, scratch);
        return;
    }
    flip_job j = { in, out, (size_t)(packed ? in->pix : es), packed ? 1 : in->c };
    aug_parallel(ctx, flip_h_rows, &j);
}

static void flip_v_apply(cnn_context *ctx, const aug_step *s, const double *values,
                         cnn_rng_key key, const aug_image *in, const aug_image *out,
                         void *scratch)
{
    flip_apply(ctx, in, out, 0, scratch);
}

const aug_kind aug_flip_h = { .name = "flip-h", .default_p = 0.5, .scratch = remap_scratch,
                              .apply = flip_h_apply };
const aug_kind aug_flip_v = { .name = "flip-v", .default_p = 0.5, .scratch = remap_scratch,
                              .apply = flip_v_apply };

/* ---- interpolating resize of a box of the input ---- */

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
        const uint8_t *r2 = aug_at(in, c, need[taps - 2], 0), *r3 = aug_at(in, c, need[taps - 1], 0);
        for (int x = 0; x < in->w; x++) {
            float v = aug_load(r0 + x * es, fl) * yw[0] + aug_load(r1 + x * es, fl) * yw[1];
            if (taps == 4)
                v = v + aug_load(r2 + x * es, fl) * yw[2] + aug_load(r3 + x * es, fl) * yw[3];
            row[x] = v;
        }
        const int32_t *xi = j->xi;
        const float *xw = j->xw;
        uint8_t *d = aug_at(out, c, y, 0);
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

/* Resize the box (bx, by, bw, bh), inside the input, to the output size. */
static void resize_box(cnn_context *ctx, int interp, const aug_image *in, const aug_image *out,
                       int bx, int by, int bw, int bh, void *scratch)
{
    static const float no_fill[CNN_AUGMENT_MAX_CHANNELS];
    if (interp == INTERP_NEAREST) {
        box_remap(ctx, in, out, bx, by, bw, bh, no_fill, scratch);
        return;
    }
    aug_image box = *in, fo = *out;
    box.data = aug_at(in, 0, by, bx);
    box.w = bw, box.h = bh;
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
                                       (aug_shape){ out->w, out->h, out->c }) };
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
    square_size(s, RESIZE_SIZE);
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
        fill_values(s, RESIZE_FILL, out, fill);
        fill_outside(out, box, fill);
    }
}

const aug_kind aug_resize = {
    .name = "resize", .default_p = 1.0, .changes_size = 1,
    .params = { SIZE_SPEC(1),
                { "interp", AUG_WORD, 1, 1, 0, 0, 0, resize_interps, 1, { INTERP_BILINEAR } },
                { "fit", AUG_WORD, 1, 1, 0, 0, 0, fits, 1, { FIT_STRETCH } }, FILL_SPEC },
    .finish = resize_finish, .shape = resize_shape, .scratch = resize_scratch,
    .apply = resize_apply,
};

/* ---- crops: values x, y, width, height of the box in the input ---- */

enum { BOX_X, BOX_Y, BOX_W, BOX_H };

static void draw_box(aug_draw *d, int x, int y, int w, int h)
{
    aug_draw_value_box(d, (int[]){ x, y, w, h });
}

static void box_apply(cnn_context *ctx, const aug_step *s, const double *values,
                      cnn_rng_key key, const aug_image *in, const aug_image *out,
                      void *scratch)
{
    static const float no_fill[CNN_AUGMENT_MAX_CHANNELS];
    box_remap(ctx, in, out, (int)values[BOX_X], (int)values[BOX_Y], (int)values[BOX_W],
              (int)values[BOX_H], no_fill, scratch);
}

/* crop size=W[,H]: RandomCrop */
static cnn_status crop_shape(const aug_step *s, aug_shape in, aug_shape *out)
{
    int w = (int)s->v[0][0], h = (int)s->v[0][1];
    if (w > in.w || h > in.h)
        return aug_fail(s, "size", "%dx%d is larger than the %dx%d input", w, h, in.w, in.h);
    *out = (aug_shape){ w, h, in.c };
    return CNN_OK;
}

static cnn_status crop_draw(const aug_step *s, aug_shape in, aug_draw *d)
{
    int w = (int)s->v[0][0], h = (int)s->v[0][1];
    if (w > in.w || h > in.h)
        return aug_fail(s, "size", "%dx%d is larger than the %dx%d input", w, h, in.w, in.h);
    int y = aug_draw_int(d, 0, in.h - h);
    int x = aug_draw_int(d, 0, in.w - w);
    draw_box(d, x, y, w, h);
    return CNN_OK;
}

static cnn_status size_finish(aug_step *s)
{
    square_size(s, 0);
    return CNN_OK;
}

const aug_kind aug_crop = {
    .name = "crop", .default_p = 1.0, .changes_size = 1,
    .params = { SIZE_SPEC(1) },
    .finish = size_finish, .shape = crop_shape, .draw = crop_draw, .scratch = remap_scratch,
    .apply = box_apply,
};

/* center-crop size=W[,H] | fraction=f. A size larger than the input pads
 * with zeros like torchvision; a fraction keeps the central part like
 * tf.image.central_crop. */
enum { CENTER_SIZE, CENTER_FRACTION };

static cnn_status center_finish(aug_step *s)
{
    if (s->given[CENTER_SIZE] == s->given[CENTER_FRACTION])
        return aug_fail(s, NULL, "give exactly one of size and fraction");
    square_size(s, CENTER_SIZE);
    return CNN_OK;
}

static void center_box(const aug_step *s, aug_shape in, int *x, int *y, int *w, int *h)
{
    if (s->given[CENTER_FRACTION]) {
        double f = s->v[CENTER_FRACTION][0];
        *x = (int)((in.w - in.w * f) / 2), *y = (int)((in.h - in.h * f) / 2);
        *w = in.w - 2 * *x, *h = in.h - 2 * *y;
        return;
    }
    *w = (int)s->v[CENTER_SIZE][0], *h = (int)s->v[CENTER_SIZE][1];
    /* torchvision pads (size - in) // 2 on the left/top of a small input,
     * else starts at round((in - size) / 2), Python rounding half to even. */
    *x = *w > in.w ? -((*w - in.w) / 2) : (int)nearbyint((in.w - *w) / 2.0);
    *y = *h > in.h ? -((*h - in.h) / 2) : (int)nearbyint((in.h - *h) / 2.0);
}

static cnn_status center_shape(const aug_step *s, aug_shape in, aug_shape *out)
{
    int x, y, w, h;
    center_box(s, in, &x, &y, &w, &h);
    if (w <= 0 || h <= 0)
        return aug_fail(s, "fraction", "leaves an empty %dx%d frame", w, h);
    *out = (aug_shape){ w, h, in.c };
    return CNN_OK;
}

static cnn_status center_draw(const aug_step *s, aug_shape in, aug_draw *d)
{
    int x, y, w, h;
    center_box(s, in, &x, &y, &w, &h);
    draw_box(d, x, y, w, h);
    return CNN_OK;
}

const aug_kind aug_center_crop = {
    .name = "center-crop", .default_p = 1.0, .changes_size = 1,
    .params = { SIZE_SPEC(0), { "fraction", AUG_NUMBERS, 1, 1, 1e-6, 1, 0, NULL, 1, { 1 } } },
    .finish = center_finish, .shape = center_shape, .draw = center_draw,
    .scratch = remap_scratch, .apply = box_apply,
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
    square_size(s, RRC_SIZE);
    cnn_status st = aug_fixed_range(s, RRC_SCALE);
    return st != CNN_OK ? st : aug_fixed_range(s, RRC_RATIO);
}

static cnn_status rrc_draw(const aug_step *s, aug_shape in, aug_draw *d)
{
    int box[4];
    /* torchvision's get_params: ten tries, then a central crop. */
    if (aug_draw_area_box(d, in, s->v[RRC_SCALE], s->v[RRC_RATIO], 0, box)) {
        draw_box(d, box[0], box[1], box[2], box[3]);
        return CNN_OK;
    }
    double in_ratio = (double)in.w / in.h;
    int w = in.w, h = in.h;
    if (in_ratio < s->v[RRC_RATIO][0])
        h = (int)nearbyint(w / s->v[RRC_RATIO][0]);
    else if (in_ratio > s->v[RRC_RATIO][1])
        w = (int)nearbyint(h * s->v[RRC_RATIO][1]);
    draw_box(d, (in.w - w) / 2, (in.h - h) / 2, w, h);
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
    resize_box(ctx, (int)s->v[RRC_INTERP][0], in, out, (int)values[BOX_X], (int)values[BOX_Y],
               (int)values[BOX_W], (int)values[BOX_H], scratch);
}

const aug_kind aug_resized_crop = {
    .name = "resized-crop", .default_p = 1.0, .changes_size = 1,
    .params = { SIZE_SPEC(1),
                { "scale", AUG_NUMBERS, 1, 2, 1e-6, 1, 0, NULL, 2, { 0.08, 1.0 } },
                { "ratio", AUG_NUMBERS, 1, 2, 1e-3, 1e3, 0, NULL, 2, { 3.0 / 4.0, 4.0 / 3.0 } },
                { "interp", AUG_WORD, 1, 1, 0, 0, 0, resize_interps, 1, { INTERP_BILINEAR } } },
    .finish = rrc_finish, .shape = size_shape, .draw = rrc_draw, .scratch = rrc_scratch,
    .apply = rrc_apply,
};

/* ---- pad amount=a | lr,tb | l,t,r,b mode= fill= ---- */
enum { PAD_AMOUNT, PAD_MODE, PAD_FILL };

static cnn_status pad_finish(aug_step *s)
{
    double *a = s->v[PAD_AMOUNT];
    if (s->count[PAD_AMOUNT] == 3)
        return aug_fail(s, "amount", "takes 1, 2 or 4 values");
    if (s->count[PAD_AMOUNT] == 1)
        a[1] = a[2] = a[3] = a[0];
    else if (s->count[PAD_AMOUNT] == 2)
        a[2] = a[0], a[3] = a[1];
    s->count[PAD_AMOUNT] = 4;
    return CNN_OK;
}

static cnn_status pad_shape(const aug_step *s, aug_shape in, aug_shape *out)
{
    const double *a = s->v[PAD_AMOUNT];
    int mode = (int)s->v[PAD_MODE][0];
    /* reflect needs a pad below the size (torch.nn.functional.pad). */
    if (mode == PAD_REFLECT && (a[0] >= in.w || a[2] >= in.w || a[1] >= in.h || a[3] >= in.h))
        return aug_fail(s, "amount", "reflect padding must be smaller than the %dx%d input",
                        in.w, in.h);
    if (mode == PAD_SYMMETRIC && (a[0] > in.w || a[2] > in.w || a[1] > in.h || a[3] > in.h))
        return aug_fail(s, "amount", "symmetric padding must not exceed the %dx%d input",
                        in.w, in.h);
    *out = (aug_shape){ in.w + (int)(a[0] + a[2]), in.h + (int)(a[1] + a[3]), in.c };
    return CNN_OK;
}

static void pad_index(ptrdiff_t *map, int n_out, int before, int n_in, int mode)
{
    for (int i = 0; i < n_out; i++) {
        int k = i - before;
        if (k < 0 || k >= n_in) {
            switch (mode) {
            case PAD_CONSTANT: k = -1; break;
            case PAD_EDGE: k = k < 0 ? 0 : n_in - 1; break;
            case PAD_REFLECT: k = k < 0 ? -k : 2 * (n_in - 1) - k; break;
            default: k = k < 0 ? -k - 1 : 2 * n_in - 1 - k; break;
            }
        }
        map[i] = k;
    }
}

static void pad_apply(cnn_context *ctx, const aug_step *s, const double *values,
                      cnn_rng_key key, const aug_image *in, const aug_image *out,
                      void *scratch)
{
    ptrdiff_t *xoff, *yoff;
    int mode = (int)s->v[PAD_MODE][0];
    float fill[CNN_AUGMENT_MAX_CHANNELS];
    fill_values(s, PAD_FILL, out, fill);
    remap_tables(scratch, out, &xoff, &yoff);
    pad_index(xoff, out->w, (int)s->v[PAD_AMOUNT][0], in->w, mode);
    pad_index(yoff, out->h, (int)s->v[PAD_AMOUNT][1], in->h, mode);
    remap(ctx, in, out, xoff, yoff, fill);
}

const aug_kind aug_pad = {
    .name = "pad", .default_p = 1.0, .changes_size = 1,
    .params = { { "amount", AUG_NUMBERS, 1, 4, 0, 65536, 1, NULL, 0, { 0 } },
                { "mode", AUG_WORD, 1, 1, 0, 0, 0, pad_modes, 1, { PAD_CONSTANT } },
                FILL_SPEC },
    .finish = pad_finish, .shape = pad_shape, .scratch = remap_scratch, .apply = pad_apply,
};

/* ---- rotate and affine: inverse matrix, affine grid, grid_sample ---- */

/* torchvision's _get_inverse_affine_matrix with the centre at the image
 * centre: angle and shears in degrees. */
static void inverse_affine(double angle, double tx, double ty, double scale, double shear_x,
                           double shear_y, double m[6])
{
    double rot = angle * M_PI / 180.0, sx = shear_x * M_PI / 180.0, sy = shear_y * M_PI / 180.0;
    double a = cos(rot - sy) / cos(sy);
    double b = -cos(rot - sy) * tan(sx) / cos(sy) - sin(rot);
    double c = sin(rot - sy) / cos(sy);
    double d = -sin(rot - sy) * tan(sx) / cos(sy) + cos(rot);
    m[0] = d / scale, m[1] = -b / scale, m[3] = -c / scale, m[4] = a / scale;
    m[2] = m[0] * -tx + m[1] * -ty;
    m[5] = m[3] * -tx + m[4] * -ty;
}

/* Output pixel (x, y) samples input pixel coordinates
 * ((p0 x + p1 y + p2) / (p6 x + p7 y + p8), (p3 x + p4 y + p5) / (...)),
 * grid_sample's unnormalisation (align_corners=False) folded in. */
typedef struct warp_job {
    const aug_image *in, *out;
    double p[9];
    int bilinear, reflect;
    float fill[CNN_AUGMENT_MAX_CHANNELS];
} warp_job;

/* The projection of an inverse affine matrix about the image centres
 * (torchvision's _gen_affine_grid). */
static void affine_projection(const double m[6], int w, int h, int ow, int oh, double p[9])
{
    double cx = 0.5 - ow * 0.5, cy = 0.5 - oh * 0.5;
    p[0] = m[0], p[1] = m[1], p[2] = m[0] * cx + m[1] * cy + m[2] + (w - 1) * 0.5;
    p[3] = m[3], p[4] = m[4], p[5] = m[3] * cx + m[4] * cy + m[5] + (h - 1) * 0.5;
    p[6] = p[7] = 0.0, p[8] = 1.0;
}

/* grid_sample's reflection padding (align_corners=False): reflect about
 * -0.5 and size - 0.5, then clip to [0, size - 1]. */
static inline float reflect_coordinate(float v, int size)
{
    float span = (float)size;
    v = fabsf(v + 0.5f);
    float extra = fmodf(v, span);
    int flips = (int)floorf(v / span);
    v = flips % 2 == 0 ? extra - 0.5f : span - extra - 0.5f;
    return aug_clampf(v, 0.0f, (float)(size - 1));
}

/* One output row; inlined with constant fl, bilinear and reflect. */
static inline __attribute__((always_inline)) void warp_row(const warp_job *j, int y, int fl,
                                                           int bilinear, int reflect)
{
    const aug_image *in = j->in, *out = j->out;
    int w = in->w, h = in->h, nc = out->c;
    ptrdiff_t ip = in->pix, ir = in->row, icp = in->plane, op = out->plane;
    const double *p = j->p;
    double rx = p[1] * y + p[2], ry = p[4] * y + p[5], rd = p[7] * y + p[8];
    int projective = p[6] != 0.0 || p[7] != 0.0;
    uint8_t *d = aug_at(out, 0, y, 0);
    for (int x = 0; x < out->w; x++, d += out->pix) {
        double den = projective ? p[6] * x + rd : rd;
        float ix = (float)((p[0] * x + rx) / den), iy = (float)((p[3] * x + ry) / den);
        if (reflect)
            ix = reflect_coordinate(ix, w), iy = reflect_coordinate(iy, h);
        /* Far outside (or not a number): every tap misses. */
        if (!(ix > -2.0f && ix < (float)w + 1.0f && iy > -2.0f && iy < (float)h + 1.0f)) {
            for (int c = 0; c < nc; c++)
                aug_store(d + c * op, fl, j->fill[c]);
            continue;
        }
        if (!bilinear) {
            int sx = (int)aug_round_even(ix), sy = (int)aug_round_even(iy);
            int inside = sx >= 0 && sx < w && sy >= 0 && sy < h;
            const uint8_t *src = in->data + sy * ir + sx * ip;
            for (int c = 0; c < nc; c++)
                aug_store(d + c * op, fl, inside ? aug_load(src + c * icp, fl) : j->fill[c]);
            continue;
        }
        int x0 = aug_floor_int(ix), y0 = aug_floor_int(iy);
        float e = ix - (float)x0, s = iy - (float)y0;
        float wt[4] = { (1.0f - e) * (1.0f - s), e * (1.0f - s), (1.0f - e) * s, e * s };
        int okx0 = x0 >= 0 && x0 < w, okx1 = x0 + 1 >= 0 && x0 + 1 < w;
        int oky0 = y0 >= 0 && y0 < h, oky1 = y0 + 1 >= 0 && y0 + 1 < h;
        int ok[4] = { okx0 && oky0, okx1 && oky0, okx0 && oky1, okx1 && oky1 };
        float mask = 0.0f;
        for (int t = 0; t < 4; t++)
            mask += ok[t] ? wt[t] : 0.0f;
        const uint8_t *src = in->data + (ptrdiff_t)y0 * ir + (ptrdiff_t)x0 * ip;
        const ptrdiff_t off[4] = { 0, ip, ir, ir + ip };
        if (ok[0] && ok[3]) { /* all four taps inside: straight-line code */
            for (int c = 0; c < nc; c++) {
                const uint8_t *q = src + c * icp;
                float v = wt[0] * aug_load(q, fl) + wt[1] * aug_load(q + ip, fl) +
                          wt[2] * aug_load(q + ir, fl) + wt[3] * aug_load(q + ir + ip, fl);
                if (!reflect)
                    v = v * mask + (1.0f - mask) * j->fill[c];
                aug_store(d + c * op, fl, v);
            }
            continue;
        }
        for (int c = 0; c < nc; c++) {
            float v = 0.0f;
            for (int t = 0; t < 4; t++)
                if (ok[t])
                    v += wt[t] * aug_load(src + off[t] + c * icp, fl);
            /* torchvision blends the fill through the sampled mask. */
            if (!reflect)
                v = v * mask + (1.0f - mask) * j->fill[c];
            aug_store(d + c * op, fl, v);
        }
    }
}

static void warp_rows(void *arg, int ith, int nth)
{
    const warp_job *j = arg;
    int y0, y1, fl = j->in->is_float;
    cnn_split_range(j->out->h, ith, nth, &y0, &y1);
    for (int y = y0; y < y1; y++) {
        if (!j->bilinear)
            warp_row(j, y, fl, 0, j->reflect);
        else if (j->reflect)
            warp_row(j, y, fl, 1, 1);
        else if (fl)
            warp_row(j, y, 1, 1, 0);
        else
            warp_row(j, y, 0, 1, 0);
    }
}

enum { BORDER_FILL, BORDER_REFLECT };
static const char *const borders[] = { "fill", "reflect", NULL };

/* Run the warp with the step's interp, fill and border parameters. */
static void warp(cnn_context *ctx, const aug_step *s, const double p[9], const aug_image *in,
                 const aug_image *out)
{
    int interp = aug_param_index(s->kind, "interp"), fill = aug_param_index(s->kind, "fill");
    int border = aug_param_index(s->kind, "border");
    warp_job j = { in, out, { 0 }, (int)s->v[interp][0] == 1,
                   (int)s->v[border][0] == BORDER_REFLECT, { 0 } };
    memcpy(j.p, p, sizeof j.p);
    fill_values(s, fill, out, j.fill);
    aug_parallel(ctx, warp_rows, &j);
}

static void warp_affine(cnn_context *ctx, const aug_step *s, const double m[6],
                        const aug_image *in, const aug_image *out)
{
    double p[9];
    affine_projection(m, in->w, in->h, out->w, out->h, p);
    warp(ctx, s, p, in, out);
}

#define WARP_SPECS                                                                     \
    { "interp", AUG_WORD, 1, 1, 0, 0, 0, warp_interps, 1, { 1 } }, FILL_SPEC,          \
    { "border", AUG_WORD, 1, 1, 0, 0, 0, borders, 1, { BORDER_FILL } }

/* rotate degrees= interp= fill= border= expand=: RandomRotation; angle
 * counter-clockwise. expand=1 (a fixed angle only, so the size is fixed)
 * grows the frame to hold the whole rotated input. */
enum { ROT_DEGREES, ROT_INTERP, ROT_FILL, ROT_BORDER, ROT_EXPAND };

static cnn_status rotate_finish(aug_step *s)
{
    cnn_status st = aug_symmetric_range(s, ROT_DEGREES, 0.0, -360.0);
    if (st == CNN_OK && s->v[ROT_EXPAND][0] && s->v[ROT_DEGREES][0] != s->v[ROT_DEGREES][1])
        return aug_fail(s, "expand", "needs a fixed angle (degrees=a,a): the size must be fixed");
    return st;
}

/* torchvision's _compute_affine_output_size, in float32 like it. */
static cnn_status rotate_shape(const aug_step *s, aug_shape in, aug_shape *out)
{
    *out = in;
    if (!s->v[ROT_EXPAND][0])
        return CNN_OK;
    double m[6];
    inverse_affine(-s->v[ROT_DEGREES][0], 0, 0, 1, 0, 0, m);
    float hw = 0.5f * (float)in.w, hh = 0.5f * (float)in.h;
    const float pts[4][2] = { { -hw, -hh }, { -hw, hh }, { hw, hh }, { hw, -hh } };
    float lo[2] = { INFINITY, INFINITY }, hi[2] = { -INFINITY, -INFINITY };
    for (int k = 0; k < 4; k++)
        for (int r = 0; r < 2; r++) {
            float v = pts[k][0] * (float)m[3 * r] + pts[k][1] * (float)m[3 * r + 1] +
                      (float)m[3 * r + 2];
            lo[r] = v < lo[r] ? v : lo[r];
            hi[r] = v > hi[r] ? v : hi[r];
        }
    int size[2];
    for (int r = 0; r < 2; r++) {
        /* Truncated to 1e-4 so a 1e-15 excess does not ceil to a pixel. */
        float half = r ? hh : hw, tol = 1e-4f;
        float cmax = ceilf(truncf((hi[r] + half) / tol) * tol);
        float cmin = floorf(truncf((lo[r] + half) / tol) * tol);
        size[r] = (int)(cmax - cmin);
    }
    *out = (aug_shape){ size[0], size[1], in.c };
    return CNN_OK;
}

static cnn_status rotate_draw(const aug_step *s, aug_shape in, aug_draw *d)
{
    aug_draw_value(d, "angle", aug_draw_uniform(d, s->v[ROT_DEGREES][0], s->v[ROT_DEGREES][1]));
    return CNN_OK;
}

static void rotate_apply(cnn_context *ctx, const aug_step *s, const double *values,
                         cnn_rng_key key, const aug_image *in, const aug_image *out,
                         void *scratch)
{
    double m[6];
    /* torchvision's rotate passes -angle: its affine turns clockwise. */
    inverse_affine(-values[0], 0, 0, 1, 0, 0, m);
    warp_affine(ctx, s, m, in, out);
}

const aug_kind aug_rotate = {
    .name = "rotate", .default_p = 1.0,
    .params = { { "degrees", AUG_NUMBERS, 1, 2, -360, 360, 0, NULL, 0, { 0 } }, WARP_SPECS,
                { "expand", AUG_NUMBERS, 1, 1, 0, 1, 1, NULL, 1, { 0 } } },
    .finish = rotate_finish, .shape = rotate_shape, .draw = rotate_draw, .apply = rotate_apply,
};

/* affine degrees= translate=fx,fy scale=lo,hi shear=: RandomAffine */
enum { AFF_DEGREES, AFF_TRANSLATE, AFF_SCALE, AFF_SHEAR };

static cnn_status affine_finish(aug_step *s)
{
    cnn_status st;
    if ((st = aug_symmetric_range(s, AFF_DEGREES, 0.0, -360.0)) != CNN_OK ||
        (st = aug_fixed_range(s, AFF_SCALE)) != CNN_OK)
        return st;
    if (s->count[AFF_SHEAR] == 3)
        return aug_fail(s, "shear", "takes 1, 2 or 4 values");
    if (s->count[AFF_SHEAR] < 4) {
        if ((st = aug_symmetric_range(s, AFF_SHEAR, 0.0, -90.0)) != CNN_OK)
            return st;
        s->v[AFF_SHEAR][2] = s->v[AFF_SHEAR][3] = 0.0;
        s->count[AFF_SHEAR] = 4;
    }
    return CNN_OK;
}

static cnn_status affine_draw(const aug_step *s, aug_shape in, aug_draw *d)
{
    const double(*v)[AUG_MAX_NUMS] = s->v;
    double max_dx = v[AFF_TRANSLATE][0] * in.w, max_dy = v[AFF_TRANSLATE][1] * in.h;
    aug_draw_value(d, "angle", aug_draw_uniform(d, v[AFF_DEGREES][0], v[AFF_DEGREES][1]));
    aug_draw_value(d, "translate-x", nearbyint(aug_draw_uniform(d, -max_dx, max_dx)));
    aug_draw_value(d, "translate-y", nearbyint(aug_draw_uniform(d, -max_dy, max_dy)));
    aug_draw_value(d, "scale", aug_draw_uniform(d, v[AFF_SCALE][0], v[AFF_SCALE][1]));
    aug_draw_value(d, "shear-x", aug_draw_uniform(d, v[AFF_SHEAR][0], v[AFF_SHEAR][1]));
    aug_draw_value(d, "shear-y", aug_draw_uniform(d, v[AFF_SHEAR][2], v[AFF_SHEAR][3]));
    return CNN_OK;
}

static void affine_apply(cnn_context *ctx, const aug_step *s, const double *values,
                         cnn_rng_key key, const aug_image *in, const aug_image *out,
                         void *scratch)
{
    double m[6];
    inverse_affine(values[0], values[1], values[2], values[3], values[4], values[5], m);
    warp_affine(ctx, s, m, in, out);
}

const aug_kind aug_affine = {
    .name = "affine", .default_p = 1.0,
    .params = { { "degrees", AUG_NUMBERS, 1, 2, -360, 360, 0, NULL, 1, { 0 } },
                { "translate", AUG_NUMBERS, 2, 2, 0, 1, 0, NULL, 2, { 0, 0 } },
                { "scale", AUG_NUMBERS, 1, 2, 1e-3, 1e3, 0, NULL, 1, { 1 } },
                { "shear", AUG_NUMBERS, 1, 4, -89, 89, 0, NULL, 1, { 0 } },
                WARP_SPECS },
    .finish = affine_finish, .draw = affine_draw, .apply = affine_apply,
};

/* translate fraction=fx[,fy] and zoom scale=lo,hi: RandomAffine with only
 * translation or only scale; the same six values as affine. */
static cnn_status translate_finish(aug_step *s)
{
    if (s->count[0] == 1)
        s->v[0][1] = s->v[0][0];
    return CNN_OK;
}

static cnn_status translate_draw(const aug_step *s, aug_shape in, aug_draw *d)
{
    double max_dx = s->v[0][0] * in.w, max_dy = s->v[0][1] * in.h;
    aug_draw_value(d, "angle", 0);
    aug_draw_value(d, "translate-x", nearbyint(aug_draw_uniform(d, -max_dx, max_dx)));
    aug_draw_value(d, "translate-y", nearbyint(aug_draw_uniform(d, -max_dy, max_dy)));
    aug_draw_value(d, "scale", 1);
    aug_draw_value(d, "shear-x", 0);
    aug_draw_value(d, "shear-y", 0);
    return CNN_OK;
}

const aug_kind aug_translate = {
    .name = "translate", .default_p = 1.0,
    .params = { { "fraction", AUG_NUMBERS, 1, 2, 0, 1, 0, NULL, 0, { 0 } }, WARP_SPECS },
    .finish = translate_finish, .draw = translate_draw, .apply = affine_apply,
};

static cnn_status zoom_draw(const aug_step *s, aug_shape in, aug_draw *d)
{
    aug_draw_value(d, "angle", 0);
    aug_draw_value(d, "translate-x", 0);
    aug_draw_value(d, "translate-y", 0);
    aug_draw_value(d, "scale", aug_draw_uniform(d, s->v[0][0], s->v[0][1]));
    aug_draw_value(d, "shear-x", 0);
    aug_draw_value(d, "shear-y", 0);
    return CNN_OK;
}

const aug_kind aug_zoom = {
    .name = "zoom", .default_p = 1.0,
    .params = { { "scale", AUG_NUMBERS, 1, 2, 1e-3, 1e3, 0, NULL, 0, { 0 } }, WARP_SPECS },
    .finish = aug_range_finish, .draw = zoom_draw, .apply = affine_apply,
};

/* perspective distortion=0.5: RandomPerspective (p=0.5). Values: the
 * corners the input's corners move to, clockwise from top-left. */
static const char *const corner_names[8] = { "tl-x", "tl-y", "tr-x", "tr-y",
                                             "br-x", "br-y", "bl-x", "bl-y" };

static cnn_status perspective_draw(const aug_step *s, aug_shape in, aug_draw *d)
{
    double dist = s->v[0][0];
    int dx = (int)(dist * (in.w / 2)), dy = (int)(dist * (in.h / 2));
    /* RandomPerspective.get_params; randint's upper bound is exclusive. */
    int c[8] = { aug_draw_int(d, 0, dx),
                 aug_draw_int(d, 0, dy),
                 aug_draw_int(d, in.w - dx - 1, in.w - 1),
                 aug_draw_int(d, 0, dy),
                 aug_draw_int(d, in.w - dx - 1, in.w - 1),
                 aug_draw_int(d, in.h - dy - 1, in.h - 1),
                 aug_draw_int(d, 0, dx),
                 aug_draw_int(d, in.h - dy - 1, in.h - 1) };
    for (int k = 0; k < 8; k++)
        aug_draw_value(d, corner_names[k], c[k]);
    return CNN_OK;
}

/* Solve the 8x8 system of torchvision's _get_perspective_coeffs (which maps
 * output points to input points) by Gaussian elimination with pivoting. */
static void perspective_coeffs(const double end[8], const double start[8], double coef[8])
{
    double a[8][9];
    for (int i = 0; i < 4; i++) {
        double x = end[2 * i], y = end[2 * i + 1], u = start[2 * i], v = start[2 * i + 1];
        double r0[9] = { x, y, 1, 0, 0, 0, -u * x, -u * y, u };
        double r1[9] = { 0, 0, 0, x, y, 1, -v * x, -v * y, v };
        memcpy(a[2 * i], r0, sizeof r0);
        memcpy(a[2 * i + 1], r1, sizeof r1);
    }
    for (int col = 0; col < 8; col++) {
        int piv = col;
        for (int r = col + 1; r < 8; r++)
            if (fabs(a[r][col]) > fabs(a[piv][col]))
                piv = r;
        for (int k = 0; k < 9; k++) {
            double t = a[col][k];
            a[col][k] = a[piv][k], a[piv][k] = t;
        }
        for (int r = 0; r < 8; r++) {
            if (r == col || a[col][col] == 0.0)
                continue;
            double f = a[r][col] / a[col][col];
            for (int k = col; k < 9; k++)
                a[r][k] -= f * a[col][k];
        }
    }
    for (int i = 0; i < 8; i++)
        coef[i] = a[i][i] != 0.0 ? a[i][8] / a[i][i] : 0.0;
}

static void perspective_apply(cnn_context *ctx, const aug_step *s, const double *values,
                              cnn_rng_key key, const aug_image *in, const aug_image *out,
                              void *scratch)
{
    double w1 = in->w - 1, h1 = in->h - 1;
    const double start[8] = { 0, 0, w1, 0, w1, h1, 0, h1 };
    double c[8], p[9];
    perspective_coeffs(values, start, c);
    /* x_in = (c0 X + c1 Y + c2) / (c6 X + c7 Y + 1) - 0.5 at pixel centres
     * X = x + 0.5, Y = y + 0.5 (torchvision's _perspective_grid). */
    double d0 = 0.5 * c[6] + 0.5 * c[7] + 1.0;
    p[0] = c[0] - 0.5 * c[6], p[1] = c[1] - 0.5 * c[7];
    p[2] = 0.5 * c[0] + 0.5 * c[1] + c[2] - 0.5 * d0;
    p[3] = c[3] - 0.5 * c[6], p[4] = c[4] - 0.5 * c[7];
    p[5] = 0.5 * c[3] + 0.5 * c[4] + c[5] - 0.5 * d0;
    p[6] = c[6], p[7] = c[7], p[8] = d0;
    warp(ctx, s, p, in, out);
}

const aug_kind aug_perspective = {
    .name = "perspective", .default_p = 0.5,
    .params = { { "distortion", AUG_NUMBERS, 1, 1, 0, 1, 0, NULL, 1, { 0.5 } }, WARP_SPECS },
    .draw = perspective_draw, .apply = perspective_apply,
};
