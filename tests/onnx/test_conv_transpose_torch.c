/* The graph's ConvTranspose against PyTorch's conv_transpose{1,2,3}d:
 * strides, padding, output padding, dilation, groups (depthwise too), with
 * and without bias, and an input large enough for the col buffer to go in
 * two chunks. tests/ref/conv_transpose_ref.py writes the cases at start;
 * each runs at every CPU level on one and three threads, which must agree
 * bit for bit. Usage: test_conv_transpose_torch PYTHON SCRIPT */
#include <stdio.h>
#include <string.h>

#include "../core/torchref.h"
#include "cnn/graph.h"

/* float32 sums of at most a few hundred products in [-1, 1] against a
 * float64 reference */
#define ATOL 1e-5
#define RTOL 1e-4

static void attr_axes(cnn_graph_node *node, const ref_case *c, const char *attr,
                      const char *key, int twice)
{
    int sp = ref_int(c, "dims");
    int64_t v[6];
    char k[8];
    for (int a = 0; a < sp; a++) {
        snprintf(k, sizeof k, "%s%d", key, a);
        v[a] = v[a + sp] = ref_int(c, k);
    }
    ck_assert_cnn_ok(cnn_graph_node_set_ints(node, attr, twice ? 2 * sp : sp, v));
}

/* y of the case through a one-node graph on a context of `threads` at `level`. */
static void run_case(const ref_case *c, unsigned level, int threads, cnn_tensor *y)
{
    cnn_context *ctx;
    cnn_graph *g;
    cnn_tensor x, w, b;
    int bias = ref_int(c, "bias");
    ref_tensor(c, "x", &x);
    ref_tensor(c, "w", &w);
    ck_assert_cnn_ok(cnn_context_create_isa(&ctx, threads, level));
    ck_assert_cnn_ok(cnn_graph_create(&g));
    ck_assert_cnn_ok(cnn_graph_add_input(g, "x", x.ndim, x.shape));
    ck_assert_cnn_ok(cnn_graph_add_constant(g, "w", w.ndim, w.shape, w.data));
    if (bias) {
        ref_tensor(c, "b", &b);
        ck_assert_cnn_ok(cnn_graph_add_constant(g, "b", b.ndim, b.shape, b.data));
        cnn_tensor_release(&b);
    }
    cnn_graph_node *node;
    ck_assert_cnn_ok(cnn_graph_add_node(g, "ConvTranspose", "up", 2 + bias,
                                        (const char *[]){ "x", "w", "b" }, 1,
                                        (const char *[]){ "y" }, &node));
    attr_axes(node, c, "strides", "s", 0);
    attr_axes(node, c, "pads", "p", 1);
    attr_axes(node, c, "output_padding", "op", 0);
    attr_axes(node, c, "dilations", "d", 0);
    ck_assert_cnn_ok(cnn_graph_node_set_int(node, "group", ref_int(c, "groups")));
    ck_assert_cnn_ok(cnn_graph_mark_output(g, "y"));
    ck_assert_cnn_ok(cnn_graph_prepare(g, ctx));
    memcpy(cnn_graph_input(g, 0)->data, x.data, cnn_tensor_numel(&x) * sizeof(float));
    ck_assert_cnn_ok(cnn_graph_run(g, ctx));
    const cnn_tensor *out = cnn_graph_output(g, 0);
    ref_alloc_like(y, out);
    memcpy(y->data, out->data, cnn_tensor_numel(out) * sizeof(float));
    cnn_graph_destroy(g);
    cnn_context_destroy(ctx);
    cnn_tensor_release(&x);
    cnn_tensor_release(&w);
}

START_TEST(conv_transpose_matches_torch)
{
    const ref_case *c = ref_case_at(_i);
    unsigned levels[3];
    int n_levels = ref_levels(levels);
    for (int l = 0; l < n_levels; l++) {
        cnn_tensor one, three;
        run_case(c, levels[l], 1, &one);
        run_case(c, levels[l], 3, &three);
        ref_expect_runs(c, (const char *[]){ "y" }, &one, &three, 1, ATOL, RTOL);
    }
}
END_TEST

/* An input of height 0 still has an output by the ONNX formula
 * (stride * (0 - 1) + kernel = 2 rows here), every element its bias. */
START_TEST(empty_input_gives_the_bias)
{
    cnn_context *ctx;
    cnn_graph *g;
    const float w[2 * 3 * 3 * 3] = { 0 }, b[3] = { 0.5f, -1.0f, 2.0f };
    ck_assert_cnn_ok(cnn_context_create(&ctx, 2));
    ck_assert_cnn_ok(cnn_graph_create(&g));
    ck_assert_cnn_ok(cnn_graph_add_input(g, "x", 4, (int[]){ 1, 2, 0, 4 }));
    ck_assert_cnn_ok(cnn_graph_add_constant(g, "w", 4, (int[]){ 2, 3, 3, 3 }, w));
    ck_assert_cnn_ok(cnn_graph_add_constant(g, "b", 1, (int[]){ 3 }, b));
    ck_assert_cnn_ok(cnn_graph_add_node(g, "ConvTranspose", "up", 3,
                                        (const char *[]){ "x", "w", "b" }, 1,
                                        (const char *[]){ "y" }, NULL));
    ck_assert_cnn_ok(cnn_graph_mark_output(g, "y"));
    ck_assert_cnn_ok(cnn_graph_prepare(g, ctx));
    ck_assert_cnn_ok(cnn_graph_run(g, ctx));
    const cnn_tensor *y = cnn_graph_output(g, 0);
    ck_assert_int_eq(y->shape[1], 3);
    ck_assert_int_eq(y->shape[2], 2);
    ck_assert_int_eq(y->shape[3], 6);
    for (int i = 0; i < 3 * 2 * 6; i++)
        ck_assert_float_eq(y->data[i], b[i / 12]);
    cnn_graph_destroy(g);
    cnn_context_destroy(ctx);
}
END_TEST

int main(int argc, char **argv)
{
    int n = ref_generate(argc, argv, "conv_transpose");
    Suite *s = suite_create("conv_transpose_torch");
    TCase *tc = tcase_create("torch");
    tcase_add_loop_test(tc, conv_transpose_matches_torch, 0, n);
    tcase_add_test(tc, empty_input_gives_the_bias);
    suite_add_tcase(s, tc);
    int failed = test_run_suite(s);
    ref_cleanup();
    return failed;
}
