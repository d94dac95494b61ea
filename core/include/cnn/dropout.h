/* Dropout: element-wise (nn.Dropout), channel-wise (nn.Dropout2d) and block
 * (DropBlock, Ghiasi et al. 2018) on x [N, C, ...] (block: [N, C, H, W]).
 *
 * Training zeroes what the mask drops and scales the rest: by 1 / (1 - p) for
 * element and channel modes, by count / count_kept for blocks. Inference is
 * the identity. Masks come from the counter generator keyed by p->key: element
 * i of the tensor (channel n * C + c, block seed position) draws position i,
 * so a key gives the same mask on any thread count and any machine; vary
 * key.purpose per layer and step. */
#ifndef CNN_DROPOUT_H
#define CNN_DROPOUT_H

#include <stddef.h>
#include <stdint.h>

#include "cnn/context.h"
#include "cnn/rng.h"
#include "cnn/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cnn_dropout_mode {
    CNN_DROPOUT_ELEMENT = 0,
    CNN_DROPOUT_CHANNEL,
    CNN_DROPOUT_BLOCK,
} cnn_dropout_mode;

typedef struct cnn_dropout_params {
    cnn_dropout_mode mode;
    float p;        /* drop probability; for blocks 1 - keep_prob */
    int block_size; /* DropBlock's square side */
    int training;   /* 0: identity */
    cnn_rng_key key;
} cnn_dropout_params;

/* Element mode, p = 0.5, block size 7, training, the given key. */
void cnn_dropout_params_init(cnn_dropout_params *p, cnn_dropout_mode mode, uint64_t seed,
                             uint64_t purpose);
/* DropBlock's seed rate: (1 - keep) / bs^2 * H * W / ((H - bs + 1) * (W - bs + 1)). */
float cnn_dropblock_gamma(float drop_prob, int block_size, int height, int width);

/* Bytes of the kept/dropped byte mask (1 = kept) for x: one per element, one
 * per channel in channel mode. */
size_t cnn_dropout_mask_size(const cnn_dropout_params *p, const cnn_tensor *x);

/* y = x * mask * scale. mask: cnn_dropout_mask_size() bytes or NULL, written
 * when given; block mode needs it. y may be x. */
cnn_status cnn_dropout_forward(cnn_context *ctx, const cnn_dropout_params *p,
                               const cnn_tensor *x, cnn_tensor *y, uint8_t *mask);
/* dx = dy * mask * scale with the forward's mask: read from mask when given,
 * otherwise drawn again from the key (element and channel modes). */
cnn_status cnn_dropout_backward(cnn_context *ctx, const cnn_dropout_params *p,
                                const cnn_tensor *dy, cnn_tensor *dx, const uint8_t *mask);

#ifdef __cplusplus
}
#endif
#endif
