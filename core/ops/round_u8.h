/* Round half to even (the default rounding mode, like torch.round) and
 * saturate to 0..255, for |v| < 2^22: adding and removing 1.5 * 2^23 rounds
 * without a libm call, so loops vectorise. The 8-bit kernels' C references
 * use it; their SIMD twins get the same from cvtps and saturating packs. */
#ifndef CNN_OPS_ROUND_U8_H
#define CNN_OPS_ROUND_U8_H

#include <stdint.h>

static inline uint8_t cnn_round_u8(float v)
{
    int i = (int)((v + 12582912.0f) - 12582912.0f);
    return (uint8_t)(i < 0 ? 0 : i > 255 ? 255 : i);
}

#endif
