/* gst-cnn bench: run the registered benchmarks and print their ratio lines.
 *
 * The register is a text file, one benchmark a line: "NAME COMMAND...";
 * '#' starts a comment. The build writes it as bench/benchmarks.txt with
 * absolute paths; --list-file picks another. Each benchmark prints lines
 * starting with "ratio"; they are printed prefixed with the benchmark name. */
#include <stdio.h>
#include <string.h>

#include "gst-cnn.h"

static char *default_list(void)
{
    const char *env = g_getenv("GST_CNN_BENCH_LIST");
    char *exe_dir, *path;

    if (env && *env)
        return g_strdup(env);
    /* uninstalled: build/pipelines/gst-cnn next to build/bench/ */
    exe_dir = gst_cnn_exe_dir();
    path = g_build_filename(exe_dir ? exe_dir : ".", "..", "bench", "benchmarks.txt", NULL);
    g_free(exe_dir);
    return path;
}

int gst_cnn_bench(int argc, char **argv)
{
    char *list = NULL, *only = NULL, *contents = NULL;
    GOptionEntry entries[] = {
        { "list-file", 'l', 0, G_OPTION_ARG_FILENAME, &list, "register of benchmarks (default: build/bench/benchmarks.txt)", "FILE" },
        { "only", 0, 0, G_OPTION_ARG_STRING, &only, "run only the benchmark NAME", "NAME" },
        { NULL },
    };
    GOptionContext *ctx = g_option_context_new("- run the benchmarks and print their ratios");
    GError *error = NULL;
    int status = GST_CNN_EXIT_USAGE, ran = 0;
    char **lines = NULL;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx, "A ratio above 1 means gst-cnn is faster than the peer "
                                          "measured in the same run. Exit status 1 when a benchmark failed.");
    if (!gst_cnn_parse_options(ctx, &argc, &argv))
        goto done;
    if (!list)
        list = default_list();
    if (!g_file_get_contents(list, &contents, NULL, &error)) {
        fprintf(stderr, "gst-cnn bench: %s\n", error->message);
        g_error_free(error);
        goto done;
    }
    status = GST_CNN_EXIT_OK;
    lines = g_strsplit(contents, "\n", -1);
    for (char **l = lines; *l; l++) {
        char *line = g_strstrip(*l), *space, *out = NULL, *err = NULL;
        int wait_status;
        if (!*line || *line == '#')
            continue;
        space = strpbrk(line, " \t");
        if (!space)
            continue;
        *space = '\0';
        if (only && strcmp(only, line))
            continue;
        ran++;
        fprintf(stderr, "gst-cnn bench: %s ...\n", line);
        char *sh_argv[] = { "/bin/sh", "-c", g_strstrip(space + 1), NULL };
        if (!g_spawn_sync(NULL, sh_argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                          &wait_status, &error) || !g_spawn_check_wait_status(wait_status, &error)) {
            fprintf(stderr, "gst-cnn bench: %s failed: %s\n%s", line, error->message, err ? err : "");
            g_clear_error(&error);
            status = GST_CNN_EXIT_FAILED;
        }
        if (out) {
            char **out_lines = g_strsplit(out, "\n", -1);
            for (char **o = out_lines; *o; o++)
                if (g_str_has_prefix(*o, "ratio"))
                    printf("%s: %s\n", line, *o);
            g_strfreev(out_lines);
        }
        fflush(stdout);
        g_free(out);
        g_free(err);
    }
    if (!ran) {
        fprintf(stderr, "gst-cnn bench: no benchmark%s%s in %s\n", only ? " " : "", only ? only : "", list);
        status = GST_CNN_EXIT_USAGE;
    }
done:
    g_strfreev(lines);
    g_free(contents);
    g_free(list);
    g_free(only);
    g_option_context_free(ctx);
    return status;
}
