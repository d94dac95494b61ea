/* Horizontal flip of packed 3-byte pixels (8-bit RGB rows): pixel x of the
 * output is pixel w - 1 - x of the input. */
#include <string.h>

#include "kernels.h"

void cnn_flip_rgb_u8_c(const uint8_t *s, uint8_t *d, int w)
{
    for (int x = 0; x < w; x++)
        memcpy(d + 3 * (size_t)x, s + 3 * (size_t)(w - 1 - x), 3);
}

void cnn_flip_init_kernels(cnn_kernels *k, unsigned cpu_flags)
{
    k->flip_rgb_u8 = cnn_flip_rgb_u8_c;
#if CNN_HAVE_X86
    cnn_flip_init_x86(k, cpu_flags);
#endif
}
