/* Batch normalisation plane kernels, AVX-512: 16 lanes, several independent
 * accumulators, masked tails. */
#include <immintrin.h>

#include "kernels.h"

static __mmask16 tail_mask(size_t left)
{
    return left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
}

void cnn_bn_stats_avx512(const float *x, size_t n, float shift, float out[2])
{
    __m512 vs = _mm512_set1_ps(shift);
    __m512 s0 = _mm512_setzero_ps(), s1 = s0, q0 = s0, q1 = s0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m512 d0 = _mm512_sub_ps(_mm512_loadu_ps(x + i), vs);
        __m512 d1 = _mm512_sub_ps(_mm512_loadu_ps(x + i + 16), vs);
        s0 = _mm512_add_ps(s0, d0);
        s1 = _mm512_add_ps(s1, d1);
        q0 = _mm512_fmadd_ps(d0, d0, q0);
        q1 = _mm512_fmadd_ps(d1, d1, q1);
    }
    for (; i < n; i += 16) {
        __mmask16 m = tail_mask(n - i);
        __m512 d = _mm512_maskz_sub_ps(m, _mm512_maskz_loadu_ps(m, x + i), vs);
        s0 = _mm512_add_ps(s0, d);
        q0 = _mm512_fmadd_ps(d, d, q0);
    }
    out[0] = _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
    out[1] = _mm512_reduce_add_ps(_mm512_add_ps(q0, q1));
}

void cnn_scale_shift_avx512(const float *x, float *y, size_t n, float scale, float shift)
{
    __m512 va = _mm512_set1_ps(scale), vb = _mm512_set1_ps(shift);
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m512 y0 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i), va, vb);
        __m512 y1 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i + 16), va, vb);
        _mm512_storeu_ps(y + i, y0);
        _mm512_storeu_ps(y + i + 16, y1);
    }
    for (; i < n; i += 16) {
        __mmask16 m = tail_mask(n - i);
        _mm512_mask_storeu_ps(y + i, m, _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, x + i), va, vb));
    }
}

void cnn_bn_grad_sums_avx512(const float *x, const float *dy, size_t n, float mean,
                             float out[2])
{
    __m512 vm = _mm512_set1_ps(mean);
    __m512 s0 = _mm512_setzero_ps(), s1 = s0, p0 = s0, p1 = s0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m512 g0 = _mm512_loadu_ps(dy + i), g1 = _mm512_loadu_ps(dy + i + 16);
        s0 = _mm512_add_ps(s0, g0);
        s1 = _mm512_add_ps(s1, g1);
        p0 = _mm512_fmadd_ps(g0, _mm512_sub_ps(_mm512_loadu_ps(x + i), vm), p0);
        p1 = _mm512_fmadd_ps(g1, _mm512_sub_ps(_mm512_loadu_ps(x + i + 16), vm), p1);
    }
    for (; i < n; i += 16) {
        __mmask16 m = tail_mask(n - i);
        __m512 g = _mm512_maskz_loadu_ps(m, dy + i);
        s0 = _mm512_add_ps(s0, g);
        p0 = _mm512_fmadd_ps(g, _mm512_sub_ps(_mm512_maskz_loadu_ps(m, x + i), vm), p0);
    }
    out[0] = _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
    out[1] = _mm512_reduce_add_ps(_mm512_add_ps(p0, p1));
}

void cnn_bn_backward_dx_avx512(const float *x, const float *dy, float *dx, size_t n,
                               float mean, float a, float b, float c)
{
    __m512 vm = _mm512_set1_ps(mean), va = _mm512_set1_ps(a), vb = _mm512_set1_ps(b);
    __m512 vc = _mm512_set1_ps(c);
    for (size_t i = 0; i < n; i += 16) {
        __mmask16 m = tail_mask(n - i);
        __m512 xc = _mm512_sub_ps(_mm512_maskz_loadu_ps(m, x + i), vm);
        __m512 r = _mm512_fmadd_ps(va, _mm512_maskz_loadu_ps(m, dy + i), _mm512_fmadd_ps(vb, xc, vc));
        _mm512_mask_storeu_ps(dx + i, m, r);
    }
}
