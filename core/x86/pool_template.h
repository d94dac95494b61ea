/* Pooling kernels shared by the AVX2 and AVX-512 files, which include
 * vec_<isa>.h first and define the stride-2 column split:
 *   pool_even(lo, hi), pool_odd(lo, hi)  the even and the odd floats of the
 *                                        2 VLEN at lo then hi, their lanes
 *                                        in an order pool_in_order(v) undoes;
 *   pool_even_lone(lo, hi1)              pool_even with hi1 loaded one float
 *                                        before hi (a lone last tap, whose
 *                                        last float ends the window);
 *   pool_in_order_i(v)                   pool_in_order of int32 lanes;
 * and the int32 lanes of the argmax: pool_cmp(a, b, pred) (a mask),
 * pool_select_i(m, a, b), pool_storeu_i(p, v), pool_store_mask_i(p, m, v);
 * pool_mask_any(m), whether a mask has a lane set.
 * Max, min and avg windows with a horizontal stride of 1 or 2 over the
 * interior (windows wholly inside the plane); the borders, the other modes
 * and dilated columns go to the C reference, which gives the same bits.
 *
 * Floats: VLEN outputs at a time, the taps folded in the C reference's
 * row-major order (sums round the same); max and min keep the earlier of
 * equal taps and track NaN aside, since maxps drops it. With indices, each
 * tap wins where it is greater (less) than the best so far or NaN, the C
 * reference's test, so values and indices are its bits: the first of ties,
 * the last NaN. A row's last
 * outputs, or a whole row narrower than a vector (14 and 7 wide in the
 * Fashion-MNIST model), take one vector of masked loads and a masked store.
 *
 * Bytes: VLEN8 outputs at a time, tails to C. Integer max, min and sums are
 * exact in any order, so rows fold before columns. */
#include <math.h>

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

/* Masks of the loads of one vector of n outputs (1..VLEN): the outputs
 * themselves (stride 1), and at stride 2 a pair of taps (2n floats from the
 * first window's tap) split over two vectors, or a lone last tap (2n - 1
 * floats, the second vector loaded from float VLEN - 1: 2n - VLEN of it,
 * as many as for a pair). */
typedef struct f32_masks {
    MASK out, pair_lo, pair_hi, lone_lo;
} f32_masks;

static inline MASK first_lanes(int n)
{
    return vec_mask(n < 0 ? 0 : n > VLEN ? VLEN : n);
}

static inline f32_masks f32_masks_make(int n)
{
    return (f32_masks){ first_lanes(n), first_lanes(2 * n), first_lanes(2 * n - VLEN),
                        first_lanes(2 * n - 1) };
}

/* Fold one tap into VLEN outputs; mode and whether at is NULL are
 * constants after inlining. at (max and min with indices) gets the tap's
 * offset from the window's start where the tap wins. */
ALWAYS_INLINE void fold_f32(int mode, VEC *acc, MASK *nan, VECI *at, int tap, VEC v)
{
    if (mode == CNN_POOL_AVG) {
        *acc = vec_add(*acc, v);
        return;
    }
    if (at) {
        MASK wins = mask_or(mode == CNN_POOL_MAX ? pool_cmp(v, *acc, _CMP_GT_OQ)
                                                 : pool_cmp(*acc, v, _CMP_GT_OQ),
                            vec_nan_mask(v));
        *acc = vec_select_mask(wins, v, *acc);
        *at = pool_select_i(wins, veci_set1(tap), *at);
        return;
    }
    *nan = mask_or(*nan, vec_nan_mask(v));
    *acc = mode == CNN_POOL_MAX ? vec_max(v, *acc) : vec_min(v, *acc);
}

/* VLEN outputs of the row whose windows start at base: a whole vector
 * (part = 0) with plain loads, or (part = 1) the first n outputs with
 * loads masked by m to their taps. Neither reads past the windows. at, if
 * not NULL, gets each output's argmax as an offset from its window's
 * start; starting at tap 0 with the best at -inf (+inf for min) gives the
 * C reference's first tap when no later one beats it. */
ALWAYS_INLINE VEC window_f32(int mode, int s2, int part, const float *base, size_t row_step,
                             int kh, int kw, const f32_masks *m, VEC divisor, VECI *at)
{
    VEC acc = vec_set1(mode == CNN_POOL_MAX ? -INFINITY : mode == CNN_POOL_MIN ? INFINITY
                                                                                 : 0.0f);
    MASK nan = mask_none();
    if (at)
        *at = veci_zero();
    for (int ky = 0; ky < kh; ky++) {
        const float *r = base + ky * row_step;
        int row = ky * (int)row_step;
        if (!s2) {
            for (int kx = 0; kx < kw; kx++)
                fold_f32(mode, &acc, &nan, at, row + kx,
                         part ? vec_load_mask(r + kx, m->out) : vec_loadu(r + kx));
            continue;
        }
        for (int kx = 0; kx + 1 < kw; kx += 2) {
            VEC lo = part ? vec_load_mask(r + kx, m->pair_lo) : vec_loadu(r + kx);
            VEC hi = part ? vec_load_mask(r + kx + VLEN, m->pair_hi) : vec_loadu(r + kx + VLEN);
            /* keep lo and hi in registers: GCC otherwise folds each load
             * into both shuffles, doubling the loads (AVX2 2x2: 7% slower) */
            __asm__("" : "+v"(lo), "+v"(hi));
            fold_f32(mode, &acc, &nan, at, row + kx, pool_even(lo, hi));
            fold_f32(mode, &acc, &nan, at, row + kx + 1, pool_odd(lo, hi));
        }
        if (kw & 1) {
            const float *t = r + kw - 1;
            VEC lo = part ? vec_load_mask(t, m->lone_lo) : vec_loadu(t);
            VEC hi1 = part ? vec_load_mask(t + VLEN - 1, m->pair_hi) : vec_loadu(t + VLEN - 1);
            fold_f32(mode, &acc, &nan, at, row + kw - 1, pool_even_lone(lo, hi1));
        }
    }
    if (mode == CNN_POOL_AVG)
        acc = vec_div(acc, divisor);
    else if (!at)
        acc = vec_select_mask(nan, vec_set1(NAN), acc);
    if (at && s2)
        *at = pool_in_order_i(*at);
    return s2 ? pool_in_order(acc) : acc;
}

/* One input row's taps of VLEN windows 3 wide at stride 2 (lanes in
 * pool_even's order), folded in the row's order; *nan gets the lanes
 * where a tap is NaN (not in output order, only looked at as a whole). */
ALWAYS_INLINE VEC row3_s2_f32(int mode, const float *r, MASK *nan)
{
    VEC lo = vec_loadu(r), hi = vec_loadu(r + VLEN);
    VEC lone_lo = vec_loadu(r + 2), lone_hi1 = vec_loadu(r + VLEN + 1);
    __asm__("" : "+v"(lo), "+v"(hi)); /* see window_f32 */
    *nan = mask_or(*nan, mask_or(pool_cmp(lo, hi, _CMP_UNORD_Q),
                                 pool_cmp(lone_lo, lone_hi1, _CMP_UNORD_Q)));
    MASK unused = mask_none();
    VEC acc = pool_even(lo, hi);
    fold_f32(mode, &acc, &unused, NULL, 0, pool_odd(lo, hi));
    fold_f32(mode, &acc, &unused, NULL, 0, pool_even_lone(lone_lo, lone_hi1));
    return acc;
}

ALWAYS_INLINE VEC extreme_f32(int mode, VEC later, VEC earlier)
{
    return mode == CNN_POOL_MAX ? vec_max(later, earlier) : vec_min(later, earlier);
}

/* Whole vectors [xlo, xend) of output rows oy and oy + 1 of 3x3 max or min
 * windows at stride 2 both ways (no indices): the two share input row
 * 2 oy + 1 (from the window's top), so five rows are read and folded
 * once each, then combined top to bottom. Groups of whole rows keep the
 * row-major order, so the earlier of equal taps (+0 or -0) still wins; a
 * vector pair with a NaN among its taps is redone window by window. */
ALWAYS_INLINE void row_pair_3x3s2_f32(int mode, const cnn_pool2d_kernel_args *a, int oy,
                                      int xlo, int xend, const f32_masks *part, VEC divisor)
{
    const cnn_pool2d_window *w = &a->win;
    size_t step = (size_t)a->src_w;
    const float *rows = a->src + (size_t)(2 * oy - w->pad_top) * step;
    float *top = a->dst + (size_t)oy * a->out_w, *bottom = top + a->out_w;
    for (int at = xlo; at < xend; at += VLEN) {
        const float *r = rows + 2 * at - w->pad_left;
        MASK nan = mask_none();
        VEC h0 = row3_s2_f32(mode, r, &nan), h1 = row3_s2_f32(mode, r + step, &nan);
        VEC h2 = row3_s2_f32(mode, r + 2 * step, &nan);
        VEC h3 = row3_s2_f32(mode, r + 3 * step, &nan);
        VEC h4 = row3_s2_f32(mode, r + 4 * step, &nan);
        if (pool_mask_any(nan)) {
            vec_storeu(top + at, window_f32(mode, 1, 0, r, step, 3, 3, part, divisor, NULL));
            vec_storeu(bottom + at, window_f32(mode, 1, 0, r + 2 * step, step, 3, 3, part,
                                               divisor, NULL));
            continue;
        }
        vec_storeu(top + at, pool_in_order(extreme_f32(mode, h2, extreme_f32(mode, h1, h0))));
        vec_storeu(bottom + at,
                   pool_in_order(extreme_f32(mode, h4, extreme_f32(mode, h3, h2))));
    }
}

/* Argmax offsets from window_f32 as flat plane positions: lane_step holds
 * each lane's window start from the vector's first, which is at start. */
static inline VECI flat_indices(VECI off, VECI lane_step, int start)
{
    return veci_add(off, veci_add(lane_step, veci_set1(start)));
}

/* Rows [ylo, yhi), columns [xlo, xhi) of the interior; with_idx (max and
 * min) also writes a->indices. */
ALWAYS_INLINE void rows_f32(int mode, int s2, int with_idx, const cnn_pool2d_kernel_args *a,
                            int ylo, int yhi, int xlo, int xhi)
{
    const cnn_pool2d_window *w = &a->win;
    VEC divisor = vec_set1((float)(w->divisor > 0 ? w->divisor : w->kh * w->kw));
    size_t row_step = (size_t)w->dil_h * a->src_w;
    int tail = (xhi - xlo) % VLEN, xend = xhi - tail;
    f32_masks part = f32_masks_make(tail ? tail : VLEN); /* whole vectors load plainly */
    VECI lane_step = s2 ? veci_add(VECI_IOTA, VECI_IOTA) : VECI_IOTA, off;
    int pairs = mode != CNN_POOL_AVG && !with_idx && s2 && w->kh == 3 && w->kw == 3 &&
                w->stride_h == 2 && w->dil_h == 1;
    int paired = 0; /* rows whose whole vectors row_pair_3x3s2_f32 wrote */
    for (int oy = ylo; oy < yhi; oy++, paired--) {
        if (pairs && paired <= 0 && oy + 1 < yhi) {
            row_pair_3x3s2_f32(mode, a, oy, xlo, xend, &part, divisor);
            paired = 2;
        }
        int row0 = oy * w->stride_h - w->pad_top;
        const float *rows = a->src + (size_t)row0 * a->src_w;
        float *out = a->dst + (size_t)oy * a->out_w;
        int32_t *idx = with_idx ? a->indices + (size_t)oy * a->out_w : NULL;
        int whole_end = paired > 0 ? xlo : xend; /* none left if the pair did them */
        for (int at = xlo; at < whole_end; at += VLEN) {
            int ix0 = at * w->stride_w - w->pad_left;
            vec_storeu(out + at, window_f32(mode, s2, 0, rows + ix0, row_step, w->kh, w->kw,
                                            &part, divisor, with_idx ? &off : NULL));
            if (with_idx)
                pool_storeu_i(idx + at, flat_indices(off, lane_step, row0 * a->src_w + ix0));
        }
        if (tail) {
            int ix0 = xend * w->stride_w - w->pad_left;
            vec_store_mask(out + xend, part.out,
                           window_f32(mode, s2, 1, rows + ix0, row_step, w->kh, w->kw, &part,
                                      divisor, with_idx ? &off : NULL));
            if (with_idx)
                pool_store_mask_i(idx + xend, part.out,
                                  flat_indices(off, lane_step, row0 * a->src_w + ix0));
        }
        cnn_pool2d_rect_c(a, oy, oy + 1, 0, xlo);
        cnn_pool2d_rect_c(a, oy, oy + 1, xhi, a->out_w);
    }
}

static void ISA_NAME(pool2d_f32)(const cnn_pool2d_kernel_args *a, int oy0, int oy1)
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
    /* one specialised copy per mode, stride and indices (max and min only) */
    int idx = a->indices != NULL;
    if (a->mode == CNN_POOL_MAX && s2)
        idx ? rows_f32(CNN_POOL_MAX, 1, 1, a, ylo, yhi, xlo, xhi)
            : rows_f32(CNN_POOL_MAX, 1, 0, a, ylo, yhi, xlo, xhi);
    else if (a->mode == CNN_POOL_MAX)
        idx ? rows_f32(CNN_POOL_MAX, 0, 1, a, ylo, yhi, xlo, xhi)
            : rows_f32(CNN_POOL_MAX, 0, 0, a, ylo, yhi, xlo, xhi);
    else if (a->mode == CNN_POOL_MIN && s2)
        idx ? rows_f32(CNN_POOL_MIN, 1, 1, a, ylo, yhi, xlo, xhi)
            : rows_f32(CNN_POOL_MIN, 1, 0, a, ylo, yhi, xlo, xhi);
    else if (a->mode == CNN_POOL_MIN)
        idx ? rows_f32(CNN_POOL_MIN, 0, 1, a, ylo, yhi, xlo, xhi)
            : rows_f32(CNN_POOL_MIN, 0, 0, a, ylo, yhi, xlo, xhi);
    else if (s2)
        rows_f32(CNN_POOL_AVG, 1, 0, a, ylo, yhi, xlo, xhi);
    else
        rows_f32(CNN_POOL_AVG, 0, 0, a, ylo, yhi, xlo, xhi);
}
