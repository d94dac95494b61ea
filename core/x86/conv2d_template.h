/* The conv2d SIMD kernel body, shared by the AVX2 and AVX-512 files. The
 * including file includes vec_<isa>.h (vectors, lane masks, max/min) and
 * defines:
 *   OCB                output channels held in registers (a power of two)
 *   DWR                depthwise: output rows held in registers (a power of two)
 *   XVB                vectors of output columns held in registers
 *   KERNEL_NAME, KERNEL_DW_NAME  names of the kernel functions
 * A channel block keeps OCB x XVB accumulators in registers, loads XVB input
 * vectors per tap and broadcasts one weight per output channel, so a tap
 * costs XVB + OCB loads for OCB * XVB FMAs. With one input channel per group
 * (depthwise) there is one weight per tap and channel, so the depthwise block
 * keeps DWR output rows of one channel instead: each input vector loaded once
 * serves every row whose taps reach it. */
#include "kernels.h"

#define ALWAYS_INLINE inline __attribute__((always_inline))

/* Store n rows of nv accumulators, row i at out + i * step, clamped when
 * a->clamp is set (the fused relu6: no second sweep over the output); with
 * tail set, the last vector holds only the lanes of `last`. */
static ALWAYS_INLINE void store_block(const cnn_conv2d_kernel_args *a, VEC acc[][XVB], int n,
                                      int nv, int tail, MASK last, float *out, size_t step)
{
    if (a->clamp) {
        VEC lo = vec_set1(a->clamp_min), hi = vec_set1(a->clamp_max);
#pragma GCC unroll 16
        for (int i = 0; i < n; i++)
#pragma GCC unroll 8
            for (int v = 0; v < nv; v++)
                acc[i][v] = vec_min(hi, vec_max(lo, acc[i][v]));
    }
#pragma GCC unroll 16
    for (int i = 0; i < n; i++, out += step) {
#pragma GCC unroll 8
        for (int v = 0; v < nv; v++) {
            if (tail && v == nv - 1)
                vec_store_mask(out + v * VLEN, last, acc[i][v]);
            else
                vec_storeu(out + v * VLEN, acc[i][v]);
        }
    }
}

/* Load nv input vectors from p, the last one masked with tail set. */
static ALWAYS_INLINE void load_vectors(VEC *xv, const float *p, int nv, int tail, MASK last)
{
#pragma GCC unroll 8
    for (int v = 0; v < nv; v++)
        xv[v] = tail && v == nv - 1 ? vec_load_mask(p + v * VLEN, last)
                                    : vec_loadu(p + v * VLEN);
}

/* Step column q * s + r of the column-phase layout by dq * s + dr. */
static ALWAYS_INLINE void next_column(int *q, int *r, int dq, int dr, int s)
{
    *q += dq;
    *r += dr;
    if (*r >= s) {
        *r -= s;
        (*q)++;
    }
}

/* noc output channels from oc, output row oy, columns [x, x + nv * VLEN).
 * noc, nv and tail are constants at every call, so the loops unroll and acc
 * stays in registers. */
static ALWAYS_INLINE void chan_block(const cnn_conv2d_kernel_args *a, int oc, int noc,
                                     int oy, int x, int nv, int tail, MASK last)
{
    VEC acc[OCB][XVB];
    size_t taps = (size_t)a->cin * a->kh * a->kw;
    const float *w = a->weight + (size_t)oc * taps;
#pragma GCC unroll 16
    for (int i = 0; i < noc; i++) {
        VEC b = a->bias ? vec_set1(a->bias[oc + i]) : vec_zero();
#pragma GCC unroll 8
        for (int v = 0; v < nv; v++)
            acc[i][v] = b;
    }
    int dq = a->dil_w / a->stride_w, dr = a->dil_w % a->stride_w;
    const float *in = a->src + (size_t)oy * a->stride_h * a->src_row + x;
    for (int ic = 0; ic < a->cin; ic++, in += a->src_plane) {
        const float *row = in;
        for (int ky = 0; ky < a->kh; ky++, row += (size_t)a->dil_h * a->src_row) {
            int q = 0, r = 0; /* column kx * dil_w is q * stride_w + r */
            for (int kx = 0; kx < a->kw; kx++, w++) {
                VEC xv[XVB];
                load_vectors(xv, row + (size_t)r * a->src_phase + q, nv, tail, last);
#pragma GCC unroll 16
                for (int i = 0; i < noc; i++) {
                    VEC wv = vec_bcast(w + i * taps);
#pragma GCC unroll 8
                    for (int v = 0; v < nv; v++)
                        acc[i][v] = vec_fmadd(wv, xv[v], acc[i][v]);
                }
                next_column(&q, &r, dq, dr, a->stride_w);
            }
        }
    }
    size_t plane = (size_t)a->out_h * a->out_w;
    store_block(a, acc, noc, nv, tail, last, a->dst + oc * plane + (size_t)oy * a->out_w + x,
                plane);
}

/* Depthwise (a->cin == 1): nr output rows from oy of channel oc, columns
 * [x, x + nv * VLEN). Input row ir of the block feeds output row r through
 * kernel row (ir - r * stride_h) / dil_h when that is a whole kernel row. */
static ALWAYS_INLINE void dw_block(const cnn_conv2d_kernel_args *a, int oc, int oy, int nr,
                                   int x, int nv, int tail, MASK last)
{
    VEC acc[DWR][XVB];
    const float *w = a->weight + (size_t)oc * a->kh * a->kw;
    VEC b = a->bias ? vec_set1(a->bias[oc]) : vec_zero();
#pragma GCC unroll 16
    for (int r = 0; r < nr; r++)
#pragma GCC unroll 8
        for (int v = 0; v < nv; v++)
            acc[r][v] = b;
    int dq = a->dil_w / a->stride_w, dr = a->dil_w % a->stride_w;
    int rows = (nr - 1) * a->stride_h + (a->kh - 1) * a->dil_h + 1;
    const float *in = a->src + (size_t)oy * a->stride_h * a->src_row + x;
    for (int ir = 0; ir < rows; ir++, in += a->src_row) {
        const float *wrow[DWR]; /* kernel row feeding output row r, or NULL */
#pragma GCC unroll 16
        for (int r = 0; r < nr; r++) {
            int d = ir - r * a->stride_h;
            wrow[r] = d >= 0 && d % a->dil_h == 0 && d / a->dil_h < a->kh
                          ? w + (size_t)(d / a->dil_h) * a->kw
                          : NULL;
        }
        int q = 0, r = 0; /* column kx * dil_w is q * stride_w + r */
        for (int kx = 0; kx < a->kw; kx++) {
            VEC xv[XVB];
            load_vectors(xv, in + (size_t)r * a->src_phase + q, nv, tail, last);
#pragma GCC unroll 16
            for (int o = 0; o < nr; o++) {
                if (!wrow[o])
                    continue;
                VEC wv = vec_bcast(wrow[o] + kx);
#pragma GCC unroll 8
                for (int v = 0; v < nv; v++)
                    acc[o][v] = vec_fmadd(wv, xv[v], acc[o][v]);
            }
            next_column(&q, &r, dq, dr, a->stride_w);
        }
    }
    store_block(a, acc, nr, nv, tail, last,
                a->dst + (size_t)oc * a->out_h * a->out_w + (size_t)oy * a->out_w + x,
                a->out_w);
}

/* Block of n items at i, columns [x, x + nv * VLEN): channels [i, i + n)
 * of row oy, or with depthwise set rows [i, i + n) of channel oc. */
static ALWAYS_INLINE void conv_unit(const cnn_conv2d_kernel_args *a, int oc, int oy, int i,
                                    int n, int depthwise, int x, int nv, int tail, MASK last)
{
    if (depthwise)
        dw_block(a, oc, i, n, x, nv, tail, last);
    else
        chan_block(a, i, n, oy, x, nv, tail, last);
}

/* Items [i0, i1) of one block of columns, in blocks of `block` (a constant),
 * the remainder in halving blocks (7 = 4 + 2 + 1), each size a constant. */
static ALWAYS_INLINE void conv_items(const cnn_conv2d_kernel_args *a, int oc, int oy, int i0,
                                     int i1, int block, int depthwise, int x, int nv, int tail,
                                     MASK last)
{
    int i = i0;
    for (; i + block <= i1; i += block)
        conv_unit(a, oc, oy, i, block, depthwise, x, nv, tail, last);
    if (block > 4 && i + 4 <= i1) {
        conv_unit(a, oc, oy, i, 4, depthwise, x, nv, tail, last);
        i += 4;
    }
    if (block > 2 && i + 2 <= i1) {
        conv_unit(a, oc, oy, i, 2, depthwise, x, nv, tail, last);
        i += 2;
    }
    if (i < i1)
        conv_unit(a, oc, oy, i, 1, depthwise, x, nv, tail, last);
}

#if OCB > 8 || DWR > 8
#error "conv_items handles up to 8 channels or rows per block"
#endif

/* Every item [i0, i1) over the output width, column blocks outer so the
 * input columns of one block stay in L1 for all items: full blocks of XVB
 * vectors, then the rest. A lone last vector loads as much as it computes,
 * so with XVB 3 the last four vectors go as two blocks of two. */
static ALWAYS_INLINE void conv_row(const cnn_conv2d_kernel_args *a, int oc, int oy, int i0,
                                   int i1, int block, int depthwise)
{
    int x = 0;
    for (; x + XVB * VLEN <= a->out_w; x += XVB * VLEN) {
        if (XVB == 3 && a->out_w - x > 3 * VLEN && a->out_w - x <= 4 * VLEN) {
            conv_items(a, oc, oy, i0, i1, block, depthwise, x, 2, 0, vec_mask(VLEN));
            x += 2 * VLEN;
            break;
        }
        conv_items(a, oc, oy, i0, i1, block, depthwise, x, XVB, 0, vec_mask(VLEN));
    }
    int rest = a->out_w - x;
    if (rest <= 0)
        return;
    int nv = (rest + VLEN - 1) / VLEN;
    MASK last = vec_mask(rest - (nv - 1) * VLEN);
    switch (nv) {
#if XVB > 4
#error "conv_row handles up to 4 vectors per block"
#endif
#if XVB > 3
    case 3: conv_items(a, oc, oy, i0, i1, block, depthwise, x, 3, 1, last); break;
#endif
#if XVB > 2
    case 2: conv_items(a, oc, oy, i0, i1, block, depthwise, x, 2, 1, last); break;
#endif
    case 1: conv_items(a, oc, oy, i0, i1, block, depthwise, x, 1, 1, last); break;
    default: conv_items(a, oc, oy, i0, i1, block, depthwise, x, XVB, 1, last); break;
    }
}

/* Rows outer, channels innermost: the input of one block of columns of one
 * output row stays in L1 for every block of channels. */
void KERNEL_NAME(const cnn_conv2d_kernel_args *a, int oc0, int oc1, int oy0, int oy1)
{
    for (int oy = oy0; oy < oy1; oy++)
        conv_row(a, 0, oy, oc0, oc1, OCB, 0);
}

/* Channels outer: one channel's input band stays in L1 across its rows. */
void KERNEL_DW_NAME(const cnn_conv2d_kernel_args *a, int oc0, int oc1, int oy0, int oy1)
{
    for (int oc = oc0; oc < oc1; oc++)
        conv_row(a, oc, 0, oy0, oy1, DWR, 1);
}
