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

/* Edge detection. A 3x3 gradient operator is [side centre side]^T x
 * [-1 0 1] (gx) and its transpose (gy): Sobel 1,2, Scharr 3,10, Prewitt 1,1.
 * Rows r0, r1, r2 are y-1, y, y+1 with the vertical border already resolved;
 * column -1 reads column `left` and column width reads column `right` (the
 * horizontal border rule). */
typedef void (*cnn_edge_grad3_s16_fn)(const uint8_t *r0, const uint8_t *r1, const uint8_t *r2,
                                      int16_t *gx, int16_t *gy, int width, int side,
                                      int centre, int left, int right);
/* The same operator straight to 8 bits: min(|gx| + |gy|, 255), or with l2
 * the rounded min(sqrt(gx^2 + gy^2), 255). */
typedef void (*cnn_edge_mag3_u8_fn)(const uint8_t *r0, const uint8_t *r1, const uint8_t *r2,
                                    uint8_t *dst, int width, int side, int centre, int left,
                                    int right, int l2);
/* Canny magnitude of n gradients: |gx| + |gy|, or with l2 gx^2 + gy^2. */
typedef void (*cnn_edge_canny_mag_fn)(const int16_t *gx, const int16_t *gy, int32_t *mag,
                                      int n, int l2);
/* Canny non-maximum suppression of one row (OpenCV's tan(22.5) sectors):
 * map[x] = 2 for a strong edge (> high), 0 for a weak candidate (> low), 1
 * otherwise. mag_p, mag_a, mag_n are rows y-1, y, y+1, readable at -1 and
 * width. */
typedef void (*cnn_edge_canny_nms_fn)(const int32_t *mag_p, const int32_t *mag_a,
                                      const int32_t *mag_n, const int16_t *gx,
                                      const int16_t *gy, uint8_t *map, int width, int32_t low,
                                      int32_t high);

struct cnn_kernels {
    unsigned cpu_flags; /* the level the table was filled for */
    cnn_conv2d_kernel_fn conv2d;
    cnn_edge_grad3_s16_fn edge_grad3_s16;
    cnn_edge_mag3_u8_fn edge_mag3_u8;
    cnn_edge_canny_mag_fn edge_canny_mag;
    cnn_edge_canny_nms_fn edge_canny_nms;
};

typedef struct cnn_kernels cnn_kernels;

/* Fill every family for the given features. */
void cnn_kernels_init(cnn_kernels *k, unsigned cpu_flags);

/* Per family: C reference, then the ISA overrides. */
void cnn_conv2d_init_kernels(cnn_kernels *k, unsigned cpu_flags);
void cnn_edge_init_kernels(cnn_kernels *k, unsigned cpu_flags);
#if CNN_HAVE_X86
void cnn_edge_init_x86(cnn_kernels *k, unsigned cpu_flags);
#endif

/* C references, callable directly by tests. */
void cnn_conv2d_kernel_c(const cnn_conv2d_kernel_args *a, int oc0, int oc1, int oy0, int oy1);
void cnn_edge_grad3_s16_c(const uint8_t *r0, const uint8_t *r1, const uint8_t *r2, int16_t *gx,
                          int16_t *gy, int width, int side, int centre, int left, int right);
void cnn_edge_mag3_u8_c(const uint8_t *r0, const uint8_t *r1, const uint8_t *r2, uint8_t *dst,
                        int width, int side, int centre, int left, int right, int l2);
void cnn_edge_canny_mag_c(const int16_t *gx, const int16_t *gy, int32_t *mag, int n, int l2);
void cnn_edge_canny_nms_c(const int32_t *mag_p, const int32_t *mag_a, const int32_t *mag_n,
                          const int16_t *gx, const int16_t *gy, uint8_t *map, int width,
                          int32_t low, int32_t high);

#endif
