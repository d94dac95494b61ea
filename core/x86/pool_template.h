/* Byte pooling kernels, shared by the AVX2 and AVX-512 files, which include
 * vec_<isa>.h first: max, min and avg windows with a horizontal stride of 1
 * or 2, VLEN8 byte outputs at a time over the interior (windows wholly
 * inside the plane); borders and tails go to the C reference, which gives
 * the same bits. Integer max, min and sums are exact in any order, so rows
 * fold before columns. */
#include "cnn/pool.h"
#include "kernels.h"
#include "pool_x86.h"

#define ALWAYS_INLINE static inline __attribute__((always_inline))

typedef struct u16_divider {
    VECI m;
    __m128i sh1, sh2;
} u16_divider;

static u16_divider u16_divider_make(unsigned d)
{
    pool_x86_divider s = pool_x86_divider_make(d);
    return (u16_divider){ veci_set1_16(s.m), _mm_cvtsi32_si128(s.sh1),
                          _mm_cvtsi32_si128(s.sh2) };
}

static inline VECI u16_divide(VECI n, const u16_divider *d)
{
    VECI t = veci_mulhi_u16(n, d->m);
    VECI q = veci_add16(t, veci_srl16(veci_sub16(n, t), d->sh1));
    return veci_srl16(q, d->sh2);
}

ALWAYS_INLINE VECI minmax_u8(int mode, VECI a, VECI b)
{
    return mode == CNN_POOL_MAX ? veci_max_u8(a, b) : veci_min_u8(a, b);
}

ALWAYS_INLINE VECI minmax_u16(int mode, VECI a, VECI b)
{
    return mode == CNN_POOL_MAX ? veci_max_i16(a, b) : veci_min_i16(a, b);
}

/* Outputs [at, at + VLEN8) of the row whose windows start at base. */
ALWAYS_INLINE VECI window_u8(int mode, int s2, const uint8_t *base, ptrdiff_t row_step, int kh,
                             int kw, const u16_divider *div, VECI half)
{
    const VECI lo8 = veci_set1_16(0xFF), zero = veci_zero();
    VECI a, b;
    if (mode != CNN_POOL_AVG && !s2) {
        a = veci_loadu8(base);
        for (int ky = 0; ky < kh; ky++)
            for (int kx = !ky; kx < kw; kx++)
                a = minmax_u8(mode, a, veci_loadu8(base + ky * row_step + kx));
        return a;
    }
    if (mode != CNN_POOL_AVG) {
        /* fold the rows of each pair of columns, then split even and odd
         * bytes into 16-bit lanes for the horizontal step */
        a = b = mode == CNN_POOL_MAX ? zero : lo8;
        for (int kx = 0; kx < kw; kx += 2) {
            VECI v0 = veci_loadu8(base + kx), v1 = veci_loadu8(base + kx + VLEN8);
            for (int ky = 1; ky < kh; ky++) {
                v0 = minmax_u8(mode, v0, veci_loadu8(base + ky * row_step + kx));
                v1 = minmax_u8(mode, v1, veci_loadu8(base + ky * row_step + kx + VLEN8));
            }
            a = minmax_u16(mode, a, veci_and(v0, lo8));
            b = minmax_u16(mode, b, veci_and(v1, lo8));
            if (kx + 1 < kw) {
                a = minmax_u16(mode, a, veci_srli16(v0, 8));
                b = minmax_u16(mode, b, veci_srli16(v1, 8));
            }
        }
        return veci_packus16_in_order(a, b);
    }
    const VECI ones = veci_set1_8(1);
    a = b = zero;
    for (int ky = 0; ky < kh; ky++) {
        const uint8_t *r = base + ky * row_step;
        if (!s2) {
            /* 16-bit halves in unpack order; packus restores it */
            for (int kx = 0; kx < kw; kx++) {
                VECI v = veci_loadu8(r + kx);
                a = veci_add16(a, veci_unpacklo8(v, zero));
                b = veci_add16(b, veci_unpackhi8(v, zero));
            }
            continue;
        }
        for (int kx = 0; kx < kw; kx += 2) {
            VECI v0 = veci_loadu8(r + kx), v1 = veci_loadu8(r + kx + VLEN8);
            if (kx + 1 < kw) { /* byte pairs summed into 16 bits */
                a = veci_add16(a, veci_maddubs16(v0, ones));
                b = veci_add16(b, veci_maddubs16(v1, ones));
            } else {
                a = veci_add16(a, veci_and(v0, lo8));
                b = veci_add16(b, veci_and(v1, lo8));
            }
        }
    }
    a = veci_min_u16(u16_divide(veci_add16(a, half), div), lo8);
    b = veci_min_u16(u16_divide(veci_add16(b, half), div), lo8);
    return s2 ? veci_packus16_in_order(a, b) : veci_packus16(a, b);
}

ALWAYS_INLINE void rows_u8(int mode, int s2, const cnn_pool2d_u8_args *a, int ylo, int yhi,
                           int xlo, int xhi)
{
    const cnn_pool2d_window *w = &a->win;
    int reach = pool_x86_reach(w->stride_w, w->kw, VLEN8);
    unsigned d = (unsigned)(w->divisor > 0 ? w->divisor : w->kh * w->kw);
    u16_divider div = u16_divider_make(d);
    VECI half = veci_set1_16(d / 2);
    ptrdiff_t row_step = w->dil_h * a->src_stride;
    for (int oy = ylo; oy < yhi; oy++) {
        const uint8_t *rows = a->src + (oy * w->stride_h - w->pad_top) * a->src_stride;
        uint8_t *out = a->dst + oy * a->dst_stride;
        int done = xlo, at;
        while ((at = pool_x86_vector_at(done, VLEN8, xlo, xhi, w->stride_w, w->pad_left, reach,
                                        a->src_w)) >= 0) {
            veci_storeu8(out + at, window_u8(mode, s2, rows + at * w->stride_w - w->pad_left,
                                             row_step, w->kh, w->kw, &div, half));
            done = at + VLEN8;
        }
        cnn_pool2d_u8_rect_c(a, oy, oy + 1, 0, xlo);
        cnn_pool2d_u8_rect_c(a, oy, oy + 1, done, a->out_w);
    }
}

static void ISA_NAME(pool2d_u8)(const cnn_pool2d_u8_args *a, int oy0, int oy1)
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
    /* one specialised copy per mode and stride */
    if (a->mode == CNN_POOL_MAX && s2)
        rows_u8(CNN_POOL_MAX, 1, a, ylo, yhi, xlo, xhi);
    else if (a->mode == CNN_POOL_MAX)
        rows_u8(CNN_POOL_MAX, 0, a, ylo, yhi, xlo, xhi);
    else if (a->mode == CNN_POOL_MIN && s2)
        rows_u8(CNN_POOL_MIN, 1, a, ylo, yhi, xlo, xhi);
    else if (a->mode == CNN_POOL_MIN)
        rows_u8(CNN_POOL_MIN, 0, a, ylo, yhi, xlo, xhi);
    else if (s2)
        rows_u8(CNN_POOL_AVG, 1, a, ylo, yhi, xlo, xhi);
    else
        rows_u8(CNN_POOL_AVG, 0, a, ylo, yhi, xlo, xhi);
}
