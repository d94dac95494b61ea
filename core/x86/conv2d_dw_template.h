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
 *   vec_next_even(e, s)  from e = vec_even(a, b), the floats after each
 *                      (columns 2, 4, ... 2 VLEN of a:b), the last one taken
 *                      from s (every lane column 2 VLEN), in the same order
 *   vec_shift(a, b, n)  optional: floats n.. of a:b (edge blocks at stride 1
 *                      then load two vectors, not three)
 *   DW_ROWS            output rows held in registers (8 or 4)
 *   KERNEL_NAME
 * A block is DW_ROWS output rows of one vector of columns: each input row is
 * loaded once (three shifted vectors at stride 1; at stride 2 two vectors
 * and one float, deinterleaved into three) and feeds every output row its taps reach, with the
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
 * scrambled lane order (stride 2, where p[2 VLEN] is read when next_in). */
static ALWAYS_INLINE void load_taps(const float *p, int stride, int edge, const MASK *m,
                                    int next_in, VEC t[3])
{
#ifdef vec_shift
    if (stride == 1 && edge) {
        VEC v0 = vec_load_mask(p, m[0]), v1 = vec_load_mask(p + VLEN, m[1]);
        t[0] = v0;
        t[1] = vec_shift(v0, v1, 1);
        t[2] = vec_shift(v0, v1, 2);
        return;
    }
#endif
    if (stride == 1) {
        for (int kx = 0; kx < 3; kx++)
            t[kx] = load_vec(p + kx, edge, m[kx]);
    } else {
        VEC a = load_vec(p, edge, m[0]), b = load_vec(p + VLEN, edge, m[1]);
        t[0] = vec_even(a, b);
        t[1] = vec_odd(a, b);
        t[2] = vec_next_even(t[0], vec_set1(!edge || next_in ? p[2 * VLEN] : 0.0f));
    }
}

/* nr output rows from oy, output columns [x, x + VLEN) of one plane. Input
 * row j of the block feeds output row r through kernel row j - r * stride;
 * each output sums its taps in (ky, kx) order whatever block it is in, so
 * how rows are split (tasks, threads) never changes a result. */
static ALWAYS_INLINE void dw_block(const cnn_conv2d_dw3x3_args *a, const float *in, float *out,
                                   const VEC *w, VEC bias, int oy, int nr, int x, int stride,
                                   int edge, const MASK *m, int next_in)
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
        load_taps(col + (ptrdiff_t)iy * a->in_w, stride, edge, m, next_in, t);
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
    /* A block ending past the row stores whole vectors while they end within
     * its rows: the extra lanes land at the start of the next rows of the
     * block, which this block and the one at column 0 write after (see
     * dw_rows). Masked stores are slow on some cores (AMD). */
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
        if (tail && (size_t)r * a->out_w + x + VLEN > (size_t)nr * a->out_w)
            vec_store_mask(dst, last, v);
        else
            vec_storeu(dst, v);
    }
}

/* The block at column x: plain loads inside the plane, lane masks where its
 * taps leave the plane (or it ends past the output). */
static ALWAYS_INLINE void dw_column(const cnn_conv2d_dw3x3_args *a, const float *in,
                                    float *out, const VEC *w, VEC bias, int oy, int nr, int x,
                                    int stride)
{
    int span = stride == 1 ? VLEN + 2 : 2 * VLEN + 1; /* input columns a block reads */
    int c = x * stride - a->pad_left;
    if (c >= 0 && c + span <= a->in_w && x + VLEN <= a->out_w) {
        dw_block(a, in, out, w, bias, oy, nr, x, stride, 0, NULL, 1);
        return;
    }
    /* two vectors from column c, or at stride 1 without vec_shift three
     * from columns c, c + 1, c + 2 */
    MASK m[3] = { column_mask(c, a->in_w), column_mask(c + VLEN, a->in_w) };
#ifndef vec_shift
    if (stride == 1)
        for (int kx = 1; kx < 3; kx++)
            m[kx] = column_mask(c + kx, a->in_w);
#endif
    dw_block(a, in, out, w, bias, oy, nr, x, stride, 1, m, c + 2 * VLEN < a->in_w);
}

/* Output rows [oy, oy + nr) across the width, the last block first: its
 * stores past the row end are then overwritten by the block at column 0. */
static ALWAYS_INLINE void dw_rows(const cnn_conv2d_dw3x3_args *a, const float *in, float *out,
                                  const VEC *w, VEC bias, int oy, int nr, int stride)
{
    int last = (a->out_w - 1) / VLEN * VLEN;
    dw_column(a, in, out, w, bias, oy, nr, last, stride);
    for (int x = 0; x < last; x += VLEN)
        dw_column(a, in, out, w, bias, oy, nr, x, stride);
}

/* Rows [oy0, oy1) of one plane in the fewest blocks of at most DW_ROWS
 * rows, their sizes as even as can be (14 rows: 7 + 7), each size a
 * constant. A block of few rows waits on its chains of nine dependent FMAs;
 * many rows hide that latency. */
static ALWAYS_INLINE void dw_plane(const cnn_conv2d_dw3x3_args *a, const float *in, float *out,
                                   const VEC *w, VEC bias, int oy0, int oy1, int stride)
{
    int blocks = (oy1 - oy0 + DW_ROWS - 1) / DW_ROWS;
    for (int oy = oy0; oy < oy1; blocks--) {
        int nr = (oy1 - oy + blocks - 1) / blocks;
        switch (nr) {
#if DW_ROWS > 4
        case 8: dw_rows(a, in, out, w, bias, oy, 8, stride); break;
        case 7: dw_rows(a, in, out, w, bias, oy, 7, stride); break;
        case 6: dw_rows(a, in, out, w, bias, oy, 6, stride); break;
        case 5: dw_rows(a, in, out, w, bias, oy, 5, stride); break;
#endif
        case 4: dw_rows(a, in, out, w, bias, oy, 4, stride); break;
        case 3: dw_rows(a, in, out, w, bias, oy, 3, stride); break;
        case 2: dw_rows(a, in, out, w, bias, oy, 2, stride); break;
        default: dw_rows(a, in, out, w, bias, oy, 1, stride); break;
        }
        oy += nr;
    }
}

#if DW_ROWS != 8 && DW_ROWS != 4
#error "dw_plane handles blocks of up to 8 or 4 rows"
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
