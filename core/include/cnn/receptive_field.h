/* Receptive fields of a stack of layers, along one spatial axis.
 *
 * The recurrences of Araujo, Norris & Sim, "Computing Receptive Fields of
 * Convolutional Neural Networks" (Distill, 2019), with the effective kernel
 * k' = dilation * (kernel - 1) + 1 of layer l:
 *   size_l  = size_{l-1} + (k'_l - 1) * jump_{l-1}          size_0 = 1
 *   jump_l  = jump_{l-1} * stride_l                          jump_0 = 1
 *   start_l = start_{l-1} + ((k'_l - 1) / 2 - pad_l) * jump_{l-1}
 *
 * Convention for start: continuous input coordinates where input pixel i
 * covers [i, i + 1), so its centre is i + 0.5 and start_0 = 0.5. start_l is
 * the centre of the field of output 0 of layer l; output i of that layer is
 * centred at start_l + i * jump_l. A start below 0.5 means the field reaches
 * into the padding. Square layers use the same numbers on both axes.
 *
 * "Same" padding (pad_same, as cnn_conv2d_pad_same and TensorFlow) pads
 * total = max(0, (out - 1) * stride + k' - in) with out = ceil(in / stride),
 * before = total / 2 on the side of output 0 and the rest after. With
 * stride > 1 the padding before, hence start, depends on the layer's input
 * size: the size must be known for start to be. */
#ifndef CNN_RECEPTIVE_FIELD_H
#define CNN_RECEPTIVE_FIELD_H

#include <stdint.h>

#include "cnn/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One layer along one axis. Pooling and convolution are the same to the
 * recurrence; a fully connected layer over an n-pixel map is kernel n. */
typedef struct cnn_rf_layer {
    int kernel;       /* >= 1 */
    int stride;       /* >= 1 */
    int padding;      /* >= 0, added on both sides */
    int dilation;     /* >= 1 */
    const char *name; /* label for messages and printing; may be NULL */
    int pad_same;     /* non-zero: "same" padding from the input size; padding is ignored */
} cnn_rf_layer;

/* Field of layer l (after it has been applied). */
typedef struct cnn_rf_info {
    int64_t size;  /* receptive field size in input pixels */
    int64_t jump;  /* input pixels between neighbouring outputs (effective stride) */
    double start;  /* centre of output 0's field, convention above; NAN when
                      it depends on an input size not given */
    int out_size;  /* feature map size for the given input size (0: not given) */
    int pad_before; /* padding before output 0 (left or top) this layer used;
                       -1 when it depends on an input size not given */
} cnn_rf_info;

/* Fill out[0..n) for layers[0..n) applied to an input of in_size pixels,
 * or of an unknown size when in_size is 0 (maps then never vanish, and
 * start becomes NAN from the first "same" layer whose padding depends on
 * the size). Output sizes use PyTorch's floor formula
 *   out = (in + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1,
 * ceil(in / stride) for "same". Fails naming the layer when a parameter is
 * out of range or a map would become empty. */
cnn_status cnn_rf_compute(const cnn_rf_layer *layers, int n, int in_size, cnn_rf_info *out);

/* The smallest number of repetitions of the block layers[0..n) (e.g. one
 * 3x3 stride-1 conv, or a conv followed by a 2x2 pool) whose receptive field
 * covers in_size pixels: size >= in_size. *field (may be NULL) receives the
 * field after those repetitions. Fails when the block does not grow the
 * field, or when the feature map would vanish before the input is covered. */
cnn_status cnn_rf_layers_to_cover(const cnn_rf_layer *block, int n, int in_size,
                                  int *repeats, cnn_rf_info *field);

#ifdef __cplusplus
}
#endif
#endif
