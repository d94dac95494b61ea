/* Geometric copies, following torchvision 0.14 on tensors: flips, crops,
 * centre crops and pads (and resize.c's nearest interpolation) are one remap
 * kernel over a column table and a row table built per frame. Resizing is in
 * resize.c, warps (rotate, affine, perspective) in warp.c. */
#include <math.h>
#include <string.h>

#include "augment_internal.h"
#include "cnn/threadpool.h"
#include "kernels.h"

enum { PAD_CONSTANT, PAD_EDGE, PAD_REFLECT, PAD_SYMMETRIC };
static const char *const pad_modes[] = { "constant", "edge", "reflect", "symmetric", NULL };

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
void aug_fill_values(const aug_step *s, int param, const aug_image *out, float *fill)
{
    for (int c = 0; c < CNN_AUGMENT_MAX_CHANNELS; c++) {
        double v = param < 0 ? 0.0 : s->v[param][c < s->count[param] ? c : s->count[param] - 1];
        fill[c] = (float)(out->is_float ? v / 255.0 : v);
    }
}

size_t aug_remap_scratch(const aug_step *s, aug_shape in, aug_shape out, int n_threads)
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

/* The input index of each output index along one axis for a box of n_box
 * from start: identity steps when the sizes match, torch's nearest
 * otherwise; -1 (fill) outside the input. */
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

void aug_box_remap(cnn_context *ctx, const aug_image *in, const aug_image *out, int bx, int by,
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
    cnn_flip_rgb_u8_fn flip_rgb;
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
            case 3: j->flip_rgb(s, d, w); break;
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
    flip_job j = { in, out, (size_t)(packed ? in->pix : es), packed ? 1 : in->c,
                   ctx ? cnn_context_kernels(ctx)->flip_rgb_u8 : cnn_flip_rgb_u8_c };
    aug_parallel(ctx, flip_h_rows, &j);
}

static void flip_v_apply(cnn_context *ctx, const aug_step *s, const double *values,
                         cnn_rng_key key, const aug_image *in, const aug_image *out,
                         void *scratch)
{
    flip_apply(ctx, in, out, 0, scratch);
}

const aug_kind aug_flip_h = { .name = "flip-h", .default_p = 0.5,
                              .scratch = aug_remap_scratch, .apply = flip_h_apply };
const aug_kind aug_flip_v = { .name = "flip-v", .default_p = 0.5,
                              .scratch = aug_remap_scratch, .apply = flip_v_apply };

/* ---- crops: values x, y, width, height of the box in the input ---- */

static void box_apply(cnn_context *ctx, const aug_step *s, const double *values,
                      cnn_rng_key key, const aug_image *in, const aug_image *out,
                      void *scratch)
{
    static const float no_fill[CNN_AUGMENT_MAX_CHANNELS];
    aug_box_remap(ctx, in, out, (int)values[AUG_BOX_X], (int)values[AUG_BOX_Y],
                  (int)values[AUG_BOX_W], (int)values[AUG_BOX_H], no_fill, scratch);
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
    aug_draw_value_box(d, (int[]){ x, y, w, h });
    return CNN_OK;
}

static cnn_status size_finish(aug_step *s)
{
    aug_square_size(s, 0);
    return CNN_OK;
}

const aug_kind aug_crop = {
    .name = "crop", .default_p = 1.0, .changes_size = 1,
    .params = { AUG_SIZE_SPEC(1) },
    .finish = size_finish, .shape = crop_shape, .draw = crop_draw, .scratch = aug_remap_scratch,
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
    aug_square_size(s, CENTER_SIZE);
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
    aug_draw_value_box(d, (int[]){ x, y, w, h });
    return CNN_OK;
}

const aug_kind aug_center_crop = {
    .name = "center-crop", .default_p = 1.0, .changes_size = 1,
    .params = { AUG_SIZE_SPEC(0), { "fraction", AUG_NUMBERS, 1, 1, 1e-6, 1, 0, NULL, 1, { 1 } } },
    .finish = center_finish, .shape = center_shape, .draw = center_draw,
    .scratch = aug_remap_scratch, .apply = box_apply,
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
    aug_fill_values(s, PAD_FILL, out, fill);
    remap_tables(scratch, out, &xoff, &yoff);
    pad_index(xoff, out->w, (int)s->v[PAD_AMOUNT][0], in->w, mode);
    pad_index(yoff, out->h, (int)s->v[PAD_AMOUNT][1], in->h, mode);
    remap(ctx, in, out, xoff, yoff, fill);
}

const aug_kind aug_pad = {
    .name = "pad", .default_p = 1.0, .changes_size = 1,
    .params = { { "amount", AUG_NUMBERS, 1, 4, 0, 65536, 1, NULL, 0, { 0 } },
                { "mode", AUG_WORD, 1, 1, 0, 0, 0, pad_modes, 1, { PAD_CONSTANT } },
                AUG_FILL_SPEC },
    .finish = pad_finish, .shape = pad_shape, .scratch = aug_remap_scratch, .apply = pad_apply,
};
