/* Bilinear samples of packed RGB along a line, AVX-512: 16 pixels per step
 * (warp_template.h), the 48 bytes compacted by one permute and a masked
 * store. */
#include <immintrin.h>

#include "kernels.h"

#include "vec_avx512.h"

/* The three filled words of each 128-bit lane, compacted, 48 bytes. */
static inline void store_pixels(uint8_t *d, __m512i px)
{
    const __m512i compact = _mm512_setr_epi32(0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 0, 0, 0, 0);
    _mm512_mask_storeu_epi32(d, 0x0FFF, _mm512_permutexvar_epi32(compact, px));
}

#include "warp_template.h"
