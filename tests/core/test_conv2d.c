/* conv2d on hand-computed cases and the lecture's worked example. The
 * PyTorch comparison over every configuration is test_conv2d_torch. */
#include <string.h>

#include "testutil.h"

static cnn_context *ctx;

static void setup(void)
{
    ck_assert_cnn_ok(cnn_context_create(&ctx, 2));
}

static void teardown(void)
{
    cnn_context_destroy(ctx);
}

/* Run one 1-channel conv of an h x w image with a kh x kw kernel. */
static void conv_single(const cnn_conv2d_params *p, const float *img, int h, int w,
                        const float *kernel, float *out, int *oh, int *ow)
{
    cnn_tensor x, k, y;
    ck_assert_cnn_ok(cnn_tensor_wrap(&x, (float *)img, 4, (int[]){ 1, 1, h, w }));
    ck_assert_cnn_ok(cnn_tensor_wrap(&k, (float *)kernel, 4,
                                     (int[]){ 1, 1, p->kernel_h, p->kernel_w }));
    ck_assert_cnn_ok(cnn_conv2d_output_size(p, h, w, oh, ow));
    ck_assert_cnn_ok(cnn_tensor_wrap(&y, out, 4, (int[]){ 1, 1, *oh, *ow }));
    size_t ws_size = cnn_conv2d_workspace_size(p, 1, h, w, 2);
    void *ws = ws_size ? cnn_aligned_alloc(ws_size) : NULL;
    ck_assert_cnn_ok(cnn_conv2d_forward(ctx, p, &x, &k, NULL, &y, ws));
    cnn_aligned_free(ws);
}

/* The 7x7 curve detector (weights 30 along a curve) of the lecture notes. */
static const float curve[49] = {
    0, 0, 0, 0, 0, 30, 0,
    0, 0, 0, 0, 30, 0, 0,
    0, 0, 0, 30, 0, 0, 0,
    0, 0, 0, 30, 0, 0, 0,
    0, 0, 0, 30, 0, 0, 0,
    0, 0, 0, 30, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0,
};

START_TEST(lecture_curve_detector)
{
    cnn_conv2d_params p;
    cnn_conv2d_params_init(&p, 7, 7);
    /* A region that follows the curve: four pixels of 50 and one of 20 under
     * the weights, so the lecture's sum (50*30)*4 + 20*30 = 6600. */
    float match[49] = { 0 };
    match[0 * 7 + 5] = 50, match[1 * 7 + 4] = 50, match[2 * 7 + 3] = 50;
    match[3 * 7 + 3] = 20, match[4 * 7 + 3] = 50;
    match[6 * 7 + 0] = 10; /* off the curve: must not count */
    /* The lecture's second region, a curve the other way: the sum is 0. */
    const float other[49] = {
        0, 0, 0, 0, 0, 0, 0,
        0, 40, 0, 0, 0, 0, 0,
        40, 0, 40, 0, 0, 0, 0,
        40, 20, 0, 0, 0, 0, 0,
        0, 50, 0, 0, 0, 0, 0,
        0, 0, 50, 0, 0, 0, 0,
        25, 25, 0, 50, 0, 0, 0,
    };
    float out;
    int oh, ow;
    conv_single(&p, match, 7, 7, curve, &out, &oh, &ow);
    ck_assert_int_eq(oh, 1);
    ck_assert_int_eq(ow, 1);
    ck_assert_float_eq(out, 6600.0f);
    conv_single(&p, other, 7, 7, curve, &out, &oh, &ow);
    ck_assert_float_eq(out, 0.0f);
}
END_TEST

START_TEST(stride_padding_dilation_by_hand)
{
    /* 4x4 ramp 0..15 */
    float img[16];
    for (int i = 0; i < 16; i++)
        img[i] = (float)i;
    const float ones[9] = { 1, 1, 1, 1, 1, 1, 1, 1, 1 };
    float out[16];
    int oh, ow;
    cnn_conv2d_params p;

    /* valid 3x3 box: sums of 3x3 windows */
    cnn_conv2d_params_init(&p, 3, 3);
    conv_single(&p, img, 4, 4, ones, out, &oh, &ow);
    ck_assert_int_eq(oh, 2);
    ck_assert_int_eq(ow, 2);
    ck_assert_float_eq(out[0], 0 + 1 + 2 + 4 + 5 + 6 + 8 + 9 + 10);
    ck_assert_float_eq(out[3], 5 + 6 + 7 + 9 + 10 + 11 + 13 + 14 + 15);

    /* same, zeros: corner sees 4 pixels */
    cnn_conv2d_pad_same(&p, 4, 4);
    conv_single(&p, img, 4, 4, ones, out, &oh, &ow);
    ck_assert_int_eq(oh, 4);
    ck_assert_float_eq(out[0], 0 + 1 + 4 + 5);
    ck_assert_float_eq(out[15], 10 + 11 + 14 + 15);

    /* replicate: corner (0,0) window is 0,0,1 / 0,0,1 / 4,4,5 */
    p.pad_mode = CNN_PAD_REPLICATE;
    conv_single(&p, img, 4, 4, ones, out, &oh, &ow);
    ck_assert_float_eq(out[0], 0 + 0 + 1 + 0 + 0 + 1 + 4 + 4 + 5);

    /* reflect: row -1 is row 1, column -1 is column 1: 5,4,5 / 1,0,1 / 5,4,5 */
    p.pad_mode = CNN_PAD_REFLECT;
    conv_single(&p, img, 4, 4, ones, out, &oh, &ow);
    ck_assert_float_eq(out[0], 5 + 4 + 5 + 1 + 0 + 1 + 5 + 4 + 5);

    /* stride 2 with same padding: 2x2 output of windows centred on 0,2,8,10 */
    cnn_conv2d_params_init(&p, 3, 3);
    p.stride_h = p.stride_w = 2;
    cnn_conv2d_pad_same(&p, 4, 4);
    ck_assert_int_eq(p.pad_top, 0);
    ck_assert_int_eq(p.pad_bottom, 1);
    conv_single(&p, img, 4, 4, ones, out, &oh, &ow);
    ck_assert_int_eq(oh, 2);
    ck_assert_float_eq(out[0], 0 + 1 + 2 + 4 + 5 + 6 + 8 + 9 + 10);
    ck_assert_float_eq(out[3], 10 + 11 + 14 + 15);

    /* dilation 2 on a 2x2 kernel: taps at (0,0),(0,2),(2,0),(2,2) */
    cnn_conv2d_params_init(&p, 2, 2);
    p.dilation_h = p.dilation_w = 2;
    conv_single(&p, img, 4, 4, ones, out, &oh, &ow);
    ck_assert_int_eq(oh, 2);
    ck_assert_float_eq(out[0], 0 + 2 + 8 + 10);
    ck_assert_float_eq(out[3], 5 + 7 + 13 + 15);
}
END_TEST

START_TEST(groups_and_bias)
{
    /* 2 input channels, depthwise (groups 2), channel multiplier 2, bias. */
    float img[2 * 9];
    for (int i = 0; i < 18; i++)
        img[i] = (float)(i % 9) * (i < 9 ? 1.0f : -1.0f);
    float wt[4 * 1 * 1 * 1] = { 1, 2, 3, 4 };
    float bias[4] = { 0.5f, 0, 0, -1 };
    float out[4 * 9];
    cnn_tensor x, k, b, y;
    cnn_conv2d_params p;
    cnn_conv2d_params_init(&p, 1, 1);
    p.groups = 2;
    ck_assert_cnn_ok(cnn_tensor_wrap(&x, img, 4, (int[]){ 1, 2, 3, 3 }));
    ck_assert_cnn_ok(cnn_tensor_wrap(&k, wt, 4, (int[]){ 4, 1, 1, 1 }));
    ck_assert_cnn_ok(cnn_tensor_wrap(&b, bias, 1, (int[]){ 4 }));
    ck_assert_cnn_ok(cnn_tensor_wrap(&y, out, 4, (int[]){ 1, 4, 3, 3 }));
    ck_assert_cnn_ok(cnn_conv2d_forward(ctx, &p, &x, &k, &b, &y, NULL));
    ck_assert_float_eq(out[0 * 9 + 4], 4 * 1 + 0.5f); /* channel 0 of group 0 */
    ck_assert_float_eq(out[1 * 9 + 4], 4 * 2);
    ck_assert_float_eq(out[2 * 9 + 4], -4 * 3);       /* group 1 reads channel 1 */
    ck_assert_float_eq(out[3 * 9 + 8], -8 * 4 - 1);
}
END_TEST

START_TEST(bad_configurations_name_the_problem)
{
    float img[16] = { 0 }, wt[9] = { 0 }, out[16];
    cnn_tensor x, k, y;
    cnn_conv2d_params p;
    cnn_conv2d_params_init(&p, 3, 3);
    ck_assert_cnn_ok(cnn_tensor_wrap(&x, img, 4, (int[]){ 1, 1, 4, 4 }));
    ck_assert_cnn_ok(cnn_tensor_wrap(&k, wt, 4, (int[]){ 1, 1, 3, 3 }));
    ck_assert_cnn_ok(cnn_tensor_wrap(&y, out, 4, (int[]){ 1, 1, 3, 3 }));
    ck_assert_int_eq(cnn_conv2d_forward(ctx, &p, &x, &k, NULL, &y, NULL), CNN_ERR_SHAPE);
    ck_assert_str_eq(cnn_last_error(), "conv2d: y is [1,1,3,3], expected [1,1,2,2]");

    p.stride_h = 0;
    ck_assert_int_eq(cnn_conv2d_check(&p, &x, &k, NULL, &y), CNN_ERR_INVALID_ARG);
    ck_assert_str_eq(cnn_last_error(), "conv2d: stride 0x1, must be >= 1");

    cnn_conv2d_params_init(&p, 3, 3);
    p.groups = 3;
    ck_assert_int_eq(cnn_conv2d_check(&p, &x, &k, NULL, &y), CNN_ERR_INVALID_ARG);

    cnn_conv2d_params_init(&p, 3, 3);
    p.pad_mode = CNN_PAD_REFLECT;
    p.pad_left = 4;
    int oh, ow;
    ck_assert_int_eq(cnn_conv2d_output_size(&p, 4, 4, &oh, &ow), CNN_ERR_INVALID_ARG);

    cnn_conv2d_params_init(&p, 5, 5);
    p.dilation_h = 2;
    ck_assert_int_eq(cnn_conv2d_output_size(&p, 4, 4, &oh, &ow), CNN_ERR_SHAPE);
}
END_TEST

START_TEST(any_thread_count_gives_identical_output)
{
    cnn_conv2d_params p;
    cnn_conv2d_params_init(&p, 3, 3);
    cnn_conv2d_pad_same(&p, 37, 29);
    cnn_tensor x, k, y1, y3;
    ck_assert_cnn_ok(cnn_tensor_alloc_nchw(&x, 2, 5, 37, 29));
    ck_assert_cnn_ok(cnn_tensor_alloc_nchw(&k, 19, 5, 3, 3));
    ck_assert_cnn_ok(cnn_tensor_alloc_nchw(&y1, 2, 19, 37, 29));
    ck_assert_cnn_ok(cnn_tensor_alloc_nchw(&y3, 2, 19, 37, 29));
    test_fill_uniform(x.data, cnn_tensor_numel(&x), test_seed(), 1, -1, 1);
    test_fill_uniform(k.data, cnn_tensor_numel(&k), test_seed(), 2, -1, 1);
    cnn_context *one, *three;
    ck_assert_cnn_ok(cnn_context_create(&one, 1));
    ck_assert_cnn_ok(cnn_context_create(&three, 3));
    void *ws = cnn_aligned_alloc(cnn_conv2d_workspace_size(&p, 5, 37, 29, 3));
    ck_assert_cnn_ok(cnn_conv2d_forward(one, &p, &x, &k, NULL, &y1, ws));
    ck_assert_cnn_ok(cnn_conv2d_forward(three, &p, &x, &k, NULL, &y3, ws));
    ck_assert_int_eq(memcmp(y1.data, y3.data, cnn_tensor_numel(&y1) * sizeof(float)), 0);
    cnn_aligned_free(ws);
    cnn_context_destroy(one);
    cnn_context_destroy(three);
    cnn_tensor_release(&x);
    cnn_tensor_release(&k);
    cnn_tensor_release(&y1);
    cnn_tensor_release(&y3);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("conv2d");
    TCase *tc = tcase_create("conv2d");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, lecture_curve_detector);
    tcase_add_test(tc, stride_padding_dilation_by_hand);
    tcase_add_test(tc, groups_and_bias);
    tcase_add_test(tc, bad_configurations_name_the_problem);
    tcase_add_test(tc, any_thread_count_gives_identical_output);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
