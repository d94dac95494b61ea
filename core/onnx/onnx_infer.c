/* Running a model on TensorProto files: binding inputs (shared with the
 * backend test runner) and `gst-cnn infer`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cnn/onnx.h"

cnn_status cnn_onnx_feed(cnn_context *ctx, cnn_graph *g, int n_inputs,
                         const cnn_onnx_tensor *inputs)
{
    int n = cnn_graph_input_count(g);
    if (n_inputs != n)
        return cnn_fail(CNN_ERR_INVALID_ARG, "onnx: %d input tensors for a model of %d inputs",
                        n_inputs, n);
    /* bindings shift the input list: decide and copy names first */
    char **names = calloc((size_t)(n ? n : 1), sizeof *names);
    int *bound = calloc((size_t)(n ? n : 1), sizeof *bound);
    cnn_status st = names && bound ? CNN_OK : cnn_fail(CNN_ERR_NOMEM, "onnx: out of memory");
    for (int i = 0; st == CNN_OK && i < n; i++) {
        if (!(names[i] = strdup(cnn_graph_input_name(g, i))))
            st = cnn_fail(CNN_ERR_NOMEM, "onnx: out of memory");
        bound[i] = inputs[i].is_int64 || cnn_graph_input_decides_shapes(g, i);
    }
    for (int i = 0; st == CNN_OK && i < n; i++) {
        const cnn_onnx_tensor *t = &inputs[i];
        if (t->is_int64)
            st = cnn_graph_add_constant_i64(g, names[i], t->ndim, t->shape, t->i64);
        else if (bound[i])
            st = cnn_graph_add_constant(g, names[i], t->ndim, t->shape, t->f32);
        else
            st = cnn_graph_set_input_shape(g, names[i], t->ndim, t->shape);
    }
    if (st == CNN_OK)
        st = cnn_graph_prepare(g, ctx);
    for (int i = 0, k = 0; st == CNN_OK && i < n; i++) {
        if (bound[i])
            continue;
        cnn_tensor *t = cnn_graph_input(g, k++);
        size_t count = 1;
        for (int d = 0; d < inputs[i].ndim; d++)
            count *= (size_t)inputs[i].shape[d];
        memcpy(t->data, inputs[i].f32, count * sizeof(float));
    }
    for (int i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
    free(bound);
    return st;
}

cnn_status cnn_onnx_infer_files(cnn_context *ctx, const char *model_path, int n_inputs,
                                const char *const *input_paths, const char *out_dir)
{
    return cnn_onnx_infer_files_profiled(ctx, model_path, n_inputs, input_paths, out_dir, 1,
                                         NULL);
}

cnn_status cnn_onnx_infer_files_profiled(cnn_context *ctx, const char *model_path,
                                         int n_inputs, const char *const *input_paths,
                                         const char *out_dir, int runs, FILE *profile)
{
    cnn_graph *g = NULL;
    if (runs < 1)
        return cnn_fail(CNN_ERR_INVALID_ARG, "onnx: %d runs, at least 1", runs);
    cnn_onnx_tensor *in = calloc((size_t)(n_inputs > 0 ? n_inputs : 1), sizeof *in);
    cnn_status st = in ? CNN_OK : cnn_fail(CNN_ERR_NOMEM, "onnx: out of memory");
    for (int i = 0; st == CNN_OK && i < n_inputs; i++)
        st = cnn_onnx_read_tensor(input_paths[i], &in[i]);
    if (st == CNN_OK)
        st = cnn_onnx_read(model_path, &g);
    if (st == CNN_OK)
        st = cnn_onnx_feed(ctx, g, n_inputs, in);
    if (st == CNN_OK)
        cnn_graph_set_profiling(g, profile != NULL);
    for (int r = 0; st == CNN_OK && r < runs; r++)
        st = cnn_graph_run(g, ctx);
    if (st == CNN_OK && profile)
        st = cnn_graph_print_profile(g, profile);
    for (int i = 0; st == CNN_OK && i < cnn_graph_output_count(g); i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/output_%d.pb", out_dir, i);
        st = cnn_onnx_write_tensor(path, cnn_graph_output_name(g, i), cnn_graph_output(g, i));
    }
    for (int i = 0; in && i < n_inputs; i++)
        cnn_onnx_tensor_release(&in[i]);
    free(in);
    cnn_graph_destroy(g);
    return st;
}
