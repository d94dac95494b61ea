/* Philox4x32-10 on VLEN counters at once, bit-identical to cnn_rng_block(),
 * shared by the kernels drawing from the generator (dropout, normals). The
 * including file includes vec_<isa>.h first. */
#ifndef CNN_X86_PHILOX_TEMPLATE_H
#define CNN_X86_PHILOX_TEMPLATE_H

#include <stdint.h>

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

/* Lane j computes the block whose low counter word is c0[j] (high word
 * hi_block); the words are then transposed 4x4 inside each 128-bit lane, so
 * with lane j on block (VLEN / 4) * (j % 4) + j / 4 of a step, r[0..3] hold
 * the step's 4 * VLEN words in order. */
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

#endif
