/* The ONNX backend test runner for one test directory: model.onnx plus
 * test_data_set_K/{input,output}_N.pb, compared the way onnx's own backend
 * runner does (numpy.testing.assert_allclose). */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cnn/onnx.h"

#define MAX_TEST_IO 16

static int file_exists(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f)
        fclose(f);
    return f != NULL;
}

static int count_data_sets(const char *dir)
{
    char path[4096];
    int n = 0;
    for (;; n++) {
        snprintf(path, sizeof path, "%s/test_data_set_%d", dir, n);
        DIR *d = opendir(path);
        if (!d)
            return n;
        closedir(d);
    }
}

/* Read the data set's files named prefix_0.pb, prefix_1.pb...; *count set. */
static cnn_status read_set(const char *set_dir, const char *prefix, cnn_onnx_tensor *t,
                           int *count)
{
    char path[4096];
    *count = 0;
    for (int i = 0; i < MAX_TEST_IO; i++) {
        snprintf(path, sizeof path, "%s/%s_%d.pb", set_dir, prefix, i);
        if (!file_exists(path))
            return CNN_OK;
        cnn_status st = cnn_onnx_read_tensor(path, &t[i]);
        if (st != CNN_OK)
            return st;
        (*count)++;
    }
    return cnn_fail(CNN_ERR_UNSUPPORTED, "more than %d %s files", MAX_TEST_IO, prefix);
}

static size_t numel(int ndim, const int *shape)
{
    size_t n = 1;
    for (int i = 0; i < ndim; i++)
        n *= (size_t)shape[i];
    return n;
}

/* Feed one data set; 0 when the outputs match, else a message. */
static cnn_onnx_test_result run_set(cnn_context *ctx, const char *dir, const char *set_dir,
                                    cnn_onnx_tensor *in, int n_in, cnn_onnx_tensor *out,
                                    int n_out, double rtol, double atol, char *msg, size_t size)
{
    char path[4096];
    cnn_graph *g;
    snprintf(path, sizeof path, "%s/model.onnx", dir);
    cnn_status st = cnn_onnx_read(path, &g);
    if (st != CNN_OK) {
        snprintf(msg, size, "%s", cnn_last_error());
        return st == CNN_ERR_UNSUPPORTED ? CNN_ONNX_TEST_SKIPPED : CNN_ONNX_TEST_FAILED;
    }
    cnn_onnx_test_result result = CNN_ONNX_TEST_FAILED;
    if (n_in != cnn_graph_input_count(g) || n_out != cnn_graph_output_count(g)) {
        snprintf(msg, size, "%s: %d inputs and %d outputs, the model has %d and %d", set_dir,
                 n_in, n_out, cnn_graph_input_count(g), cnn_graph_output_count(g));
        goto done;
    }
    st = cnn_onnx_feed(ctx, g, n_in, in);
    if (st == CNN_OK)
        st = cnn_graph_run(g, ctx);
    if (st != CNN_OK) {
        snprintf(msg, size, "%s", cnn_last_error());
        if (st == CNN_ERR_UNSUPPORTED) /* e.g. a rank above CNN_MAX_DIMS */
            result = CNN_ONNX_TEST_SKIPPED;
        goto done;
    }
    for (int i = 0; i < n_out; i++) {
        const cnn_tensor *y = cnn_graph_output(g, i);
        const cnn_onnx_tensor *want = &out[i];
        int same = y->ndim == want->ndim && !want->is_int64;
        for (int d = 0; same && d < y->ndim; d++)
            same = y->shape[d] == want->shape[d];
        if (!same) {
            snprintf(msg, size, "output '%s': shape or type differs from %s/output_%d.pb",
                     cnn_graph_output_name(g, i), set_dir, i);
            goto done;
        }
        size_t n = numel(y->ndim, y->shape);
        for (size_t j = 0; j < n; j++) {
            double a = y->data[j], b = want->f32[j];
            if ((isnan(a) && isnan(b)) || a == b)
                continue;
            if (!(fabs(a - b) <= atol + rtol * fabs(b))) {
                snprintf(msg, size, "output '%s' element %zu: got %.9g, expected %.9g "
                         "(rtol %g, atol %g)", cnn_graph_output_name(g, i), j, a, b, rtol,
                         atol);
                goto done;
            }
        }
    }
    result = CNN_ONNX_TEST_PASSED;
done:
    cnn_graph_destroy(g);
    return result;
}

cnn_onnx_test_result cnn_onnx_backend_test(cnn_context *ctx, const char *dir, double rtol,
                                           double atol, char *message, size_t message_size)
{
    int sets = count_data_sets(dir);
    message[0] = 0;
    if (sets == 0) {
        snprintf(message, message_size, "%s: no test_data_set_0", dir);
        return CNN_ONNX_TEST_FAILED;
    }
    cnn_onnx_test_result result = CNN_ONNX_TEST_PASSED;
    for (int s = 0; s < sets && result == CNN_ONNX_TEST_PASSED; s++) {
        char set_dir[4096];
        cnn_onnx_tensor in[MAX_TEST_IO], out[MAX_TEST_IO];
        int n_in = 0, n_out = 0;
        memset(in, 0, sizeof in);
        memset(out, 0, sizeof out);
        snprintf(set_dir, sizeof set_dir, "%s/test_data_set_%d", dir, s);
        cnn_status st = read_set(set_dir, "input", in, &n_in);
        if (st == CNN_OK)
            st = read_set(set_dir, "output", out, &n_out);
        if (st != CNN_OK) {
            snprintf(message, message_size, "%s", cnn_last_error());
            result = st == CNN_ERR_UNSUPPORTED ? CNN_ONNX_TEST_SKIPPED : CNN_ONNX_TEST_FAILED;
        } else {
            result = run_set(ctx, dir, set_dir, in, n_in, out, n_out, rtol, atol, message,
                             message_size);
        }
        for (int i = 0; i < MAX_TEST_IO; i++) {
            cnn_onnx_tensor_release(&in[i]);
            cnn_onnx_tensor_release(&out[i]);
        }
    }
    return result;
}
