/* The depthwise 3x3 SIMD kernel body (cnn_conv2d_dw3x3_args), shared by the
 * AVX2 and AVX-512 files. The including file defines:
 *   VEC, VLEN, MASK    vector type, floats per vector, lane mask type
 *   vec_range_mask(lo, hi)  lanes lo <= i < hi on (0 <= lo, hi <= VLEN)
 *   vec_zero(), vec_set1(x), vec_loadu(p), vec_storeu(p, v), vec_fmadd(a, b, c),
 *   vec_load_mask(p, m), vec_store_mask(p, m, v),
 *   vec_max(a, b), vec_min(a, b)  b when either is NaN (x86 maxps/minps)
 *   vec_even(a, b), vec_odd(a, b)  the even and the odd floats of a:b in a
 *                      lane order of the ISA's in-lane shuffles, which
 *                      vec_unscramble(v) puts back in column order
 *   DW_ROWS            output rows held in registers (8, 4, 2 or 1)
 *   KERNEL_NAME
 * A block is DW_ROWS output rows of one vector of columns: each input row is
 * loaded once (three shifted vectors at stride 1, four deinterleaved into
 * three at stride 2) and feeds every output row its taps reach, with the
 * nine weights in registers. The zero border costs nothing inside the plane:
 * input rows outside it are skipped, and only blocks touching the left or
 * right edge load through lane masks. */
#include <stddef.h>

#include "kernels.h"

#define ALWAYS_INLINE inline __attribute__((always_inline))

/* Lanes of a vector loaded at input column c that lie inside [0, w). */
static ALWAYS_INLINE MASK column_mask(int c, int w)
{
    int lo = c < 0 ? -c : 0, hi = w - c;
    if (lo > VLEN)
        lo = VLEN;
    if (hi > VLEN)
        hi = VLEN;
    return vec_range_mask(lo, hi < lo ? lo : hi);
}

static ALWAYS_INLINE VEC load_vec(const float *p, int edge, MASK m)
{
    return edge ? vec_load_mask(p, m) : vec_loadu(p);
}

/* Taps kx = 0, 1, 2 of one input row for a vector of outputs whose first
 * tap is at p: columns p + kx + i (stride 1), or p + 2 i + kx in the
 * scrambled lane order (stride 2). */
static ALWAYS_INLINE void load_taps(const float *p, int stride, int edge, const MASK *m,
                                    VEC t[3])
{
    if (stride == 1) {
        for (int kx = 0; kx < 3; kx++)
            t[kx] = load_vec(p + kx, edge, m[kx]);
    } else {
        VEC a = load_vec(p, edge, m[0]), b = load_vec(p + VLEN, edge, m[1]);
        VEC a2 = load_vec(p + 2, edge, m[2]), b2 = load_vec(p + 2 + VLEN, edge, m[3]);
        t[0] = vec_even(a, b);
        t[1] = vec_odd(a, b);
        t[2] = vec_even(a2, b2);
    }
}

/* nr output rows from oy, output columns [x, x + VLEN) of one plane. Input
 * row j of the block feeds output row r through kernel row j - r * stride;
 * each output sums its taps in (ky, kx) order whatever block it is in, so
 * how rows are split (tasks, threads) never changes a result. */
static ALWAYS_INLINE void dw_block(const cnn_conv2d_dw3x3_args *a, const float *in, float *out,
                                   const VEC *w, VEC bias, int oy, int nr, int x, int stride,
                                   int edge, const MASK *m)
{
    VEC acc[DW_ROWS];
#pragma GCC unroll 8
    for (int r = 0; r < nr; r++)
        acc[r] = bias;
    int iy0 = oy * stride - a->pad_top;
    /* the first tap of output column x; reads before the plane are masked */
    const float *col = in + ((ptrdiff_t)x * stride - a->pad_left);
#pragma GCC unroll 17
    for (int j = 0; j < (nr - 1) * stride + 3; j++) {
        int iy = iy0 + j;
        if (iy < 0 || iy >= a->in_h)
            continue;
        VEC t[3];
        load_taps(col + (ptrdiff_t)iy * a->in_w, stride, edge, m, t);
#pragma GCC unroll 8
        for (int r = 0; r < nr; r++) {
            int ky = j - r * stride;
            if (ky < 0 || ky > 2)
                continue;
#pragma GCC unroll 3
            for (int kx = 0; kx < 3; kx++)
                acc[r] = vec_fmadd(w[ky * 3 + kx], t[kx], acc[r]);
        }
    }
    float *dst = out + (size_t)oy * a->out_w + x;
    int tail = x + VLEN > a->out_w;
    MASK last = vec_range_mask(0, tail ? a->out_w - x : VLEN);
    VEC lo = vec_set1(a->clamp_min), hi = vec_set1(a->clamp_max);
#pragma GCC unroll 8
    for (int r = 0; r < nr; r++, dst += a->out_w) {
        VEC v = acc[r];
        if (a->clamp)
            v = vec_min(hi, vec_max(lo, v));
        if (stride == 2)
            v = vec_unscramble(v);
        if (tail)
            vec_store_mask(dst, last, v);
        else
            vec_storeu(dst, v);
    }
}

/* Output rows [oy, oy + nr) across the width: interior blocks load plainly,
 * blocks whose taps leave the plane (or that end past the output) through
 * lane masks. */
static ALWAYS_INLINE void dw_rows(const cnn_conv2d_dw3x3_args *a, const float *in, float *out,
                                  const VEC *w, VEC bias, int oy, int nr, int stride)
{
    int span = stride == 1 ? VLEN + 2 : 2 * VLEN + 2; /* input columns a block reads */
    for (int x = 0; x < a->out_w; x += VLEN) {
        int c = x * stride - a->pad_left;
        if (c >= 0 && c + span <= a->in_w && x + VLEN <= a->out_w) {
            dw_block(a, in, out, w, bias, oy, nr, x, stride, 0, NULL);
            continue;
        }
        MASK m[4];
        if (stride == 1) {
            for (int kx = 0; kx < 3; kx++)
                m[kx] = column_mask(c + kx, a->in_w);
        } else {
            m[0] = column_mask(c, a->in_w);
            m[1] = column_mask(c + VLEN, a->in_w);
            m[2] = column_mask(c + 2, a->in_w);
            m[3] = column_mask(c + 2 + VLEN, a->in_w);
        }
        dw_block(a, in, out, w, bias, oy, nr, x, stride, 1, m);
    }
}

/* Rows [oy0, oy1) of one plane in blocks of DW_ROWS, the rest in halving
 * blocks (7 = 4 + 2 + 1), every block size a constant. */
static ALWAYS_INLINE void dw_plane(const cnn_conv2d_dw3x3_args *a, const float *in, float *out,
                                   const VEC *w, VEC bias, int oy0, int oy1, int stride)
{
    int oy = oy0;
    for (; oy + DW_ROWS <= oy1; oy += DW_ROWS)
        dw_rows(a, in, out, w, bias, oy, DW_ROWS, stride);
    if (DW_ROWS > 4 && oy + 4 <= oy1) {
        dw_rows(a, in, out, w, bias, oy, 4, stride);
        oy += 4;
    }
    if (DW_ROWS > 2 && oy + 2 <= oy1) {
        dw_rows(a, in, out, w, bias, oy, 2, stride);
        oy += 2;
    }
    if (oy < oy1)
        dw_rows(a, in, out, w, bias, oy, 1, stride);
}

#if DW_ROWS > 8
#error "dw_plane handles up to 8 rows per block"
#endif

void KERNEL_NAME(const cnn_conv2d_dw3x3_args *a, int c0, int c1, int oy0, int oy1)
{
    for (int c = c0; c < c1; c++) {
        VEC w[9];
        for (int t = 0; t < 9; t++)
            w[t] = vec_set1(a->weight[(size_t)c * 9 + t]);
        VEC bias = a->bias ? vec_set1(a->bias[c]) : vec_zero();
        const float *in = a->src + (size_t)(c / a->multiplier) * a->in_h * a->in_w;
        float *out = a->dst + (size_t)c * a->out_h * a->out_w;
        if (a->stride == 1)
            dw_plane(a, in, out, w, bias, oy0, oy1, 1);
        else
            dw_plane(a, in, out, w, bias, oy0, oy1, 2);
    }
}
