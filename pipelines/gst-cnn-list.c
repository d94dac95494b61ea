/* gst-cnn list: the ready pipelines, what they do, their placeholders (with
 * defaults) and the elements they need that this machine lacks. */
#include <stdio.h>
#include <string.h>

#include <gst/gst.h>

#include "gst-cnn.h"

static void print_pipeline(const GstCnnPipeline *p, gboolean verbose)
{
    GPtrArray *names = gst_cnn_pipeline_placeholders(p);
    GString *missing = g_string_new(NULL);

    printf("%-22s %s\n", p->name, p->description ? p->description : "");
    printf("%-22s placeholders:", "");
    for (guint i = 0; i < names->len; i++) {
        const char *n = g_ptr_array_index(names, i);
        const char *def = g_hash_table_lookup(p->defaults, n);
        printf(" {%s}%s%s", n, def ? "=" : "", def ? def : "");
    }
    printf("\n");
    if (p->needs) {
        char **elements = g_strsplit_set(p->needs, " \t,", -1);
        for (char **e = elements; *e; e++) {
            GstElementFactory *f = **e ? gst_element_factory_find(*e) : NULL;
            if (f)
                gst_object_unref(f);
            else if (**e)
                g_string_append_printf(missing, " %s", *e);
        }
        g_strfreev(elements);
    }
    if (missing->len)
        printf("%-22s missing elements:%s\n", "", missing->str);
    if (verbose)
        printf("%-22s %s\n", "", p->path);
    g_string_free(missing, TRUE);
    g_ptr_array_unref(names);
}

int gst_cnn_list(int argc, char **argv)
{
    gboolean verbose = FALSE;
    GOptionEntry entries[] = {
        { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "also print each file's path", NULL },
        { NULL },
    };
    GOptionContext *ctx = g_option_context_new("- list the ready pipelines");
    GPtrArray *dirs, *seen;
    gboolean ok;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx, "Pipelines are NAME.pipeline files searched in "
                                          "$GST_CNN_PIPELINE_PATH, next to an uninstalled gst-cnn, "
                                          "then in the installed data folder.");
    ok = gst_cnn_parse_options(ctx, &argc, &argv);
    g_option_context_free(ctx);
    if (!ok || argc > 1) {
        if (ok)
            fprintf(stderr, "gst-cnn list: unexpected argument \"%s\"\n", argv[1]);
        return GST_CNN_EXIT_USAGE;
    }
    dirs = gst_cnn_pipeline_dirs();
    seen = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < dirs->len; i++) {
        GDir *d = g_dir_open(g_ptr_array_index(dirs, i), 0, NULL);
        GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
        const char *name;
        while (d && (name = g_dir_read_name(d)))
            if (g_str_has_suffix(name, ".pipeline"))
                g_ptr_array_add(files, g_build_filename(g_ptr_array_index(dirs, i), name, NULL));
        if (d)
            g_dir_close(d);
        g_ptr_array_sort(files, gst_cnn_compare_strings);
        for (guint j = 0; j < files->len; j++) {
            GError *error = NULL;
            GstCnnPipeline *p = gst_cnn_pipeline_load(g_ptr_array_index(files, j), &error);
            if (!p) {
                fprintf(stderr, "gst-cnn list: %s\n", error->message);
                g_error_free(error);
                continue;
            }
            /* an earlier folder shadows a later one */
            if (!g_ptr_array_find_with_equal_func(seen, p->name, g_str_equal, NULL)) {
                print_pipeline(p, verbose);
                g_ptr_array_add(seen, g_strdup(p->name));
            }
            gst_cnn_pipeline_free(p);
        }
        g_ptr_array_unref(files);
    }
    if (!seen->len)
        fprintf(stderr, "gst-cnn list: no pipelines found (set GST_CNN_PIPELINE_PATH)\n");
    g_ptr_array_unref(seen);
    g_ptr_array_unref(dirs);
    return GST_CNN_EXIT_OK;
}
