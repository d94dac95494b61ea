/* Batch normalisation plane kernels, shared by the AVX2 and AVX-512 files,
 * which include vec_<isa>.h first. Two accumulators per sum hide the add
 * latency; the last n % VLEN values go through the C reference. */
#include "kernels.h"

void ISA_NAME(cnn_bn_stats)(const float *x, size_t n, float shift, float out[2])
{
    VEC vs = vec_set1(shift);
    VEC s0 = vec_zero(), s1 = s0, q0 = s0, q1 = s0;
    size_t i = 0;
    for (; i + 2 * VLEN <= n; i += 2 * VLEN) {
        VEC d0 = vec_sub(vec_loadu(x + i), vs), d1 = vec_sub(vec_loadu(x + i + VLEN), vs);
        s0 = vec_add(s0, d0);
        s1 = vec_add(s1, d1);
        q0 = vec_fmadd(d0, d0, q0);
        q1 = vec_fmadd(d1, d1, q1);
    }
    cnn_bn_stats_c(x + i, n - i, shift, out);
    out[0] += vec_hsum(vec_add(s0, s1));
    out[1] += vec_hsum(vec_add(q0, q1));
}

void ISA_NAME(cnn_scale_shift)(const float *x, float *y, size_t n, float scale, float shift)
{
    VEC va = vec_set1(scale), vb = vec_set1(shift);
    size_t i = 0;
    for (; i + 2 * VLEN <= n; i += 2 * VLEN) {
        VEC y0 = vec_fmadd(vec_loadu(x + i), va, vb);
        VEC y1 = vec_fmadd(vec_loadu(x + i + VLEN), va, vb);
        vec_storeu(y + i, y0);
        vec_storeu(y + i + VLEN, y1);
    }
    cnn_scale_shift_c(x + i, y + i, n - i, scale, shift);
}

void ISA_NAME(cnn_bn_grad_sums)(const float *x, const float *dy, size_t n, float mean,
                                float out[2])
{
    VEC vm = vec_set1(mean);
    VEC s0 = vec_zero(), s1 = s0, p0 = s0, p1 = s0;
    size_t i = 0;
    for (; i + 2 * VLEN <= n; i += 2 * VLEN) {
        VEC g0 = vec_loadu(dy + i), g1 = vec_loadu(dy + i + VLEN);
        s0 = vec_add(s0, g0);
        s1 = vec_add(s1, g1);
        p0 = vec_fmadd(g0, vec_sub(vec_loadu(x + i), vm), p0);
        p1 = vec_fmadd(g1, vec_sub(vec_loadu(x + i + VLEN), vm), p1);
    }
    cnn_bn_grad_sums_c(x + i, dy + i, n - i, mean, out);
    out[0] += vec_hsum(vec_add(s0, s1));
    out[1] += vec_hsum(vec_add(p0, p1));
}

void ISA_NAME(cnn_bn_backward_dx)(const float *x, const float *dy, float *dx, size_t n,
                                  float mean, float a, float b, float c)
{
    VEC vm = vec_set1(mean), va = vec_set1(a), vb = vec_set1(b), vc = vec_set1(c);
    size_t i = 0;
    for (; i + VLEN <= n; i += VLEN) {
        VEC xc = vec_sub(vec_loadu(x + i), vm);
        vec_storeu(dx + i, vec_fmadd(va, vec_loadu(dy + i), vec_fmadd(vb, xc, vc)));
    }
    cnn_bn_backward_dx_c(x + i, dy + i, dx + i, n - i, mean, a, b, c);
}
