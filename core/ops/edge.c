/* Edge detection entry points: parameter checks, the workspace plan and the
 * split of rows over the thread pool. The operators live in
 * edge_gradients.c, edge_laplacian.c and edge_canny.c, the optional Gaussian
 * blur (rows made on demand) in edge_blur.c; their hot loops are kernel
 * table entries. */
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "cnn/edge.h"
#include "cnn/threadpool.h"
#include "edge_internal.h"

void cnn_edge_params_init(cnn_edge_params *p, cnn_edge_method method)
{
    memset(p, 0, sizeof *p);
    p->method = method;
    p->norm = CNN_EDGE_L1;
    p->aperture = 3;
    p->laplacian = CNN_LAPLACIAN_4;
    p->threshold_low = 50;
    p->threshold_high = 150;
    p->scale = 1;
}

cnn_status cnn_edge_check(const cnn_edge_params *p, int width, int height)
{
    if (width < 1 || height < 1)
        return cnn_fail(CNN_ERR_SHAPE, "edge: plane %dx%d, must be at least 1x1", width,
                        height);
    /* Canny addresses its edge map with 32-bit offsets. */
    if (((double)width + 2) * ((double)height + 2) >= 2147483647.0)
        return cnn_fail(CNN_ERR_SHAPE, "edge: plane %dx%d is too large", width, height);
    if ((unsigned)p->method > CNN_EDGE_CANNY)
        return cnn_fail(CNN_ERR_INVALID_ARG, "edge: unknown method %d", (int)p->method);
    if ((unsigned)p->norm > CNN_EDGE_L2)
        return cnn_fail(CNN_ERR_INVALID_ARG, "edge: unknown norm %d", (int)p->norm);
    if (p->method == CNN_EDGE_SOBEL || p->method == CNN_EDGE_CANNY) {
        if (p->aperture != 3 && p->aperture != 5 && p->aperture != 7)
            return cnn_fail(CNN_ERR_INVALID_ARG, "edge: aperture %d, must be 3, 5 or 7",
                            p->aperture);
    } else if (p->method != CNN_EDGE_LAPLACIAN && p->aperture != 3) {
        return cnn_fail(CNN_ERR_INVALID_ARG, "edge: aperture %d, Scharr and Prewitt are 3x3",
                        p->aperture);
    }
    if (p->method == CNN_EDGE_LAPLACIAN && (unsigned)p->laplacian > CNN_LAPLACIAN_APERTURE5)
        return cnn_fail(CNN_ERR_INVALID_ARG, "edge: unknown Laplacian kind %d",
                        (int)p->laplacian);
    /* at most 31: the float kernel (8 sigma + 1 taps) fits EDGE_MAX_BLUR */
    if (!(p->blur_sigma >= 0 && p->blur_sigma <= 31))
        return cnn_fail(CNN_ERR_INVALID_ARG, "edge: blur sigma %g, must be in [0, 31]",
                        (double)p->blur_sigma);
    if (!(p->scale >= 0) || isinf(p->scale))
        return cnn_fail(CNN_ERR_INVALID_ARG, "edge: scale %g, must be finite and >= 0",
                        (double)p->scale);
    if (p->method == CNN_EDGE_CANNY &&
        (!(p->threshold_low >= 0) || !(p->threshold_high >= 0) ||
         isinf(p->threshold_low) || isinf(p->threshold_high)))
        return cnn_fail(CNN_ERR_INVALID_ARG,
                        "edge: Canny thresholds %g, %g must be finite and >= 0",
                        (double)p->threshold_low, (double)p->threshold_high);
    return CNN_OK;
}

/* Workspace: the scratch of each thread (the operator's rows, then the ring
 * of blurred rows when blurring), then Canny's edge map and stack. */
size_t cnn_edge_op_scratch(const cnn_edge_params *p, int width)
{
    switch (p->method) {
    case CNN_EDGE_CANNY: return cnn_edge_canny_scratch(width);
    case CNN_EDGE_LAPLACIAN: return cnn_edge_laplacian_scratch(width);
    default: break;
    }
    return cnn_edge_gradient_scratch(p, width);
}

size_t cnn_edge_thread_scratch(const cnn_edge_params *p, int width)
{
    return cnn_edge_op_scratch(p, width) + cnn_edge_rows_scratch(p->blur_sigma, width);
}

/* Sized for the packed path (cnn_edge_detect_packed), whose thread scratch
 * holds the plane path's, so one workspace serves every entry. */
size_t cnn_edge_workspace_size(const cnn_edge_params *p, int width, int height, int n_threads)
{
    if (n_threads <= 0) { /* as cnn_context_create: one per online CPU */
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        n_threads = cpus > 0 ? (int)cpus : 1;
    }
    size_t luma_offset, gray_offset;
    size_t s = (size_t)n_threads * cnn_edge_packed_scratch(p, width, &luma_offset, &gray_offset);
    if (p->method == CNN_EDGE_CANNY)
        s += cnn_edge_canny_shared(width, height);
    else
        s += (size_t)n_threads * cnn_edge_packed_halo(p, width);
    return s;
}

typedef struct rows_job {
    int is_f32;
    const cnn_kernels *k;
    const cnn_edge_params *p;
    const void *src;
    ptrdiff_t src_stride; /* elements */
    void *dst;
    ptrdiff_t dst_stride;
    float *gx, *gy; /* float gradients wanted instead of magnitudes */
    int width, height;
    uint8_t *scratch;
    size_t scratch_size, rows_offset;
} rows_job;

static void rows_task(void *arg, int ith, int nth)
{
    const rows_job *j = arg;
    int y0, y1;
    cnn_split_range(j->height, ith, nth, &y0, &y1);
    if (y0 >= y1)
        return;
    uint8_t *s = j->scratch + (size_t)ith * j->scratch_size;
    edge_rows src;
    cnn_edge_rows_init(&src, j->k, j->src, j->src_stride * (j->is_f32 ? 4 : 1), j->width,
                       j->height, j->is_f32, j->p->blur_sigma, s + j->rows_offset);
    if (j->p->method == CNN_EDGE_LAPLACIAN) {
        if (j->is_f32)
            cnn_edge_laplacian_rows_f32(j->p, &src, j->dst, j->dst_stride, y0, y1, s);
        else
            cnn_edge_laplacian_rows_u8(j->k, j->p, &src, j->dst, j->dst_stride, y0, y1, s);
    } else if (j->is_f32) {
        cnn_edge_magnitude_rows_f32(j->k, j->p, &src, j->dst, j->dst_stride, y0, y1, j->gx,
                                    j->gy, s);
    } else {
        cnn_edge_magnitude_rows_u8(j->k, j->p, &src, j->dst, j->dst_stride, y0, y1, s);
    }
}

static cnn_status check_call(const cnn_edge_params *p, const void *src, ptrdiff_t src_stride,
                             const void *dst, ptrdiff_t dst_stride, int width, int height,
                             const void *workspace)
{
    cnn_status st = cnn_edge_check(p, width, height);
    if (st != CNN_OK)
        return st;
    if (!src || !dst)
        return cnn_fail(CNN_ERR_INVALID_ARG, "edge: NULL plane");
    if (src_stride < width || dst_stride < width)
        return cnn_fail(CNN_ERR_SHAPE, "edge: strides %td and %td, must be >= width %d",
                        src_stride, dst_stride, width);
    if (!workspace && cnn_edge_workspace_size(p, width, height, 1))
        return cnn_fail(CNN_ERR_INVALID_ARG,
                        "edge: NULL workspace, cnn_edge_workspace_size() bytes needed");
    return CNN_OK;
}

static void detect(cnn_context *ctx, rows_job *j, void *workspace)
{
    const cnn_edge_params *p = j->p;
    int nth = cnn_context_threads(ctx);
    j->scratch = workspace;
    j->scratch_size = cnn_edge_thread_scratch(p, j->width);
    j->rows_offset = cnn_edge_op_scratch(p, j->width);
    if (p->method == CNN_EDGE_CANNY)
        cnn_edge_canny(ctx, p, j->src, j->src_stride, j->dst, j->dst_stride, j->width,
                       j->height, j->is_f32, NULL, j->scratch, j->scratch_size,
                       j->rows_offset, j->scratch + (size_t)nth * j->scratch_size);
    else
        cnn_threadpool_run(cnn_context_pool(ctx), rows_task, j, nth);
}

static cnn_status detect_plane(cnn_context *ctx, const cnn_edge_params *p, const void *src,
                               ptrdiff_t src_stride, void *dst, ptrdiff_t dst_stride,
                               int width, int height, void *workspace, int is_f32)
{
    cnn_status st = check_call(p, src, src_stride, dst, dst_stride, width, height, workspace);
    if (st != CNN_OK)
        return st;
    rows_job j = {
        .is_f32 = is_f32, .k = cnn_context_kernels(ctx), .p = p, .src = src,
        .src_stride = src_stride, .dst = dst, .dst_stride = dst_stride, .width = width,
        .height = height,
    };
    detect(ctx, &j, workspace);
    return CNN_OK;
}

cnn_status cnn_edge_detect_u8(cnn_context *ctx, const cnn_edge_params *p, const uint8_t *src,
                              ptrdiff_t src_stride, uint8_t *dst, ptrdiff_t dst_stride,
                              int width, int height, void *workspace)
{
    return detect_plane(ctx, p, src, src_stride, dst, dst_stride, width, height, workspace, 0);
}

cnn_status cnn_edge_detect_f32(cnn_context *ctx, const cnn_edge_params *p, const float *src,
                               ptrdiff_t src_stride, float *dst, ptrdiff_t dst_stride,
                               int width, int height, void *workspace)
{
    return detect_plane(ctx, p, src, src_stride, dst, dst_stride, width, height, workspace, 1);
}

cnn_status cnn_edge_gradients_f32(cnn_context *ctx, const cnn_edge_params *p, const float *src,
                                  ptrdiff_t src_stride, float *gx, float *gy,
                                  ptrdiff_t dst_stride, int width, int height,
                                  void *workspace)
{
    if (p->method == CNN_EDGE_LAPLACIAN || p->method == CNN_EDGE_CANNY)
        return cnn_fail(CNN_ERR_INVALID_ARG,
                        "edge: gradients need Sobel, Scharr or Prewitt, not method %d",
                        (int)p->method);
    cnn_status st = check_call(p, src, src_stride, gx, dst_stride, width, height, workspace);
    if (st != CNN_OK)
        return st;
    if (!gy)
        return cnn_fail(CNN_ERR_INVALID_ARG, "edge: NULL gy plane");
    rows_job j = {
        .is_f32 = 1, .k = cnn_context_kernels(ctx), .p = p, .src = src,
        .src_stride = src_stride, .dst_stride = dst_stride, .gx = gx, .gy = gy,
        .width = width, .height = height,
    };
    detect(ctx, &j, workspace);
    return CNN_OK;
}

void cnn_edge_direction_f32(const float *gx, const float *gy, float *angle, size_t n)
{
    for (size_t i = 0; i < n; i++)
        angle[i] = atan2f(gy[i], gx[i]);
}

void cnn_edge_init_kernels(cnn_kernels *k, unsigned cpu_flags)
{
    k->edge_grad3_s16 = cnn_edge_grad3_s16_c;
    k->edge_mag3_u8 = cnn_edge_mag3_u8_c;
    k->edge_canny_mag = cnn_edge_canny_mag_c;
    k->edge_canny_nms = cnn_edge_canny_nms_c;
    k->edge_vpass_s32 = cnn_edge_vpass_s32_c;
    k->edge_hpass_s32 = cnn_edge_hpass_s32_c;
    k->edge_blur_vpass = cnn_edge_blur_vpass_c;
    k->edge_blur_hpass = cnn_edge_blur_hpass_c;
    k->edge_vpass_f32 = cnn_edge_vpass_f32_c;
    k->edge_hpass_f32 = cnn_edge_hpass_f32_c;
    k->edge_canny_nms_f32 = cnn_edge_canny_nms_f32_c;
    k->edge_lap_vpass_s16 = cnn_edge_lap_vpass_s16_c;
    k->edge_lap_hpass_u8 = cnn_edge_lap_hpass_u8_c;
#if CNN_HAVE_X86
    cnn_edge_init_x86(k, cpu_flags);
#endif
}
