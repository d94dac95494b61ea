/* AVX2 twins of the pooling kernels: max, min and avg windows with a
 * horizontal stride of 1 or 2 and no horizontal dilation, 8 float or 32
 * byte outputs at a time over the interior (windows wholly inside the
 * plane). Borders, tails and the other modes go to the C reference, which
 * gives the same bits: maxima keep the first of equal taps and propagate
 * NaN, sums add the taps in the same row-major order and divide. */
#include <immintrin.h>
#include <math.h>

#include "cnn/cpu.h"
#include "cnn/pool.h"
#include "kernels.h"

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

typedef struct f32_fold {
    int mode;
    __m256 acc, nan;
} f32_fold;

static inline void fold_f32(f32_fold *f, __m256 v, int first)
{
    if (f->mode == CNN_POOL_AVG) {
        f->acc = _mm256_add_ps(f->acc, v);
        return;
    }
    f->nan = _mm256_or_ps(f->nan, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
    if (first)
        f->acc = v;
    else if (f->mode == CNN_POOL_MAX)
        f->acc = _mm256_max_ps(v, f->acc); /* equal: keep the earlier tap */
    else
        f->acc = _mm256_min_ps(v, f->acc);
}

/* Rows [*ylo, *yhi) within [oy0, oy1) and columns [*xlo, *xhi) whose
 * windows lie inside the plane. */
static void interior(const cnn_pool2d_window *w, int src_h, int src_w, int out_h, int out_w,
                     int oy0, int oy1, int *ylo, int *yhi, int *xlo, int *xhi)
{
    cnn_pool2d_interior(src_h, out_h, w->kh, w->stride_h, w->dil_h, w->pad_top, ylo, yhi);
    cnn_pool2d_interior(src_w, out_w, w->kw, w->stride_w, w->dil_w, w->pad_left, xlo, xhi);
    *ylo = *ylo < oy0 ? oy0 : *ylo > oy1 ? oy1 : *ylo;
    *yhi = *yhi > oy1 ? oy1 : *yhi < *ylo ? *ylo : *yhi;
}

/* Whether the kernel below handles these arguments. */
static int f32_supported(const cnn_pool2d_kernel_args *a)
{
    const cnn_pool2d_window *w = &a->win;
    return (a->mode == CNN_POOL_MAX || a->mode == CNN_POOL_MIN || a->mode == CNN_POOL_AVG) &&
           !a->indices && (w->stride_w == 1 || w->stride_w == 2) && w->dil_w == 1;
}

static void pool2d_f32_avx2(const cnn_pool2d_kernel_args *a, int oy0, int oy1)
{
    if (!f32_supported(a)) {
        cnn_pool2d_kernel_c(a, oy0, oy1);
        return;
    }
    const cnn_pool2d_window *w = &a->win;
    int ylo, yhi, xlo, xhi;
    interior(w, a->src_h, a->src_w, a->out_h, a->out_w, oy0, oy1, &ylo, &yhi, &xlo, &xhi);
    cnn_pool2d_rect_c(a, oy0, ylo, 0, a->out_w);
    cnn_pool2d_rect_c(a, yhi, oy1, 0, a->out_w);
    if (ylo >= yhi)
        return;
    int s2 = w->stride_w == 2;
    /* furthest float read by a vector of outputs [ox, ox + 8), from ox */
    int reach = s2 ? 14 + (w->kw - 1) + (w->kw & 1) : 7 + w->kw - 1;
    __m256 divisor = _mm256_set1_ps((float)(w->divisor > 0 ? w->divisor : w->kh * w->kw));
    for (int oy = ylo; oy < yhi; oy++) {
        const float *rows = a->src + (size_t)(oy * w->stride_h - w->pad_top) * a->src_w;
        float *out = a->dst + (size_t)oy * a->out_w;
        int ox = xlo;
        for (; ox + 8 <= xhi && ox * w->stride_w - w->pad_left + reach < a->src_w; ox += 8) {
            const float *base = rows + ox * w->stride_w - w->pad_left;
            f32_fold f = { a->mode, _mm256_setzero_ps(), _mm256_setzero_ps() };
            for (int ky = 0; ky < w->kh; ky++) {
                const float *r = base + (size_t)ky * w->dil_h * a->src_w;
                if (!s2) {
                    for (int kx = 0; kx < w->kw; kx++)
                        fold_f32(&f, _mm256_loadu_ps(r + kx), ky == 0 && kx == 0);
                    continue;
                }
                for (int kx = 0; kx < w->kw; kx += 2) {
                    fold_f32(&f, even_f32(r + kx), ky == 0 && kx == 0);
                    if (kx + 1 < w->kw)
                        fold_f32(&f, odd_f32(r + kx), 0);
                }
            }
            __m256 v = f.acc;
            if (a->mode == CNN_POOL_AVG)
                v = _mm256_div_ps(v, divisor);
            else
                v = _mm256_blendv_ps(v, _mm256_set1_ps(NAN), f.nan);
            _mm256_storeu_ps(out + ox, s2 ? permute_pairs(v) : v);
        }
        cnn_pool2d_rect_c(a, oy, oy + 1, 0, xlo);
        cnn_pool2d_rect_c(a, oy, oy + 1, ox, a->out_w);
    }
}

/* Unsigned 16-bit division by a constant d >= 1 (Granlund & Montgomery
 * 1994, fig. 4.1): q = (t + ((n - t) >> sh1)) >> sh2 with t = mulhi(n, m). */
typedef struct u16_divider {
    __m256i m;
    __m128i sh1, sh2;
} u16_divider;

static u16_divider u16_divider_make(unsigned d)
{
    int l = 0;
    while ((1u << l) < d)
        l++;
    unsigned m = (unsigned)(((1ull << 16) * ((1ull << l) - d)) / d + 1);
    return (u16_divider){ _mm256_set1_epi16((short)m), _mm_cvtsi32_si128(l < 1 ? l : 1),
                          _mm_cvtsi32_si128(l > 1 ? l - 1 : 0) };
}

static inline __m256i u16_divide(__m256i n, const u16_divider *d)
{
    __m256i t = _mm256_mulhi_epu16(n, d->m);
    __m256i q = _mm256_add_epi16(t, _mm256_srl_epi16(_mm256_sub_epi16(n, t), d->sh1));
    return _mm256_srl_epi16(q, d->sh2);
}

typedef struct u8_fold {
    int mode;
    __m256i a, b; /* max/min: 32 bytes in a; avg: two halves of 16-bit sums */
} u8_fold;

/* Fold 32 outputs' worth of 16-bit values (two vectors, in output order
 * lo/hi as produced by the loaders). */
static inline void fold_u16(u8_fold *f, __m256i lo, __m256i hi, int first)
{
    if (first && f->mode != CNN_POOL_AVG) {
        f->a = lo, f->b = hi;
    } else if (f->mode == CNN_POOL_MAX) {
        f->a = _mm256_max_epi16(f->a, lo), f->b = _mm256_max_epi16(f->b, hi);
    } else if (f->mode == CNN_POOL_MIN) {
        f->a = _mm256_min_epi16(f->a, lo), f->b = _mm256_min_epi16(f->b, hi);
    } else {
        f->a = _mm256_add_epi16(f->a, lo), f->b = _mm256_add_epi16(f->b, hi);
    }
}

static int u8_supported(const cnn_pool2d_u8_args *a)
{
    const cnn_pool2d_window *w = &a->win;
    unsigned d = (unsigned)(w->divisor > 0 ? w->divisor : w->kh * w->kw);
    /* 16-bit sums: kh * kw * 255 plus the rounding half must stay below 2^16 */
    return (a->mode == CNN_POOL_MAX || a->mode == CNN_POOL_MIN || a->mode == CNN_POOL_AVG) &&
           (w->stride_w == 1 || w->stride_w == 2) && w->dil_w == 1 &&
           (a->mode != CNN_POOL_AVG || (unsigned)w->kh * w->kw * 255u + d / 2 < 65536u);
}

static void pool2d_u8_avx2(const cnn_pool2d_u8_args *a, int oy0, int oy1)
{
    if (!u8_supported(a)) {
        cnn_pool2d_u8_kernel_c(a, oy0, oy1);
        return;
    }
    const cnn_pool2d_window *w = &a->win;
    int ylo, yhi, xlo, xhi;
    interior(w, a->src_h, a->src_w, a->out_h, a->out_w, oy0, oy1, &ylo, &yhi, &xlo, &xhi);
    cnn_pool2d_u8_rect_c(a, oy0, ylo, 0, a->out_w);
    cnn_pool2d_u8_rect_c(a, yhi, oy1, 0, a->out_w);
    if (ylo >= yhi)
        return;
    int s2 = w->stride_w == 2, is_avg = a->mode == CNN_POOL_AVG;
    int reach = s2 ? 62 + (w->kw - 1) + (w->kw & 1) : 31 + w->kw - 1;
    unsigned d = (unsigned)(w->divisor > 0 ? w->divisor : w->kh * w->kw);
    u16_divider div = u16_divider_make(d);
    __m256i half = _mm256_set1_epi16((short)(d / 2)), lo8 = _mm256_set1_epi16(0xFF);
    __m256i zero = _mm256_setzero_si256();
    for (int oy = ylo; oy < yhi; oy++) {
        const uint8_t *rows = a->src + (oy * w->stride_h - w->pad_top) * a->src_stride;
        uint8_t *out = a->dst + oy * a->dst_stride;
        int ox = xlo;
        for (; ox + 32 <= xhi && ox * w->stride_w - w->pad_left + reach < a->src_w; ox += 32) {
            const uint8_t *base = rows + ox * w->stride_w - w->pad_left;
            u8_fold f = { a->mode, zero, zero };
            for (int ky = 0; ky < w->kh; ky++) {
                const uint8_t *r = base + ky * w->dil_h * a->src_stride;
                if (!s2) {
                    /* 16-bit halves in unpack order; packus restores it */
                    for (int kx = 0; kx < w->kw; kx++) {
                        __m256i v = _mm256_loadu_si256((const __m256i *)(r + kx));
                        fold_u16(&f, _mm256_unpacklo_epi8(v, zero),
                                 _mm256_unpackhi_epi8(v, zero), ky == 0 && kx == 0);
                    }
                    continue;
                }
                for (int kx = 0; kx < w->kw; kx += 2) {
                    __m256i v0 = _mm256_loadu_si256((const __m256i *)(r + kx));
                    __m256i v1 = _mm256_loadu_si256((const __m256i *)(r + kx + 32));
                    fold_u16(&f, _mm256_and_si256(v0, lo8), _mm256_and_si256(v1, lo8),
                             ky == 0 && kx == 0);
                    if (kx + 1 < w->kw)
                        fold_u16(&f, _mm256_srli_epi16(v0, 8), _mm256_srli_epi16(v1, 8), 0);
                }
            }
            if (is_avg) {
                __m256i cap = _mm256_set1_epi16(255);
                f.a = _mm256_min_epu16(u16_divide(_mm256_add_epi16(f.a, half), &div), cap);
                f.b = _mm256_min_epu16(u16_divide(_mm256_add_epi16(f.b, half), &div), cap);
            }
            __m256i packed = _mm256_packus_epi16(f.a, f.b);
            if (s2)
                packed = _mm256_permute4x64_epi64(packed, 0xD8);
            _mm256_storeu_si256((__m256i *)(out + ox), packed);
        }
        cnn_pool2d_u8_rect_c(a, oy, oy + 1, 0, xlo);
        cnn_pool2d_u8_rect_c(a, oy, oy + 1, ox, a->out_w);
    }
}

void cnn_pool2d_init_x86(cnn_kernels *k, unsigned cpu_flags)
{
    if (cpu_flags & CNN_CPU_AVX2) {
        k->pool2d = pool2d_f32_avx2;
        k->pool2d_u8 = pool2d_u8_avx2;
    }
}
