/* The conv2d SIMD kernel body, shared by the AVX2 and AVX-512 files. The
 * including file defines:
 *   VEC, VLEN          vector type and floats per vector
 *   MASK, vec_mask(n)  lane mask type, mask of the first n lanes (1..VLEN)
 *   vec_zero(), vec_set1(x), vec_bcast(p), vec_loadu(p), vec_fmadd(a, b, c),
 *   vec_storeu(p, v), vec_load_mask(p, m), vec_store_mask(p, m, v)
 *   OCB                output channels held in registers (a power of two)
 *   XVB                vectors of output columns held in registers
 *   KERNEL_NAME        name of the kernel function
 * Each block keeps OCB x XVB accumulators in registers, loads XVB input
 * vectors per tap and broadcasts one weight per output channel, so a tap
 * costs XVB + OCB loads for OCB * XVB FMAs. */
#include "kernels.h"

#define ALWAYS_INLINE inline __attribute__((always_inline))

/* noc output channels from oc, output row oy, columns [x, x + nv * VLEN);
 * with tail set, the last vector holds only the lanes of `last`. noc, nv and
 * tail are constants at every call, so the loops unroll and acc stays in
 * registers. */
static ALWAYS_INLINE void conv_block(const cnn_conv2d_kernel_args *a, int oc, int noc,
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
                const float *p = row + (size_t)r * a->src_phase + q;
                VEC xv[XVB];
#pragma GCC unroll 8
                for (int v = 0; v < nv; v++)
                    xv[v] = tail && v == nv - 1 ? vec_load_mask(p + v * VLEN, last)
                                        : vec_loadu(p + v * VLEN);
#pragma GCC unroll 16
                for (int i = 0; i < noc; i++) {
                    VEC wv = vec_bcast(w + i * taps);
#pragma GCC unroll 8
                    for (int v = 0; v < nv; v++)
                        acc[i][v] = vec_fmadd(wv, xv[v], acc[i][v]);
                }
                q += dq;
                r += dr;
                if (r >= a->stride_w) {
                    r -= a->stride_w;
                    q++;
                }
            }
        }
    }
    size_t plane = (size_t)a->out_h * a->out_w;
    float *out = a->dst + (size_t)oc * plane + (size_t)oy * a->out_w + x;
#pragma GCC unroll 16
    for (int i = 0; i < noc; i++, out += plane) {
#pragma GCC unroll 8
        for (int v = 0; v < nv; v++) {
            if (tail && v == nv - 1)
                vec_store_mask(out + v * VLEN, last, acc[i][v]);
            else
                vec_storeu(out + v * VLEN, acc[i][v]);
        }
    }
}

/* One row of noc channels: full blocks of XVB vectors, then the rest. */
static ALWAYS_INLINE void conv_row(const cnn_conv2d_kernel_args *a, int oc, int noc, int oy)
{
    int x = 0;
    for (; x + XVB * VLEN <= a->out_w; x += XVB * VLEN)
        conv_block(a, oc, noc, oy, x, XVB, 0, vec_mask(VLEN));
    int rest = a->out_w - x;
    if (rest <= 0)
        return;
    int nv = (rest + VLEN - 1) / VLEN;
    MASK last = vec_mask(rest - (nv - 1) * VLEN);
    switch (nv) {
#if XVB > 3
#error "conv_row handles up to 3 vectors per block"
#endif
#if XVB > 2
    case 2: conv_block(a, oc, noc, oy, x, 2, 1, last); break;
#endif
    case 1: conv_block(a, oc, noc, oy, x, 1, 1, last); break;
    default: conv_block(a, oc, noc, oy, x, XVB, 1, last); break;
    }
}

static void conv_rows(const cnn_conv2d_kernel_args *a, int oc, int noc, int oy0, int oy1)
{
    for (int oy = oy0; oy < oy1; oy++) {
        switch (noc) {
        case OCB: conv_row(a, oc, OCB, oy); break;
#if OCB > 4
        case 4: conv_row(a, oc, 4, oy); break;
#endif
#if OCB > 2
        case 2: conv_row(a, oc, 2, oy); break;
#endif
        default: conv_row(a, oc, 1, oy); break;
        }
    }
}

#if OCB > 8
#error "conv_rows handles up to 8 channels per block"
#endif

void KERNEL_NAME(const cnn_conv2d_kernel_args *a, int oc0, int oc1, int oy0, int oy1)
{
    /* Channels in blocks of OCB, the remainder in halving blocks (7 = 4+2+1). */
    int oc = oc0;
    for (int n = OCB; n >= 1; n /= 2)
        for (; oc + n <= oc1; oc += n)
            conv_rows(a, oc, n, oy0, oy1);
}
