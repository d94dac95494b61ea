/* Internals of the augmentation chain: the parsed step, the table entry each
 * transform provides (parse.c holds the list), and the image view the
 * kernels work on. Internal header. */
#ifndef CNN_AUGMENT_INTERNAL_H
#define CNN_AUGMENT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "cnn/augment.h"
#include "cnn/rng.h"
#include "cnn/status.h"
#include "kernels.h"

#define AUG_MAX_PARAMS 8
#define AUG_MAX_NUMS 4

/* One channel-addressable image: element (c, y, x) is at
 * data + c * plane + y * row + x * pix (byte steps), which covers packed and
 * planar frames and sub-windows of both with one code path. */
typedef struct aug_image {
    uint8_t *data;
    int w, h, c;
    int is_float;
    ptrdiff_t row, pix, plane;
} aug_image;

static inline uint8_t *aug_at(const aug_image *im, int c, int y, int x)
{
    return im->data + c * im->plane + (ptrdiff_t)y * im->row + (ptrdiff_t)x * im->pix;
}

typedef struct aug_shape {
    int w, h, c;
} aug_shape;

typedef enum aug_param_type {
    AUG_NUMBERS = 0, /* 1..max_count comma-separated numbers */
    AUG_WORD,        /* one of words[]; stored as its index in v[0] */
} aug_param_type;

typedef struct aug_param_spec {
    const char *name;
    aug_param_type type;
    int min_count, max_count;
    double lo, hi;             /* allowed values */
    int integer;               /* values must be whole numbers */
    const char *const *words;  /* AUG_WORD: NULL-terminated choices */
    int n_default;             /* 0: the parameter is required */
    double defaults[AUG_MAX_NUMS];
} aug_param_spec;

struct aug_kind;

/* A parsed step: the values of each parameter of its kind, by spec index. */
typedef struct aug_step {
    const struct aug_kind *kind;
    int index; /* position in the chain, from 0 */
    double p;
    int given[AUG_MAX_PARAMS];
    int count[AUG_MAX_PARAMS];
    double v[AUG_MAX_PARAMS][AUG_MAX_NUMS];
} aug_step;

/* The drawing state of one step: its key and the next counter position. */
typedef struct aug_draw {
    cnn_rng_key key;
    uint64_t position;
    cnn_augment_step_params *out;
} aug_draw;

typedef struct aug_kind {
    const char *name;
    double default_p;
    int changes_size; /* output size differs from input: p must be 1 */
    aug_param_spec params[AUG_MAX_PARAMS];
    /* Cross-parameter checks and normalisation (single value to range). */
    cnn_status (*finish)(aug_step *s);
    /* Output shape; NULL keeps the input shape. */
    cnn_status (*shape)(const aug_step *s, aug_shape in, aug_shape *out);
    /* Draw the step's values for an input shape; NULL draws none. */
    cnn_status (*draw)(const aug_step *s, aug_shape in, aug_draw *d);
    /* Scratch bytes for apply; NULL needs none. */
    size_t (*scratch)(const aug_step *s, aug_shape in, aug_shape out, int n_threads);
    /* out = step(in) with the drawn values; key is the step's generator key
     * for per-pixel draws (positions from AUG_PIXEL_POSITION on). in and
     * out never alias. */
    void (*apply)(cnn_context *ctx, const aug_step *s, const double *values, cnn_rng_key key,
                  const aug_image *in, const aug_image *out, void *scratch);
} aug_kind;

struct cnn_augment_chain {
    int n_steps;
    aug_step steps[CNN_AUGMENT_MAX_STEPS];
};

/* Counter positions of per-pixel draws, far above the step's own values. */
#define AUG_PIXEL_POSITION (UINT64_C(1) << 40)

/* The generator key of step i for (seed, frame key, sample). */
cnn_rng_key aug_step_key(uint64_t seed, uint64_t frame_key, uint64_t sample, int i);

/* Drawing helpers (draw.c): each call consumes one counter position. */
double aug_draw_uniform(aug_draw *d, double lo, double hi);
/* Integer uniform in [lo, hi] inclusive. */
int aug_draw_int(aug_draw *d, int lo, int hi);
void aug_draw_value(aug_draw *d, const char *name, double value);
/* Record box = {x, y, width, height} as values x, y, width, height. */
void aug_draw_value_box(aug_draw *d, const int box[4]);
/* Up to ten tries of a box of area scale x the input's and log-uniform
 * aspect ratio, at a uniform position; 0 when none fits (box untouched).
 * RandomResizedCrop's rule (width = sqrt(area * ratio), fits when <= the
 * size), or with erasing set RandomErasing's (height = sqrt(area * ratio),
 * fits when < the size). */
int aug_draw_area_box(aug_draw *d, aug_shape in, const double scale[2], const double ratio[2],
                      int erasing, int box[4]);

/* Index of a kind's parameter by name (-1 if it has none). */
int aug_param_index(const aug_kind *k, const char *name);

/* finish() helpers. A single value v of parameter i becomes the range
 * [max(center - v, floor), center + v] (torchvision's jitter and degrees
 * convention; v must then be >= 0); two values must satisfy lo <= hi. */
cnn_status aug_symmetric_range(aug_step *s, int i, double center, double floor);
/* A single value v becomes the range [v, v] (fixed factor, square size). */
cnn_status aug_fixed_range(aug_step *s, int i);

/* Shared parameter specs: size=W[,H] (required or not) and fill=v (one per
 * channel or one for all, on the 8-bit scale). */
#define AUG_SIZE_SPEC(required) \
    { "size", AUG_NUMBERS, 1, 2, 1, 65536, 1, NULL, (required) ? 0 : 1, { 0 } }
#define AUG_FILL_SPEC { "fill", AUG_NUMBERS, 1, 4, 0, 255, 0, NULL, 1, { 0 } }

/* size=S means S x S. */
static inline void aug_square_size(aug_step *s, int i)
{
    if (s->count[i] == 1)
        s->v[i][1] = s->v[i][0];
}

/* Drawn boxes (crops, erasing): values x, y, width, height. */
enum { AUG_BOX_X, AUG_BOX_Y, AUG_BOX_W, AUG_BOX_H };

/* finish() and draw() of steps whose first parameter is one range drawn
 * uniformly (a single value fixes it), recorded under the parameter's name. */
cnn_status aug_range_finish(aug_step *s);
cnn_status aug_range_draw(const aug_step *s, aug_shape in, aug_draw *d);

/* Error helper: "augment: step N (name): param: message". */
cnn_status aug_fail(const aug_step *s, const char *param, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Run fn(arg, ith, nth) on the context's threads; jobs split rows with
 * cnn_split_range(). */
void aug_parallel(cnn_context *ctx, void (*fn)(void *arg, int ith, int nth), void *arg);

/* Clamp and truncation without libm calls (fminf, truncf are calls on
 * baseline x86-64 and stop vectorisation). */
static inline float aug_clampf(float v, float lo, float hi)
{
    /* The exact semantics of maxss/minss, which vectorised loops use. */
    v = v > lo ? v : lo;
    return v < hi ? v : hi;
}

/* floor for |v| < 2^31 without a libm call (floorf is one on baseline
 * x86-64). */
static inline int aug_floor_int(float v)
{
    int i = (int)v;
    return i - ((float)i > v);
}

/* Truncation of a value in [0, 2^31). */
static inline float aug_trunc_pos(float v)
{
    return (float)(int)v;
}

/* Packed frames of the same channel count on both sides become one channel
 * of w * c elements (1 returned), so per-element loops run over contiguous
 * rows; otherwise 0 and the views are untouched. */
int aug_flatten(aug_image *in, aug_image *out);

/* out = in, same shape, any layouts; between types with torchvision's
 * convert_image_dtype scales (x / 255, x * 255.999 truncated). */
void aug_copy(cnn_context *ctx, const aug_image *in, const aug_image *out);

/* Store v into an 8-bit element, rounding half to even (torch.round) and
 * saturating. */
/* Round half to even for |v| < 2^22: adding and removing 1.5 * 2^23 rounds
 * in the default mode, without SSE4.1's roundps (nearbyintf is a libm call
 * on baseline x86-64), so loops vectorise. */
static inline float aug_round_even(float v)
{
    return (v + 12582912.0f) - 12582912.0f;
}

static inline uint8_t aug_round_u8(float v)
{
    return (uint8_t)(int)aug_round_even(aug_clampf(v, 0.0f, 255.0f));
}

/* The same for |v| < 2^22 (interpolated and filtered values), clamped as an
 * integer: integer selects vectorise where float ones do not. */
static inline int aug_clamp_u8(int i)
{
    i = i < 0 ? 0 : i;
    return i > 255 ? 255 : i;
}

static inline uint8_t aug_round_u8_small(float v)
{
    return (uint8_t)aug_clamp_u8((int)aug_round_even(v));
}

static inline float aug_load(const uint8_t *p, int is_float)
{
    float v;
    if (!is_float)
        return (float)*p;
    __builtin_memcpy(&v, p, 4);
    return v;
}

/* Store a value |v| < 2^22: as is for float frames, rounded and saturated
 * for 8-bit. */
static inline void aug_store_small(uint8_t *p, int is_float, float v)
{
    if (is_float)
        __builtin_memcpy(p, &v, 4);
    else
        *p = aug_round_u8_small(v);
}

/* Store a value: as is for float frames, rounded and saturated for 8-bit. */
static inline void aug_store(uint8_t *p, int is_float, float v)
{
    if (is_float)
        __builtin_memcpy(p, &v, 4);
    else
        *p = aug_round_u8(v);
}

/* geometry.c: the remap behind copies and nearest resizing. */
/* Fill values of a step's fill parameter (param < 0: zeros) for a frame. */
void aug_fill_values(const aug_step *s, int param, const aug_image *out, float *fill);
/* Scratch of the remap: tables for out.w * out.c columns and out.h rows. */
size_t aug_remap_scratch(const aug_step *s, aug_shape in, aug_shape out, int n_threads);
/* The box (bx, by, bw, bh) of the input to the output by nearest
 * interpolation (torch's nearest_idx); parts outside the input are filled. */
void aug_box_remap(cnn_context *ctx, const aug_image *in, const aug_image *out, int bx, int by,
                   int bw, int bh, const float *fill, void *scratch);

/* The bilinear packed RGB line kernel for frame in (warp.c): the context's,
 * or C's when the frame spans 2 GiB (the SIMD ones gather through 32-bit
 * offsets) or there is no context. */
cnn_warp_bilinear_rgb_u8_fn aug_bilinear_rgb_kernel(cnn_context *ctx, const aug_image *in);

/* The transforms, by file. */
extern const aug_kind aug_flip_h, aug_flip_v, aug_crop, aug_center_crop, aug_pad;
extern const aug_kind aug_resize, aug_resized_crop;
extern const aug_kind aug_rotate, aug_affine, aug_translate, aug_zoom, aug_perspective;
extern const aug_kind aug_rescale;
extern const aug_kind aug_brightness, aug_contrast, aug_saturation, aug_hue, aug_color_jitter,
    aug_gamma, aug_grayscale, aug_invert, aug_solarize, aug_posterize;
extern const aug_kind aug_gaussian_blur, aug_sharpen, aug_erasing, aug_gaussian_noise,
    aug_salt_pepper;
extern const aug_kind aug_autocontrast, aug_equalize, aug_channel_shuffle;
extern const aug_kind aug_motion_blur;

#endif
