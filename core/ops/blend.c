/* Blend of 8-bit values with a constant, as torchvision's _blend computes
 * it on uint8 tensors (brightness, contrast): a x + b in float32 (product
 * and sum rounded, no fused multiply-add), truncated, saturated to 0..255. */
#include "kernels.h"

void cnn_blend_u8_c(const uint8_t *s, uint8_t *d, int n, float a, float b)
{
    for (int i = 0; i < n; i++) {
        int v = (int)(a * (float)s[i] + b);
        d[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
    }
}

void cnn_blend_init_kernels(cnn_kernels *k, unsigned cpu_flags)
{
    k->blend_u8 = cnn_blend_u8_c;
#if CNN_HAVE_X86
    cnn_blend_init_x86(k, cpu_flags);
#endif
}
