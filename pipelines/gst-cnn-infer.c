/* gst-cnn infer: run an ONNX model on TensorProto inputs (the format of the
 * ONNX backend tests' input_N.pb) and write output_K.pb files, one per model
 * output, with libcnn's graph runtime (cnn_onnx_infer_files_profiled).
 * --profile prints the time of every node, slowest first. */
#include <stdio.h>

#include "cnn/onnx.h"
#include "gst-cnn.h"

int gst_cnn_infer(int argc, char **argv)
{
    char *out_dir = NULL;
    int threads = 1, runs = 1;
    gboolean profile = FALSE;
    GOptionEntry entries[] = {
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir, "folder for output_K.pb (created)", "DIR" },
        { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "engine threads (0 = one per CPU)", "N" },
        { "runs", 'r', 0, G_OPTION_ARG_INT, &runs, "run the model N times (the last run's outputs are written)", "N" },
        { "profile", 'p', 0, G_OPTION_ARG_NONE, &profile, "print each node's time over the runs, slowest first", NULL },
        { NULL },
    };
    GOptionContext *ctx = g_option_context_new("MODEL INPUT.pb... - run a model on TensorProto inputs");
    cnn_context *engine = NULL;
    int ret = GST_CNN_EXIT_USAGE;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx, "Inputs are given in the order of the model's inputs; "
                                           "int64 inputs and inputs that decide shapes are bound "
                                           "as constants.");
    if (!gst_cnn_parse_options(ctx, &argc, &argv))
        goto done;
    if (argc < 2 || !out_dir) {
        fprintf(stderr, "gst-cnn infer: give a model, its inputs and -o DIR\n"
                        "Try `gst-cnn infer --help`.\n");
        goto done;
    }
    if (g_mkdir_with_parents(out_dir, 0755) != 0) {
        fprintf(stderr, "gst-cnn infer: cannot create %s\n", out_dir);
        ret = GST_CNN_EXIT_FAILED;
        goto done;
    }
    ret = GST_CNN_EXIT_FAILED;
    if (cnn_context_create(&engine, threads) != CNN_OK ||
        cnn_onnx_infer_files_profiled(engine, argv[1], argc - 2,
                                      (const char *const *)argv + 2, out_dir, runs,
                                      profile ? stdout : NULL) != CNN_OK) {
        fprintf(stderr, "gst-cnn infer: %s\n", cnn_last_error());
        goto done;
    }
    ret = GST_CNN_EXIT_OK;

done:
    cnn_context_destroy(engine);
    g_option_context_free(ctx);
    g_free(out_dir);
    return ret;
}
