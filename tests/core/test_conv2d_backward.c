/* conv2d backward against PyTorch autograd (tests/ref/train_ref.py): dx,
 * dweight and dbias for strides, dilations, asymmetric zero padding, groups
 * and depthwise, batches; every CPU level, one and three threads (bit for bit
 * the same). Also the refusals: reflect padding, a missing workspace, a dx of
 * the wrong shape.
 * Usage: test_conv2d_backward PYTHON SCRIPT */
#include <string.h>

#include "torchref.h"

/* Per term of the sums of products of values in [-1, 1): a few float32
 * roundings of the gemm's order against the float64 reference. */
#define TERM_TOL 1e-5

static void params_of(const ref_case *c, cnn_conv2d_params *p)
{
    cnn_conv2d_params_init(p, ref_int(c, "kh"), ref_int(c, "kw"));
    p->stride_h = ref_int(c, "sh");
    p->stride_w = ref_int(c, "sw");
    p->dilation_h = ref_int(c, "dh");
    p->dilation_w = ref_int(c, "dw");
    p->pad_top = ref_int(c, "pt");
    p->pad_bottom = ref_int(c, "pb");
    p->pad_left = ref_int(c, "pl");
    p->pad_right = ref_int(c, "pr");
    p->groups = ref_int(c, "groups");
}

/* out: dx, dw, db */
static void run_backward(const ref_case *c, unsigned level, int threads, cnn_tensor out[3])
{
    cnn_context *ctx;
    ck_assert_cnn_ok(cnn_context_create_isa(&ctx, threads, level));
    cnn_conv2d_params p;
    params_of(c, &p);
    cnn_tensor x, w, dy;
    ref_tensor(c, "x", &x);
    ref_tensor(c, "w", &w);
    ref_tensor(c, "dy", &dy);
    ref_alloc_like(&out[0], &x);
    ref_alloc_like(&out[1], &w);
    int cout = w.shape[0];
    ck_assert_cnn_ok(cnn_tensor_alloc(&out[2], 1, &cout));
    size_t ws = cnn_conv2d_backward_workspace_size(&p, x.shape[1], x.shape[2], x.shape[3]);
    ck_assert_uint_gt(ws, 0);
    void *workspace = cnn_aligned_alloc(ws);
    ck_assert_ptr_nonnull(workspace);
    ck_assert_cnn_ok(cnn_conv2d_backward(ctx, &p, &x, &w, &dy, &out[0], &out[1], &out[2],
                                         workspace));
    cnn_aligned_free(workspace);
    cnn_tensor_release(&x);
    cnn_tensor_release(&w);
    cnn_tensor_release(&dy);
    cnn_context_destroy(ctx);
}

START_TEST(matches_torch)
{
    static const char *const names[3] = { "dx", "dw", "db" };
    static const char *const mags[3] = { "dx_mag", "dw_mag", "db_mag" };
    const ref_case *c = ref_case_at(_i);
    unsigned levels[3];
    int n_levels = ref_levels(levels);
    for (int l = 0; l < n_levels; l++) {
        cnn_tensor one[3], three[3];
        run_backward(c, levels[l], 1, one);
        run_backward(c, levels[l], 3, three);
        for (int i = 0; i < 3; i++) {
            size_t n = cnn_tensor_numel(&one[i]);
            ref_expect_within_terms(c, names[i], mags[i], three[i].data, TERM_TOL, levels[l]);
            ref_expect_identical(c, names[i], one[i].data, three[i].data, n);
            cnn_tensor_release(&one[i]);
            cnn_tensor_release(&three[i]);
        }
    }
}
END_TEST

START_TEST(refuses_what_it_cannot_differentiate)
{
    cnn_context *ctx;
    ck_assert_cnn_ok(cnn_context_create(&ctx, 1));
    cnn_conv2d_params p;
    cnn_conv2d_params_init(&p, 3, 3);
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
    cnn_tensor x, w, dy, dx, bad;
    ck_assert_cnn_ok(cnn_tensor_alloc_nchw(&x, 1, 2, 5, 5));
    ck_assert_cnn_ok(cnn_tensor_alloc_nchw(&w, 3, 2, 3, 3));
    ck_assert_cnn_ok(cnn_tensor_alloc_nchw(&dy, 1, 3, 5, 5));
    ck_assert_cnn_ok(cnn_tensor_alloc_nchw(&dx, 1, 2, 5, 5));
    ck_assert_cnn_ok(cnn_tensor_alloc_nchw(&bad, 1, 2, 5, 4));
    void *ws = cnn_aligned_alloc(cnn_conv2d_backward_workspace_size(&p, 2, 5, 5));
    ck_assert_cnn_ok(cnn_conv2d_backward(ctx, &p, &x, &w, &dy, &dx, NULL, NULL, ws));
    ck_assert_int_eq(cnn_conv2d_backward(ctx, &p, &x, &w, &dy, &dx, NULL, NULL, NULL),
                     CNN_ERR_INVALID_ARG);
    ck_assert_int_eq(cnn_conv2d_backward(ctx, &p, &x, &w, &dy, &bad, NULL, NULL, ws),
                     CNN_ERR_SHAPE);
    p.pad_mode = CNN_PAD_REFLECT;
    ck_assert_int_eq(cnn_conv2d_backward(ctx, &p, &x, &w, &dy, &dx, NULL, NULL, ws),
                     CNN_ERR_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(cnn_last_error(), "zero padding"));
    cnn_aligned_free(ws);
    cnn_tensor_release(&x);
    cnn_tensor_release(&w);
    cnn_tensor_release(&dy);
    cnn_tensor_release(&dx);
    cnn_tensor_release(&bad);
    cnn_context_destroy(ctx);
}
END_TEST

int main(int argc, char **argv)
{
    int n = ref_generate(argc, argv, "conv2d_backward");
    Suite *s = suite_create("conv2d_backward");
    TCase *tc = tcase_create("conv2d_backward");
    tcase_add_loop_test(tc, matches_torch, 0, n);
    tcase_add_test(tc, refuses_what_it_cannot_differentiate);
    suite_add_tcase(s, tc);
    int status = test_run_suite(s);
    ref_cleanup();
    return status;
}
