/* Batch normalisation plane kernels, AVX2 + FMA: 8 lanes, two accumulators,
 * masked loads for the tail. */
#include <immintrin.h>

#include "kernels.h"

/* Lanes below `left` set. */
static __m256i tail_mask(size_t left)
{
    __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(left >= 8 ? 8 : (int)left), lanes);
}

static float hsum(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

void cnn_bn_stats_avx2(const float *x, size_t n, float shift, float out[2])
{
    __m256 vs = _mm256_set1_ps(shift);
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, q0 = s0, q1 = s0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(x + i), vs);
        __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(x + i + 8), vs);
        s0 = _mm256_add_ps(s0, d0);
        s1 = _mm256_add_ps(s1, d1);
        q0 = _mm256_fmadd_ps(d0, d0, q0);
        q1 = _mm256_fmadd_ps(d1, d1, q1);
    }
    for (; i < n; i += 8) {
        __m256i m = tail_mask(n - i);
        __m256 d = _mm256_and_ps(_mm256_sub_ps(_mm256_maskload_ps(x + i, m), vs),
                                 _mm256_castsi256_ps(m));
        s0 = _mm256_add_ps(s0, d);
        q0 = _mm256_fmadd_ps(d, d, q0);
    }
    out[0] = hsum(_mm256_add_ps(s0, s1));
    out[1] = hsum(_mm256_add_ps(q0, q1));
}

void cnn_scale_shift_avx2(const float *x, float *y, size_t n, float scale, float shift)
{
    __m256 va = _mm256_set1_ps(scale), vb = _mm256_set1_ps(shift);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256 y0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), va, vb);
        __m256 y1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8), va, vb);
        _mm256_storeu_ps(y + i, y0);
        _mm256_storeu_ps(y + i + 8, y1);
    }
    for (; i < n; i += 8) {
        __m256i m = tail_mask(n - i);
        _mm256_maskstore_ps(y + i, m, _mm256_fmadd_ps(_mm256_maskload_ps(x + i, m), va, vb));
    }
}

void cnn_bn_grad_sums_avx2(const float *x, const float *dy, size_t n, float mean, float out[2])
{
    __m256 vm = _mm256_set1_ps(mean);
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, p0 = s0, p1 = s0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256 g0 = _mm256_loadu_ps(dy + i), g1 = _mm256_loadu_ps(dy + i + 8);
        s0 = _mm256_add_ps(s0, g0);
        s1 = _mm256_add_ps(s1, g1);
        p0 = _mm256_fmadd_ps(g0, _mm256_sub_ps(_mm256_loadu_ps(x + i), vm), p0);
        p1 = _mm256_fmadd_ps(g1, _mm256_sub_ps(_mm256_loadu_ps(x + i + 8), vm), p1);
    }
    for (; i < n; i += 8) {
        __m256i m = tail_mask(n - i);
        __m256 g = _mm256_maskload_ps(dy + i, m);
        s0 = _mm256_add_ps(s0, g);
        p0 = _mm256_fmadd_ps(g, _mm256_sub_ps(_mm256_maskload_ps(x + i, m), vm), p0);
    }
    out[0] = hsum(_mm256_add_ps(s0, s1));
    out[1] = hsum(_mm256_add_ps(p0, p1));
}

void cnn_bn_backward_dx_avx2(const float *x, const float *dy, float *dx, size_t n, float mean,
                             float a, float b, float c)
{
    __m256 vm = _mm256_set1_ps(mean), va = _mm256_set1_ps(a), vb = _mm256_set1_ps(b);
    __m256 vc = _mm256_set1_ps(c);
    for (size_t i = 0; i < n; i += 8) {
        __m256i m = tail_mask(n - i);
        __m256 xc = _mm256_sub_ps(_mm256_maskload_ps(x + i, m), vm);
        __m256 r = _mm256_fmadd_ps(va, _mm256_maskload_ps(dy + i, m), _mm256_fmadd_ps(vb, xc, vc));
        _mm256_maskstore_ps(dx + i, m, r);
    }
}
