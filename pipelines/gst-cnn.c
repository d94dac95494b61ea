/* gst-cnn: run ready pipelines over files, folders and cameras, print
 * receptive fields, run the benchmarks. Each subcommand lives in its own
 * file (gst-cnn-CMD.c); this one only dispatches.
 *
 * Exit codes: 0 all ok, 1 something failed, 2 usage error, 130 interrupted. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gst/gst.h>

#include "gst-cnn.h"

#ifndef GST_CNN_VERSION
#define GST_CNN_VERSION "unknown"
#endif

typedef struct {
    const char *name;
    int (*main)(int argc, char **argv);
    const char *summary;
} GstCnnCommand;

static int gst_cnn_version(int argc, char **argv);

static const GstCnnCommand commands[] = {
    { "run", gst_cnn_run, "run a ready pipeline over files, folders, URIs or the camera" },
    { "list", gst_cnn_list, "list the ready pipelines and their placeholders" },
    { "show", gst_cnn_show, "print a ready pipeline resolved for gst-launch-1.0" },
    { "rf", gst_cnn_rf, "receptive field, jump and start of a stack of layers" },
    { "augment", gst_cnn_augment, "augmented samples of videos and image folders as a data set" },
    { "infer", gst_cnn_infer, "run an ONNX model on TensorProto inputs, write output_K.pb" },
    { "train", gst_cnn_train, "train a network on an idx image data set, write it as ONNX" },
    { "onnx-test", gst_cnn_onnx_test, "run ONNX backend test folders through the graph runtime" },
    { "bench", gst_cnn_bench, "run the registered benchmarks and print their ratios" },
    { "version", gst_cnn_version, "print the version of gst-cnn and GStreamer" },
};

static void usage(FILE *out)
{
    fprintf(out, "Usage: gst-cnn COMMAND [OPTION...] [ARG...]\n\nCommands:\n");
    for (gsize i = 0; i < G_N_ELEMENTS(commands); i++)
        fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n`gst-cnn COMMAND --help` describes a command.\n"
                 "Exit status: 0 all ok, 1 some input failed, 2 usage error, 130 interrupted.\n");
}

static int gst_cnn_version(int argc, char **argv)
{
    GOptionContext *ctx = g_option_context_new("- print the versions");
    gboolean ok = gst_cnn_parse_options(ctx, &argc, &argv);

    g_option_context_free(ctx);
    if (!ok)
        return GST_CNN_EXIT_USAGE;
    printf("gst-cnn %s\n%s\n", GST_CNN_VERSION, gst_version_string());
    return GST_CNN_EXIT_OK;
}

gboolean gst_cnn_parse_options(GOptionContext *ctx, int *argc, char ***argv)
{
    GError *error = NULL;

    if (g_option_context_parse(ctx, argc, argv, &error))
        return TRUE;
    fprintf(stderr, "gst-cnn %s: %s\nTry `gst-cnn %s --help`.\n", (*argv)[0], error->message, (*argv)[0]);
    g_error_free(error);
    return FALSE;
}

gint gst_cnn_compare_strings(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char *gst_cnn_exe_dir(void)
{
    char *exe = g_file_read_link("/proc/self/exe", NULL);
    char *dir = exe ? g_path_get_dirname(exe) : NULL;

    g_free(exe);
    return dir;
}

/* Run from a build tree (build/pipelines/gst-cnn), use the plugin built next
 * to it (build/plugins) without the user setting GST_PLUGIN_PATH. */
static void use_uninstalled_plugin(void)
{
    char *exe_dir = gst_cnn_exe_dir();
    char *plugins = exe_dir ? g_build_filename(exe_dir, "..", "plugins", NULL) : NULL;
    char *module = plugins ? g_build_filename(plugins, "libgstcnn.so", NULL) : NULL;

    if (module && g_file_test(module, G_FILE_TEST_EXISTS)) {
        const char *old = g_getenv("GST_PLUGIN_PATH");
        char *path = old && *old ? g_strjoin(G_SEARCHPATH_SEPARATOR_S, plugins, old, NULL)
                                 : g_strdup(plugins);
        g_setenv("GST_PLUGIN_PATH", path, TRUE);
        g_free(path);
    }
    g_free(module);
    g_free(plugins);
    g_free(exe_dir);
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : NULL;

    if (!cmd) {
        usage(stderr);
        return GST_CNN_EXIT_USAGE;
    }
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        if (argc > 2 && strcmp(cmd, "help") == 0) {
            char *help_argv[] = { argv[2], "--help", NULL };
            for (gsize i = 0; i < G_N_ELEMENTS(commands); i++)
                if (!strcmp(argv[2], commands[i].name))
                    return commands[i].main(2, help_argv);
        }
        usage(stdout);
        return GST_CNN_EXIT_OK;
    }
    if (!strcmp(cmd, "--version"))
        cmd = "version";
    for (gsize i = 0; i < G_N_ELEMENTS(commands); i++) {
        if (!strcmp(cmd, commands[i].name)) {
            /* GST_DEBUG and friends still work through the environment */
            use_uninstalled_plugin();
            gst_init(NULL, NULL);
            return commands[i].main(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "gst-cnn: unknown command \"%s\"\n\n", cmd);
    usage(stderr);
    return GST_CNN_EXIT_USAGE;
}
