/* Internal to the pooling family (core/ops/pool*.c): helpers the windowed,
 * adaptive, wavelet, learned and 8-bit files share. */
#ifndef CNN_POOL_INTERNAL_H
#define CNN_POOL_INTERNAL_H

#include "cnn/pool.h"
#include "kernels.h"

static inline int cnn_pool_mode_windowed(cnn_pool_mode m)
{
    return m <= CNN_POOL_MAX_AVG;
}

/* Largest window of the windowed modes (taps are listed on the stack). */
#define CNN_POOL_MAX_TAPS 4096

/* Offsets iy * pitch + ix of the window's taps that fall inside the h x w
 * input, in row-major tap order; returns how many (offs has room for
 * kh * kw). */
int cnn_pool2d_window_offsets(const cnn_pool2d_window *win, int h, int w, ptrdiff_t pitch,
                              int iy0, int ix0, ptrdiff_t *offs);

/* Window geometry of p, with stride 0 meaning the kernel. */
void cnn_pool2d_window_from_params(const cnn_pool2d_params *p, cnn_pool2d_window *w);
/* Taps start + i * dil (0 <= i < k) that fall in [lo, hi). */
int cnn_pool2d_axis_taps(int start, int k, int dil, int lo, int hi);
/* Divisor of the average of the window starting at (iy0, ix0). */
int cnn_pool2d_avg_count(const cnn_pool2d_window *w, int in_h, int in_w, int iy0, int ix0);

/* Cell i of n over an input of size in: [*begin, *end) (PyTorch's
 * adaptive pooling). */
static inline void cnn_pool_adaptive_range(int i, int n, int in, int *begin, int *end)
{
    *begin = (int)((long long)i * in / n);
    *end = (int)(((long long)(i + 1) * in + n - 1) / n);
}

/* Call fn(job, plane) for planes [0, n) split over the context's threads;
 * a plane belongs to one thread, so scatter-adds stay deterministic. */
typedef void (*cnn_pool_plane_fn)(const void *job, int plane);
void cnn_pool_run_planes(cnn_context *ctx, int n, cnn_pool_plane_fn fn, const void *job);

/* Global, adaptive and pyramid modes (pool_adaptive.c). */
cnn_status cnn_pool_adaptive_forward(cnn_context *ctx, const cnn_pool2d_params *p,
                                     const cnn_tensor *x, cnn_tensor *y, int32_t *indices);
cnn_status cnn_pool_adaptive_backward(cnn_context *ctx, const cnn_pool2d_params *p,
                                      const cnn_tensor *x, const cnn_tensor *dy,
                                      const int32_t *indices, cnn_tensor *dx);
/* Haar low-low band (pool_wavelet.c). */
cnn_status cnn_pool_wavelet_forward(cnn_context *ctx, const cnn_tensor *x, cnn_tensor *y);
cnn_status cnn_pool_wavelet_backward(cnn_context *ctx, const cnn_tensor *dy, cnn_tensor *dx);

#endif
