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
 * by the op), so kernels never test borders. */
typedef struct cnn_conv2d_kernel_args {
    const float *src; /* cin planes of src_h x src_w */
    int cin, src_h, src_w;
    const float *weight; /* [cout][cin][kh][kw] of this group */
    const float *bias;   /* [cout] or NULL */
    float *dst;          /* cout planes of out_h x out_w */
    int cout, out_h, out_w;
    int kh, kw, stride_h, stride_w, dil_h, dil_w;
} cnn_conv2d_kernel_args;

/* Compute output channels [oc0, oc1) and rows [oy0, oy1). */
typedef void (*cnn_conv2d_kernel_fn)(const cnn_conv2d_kernel_args *a, int oc0, int oc1,
                                     int oy0, int oy1);

/* Window geometry of 2-D pooling, shared by the float and 8-bit kernels. */
typedef struct cnn_pool2d_window {
    int kh, kw, stride_h, stride_w, dil_h, dil_w;
    int pad_top, pad_bottom, pad_left, pad_right;
    int count_include_pad, divisor; /* averages: see cnn/pool.h */
} cnn_pool2d_window;

/* One input plane pooled into one output plane by a windowed mode (max,
 * avg, min, Lp, max-avg; an int holding a cnn_pool_mode). */
typedef struct cnn_pool2d_kernel_args {
    const float *src;
    int src_h, src_w;
    float *dst;
    int32_t *indices; /* NULL, or one per output (max and min only) */
    int out_h, out_w;
    int mode;
    float p, alpha;
    cnn_pool2d_window win;
} cnn_pool2d_kernel_args;

/* Compute output rows [oy0, oy1) of the plane. */
typedef void (*cnn_pool2d_kernel_fn)(const cnn_pool2d_kernel_args *a, int oy0, int oy1);

/* One 8-bit plane with row strides in bytes; max, min or avg. */
typedef struct cnn_pool2d_u8_args {
    const uint8_t *src;
    ptrdiff_t src_stride;
    int src_h, src_w;
    uint8_t *dst;
    ptrdiff_t dst_stride;
    int out_h, out_w;
    int mode;
    cnn_pool2d_window win;
} cnn_pool2d_u8_args;

typedef void (*cnn_pool2d_u8_kernel_fn)(const cnn_pool2d_u8_args *a, int oy0, int oy1);

struct cnn_kernels {
    unsigned cpu_flags; /* the level the table was filled for */
    cnn_conv2d_kernel_fn conv2d;
    cnn_pool2d_kernel_fn pool2d;
    cnn_pool2d_u8_kernel_fn pool2d_u8;
};

typedef struct cnn_kernels cnn_kernels;

/* Fill every family for the given features. */
void cnn_kernels_init(cnn_kernels *k, unsigned cpu_flags);

/* Per family: C reference, then the ISA overrides. */
void cnn_conv2d_init_kernels(cnn_kernels *k, unsigned cpu_flags);
void cnn_pool2d_init_kernels(cnn_kernels *k, unsigned cpu_flags);
/* In core/x86/, only built (and called) on x86-64. */
void cnn_pool2d_init_x86(cnn_kernels *k, unsigned cpu_flags);

/* C references, callable directly by tests. */
void cnn_conv2d_kernel_c(const cnn_conv2d_kernel_args *a, int oc0, int oc1, int oy0, int oy1);
void cnn_pool2d_kernel_c(const cnn_pool2d_kernel_args *a, int oy0, int oy1);
void cnn_pool2d_u8_kernel_c(const cnn_pool2d_u8_args *a, int oy0, int oy1);
/* The same on the output rectangle [oy0, oy1) x [ox0, ox1): SIMD kernels
 * do the interior and hand the borders to these. */
void cnn_pool2d_rect_c(const cnn_pool2d_kernel_args *a, int oy0, int oy1, int ox0, int ox1);
void cnn_pool2d_u8_rect_c(const cnn_pool2d_u8_args *a, int oy0, int oy1, int ox0, int ox1);
/* Outputs [*lo, *hi) of one axis whose windows lie inside the input
 * (empty when *lo >= *hi). */
void cnn_pool2d_interior(int in, int out, int k, int stride, int dil, int pad, int *lo,
                         int *hi);

#endif
