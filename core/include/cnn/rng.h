/* Counter-based random numbers (Philox4x32-10, Salmon et al., SC'11).
 *
 * A value is a pure function of (seed, position, purpose): no state is carried
 * from one draw to the next, so results do not depend on thread count, order
 * of evaluation or machine. `purpose` separates independent streams (dropout
 * mask of layer 3, rotation angle of transform 2, ...). */
#ifndef CNN_RNG_H
#define CNN_RNG_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cnn_rng_key {
    uint64_t seed;
    uint64_t purpose;
} cnn_rng_key;

/* Four independent 32-bit words for counter `position`. */
void cnn_rng_block(cnn_rng_key key, uint64_t position, uint32_t out[4]);
/* One 32-bit word: word (position % 4) of block (position / 4). */
uint32_t cnn_rng_u32(cnn_rng_key key, uint64_t position);
/* Uniform in [0, 1) with 24 random bits. */
float cnn_rng_uniform(cnn_rng_key key, uint64_t position);
/* Uniform in [lo, hi). */
float cnn_rng_uniform_range(cnn_rng_key key, uint64_t position, float lo, float hi);
/* Standard normal by Box-Muller from the two halves of one block. */
float cnn_rng_normal(cnn_rng_key key, uint64_t position);
/* Derive a purpose from a parent purpose and an index (layer, transform). */
uint64_t cnn_rng_purpose(uint64_t parent, uint64_t index);

#ifdef __cplusplus
}
#endif
#endif
