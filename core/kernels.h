/* The kernel table: one function pointer per hot loop, filled once per
 * context from the CPU features. Families fill their entries in
 * cnn_<family>_init_kernels() with the C reference first, then override in
 * ascending ISA order (FFmpeg's DSP-context habit). Kernels cannot fail:
 * shapes were checked by the op before it calls them. Internal header. */
#ifndef CNN_KERNELS_H
#define CNN_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/* One group of one image, input already padded (zeros/reflect/replicate done
 * by the op), so kernels never test borders. For stride_w > 1 the op splits
 * each padded row into stride_w column phases (phase r holds columns r,
 * r + stride_w, ...), so the taps of consecutive outputs are consecutive
 * floats and SIMD loads stay contiguous. Input tap (ic, ky, kx) of output
 * (oy, ox), with c = kx * dil_w, is
 *   src[ic * src_plane + (oy * stride_h + ky * dil_h) * src_row
 *       + (c % stride_w) * src_phase + c / stride_w + ox]. */
typedef struct cnn_conv2d_kernel_args {
    const float *src;
    int cin;
    size_t src_plane;    /* floats between input channels */
    size_t src_row;      /* floats between padded rows */
    size_t src_phase;    /* floats between the column phases of a row */
    const float *weight; /* [cout][cin][kh][kw] of this group */
    const float *bias;   /* [cout] or NULL */
    float *dst;          /* cout planes of out_h x out_w */
    int cout, out_h, out_w;
    int kh, kw, stride_h, stride_w, dil_h, dil_w;
} cnn_conv2d_kernel_args;

/* Compute output channels [oc0, oc1) and rows [oy0, oy1). */
typedef void (*cnn_conv2d_kernel_fn)(const cnn_conv2d_kernel_args *a, int oc0, int oc1,
                                     int oy0, int oy1);

/* Deinterleave n floats: even[i] = src[2 i], odd[i] = src[2 i + 1]; the
 * column-phase split of conv2d's input at stride_w 2. */
typedef void (*cnn_conv2d_split2_fn)(const float *src, int n, float *even, float *odd);

struct cnn_kernels {
    unsigned cpu_flags; /* the level the table was filled for */
    cnn_conv2d_kernel_fn conv2d;
    cnn_conv2d_kernel_fn conv2d_dw; /* the same when a->cin == 1 (depthwise) */
    cnn_conv2d_split2_fn conv2d_split2;
};

typedef struct cnn_kernels cnn_kernels;

/* Fill every family for the given features. */
void cnn_kernels_init(cnn_kernels *k, unsigned cpu_flags);

/* Per family: C reference, then the ISA overrides. */
void cnn_conv2d_init_kernels(cnn_kernels *k, unsigned cpu_flags);
#if CNN_HAVE_X86
void cnn_conv2d_init_x86(cnn_kernels *k, unsigned cpu_flags);
#endif

/* C references, callable directly by tests. */
void cnn_conv2d_kernel_c(const cnn_conv2d_kernel_args *a, int oc0, int oc1, int oy0, int oy1);
void cnn_conv2d_split2_c(const float *src, int n, float *even, float *odd);

/* SIMD twins, defined only in x86-64 builds. */
void cnn_conv2d_kernel_avx2(const cnn_conv2d_kernel_args *a, int oc0, int oc1, int oy0,
                            int oy1);
void cnn_conv2d_kernel_avx512(const cnn_conv2d_kernel_args *a, int oc0, int oc1, int oy0,
                              int oy1);
void cnn_conv2d_kernel_dw_avx2(const cnn_conv2d_kernel_args *a, int oc0, int oc1, int oy0,
                               int oy1);
void cnn_conv2d_kernel_dw_avx512(const cnn_conv2d_kernel_args *a, int oc0, int oc1, int oy0,
                                 int oy1);
void cnn_conv2d_split2_avx2(const float *src, int n, float *even, float *odd);
void cnn_conv2d_split2_avx512(const float *src, int n, float *even, float *odd);

#endif
