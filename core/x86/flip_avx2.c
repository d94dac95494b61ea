/* Horizontal flip of packed 8-bit RGB rows, AVX2 file (SSSE3 shuffles):
 * five pixels per 16-byte load and store; each store's last byte is
 * rewritten by the next one, so steps stop one pixel before the row end. */
#include <immintrin.h>

#include "kernels.h"

void cnn_flip_rgb_u8_avx2(const uint8_t *s, uint8_t *d, int w)
{
    /* Loaded bytes 1..15 are the five pixels ending at pixel w - 1 - x;
     * output byte k takes byte 1 + 3 (4 - k / 3) + k % 3. */
    const __m128i rev = _mm_setr_epi8(13, 14, 15, 10, 11, 12, 7, 8, 9, 4, 5, 6, 1, 2, 3, 0);
    int x = 0;
    for (; x + 6 <= w; x += 5) {
        __m128i v = _mm_loadu_si128((const __m128i *)(s + 3 * (ptrdiff_t)(w - x - 5) - 1));
        _mm_storeu_si128((__m128i *)(d + 3 * (ptrdiff_t)x), _mm_shuffle_epi8(v, rev));
    }
    cnn_flip_rgb_u8_c(s, d + 3 * (ptrdiff_t)x, w - x);
}
