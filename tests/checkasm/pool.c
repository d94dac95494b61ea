/* checkasm family pool: the windowed pooling kernels (float and 8-bit) must
 * equal C's bit for bit (NaN for NaN), and the argmax indices of max and min
 * exactly, on random windows over planes 1 to 40 wide, so rows narrower
 * than a vector and every tail length are met; some planes hold few
 * distinct values (ties) and infinities. Each plane ends where an
 * unreadable page begins, so a read past it faults, and nothing is written
 * outside the output plane. */
#include <math.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "checkasm.h"
#include "ops/pool_internal.h"

/* bytes bytes that end where an unreadable page begins; unmap with
 * unmap_before_guard(). */
static void *map_before_guard(size_t bytes, size_t *mapped)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE), data = (bytes + page - 1) / page * page;
    *mapped = 0;
    unsigned char *base = mmap(NULL, data + page, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        return NULL;
    mprotect(base + data, page, PROT_NONE);
    *mapped = data + page;
    return base + data - bytes;
}

static void unmap_before_guard(void *p, size_t bytes, size_t mapped)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE), data = mapped - page;
    munmap((unsigned char *)p + bytes - data, mapped);
}

/* Random windowed parameters (the SIMD modes mostly, Lp now and then for
 * the fall-back; with pairs3x3, 3x3 windows at stride 2 both ways) and
 * plane sizes; 0 when they give no output. */
static int random_case(int u8, int pairs3x3, cnn_pool2d_params *p, int *h, int *w, int *oh,
                       int *ow)
{
    static const cnn_pool_mode modes[] = { CNN_POOL_MAX, CNN_POOL_MIN, CNN_POOL_AVG,
                                           CNN_POOL_LP };
    cnn_pool2d_params_init(p, modes[checkasm_rand_range(0, u8 ? 2 : 3)],
                           checkasm_rand_range(1, 4), checkasm_rand_range(1, 4));
    p->stride_h = checkasm_rand_range(1, 3);
    p->stride_w = checkasm_rand_range(1, 5) == 1 ? 3 : checkasm_rand_range(1, 2);
    p->dilation_h = checkasm_rand_range(1, 2);
    p->pad_top = checkasm_rand_range(0, p->kernel_h / 2);
    p->pad_bottom = checkasm_rand_range(0, p->kernel_h / 2);
    p->pad_left = checkasm_rand_range(0, p->kernel_w / 2);
    p->pad_right = checkasm_rand_range(0, p->kernel_w / 2);
    p->ceil_mode = checkasm_rand_range(0, 1);
    p->count_include_pad = checkasm_rand_range(0, 1);
    if (checkasm_rand_range(0, 2) == 0)
        p->divisor = checkasm_rand_range(1, 12);
    if (pairs3x3) {
        p->kernel_h = p->kernel_w = 3;
        p->stride_h = p->stride_w = 2;
        p->dilation_h = 1;
    }
    *h = checkasm_rand_range(1, 12);
    *w = checkasm_rand_range(1, 40);
    return cnn_pool2d_output_size(p, *h, *w, oh, ow) == CNN_OK && *oh > 0 && *ow > 0;
}

static void check_pool2d(void)
{
    cnn_pool2d_kernel_fn fn = checkasm_cur()->pool2d, ref = checkasm_ref()->pool2d;
    if (!checkasm_func_new("pool2d", (void (*)(void))fn, (void (*)(void))ref))
        return;
    for (int iter = 0; iter < 2000; iter++) {
        cnn_pool2d_params p;
        int h, w, oh, ow;
        if (!random_case(0, iter % 5 == 0, &p, &h, &w, &oh, &ow))
            continue;
        size_t n = (size_t)h * w, mapped;
        float *src = map_before_guard(n * sizeof(float), &mapped);
        if (!src) {
            checkasm_fail("mmap of %zu floats failed", n);
            return;
        }
        float *got = checkasm_guarded_alloc((size_t)oh * ow);
        float *want = checkasm_guarded_alloc((size_t)oh * ow);
        /* int32 indices in float-sized guarded blocks */
        int with_idx = (p.mode == CNN_POOL_MAX || p.mode == CNN_POOL_MIN) && iter % 3 != 0;
        int32_t *got_idx = with_idx ? (int32_t *)checkasm_guarded_alloc((size_t)oh * ow) : NULL;
        int32_t *want_idx = with_idx ? (int32_t *)checkasm_guarded_alloc((size_t)oh * ow) : NULL;
        checkasm_fill(src, n);
        if (iter % 4 == 1) /* ties: -1, +0 and -0 (which bits win), a few infinities */
            for (size_t i = 0; i < n; i++)
                src[i] = i % 23 == 3  ? (i % 2 ? INFINITY : -INFINITY)
                         : i % 5 == 2 ? -0.0f
                                      : floorf(src[i]);
        if (iter % 4 == 0)
            src[checkasm_rand_range(0, (int)n - 1)] = NAN;
        if (iter % 8 == 0)
            src[checkasm_rand_range(0, (int)n - 1)] = -NAN;
        cnn_pool2d_kernel_args a = { .src = src, .src_h = h, .src_w = w, .out_h = oh,
                                     .out_w = ow, .mode = (int)p.mode, .p = p.p,
                                     .alpha = p.alpha };
        cnn_pool2d_window_from_params(&p, &a.win);
        a.dst = want;
        a.indices = want_idx;
        ref(&a, 0, oh);
        a.dst = got;
        a.indices = got_idx;
        int split = checkasm_rand_range(0, oh);
        fn(&a, 0, split);
        fn(&a, split, oh);
        if (with_idx) {
            for (int i = 0; i < oh * ow; i++)
                if (got_idx[i] != want_idx[i]) {
                    checkasm_fail("mode %d %dx%d k%dx%d s%dx%d d%d pad %d,%d: index %d is %d, "
                                  "C %d", (int)p.mode, w, h, p.kernel_w, p.kernel_h,
                                  p.stride_w, p.stride_h, p.dilation_h, p.pad_left,
                                  p.pad_right, i, got_idx[i], want_idx[i]);
                    break;
                }
            if (!checkasm_guards_intact((float *)got_idx, (size_t)oh * ow))
                checkasm_fail("%dx%d k%dx%d s%d: wrote outside the indices", w, h, p.kernel_w,
                              p.kernel_h, p.stride_w);
            checkasm_guarded_free((float *)got_idx);
            checkasm_guarded_free((float *)want_idx);
        }
        for (int i = 0; i < oh * ow; i++)
            if (memcmp(&got[i], &want[i], sizeof(float)) && !(isnan(got[i]) && isnan(want[i]))) {
                checkasm_fail("mode %d %dx%d k%dx%d s%dx%d d%d pad %d,%d: output %d is %g, C "
                              "%g", (int)p.mode, w, h, p.kernel_w, p.kernel_h, p.stride_w,
                              p.stride_h, p.dilation_h, p.pad_left, p.pad_right, i, got[i],
                              want[i]);
                break;
            }
        if (!checkasm_guards_intact(got, (size_t)oh * ow))
            checkasm_fail("%dx%d k%dx%d s%d: wrote outside the output", w, h, p.kernel_w,
                          p.kernel_h, p.stride_w);
        unmap_before_guard(src, n * sizeof(float), mapped);
        checkasm_guarded_free(got);
        checkasm_guarded_free(want);
    }
}

static void check_pool2d_u8(void)
{
    cnn_pool2d_u8_kernel_fn fn = checkasm_cur()->pool2d_u8, ref = checkasm_ref()->pool2d_u8;
    if (!checkasm_func_new("pool2d_u8", (void (*)(void))fn, (void (*)(void))ref))
        return;
    for (int iter = 0; iter < 2000; iter++) {
        cnn_pool2d_params p;
        int h, w, oh, ow;
        if (!random_case(1, 0, &p, &h, &w, &oh, &ow))
            continue;
        size_t n = (size_t)h * w, mapped;
        uint8_t *src = map_before_guard(n, &mapped);
        if (!src) {
            checkasm_fail("mmap of %zu bytes failed", n);
            return;
        }
        /* one byte of guard on either side of each output row */
        int dstride = ow + 2;
        uint8_t got[14 * 42], want[14 * 42];
        for (size_t i = 0; i < n; i++)
            src[i] = (uint8_t)checkasm_rand_range(0, 255);
        memset(got, 0xAB, sizeof got);
        memset(want, 0xAB, sizeof want);
        cnn_pool2d_u8_args a = { src, w, h, w, want + 1, dstride, oh, ow, (int)p.mode, { 0 } };
        cnn_pool2d_window_from_params(&p, &a.win);
        ref(&a, 0, oh);
        a.dst = got + 1;
        int split = checkasm_rand_range(0, oh);
        fn(&a, 0, split);
        fn(&a, split, oh);
        if (memcmp(got, want, sizeof got))
            checkasm_fail("mode %d %dx%d k%dx%d s%dx%d d%d pad %d,%d: differs from C (or wrote "
                          "outside the rows)", (int)p.mode, w, h, p.kernel_w, p.kernel_h,
                          p.stride_w, p.stride_h, p.dilation_h, p.pad_left, p.pad_right);
        unmap_before_guard(src, n, mapped);
    }
}

typedef struct pool_call {
    cnn_pool2d_kernel_fn fn;
    cnn_pool2d_kernel_args a;
    int planes;
} pool_call;

static void call_pool(void *arg)
{
    pool_call *c = arg;
    float *src = (float *)c->a.src, *dst = c->a.dst;
    int32_t *indices = c->a.indices;
    for (int i = 0; i < c->planes; i++) {
        c->fn(&c->a, 0, c->a.out_h);
        c->a.src += (size_t)c->a.src_h * c->a.src_w;
        c->a.dst += (size_t)c->a.out_h * c->a.out_w;
        if (indices)
            c->a.indices += (size_t)c->a.out_h * c->a.out_w;
    }
    c->a.src = src, c->a.dst = dst, c->a.indices = indices;
}

/* 2x2 max pooling of 32 planes 14x14 (the Fashion-MNIST model's second
 * pool: 7-wide rows) and of 16 planes 224x224; with argmax indices as in
 * training, 16 planes 28x28 and 32 planes 14x14 (FashionNet's pools). */
static void bench_pool2d(void)
{
    static const struct {
        const char *what;
        int planes, size, indices;
    } cases[] = { { "pool2d max 2x2, 32x14x14", 32, 14, 0 },
                  { "pool2d max 2x2, 16x224x224", 16, 224, 0 },
                  { "pool2d max 2x2 indices, 16x28x28", 16, 28, 1 },
                  { "pool2d max 2x2 indices, 32x14x14", 32, 14, 1 } };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int n = cases[i].size, planes = cases[i].planes;
        float *src = checkasm_guarded_alloc((size_t)planes * n * n);
        float *dst = checkasm_guarded_alloc((size_t)planes * (n / 2) * (n / 2));
        int32_t *indices = cases[i].indices
                               ? (int32_t *)checkasm_guarded_alloc((size_t)planes * (n / 2) * (n / 2))
                               : NULL;
        cnn_pool2d_params p;
        cnn_pool2d_params_init(&p, CNN_POOL_MAX, 2, 2);
        checkasm_fill(src, (size_t)planes * n * n);
        pool_call c = { checkasm_ref()->pool2d,
                        { .src = src, .src_h = n, .src_w = n, .dst = dst, .indices = indices,
                          .out_h = n / 2, .out_w = n / 2, .mode = CNN_POOL_MAX },
                        planes };
        cnn_pool2d_window_from_params(&p, &c.a.win);
        double t_ref = checkasm_median_ns(call_pool, &c, 51);
        c.fn = checkasm_cur()->pool2d;
        double t_cur = checkasm_median_ns(call_pool, &c, 201);
        checkasm_report_bench(cases[i].what, t_ref, t_cur);
        checkasm_guarded_free(src);
        checkasm_guarded_free(dst);
        if (indices)
            checkasm_guarded_free((float *)indices);
    }
}

void checkasm_check_pool(void)
{
    check_pool2d();
    check_pool2d_u8();
    if (checkasm_bench_enabled() && checkasm_cur()->pool2d != checkasm_ref()->pool2d)
        bench_pool2d();
}
