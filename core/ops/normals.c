/* Standard normals from the Philox stream, and Gaussian noise on packed
 * 8-bit RGB rows with them. Block b of a key gives
 * four normals by Box-Muller on its word pairs (w0, w1) and (w2, w3), with
 * u1 = ((w0 >> 8) + 1) / 2^24 in (0, 1] (so the logarithm is finite) and
 * u2 = (w1 >> 8) / 2^24: r = sqrt(-2 ln u1), normals r cos(2 pi u2) and
 * r sin(2 pi u2). Logarithm, sine and cosine are the polynomials of
 * normals_poly.h, which the SIMD twins evaluate with the same operations, so
 * every level gives the same bits (and no libm call stops vectorisation). */
#include <math.h>
#include <string.h>

#include "cnn/rng.h"
#include "kernels.h"
#include "ops/normals_poly.h"
#include "ops/round_u8.h"

static void normal_pair(uint32_t w0, uint32_t w1, float *n0, float *n1)
{
    float u1 = ((float)(w0 >> 8) + 1.0f) * (1.0f / 16777216.0f);
    float u2 = (float)(w1 >> 8) * (1.0f / 16777216.0f);

    /* ln u1 = e ln 2 + ln m with m in [sqrt(1/2), sqrt(2)]. */
    uint32_t bits, mbits;
    float m;
    memcpy(&bits, &u1, 4);
    float e = (float)((int32_t)(bits >> 23) - 127);
    mbits = (bits & 0x7fffffu) | 0x3f800000u;
    memcpy(&m, &mbits, 4);
    if (m > NORMALS_SQRT2) {
        m = m * 0.5f;
        e = e + 1.0f;
    }
    float t = (m - 1.0f) / (m + 1.0f), t2 = t * t;
    float p = NORMALS_L7 + t2 * NORMALS_L9;
    p = NORMALS_L5 + t2 * p;
    p = NORMALS_L3 + t2 * p;
    p = 1.0f + t2 * p;
    float r = sqrtf(-2.0f * (e * NORMALS_LN2 + (t + t) * p));

    /* 2 pi u2 = j pi / 2 + x, x in [-pi/4, pi/4]; q and q - j are exact. */
    float q = u2 * 4.0f;
    int j = (int)(q + 0.5f);
    float x = (q - (float)j) * NORMALS_HALF_PI, x2 = x * x;
    float s = NORMALS_S7 + x2 * NORMALS_S9;
    s = NORMALS_S5 + x2 * s;
    s = NORMALS_S3 + x2 * s;
    s = x + (x * x2) * s;
    float c = NORMALS_C8 + x2 * NORMALS_C10;
    c = NORMALS_C6 + x2 * c;
    c = NORMALS_C4 + x2 * c;
    c = NORMALS_C2 + x2 * c;
    c = 1.0f + x2 * c;
    float cs, sn;
    switch (j & 3) {
    case 0: cs = c, sn = s; break;
    case 1: cs = -s, sn = c; break;
    case 2: cs = -c, sn = -s; break;
    default: cs = s, sn = -c; break;
    }
    *n0 = r * cs;
    *n1 = r * sn;
}

void cnn_normals_c(float *out, size_t n_blocks, uint64_t seed, uint64_t purpose,
                   uint64_t first_block)
{
    cnn_rng_key key = { seed, purpose };
    for (size_t b = 0; b < n_blocks; b++) {
        uint32_t w[4];
        cnn_rng_block(key, first_block + b, w);
        normal_pair(w[0], w[1], out + 4 * b, out + 4 * b + 1);
        normal_pair(w[2], w[3], out + 4 * b + 2, out + 4 * b + 3);
    }
}

void cnn_noise_rgb_u8_c(const uint8_t *s, uint8_t *d, const float *n0, const float *n1,
                        const float *n2, int w, float std)
{
    for (int x = 0; x < w; x++) {
        d[3 * x] = cnn_round_u8((float)s[3 * x] + std * n0[x]);
        d[3 * x + 1] = cnn_round_u8((float)s[3 * x + 1] + std * n1[x]);
        d[3 * x + 2] = cnn_round_u8((float)s[3 * x + 2] + std * n2[x]);
    }
}

void cnn_normals_init_kernels(cnn_kernels *k, unsigned cpu_flags)
{
    k->normals = cnn_normals_c;
    k->noise_rgb_u8 = cnn_noise_rgb_u8_c;
#if CNN_HAVE_X86
    cnn_normals_init_x86(k, cpu_flags);
#endif
}
