/* Scalar helpers shared by the pooling kernels of every x86 level
 * (pool_avx2.c, pool_avx512.c). Internal. */
#ifndef CNN_POOL_X86_H
#define CNN_POOL_X86_H

#include "cnn/pool.h"
#include "kernels.h"

/* Set the table entries of one level; pool_init.c calls them in ascending
 * order when the CPU has the level. */
void cnn_pool2d_init_avx2(cnn_kernels *k);
void cnn_pool2d_init_avx512(cnn_kernels *k);

/* Rows [*ylo, *yhi) within [oy0, oy1) and columns [*xlo, *xhi) whose
 * windows lie inside the plane. */
static inline void pool_x86_interior(const cnn_pool2d_window *w, int src_h, int src_w,
                                     int out_h, int out_w, int oy0, int oy1, int *ylo,
                                     int *yhi, int *xlo, int *xhi)
{
    cnn_pool2d_interior(src_h, out_h, w->kh, w->stride_h, w->dil_h, w->pad_top, ylo, yhi);
    cnn_pool2d_interior(src_w, out_w, w->kw, w->stride_w, w->dil_w, w->pad_left, xlo, xhi);
    *ylo = *ylo < oy0 ? oy0 : *ylo > oy1 ? oy1 : *ylo;
    *yhi = *yhi > oy1 ? oy1 : *yhi < *ylo ? *ylo : *yhi;
}

/* Furthest element a vector of `width` outputs reads, from its first
 * window's start: stride 1 loads width elements per tap; stride 2 loads
 * 2 * width per pair of taps (an odd last tap reads one element past). */
static inline int pool_x86_reach(int stride_w, int kw, int width)
{
    return stride_w == 2 ? 2 * width - 2 + kw - 1 + (kw & 1) : width - 1 + kw - 1;
}

/* Start of the vector of `width` outputs after `done` in the interior
 * [xlo, xhi) of a row: the last one moves left to end at xhi (recomputing
 * a few outputs, identically); -1 when none is left or its reads would pass
 * the row's end (the C reference does the rest). */
static inline int pool_x86_vector_at(int done, int width, int xlo, int xhi, int stride_w,
                                     int pad_left, int reach, int src_w)
{
    if (done >= xhi)
        return -1;
    int at = done + width <= xhi ? done : xhi - width;
    if (at < xlo || at * stride_w - pad_left + reach >= src_w)
        return -1;
    return at;
}

/* Unsigned 16-bit division by a constant d >= 1 (Granlund & Montgomery
 * 1994, fig. 4.1): q = (t + ((n - t) >> sh1)) >> sh2, t = (n * m) >> 16. */
typedef struct pool_x86_divider {
    unsigned m;
    int sh1, sh2;
} pool_x86_divider;

static inline pool_x86_divider pool_x86_divider_make(unsigned d)
{
    int l = 0;
    while ((1u << l) < d)
        l++;
    return (pool_x86_divider){ (unsigned)(((1ull << 16) * ((1ull << l) - d)) / d + 1),
                               l < 1 ? l : 1, l > 1 ? l - 1 : 0 };
}

/* Whether the SIMD kernels take these arguments (else the C reference). */
static inline int pool_x86_f32_supported(const cnn_pool2d_kernel_args *a)
{
    const cnn_pool2d_window *w = &a->win;
    return (a->mode == CNN_POOL_MAX || a->mode == CNN_POOL_MIN || a->mode == CNN_POOL_AVG) &&
           (w->stride_w == 1 || w->stride_w == 2) && w->dil_w == 1;
}

static inline int pool_x86_u8_supported(const cnn_pool2d_u8_args *a)
{
    const cnn_pool2d_window *w = &a->win;
    unsigned d = (unsigned)(w->divisor > 0 ? w->divisor : w->kh * w->kw);
    /* 16-bit sums: kh * kw * 255 plus the rounding half must stay below 2^16 */
    return (a->mode == CNN_POOL_MAX || a->mode == CNN_POOL_MIN || a->mode == CNN_POOL_AVG) &&
           (w->stride_w == 1 || w->stride_w == 2) && w->dil_w == 1 &&
           (a->mode != CNN_POOL_AVG || (unsigned)w->kh * w->kw * 255u + d / 2 < 65536u);
}

#endif
