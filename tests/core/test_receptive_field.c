/* Receptive fields: hand-computed stacks and the lecture's layer counts. */
#include <math.h>
#include <string.h>

#include "testutil.h"
#include "cnn/receptive_field.h"

static cnn_rf_layer conv(int k, int s, int p, int d)
{
    return (cnn_rf_layer){ .kernel = k, .stride = s, .padding = p, .dilation = d, .name = "conv" };
}

START_TEST(hand_computed_stack)
{
    /* 5-pixel input, two 3x3 convs with stride 2 and padding 1: the maps
     * are 3 then 2, fields 3 then 7, jumps 2 then 4, and output 0 stays
     * centred on input pixel 0 (0.5) because the padding balances the
     * kernel's half-width. */
    cnn_rf_layer layers[2] = { conv(3, 2, 1, 1), conv(3, 2, 1, 1) };
    cnn_rf_info info[2];
    ck_assert_cnn_ok(cnn_rf_compute(layers, 2, 5, info));
    ck_assert_int_eq(info[0].out_size, 3);
    ck_assert_int_eq(info[0].size, 3);
    ck_assert_int_eq(info[0].jump, 2);
    ck_assert_double_eq(info[0].start, 0.5);
    ck_assert_int_eq(info[1].out_size, 2);
    ck_assert_int_eq(info[1].size, 7);
    ck_assert_int_eq(info[1].jump, 4);
    ck_assert_double_eq(info[1].start, 0.5);

    /* Unpadded 3x3 then 2x2/2 pool then dilated 3x3 (k' = 5) on 100 px. */
    cnn_rf_layer mixed[3] = { conv(3, 1, 0, 1), conv(2, 2, 0, 1), conv(3, 1, 0, 2) };
    cnn_rf_info m[3];
    ck_assert_cnn_ok(cnn_rf_compute(mixed, 3, 100, m));
    ck_assert_int_eq(m[0].out_size, 98);
    ck_assert_int_eq(m[0].size, 3);
    ck_assert_double_eq(m[0].start, 1.5);  /* centre of pixel 1 */
    ck_assert_int_eq(m[1].out_size, 49);
    ck_assert_int_eq(m[1].size, 4);
    ck_assert_int_eq(m[1].jump, 2);
    ck_assert_double_eq(m[1].start, 2.0); /* between pixels 1 and 2 */
    ck_assert_int_eq(m[2].out_size, 45);
    ck_assert_int_eq(m[2].size, 4 + 4 * 2);
    ck_assert_double_eq(m[2].start, 2.0 + 2.0 * 2);
}
END_TEST

/* "Same" padding (TF-style, cnn_conv2d_pad_same): total = (out - 1) s +
 * k' - in with out = ceil(in / s), before = total / 2. 3x3 stride 2:
 * even inputs pad 0 before (start 0.5 + 1 = 1.5), odd ones 1 (0.5);
 * 3x3 stride 3 on 10, 11, 12: totals 2, 1, 0, before 1, 0, 0. Without
 * the size the start is unknown (NAN), except at stride 1. */
START_TEST(same_padding_follows_the_input_size)
{
    static const struct {
        int k, s, d, in, out, before;
        double start;
    } cases[] = {
        { 3, 2, 1, 64, 32, 0, 1.5 }, { 3, 2, 1, 11, 6, 1, 0.5 },  { 3, 3, 1, 10, 4, 1, 0.5 },
        { 3, 3, 1, 11, 4, 0, 1.5 },  { 3, 3, 1, 12, 4, 0, 1.5 },  { 5, 2, 2, 20, 10, 3, 1.5 },
        { 5, 1, 1, 7, 7, 2, 0.5 },   { 1, 2, 1, 9, 5, 0, 0.5 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cnn_rf_layer l = { .kernel = cases[i].k, .stride = cases[i].s, .padding = 7,
                           .dilation = cases[i].d, .name = "same", .pad_same = 1 };
        cnn_rf_info info;
        ck_assert_cnn_ok(cnn_rf_compute(&l, 1, cases[i].in, &info));
        ck_assert_int_eq(info.out_size, cases[i].out);
        ck_assert_int_eq(info.pad_before, cases[i].before);
        ck_assert_double_eq(info.start, cases[i].start);
        ck_assert_int_eq(info.size, cases[i].d * (cases[i].k - 1) + 1);
    }
    /* unknown size: stride 1 (and kernels narrower than the stride) still
     * known; 3x3 stride 2 not, nor anything after it */
    cnn_rf_layer two[2] = {
        { .kernel = 3, .stride = 1, .dilation = 1, .pad_same = 1 },
        { .kernel = 3, .stride = 2, .dilation = 1, .pad_same = 1 },
    };
    cnn_rf_info info[2];
    ck_assert_cnn_ok(cnn_rf_compute(two, 2, 0, info));
    ck_assert_double_eq(info[0].start, 0.5);
    ck_assert_int_eq(info[0].out_size, 0);
    ck_assert(isnan(info[1].start));
    ck_assert_int_eq(info[1].pad_before, -1);
    ck_assert_int_eq(info[1].size, 5);
    ck_assert_int_eq(info[1].jump, 2);
    cnn_rf_layer narrow = { .kernel = 1, .stride = 2, .dilation = 1, .pad_same = 1 };
    ck_assert_cnn_ok(cnn_rf_compute(&narrow, 1, 0, info));
    ck_assert_double_eq(info[0].start, 0.5);
}
END_TEST

START_TEST(errors_name_the_layer)
{
    cnn_rf_info info[2];
    cnn_rf_layer bad[1] = { conv(0, 1, 0, 1) };
    ck_assert_int_eq(cnn_rf_compute(bad, 1, 10, info), CNN_ERR_INVALID_ARG);
    cnn_rf_layer big[2] = { conv(3, 1, 0, 1), conv(5, 1, 0, 1) };
    ck_assert_int_eq(cnn_rf_compute(big, 2, 6, info), CNN_ERR_SHAPE);
    ck_assert_ptr_nonnull(strstr(cnn_last_error(), "layer 1"));
    int n;
    cnn_rf_layer flat[1] = { conv(1, 1, 0, 1) };
    ck_assert_int_eq(cnn_rf_layers_to_cover(flat, 1, 10, &n, NULL), CNN_ERR_INVALID_ARG);
    /* 2x2/2 pools alone run out of pixels: 8 -> 4 -> 2 -> 1 covers 8, but
     * 9 pixels need a fourth pool on a 1-pixel map. */
    cnn_rf_layer pool[1] = { conv(2, 2, 0, 1) };
    ck_assert_cnn_ok(cnn_rf_layers_to_cover(pool, 1, 8, &n, NULL));
    ck_assert_int_eq(n, 3);
    ck_assert_int_eq(cnn_rf_layers_to_cover(pool, 1, 9, &n, NULL), CNN_ERR_SHAPE);
}
END_TEST

/* The lecture: stacked 3x3 stride-1 convs reach 2n + 1 pixels after n
 * layers, so a 5x5 input needs 2 layers and a 1000x1000 image 500. */
START_TEST(lecture_conv_only)
{
    cnn_rf_layer c3[1] = { conv(3, 1, 1, 1) };
    int n;
    cnn_rf_info f;
    ck_assert_cnn_ok(cnn_rf_layers_to_cover(c3, 1, 5, &n, &f));
    ck_assert_int_eq(n, 2);
    ck_assert_int_eq(f.size, 5);
    ck_assert_cnn_ok(cnn_rf_layers_to_cover(c3, 1, 1000, &n, &f));
    ck_assert_int_eq(n, 500);
    ck_assert_int_eq(f.size, 1001);
    ck_assert_int_eq(f.out_size, 1000); /* same padding keeps the map */
}
END_TEST

/* "Reductions in a 1000-by-1000 image": 8 conv + 8 pool + 1 FC = 17 layers
 * instead of 500 convs. Exact by the recurrence, with same-padded 3x3 convs
 * and 2x2 stride-2 pools: after b conv+pool blocks the field is
 * 3 * 2^b - 2 pixels with jump 2^b. Eight blocks leave a 3x3 map
 * (1000 -> 500 -> ... -> 7 -> 3) whose field is 766 pixels, short of the
 * image; the FC layer over that 3x3 map (kernel 3, jump 256) brings it to
 * 1278 >= 1000, so the 17 layers do see the whole image. The conv/pool stack
 * alone needs 9 blocks (1534). By field size alone 7 blocks + FC over the
 * 7x7 map (1150) would also do: the lecture's 8 is where the map becomes
 * small (3x3), not the minimum coverage. */
START_TEST(lecture_conv_pool_17_layers)
{
    cnn_rf_layer block[2] = { conv(3, 1, 1, 1), conv(2, 2, 0, 1) };
    block[1].name = "pool";
    int n;
    cnn_rf_info f;
    ck_assert_cnn_ok(cnn_rf_layers_to_cover(block, 2, 1000, &n, &f));
    ck_assert_int_eq(n, 9);
    ck_assert_int_eq(f.size, 1534);

    cnn_rf_layer stack[17];
    cnn_rf_info info[17];
    for (int i = 0; i < 8; i++) {
        stack[2 * i] = block[0];
        stack[2 * i + 1] = block[1];
    }
    ck_assert_cnn_ok(cnn_rf_compute(stack, 16, 1000, info));
    ck_assert_int_eq(info[15].out_size, 3);
    ck_assert_int_eq(info[15].size, 766);
    ck_assert_int_eq(info[15].jump, 256);
    stack[16] = (cnn_rf_layer){ .kernel = info[15].out_size, .stride = 1, .dilation = 1,
                                .name = "fc" };
    ck_assert_cnn_ok(cnn_rf_compute(stack, 17, 1000, info));
    ck_assert_int_eq(info[16].out_size, 1);
    ck_assert_int_eq(info[16].size, 1278);
    ck_assert_int_ge(info[16].size, 1000);

    /* 7 blocks + FC over the 7x7 map also covers the image. */
    ck_assert_cnn_ok(cnn_rf_compute(stack, 14, 1000, info));
    ck_assert_int_eq(info[13].out_size, 7);
    stack[14] = (cnn_rf_layer){ .kernel = 7, .stride = 1, .dilation = 1, .name = "fc" };
    ck_assert_cnn_ok(cnn_rf_compute(stack, 15, 1000, info));
    ck_assert_int_eq(info[14].size, 1150);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("receptive_field");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, hand_computed_stack);
    tcase_add_test(tc, same_padding_follows_the_input_size);
    tcase_add_test(tc, errors_name_the_layer);
    tcase_add_test(tc, lecture_conv_only);
    tcase_add_test(tc, lecture_conv_pool_17_layers);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
