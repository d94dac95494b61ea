/* ONNX files: models read into a cnn_graph, TensorProto files (the backend
 * tests' input_N.pb / output_N.pb), and the backend test runner.
 *
 * A file that is not an ONNX model, is truncated, or uses an operator or an
 * element type this build does not have is refused with a message naming the
 * file, the node, the operator and the reason. */
#ifndef CNN_ONNX_H
#define CNN_ONNX_H

#include <stddef.h>
#include <stdint.h>

#include "cnn/context.h"
#include "cnn/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Read a model into a new, unprepared graph: initialisers and Constant nodes
 * become constants, symbolic input dimensions are unknown (-1) until set. */
cnn_status cnn_onnx_read(const char *path, cnn_graph **g);
/* Same from memory; `what` names the source in messages. */
cnn_status cnn_onnx_read_memory(const void *data, size_t size, const char *what,
                                cnn_graph **g);

/* Write a graph as built: inputs with their shapes, constants as
 * initialisers, nodes with their attributes, outputs with their inferred
 * shapes; opset 13 unless the graph was read with another. Reading the file
 * back gives the same graph. Before or after cnn_graph_prepare() the file is
 * the same: a prepared graph is written as built, not in the runtime form
 * prepare made of it (constants folded, BatchNormalization and activations
 * fused into Conv), which a reader could not tell from the model it built
 * and ONNX could not express (a Conv with an activation). */
cnn_status cnn_onnx_write(const cnn_graph *g, const char *path);
/* Same into a malloc'd buffer the caller frees. */
cnn_status cnn_onnx_write_memory(const cnn_graph *g, void **data, size_t *size);

/* A tensor from a TensorProto file: float32 or int64 (other types are
 * refused as unsupported). */
typedef struct cnn_onnx_tensor {
    char *name;
    int is_int64;
    int ndim;
    int shape[CNN_MAX_DIMS];
    float *f32;   /* float32 data, or NULL */
    int64_t *i64; /* int64 data, or NULL */
} cnn_onnx_tensor;

cnn_status cnn_onnx_read_tensor(const char *path, cnn_onnx_tensor *t);
void cnn_onnx_tensor_release(cnn_onnx_tensor *t);
/* Write a float tensor as a TensorProto file named `name`. */
cnn_status cnn_onnx_write_tensor(const char *path, const char *name, const cnn_tensor *t);

/* Prepare a model just read for these inputs (one per model input, in
 * order) and copy them in: int64 inputs and inputs that decide shapes
 * become constants, the others set the input shapes. Then cnn_graph_run(). */
cnn_status cnn_onnx_feed(cnn_context *ctx, cnn_graph *g, int n_inputs,
                         const cnn_onnx_tensor *inputs);

/* `gst-cnn infer`: run a model on TensorProto input files (one per model
 * input, in order; int64 and shape-deciding inputs bound as constants) and
 * write out_dir/output_N.pb, one per model output. */
cnn_status cnn_onnx_infer_files(cnn_context *ctx, const char *model_path, int n_inputs,
                                const char *const *input_paths, const char *out_dir);
/* Same, running the model `runs` times (the last run's outputs are written);
 * with `profile` set, those runs are profiled per node and the table of
 * cnn_graph_print_profile() goes there (`gst-cnn infer --profile`). */
cnn_status cnn_onnx_infer_files_profiled(cnn_context *ctx, const char *model_path,
                                         int n_inputs, const char *const *input_paths,
                                         const char *out_dir, int runs, FILE *profile);

typedef enum cnn_onnx_test_result {
    CNN_ONNX_TEST_PASSED = 0,
    CNN_ONNX_TEST_FAILED,
    CNN_ONNX_TEST_SKIPPED, /* an operator or element type this build does not claim */
} cnn_onnx_test_result;

/* Run one ONNX backend test directory (model.onnx, and data set directories
 * test_data_set_K with input_N.pb and output_N.pb): each data set is fed to a
 * freshly prepared graph (int64 inputs bound as constants) and every output
 * compared with
 * |got - want| <= atol + rtol * |want|, the onnx backend runner's rule
 * (rtol 1e-3, atol 1e-7). `message` receives the reason of a failure or skip. */
cnn_onnx_test_result cnn_onnx_backend_test(cnn_context *ctx, const char *dir, double rtol,
                                           double atol, char *message, size_t message_size);

#ifdef __cplusplus
}
#endif
#endif
