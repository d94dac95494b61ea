/* Augmentation transforms on frames, seeded and reproducible.
 *
 * A chain is parsed once from a description such as
 *   "flip-h p=0.5 ; rotate degrees=-15,15 ; color-jitter brightness=0.2 ;
 *    resized-crop size=224 scale=0.8,1.0"
 * Each frame (or each sample of a frame) then goes through two calls:
 * cnn_augment_draw() picks the random parameters of every step from the
 * counter-based generator keyed by (seed, frame key, sample, step position),
 * and cnn_augment_apply() runs the steps with those parameters. The same key
 * gives the same parameters and the same pixels on any thread count and
 * machine; "consistent" augmentation of a clip is just the same frame key for
 * every frame of the clip.
 *
 * Deterministic steps follow torchvision 0.14's functional API on tensors
 * (uint8 results within one grey level, float results within float32
 * rounding): 8-bit frames use the 0..255 scale, float frames the 0..1 scale.
 * Values given in a description on the 8-bit scale (fill, threshold) are
 * divided by 255 for float frames.
 *
 * Transforms (parameters with defaults; "lo,hi" draws uniformly, a single
 * value v means the range noted):
 *   flip-h, flip-v                 p=0.5
 *   resize size=W[,H] interp=bilinear (nearest, bilinear, bicubic, area)
 *          fit=stretch (letterbox: keep the aspect ratio inside W x H, bands
 *          of fill=0; shorter: size=S is the shorter side, like
 *          torchvision's resize with one int)
 *   rescale scale=1 offset=0       x * scale + offset
 *   crop size=W[,H]                random position (RandomCrop)
 *   center-crop size=W[,H] | fraction=f (tf.image.central_crop)
 *   resized-crop size=W[,H] scale=0.08,1 ratio=0.75,1.3333 interp=bilinear
 *   pad amount=a | lr,tb | l,t,r,b mode=constant (edge, reflect, symmetric) fill=0
 *   rotate degrees=d (-d,d) expand=0 (1: grow to hold the result; a fixed
 *          angle only)                        (RandomRotation)
 *   affine degrees=0 translate=0,0 (fractions of the size) scale=1,1
 *          shear=s (-s,s)                     (RandomAffine)
 *   translate fraction=fx[,fy]; zoom scale=lo,hi (RandomAffine with only
 *          translation or only scale)
 *   perspective distortion=0.5          (RandomPerspective; p=0.5)
 *   the warps above also take interp=bilinear (nearest), fill=0 (1 value or
 *   one per channel) and border=fill (reflect: grid_sample's reflection)
 *   brightness, contrast, saturation factor=f | lo,hi
 *   hue shift=s | lo,hi            (within -0.5..0.5)
 *   color-jitter brightness=b contrast=c saturation=s (1-x,1+x) hue=h (-h,h),
 *          applied in a drawn order (ColorJitter)
 *   gamma gamma=g | lo,hi gain=1
 *   grayscale channels=3 (1 or 3; ITU-R 601 weights)
 *   invert, solarize threshold=128, posterize bits=4 (float frames: on the
 *          8-bit grid)
 *   autocontrast, equalize (per channel; float frames on the 8-bit grid)
 *   channel-shuffle                 (a drawn permutation of the channels)
 *   gaussian-blur kernel=k[,ky] sigma=0.1,2 (GaussianBlur)
 *   motion-blur kernel=9 angle=0,360 (a line of taps through the centre,
 *          cells (floor(t cos a + 0.5), -floor(t sin a + 0.5)), t = -k/2..k/2)
 *   sharpen factor=f | lo,hi (adjust_sharpness)
 *   erasing scale=0.02,0.33 ratio=0.3,3.3 value=0 (RandomErasing; p=0.5)
 *   gaussian-noise std=s | lo,hi (8-bit scale, per element, clamped)
 *   salt-pepper amount=a | lo,hi salt=0.5 (fraction of pixels set to the
 *          maximum or 0 in all channels; salt: the maximum's share)
 * Every step takes p (probability of being applied, default 1; flips,
 * erasing and perspective 0.5).
 * Steps that change the frame size must have p=1 so the output size is
 * fixed. */
#ifndef CNN_AUGMENT_H
#define CNN_AUGMENT_H

#include <stddef.h>
#include <stdint.h>

#include "cnn/context.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cnn_frame_type {
    CNN_FRAME_U8 = 0, /* 0..255 */
    CNN_FRAME_F32,    /* 0..1 */
} cnn_frame_type;

typedef enum cnn_frame_layout {
    CNN_FRAME_PACKED = 0, /* RGBRGB... rows */
    CNN_FRAME_PLANAR,     /* one plane per channel */
} cnn_frame_layout;

/* A frame in caller memory; data points at element (0, 0) of channel 0.
 * Strides are in bytes: row_stride between rows (of one plane when planar),
 * plane_stride between planes (planar only). Packed frames may also set
 * pixel_stride (between pixels; 0: channels x element size) and
 * channel_step (from one channel to the next in a pixel; 0: element size),
 * so RGBx is 3 channels with pixel_stride 4, and BGRx is 3 channels with
 * data at R, pixel_stride 4, channel_step -1. Colour transforms take
 * channels 0, 1, 2 as R, G, B. */
typedef struct cnn_frame {
    void *data;
    int width, height, channels;
    cnn_frame_type type;
    cnn_frame_layout layout;
    ptrdiff_t row_stride;
    ptrdiff_t plane_stride;
    ptrdiff_t pixel_stride;
    ptrdiff_t channel_step;
} cnn_frame;

/* Describe tightly packed memory (row and plane strides from the sizes). */
void cnn_frame_init(cnn_frame *f, void *data, int width, int height, int channels,
                    cnn_frame_type type, cnn_frame_layout layout);

#define CNN_AUGMENT_MAX_CHANNELS 4 /* frames have 1 to 4 channels */
#define CNN_AUGMENT_MAX_STEPS 32
#define CNN_AUGMENT_MAX_VALUES 8

/* The drawn parameters of one step as name/value pairs, e.g. rotate:
 * angle=12.5; crops: x, y, width, height in pixels of the step's input. */
typedef struct cnn_augment_step_params {
    const char *transform; /* the name in the description */
    int applied;           /* 0 when skipped by its probability p */
    int n_values;
    const char *names[CNN_AUGMENT_MAX_VALUES];
    double values[CNN_AUGMENT_MAX_VALUES];
} cnn_augment_step_params;

typedef struct cnn_augment_params {
    uint64_t seed, frame_key, sample; /* the key they were drawn with */
    int in_width, in_height, in_channels;
    int n_steps;
    cnn_augment_step_params steps[CNN_AUGMENT_MAX_STEPS];
} cnn_augment_params;

/* A parsed chain is read-only afterwards: any number of threads may draw and
 * apply with one chain at once, each with its own context, params and
 * workspace. */
typedef struct cnn_augment_chain cnn_augment_chain;

/* Parse a description; on error the message names the step, the transform
 * and the parameter. An empty description is the identity. */
cnn_status cnn_augment_chain_parse(cnn_augment_chain **chain, const char *description);
void cnn_augment_chain_free(cnn_augment_chain *chain);
int cnn_augment_chain_length(const cnn_augment_chain *chain);

/* Output size for an RGB input of in_w x in_h (fixed for a chain), or an
 * error naming the step that cannot take it (a crop larger than its input). */
cnn_status cnn_augment_chain_output_size(const cnn_augment_chain *chain, int in_w, int in_h,
                                         int *out_w, int *out_h);
/* Same with the channel count (grayscale channels=1 changes it). */
cnn_status cnn_augment_chain_output_shape(const cnn_augment_chain *chain, int in_w, int in_h,
                                          int in_c, int *out_w, int *out_h, int *out_c);

/* Draw every step's parameters for an input of in_w x in_h x in_c. frame_key
 * is the frame number, or a clip/segment number for consistent mode. */
cnn_status cnn_augment_draw(const cnn_augment_chain *chain, uint64_t seed, uint64_t frame_key,
                            uint64_t sample, int in_w, int in_h, int in_c,
                            cnn_augment_params *params);

/* The drawn parameters as one line of JSON, for metadata and data set
 * records:
 *   {"seed":1,"frame":2,"sample":0,"steps":[{"transform":"flip-h",
 *    "applied":false},{"transform":"rotate","applied":true,"angle":12.5}]}
 * Writes at most size bytes, always terminated when size > 0, and returns
 * the length of the whole text like snprintf. Numbers round-trip. */
size_t cnn_augment_params_json(const cnn_augment_params *params, char *buf, size_t size);

/* Scratch bytes cnn_augment_apply() needs for this input frame shape and
 * type, on a context of n_threads threads (cnn_context_threads(); 1 for a
 * NULL context). 0 when the chain cannot take the shape. */
size_t cnn_augment_workspace_size(const cnn_augment_chain *chain, int in_w, int in_h, int in_c,
                                  cnn_frame_type type, int n_threads);

/* dst = chain(src) with drawn params, any layouts; dst has the output size
 * and channels. Steps run in the source type; a dst of the other type is
 * converted to at the end like convert_image_dtype (8-bit to float x / 255,
 * float to 8-bit x * 255.999 truncated). Nothing is allocated. */
cnn_status cnn_augment_apply(cnn_context *ctx, const cnn_augment_chain *chain,
                             const cnn_augment_params *params, const cnn_frame *src,
                             cnn_frame *dst, void *workspace);

#ifdef __cplusplus
}
#endif
#endif
