/* The pointwise (1x1) conv2d kernel, shared by the AVX2 and AVX-512 files,
 * which include vec_<isa>.h and define MR (output channels per block, a
 * power of two up to 8) and NV (vectors of columns per block, up to 3).
 * A block holds MR x NV accumulators; per input channel it loads NV vectors
 * of the source row and broadcasts MR weights. Blocks of columns are the
 * outer loop: the caller keeps k1 - k0 small enough that the source rows of
 * one block of columns stay in L1 while every block of channels passes over
 * them, the weights streaming from L2. */
#include "kernels.h"

#define ALWAYS_INLINE inline __attribute__((always_inline))

#if MR > 8 || NV > 3
#error "the pointwise kernel handles up to 8 channels and 3 vectors per block"
#endif

/* nm channels from m, columns [x, x + nv * VLEN), the last vector holding
 * only the lanes of `last` when tail is set. nm, nv and tail are constants
 * at every call, so acc stays in registers. */
static ALWAYS_INLINE void pw_block(const cnn_conv2d_pw_args *a, int m, int nm, int x, int nv,
                                   int tail, MASK last, int k0, int k1)
{
    VEC acc[MR][NV];
    float *out = a->dst + (size_t)m * a->ld_dst + x;
#pragma GCC unroll 8
    for (int i = 0; i < nm; i++)
#pragma GCC unroll 3
        for (int v = 0; v < nv; v++) {
            float *o = out + (size_t)i * a->ld_dst + v * VLEN;
            if (k0 > 0)
                acc[i][v] = tail && v == nv - 1 ? vec_load_mask(o, last) : vec_loadu(o);
            else
                acc[i][v] = a->bias ? vec_set1(a->bias[m + i]) : vec_zero();
        }
    const float *w = a->weight + (size_t)m * a->k;
    const float *in = a->src + (size_t)k0 * a->ld_src + x;
    for (int k = k0; k < k1; k++, in += a->ld_src) {
        VEC xv[NV];
#pragma GCC unroll 3
        for (int v = 0; v < nv; v++)
            xv[v] = tail && v == nv - 1 ? vec_load_mask(in + v * VLEN, last)
                                        : vec_loadu(in + v * VLEN);
#pragma GCC unroll 8
        for (int i = 0; i < nm; i++) {
            VEC wv = vec_bcast(w + (size_t)i * a->k + k);
#pragma GCC unroll 3
            for (int v = 0; v < nv; v++)
                acc[i][v] = vec_fmadd(wv, xv[v], acc[i][v]);
        }
    }
    int clamp = k1 == a->k && a->clamp;
    VEC lo = vec_set1(a->clamp_min), hi = vec_set1(a->clamp_max);
#pragma GCC unroll 8
    for (int i = 0; i < nm; i++)
#pragma GCC unroll 3
        for (int v = 0; v < nv; v++) {
            float *o = out + (size_t)i * a->ld_dst + v * VLEN;
            VEC y = clamp ? vec_min(hi, vec_max(lo, acc[i][v])) : acc[i][v];
            if (tail && v == nv - 1)
                vec_store_mask(o, last, y);
            else
                vec_storeu(o, y);
        }
}

/* Channels [m0, m1) of one block of columns: blocks of MR, the rest in
 * halving blocks (7 = 4 + 2 + 1). */
static ALWAYS_INLINE void pw_channels(const cnn_conv2d_pw_args *a, int m0, int m1, int x,
                                      int nv, int tail, MASK last, int k0, int k1)
{
    int m = m0;
    for (; m + MR <= m1; m += MR)
        pw_block(a, m, MR, x, nv, tail, last, k0, k1);
    if (MR > 4 && m + 4 <= m1) {
        pw_block(a, m, 4, x, nv, tail, last, k0, k1);
        m += 4;
    }
    if (MR > 2 && m + 2 <= m1) {
        pw_block(a, m, 2, x, nv, tail, last, k0, k1);
        m += 2;
    }
    if (m < m1)
        pw_block(a, m, 1, x, nv, tail, last, k0, k1);
}

void ISA_NAME(cnn_conv2d_pw)(const cnn_conv2d_pw_args *a, int m0, int m1, int n0, int n1,
                             int k0, int k1)
{
    int x = n0;
    for (; x + NV * VLEN <= n1; x += NV * VLEN) {
        /* A lone last vector would load as much as it computes: with NV 3
         * the last four vectors go as two blocks of two. */
        if (NV == 3 && n1 - x > 3 * VLEN && n1 - x <= 4 * VLEN) {
            pw_channels(a, m0, m1, x, 2, 0, vec_mask(VLEN), k0, k1);
            x += 2 * VLEN;
            break;
        }
        pw_channels(a, m0, m1, x, NV, 0, vec_mask(VLEN), k0, k1);
    }
    int rest = n1 - x;
    if (rest <= 0)
        return;
    int nv = (rest + VLEN - 1) / VLEN;
    MASK last = vec_mask(rest - (nv - 1) * VLEN);
    if (NV > 2 && nv == 2)
        pw_channels(a, m0, m1, x, 2, 1, last, k0, k1);
    else if (nv == 1)
        pw_channels(a, m0, m1, x, 1, 1, last, k0, k1);
    else
        pw_channels(a, m0, m1, x, NV, 1, last, k0, k1);
}
