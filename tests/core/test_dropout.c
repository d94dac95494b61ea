/* Dropout: the mask is a function of the key only (one and three threads
 * and every CPU level give the same bits), the dropped fraction is close to
 * p, kept values are scaled exactly as PyTorch does (x * (1 / (1 - p)) in
 * float), the backward applies the same mask, channels drop whole planes,
 * DropBlock drops block_size squares and scales by count / count_kept, and
 * inference is the identity. checkasm compares the kernels with C bit for
 * bit (tests/checkasm/dropout.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

typedef struct dropout_run {
    cnn_tensor y;
    uint8_t *mask;
} dropout_run;

static void run_forward(const cnn_dropout_params *p, const cnn_tensor *x, int threads,
                        unsigned level, dropout_run *r)
{
    cnn_context *ctx;
    ck_assert_cnn_ok(cnn_context_create_isa(&ctx, threads, level));
    ck_assert_cnn_ok(cnn_tensor_alloc(&r->y, x->ndim, x->shape));
    r->mask = malloc(cnn_dropout_mask_size(p, x));
    ck_assert_cnn_ok(cnn_dropout_forward(ctx, p, x, &r->y, r->mask));
    cnn_context_destroy(ctx);
}

static void release_run(dropout_run *r)
{
    cnn_tensor_release(&r->y);
    free(r->mask);
}

static void alloc_input(cnn_tensor *x, int n, int c, int h, int w, uint64_t purpose)
{
    ck_assert_cnn_ok(cnn_tensor_alloc_nchw(x, n, c, h, w));
    test_fill_uniform(x->data, cnn_tensor_numel(x), test_seed(), purpose, 0.5f, 2.0f);
}

static const cnn_dropout_mode modes[] = { CNN_DROPOUT_ELEMENT, CNN_DROPOUT_CHANNEL,
                                          CNN_DROPOUT_BLOCK };

START_TEST(same_mask_for_any_thread_count_and_level)
{
    cnn_tensor x;
    alloc_input(&x, 3, 5, 37, 41, 1);
    cnn_dropout_params p;
    cnn_dropout_params_init(&p, modes[_i], test_seed(), 7);
    p.p = 0.3f;
    p.block_size = 5;
    size_t n = cnn_tensor_numel(&x), mask_n = cnn_dropout_mask_size(&p, &x);
    dropout_run ref;
    run_forward(&p, &x, 1, 0, &ref);
    static const unsigned levels[] = { 0, CNN_CPU_AVX2, CNN_CPU_AVX2 | CNN_CPU_AVX512 };
    for (int l = 0; l < 3; l++) {
        if ((levels[l] & cnn_cpu_detect()) != levels[l])
            continue;
        for (int threads = 1; threads <= 3; threads += 2) {
            dropout_run r;
            run_forward(&p, &x, threads, levels[l], &r);
            ck_assert_msg(!memcmp(r.mask, ref.mask, mask_n), "mode %d at %s, %d threads: mask "
                          "differs", (int)p.mode, cnn_cpu_level_name(levels[l]), threads);
            ck_assert_msg(!memcmp(r.y.data, ref.y.data, n * sizeof(float)),
                          "mode %d at %s, %d threads: output differs", (int)p.mode,
                          cnn_cpu_level_name(levels[l]), threads);
            release_run(&r);
        }
    }
    /* another purpose, another mask */
    p.key.purpose = 8;
    dropout_run other;
    run_forward(&p, &x, 1, 0, &other);
    ck_assert(memcmp(other.mask, ref.mask, mask_n) != 0);
    release_run(&other);
    release_run(&ref);
    cnn_tensor_release(&x);
}
END_TEST

START_TEST(fraction_close_to_p_and_scaling_exact)
{
    static const float ps[] = { 0.1f, 0.5f, 0.8f };
    cnn_tensor x;
    alloc_input(&x, 2, 4, 100, 125, 3); /* 100000 values */
    size_t n = cnn_tensor_numel(&x);
    for (int i = 0; i < 3; i++) {
        cnn_dropout_params p;
        cnn_dropout_params_init(&p, CNN_DROPOUT_ELEMENT, test_seed(), 20 + i);
        p.p = ps[i];
        dropout_run r;
        run_forward(&p, &x, 2, cnn_cpu_flags(), &r);
        float scale = 1.0f / (1.0f - p.p);
        size_t dropped = 0;
        for (size_t j = 0; j < n; j++) {
            dropped += !r.mask[j];
            ck_assert_msg(r.y.data[j] == (r.mask[j] ? x.data[j] * scale : 0.0f),
                          "p=%g: element %zu is %.9g, x %.9g", p.p, j, r.y.data[j], x.data[j]);
        }
        /* five standard deviations of the binomial fraction */
        double frac = (double)dropped / n, sigma = sqrt(p.p * (1.0 - p.p) / n);
        ck_assert_msg(fabs(frac - p.p) < 5 * sigma, "p=%g: dropped %g", p.p, frac);
        release_run(&r);
    }
    cnn_tensor_release(&x);
}
END_TEST

START_TEST(backward_uses_the_forward_mask)
{
    cnn_tensor x, dy, dx, dx_mask;
    alloc_input(&x, 2, 3, 19, 23, 4);
    alloc_input(&dy, 2, 3, 19, 23, 5);
    ck_assert_cnn_ok(cnn_tensor_alloc_nchw(&dx, 2, 3, 19, 23));
    ck_assert_cnn_ok(cnn_tensor_alloc_nchw(&dx_mask, 2, 3, 19, 23));
    size_t n = cnn_tensor_numel(&x);
    cnn_context *ctx;
    ck_assert_cnn_ok(cnn_context_create(&ctx, 3));
    for (int i = 0; i < 3; i++) {
        cnn_dropout_params p;
        cnn_dropout_params_init(&p, modes[i], test_seed(), 30 + i);
        p.p = 0.4f;
        p.block_size = 3;
        dropout_run r;
        run_forward(&p, &x, 3, cnn_cpu_flags(), &r);
        ck_assert_cnn_ok(cnn_dropout_backward(ctx, &p, &dy, &dx_mask, r.mask));
        if (p.mode != CNN_DROPOUT_BLOCK) {
            ck_assert_cnn_ok(cnn_dropout_backward(ctx, &p, &dy, &dx, NULL));
            ck_assert(!memcmp(dx.data, dx_mask.data, n * sizeof(float)));
        } else {
            ck_assert_int_eq(cnn_dropout_backward(ctx, &p, &dy, &dx, NULL),
                             CNN_ERR_INVALID_ARG);
        }
        /* same zeros and the same scale as the forward */
        for (size_t j = 0; j < n; j++) {
            float scale = r.y.data[j] / x.data[j], dscale = dx_mask.data[j] / dy.data[j];
            ck_assert_msg(fabsf(scale - dscale) <= 1e-6f * scale, "mode %d element %zu: "
                          "forward scale %g, backward %g", i, j, scale, dscale);
        }
        release_run(&r);
    }
    cnn_context_destroy(ctx);
    cnn_tensor_release(&x);
    cnn_tensor_release(&dy);
    cnn_tensor_release(&dx);
    cnn_tensor_release(&dx_mask);
}
END_TEST

START_TEST(channel_mode_drops_whole_planes)
{
    cnn_tensor x;
    alloc_input(&x, 40, 50, 3, 5, 6);
    cnn_dropout_params p;
    cnn_dropout_params_init(&p, CNN_DROPOUT_CHANNEL, test_seed(), 40);
    p.p = 0.5f;
    dropout_run r;
    run_forward(&p, &x, 2, cnn_cpu_flags(), &r);
    size_t planes = 40 * 50, dropped = 0;
    for (size_t k = 0; k < planes; k++) {
        dropped += !r.mask[k];
        for (size_t i = 0; i < 15; i++)
            ck_assert(r.y.data[k * 15 + i] == (r.mask[k] ? x.data[k * 15 + i] * 2.0f : 0.0f));
    }
    double frac = (double)dropped / planes;
    ck_assert_msg(fabs(frac - 0.5) < 5 * sqrt(0.25 / planes), "dropped %g of the channels",
                  frac);
    release_run(&r);
    cnn_tensor_release(&x);
}
END_TEST

/* 1 when the square of side bs with top-left (y0, x0) is inside and dropped. */
static int dropped_square(const uint8_t *m, int h, int w, int bs, int y0, int x0)
{
    if (y0 < 0 || x0 < 0 || y0 + bs > h || x0 + bs > w)
        return 0;
    for (int y = y0; y < y0 + bs; y++)
        for (int x = x0; x < x0 + bs; x++)
            if (m[y * w + x])
                return 0;
    return 1;
}

START_TEST(dropblock_drops_squares_and_renormalises)
{
    int n = 2, c = 32, h = 32, w = 32, bs = 5;
    cnn_tensor x;
    alloc_input(&x, n, c, h, w, 7);
    cnn_dropout_params p;
    cnn_dropout_params_init(&p, CNN_DROPOUT_BLOCK, test_seed(), 50);
    p.p = 0.1f;
    p.block_size = bs;
    dropout_run r;
    run_forward(&p, &x, 3, cnn_cpu_flags(), &r);
    size_t total = cnn_tensor_numel(&x), kept = 0;
    for (size_t i = 0; i < total; i++)
        kept += r.mask[i];
    float scale = (float)((double)total / kept);
    for (int k = 0; k < n * c; k++) {
        const uint8_t *m = r.mask + (size_t)k * h * w;
        for (int y = 0; y < h; y++)
            for (int xx = 0; xx < w; xx++) {
                size_t i = (size_t)k * h * w + y * w + xx;
                ck_assert(r.y.data[i] == (m[y * w + xx] ? x.data[i] * scale : 0.0f));
                if (m[y * w + xx])
                    continue;
                int covered = 0; /* some dropped bs x bs square holds this pixel */
                for (int y0 = y - bs + 1; y0 <= y && !covered; y0++)
                    for (int x0 = xx - bs + 1; x0 <= xx && !covered; x0++)
                        covered = dropped_square(m, h, w, bs, y0, x0);
                ck_assert_msg(covered, "plane %d pixel (%d,%d) dropped outside a %dx%d block",
                              k, y, xx, bs, bs);
            }
    }
    /* Ghiasi et al.'s gamma aims at dropping about 1 - keep_prob (less where
     * blocks overlap) */
    double frac = 1.0 - (double)kept / total;
    ck_assert_msg(frac > 0.06 && frac < 0.11, "dropped %g", frac);
    ck_assert_float_eq_tol(cnn_dropblock_gamma(0.1f, 3, 10, 10), 0.1f / 9 * 100 / 64, 1e-8f);
    release_run(&r);
    cnn_tensor_release(&x);
}
END_TEST

START_TEST(inference_is_identity_and_bad_params_refused)
{
    cnn_tensor x, y;
    alloc_input(&x, 1, 2, 3, 4, 8);
    ck_assert_cnn_ok(cnn_tensor_alloc_nchw(&y, 1, 2, 3, 4));
    cnn_context *ctx;
    ck_assert_cnn_ok(cnn_context_create(&ctx, 1));
    cnn_dropout_params p;
    cnn_dropout_params_init(&p, CNN_DROPOUT_BLOCK, 1, 2);
    ck_assert_int_eq(cnn_dropout_forward(ctx, &p, &x, &y, NULL), CNN_ERR_INVALID_ARG);
    ck_assert_str_eq(cnn_last_error(), "dropout: block size 7 must be in [1, 3] for 4x3 planes");
    p.block_size = 3;
    ck_assert_int_eq(cnn_dropout_forward(ctx, &p, &x, &y, NULL), CNN_ERR_INVALID_ARG);
    p.training = 0;
    ck_assert_cnn_ok(cnn_dropout_forward(ctx, &p, &x, &y, NULL));
    ck_assert(!memcmp(x.data, y.data, cnn_tensor_numel(&x) * sizeof(float)));
    p.training = 1;
    p.mode = CNN_DROPOUT_ELEMENT;
    p.p = 1.5f;
    ck_assert_int_eq(cnn_dropout_forward(ctx, &p, &x, &y, NULL), CNN_ERR_INVALID_ARG);
    p.p = 1.0f;
    ck_assert_cnn_ok(cnn_dropout_forward(ctx, &p, &x, &y, NULL));
    for (size_t i = 0; i < cnn_tensor_numel(&y); i++)
        ck_assert(y.data[i] == 0.0f);
    cnn_context_destroy(ctx);
    cnn_tensor_release(&x);
    cnn_tensor_release(&y);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dropout");
    TCase *tc = tcase_create("dropout");
    tcase_add_loop_test(tc, same_mask_for_any_thread_count_and_level, 0, 3);
    tcase_add_test(tc, fraction_close_to_p_and_scaling_exact);
    tcase_add_test(tc, backward_uses_the_forward_mask);
    tcase_add_test(tc, channel_mode_drops_whole_planes);
    tcase_add_test(tc, dropblock_drops_squares_and_renormalises);
    tcase_add_test(tc, inference_is_identity_and_bad_params_refused);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
