/* AVX2 twins of the pooling kernels: max, min and avg windows with a
 * horizontal stride of 1 or 2 and no horizontal dilation, 8 float or 32
 * byte outputs at a time over the interior (windows wholly inside the
 * plane). Borders, tails and the other modes go to the C reference, which
 * gives the same bits: maxima keep the first of equal taps and propagate
 * NaN, sums add the taps in the same row-major order and divide. */
#include <immintrin.h>
#include <math.h>

#include "cnn/pool.h"
#include "kernels.h"
#include "pool_x86.h"

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

#define ALWAYS_INLINE static inline __attribute__((always_inline))

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

typedef struct u16_divider {
    __m256i m;
    __m128i sh1, sh2;
} u16_divider;

static u16_divider u16_divider_make(unsigned d)
{
    pool_x86_divider s = pool_x86_divider_make(d);
    return (u16_divider){ _mm256_set1_epi16((short)s.m), _mm_cvtsi32_si128(s.sh1),
                          _mm_cvtsi32_si128(s.sh2) };
}

static inline __m256i u16_divide(__m256i n, const u16_divider *d)
{
    __m256i t = _mm256_mulhi_epu16(n, d->m);
    __m256i q = _mm256_add_epi16(t, _mm256_srl_epi16(_mm256_sub_epi16(n, t), d->sh1));
    return _mm256_srl_epi16(q, d->sh2);
}

ALWAYS_INLINE __m256i minmax_u8(int mode, __m256i a, __m256i b)
{
    return mode == CNN_POOL_MAX ? _mm256_max_epu8(a, b) : _mm256_min_epu8(a, b);
}

ALWAYS_INLINE __m256i minmax_u16(int mode, __m256i a, __m256i b)
{
    return mode == CNN_POOL_MAX ? _mm256_max_epi16(a, b) : _mm256_min_epi16(a, b);
}

static inline __m256i load32(const uint8_t *p)
{
    return _mm256_loadu_si256((const __m256i *)p);
}

/* Outputs [at, at + 32) of the row whose windows start at base. Integer
 * max, min and sums are exact in any order, so rows fold before columns. */
ALWAYS_INLINE __m256i window32_u8(int mode, int s2, const uint8_t *base, ptrdiff_t row_step,
                                  int kh, int kw, const u16_divider *div, __m256i half)
{
    const __m256i lo8 = _mm256_set1_epi16(0xFF), zero = _mm256_setzero_si256();
    __m256i a, b;
    if (mode != CNN_POOL_AVG && !s2) {
        a = load32(base);
        for (int ky = 0; ky < kh; ky++)
            for (int kx = !ky; kx < kw; kx++)
                a = minmax_u8(mode, a, load32(base + ky * row_step + kx));
        return a;
    }
    if (mode != CNN_POOL_AVG) {
        /* fold the rows of each pair of columns, then split even and odd
         * bytes into 16-bit lanes for the horizontal step */
        a = b = mode == CNN_POOL_MAX ? zero : lo8;
        for (int kx = 0; kx < kw; kx += 2) {
            __m256i v0 = load32(base + kx), v1 = load32(base + kx + 32);
            for (int ky = 1; ky < kh; ky++) {
                v0 = minmax_u8(mode, v0, load32(base + ky * row_step + kx));
                v1 = minmax_u8(mode, v1, load32(base + ky * row_step + kx + 32));
            }
            a = minmax_u16(mode, a, _mm256_and_si256(v0, lo8));
            b = minmax_u16(mode, b, _mm256_and_si256(v1, lo8));
            if (kx + 1 < kw) {
                a = minmax_u16(mode, a, _mm256_srli_epi16(v0, 8));
                b = minmax_u16(mode, b, _mm256_srli_epi16(v1, 8));
            }
        }
        return _mm256_permute4x64_epi64(_mm256_packus_epi16(a, b), 0xD8);
    }
    const __m256i ones = _mm256_set1_epi8(1);
    a = b = zero;
    for (int ky = 0; ky < kh; ky++) {
        const uint8_t *r = base + ky * row_step;
        if (!s2) {
            /* 16-bit halves in unpack order; packus restores it */
            for (int kx = 0; kx < kw; kx++) {
                __m256i v = load32(r + kx);
                a = _mm256_add_epi16(a, _mm256_unpacklo_epi8(v, zero));
                b = _mm256_add_epi16(b, _mm256_unpackhi_epi8(v, zero));
            }
            continue;
        }
        for (int kx = 0; kx < kw; kx += 2) {
            __m256i v0 = load32(r + kx), v1 = load32(r + kx + 32);
            if (kx + 1 < kw) { /* byte pairs summed into 16 bits */
                a = _mm256_add_epi16(a, _mm256_maddubs_epi16(v0, ones));
                b = _mm256_add_epi16(b, _mm256_maddubs_epi16(v1, ones));
            } else {
                a = _mm256_add_epi16(a, _mm256_and_si256(v0, lo8));
                b = _mm256_add_epi16(b, _mm256_and_si256(v1, lo8));
            }
        }
    }
    a = _mm256_min_epu16(u16_divide(_mm256_add_epi16(a, half), div), lo8);
    b = _mm256_min_epu16(u16_divide(_mm256_add_epi16(b, half), div), lo8);
    __m256i packed = _mm256_packus_epi16(a, b);
    return s2 ? _mm256_permute4x64_epi64(packed, 0xD8) : packed;
}

ALWAYS_INLINE void rows_u8(int mode, int s2, const cnn_pool2d_u8_args *a, int ylo, int yhi,
                           int xlo, int xhi)
{
    const cnn_pool2d_window *w = &a->win;
    int reach = pool_x86_reach(w->stride_w, w->kw, 32);
    unsigned d = (unsigned)(w->divisor > 0 ? w->divisor : w->kh * w->kw);
    u16_divider div = u16_divider_make(d);
    __m256i half = _mm256_set1_epi16((short)(d / 2));
    ptrdiff_t row_step = w->dil_h * a->src_stride;
    for (int oy = ylo; oy < yhi; oy++) {
        const uint8_t *rows = a->src + (oy * w->stride_h - w->pad_top) * a->src_stride;
        uint8_t *out = a->dst + oy * a->dst_stride;
        int done = xlo, at;
        while ((at = pool_x86_vector_at(done, 32, xlo, xhi, w->stride_w, w->pad_left, reach,
                                        a->src_w)) >= 0) {
            _mm256_storeu_si256((__m256i *)(out + at),
                                window32_u8(mode, s2, rows + at * w->stride_w - w->pad_left,
                                            row_step, w->kh, w->kw, &div, half));
            done = at + 32;
        }
        cnn_pool2d_u8_rect_c(a, oy, oy + 1, 0, xlo);
        cnn_pool2d_u8_rect_c(a, oy, oy + 1, done, a->out_w);
    }
}

static void pool2d_u8_avx2(const cnn_pool2d_u8_args *a, int oy0, int oy1)
{
    if (!pool_x86_u8_supported(a)) {
        cnn_pool2d_u8_kernel_c(a, oy0, oy1);
        return;
    }
    int ylo, yhi, xlo, xhi;
    pool_x86_interior(&a->win, a->src_h, a->src_w, a->out_h, a->out_w, oy0, oy1, &ylo, &yhi,
                      &xlo, &xhi);
    cnn_pool2d_u8_rect_c(a, oy0, ylo, 0, a->out_w);
    cnn_pool2d_u8_rect_c(a, yhi, oy1, 0, a->out_w);
    int s2 = a->win.stride_w == 2;
    switch (a->mode) {
    case CNN_POOL_MAX:
        if (s2)
            rows_u8(CNN_POOL_MAX, 1, a, ylo, yhi, xlo, xhi);
        else
            rows_u8(CNN_POOL_MAX, 0, a, ylo, yhi, xlo, xhi);
        break;
    case CNN_POOL_MIN:
        if (s2)
            rows_u8(CNN_POOL_MIN, 1, a, ylo, yhi, xlo, xhi);
        else
            rows_u8(CNN_POOL_MIN, 0, a, ylo, yhi, xlo, xhi);
        break;
    default:
        if (s2)
            rows_u8(CNN_POOL_AVG, 1, a, ylo, yhi, xlo, xhi);
        else
            rows_u8(CNN_POOL_AVG, 0, a, ylo, yhi, xlo, xhi);
        break;
    }
}

void cnn_pool2d_init_avx2(cnn_kernels *k)
{
    k->pool2d = pool2d_f32_avx2;
    k->pool2d_u8 = pool2d_u8_avx2;
}
