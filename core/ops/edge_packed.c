/* Edge detection straight from packed 8-bit RGB(x) frames. Each thread's
 * band of rows reads its pixel rows once, makes their luma on demand into a
 * ring of rows that stays in the L1/L2 cache (an edge_rows source, under the
 * blur ring when blurring), runs the operator on the ring and spreads each
 * result row into the output's packed pixels, so no luma, blurred or edge
 * plane of the frame is ever stored. The result is bit for bit that of
 * cnn_pixels_luma, cnn_edge_detect_u8 and cnn_pixels_spread in turn.
 * In place (the output over the input), a first pass saves the pixel rows
 * each band reads around its own rows before any band overwrites them. */
#include <string.h>

#include "cnn/threadpool.h"
#include "edge_internal.h"
#include "pixels_internal.h"

/* Ring rows: the operator's window, and the blur's when blurring. */
static int luma_ring_rows(const cnn_edge_params *p)
{
    uint16_t taps[EDGE_MAX_BLUR];
    int blur = p->blur_sigma > 0 ? cnn_edge_blur_taps_u8(p->blur_sigma, taps) : 0;
    return blur > EDGE_MAX_APERTURE ? blur : EDGE_MAX_APERTURE;
}

/* Rows a band reads beyond each end of its own rows. */
static int halo_rows(const cnn_edge_params *p)
{
    uint16_t taps[EDGE_MAX_BLUR];
    int blur = p->blur_sigma > 0 ? cnn_edge_blur_taps_u8(p->blur_sigma, taps) : 1;
    return EDGE_MAX_APERTURE / 2 + blur / 2;
}

size_t cnn_edge_packed_halo(const cnn_edge_params *p, int width)
{
    return 2 * (size_t)halo_rows(p) * edge_align64((size_t)width * 4);
}

void cnn_edge_rows_set_packed(edge_rows *s, const edge_packed_io *io, void *ring)
{
    s->luma = ring;
    s->luma_row = edge_align64((size_t)s->width);
    s->luma_n = io->luma_rows;
    s->px_step = io->in_step;
    for (int c = 0; c < 3; c++)
        s->px_off[c] = io->in_off[c];
    for (int i = 0; i < s->luma_n; i++)
        s->luma_y[i] = -1;
    s->halo = NULL;
}

static const uint8_t *pixel_row(const edge_rows *s, int y)
{
    if (!s->halo || (y >= s->own_y0 && y < s->own_y1))
        return s->src + y * s->stride;
    int i = y < s->own_y0 ? y - (s->own_y0 - s->halo_n) : s->halo_n + y - s->own_y1;
    return s->halo + i * s->halo_row;
}

const uint8_t *cnn_edge_luma_row(edge_rows *s, int y)
{
    int slot = y % s->luma_n;
    uint8_t *row = s->luma + slot * s->luma_row;
    if (s->luma_y[slot] != y) {
        /* Rows come in order: asking for the pixels two rows ahead keeps
         * enough lines in flight that a frame read from memory streams
         * (about 3x faster on a 1080p frame out of cache). */
        if (y + 2 < s->height) {
            const uint8_t *ahead = s->src + (y + 2) * s->stride;
            for (int i = 0; i < s->width * s->px_step; i += 64)
                __builtin_prefetch(ahead + i);
        }
        s->k->pixels_luma_row(pixel_row(s, y), row, s->width, s->px_step, s->px_off[0],
                              s->px_off[1], s->px_off[2]);
        s->luma_y[slot] = y;
    }
    return row;
}

void cnn_edge_packed_put_row(const cnn_kernels *k, const edge_packed_io *io, int y,
                             const uint8_t *gray, int width)
{
    k->pixels_spread_row(gray, io->out + y * io->out_stride, width, io->out_step, io->keep);
}

size_t cnn_edge_packed_scratch(const cnn_edge_params *p, int width, size_t *luma_offset,
                               size_t *gray_offset)
{
    size_t row = edge_align64((size_t)width);
    *luma_offset = cnn_edge_thread_scratch(p, width);
    *gray_offset = *luma_offset + (size_t)luma_ring_rows(p) * row;
    return *gray_offset + row;
}

typedef struct packed_job {
    const cnn_kernels *k;
    const cnn_edge_params *p;
    const uint8_t *src;
    ptrdiff_t src_stride;
    const edge_packed_io *io;
    int width, height;
    uint8_t *scratch;
    size_t scratch_size, rows_offset;
    uint8_t *halo; /* in place: halo_size bytes per band; else NULL */
    size_t halo_size, halo_row;
    int halo_n;
} packed_job;

/* Copy the pixel rows [y0 - halo_n, y0) and [y1, y1 + halo_n) of band ith
 * (those in the frame) to its halo, as pixel_row reads them. */
static void save_halo(void *arg, int ith, int nth)
{
    const packed_job *j = arg;
    int y0, y1;
    cnn_split_range(j->height, ith, nth, &y0, &y1);
    if (y0 >= y1)
        return;
    uint8_t *halo = j->halo + (size_t)ith * j->halo_size;
    size_t bytes = (size_t)j->width * j->io->in_step;
    for (int i = 0; i < 2 * j->halo_n; i++) {
        int y = i < j->halo_n ? y0 - j->halo_n + i : y1 + i - j->halo_n;
        if (y >= 0 && y < j->height)
            memcpy(halo + i * j->halo_row, j->src + y * j->src_stride, bytes);
    }
}

static void packed_rows(void *arg, int ith, int nth)
{
    const packed_job *j = arg;
    const edge_packed_io *io = j->io;
    int y0, y1;
    cnn_split_range(j->height, ith, nth, &y0, &y1);
    if (y0 >= y1)
        return;
    uint8_t *s = j->scratch + (size_t)ith * j->scratch_size;
    uint8_t *gray = io->out_step > 1 ? s + io->gray_offset : NULL;
    edge_rows src;
    cnn_edge_rows_init(&src, j->k, j->src, j->src_stride, j->width, j->height, 0,
                       j->p->blur_sigma, s + j->rows_offset);
    cnn_edge_rows_set_packed(&src, io, s + io->luma_offset);
    if (j->halo) {
        src.halo = j->halo + (size_t)ith * j->halo_size;
        src.halo_row = j->halo_row;
        src.halo_n = j->halo_n;
        src.own_y0 = y0;
        src.own_y1 = y1;
    }
    for (int y = y0; y < y1; y++) {
        uint8_t *row = gray ? gray : io->out + y * io->out_stride;
        if (j->p->method == CNN_EDGE_LAPLACIAN)
            cnn_edge_laplacian_rows_u8(j->k, j->p, &src, row, 0, y, y + 1, s);
        else
            cnn_edge_magnitude_rows_u8(j->k, j->p, &src, row, 0, y, y + 1, s);
        if (gray)
            cnn_edge_packed_put_row(j->k, io, y, gray, j->width);
    }
}

static int same_size(const cnn_pixel_plane *a, const cnn_pixel_plane *b)
{
    return a->width == b->width && a->height == b->height;
}

cnn_status cnn_edge_detect_packed(cnn_context *ctx, const cnn_edge_params *p,
                                  const cnn_pixel_plane rgb[3], const cnn_pixel_plane *dst,
                                  int n_dst, void *workspace)
{
    if (!rgb || !dst || (n_dst != 1 && n_dst != 3))
        return cnn_fail(CNN_ERR_INVALID_ARG, "edge: packed detection needs 3 RGB planes "
                        "and 1 or 3 output planes");
    int w = rgb[0].width, h = rgb[0].height;
    cnn_status st = cnn_edge_check(p, w, h);
    if (st != CNN_OK)
        return st;
    uint8_t *in, *out;
    edge_packed_io io = { .luma_rows = luma_ring_rows(p) };
    if (!cnn_pixels_packed_layout(rgb, &in, io.in_off))
        return cnn_fail(CNN_ERR_SHAPE, "edge: the RGB planes are not packed 8-bit pixels");
    io.in_step = rgb[0].step;
    if (!same_size(&rgb[1], &rgb[0]) || !same_size(&rgb[2], &rgb[0]))
        return cnn_fail(CNN_ERR_SHAPE, "edge: the RGB planes differ in size");
    for (int c = 0; c < n_dst; c++)
        if (!same_size(&dst[c], &rgb[0]))
            return cnn_fail(CNN_ERR_SHAPE, "edge: output plane %d is %dx%d, the input %dx%d",
                            c, dst[c].width, dst[c].height, w, h);
    if (n_dst == 1) {
        if (dst->depth != 8 || dst->step != 1)
            return cnn_fail(CNN_ERR_SHAPE, "edge: the gray output must be an 8-bit plane");
        out = dst->data;
        io.out_step = 1;
        io.keep = -1;
    } else {
        int off[3];
        if (!cnn_pixels_packed_layout(dst, &out, off))
            return cnn_fail(CNN_ERR_SHAPE, "edge: the output planes are not packed 8-bit "
                            "pixels");
        io.out_step = dst[0].step;
        io.keep = io.out_step == 4 ? 6 - off[0] - off[1] - off[2] : -1;
    }
    io.out = out;
    io.out_stride = dst[0].stride;
    /* Overlap is fine only row over row (in place): each output row then
     * covers just its own input row. in and out are the first bytes of
     * each frame's pixels. */
    const uint8_t *in_end = in + (h - 1) * rgb[0].stride + (ptrdiff_t)w * io.in_step;
    const uint8_t *out_end = out + (h - 1) * io.out_stride + (ptrdiff_t)w * io.out_step;
    int in_place = out < in_end && in < out_end;
    if (in_place && (out != in || io.out_stride != rgb[0].stride))
        return cnn_fail(CNN_ERR_INVALID_ARG, "edge: the output overlaps the input other "
                        "than in place (same first pixel and stride)");
    if (!workspace)
        return cnn_fail(CNN_ERR_INVALID_ARG,
                        "edge: NULL workspace, cnn_edge_workspace_size() bytes needed");

    int nth = cnn_context_threads(ctx);
    packed_job j = {
        .k = cnn_context_kernels(ctx), .p = p, .src = in, .src_stride = rgb[0].stride,
        .io = &io, .width = w, .height = h, .scratch = workspace,
        .scratch_size = cnn_edge_packed_scratch(p, w, &io.luma_offset, &io.gray_offset),
        .rows_offset = cnn_edge_op_scratch(p, w),
    };
    /* Canny reads all its input into its edge map before it writes any
     * output, so it needs no halo in place. */
    if (p->method == CNN_EDGE_CANNY) {
        cnn_edge_canny(ctx, p, in, rgb[0].stride, out, dst[0].stride, w, h, 0, &io,
                       j.scratch, j.scratch_size, j.rows_offset,
                       j.scratch + (size_t)nth * j.scratch_size);
        return CNN_OK;
    }
    if (in_place) {
        j.halo = j.scratch + (size_t)nth * j.scratch_size;
        j.halo_size = cnn_edge_packed_halo(p, w);
        j.halo_n = halo_rows(p);
        j.halo_row = edge_align64((size_t)w * 4);
        cnn_threadpool_run(cnn_context_pool(ctx), save_halo, &j, nth);
    }
    cnn_threadpool_run(cnn_context_pool(ctx), packed_rows, &j, nth);
    return CNN_OK;
}
