/* The ONNX loader's and the graph's refusals (truncated files, text files,
 * unknown operators, bad shapes: an error naming node, operator and reason,
 * never a crash), and the graph's plan: arena reuse and constant folding.
 * Values of every operator are checked by onnx_backend_node. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../core/testutil.h"
#include "cnn/onnx.h"

static cnn_context *ctx;

static void setup(void)
{
    ck_assert_cnn_ok(cnn_context_create(&ctx, 2));
}

static void teardown(void)
{
    cnn_context_destroy(ctx);
}

static void *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    *size = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    void *data = malloc(*size);
    ck_assert(data && fread(data, 1, *size, f) == *size);
    fclose(f);
    return data;
}

static const char *testdata(const char *relative)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s", ONNX_TESTDATA, relative);
    return path;
}

START_TEST(real_model_reads_and_runs_shape_inference)
{
    cnn_graph *g;
    ck_assert_cnn_ok(cnn_onnx_read(testdata("node/test_conv_with_strides_padding/model.onnx"),
                                   &g));
    ck_assert_int_eq(cnn_graph_input_count(g), 2); /* x and W, shapes from the model */
    ck_assert_str_eq(cnn_graph_input_name(g, 1), "W");
    ck_assert_cnn_ok(cnn_graph_prepare(g, ctx));
    const cnn_tensor *y = cnn_graph_output(g, 0);
    /* 7x5 input, 3x3 kernel, stride 2, padding 1: 4x3 */
    ck_assert_int_eq(y->ndim, 4);
    ck_assert_int_eq(y->shape[2], 4);
    ck_assert_int_eq(y->shape[3], 3);
    cnn_graph_destroy(g);
}
END_TEST

START_TEST(every_truncation_is_refused_without_crash)
{
    size_t size;
    uint8_t *model = slurp(testdata("node/test_conv_with_strides_padding/model.onnx"), &size);
    int refused = 0;
    for (size_t len = 0; len < size; len++) {
        cnn_graph *g = NULL;
        cnn_status st = cnn_onnx_read_memory(model, len, "truncated", &g);
        /* a cut between two fields can leave a well-formed smaller model:
         * then preparing it must fail or succeed cleanly */
        if (st == CNN_OK) {
            ck_assert_ptr_nonnull(g);
            cnn_graph_prepare(g, ctx);
            cnn_graph_destroy(g);
        } else {
            ck_assert_ptr_null(g);
            ck_assert_msg(strstr(cnn_last_error(), "truncated") != NULL ||
                              strstr(cnn_last_error(), "no graph") != NULL ||
                              strstr(cnn_last_error(), "not produced") != NULL,
                          "length %zu: %s", len, cnn_last_error());
            refused++;
        }
    }
    cnn_graph *g;
    cnn_status st = cnn_onnx_read_memory(model, size / 2, "half.onnx", &g);
    ck_assert_int_eq(st, CNN_ERR_FORMAT);
    ck_assert_msg(strstr(cnn_last_error(), "half.onnx") != NULL, "%s", cnn_last_error());
    ck_assert_int_gt(refused, (int)size / 2);
    free(model);
}
END_TEST

/* Models with a few random bytes changed: each is refused or, when it still
 * decodes, prepared and run; never a crash (run it under ASan/UBSan too). */
START_TEST(mutated_models_never_crash)
{
    static const char *const models[] = {
        "node/test_conv_with_strides_padding/model.onnx",
        "node/test_resize_upsample_scales_linear/model.onnx",
        "node/test_maxpool_2d_pads/model.onnx",
        "node/test_gemm_all_attributes/model.onnx",
        "pytorch-converted/test_ConvTranspose2d/model.onnx",
        "pytorch-converted/test_Conv3d_dilated_strided/model.onnx",
        "pytorch-converted/test_AvgPool3d_stride/model.onnx",
        "pytorch-operator/test_operator_pad/model.onnx",
        "pytorch-operator/test_operator_view/model.onnx",
        "node/test_softmax_axis_1/model.onnx",
        "node/test_batchnorm_epsilon_training_mode/model.onnx",
        "node/test_concat_3d_axis_1/model.onnx",
        "node/test_transpose_all_permutations_3/model.onnx",
        "node/test_matmul_4d/model.onnx",
        "node/test_prelu_broadcast/model.onnx",
    };
    cnn_rng_key key = { test_seed(), 40 };
    uint64_t draw = 0;
    int decoded = 0;
    for (size_t m = 0; m < sizeof models / sizeof models[0]; m++) {
        size_t size;
        uint8_t *orig = slurp(testdata(models[m]), &size), *data = malloc(size);
        for (int round = 0; round < 200; round++) {
            memcpy(data, orig, size);
            int flips = 1 + (int)(cnn_rng_u32(key, draw++) % 4);
            for (int f = 0; f < flips; f++, draw += 2)
                data[cnn_rng_u32(key, draw) % size] = (uint8_t)cnn_rng_u32(key, draw + 1);
            cnn_graph *g;
            if (cnn_onnx_read_memory(data, size, "mutated", &g) != CNN_OK)
                continue;
            decoded++;
            if (cnn_graph_prepare(g, ctx) == CNN_OK) {
                for (int i = 0; i < cnn_graph_input_count(g); i++) {
                    cnn_tensor *t = cnn_graph_input(g, i);
                    size_t count = 1;
                    for (int d = 0; d < t->ndim; d++)
                        count *= (size_t)t->shape[d];
                    memset(t->data, 0, count * sizeof(float));
                }
                cnn_graph_run(g, ctx);
            }
            cnn_graph_destroy(g);
        }
        free(data);
        free(orig);
    }
    ck_assert_int_gt(decoded, 0);
}
END_TEST

START_TEST(text_file_is_refused)
{
    cnn_graph *g;
    const char *path = test_source_path("meson.build");
    cnn_status st = cnn_onnx_read(path, &g);
    ck_assert_int_eq(st, CNN_ERR_FORMAT);
    ck_assert_ptr_null(g);
    ck_assert_msg(strstr(cnn_last_error(), "meson.build") &&
                      strstr(cnn_last_error(), "not an ONNX model"),
                  "%s", cnn_last_error());
    ck_assert_int_eq(cnn_onnx_read("/nonexistent/model.onnx", &g), CNN_ERR_IO);
}
END_TEST

START_TEST(unsupported_operator_names_node_and_operator)
{
    cnn_graph *g;
    cnn_status st = cnn_onnx_read(testdata("node/test_det_2d/model.onnx"), &g);
    ck_assert_int_eq(st, CNN_ERR_UNSUPPORTED);
    ck_assert_msg(strstr(cnn_last_error(), "node 'y' (Det): operator not supported"),
                  "%s", cnn_last_error());
}
END_TEST

START_TEST(bad_shape_names_node_operator_and_reason)
{
    cnn_graph *g;
    ck_assert_cnn_ok(cnn_graph_create(&g));
    ck_assert_cnn_ok(cnn_graph_add_input(g, "a", 2, (int[]){ 2, 3 }));
    ck_assert_cnn_ok(cnn_graph_add_input(g, "b", 1, (int[]){ 4 }));
    ck_assert_cnn_ok(cnn_graph_add_node(g, "Add", "bad_add", 2, (const char *[]){ "a", "b" },
                                        1, (const char *[]){ "y" }, NULL));
    ck_assert_cnn_ok(cnn_graph_mark_output(g, "y"));
    ck_assert_int_eq(cnn_graph_prepare(g, ctx), CNN_ERR_SHAPE);
    ck_assert_msg(strstr(cnn_last_error(), "node 'bad_add' (Add): cannot broadcast"), "%s",
                  cnn_last_error());
    cnn_graph_destroy(g);

    ck_assert_cnn_ok(cnn_graph_create(&g));
    ck_assert_int_eq(cnn_graph_add_node(g, "Relu", NULL, 1, (const char *[]){ "nowhere" }, 1,
                                        (const char *[]){ "r" }, NULL),
                     CNN_ERR_FORMAT);
    ck_assert_msg(strstr(cnn_last_error(), "node 'r' (Relu): input 'nowhere'"), "%s",
                  cnn_last_error());
    cnn_graph_destroy(g);
}
END_TEST

/* x -> Relu -> Reshape -> Relu -> Relu -> Relu -> y: the arena holds far less
 * than one buffer per value, the reshape costs no buffer, and the values are
 * those of relu. */
START_TEST(arena_reuses_buffers)
{
    enum { N = 1024 };
    cnn_graph *g;
    const char *names[] = { "x", "a", "b", "c", "d", "y" };
    ck_assert_cnn_ok(cnn_graph_create(&g));
    ck_assert_cnn_ok(cnn_graph_add_input(g, "x", 2, (int[]){ 4, N / 4 }));
    ck_assert_cnn_ok(cnn_graph_add_constant_i64(g, "shape", 1, (int[]){ 1 },
                                                (int64_t[]){ N }));
    for (int i = 0; i < 5; i++) {
        const char *in[2] = { names[i], "shape" };
        ck_assert_cnn_ok(cnn_graph_add_node(g, i == 1 ? "Reshape" : "Relu", NULL,
                                            i == 1 ? 2 : 1, in, 1, &names[i + 1], NULL));
    }
    ck_assert_cnn_ok(cnn_graph_mark_output(g, "y"));
    ck_assert_cnn_ok(cnn_graph_prepare(g, ctx));
    size_t one = N * sizeof(float);
    cnn_graph_stats stats;
    cnn_graph_get_stats(g, &stats);
    ck_assert_uint_le(stats.arena_bytes, 3 * one);
    float want[N];
    for (int round = 0; round < 2; round++) {
        cnn_tensor *x = cnn_graph_input(g, 0);
        test_fill_uniform(x->data, N, test_seed(), round, -1.0f, 1.0f);
        for (int i = 0; i < N; i++)
            want[i] = x->data[i] > 0 ? x->data[i] : 0.0f;
        ck_assert_cnn_ok(cnn_graph_run(g, ctx));
        const cnn_tensor *y = cnn_graph_output(g, 0);
        ck_assert_int_eq(y->ndim, 1);
        ck_assert_int_eq(y->shape[0], N);
        ck_assert_close(y->data, want, N, 0.0, 0.0);
    }
    cnn_graph_destroy(g);
}
END_TEST

/* y = x * (c + c): the Add is folded at prepare, only x and y take arena. */
START_TEST(constants_are_folded)
{
    cnn_graph *g;
    const float c[3] = { 0.5f, -1.0f, 2.0f };
    ck_assert_cnn_ok(cnn_graph_create(&g));
    ck_assert_cnn_ok(cnn_graph_add_input(g, "x", 2, (int[]){ 2, 3 }));
    ck_assert_cnn_ok(cnn_graph_add_constant(g, "c", 1, (int[]){ 3 }, c));
    ck_assert_cnn_ok(cnn_graph_add_node(g, "Add", "twice", 2, (const char *[]){ "c", "c" }, 1,
                                        (const char *[]){ "c2" }, NULL));
    ck_assert_cnn_ok(cnn_graph_add_node(g, "Mul", "scale", 2, (const char *[]){ "x", "c2" }, 1,
                                        (const char *[]){ "y" }, NULL));
    ck_assert_cnn_ok(cnn_graph_mark_output(g, "y"));
    ck_assert_cnn_ok(cnn_graph_prepare(g, ctx));
    cnn_graph_stats stats;
    cnn_graph_get_stats(g, &stats);
    ck_assert_int_eq(stats.folded, 1);
    ck_assert_uint_eq(stats.arena_bytes, 2 * 64);
    cnn_tensor *x = cnn_graph_input(g, 0);
    for (int i = 0; i < 6; i++)
        x->data[i] = (float)i;
    ck_assert_cnn_ok(cnn_graph_run(g, ctx));
    const float want[6] = { 0, -2, 8, 3, -8, 20 };
    ck_assert_close(cnn_graph_output(g, 0)->data, want, 6, 0.0, 0.0);
    cnn_graph_destroy(g);
}
END_TEST

/* x -> Conv -> BatchNormalization -> Relu -> y, twice: once fused (the
 * intermediate values have one reader), once kept apart because the
 * convolution's output is also a graph output. Same y either way; the
 * PyTorch comparison is onnx_fusion_torch. */
static void build_conv_bn_relu(cnn_graph *g, int expose_conv)
{
    enum { C = 3, K = 4 };
    float w[K * C * 9], b[K], gamma[K], beta[K], mean[K], var[K];
    test_fill_uniform(w, K * C * 9, test_seed(), 10, -1.0f, 1.0f);
    test_fill_uniform(b, K, test_seed(), 11, -1.0f, 1.0f);
    test_fill_uniform(gamma, K, test_seed(), 12, 0.5f, 2.0f);
    test_fill_uniform(beta, K, test_seed(), 13, -1.0f, 1.0f);
    test_fill_uniform(mean, K, test_seed(), 14, -1.0f, 1.0f);
    test_fill_uniform(var, K, test_seed(), 15, 0.5f, 2.0f);
    ck_assert_cnn_ok(cnn_graph_add_input(g, "x", 4, (int[]){ 2, C, 9, 7 }));
    ck_assert_cnn_ok(cnn_graph_add_constant(g, "w", 4, (int[]){ K, C, 3, 3 }, w));
    ck_assert_cnn_ok(cnn_graph_add_constant(g, "b", 1, (int[]){ K }, b));
    ck_assert_cnn_ok(cnn_graph_add_constant(g, "gamma", 1, (int[]){ K }, gamma));
    ck_assert_cnn_ok(cnn_graph_add_constant(g, "beta", 1, (int[]){ K }, beta));
    ck_assert_cnn_ok(cnn_graph_add_constant(g, "mean", 1, (int[]){ K }, mean));
    ck_assert_cnn_ok(cnn_graph_add_constant(g, "var", 1, (int[]){ K }, var));
    cnn_graph_node *conv;
    ck_assert_cnn_ok(cnn_graph_add_node(g, "Conv", "conv", 3,
                                        (const char *[]){ "x", "w", "b" }, 1,
                                        (const char *[]){ "c" }, &conv));
    ck_assert_cnn_ok(cnn_graph_node_set_ints(conv, "pads", 4, (int64_t[]){ 1, 1, 1, 1 }));
    ck_assert_cnn_ok(cnn_graph_add_node(g, "BatchNormalization", "bn", 5,
                                        (const char *[]){ "c", "gamma", "beta", "mean", "var" },
                                        1, (const char *[]){ "n" }, NULL));
    ck_assert_cnn_ok(cnn_graph_add_node(g, "Relu", "relu", 1, (const char *[]){ "n" }, 1,
                                        (const char *[]){ "y" }, NULL));
    ck_assert_cnn_ok(cnn_graph_mark_output(g, "y"));
    if (expose_conv)
        ck_assert_cnn_ok(cnn_graph_mark_output(g, "c"));
}

/* to = from * (k + k), the Add folded at prepare (k = 0.25). */
static void add_folded_scale(cnn_graph *g, const char *from, const char *to)
{
    const float k[1] = { 0.25f };
    ck_assert_cnn_ok(cnn_graph_add_constant(g, "k", 1, (int[]){ 1 }, k));
    ck_assert_cnn_ok(cnn_graph_add_node(g, "Add", "twice", 2, (const char *[]){ "k", "k" }, 1,
                                        (const char *[]){ "k2" }, NULL));
    ck_assert_cnn_ok(cnn_graph_add_node(g, "Mul", "scale", 2, (const char *[]){ from, "k2" }, 1,
                                        (const char *[]){ to }, NULL));
    ck_assert_cnn_ok(cnn_graph_mark_output(g, to));
}

/* Feed both conv-bn-relu graphs the same random input, run them, compare y
 * (tol 0: the same bits). */
static void run_both_and_compare(cnn_graph *a, cnn_context *ctx_a, cnn_graph *b,
                                 cnn_context *ctx_b, uint64_t purpose, double tol)
{
    size_t n = 2 * 3 * 9 * 7;
    test_fill_uniform(cnn_graph_input(a, 0)->data, n, test_seed(), purpose, -2.0f, 2.0f);
    memcpy(cnn_graph_input(b, 0)->data, cnn_graph_input(a, 0)->data, n * sizeof(float));
    ck_assert_cnn_ok(cnn_graph_run(a, ctx_a));
    ck_assert_cnn_ok(cnn_graph_run(b, ctx_b));
    ck_assert_close(cnn_graph_output(a, 0)->data, cnn_graph_output(b, 0)->data, 2 * 4 * 9 * 7,
                    tol, tol);
}

START_TEST(conv_batchnorm_relu_fuse)
{
    cnn_graph *fused, *apart;
    ck_assert_cnn_ok(cnn_graph_create(&fused));
    ck_assert_cnn_ok(cnn_graph_create(&apart));
    build_conv_bn_relu(fused, 0);
    build_conv_bn_relu(apart, 1);
    ck_assert_cnn_ok(cnn_graph_prepare(fused, ctx));
    ck_assert_cnn_ok(cnn_graph_prepare(apart, ctx));
    cnn_graph_stats sf, sa;
    cnn_graph_get_stats(fused, &sf);
    cnn_graph_get_stats(apart, &sa);
    ck_assert_int_eq(sf.fused, 2);
    ck_assert_int_eq(sa.fused, 0);
    ck_assert_uint_lt(sf.arena_bytes, sa.arena_bytes);
    run_both_and_compare(fused, ctx, apart, ctx, 16, 1e-5);
    cnn_graph_destroy(fused);
    cnn_graph_destroy(apart);
}
END_TEST

/* A graph built in C, written and read back, writes the same bytes again
 * and computes the same output bit for bit. Prepared (BatchNormalization
 * and Relu fused into the Conv, an Add folded) and run, it still writes
 * those bytes: the graph as built, which reads back and computes the same. */
START_TEST(built_graph_writes_and_reads_back)
{
    cnn_graph *built, *back, *prepared_back;
    void *bytes, *again;
    size_t size, again_size;
    ck_assert_cnn_ok(cnn_graph_create(&built));
    build_conv_bn_relu(built, 0);
    add_folded_scale(built, "y", "z");
    ck_assert_cnn_ok(cnn_onnx_write_memory(built, &bytes, &size));
    ck_assert_cnn_ok(cnn_onnx_read_memory(bytes, size, "written", &back));
    ck_assert_cnn_ok(cnn_onnx_write_memory(back, &again, &again_size));
    ck_assert_uint_eq(size, again_size);
    ck_assert(memcmp(bytes, again, size) == 0);
    free(again);
    ck_assert_cnn_ok(cnn_graph_prepare(built, ctx));
    ck_assert_cnn_ok(cnn_graph_prepare(back, ctx));
    run_both_and_compare(back, ctx, built, ctx, 17, 0.0);
    cnn_graph_stats stats;
    cnn_graph_get_stats(built, &stats);
    ck_assert_int_eq(stats.fused, 2);
    ck_assert_int_eq(stats.folded, 1);
    ck_assert_cnn_ok(cnn_onnx_write_memory(built, &again, &again_size));
    ck_assert_uint_eq(size, again_size);
    ck_assert(memcmp(bytes, again, size) == 0);
    ck_assert_cnn_ok(cnn_onnx_read_memory(again, again_size, "written prepared",
                                          &prepared_back));
    ck_assert_cnn_ok(cnn_graph_prepare(prepared_back, ctx));
    run_both_and_compare(prepared_back, ctx, built, ctx, 18, 0.0);
    ck_assert_close(cnn_graph_output(prepared_back, 1)->data, cnn_graph_output(built, 1)->data,
                    2 * 4 * 9 * 7, 0.0, 0.0);
    free(bytes);
    free(again);
    cnn_graph_destroy(built);
    cnn_graph_destroy(back);
    cnn_graph_destroy(prepared_back);
}
END_TEST

/* gst-cnn infer: the backend test's inputs in, output_0.pb out, equal to
 * the test's expected output at the backend runner's tolerances. */
START_TEST(infer_files_writes_outputs)
{
    char dir[] = "/tmp/cnn-onnx-infer-XXXXXX", out[64];
    ck_assert_ptr_nonnull(mkdtemp(dir));
#define CONV_TEST "node/test_conv_with_strides_padding/"
    char model[4096], x[4096], w[4096], want_path[4096];
    strcpy(model, testdata(CONV_TEST "model.onnx"));
    strcpy(x, testdata(CONV_TEST "test_data_set_0/input_0.pb"));
    strcpy(w, testdata(CONV_TEST "test_data_set_0/input_1.pb"));
    strcpy(want_path, testdata(CONV_TEST "test_data_set_0/output_0.pb"));
    ck_assert_cnn_ok(cnn_onnx_infer_files(ctx, model, 2, (const char *[]){ x, w }, dir));
    snprintf(out, sizeof out, "%s/output_0.pb", dir);
    cnn_onnx_tensor got, want;
    ck_assert_cnn_ok(cnn_onnx_read_tensor(out, &got));
    ck_assert_cnn_ok(cnn_onnx_read_tensor(want_path, &want));
    ck_assert_str_eq(got.name, want.name);
    ck_assert_int_eq(got.ndim, want.ndim);
    ck_assert(memcmp(got.shape, want.shape, sizeof got.shape) == 0);
    ck_assert_int_eq(got.ndim, 4);
    ck_assert_close(got.f32, want.f32,
                    (size_t)got.shape[0] * got.shape[1] * got.shape[2] * got.shape[3], 1e-7,
                    1e-3);
    cnn_onnx_tensor_release(&got);
    cnn_onnx_tensor_release(&want);
    /* one input short: refused, naming the counts */
    ck_assert_int_eq(cnn_onnx_infer_files(ctx, model, 1, (const char *[]){ x }, dir),
                     CNN_ERR_INVALID_ARG);
    ck_assert_msg(strstr(cnn_last_error(), "1 input tensors for a model of 2 inputs"), "%s",
                  cnn_last_error());
    remove(out);
    rmdir(dir);
}
END_TEST

/* The same graph on 1 and 3 threads gives the same bits. */
START_TEST(same_output_on_any_thread_count)
{
    cnn_context *one, *three;
    cnn_graph *a, *b;
    ck_assert_cnn_ok(cnn_context_create(&one, 1));
    ck_assert_cnn_ok(cnn_context_create(&three, 3));
    ck_assert_cnn_ok(cnn_graph_create(&a));
    ck_assert_cnn_ok(cnn_graph_create(&b));
    build_conv_bn_relu(a, 1);
    build_conv_bn_relu(b, 1);
    ck_assert_cnn_ok(cnn_graph_prepare(a, one));
    ck_assert_cnn_ok(cnn_graph_prepare(b, three));
    run_both_and_compare(a, one, b, three, 18, 0.0);
    cnn_graph_destroy(a);
    cnn_graph_destroy(b);
    cnn_context_destroy(one);
    cnn_context_destroy(three);
}
END_TEST

/* conv-bn-relu on a 64x64 input, then Sigmoid and a Mul by a folded Add:
 * the profile of R runs lists the three executed nodes once each (the
 * BatchNormalization and Relu under the Conv that absorbed them, the folded
 * Add not at all), every one with R calls and some time, and the node times
 * add up to most of the runs' wall time (never more). */
START_TEST(profile_lists_every_executed_node)
{
    enum { R = 5 };
    cnn_graph *g;
    ck_assert_cnn_ok(cnn_graph_create(&g));
    build_conv_bn_relu(g, 0);
    ck_assert_cnn_ok(cnn_graph_set_input_shape(g, "x", 4, (int[]){ 1, 3, 64, 64 }));
    ck_assert_cnn_ok(cnn_graph_add_node(g, "Sigmoid", "squash", 1, (const char *[]){ "y" }, 1,
                                        (const char *[]){ "s" }, NULL));
    add_folded_scale(g, "s", "z");
    ck_assert_cnn_ok(cnn_graph_prepare(g, ctx));
    test_fill_uniform(cnn_graph_input(g, 0)->data, 3 * 64 * 64, test_seed(), 19, -1.0f, 1.0f);
    ck_assert_cnn_ok(cnn_graph_run(g, ctx)); /* not profiled: counts nothing */
    cnn_graph_set_profiling(g, 1);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int r = 0; r < R; r++)
        ck_assert_cnn_ok(cnn_graph_run(g, ctx));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    cnn_graph_set_profiling(g, 0);
    ck_assert_cnn_ok(cnn_graph_run(g, ctx));
    double wall = (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec);

    const char *want[][3] = { { "conv", "Conv+BatchNormalization+Relu", "bn+relu" },
                              { "squash", "Sigmoid", "" },
                              { "scale", "Mul", "" } };
    ck_assert_int_eq(cnn_graph_profile_count(g), 3);
    double sum = 0;
    for (int i = 0; i < 3; i++) {
        cnn_graph_node_profile p;
        ck_assert_cnn_ok(cnn_graph_get_profile(g, i, &p));
        ck_assert_str_eq(p.name, want[i][0]);
        ck_assert_str_eq(p.op_type, want[i][1]);
        ck_assert_str_eq(p.fused, want[i][2]);
        ck_assert_int_eq(p.ndim, 4);
        ck_assert_int_eq(p.shape[1], 4);
        ck_assert_int_eq(p.shape[3], 64);
        ck_assert_uint_eq(p.calls, R);
        ck_assert_uint_gt(p.total_ns, 0);
        sum += (double)p.total_ns;
    }
    ck_assert_int_eq(cnn_graph_get_profile(g, 3, &(cnn_graph_node_profile){ 0 }),
                     CNN_ERR_INVALID_ARG);
    ck_assert_msg(sum <= wall && sum >= 0.5 * wall, "nodes %.0f ns, runs %.0f ns", sum, wall);

    /* the table: one line per node, the fused chain named */
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_cnn_ok(cnn_graph_print_profile(g, f));
    fclose(f);
    ck_assert_msg(strstr(text, "Conv+BatchNormalization+Relu") && strstr(text, "1x4x64x64") &&
                      strstr(text, "3 nodes executed, 5 runs"), "%s", text);
    free(text);
    cnn_graph_reset_profile(g);
    cnn_graph_node_profile p;
    ck_assert_cnn_ok(cnn_graph_get_profile(g, 0, &p));
    ck_assert_uint_eq(p.calls, 0);
    cnn_graph_destroy(g);
}
END_TEST

static Suite *onnx_suite(void)
{
    Suite *s = suite_create("onnx_load");
    TCase *tc = tcase_create("load");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, real_model_reads_and_runs_shape_inference);
    tcase_add_test(tc, every_truncation_is_refused_without_crash);
    tcase_add_test(tc, mutated_models_never_crash);
    tcase_add_test(tc, text_file_is_refused);
    tcase_add_test(tc, unsupported_operator_names_node_and_operator);
    tcase_add_test(tc, bad_shape_names_node_operator_and_reason);
    tcase_add_test(tc, arena_reuses_buffers);
    tcase_add_test(tc, constants_are_folded);
    tcase_add_test(tc, conv_batchnorm_relu_fuse);
    tcase_add_test(tc, built_graph_writes_and_reads_back);
    tcase_add_test(tc, infer_files_writes_outputs);
    tcase_add_test(tc, same_output_on_any_thread_count);
    tcase_add_test(tc, profile_lists_every_executed_node);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return test_run_suite(onnx_suite());
}
