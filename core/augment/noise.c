/* Blur, noise and occlusion:
 *  - gaussian-blur follows torchvision's gaussian_blur (kernel from
 *    linspace(-(k-1)/2, (k-1)/2) and sigma, reflect padding, float
 *    convolution rounded for 8-bit), computed separably with a ring of
 *    horizontally blurred rows per thread;
 *  - sharpen follows adjust_sharpness (blend with the 3x3 [1 1 1; 1 5 1;
 *    1 1 1] / 13 smoothing, borders kept);
 *  - erasing follows RandomErasing (its get_params, F.erase with a value);
 *  - gaussian-noise and salt-pepper draw per element (per pixel for salt and
 *    pepper) from the step's key at the element's position, so the noise is
 *    the same on any thread count. */
#include <math.h>
#include <string.h>

#include "augment_internal.h"
#include "cnn/threadpool.h"
#include "kernels.h"

/* ---- gaussian-blur kernel=k[,ky] sigma=lo,hi ---- */
enum { BLUR_KERNEL, BLUR_SIGMA };

static cnn_status blur_finish(aug_step *s)
{
    if (s->count[BLUR_KERNEL] == 1)
        s->v[BLUR_KERNEL][1] = s->v[BLUR_KERNEL][0];
    for (int i = 0; i < 2; i++)
        if ((int)s->v[BLUR_KERNEL][i] % 2 == 0)
            return aug_fail(s, "kernel", "sizes must be odd, not %g", s->v[BLUR_KERNEL][i]);
    return aug_fixed_range(s, BLUR_SIGMA);
}

static cnn_status blur_shape(const aug_step *s, aug_shape in, aug_shape *out)
{
    /* Reflect padding needs half the kernel below the size. */
    if ((int)s->v[BLUR_KERNEL][0] / 2 >= in.w || (int)s->v[BLUR_KERNEL][1] / 2 >= in.h)
        return aug_fail(s, "kernel", "too large for a %dx%d input", in.w, in.h);
    *out = in;
    return CNN_OK;
}

static cnn_status sigma_draw(const aug_step *s, aug_shape in, aug_draw *d)
{
    aug_draw_value(d, "sigma", aug_draw_uniform(d, s->v[BLUR_SIGMA][0], s->v[BLUR_SIGMA][1]));
    return CNN_OK;
}

/* torchvision's _get_gaussian_kernel1d in float32. */
static void gaussian_kernel(float *k, int size, float sigma)
{
    float half = (float)(size - 1) * 0.5f, sum = 0.0f;
    for (int i = 0; i < size; i++) {
        /* linspace(-half, half, size) */
        float x = size > 1 ? -half + (float)i * (2.0f * half / (float)(size - 1)) : 0.0f;
        float t = x / sigma;
        k[i] = expf(-0.5f * t * t);
        sum += k[i];
    }
    for (int i = 0; i < size; i++)
        k[i] /= sum;
}

static inline int reflect101(int i, int n)
{
    return i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
}

/* Packed frames run flattened (one channel of w * c elements, neighbours
 * step elements apart); every loop below then runs over contiguous
 * elements, tap by tap, so it vectorises. */
typedef struct blur_job {
    const aug_image *in, *out;
    int step;  /* elements between horizontal neighbours */
    int npix;  /* pixels per row */
    int kx, ky;
    const float *wx, *wy;
    float *rings; /* per thread: ky rows of out->w floats, then one more */
} blur_job;

static inline __attribute__((always_inline)) void blur_hrow(const blur_job *j, int c, int y,
                                                            float *dst, int fl)
{
    const aug_image *in = j->in;
    const uint8_t *row = aug_at(in, c, reflect101(y, in->h), 0);
    int n = in->w, step = j->step, r = j->kx / 2, es = fl ? 4 : 1;
    for (int e = 0; e < n; e++)
        dst[e] = 0.0f;
    /* Interior pixels r .. npix-1-r: tap t reads element e + (t - r) * step. */
    int lo = r * step, hi = (j->npix - r) * step;
    for (int t = 0; t < j->kx; t++) {
        const uint8_t *src = row + (ptrdiff_t)(t - r) * step * es;
        float wt = j->wx[t];
        for (int e = lo; e < hi; e++)
            dst[e] += wt * aug_load(src + (ptrdiff_t)e * es, fl);
    }
    /* Border pixels, reflected. */
    for (int e = 0; e < n; e++) {
        int p = e / step;
        if (e >= lo && e < hi)
            e = hi - 1;
        else
            for (int t = 0; t < j->kx; t++) {
                int q = reflect101(p + t - r, j->npix);
                dst[e] += j->wx[t] * aug_load(row + (ptrdiff_t)(q * step + e % step) * es, fl);
            }
    }
}

static inline __attribute__((always_inline)) void blur_channel(const blur_job *j, int c, int y0,
                                                               int y1, float *ring, int fl)
{
    const aug_image *out = j->out;
    int w = out->w, ky = j->ky, ry = ky / 2;
    float *acc = ring + (size_t)ky * w;
    /* Ring slot of source row l (logical, before reflection): l mod ky. */
    for (int l = y0 - ry; l < y0 + ry && y0 < y1; l++)
        blur_hrow(j, c, l, ring + (size_t)(((l % ky) + ky) % ky) * w, fl);
    for (int y = y0; y < y1; y++) {
        int l = y + ry;
        blur_hrow(j, c, l, ring + (size_t)(((l % ky) + ky) % ky) * w, fl);
        for (int x = 0; x < w; x++)
            acc[x] = 0.0f;
        for (int t = 0; t < ky; t++) {
            int m = y - ry + t;
            const float *src = ring + (size_t)(((m % ky) + ky) % ky) * w;
            float wt = j->wy[t];
            for (int x = 0; x < w; x++)
                acc[x] += wt * src[x];
        }
        uint8_t *d = aug_at(out, c, y, 0);
        if (out->pix == (fl ? 4 : 1))
            for (int x = 0; x < w; x++)
                aug_store_small(d + x * (fl ? 4 : 1), fl, acc[x]);
        else
            for (int x = 0; x < w; x++)
                aug_store_small(d + x * out->pix, fl, acc[x]);
    }
}

static void blur_rows(void *arg, int ith, int nth)
{
    const blur_job *j = arg;
    float *ring = j->rings + (size_t)ith * (j->ky + 1) * j->out->w;
    int y0, y1;
    cnn_split_range(j->out->h, ith, nth, &y0, &y1);
    for (int c = 0; c < j->out->c; c++) {
        if (j->in->is_float)
            blur_channel(j, c, y0, y1, ring, 1);
        else
            blur_channel(j, c, y0, y1, ring, 0);
    }
}

static size_t blur_scratch(const aug_step *s, aug_shape in, aug_shape out, int n_threads)
{
    int kx = (int)s->v[BLUR_KERNEL][0], ky = (int)s->v[BLUR_KERNEL][1];
    return sizeof(float) * (size_t)(kx + ky) +
           sizeof(float) * (size_t)(ky + 1) * in.w * in.c * n_threads + 64;
}

static void blur_apply(cnn_context *ctx, const aug_step *s, const double *values,
                       cnn_rng_key key, const aug_image *in, const aug_image *out,
                       void *scratch)
{
    int kx = (int)s->v[BLUR_KERNEL][0], ky = (int)s->v[BLUR_KERNEL][1];
    float *wx = scratch, *wy = wx + kx;
    gaussian_kernel(wx, kx, (float)values[0]);
    gaussian_kernel(wy, ky, (float)values[0]);
    aug_image fi = *in, fo = *out;
    int step = aug_flatten(&fi, &fo) ? in->c : 1;
    /* Rings after the kernels, 64-byte aligned. */
    uintptr_t rings = ((uintptr_t)(wy + ky) + 63) & ~(uintptr_t)63;
    blur_job j = { &fi, &fo, step, in->w, kx, ky, wx, wy, (float *)rings };
    aug_parallel(ctx, blur_rows, &j);
}

const aug_kind aug_gaussian_blur = {
    .name = "gaussian-blur", .default_p = 1.0,
    .params = { { "kernel", AUG_NUMBERS, 1, 2, 1, 255, 1, NULL, 0, { 0 } },
                { "sigma", AUG_NUMBERS, 1, 2, 1e-3, 100, 0, NULL, 2, { 0.1, 2.0 } } },
    .finish = blur_finish, .shape = blur_shape, .draw = sigma_draw, .scratch = blur_scratch,
    .apply = blur_apply,
};

/* ---- motion-blur kernel=k angle=lo,hi ----
 * The kernel is a line of k taps through the centre at the drawn angle
 * (degrees, counter-clockwise from the x axis): the cells
 * (floor(t cos a + 0.5), -floor(t sin a + 0.5)) for t = -k/2 .. k/2, each weighted
 * 1 / (number of distinct cells); borders reflect (reflect101). */
enum { MOTION_KERNEL, MOTION_ANGLE };

typedef struct motion_tap {
    int dx, dy;
} motion_tap;

static int motion_taps(int k, double angle, motion_tap *taps)
{
    double a = angle * M_PI / 180.0;
    int n = 0;
    for (int t = -k / 2; t <= k / 2; t++) {
        motion_tap m = { (int)floor(t * cos(a) + 0.5), -(int)floor(t * sin(a) + 0.5) };
        int seen = 0;
        for (int i = 0; i < n; i++)
            seen |= taps[i].dx == m.dx && taps[i].dy == m.dy;
        if (!seen)
            taps[n++] = m;
    }
    return n;
}

static cnn_status motion_finish(aug_step *s)
{
    if ((int)s->v[MOTION_KERNEL][0] % 2 == 0)
        return aug_fail(s, "kernel", "must be odd, not %g", s->v[MOTION_KERNEL][0]);
    return aug_fixed_range(s, MOTION_ANGLE);
}

static cnn_status motion_shape(const aug_step *s, aug_shape in, aug_shape *out)
{
    int r = (int)s->v[MOTION_KERNEL][0] / 2;
    if (r >= in.w || r >= in.h)
        return aug_fail(s, "kernel", "too large for a %dx%d input", in.w, in.h);
    *out = in;
    return CNN_OK;
}

static cnn_status motion_draw(const aug_step *s, aug_shape in, aug_draw *d)
{
    aug_draw_value(d, "angle",
                   aug_draw_uniform(d, s->v[MOTION_ANGLE][0], s->v[MOTION_ANGLE][1]));
    return CNN_OK;
}

typedef struct motion_job {
    const aug_image *in, *out;
    const motion_tap *taps;
    int n_taps, r;
    const int32_t *xtab; /* byte offsets of columns -r .. w-1+r, reflected */
    float *rows;         /* per thread: one row of w floats */
} motion_job;

static void motion_rows(void *arg, int ith, int nth)
{
    const motion_job *j = arg;
    const aug_image *in = j->in, *out = j->out;
    int w = out->w, fl = in->is_float;
    float *acc = j->rows + (size_t)ith * w, wt = 1.0f / (float)j->n_taps;
    int y0, y1;
    cnn_split_range(out->h, ith, nth, &y0, &y1);
    for (int c = 0; c < out->c; c++) {
        for (int y = y0; y < y1; y++) {
            for (int x = 0; x < w; x++)
                acc[x] = 0.0f;
            for (int t = 0; t < j->n_taps; t++) {
                const uint8_t *row = aug_at(in, c, reflect101(y + j->taps[t].dy, in->h), 0);
                const int32_t *xt = j->xtab + j->r + j->taps[t].dx;
                for (int x = 0; x < w; x++)
                    acc[x] += aug_load(row + xt[x], fl);
            }
            uint8_t *d = aug_at(out, c, y, 0);
            for (int x = 0; x < w; x++)
                aug_store_small(d + x * out->pix, fl, acc[x] * wt);
        }
    }
}

static size_t motion_scratch(const aug_step *s, aug_shape in, aug_shape out, int n_threads)
{
    int k = (int)s->v[MOTION_KERNEL][0];
    return sizeof(motion_tap) * (size_t)k + sizeof(int32_t) * (size_t)(in.w + k) +
           sizeof(float) * (size_t)in.w * n_threads + 64;
}

static void motion_apply(cnn_context *ctx, const aug_step *s, const double *values,
                         cnn_rng_key key, const aug_image *in, const aug_image *out,
                         void *scratch)
{
    int k = (int)s->v[MOTION_KERNEL][0], r = k / 2;
    motion_tap *taps = scratch;
    int n = motion_taps(k, values[0], taps);
    int32_t *xtab = (int32_t *)(taps + k);
    for (int t = 0; t < in->w + 2 * r; t++)
        xtab[t] = (int32_t)(reflect101(t - r, in->w) * in->pix);
    uintptr_t rows = ((uintptr_t)(xtab + in->w + 2 * r) + 63) & ~(uintptr_t)63;
    motion_job j = { in, out, taps, n, r, xtab, (float *)rows };
    aug_parallel(ctx, motion_rows, &j);
}

const aug_kind aug_motion_blur = {
    .name = "motion-blur", .default_p = 1.0,
    .params = { { "kernel", AUG_NUMBERS, 1, 1, 3, 255, 1, NULL, 1, { 9 } },
                { "angle", AUG_NUMBERS, 1, 2, -360, 360, 0, NULL, 2, { 0, 360 } } },
    .finish = motion_finish, .shape = motion_shape, .draw = motion_draw,
    .scratch = motion_scratch, .apply = motion_apply,
};

/* ---- sharpen factor=f | lo,hi ---- */

typedef struct sharpen_job {
    const aug_image *in, *out;
    float factor, complement; /* float(ratio), float(1 - ratio): _blend's */
} sharpen_job;

static void sharpen_rows(void *arg, int ith, int nth)
{
    const sharpen_job *j = arg;
    const aug_image *in = j->in, *out = j->out;
    int w = in->w, h = in->h, fl = in->is_float;
    float f = j->factor, g = j->complement, bound = fl ? 1.0f : 255.0f;
    const float k1 = 1.0f / 13.0f, k5 = 5.0f / 13.0f;
    int y0, y1;
    cnn_split_range(h, ith, nth, &y0, &y1);
    for (int c = 0; c < out->c; c++) {
        for (int y = y0; y < y1; y++) {
            const uint8_t *r1 = aug_at(in, c, y, 0);
            const uint8_t *r0 = y > 0 ? r1 - in->row : r1, *r2 = y < h - 1 ? r1 + in->row : r1;
            ptrdiff_t p = in->pix;
            uint8_t *d = aug_at(out, c, y, 0);
            for (int x = 0; x < w; x++) {
                float v = aug_load(r1 + x * p, fl), deg = v;
                if (y > 0 && y < h - 1 && x > 0 && x < w - 1) {
                    const uint8_t *a = r0 + x * p, *b = r1 + x * p, *e = r2 + x * p;
                    deg = k1 * aug_load(a - p, fl) + k1 * aug_load(a, fl) +
                          k1 * aug_load(a + p, fl) + k1 * aug_load(b - p, fl) + k5 * v +
                          k1 * aug_load(b + p, fl) + k1 * aug_load(e - p, fl) +
                          k1 * aug_load(e, fl) + k1 * aug_load(e + p, fl);
                    if (!fl)
                        deg = (float)aug_round_u8(deg);
                }
                float r = aug_clampf(f * v + g * deg, 0.0f, bound);
                if (fl)
                    memcpy(d + x * out->pix, &r, 4);
                else
                    d[x * out->pix] = (uint8_t)r;
            }
        }
    }
}

static void sharpen_apply(cnn_context *ctx, const aug_step *s, const double *values,
                          cnn_rng_key key, const aug_image *in, const aug_image *out,
                          void *scratch)
{
    sharpen_job j = { in, out, (float)values[0], (float)(1.0 - values[0]) };
    /* torchvision leaves frames of 2 rows or columns or fewer as they are. */
    if (in->w <= 2 || in->h <= 2)
        aug_copy(ctx, in, out);
    else
        aug_parallel(ctx, sharpen_rows, &j);
}

const aug_kind aug_sharpen = {
    .name = "sharpen", .default_p = 1.0,
    .params = { { "factor", AUG_NUMBERS, 1, 2, 0, 100, 0, NULL, 0, { 0 } } },
    .finish = aug_range_finish, .draw = aug_range_draw, .apply = sharpen_apply,
};

/* ---- erasing scale=lo,hi ratio=lo,hi value=v (8-bit scale) ---- */
enum { ERASE_SCALE, ERASE_RATIO, ERASE_VALUE };

static cnn_status erasing_finish(aug_step *s)
{
    cnn_status st = aug_fixed_range(s, ERASE_SCALE);
    return st != CNN_OK ? st : aug_fixed_range(s, ERASE_RATIO);
}

static cnn_status erasing_draw(const aug_step *s, aug_shape in, aug_draw *d)
{
    /* RandomErasing.get_params: ten tries; none fitting erases nothing. */
    int box[4] = { 0, 0, 0, 0 };
    aug_draw_area_box(d, in, s->v[ERASE_SCALE], s->v[ERASE_RATIO], 1, box);
    aug_draw_value_box(d, box);
    return CNN_OK;
}

static void erasing_apply(cnn_context *ctx, const aug_step *s, const double *values,
                          cnn_rng_key key, const aug_image *in, const aug_image *out,
                          void *scratch)
{
    aug_copy(ctx, in, out);
    int x0 = (int)values[0], y0 = (int)values[1], w = (int)values[2], h = (int)values[3];
    for (int c = 0; c < out->c; c++) {
        int k = c < s->count[ERASE_VALUE] ? c : s->count[ERASE_VALUE] - 1;
        double v = s->v[ERASE_VALUE][k];
        float fv = (float)(out->is_float ? v / 255.0 : v);
        for (int y = y0; y < y0 + h; y++)
            for (int x = x0; x < x0 + w; x++)
                aug_store(aug_at(out, c, y, x), out->is_float, fv);
    }
}

const aug_kind aug_erasing = {
    .name = "erasing", .default_p = 0.5,
    .params = { { "scale", AUG_NUMBERS, 1, 2, 1e-6, 1, 0, NULL, 2, { 0.02, 0.33 } },
                { "ratio", AUG_NUMBERS, 1, 2, 1e-3, 1e3, 0, NULL, 2, { 0.3, 3.3 } },
                { "value", AUG_NUMBERS, 1, 4, 0, 255, 0, NULL, 1, { 0 } } },
    .finish = erasing_finish, .draw = erasing_draw, .apply = erasing_apply,
};

/* ---- gaussian-noise std=s | lo,hi (8-bit scale) and salt-pepper ---- */

typedef struct noise_job {
    const aug_image *in, *out;
    cnn_rng_key key;
    int salt_pepper;
    float std;            /* gaussian: on the frame's scale */
    float amount, salt;   /* salt and pepper: fraction of pixels, share of salt */
    cnn_normals_fn fill;  /* gaussian: the kernels */
    cnn_noise_rgb_u8_fn noise_rgb;
    float *normals;       /* gaussian: per thread, 3 rows of normals (w + 8 each) */
} noise_job;

/* The normals of row y of channel c (element e = (c * h + y) * w + x takes
 * normal e % 4 of block e / 4) into buf; returns where the row's start. */
static const float *row_normals(const noise_job *j, int c, int y, float *buf)
{
    uint64_t w = (uint64_t)j->out->w, e = ((uint64_t)c * j->out->h + y) * w, b0 = e >> 2;
    j->fill(buf, (size_t)(((e + w + 3) >> 2) - b0), j->key.seed, j->key.purpose,
            AUG_PIXEL_POSITION + b0);
    return buf + (e & 3);
}

/* Packed 8-bit RGB rows: the three channels' normals, then the kernel. */
static void gaussian_rows_rgb_u8(const noise_job *j, float *buf, int y0, int y1)
{
    int w = j->out->w;
    for (int y = y0; y < y1; y++) {
        const float *n0 = row_normals(j, 0, y, buf), *n1 = row_normals(j, 1, y, buf + w + 8);
        const float *n2 = row_normals(j, 2, y, buf + 2 * (w + 8));
        j->noise_rgb(aug_at(j->in, 0, y, 0), aug_at(j->out, 0, y, 0), n0, n1, n2, w, j->std);
    }
}

static void gaussian_rows(const noise_job *j, int ith, int y0, int y1)
{
    const aug_image *in = j->in, *out = j->out;
    int fl = in->is_float, w = out->w;
    float bound = fl ? 1.0f : 255.0f, std = j->std;
    float *buf = j->normals + (size_t)ith * 3 * (w + 8);
    ptrdiff_t ip = in->pix, op = out->pix;
    if (!fl && out->c == 3 && ip == 3 && op == 3 && in->plane == 1 && out->plane == 1) {
        gaussian_rows_rgb_u8(j, buf, y0, y1);
        return;
    }
    for (int c = 0; c < out->c; c++) {
        for (int y = y0; y < y1; y++) {
            const float *n = row_normals(j, c, y, buf);
            const uint8_t *s = aug_at(in, c, y, 0);
            uint8_t *d = aug_at(out, c, y, 0);
            if (fl)
                for (int x = 0; x < w; x++)
                    aug_store(d + x * op, 1,
                              aug_clampf(aug_load(s + x * ip, 1) + std * n[x], 0.0f, bound));
            else if (ip == 1 && op == 1) /* planar: contiguous, vectorised */
                for (int x = 0; x < w; x++)
                    d[x] = aug_round_u8_small((float)s[x] + std * n[x]);
            else
                for (int x = 0; x < w; x++)
                    d[x * op] = aug_round_u8_small((float)s[x * ip] + std * n[x]);
        }
    }
}

/* Pixel p = y * w + x takes word p % 4 of block p / 4. */
static void salt_pepper_rows(const noise_job *j, int y0, int y1)
{
    const aug_image *in = j->in, *out = j->out;
    int fl = in->is_float;
    float bound = fl ? 1.0f : 255.0f;
    uint32_t words[4];
    uint64_t cached = UINT64_MAX;
    for (int y = y0; y < y1; y++) {
        uint64_t p = (uint64_t)y * out->w;
        for (int x = 0; x < out->w; x++, p++) {
            if (p >> 2 != cached)
                cnn_rng_block(j->key, AUG_PIXEL_POSITION + (cached = p >> 2), words);
            float u = (float)(words[p & 3] >> 8) * (1.0f / 16777216.0f);
            for (int c = 0; c < out->c; c++) {
                float v = aug_load(aug_at(in, c, y, x), fl);
                if (u < j->amount)
                    v = u < j->amount * j->salt ? bound : 0.0f;
                aug_store(aug_at(out, c, y, x), fl, v);
            }
        }
    }
}

static void noise_rows(void *arg, int ith, int nth)
{
    const noise_job *j = arg;
    int y0, y1;
    cnn_split_range(j->out->h, ith, nth, &y0, &y1);
    if (j->salt_pepper)
        salt_pepper_rows(j, y0, y1);
    else
        gaussian_rows(j, ith, y0, y1);
}

static void gaussian_noise_apply(cnn_context *ctx, const aug_step *s, const double *values,
                                 cnn_rng_key key, const aug_image *in, const aug_image *out,
                                 void *scratch)
{
    float std = (float)(in->is_float ? values[0] / 255.0 : values[0]);
    const cnn_kernels *k = ctx ? cnn_context_kernels(ctx) : NULL;
    noise_job j = { in, out, key, 0, std, 0, 0, k ? k->normals : cnn_normals_c,
                    k ? k->noise_rgb_u8 : cnn_noise_rgb_u8_c, scratch };
    aug_parallel(ctx, noise_rows, &j);
}

static size_t gaussian_noise_scratch(const aug_step *s, aug_shape in, aug_shape out,
                                     int n_threads)
{
    return sizeof(float) * 3 * (size_t)(out.w + 8) * n_threads;
}

const aug_kind aug_gaussian_noise = {
    .name = "gaussian-noise", .default_p = 1.0,
    .params = { { "std", AUG_NUMBERS, 1, 2, 0, 255, 0, NULL, 0, { 0 } } },
    .finish = aug_range_finish, .draw = aug_range_draw, .scratch = gaussian_noise_scratch,
    .apply = gaussian_noise_apply,
};

static void salt_pepper_apply(cnn_context *ctx, const aug_step *s, const double *values,
                              cnn_rng_key key, const aug_image *in, const aug_image *out,
                              void *scratch)
{
    noise_job j = { in, out, key, 1, 0, (float)values[0], (float)s->v[1][0], NULL, NULL, NULL };
    aug_parallel(ctx, noise_rows, &j);
}

const aug_kind aug_salt_pepper = {
    .name = "salt-pepper", .default_p = 1.0,
    .params = { { "amount", AUG_NUMBERS, 1, 2, 0, 1, 0, NULL, 0, { 0 } },
                { "salt", AUG_NUMBERS, 1, 1, 0, 1, 0, NULL, 1, { 0.5 } } },
    .finish = aug_range_finish, .draw = aug_range_draw, .apply = salt_pepper_apply,
};
