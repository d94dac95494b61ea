/* Grayscale of packed 8-bit RGB rows as torchvision's rgb_to_grayscale on
 * uint8 tensors computes it: 0.2989 r + 0.587 g + 0.114 b in float32 (each
 * product and sum rounded, no fused multiply-add, (r + g) + b), truncated.
 * The augmentation's grayscale and the contrast mean use it, and
 * adjust_saturation blends every channel with it (_blend: a x + c gray in
 * float, truncated, saturated). */
#include "kernels.h"

static inline float gray_of_pixel(const uint8_t *p)
{
    float l = 0.2989f * (float)p[0] + 0.587f * (float)p[1];
    return (float)(int)(l + 0.114f * (float)p[2]);
}

void cnn_gray_rgb_u8_c(const uint8_t *rgb, uint8_t *dst, int w, int out_channels)
{
    for (int x = 0; x < w; x++) {
        uint8_t v = (uint8_t)(int)gray_of_pixel(rgb + 3 * x);
        for (int c = 0; c < out_channels; c++)
            dst[out_channels * x + c] = v;
    }
}

void cnn_saturation_rgb_u8_c(const uint8_t *rgb, uint8_t *dst, int w, float a, float complement)
{
    for (int x = 0; x < w; x++) {
        float b = complement * gray_of_pixel(rgb + 3 * x);
        for (int c = 0; c < 3; c++) {
            int v = (int)(a * (float)rgb[3 * x + c] + b);
            dst[3 * x + c] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    }
}

void cnn_grayscale_init_kernels(cnn_kernels *k, unsigned cpu_flags)
{
    k->gray_rgb_u8 = cnn_gray_rgb_u8_c;
    k->saturation_rgb_u8 = cnn_saturation_rgb_u8_c;
#if CNN_HAVE_X86
    cnn_grayscale_init_x86(k, cpu_flags);
#endif
}
