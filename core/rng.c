/* Philox4x32-10 counter-based generator (Salmon, Moraes, Dror & Shaw,
 * "Parallel random numbers: as easy as 1, 2, 3", SC 2011). The constants are
 * the published ones; the key is the seed, the counter is (position, purpose). */
#include <math.h>

#include "cnn/rng.h"

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

static void mulhilo(uint32_t a, uint32_t b, uint32_t *hi, uint32_t *lo)
{
    uint64_t p = (uint64_t)a * b;
    *hi = (uint32_t)(p >> 32);
    *lo = (uint32_t)p;
}

void cnn_rng_block(cnn_rng_key key, uint64_t position, uint32_t out[4])
{
    uint32_t c0 = (uint32_t)position, c1 = (uint32_t)(position >> 32);
    uint32_t c2 = (uint32_t)key.purpose, c3 = (uint32_t)(key.purpose >> 32);
    uint32_t k0 = (uint32_t)key.seed, k1 = (uint32_t)(key.seed >> 32);
    for (int round = 0; round < 10; round++) {
        uint32_t hi0, lo0, hi1, lo1;
        mulhilo(PHILOX_M0, c0, &hi0, &lo0);
        mulhilo(PHILOX_M1, c2, &hi1, &lo1);
        uint32_t n0 = hi1 ^ c1 ^ k0, n1 = lo1, n2 = hi0 ^ c3 ^ k1, n3 = lo0;
        c0 = n0, c1 = n1, c2 = n2, c3 = n3;
        k0 += PHILOX_W0;
        k1 += PHILOX_W1;
    }
    out[0] = c0, out[1] = c1, out[2] = c2, out[3] = c3;
}

uint32_t cnn_rng_u32(cnn_rng_key key, uint64_t position)
{
    uint32_t block[4];
    cnn_rng_block(key, position >> 2, block);
    return block[position & 3];
}

float cnn_rng_uniform(cnn_rng_key key, uint64_t position)
{
    return (float)(cnn_rng_u32(key, position) >> 8) * (1.0f / 16777216.0f);
}

float cnn_rng_uniform_range(cnn_rng_key key, uint64_t position, float lo, float hi)
{
    return lo + (hi - lo) * cnn_rng_uniform(key, position);
}

float cnn_rng_normal(cnn_rng_key key, uint64_t position)
{
    uint32_t block[4];
    cnn_rng_block(key, position, block);
    /* u1 in (0, 1] so the logarithm is finite. */
    double u1 = ((double)(block[0] >> 8) + 1.0) / 16777216.0;
    double u2 = (double)(block[1] >> 8) / 16777216.0;
    return (float)(sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2));
}

uint64_t cnn_rng_purpose(uint64_t parent, uint64_t index)
{
    /* splitmix64 finaliser of the pair: cheap, well mixed, and stable. */
    uint64_t z = parent * 0x9E3779B97F4A7C15ull + index + 0x632BE59BD9B4E019ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
