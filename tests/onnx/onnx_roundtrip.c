/* onnx_roundtrip IN OUT: read a model and write it back (exit 77 when the
 * model uses what this build does not claim). onnx_roundtrip --built OUT:
 * write a small CNN built in C; --prepared OUT: the same after preparing
 * (fusing) and running it. Used by export_check.py. */
#include <stdio.h>
#include <string.h>

#include "cnn/cnn.h"
#include "cnn/onnx.h"

static cnn_status add(cnn_graph *g, const char *op, const char *name, int n_in,
                      const char *const *in, cnn_graph_node **node)
{
    return cnn_graph_add_node(g, op, name, n_in, in, 1, (const char *const[]){ name }, node);
}

/* x [1, 3, 8, 8] -> Conv 3x3 pad 1 -> BatchNormalization -> Relu -> MaxPool 2
 * -> Flatten -> Gemm -> Softmax, with arbitrary but fixed weights. */
static cnn_status build_small_cnn(cnn_graph *g)
{
    float w[4 * 3 * 9], b[4], ones[4], zeros[4], fc[5 * 64], fcb[5];
    for (int i = 0; i < 4 * 3 * 9; i++)
        w[i] = (float)((i * 7) % 11) / 11.0f - 0.5f;
    for (int i = 0; i < 5 * 64; i++)
        fc[i] = (float)((i * 5) % 13) / 13.0f - 0.5f;
    for (int i = 0; i < 4; i++)
        b[i] = 0.1f * i, ones[i] = 1.0f, zeros[i] = 0.0f;
    for (int i = 0; i < 5; i++)
        fcb[i] = -0.2f * i;
    cnn_graph_node *n;
    cnn_status st;
    if ((st = cnn_graph_add_input(g, "x", 4, (int[]){ 1, 3, 8, 8 })) != CNN_OK ||
        (st = cnn_graph_add_constant(g, "w", 4, (int[]){ 4, 3, 3, 3 }, w)) != CNN_OK ||
        (st = cnn_graph_add_constant(g, "b", 1, (int[]){ 4 }, b)) != CNN_OK ||
        (st = cnn_graph_add_constant(g, "ones", 1, (int[]){ 4 }, ones)) != CNN_OK ||
        (st = cnn_graph_add_constant(g, "zeros", 1, (int[]){ 4 }, zeros)) != CNN_OK ||
        (st = cnn_graph_add_constant(g, "fc", 2, (int[]){ 5, 64 }, fc)) != CNN_OK ||
        (st = cnn_graph_add_constant(g, "fcb", 1, (int[]){ 5 }, fcb)) != CNN_OK ||
        (st = add(g, "Conv", "conv", 3, (const char *[]){ "x", "w", "b" }, &n)) != CNN_OK ||
        (st = cnn_graph_node_set_ints(n, "pads", 4, (int64_t[]){ 1, 1, 1, 1 })) != CNN_OK ||
        (st = add(g, "BatchNormalization", "bn", 5,
                  (const char *[]){ "conv", "ones", "zeros", "zeros", "ones" }, &n)) != CNN_OK ||
        (st = cnn_graph_node_set_float(n, "epsilon", 1e-3f)) != CNN_OK ||
        (st = add(g, "Relu", "relu", 1, (const char *[]){ "bn" }, NULL)) != CNN_OK ||
        (st = add(g, "MaxPool", "pool", 1, (const char *[]){ "relu" }, &n)) != CNN_OK ||
        (st = cnn_graph_node_set_ints(n, "kernel_shape", 2, (int64_t[]){ 2, 2 })) != CNN_OK ||
        (st = cnn_graph_node_set_ints(n, "strides", 2, (int64_t[]){ 2, 2 })) != CNN_OK ||
        (st = cnn_graph_node_set_string(n, "auto_pad", "NOTSET")) != CNN_OK ||
        (st = add(g, "Flatten", "flat", 1, (const char *[]){ "pool" }, NULL)) != CNN_OK ||
        (st = add(g, "Gemm", "gemm", 3, (const char *[]){ "flat", "fc", "fcb" }, &n)) != CNN_OK ||
        (st = cnn_graph_node_set_int(n, "transB", 1)) != CNN_OK ||
        (st = add(g, "Softmax", "prob", 1, (const char *[]){ "gemm" }, NULL)) != CNN_OK)
        return st;
    return cnn_graph_mark_output(g, "prob");
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s IN OUT | --built OUT | --prepared OUT\n", argv[0]);
        return 2;
    }
    cnn_graph *g = NULL;
    cnn_context *ctx = NULL;
    cnn_status st;
    if (!strcmp(argv[1], "--built") || !strcmp(argv[1], "--prepared")) {
        if ((st = cnn_graph_create(&g)) == CNN_OK)
            st = build_small_cnn(g);
        if (st == CNN_OK && !strcmp(argv[1], "--prepared") &&
            (st = cnn_context_create(&ctx, 1)) == CNN_OK &&
            (st = cnn_graph_prepare(g, ctx)) == CNN_OK)
            st = cnn_graph_run(g, ctx);
    } else {
        st = cnn_onnx_read(argv[1], &g);
    }
    if (st == CNN_OK)
        st = cnn_onnx_write(g, argv[2]);
    cnn_graph_destroy(g);
    cnn_context_destroy(ctx);
    if (st != CNN_OK) {
        fprintf(stderr, "%s\n", cnn_last_error());
        return st == CNN_ERR_UNSUPPORTED ? 77 : 1;
    }
    return 0;
}
