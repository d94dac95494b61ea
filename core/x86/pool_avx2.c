/* AVX2 twins of the pooling kernels: max, min and avg windows with a
 * horizontal stride of 1 or 2 and no horizontal dilation, 8 float outputs
 * at a time over the interior (windows wholly inside the plane); the byte
 * kernel is pool_template.h. Borders, tails and the other modes go to the
 * C reference, which gives the same bits: maxima keep the first of equal
 * taps and propagate NaN, sums add the taps in the same row-major order and
 * divide. */
#include <math.h>

#include "vec_avx2.h"
#include "pool_template.h"

/* Even-indexed floats of p[0..16), in the lane order of
 * _mm256_shuffle_ps (fixed by permute_pairs at the end). */
static inline __m256 even_f32(const float *p)
{
    return _mm256_shuffle_ps(_mm256_loadu_ps(p), _mm256_loadu_ps(p + 8), 0x88);
}

static inline __m256 odd_f32(const float *p)
{
    return _mm256_shuffle_ps(_mm256_loadu_ps(p), _mm256_loadu_ps(p + 8), 0xDD);
}

/* Undo the shuffle's lane order: 64-bit chunks 0, 2, 1, 3. */
static inline __m256 permute_pairs(__m256 v)
{
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(v), 0xD8));
}

/* Fold one tap into 8 outputs; mode is a constant after inlining. Max and
 * min start from -inf/+inf and keep the earlier of equal taps; NaN is
 * tracked aside since max_ps drops it. */
ALWAYS_INLINE void fold_f32(int mode, __m256 *acc, __m256 *nan, __m256 v)
{
    if (mode == CNN_POOL_AVG) {
        *acc = _mm256_add_ps(*acc, v);
        return;
    }
    *nan = _mm256_or_ps(*nan, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
    *acc = mode == CNN_POOL_MAX ? _mm256_max_ps(v, *acc) : _mm256_min_ps(v, *acc);
}

/* Outputs [at, at + 8) of the row whose windows start at base. */
ALWAYS_INLINE __m256 window8_f32(int mode, int s2, const float *base, size_t row_step, int kh,
                                 int kw, __m256 divisor)
{
    __m256 acc = _mm256_set1_ps(mode == CNN_POOL_MAX ? -INFINITY
                                : mode == CNN_POOL_MIN ? INFINITY : 0.0f);
    __m256 nan = _mm256_setzero_ps();
    for (int ky = 0; ky < kh; ky++) {
        const float *r = base + ky * row_step;
        if (!s2) {
            for (int kx = 0; kx < kw; kx++)
                fold_f32(mode, &acc, &nan, _mm256_loadu_ps(r + kx));
            continue;
        }
        for (int kx = 0; kx < kw; kx += 2) {
            fold_f32(mode, &acc, &nan, even_f32(r + kx));
            if (kx + 1 < kw)
                fold_f32(mode, &acc, &nan, odd_f32(r + kx));
        }
    }
    if (mode == CNN_POOL_AVG)
        acc = _mm256_div_ps(acc, divisor);
    else
        acc = _mm256_blendv_ps(acc, _mm256_set1_ps(NAN), nan);
    return s2 ? permute_pairs(acc) : acc;
}

ALWAYS_INLINE void rows_f32(int mode, int s2, const cnn_pool2d_kernel_args *a, int ylo,
                            int yhi, int xlo, int xhi)
{
    const cnn_pool2d_window *w = &a->win;
    int reach = pool_x86_reach(w->stride_w, w->kw, 8);
    __m256 divisor = _mm256_set1_ps((float)(w->divisor > 0 ? w->divisor : w->kh * w->kw));
    size_t row_step = (size_t)w->dil_h * a->src_w;
    for (int oy = ylo; oy < yhi; oy++) {
        const float *rows = a->src + (size_t)(oy * w->stride_h - w->pad_top) * a->src_w;
        float *out = a->dst + (size_t)oy * a->out_w;
        int done = xlo, at;
        while ((at = pool_x86_vector_at(done, 8, xlo, xhi, w->stride_w, w->pad_left, reach,
                                        a->src_w)) >= 0) {
            _mm256_storeu_ps(out + at,
                             window8_f32(mode, s2, rows + at * w->stride_w - w->pad_left,
                                         row_step, w->kh, w->kw, divisor));
            done = at + 8;
        }
        cnn_pool2d_rect_c(a, oy, oy + 1, 0, xlo);
        cnn_pool2d_rect_c(a, oy, oy + 1, done, a->out_w);
    }
}

static void pool2d_f32_avx2(const cnn_pool2d_kernel_args *a, int oy0, int oy1)
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
    /* one specialised copy per mode and stride */
    switch (a->mode) {
    case CNN_POOL_MAX:
        if (s2)
            rows_f32(CNN_POOL_MAX, 1, a, ylo, yhi, xlo, xhi);
        else
            rows_f32(CNN_POOL_MAX, 0, a, ylo, yhi, xlo, xhi);
        break;
    case CNN_POOL_MIN:
        if (s2)
            rows_f32(CNN_POOL_MIN, 1, a, ylo, yhi, xlo, xhi);
        else
            rows_f32(CNN_POOL_MIN, 0, a, ylo, yhi, xlo, xhi);
        break;
    default:
        if (s2)
            rows_f32(CNN_POOL_AVG, 1, a, ylo, yhi, xlo, xhi);
        else
            rows_f32(CNN_POOL_AVG, 0, a, ylo, yhi, xlo, xhi);
        break;
    }
}

void cnn_pool2d_init_avx2(cnn_kernels *k)
{
    k->pool2d = pool2d_f32_avx2;
    k->pool2d_u8 = pool2d_u8_avx2;
}
