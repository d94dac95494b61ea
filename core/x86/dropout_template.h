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

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

/* hi and lo 32 bits of the 32x32 products a * m, per lane. */
static inline void mulhilo(VECI a, VECI m, VECI *hi, VECI *lo)
{
    VECI even = veci_mul_even(a, m);
    VECI odd = veci_mul_even(veci_srli64(a, 32), m);
    *hi = veci_blend_odd(veci_srli64(even, 32), odd);
    *lo = veci_blend_odd(even, veci_slli64(odd, 32));
}

static inline void philox(VECI c0, uint32_t hi_block, uint64_t seed, uint64_t purpose,
                          VECI r[4])
{
    VECI c1 = veci_set1(hi_block);
    VECI c2 = veci_set1((uint32_t)purpose), c3 = veci_set1((uint32_t)(purpose >> 32));
    VECI m0 = veci_set1(PHILOX_M0), m1 = veci_set1(PHILOX_M1);
    uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
    for (int round = 0; round < 10; round++) {
        VECI hi0, lo0, hi1, lo1;
        mulhilo(c0, m0, &hi0, &lo0);
        mulhilo(c2, m1, &hi1, &lo1);
        c0 = veci_xor(veci_xor(hi1, c1), veci_set1(k0));
        c1 = lo1;
        c2 = veci_xor(veci_xor(hi0, c3), veci_set1(k1));
        c3 = lo0;
        k0 += PHILOX_W0;
        k1 += PHILOX_W1;
    }
    VECI t0 = veci_unpacklo32(c0, c1), t1 = veci_unpacklo32(c2, c3);
    VECI t2 = veci_unpackhi32(c0, c1), t3 = veci_unpackhi32(c2, c3);
    r[0] = veci_unpacklo64(t0, t1);
    r[1] = veci_unpackhi64(t0, t1);
    r[2] = veci_unpacklo64(t2, t3);
    r[3] = veci_unpackhi64(t2, t3);
}

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
