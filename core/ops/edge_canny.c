/* Canny with cv2.Canny's semantics (OpenCV 4.6): Sobel gradients in 16 bits
 * with BORDER_REPLICATE (what cv2.Canny uses; aperture 7 gradients and
 * thresholds scaled by 1/16), magnitude |gx| + |gy| or gx^2 + gy^2 against
 * floor(threshold) or floor(threshold^2), non-maximum suppression in
 * tan(22.5) sectors, strong pixels > high, weak > low, hysteresis with
 * 8-connectivity.
 *
 * Threads take horizontal bands. Each band computes its gradient rows (from
 * its own ring of blurred rows when blurring) in a ring of three, plus one
 * row above and below the band, suppresses into the shared edge map and
 * grows its strong pixels inside the band. A serial pass then grows again
 * from the strong pixels on both sides of every band boundary, so the mask
 * is the same whatever the number of bands. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cnn/threadpool.h"
#include "edge_internal.h"

/* Map cells: a weak candidate, a pixel that is no edge, an edge. */
enum { MAP_WEAK = 0, MAP_NONE = 1, MAP_EDGE = 2 };

#define TG22_Q15 13573 /* tan(22.5 degrees) in Q15, as OpenCV rounds it */

void cnn_edge_canny_mag_c(const int16_t *gx, const int16_t *gy, int32_t *mag, int n, int l2)
{
    for (int x = 0; x < n; x++)
        mag[x] = l2 ? (int32_t)gx[x] * gx[x] + (int32_t)gy[x] * gy[x]
                    : abs(gx[x]) + abs(gy[x]);
}

void cnn_edge_canny_nms_c(const int32_t *mag_p, const int32_t *mag_a, const int32_t *mag_n,
                          const int16_t *gx, const int16_t *gy, uint8_t *map, int width,
                          int32_t low, int32_t high)
{
    for (int x = 0; x < width; x++) {
        int32_t m = mag_a[x];
        uint8_t v = MAP_NONE;
        if (m > low) {
            int xs = gx[x], ys = gy[x];
            int32_t ax = abs(xs), ay = abs(ys) << 15;
            int32_t tg22x = ax * TG22_Q15;
            int keep;
            if (ay < tg22x) {
                keep = m > mag_a[x - 1] && m >= mag_a[x + 1];
            } else {
                int32_t tg67x = tg22x + (ax << 16);
                if (ay > tg67x) {
                    keep = m > mag_p[x] && m >= mag_n[x];
                } else {
                    int s = (xs ^ ys) < 0 ? -1 : 1;
                    keep = m > mag_p[x - s] && m > mag_n[x + s];
                }
            }
            if (keep)
                v = m > high ? MAP_EDGE : MAP_WEAK;
        }
        map[x] = v;
    }
}

/* The float twin: same sectors and comparisons on float magnitudes. */
void cnn_edge_canny_nms_f32_c(const float *mag_p, const float *mag_a, const float *mag_n,
                              const float *gx, const float *gy, uint8_t *map, int width,
                              float low, float high)
{
    const float tg22 = (float)TG22_Q15 / 32768.0f, tg67 = tg22 + 2.0f;
    for (int x = 0; x < width; x++) {
        float m = mag_a[x];
        uint8_t v = MAP_NONE;
        if (m > low) {
            float ax = fabsf(gx[x]), ay = fabsf(gy[x]);
            int keep;
            if (ay < ax * tg22) {
                keep = m > mag_a[x - 1] && m >= mag_a[x + 1];
            } else if (ay > ax * tg67) {
                keep = m > mag_p[x] && m >= mag_n[x];
            } else {
                int s = (gx[x] < 0) != (gy[x] < 0) ? -1 : 1;
                keep = m > mag_p[x - s] && m > mag_n[x + s];
            }
            if (keep)
                v = m > high ? MAP_EDGE : MAP_WEAK;
        }
        map[x] = v;
    }
}

typedef struct canny_job {
    const cnn_kernels *k;
    const cnn_edge_params *p;
    const void *src;
    ptrdiff_t src_stride; /* bytes */
    void *dst;
    ptrdiff_t dst_stride; /* elements */
    int is_f32;
    int width, height;
    uint8_t *map; /* (width + 2) x (height + 2), a border of MAP_NONE */
    ptrdiff_t map_stride;
    int32_t *stack; /* width * height map offsets */
    uint8_t *scratch; /* per thread: scratch_size bytes, the row ring at rows_offset */
    size_t scratch_size, rows_offset;
    int32_t low, high;
    float low_f, high_f;
    const edge_packed_io *io; /* packed pixels in and out, or NULL */
} canny_job;

static uint8_t *map_row(const canny_job *j, int y)
{
    return j->map + (y + 1) * j->map_stride + 1;
}

size_t cnn_edge_canny_shared(int width, int height)
{
    return edge_align64(((size_t)width + 2) * ((size_t)height + 2)) +
           edge_align64((size_t)width * height * sizeof(int32_t));
}

/* Three magnitude rows (readable at -1 and width), two gradient rows of
 * each direction (4-byte cells, int16 uses half), then the generic
 * gradient scratch. */
#define MAG_ROW(width) edge_align64(((size_t)(width) + 2) * 4)
#define GRAD_ROW(width) edge_align64((size_t)(width) * 4)

size_t cnn_edge_canny_scratch(int width)
{
    return 3 * MAG_ROW(width) + 4 * GRAD_ROW(width) +
           edge_align64(((size_t)width + EDGE_MAX_APERTURE - 1) * 4) * 2 +
           2 * GRAD_ROW(width);
}

/* OpenCV rounds the 1/16-scaled aperture-7 gradient half to even. */
static inline int16_t div16_round_even(int32_t v)
{
    int32_t q = v >> 4, rem = v & 15;
    if (rem > 8 || (rem == 8 && (q & 1)))
        q++;
    return (int16_t)q;
}

/* Gradients and magnitude of row y (int16 and int32 cells for 8-bit
 * planes, float for float planes), zero magnitude outside the image. */
static void gradient_row(const canny_job *j, edge_rows *src, int y, void *gx, void *gy,
                         void *mag, uint8_t *generic)
{
    int w = j->width, l2 = j->p->norm == CNN_EDGE_L2;
    if (y < 0 || y >= j->height) {
        memset(mag, 0, (size_t)w * 4);
        return;
    }
    const edge_taps *t = cnn_edge_taps(CNN_EDGE_SOBEL, j->p->aperture);
    const void *rows[EDGE_MAX_APERTURE];
    edge_gather(src, rows, y, t->size, EDGE_REPLICATE);
    size_t padded = edge_align64(((size_t)w + EDGE_MAX_APERTURE - 1) * 4);
    if (j->is_f32) {
        float *fx = gx, *fy = gy, *m = mag;
        cnn_edge_grad_row_f32(j->k, (const float *const *)rows, t, w, EDGE_REPLICATE,
                              (float *)generic, (float *)(generic + padded), fx, fy);
        float s = t->size == 7 ? 1.0f / 16 : 1.0f;
        for (int x = 0; x < w; x++) {
            fx[x] *= s;
            fy[x] *= s;
            m[x] = l2 ? fx[x] * fx[x] + fy[x] * fy[x] : fabsf(fx[x]) + fabsf(fy[x]);
        }
        return;
    }
    int16_t *ix = gx, *iy = gy;
    if (t->size == 3) {
        j->k->edge_grad3_s16(rows[0], rows[1], rows[2], ix, iy, w, 1, 2, 0, w - 1);
    } else {
        int32_t *vs = (int32_t *)generic, *vd = (int32_t *)(generic + padded);
        int32_t *gx32 = (int32_t *)(generic + 2 * padded);
        int32_t *gy32 = (int32_t *)(generic + 2 * padded + GRAD_ROW(w));
        cnn_edge_grad_row_s32(j->k, (const uint8_t *const *)rows, t, w, EDGE_REPLICATE, vs,
                              vd, gx32, gy32);
        if (t->size == 7) {
            for (int x = 0; x < w; x++) {
                ix[x] = div16_round_even(gx32[x]);
                iy[x] = div16_round_even(gy32[x]);
            }
        } else {
            for (int x = 0; x < w; x++) {
                ix[x] = (int16_t)gx32[x];
                iy[x] = (int16_t)gy32[x];
            }
        }
    }
    j->k->edge_canny_mag(ix, iy, mag, w, l2);
}

/* Grow edges from the stack's entries into the weak cells with offsets in
 * [lo, hi), depth first. */
static void grow(uint8_t *map, ptrdiff_t stride, int32_t *stack, size_t top, ptrdiff_t lo,
                 ptrdiff_t hi)
{
    const ptrdiff_t nb[8] = { -stride - 1, -stride, -stride + 1, -1, 1,
                              stride - 1,  stride,  stride + 1 };
    while (top) {
        ptrdiff_t o = stack[--top];
        for (int i = 0; i < 8; i++) {
            ptrdiff_t q = o + nb[i];
            if (q >= lo && q < hi && map[q] == MAP_WEAK) {
                map[q] = MAP_EDGE;
                stack[top++] = (int32_t)q;
            }
        }
    }
}

#define EDGE_BITS 0x0202020202020202ull

/* Push the offsets of the edge cells among the eight cells v read at
 * offset o: cells are 0, 1 or 2, so bit 1 of a byte marks an edge. */
static inline size_t push_word(uint64_t v, int32_t o, int32_t *stack, size_t top)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    for (v &= EDGE_BITS; v; v &= v - 1)
        stack[top++] = o + (__builtin_ctzll(v) >> 3);
    return top;
}

/* Push the offsets of the edge cells of rows [y0, y1), 32 cells at a time
 * (most of a frame holds no edge), then 8, then one. */
static size_t push_edges(const canny_job *j, int y0, int y1, int32_t *stack, size_t top)
{
    for (int y = y0; y < y1; y++) {
        const uint8_t *row = map_row(j, y);
        int32_t base = (int32_t)(row - j->map), x = 0;
        for (; x + 32 <= j->width; x += 32) {
            uint64_t v[4];
            memcpy(v, row + x, sizeof v);
            if ((v[0] | v[1] | v[2] | v[3]) & EDGE_BITS)
                for (int i = 0; i < 4; i++)
                    top = push_word(v[i], base + x + 8 * i, stack, top);
        }
        for (; x + 8 <= j->width; x += 8) {
            uint64_t v;
            memcpy(&v, row + x, 8);
            top = push_word(v, base + x, stack, top);
        }
        for (; x < j->width; x++)
            if (row[x] == MAP_EDGE)
                stack[top++] = base + x;
    }
    return top;
}

static void suppress_band(void *arg, int ith, int nth)
{
    const canny_job *j = arg;
    int y0, y1, w = j->width;
    cnn_split_range(j->height, ith, nth, &y0, &y1);
    if (y0 >= y1)
        return;
    uint8_t *s = j->scratch + (size_t)ith * j->scratch_size;
    void *mag[3];
    for (int i = 0; i < 3; i++) {
        mag[i] = s + i * MAG_ROW(w) + 4; /* index -1 stays readable */
        memset((uint8_t *)mag[i] - 4, 0, ((size_t)w + 2) * 4);
    }
    void *gx[2], *gy[2];
    for (int i = 0; i < 2; i++) {
        gx[i] = s + 3 * MAG_ROW(w) + 2 * i * GRAD_ROW(w);
        gy[i] = s + 3 * MAG_ROW(w) + (2 * i + 1) * GRAD_ROW(w);
    }
    uint8_t *generic = s + 3 * MAG_ROW(w) + 4 * GRAD_ROW(w);
    /* ring: mag[p] row y-1, mag[a] row y (gradients in slot a), mag[n] row y+1 */
    int ip = 0, ia = 1, in = 2, slot = 0;
    edge_rows src;
    cnn_edge_rows_init(&src, j->k, j->src, j->src_stride, w, j->height, j->is_f32,
                       j->p->blur_sigma, s + j->rows_offset);
    if (j->io)
        cnn_edge_rows_set_packed(&src, j->io, s + j->io->luma_offset);
    gradient_row(j, &src, y0 - 1, gx[1], gy[1], mag[ip], generic);
    gradient_row(j, &src, y0, gx[0], gy[0], mag[ia], generic);
    for (int y = y0; y < y1; y++) {
        uint8_t *row = map_row(j, y);
        gradient_row(j, &src, y + 1, gx[slot ^ 1], gy[slot ^ 1], mag[in], generic);
        if (j->is_f32) {
            j->k->edge_canny_nms_f32(mag[ip], mag[ia], mag[in], gx[slot], gy[slot], row, w,
                                     j->low_f, j->high_f);
        } else {
            j->k->edge_canny_nms(mag[ip], mag[ia], mag[in], gx[slot], gy[slot], row, w,
                                 j->low, j->high);
        }
        row[-1] = row[w] = MAP_NONE;
        int t = ip;
        ip = ia, ia = in, in = t;
        slot ^= 1;
    }
    int32_t *stack = j->stack + (size_t)y0 * w;
    size_t top = push_edges(j, y0, y1, stack, 0);
    grow(j->map, j->map_stride, stack, top, (y0 + 1) * j->map_stride,
         (y1 + 1) * j->map_stride);
}

/* 255 where a map row holds an edge, else 0; a plain loop over local
 * pointers, so it vectorises. */
static void edge_row_u8(const uint8_t *restrict row, uint8_t *restrict out, int width)
{
    for (int x = 0; x < width; x++)
        out[x] = row[x] == MAP_EDGE ? 255 : 0;
}

static void write_mask(void *arg, int ith, int nth)
{
    const canny_job *j = arg;
    int y0, y1;
    cnn_split_range(j->height, ith, nth, &y0, &y1);
    /* packed output: each row as gray in the thread's scratch, then spread */
    uint8_t *gray = j->io && j->io->out_step > 1
                        ? j->scratch + (size_t)ith * j->scratch_size + j->io->gray_offset
                        : NULL;
    for (int y = y0; y < y1; y++) {
        const uint8_t *row = map_row(j, y);
        if (gray) {
            edge_row_u8(row, gray, j->width);
            cnn_edge_packed_put_row(j->k, j->io, y, gray, j->width);
        } else if (j->is_f32) {
            float *out = (float *)j->dst + y * j->dst_stride;
            for (int x = 0; x < j->width; x++)
                out[x] = row[x] == MAP_EDGE ? 1.0f : 0.0f;
        } else {
            edge_row_u8(row, (uint8_t *)j->dst + y * j->dst_stride, j->width);
        }
    }
}

/* Thresholds as cv2.Canny takes them: ordered, scaled by 1/16 like the
 * aperture-7 gradients, squared for L2 (capped at 32767 first), floored. */
static void thresholds(const cnn_edge_params *p, double *low, double *high)
{
    double lo = p->threshold_low, hi = p->threshold_high;
    if (lo > hi) {
        double t = lo;
        lo = hi, hi = t;
    }
    if (p->aperture == 7) {
        lo /= 16;
        hi /= 16;
    }
    if (p->norm == CNN_EDGE_L2) {
        lo = lo < 32767 ? lo : 32767;
        hi = hi < 32767 ? hi : 32767;
        lo = lo > 0 ? lo * lo : lo;
        hi = hi > 0 ? hi * hi : hi;
    }
    *low = lo;
    *high = hi;
}

static void run(cnn_context *ctx, canny_job *j, void *shared)
{
    int w = j->width, h = j->height;
    cnn_threadpool *pool = cnn_context_pool(ctx);
    int nth = cnn_context_threads(ctx);
    j->map_stride = w + 2;
    j->map = shared;
    j->stack = (int32_t *)((uint8_t *)shared + edge_align64(((size_t)w + 2) * ((size_t)h + 2)));
    memset(j->map, MAP_NONE, (size_t)j->map_stride);
    memset(map_row(j, h) - 1, MAP_NONE, (size_t)j->map_stride);
    double lo, hi;
    thresholds(j->p, &lo, &hi);
    j->low = (int32_t)floor(lo < 2e9 ? lo : 2e9);
    j->high = (int32_t)floor(hi < 2e9 ? hi : 2e9);
    j->low_f = (float)lo;
    j->high_f = (float)hi;
    cnn_threadpool_run(pool, suppress_band, j, nth);

    /* Join the bands: grow from the edges on both sides of each boundary. */
    size_t top = 0;
    int bands = nth < h ? nth : h, next = 0; /* each row once: the stack holds w * h */
    for (int b = 1; b < bands; b++) {
        int y0, y1;
        cnn_split_range(h, b, bands, &y0, &y1);
        top = push_edges(j, y0 - 1 > next ? y0 - 1 : next, y0 + 1, j->stack, top);
        next = y0 + 1;
    }
    grow(j->map, j->map_stride, j->stack, top, 0, (ptrdiff_t)j->map_stride * (h + 2));
    cnn_threadpool_run(pool, write_mask, j, nth);
}

void cnn_edge_canny(cnn_context *ctx, const cnn_edge_params *p, const void *src,
                    ptrdiff_t src_stride, void *dst, ptrdiff_t dst_stride, int width,
                    int height, int is_f32, const edge_packed_io *io, uint8_t *scratch,
                    size_t scratch_size, size_t rows_offset, void *shared)
{
    canny_job j = {
        .k = cnn_context_kernels(ctx), .p = p, .src = src,
        .src_stride = src_stride * (is_f32 ? (ptrdiff_t)sizeof(float) : 1), .dst = dst,
        .dst_stride = dst_stride, .is_f32 = is_f32, .width = width, .height = height,
        .scratch = scratch, .scratch_size = scratch_size, .rows_offset = rows_offset,
        .io = io,
    };
    run(ctx, &j, shared);
}
