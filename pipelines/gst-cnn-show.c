/* gst-cnn show: a ready pipeline with its placeholders filled, ready to
 * paste after gst-launch-1.0. {input} and {output} stay when not given. */
#include <stdio.h>
#include <string.h>

#include <gst/gst.h>

#include "gst-cnn.h"

int gst_cnn_show(int argc, char **argv)
{
    char **settings = NULL, *output = NULL;
    GOptionEntry entries[] = {
        { "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &settings, "fill placeholder KEY", "KEY=VALUE" },
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "value of {output}", "PATH" },
        { NULL },
    };
    static const char *const keep[] = { "input", "output", NULL };
    GOptionContext *ctx = g_option_context_new("NAME|FILE [INPUT] - print a resolved ready pipeline");
    GHashTable *values = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    GstCnnPipeline *p = NULL;
    GError *error = NULL;
    char *text = NULL;
    int status = GST_CNN_EXIT_USAGE;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx, "INPUT is a file or URI; {input} becomes its URI.");
    if (!gst_cnn_parse_options(ctx, &argc, &argv))
        goto done;
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "gst-cnn show: give one pipeline NAME and at most one INPUT\n");
        goto done;
    }
    for (char **s = settings; s && *s; s++)
        if (!gst_cnn_parse_setting(values, *s, &error))
            goto fail;
    if (argc == 3) {
        char *uri = gst_uri_is_valid(argv[2]) ? g_strdup(argv[2]) : gst_filename_to_uri(argv[2], &error);
        if (!uri)
            goto fail;
        g_hash_table_insert(values, g_strdup("input"), uri);
    }
    if (output)
        g_hash_table_insert(values, g_strdup("output"), g_strdup(output));
    p = gst_cnn_pipeline_load(argv[1], &error);
    if (!p || !(text = gst_cnn_pipeline_resolve(p, values, keep, &error)))
        goto fail;
    printf("%s\n", text);
    status = GST_CNN_EXIT_OK;
    goto done;

fail:
    fprintf(stderr, "gst-cnn show: %s\n", error->message);
    g_error_free(error);
done:
    g_free(text);
    gst_cnn_pipeline_free(p);
    g_hash_table_unref(values);
    g_strfreev(settings);
    g_free(output);
    g_option_context_free(ctx);
    return status;
}
