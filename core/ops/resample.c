/* Horizontal two-tap resampling of a float row into 8-bit values, the last
 * pass of bilinear downscaling (torch's linear interpolation):
 * d[x] = row[idx[2x]] wt[2x] + row[idx[2x + 1]] wt[2x + 1] (products and
 * sum rounded as floats, no fused multiply-add), rounded half to even and
 * saturated; |values| < 2^22. Bilinear samples of packed RGB along a line
 * (warps), in fixed point. */
#include "kernels.h"
#include "ops/round_u8.h"

void cnn_resample2_row_u8_c(const float *row, const int32_t *idx, const float *wt, uint8_t *d,
                            int n)
{
    for (int x = 0; x < n; x++) {
        d[x] = cnn_round_u8(row[idx[2 * x]] * wt[2 * x] + row[idx[2 * x + 1]] * wt[2 * x + 1]);
    }
}

void cnn_warp_bilinear_rgb_u8_c(const uint8_t *s, ptrdiff_t stride, double ox, double dx,
                                double oy, double dy, int x, uint8_t *d, int n)
{
    for (int i = 0; i < n; i++, d += 3) {
        float ix = (float)(dx * (double)(x + i) + ox), iy = (float)(dy * (double)(x + i) + oy);
        int x0 = (int)ix, y0 = (int)iy; /* non-negative: truncation floors */
        int wx = (int)((ix - (float)x0) * 2048.0f + 0.5f);
        int wy = (int)((iy - (float)y0) * 2048.0f + 0.5f);
        const uint8_t *q = s + y0 * stride + x0 * 3, *r = q + stride;
        for (int c = 0; c < 3; c++) {
            int top = q[c] * (2048 - wx) + q[c + 3] * wx;
            int bottom = r[c] * (2048 - wx) + r[c + 3] * wx;
            d[c] = (uint8_t)((top * 2048 + (bottom - top) * wy + (1 << 21)) >> 22);
        }
    }
}

void cnn_resample_init_kernels(cnn_kernels *k, unsigned cpu_flags)
{
    k->resample2_row_u8 = cnn_resample2_row_u8_c;
    k->warp_bilinear_rgb_u8 = cnn_warp_bilinear_rgb_u8_c;
#if CNN_HAVE_X86
    cnn_resample_init_x86(k, cpu_flags);
#endif
}
