/* Warps, following torchvision 0.14 on tensors: rotate, affine, translate
 * and zoom through its inverse matrix (_get_inverse_affine_matrix, centre of
 * the image) and affine grid, perspective through _get_perspective_coeffs
 * and its grid; then grid_sample (align_corners=False) with zeros padding
 * blended with the fill value through the sampled mask as RandomRotation,
 * RandomAffine and RandomPerspective do, or with reflection padding. */
#include <math.h>
#include <string.h>

#include "augment_internal.h"
#include "cnn/threadpool.h"
#include "kernels.h"

static const char *const warp_interps[] = { "nearest", "bilinear", NULL };

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
    int rgb_affine; /* 8-bit packed RGB, bilinear, fill padding, affine */
    cnn_warp_bilinear_rgb_u8_fn bilinear_rgb;
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

/* One output pixel d sampling input coordinates (ix, iy); inlined with
 * constant fl, bilinear and reflect, and with the strides and channel count
 * of packed RGB as constants when nc is 3. */
static inline __attribute__((always_inline)) void
warp_pixel(const warp_job *j, float ix, float iy, uint8_t *d, int fl, int bilinear, int reflect,
           int nc, ptrdiff_t ip, ptrdiff_t icp, ptrdiff_t op)
{
    const aug_image *in = j->in;
    int w = in->w, h = in->h;
    ptrdiff_t ir = in->row;
    if (reflect)
        ix = reflect_coordinate(ix, w), iy = reflect_coordinate(iy, h);
    /* Far outside (or not a number): every tap misses. */
    if (!(ix > -2.0f && ix < (float)w + 1.0f && iy > -2.0f && iy < (float)h + 1.0f)) {
        for (int c = 0; c < nc; c++)
            aug_store(d + c * op, fl, j->fill[c]);
        return;
    }
    if (!bilinear) {
        int sx = (int)aug_round_even(ix), sy = (int)aug_round_even(iy);
        int inside = sx >= 0 && sx < w && sy >= 0 && sy < h;
        const uint8_t *src = in->data + sy * ir + sx * ip;
        for (int c = 0; c < nc; c++)
            aug_store(d + c * op, fl, inside ? aug_load(src + c * icp, fl) : j->fill[c]);
        return;
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
        return;
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

/* One output row through warp_pixel. */
static inline __attribute__((always_inline)) void
warp_row_strided(const warp_job *j, int y, int fl, int bilinear, int reflect, int nc,
                 ptrdiff_t ip, ptrdiff_t icp, ptrdiff_t opix, ptrdiff_t op)
{
    const aug_image *out = j->out;
    const double *p = j->p;
    double rx = p[1] * y + p[2], ry = p[4] * y + p[5], rd = p[7] * y + p[8];
    int projective = p[6] != 0.0 || p[7] != 0.0;
    uint8_t *d = aug_at(out, 0, y, 0);
    for (int x = 0; x < out->w; x++, d += opix) {
        float ix, iy;
        if (projective) {
            double den = p[6] * x + rd;
            ix = (float)((p[0] * x + rx) / den), iy = (float)((p[3] * x + ry) / den);
        } else { /* the denominator is exactly 1 */
            ix = (float)(p[0] * x + rx), iy = (float)(p[3] * x + ry);
        }
        warp_pixel(j, ix, iy, d, fl, bilinear, reflect, nc, ip, icp, op);
    }
}

/* Bilinear affine row of packed 8-bit RGB with fill padding. Runs of
 * pixels whose four taps are inside go to the fixed-point kernel: each
 * 11-bit weight is within 2^-12 of torchvision's, the result within 1/8 of a
 * grey level before rounding, so within one after. Others: warp_pixel. */
static void warp_row_rgb_u8_affine(const warp_job *j, int y, int x, int end_x)
{
    const aug_image *in = j->in;
    const double *p = j->p;
    double rx = p[1] * y + p[2], ry = p[4] * y + p[5];
    float last_x = (float)(in->w - 1), last_y = (float)(in->h - 1);
    uint8_t *d = aug_at(j->out, 0, y, 0);
#define INSIDE(x)                                                                      \
    (ix = (float)(p[0] * (double)(x) + rx), iy = (float)(p[3] * (double)(x) + ry),     \
     ix >= 0.0f && ix < last_x && iy >= 0.0f && iy < last_y)
    while (x < end_x) {
        float ix, iy;
        if (!INSIDE(x)) {
            warp_pixel(j, ix, iy, d + 3 * x, 0, 1, 0, 3, 3, 1, 1);
            x++;
            continue;
        }
        int end = x + 1;
        while (end < end_x && INSIDE(end))
            end++;
        j->bilinear_rgb(in->data, in->row, rx, p[0], ry, p[3], x, d + 3 * x, end - x);
        x = end;
    }
#undef INSIDE
}

static inline __attribute__((always_inline)) void warp_row(const warp_job *j, int y, int fl,
                                                           int bilinear, int reflect)
{
    const aug_image *in = j->in, *out = j->out;
    if (!fl && out->c == 3 && in->pix == 3 && in->plane == 1 && out->pix == 3 &&
        out->plane == 1)
        warp_row_strided(j, y, 0, bilinear, reflect, 3, 3, 1, 3, 1);
    else
        warp_row_strided(j, y, fl, bilinear, reflect, out->c, in->pix, in->plane, out->pix,
                         out->plane);
}

static void warp_rows(void *arg, int ith, int nth)
{
    const warp_job *j = arg;
    int y0, y1, fl = j->in->is_float;
    cnn_split_range(j->out->h, ith, nth, &y0, &y1);
    if (j->rgb_affine) {
        /* Columns of 256 pixels: the input lines under consecutive rows
         * stay in cache whatever the angle. */
        for (int x = 0; x < j->out->w; x += 256)
            for (int y = y0; y < y1; y++)
                warp_row_rgb_u8_affine(j, y, x, x + 256 < j->out->w ? x + 256 : j->out->w);
        return;
    }
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

cnn_warp_bilinear_rgb_u8_fn aug_bilinear_rgb_kernel(cnn_context *ctx, const aug_image *in)
{
    int64_t span = (int64_t)in->h * (in->row < 0 ? -in->row : in->row);
    return ctx && span < INT32_MAX ? cnn_context_kernels(ctx)->warp_bilinear_rgb_u8
                                   : cnn_warp_bilinear_rgb_u8_c;
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
                   (int)s->v[border][0] == BORDER_REFLECT, { 0 }, 0, NULL };
    memcpy(j.p, p, sizeof j.p);
    aug_fill_values(s, fill, out, j.fill);
    j.rgb_affine = j.bilinear && !j.reflect && p[6] == 0.0 && p[7] == 0.0 && !in->is_float &&
                   out->c == 3 && in->pix == 3 && in->plane == 1 && out->pix == 3 &&
                   out->plane == 1;
    j.bilinear_rgb = aug_bilinear_rgb_kernel(ctx, in);
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
    { "interp", AUG_WORD, 1, 1, 0, 0, 0, warp_interps, 1, { 1 } }, AUG_FILL_SPEC,          \
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
