/* AVX-512 twins of the pooling kernels (F + BW): 16 float or 64 byte
 * outputs at a time, same cases and same bits as the AVX2 ones (see
 * pool_avx2.c); stride-2 columns are gathered in order by a two-source
 * permute, so no lane fix-up is needed for floats, and float rows end in a
 * masked vector rather than in the C reference. */
#include <math.h>

#include "vec_avx512.h"
#include "pool_template.h"

ALWAYS_INLINE void fold16_f32(int mode, __m512 *acc, __mmask16 *nan, __m512 v)
{
    if (mode == CNN_POOL_AVG) {
        *acc = _mm512_add_ps(*acc, v);
        return;
    }
    *nan |= _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
    *acc = mode == CNN_POOL_MAX ? _mm512_max_ps(v, *acc) : _mm512_min_ps(v, *acc);
}

/* Outputs [at, at + n) (1 <= n <= 16) of the row whose windows start at
 * base. Loads are masked to the taps of those n windows, so a row narrower
 * than a vector, or its last few outputs, never read past the windows. */
ALWAYS_INLINE __m512 window16_f32(int mode, int s2, const float *base, size_t row_step, int kh,
                                  int kw, int n, __m512 divisor)
{
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26,
                                           28, 30);
    const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
    __mmask16 m = (__mmask16)((1u << n) - 1);
    /* stride 2: a pair of taps reads 2n elements, a lone last tap 2n - 1 */
    __mmask32 pair = (__mmask32)(n == 16 ? ~0u : (1u << 2 * n) - 1), lone = pair >> 1;
    __m512 acc = _mm512_set1_ps(mode == CNN_POOL_MAX ? -INFINITY
                                : mode == CNN_POOL_MIN ? INFINITY : 0.0f);
    __mmask16 nan = 0;
    for (int ky = 0; ky < kh; ky++) {
        const float *r = base + ky * row_step;
        if (!s2) {
            for (int kx = 0; kx < kw; kx++)
                fold16_f32(mode, &acc, &nan, _mm512_maskz_loadu_ps(m, r + kx));
            continue;
        }
        for (int kx = 0; kx < kw; kx += 2) {
            __mmask32 k = kx + 1 < kw ? pair : lone;
            __m512 lo = _mm512_maskz_loadu_ps((__mmask16)k, r + kx);
            __m512 hi = _mm512_maskz_loadu_ps((__mmask16)(k >> 16), r + kx + 16);
            fold16_f32(mode, &acc, &nan, _mm512_permutex2var_ps(lo, even, hi));
            if (kx + 1 < kw)
                fold16_f32(mode, &acc, &nan, _mm512_permutex2var_ps(lo, odd, hi));
        }
    }
    if (mode == CNN_POOL_AVG)
        return _mm512_div_ps(acc, divisor);
    return _mm512_mask_mov_ps(acc, nan, _mm512_set1_ps(NAN));
}

ALWAYS_INLINE void rows16_f32(int mode, int s2, const cnn_pool2d_kernel_args *a, int ylo,
                              int yhi, int xlo, int xhi)
{
    const cnn_pool2d_window *w = &a->win;
    __m512 divisor = _mm512_set1_ps((float)(w->divisor > 0 ? w->divisor : w->kh * w->kw));
    size_t row_step = (size_t)w->dil_h * a->src_w;
    for (int oy = ylo; oy < yhi; oy++) {
        const float *rows = a->src + (size_t)(oy * w->stride_h - w->pad_top) * a->src_w;
        float *out = a->dst + (size_t)oy * a->out_w;
        for (int at = xlo; at < xhi; at += 16) {
            int n = xhi - at < 16 ? xhi - at : 16;
            _mm512_mask_storeu_ps(out + at, (__mmask16)((1u << n) - 1),
                                  window16_f32(mode, s2, rows + at * w->stride_w - w->pad_left,
                                               row_step, w->kh, w->kw, n, divisor));
        }
        cnn_pool2d_rect_c(a, oy, oy + 1, 0, xlo);
        cnn_pool2d_rect_c(a, oy, oy + 1, xhi, a->out_w);
    }
}

static void pool2d_f32_avx512(const cnn_pool2d_kernel_args *a, int oy0, int oy1)
{
    if (!pool_x86_f32_supported(a)) {
        cnn_pool2d_kernel_c(a, oy0, oy1);
        return;
    }
    int ylo, yhi, xlo, xhi;
    pool_x86_interior(&a->win, a->src_h, a->src_w, a->out_h, a->out_w, oy0, oy1, &ylo, &yhi,
                      &xlo, &xhi);
    cnn_pool2d_rect_c(a, oy0, ylo, 0, a->out_w);
    cnn_pool2d_rect_c(a, yhi, oy1, 0, a->out_w);
    int s2 = a->win.stride_w == 2;
    if (a->mode == CNN_POOL_MAX && s2)
        rows16_f32(CNN_POOL_MAX, 1, a, ylo, yhi, xlo, xhi);
    else if (a->mode == CNN_POOL_MAX)
        rows16_f32(CNN_POOL_MAX, 0, a, ylo, yhi, xlo, xhi);
    else if (a->mode == CNN_POOL_MIN && s2)
        rows16_f32(CNN_POOL_MIN, 1, a, ylo, yhi, xlo, xhi);
    else if (a->mode == CNN_POOL_MIN)
        rows16_f32(CNN_POOL_MIN, 0, a, ylo, yhi, xlo, xhi);
    else if (s2)
        rows16_f32(CNN_POOL_AVG, 1, a, ylo, yhi, xlo, xhi);
    else
        rows16_f32(CNN_POOL_AVG, 0, a, ylo, yhi, xlo, xhi);
}

void cnn_pool2d_init_avx512(cnn_kernels *k)
{
    k->pool2d = pool2d_f32_avx512;
    k->pool2d_u8 = pool2d_u8_avx512;
}
