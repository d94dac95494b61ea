/* The activation loops, compiled once per CPU level: core/ops/activation.c
 * includes this for the C reference, core/x86/activation_<isa>.c with ISA
 * flags, each defining ACTIVATION_KERNEL (the function's name) first. The
 * code is plain C that the compiler vectorises at each level's width; with
 * no FMA contraction in ISO C mode, every level gives the same bits. Internal
 * header. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "kernels.h"

#define SQRT_2_OVER_PI 0.7978845608028654f
#define GELU_TANH_COEF 0.044715f
#define INV_SQRT_2 0.7071067811865476f
#define INV_SQRT_2PI 0.3989422804014327f

/* cond ? a : b on the bits. A float select whose result feeds arithmetic is
 * split into branches, which trapping-math semantics keep from vectorising;
 * integer masks are not. */
static inline float select_f32(int cond, float a, float b)
{
    int32_t ai, bi, m = -(int32_t)(cond != 0);
    memcpy(&ai, &a, sizeof ai);
    memcpy(&bi, &b, sizeof bi);
    ai = (ai & m) | (bi & ~m);
    memcpy(&a, &ai, sizeof a);
    return a;
}

/* Bits of 87.3f: |exp arguments| beyond it would take 2^n out of the normal
 * floats. */
#define EXP_LIMIT_BITS 0x42ae999a

/* exp(x) for float: Cody-Waite reduction by ln 2 and Cephes' expf
 * polynomial (under 2 ulp), branch-free so loops over it vectorise (libm's
 * expf and tanhf do not). |x| is clamped to 87.3 (exp saturates at 1.3e-38
 * and 7.4e37), NaN kept, on the integer bits: a float select feeding
 * arithmetic would be split into branches, which trapping-math semantics
 * keep from vectorising. */
static inline float exp_poly(float x)
{
    const float magic = 12582912.0f; /* 1.5 * 2^23: adding it rounds to an integer */
    int32_t xi, ai;
    memcpy(&xi, &x, sizeof xi);
    ai = xi & INT32_MAX;
    ai = ai > 0x7f800000 ? ai : ai < EXP_LIMIT_BITS ? ai : EXP_LIMIT_BITS;
    xi = (xi & INT32_MIN) | ai;
    memcpy(&x, &xi, sizeof x);
    float t = x * 1.44269504088896341f + magic, nf = t - magic;
    float r = x - nf * 0.693359375f - nf * -2.12194440e-4f, z = r * r;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * z + r + 1.0f;
    int32_t n, magic_bits, scale_bits;
    memcpy(&n, &t, sizeof n);
    memcpy(&magic_bits, &magic, sizeof magic_bits);
    scale_bits = (n - magic_bits + 127) << 23;
    float scale;
    memcpy(&scale, &scale_bits, sizeof scale);
    return p * scale;
}

/* tanh: Cephes' odd polynomial below |x| = 0.625, where 1 - 2 / (e^2x + 1)
 * would cancel, and that form above; both are computed and one selected. */
static inline float tanh_poly(float x)
{
    float ax = fabsf(x), z = x * x;
    float p = -5.70498872745e-3f;
    p = p * z + 2.06390887954e-2f;
    p = p * z - 5.37397155531e-2f;
    p = p * z + 1.33314422036e-1f;
    p = p * z - 3.33332819422e-1f;
    float small = x + x * z * p;
    float large = 1.0f - 2.0f / (exp_poly(2.0f * ax) + 1.0f);
    return select_f32(ax < 0.625f, small, select_f32(x < 0.0f, -large, large));
}

/* Horner's rule over n coefficients, highest degree first. */
static inline float poly_eval(const float *c, int n, float x)
{
    float p = c[0];
    for (int i = 1; i < n; i++)
        p = p * x + c[i];
    return p;
}

/* The normal CDF Phi(x) = (1 + erf(x / sqrt 2)) / 2 by Cephes' erff and
 * erfcf polynomials (below and above |x / sqrt 2| = 1; erfc above 2 with
 * its asymptotic set), so the lower tail keeps its relative accuracy where
 * 1 + erf would cancel. All branches are computed and one selected. */
static inline float phi_poly(float x)
{
    static const float erf_t[7] = {
        7.853861353153693e-5f, -8.010193625184903e-4f, 5.188327685732524e-3f,
        -2.685381193529856e-2f, 1.128358514861418e-1f, -3.761262582423300e-1f,
        1.128379165726710e+0f,
    };
    static const float erfc_p[9] = {
        2.326819970068386e-2f, -1.387039388740657e-1f, 3.687424674597105e-1f,
        -5.824733027278666e-1f, 6.210004621745983e-1f, -4.944515323274145e-1f,
        3.404879937665872e-1f, -2.741127028184656e-1f, 5.638259427386472e-1f,
    };
    static const float erfc_r[8] = {
        -1.047766399936249e+1f, 1.297719955372516e+1f, -7.495518717768503e+0f,
        2.921019019210786e+0f, -1.015265279202700e+0f, 4.218463358204948e-1f,
        -2.820767439740514e-1f, 5.641895067754075e-1f,
    };
    float u = x * INV_SQRT_2, a = fabsf(u);
    float erf_small = u * poly_eval(erf_t, 7, u * u);
    float ab = select_f32(a > 1.0f, a, 1.0f), q = 1.0f / ab, y = q * q;
    float tail = select_f32(ab < 2.0f, poly_eval(erfc_p, 9, y), poly_eval(erfc_r, 8, y));
    float erfc_big = exp_poly(-ab * ab) * q * tail; /* erfc(|u|), |u| >= 1 */
    float big = select_f32(u > 0.0f, 1.0f - 0.5f * erfc_big, 0.5f * erfc_big);
    return select_f32(a < 1.0f, 0.5f + 0.5f * erf_small, big);
}

static inline float sigmoid_poly(float x)
{
    return 1.0f / (1.0f + exp_poly(-x));
}

/* Every case is written so the compiler vectorises it: values read before
 * selecting, min/max as selects, exp, tanh and Phi by the polynomials
 * above. */
static void forward_range(cnn_activation act, float alpha, const float *x, float *y, size_t n)
{
    switch (act) {
    case CNN_ACT_RELU:
        for (size_t i = 0; i < n; i++)
            y[i] = x[i] > 0.0f ? x[i] : 0.0f;
        break;
    case CNN_ACT_LEAKY_RELU:
        for (size_t i = 0; i < n; i++) {
            float pos = x[i] > 0.0f ? x[i] : 0.0f, neg = x[i] < 0.0f ? x[i] : 0.0f;
            y[i] = pos + neg * alpha;
        }
        break;
    case CNN_ACT_SIGMOID:
        for (size_t i = 0; i < n; i++)
            y[i] = sigmoid_poly(x[i]);
        break;
    case CNN_ACT_TANH:
        for (size_t i = 0; i < n; i++)
            y[i] = tanh_poly(x[i]);
        break;
    case CNN_ACT_GELU:
        for (size_t i = 0; i < n; i++)
            y[i] = x[i] * phi_poly(x[i]);
        break;
    case CNN_ACT_GELU_TANH:
        for (size_t i = 0; i < n; i++) {
            float v = x[i];
            y[i] = 0.5f * v * (1.0f + tanh_poly(SQRT_2_OVER_PI * (v + GELU_TANH_COEF * v * v * v)));
        }
        break;
    case CNN_ACT_HARD_SWISH:
        for (size_t i = 0; i < n; i++) {
            float v = x[i], r6 = v + 3.0f;
            r6 = r6 > 0.0f ? r6 : 0.0f;
            r6 = r6 < 6.0f ? r6 : 6.0f;
            y[i] = v * r6 / 6.0f;
        }
        break;
    case CNN_ACT_RELU6:
        for (size_t i = 0; i < n; i++) {
            float v = x[i];
            y[i] = v < 0.0f ? 0.0f : v > 6.0f ? 6.0f : v;
        }
        break;
    }
}

static void backward_range(cnn_activation act, float alpha, const float *x, const float *dy,
                           float *dx, size_t n)
{
    switch (act) {
    case CNN_ACT_RELU:
        for (size_t i = 0; i < n; i++) {
            float g = dy[i];
            dx[i] = x[i] > 0.0f ? g : 0.0f;
        }
        break;
    case CNN_ACT_LEAKY_RELU:
        for (size_t i = 0; i < n; i++) {
            float g = dy[i];
            dx[i] = select_f32(x[i] > 0.0f, g, g * alpha);
        }
        break;
    case CNN_ACT_SIGMOID:
        for (size_t i = 0; i < n; i++) {
            float s = sigmoid_poly(x[i]);
            dx[i] = dy[i] * s * (1.0f - s);
        }
        break;
    case CNN_ACT_TANH:
        for (size_t i = 0; i < n; i++) {
            float t = tanh_poly(x[i]);
            dx[i] = dy[i] * (1.0f - t * t);
        }
        break;
    case CNN_ACT_GELU:
        for (size_t i = 0; i < n; i++) {
            float v = x[i];
            float cdf = phi_poly(v);
            float pdf = INV_SQRT_2PI * exp_poly(-0.5f * v * v);
            dx[i] = dy[i] * (cdf + v * pdf);
        }
        break;
    case CNN_ACT_GELU_TANH:
        for (size_t i = 0; i < n; i++) {
            float v = x[i], v2 = v * v;
            float t = tanh_poly(SQRT_2_OVER_PI * (v + GELU_TANH_COEF * v2 * v));
            float dinner = SQRT_2_OVER_PI * (1.0f + 3.0f * GELU_TANH_COEF * v2);
            dx[i] = dy[i] * (0.5f * (1.0f + t) + 0.5f * v * (1.0f - t * t) * dinner);
        }
        break;
    case CNN_ACT_HARD_SWISH:
        for (size_t i = 0; i < n; i++) {
            float v = x[i], g = dy[i];
            dx[i] = select_f32(v < -3.0f, 0.0f, select_f32(v <= 3.0f, g * (v / 3.0f + 0.5f), g));
        }
        break;
    case CNN_ACT_RELU6: /* PyTorch's hardtanh_backward: 0 at the kinks */
        for (size_t i = 0; i < n; i++) {
            float v = x[i], g = dy[i];
            dx[i] = select_f32(v > 0.0f && v < 6.0f, g, 0.0f);
        }
        break;
    }
}

void ACTIVATION_KERNEL(cnn_activation act, float alpha, const float *x, const float *dy,
                       float *out, size_t n)
{
    if (dy)
        backward_range(act, alpha, x, dy, out, n);
    else
        forward_range(act, alpha, x, out, n);
}
