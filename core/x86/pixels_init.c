/* x86 overrides of the pixel row kernels, in ascending ISA order. */
#include "cnn/cpu.h"
#include "kernels.h"

void cnn_pixels_luma_row_avx2(const uint8_t *px, uint8_t *luma, int width, int step, int r,
                              int g, int b);
void cnn_pixels_spread_row_avx2(const uint8_t *gray, uint8_t *px, int width, int step,
                                int keep);
void cnn_pixels_luma_row_avx512(const uint8_t *px, uint8_t *luma, int width, int step, int r,
                                int g, int b);
void cnn_pixels_spread_row_avx512(const uint8_t *gray, uint8_t *px, int width, int step,
                                  int keep);

void cnn_pixels_init_x86(cnn_kernels *k, unsigned cpu_flags)
{
    if (cpu_flags & CNN_CPU_AVX2) {
        k->pixels_luma_row = cnn_pixels_luma_row_avx2;
        k->pixels_spread_row = cnn_pixels_spread_row_avx2;
    }
    if (cpu_flags & CNN_CPU_AVX512) {
        k->pixels_luma_row = cnn_pixels_luma_row_avx512;
        k->pixels_spread_row = cnn_pixels_spread_row_avx512;
    }
}
