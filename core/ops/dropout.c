/* Dropout in element, channel and block (DropBlock) modes. Every draw is a
 * pure function of (key, position), so threads may split the work any way:
 * masks are the same for any thread count. Element i of the tensor is dropped
 * when cnn_rng_u32(key, i) < p * 2^32; channel k = n * C + c draws position
 * k; a DropBlock seed at top-left corner (sy, sx) of plane k draws position
 * (k * SH + sy) * SW + sx over the SH x SW corners whose block fits. */
#include <math.h>
#include <stdatomic.h>
#include <string.h>

#include "cnn/dropout.h"
#include "kernels.h"

/* Threads split elements in chunks of this many: a multiple of every
 * kernel's vector step. */
#define DROPOUT_CHUNK 4096

void cnn_dropout_params_init(cnn_dropout_params *p, cnn_dropout_mode mode, uint64_t seed,
                             uint64_t purpose)
{
    memset(p, 0, sizeof *p);
    p->mode = mode;
    p->p = 0.5f;
    p->block_size = 7;
    p->training = 1;
    p->key.seed = seed;
    p->key.purpose = purpose;
}

float cnn_dropblock_gamma(float drop_prob, int block_size, int height, int width)
{
    double corners = (double)(height - block_size + 1) * (width - block_size + 1);
    return (float)(drop_prob / ((double)block_size * block_size) * height * width / corners);
}

size_t cnn_dropout_mask_size(const cnn_dropout_params *p, const cnn_tensor *x)
{
    if (p->mode == CNN_DROPOUT_CHANNEL)
        return x->ndim >= 2 ? (size_t)x->shape[0] * x->shape[1] : 0;
    return cnn_tensor_numel(x);
}

/* u32 draws below this are dropped. */
static uint32_t drop_threshold(float p)
{
    double t = (double)p * 4294967296.0;
    return t >= 4294967295.0 ? UINT32_MAX : (uint32_t)t;
}

static cnn_status check_params(const cnn_dropout_params *p, const cnn_tensor *x,
                               const cnn_tensor *y, const char *yname)
{
    if (!cnn_tensor_same_shape(x, y))
        return cnn_fail(CNN_ERR_SHAPE, "dropout: %s must have the shape of the input", yname);
    if (!(p->p >= 0.0f && p->p <= 1.0f))
        return cnn_fail(CNN_ERR_INVALID_ARG, "dropout: p = %g, must be in [0, 1]", p->p);
    switch (p->mode) {
    case CNN_DROPOUT_ELEMENT:
        return CNN_OK;
    case CNN_DROPOUT_CHANNEL:
        if (x->ndim < 2)
            return cnn_fail(CNN_ERR_SHAPE, "dropout: channel mode needs [N, C, ...], got %d-D",
                            x->ndim);
        return CNN_OK;
    case CNN_DROPOUT_BLOCK:
        if (x->ndim != 4)
            return cnn_fail(CNN_ERR_SHAPE, "dropout: block mode needs [N, C, H, W], got %d-D",
                            x->ndim);
        if (p->block_size < 1 || p->block_size > x->shape[2] || p->block_size > x->shape[3])
            return cnn_fail(CNN_ERR_INVALID_ARG,
                            "dropout: block size %d must be in [1, %d] for %dx%d planes",
                            p->block_size, x->shape[2] < x->shape[3] ? x->shape[2] : x->shape[3],
                            x->shape[3], x->shape[2]);
        return CNN_OK;
    }
    return cnn_fail(CNN_ERR_INVALID_ARG, "dropout: unknown mode %d", (int)p->mode);
}

typedef struct dropout_job {
    const cnn_kernels *k;
    const cnn_dropout_params *p;
    const float *x;
    float *y;
    uint8_t *mask;       /* written (element/channel draws, blocks) */
    const uint8_t *kept; /* read (applying a given mask) */
    size_t numel, plane;
    int planes, h, w;
    uint32_t threshold;
    float scale;
    atomic_size_t kept_count;
} dropout_job;

/* Thread ith's elements [*i0, *i1): whole chunks but the last. */
static void thread_span(size_t numel, int ith, int nth, size_t *i0, size_t *i1)
{
    int chunks = (int)((numel + DROPOUT_CHUNK - 1) / DROPOUT_CHUNK), t0, t1;
    cnn_split_range(chunks, ith, nth, &t0, &t1);
    *i0 = (size_t)t0 * DROPOUT_CHUNK;
    *i1 = (size_t)t1 * DROPOUT_CHUNK < numel ? (size_t)t1 * DROPOUT_CHUNK : numel;
}

static void element_chunks(void *arg, int ith, int nth)
{
    dropout_job *j = arg;
    size_t i0, i1;
    thread_span(j->numel, ith, nth, &i0, &i1);
    if (i0 < i1)
        j->k->dropout(j->x + i0, j->y + i0, j->mask ? j->mask + i0 : NULL, i1 - i0,
                      j->p->key.seed, j->p->key.purpose, i0, j->threshold, j->scale);
}

static void channel_planes(void *arg, int ith, int nth)
{
    dropout_job *j = arg;
    int k0, k1;
    cnn_split_range(j->planes, ith, nth, &k0, &k1);
    for (int k = k0; k < k1; k++) {
        int kept = j->kept ? j->kept[k] : cnn_rng_u32(j->p->key, (uint64_t)k) >= j->threshold;
        if (j->mask)
            j->mask[k] = (uint8_t)kept;
        size_t off = (size_t)k * j->plane;
        j->k->scale_shift(j->x + off, j->y + off, j->plane, kept ? j->scale : 0.0f, 0.0f);
    }
}

static size_t count_kept(const uint8_t *mask, size_t n)
{
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        kept += mask[i];
    return kept;
}

/* Clear the block under every seed of planes [k0, k1) and count what stays. */
static void block_masks(void *arg, int ith, int nth)
{
    dropout_job *j = arg;
    int bs = j->p->block_size, sh = j->h - bs + 1, sw = j->w - bs + 1;
    int k0, k1;
    cnn_split_range(j->planes, ith, nth, &k0, &k1);
    size_t kept = 0;
    for (int k = k0; k < k1; k++) {
        uint8_t *m = j->mask + (size_t)k * j->plane;
        memset(m, 1, j->plane);
        uint64_t first = (uint64_t)k * sh * sw;
        uint32_t words[4];
        for (int t = 0; t < sh * sw; t++) {
            uint64_t pos = first + (uint64_t)t;
            if (t == 0 || (pos & 3) == 0) /* one Philox block serves four positions */
                cnn_rng_block(j->p->key, pos >> 2, words);
            if (words[pos & 3] >= j->threshold)
                continue;
            int sy = t / sw, sx = t % sw;
            for (int y = sy; y < sy + bs; y++)
                memset(m + (size_t)y * j->w + sx, 0, (size_t)bs);
        }
        kept += count_kept(m, j->plane);
    }
    atomic_fetch_add(&j->kept_count, kept);
}

/* y = x * kept * scale from a byte mask, element by element. */
static void apply_mask(void *arg, int ith, int nth)
{
    dropout_job *j = arg;
    size_t i0, i1;
    thread_span(j->numel, ith, nth, &i0, &i1);
    for (size_t i = i0; i < i1; i++)
        j->y[i] = j->kept[i] ? j->x[i] * j->scale : 0.0f;
}

static void copy_tensor(const cnn_tensor *src, cnn_tensor *dst)
{
    if (src->data != dst->data)
        memmove(dst->data, src->data, cnn_tensor_numel(src) * sizeof(float));
}

/* Scale of kept values: 1 / (1 - p) in float as PyTorch computes it, or for
 * blocks count / count_kept. */
static float element_scale(float p)
{
    return p < 1.0f ? 1.0f / (1.0f - p) : 0.0f;
}

static float block_scale(size_t numel, size_t kept)
{
    return kept ? (float)((double)numel / (double)kept) : 0.0f;
}

static void init_job(dropout_job *j, cnn_context *ctx, const cnn_dropout_params *p,
                     const cnn_tensor *x, cnn_tensor *y)
{
    memset(j, 0, sizeof *j);
    j->k = cnn_context_kernels(ctx);
    j->p = p;
    j->x = x->data;
    j->y = y->data;
    j->numel = cnn_tensor_numel(x);
    j->threshold = drop_threshold(p->p);
    j->scale = element_scale(p->p);
    if (x->ndim >= 2) {
        j->planes = x->shape[0] * x->shape[1];
        j->plane = j->numel / (size_t)j->planes;
    }
    if (x->ndim == 4) {
        j->h = x->shape[2];
        j->w = x->shape[3];
    }
}

/* p = 1 drops everything, also the draws equal to UINT32_MAX. */
static void run_drop_all(dropout_job *j)
{
    memset(j->y, 0, j->numel * sizeof(float));
}

cnn_status cnn_dropout_forward(cnn_context *ctx, const cnn_dropout_params *p,
                               const cnn_tensor *x, cnn_tensor *y, uint8_t *mask)
{
    cnn_status st = check_params(p, x, y, "y");
    if (st != CNN_OK)
        return st;
    if (!p->training) {
        copy_tensor(x, y);
        return CNN_OK;
    }
    if (p->mode == CNN_DROPOUT_BLOCK && !mask)
        return cnn_fail(CNN_ERR_INVALID_ARG, "dropout: block mode needs a mask buffer");
    dropout_job j;
    init_job(&j, ctx, p, x, y);
    j.mask = mask;
    cnn_threadpool *pool = cnn_context_pool(ctx);
    if (p->p >= 1.0f && p->mode != CNN_DROPOUT_BLOCK) {
        if (mask)
            memset(mask, 0, cnn_dropout_mask_size(p, x));
        run_drop_all(&j);
        return CNN_OK;
    }
    switch (p->mode) {
    case CNN_DROPOUT_ELEMENT:
        cnn_threadpool_run(pool, element_chunks, &j, 0);
        break;
    case CNN_DROPOUT_CHANNEL:
        cnn_threadpool_run(pool, channel_planes, &j, 0);
        break;
    case CNN_DROPOUT_BLOCK:
        j.threshold = drop_threshold(
            fminf(cnn_dropblock_gamma(p->p, p->block_size, j.h, j.w), 1.0f));
        atomic_init(&j.kept_count, 0);
        cnn_threadpool_run(pool, block_masks, &j, 0);
        j.scale = block_scale(j.numel, atomic_load(&j.kept_count));
        j.kept = mask;
        cnn_threadpool_run(pool, apply_mask, &j, 0);
        break;
    }
    return CNN_OK;
}

cnn_status cnn_dropout_backward(cnn_context *ctx, const cnn_dropout_params *p,
                                const cnn_tensor *dy, cnn_tensor *dx, const uint8_t *mask)
{
    cnn_status st = check_params(p, dy, dx, "dx");
    if (st != CNN_OK)
        return st;
    if (!p->training) {
        copy_tensor(dy, dx);
        return CNN_OK;
    }
    if (p->mode == CNN_DROPOUT_BLOCK && !mask)
        return cnn_fail(CNN_ERR_INVALID_ARG, "dropout: block mode backward needs the mask");
    dropout_job j;
    init_job(&j, ctx, p, dy, dx);
    j.kept = mask;
    cnn_threadpool *pool = cnn_context_pool(ctx);
    if (p->p >= 1.0f && p->mode != CNN_DROPOUT_BLOCK) {
        run_drop_all(&j);
        return CNN_OK;
    }
    switch (p->mode) {
    case CNN_DROPOUT_ELEMENT:
        cnn_threadpool_run(pool, mask ? apply_mask : element_chunks, &j, 0);
        break;
    case CNN_DROPOUT_CHANNEL:
        cnn_threadpool_run(pool, channel_planes, &j, 0);
        break;
    case CNN_DROPOUT_BLOCK:
        j.scale = block_scale(j.numel, count_kept(mask, j.numel));
        cnn_threadpool_run(pool, apply_mask, &j, 0);
        break;
    }
    return CNN_OK;
}

void cnn_dropout_c(const float *x, float *y, uint8_t *mask, size_t n, uint64_t seed,
                   uint64_t purpose, uint64_t first, uint32_t threshold, float scale)
{
    cnn_rng_key key = { seed, purpose };
    size_t i = 0;
    while (i < n) {
        uint64_t pos = first + i;
        uint32_t words[4];
        cnn_rng_block(key, pos >> 2, words);
        for (unsigned q = pos & 3; q < 4 && i < n; q++, i++) {
            int kept = words[q] >= threshold;
            y[i] = kept ? x[i] * scale : 0.0f;
            if (mask)
                mask[i] = (uint8_t)kept;
        }
    }
}

void cnn_dropout_init_kernels(cnn_kernels *k, unsigned cpu_flags)
{
    k->dropout = cnn_dropout_c;
#if CNN_HAVE_X86
    cnn_dropout_init_x86(k, cpu_flags);
#endif
}
