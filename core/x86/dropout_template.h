/* Element dropout shared by the AVX2 and AVX-512 files: Philox4x32-10 on
 * VLEN blocks at once, 4 * VLEN elements per step, bit-identical to
 * cnn_rng_block(). The including file (after vec_<isa>.h) defines
 *   LANE_BLOCK        VECI of the block each lane computes (see below)
 *   store_kept(x, y, mask, words, threshold, scale)
 *                     y = words >= threshold ? x * scale : 0 and the byte
 *                     mask (when not NULL) for VLEN elements
 * Lane j computes block (VLEN / 4) * (j % 4) + j / 4 of the step, so the 4x4
 * transposes inside each 128-bit lane leave the words in element order. */
#include "kernels.h"
#include "philox_template.h"

void ISA_NAME(cnn_dropout)(const float *x, float *y, uint8_t *mask, size_t n, uint64_t seed,
                           uint64_t purpose, uint64_t first, uint32_t threshold, float scale)
{
    /* C until the position starts a block */
    size_t i = (4 - (first & 3)) & 3;
    if (i > n)
        i = n;
    cnn_dropout_c(x, y, mask, i, seed, purpose, first, threshold, scale);
    VECI thr = veci_set1(threshold);
    VEC vscale = vec_set1(scale);
    for (; i + 4 * VLEN <= n; i += 4 * VLEN) {
        uint64_t block = (first + i) >> 2;
        if ((uint32_t)block > UINT32_MAX - (VLEN - 1)) /* the low counter word would carry */
            break;
        VECI r[4];
        philox(veci_add(veci_set1((uint32_t)block), LANE_BLOCK), (uint32_t)(block >> 32), seed,
               purpose, r);
        for (int q = 0; q < 4; q++) {
            size_t o = i + (size_t)q * VLEN;
            store_kept(x + o, y + o, mask ? mask + o : NULL, r[q], thr, vscale);
        }
    }
    cnn_dropout_c(x + i, y + i, mask ? mask + i : NULL, n - i, seed, purpose, first + i,
                  threshold, scale);
}
