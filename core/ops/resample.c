/* Horizontal two-tap resampling of a float row into 8-bit values, the last
 * pass of bilinear downscaling (torch's linear interpolation):
 * d[x] = row[idx[2x]] wt[2x] + row[idx[2x + 1]] wt[2x + 1] (products and
 * sum rounded as floats, no fused multiply-add), rounded half to even and
 * saturated; |values| < 2^22. */
#include "kernels.h"
#include "ops/round_u8.h"

void cnn_resample2_row_u8_c(const float *row, const int32_t *idx, const float *wt, uint8_t *d,
                            int n)
{
    for (int x = 0; x < n; x++) {
        d[x] = cnn_round_u8(row[idx[2 * x]] * wt[2 * x] + row[idx[2 * x + 1]] * wt[2 * x + 1]);
    }
}

void cnn_resample_init_kernels(cnn_kernels *k, unsigned cpu_flags)
{
    k->resample2_row_u8 = cnn_resample2_row_u8_c;
#if CNN_HAVE_X86
    cnn_resample_init_x86(k, cpu_flags);
#endif
}
