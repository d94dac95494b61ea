/* Ready pipeline files: a gst-launch description with {placeholders} and a
 * header of "# key: value" lines.
 *
 *   # description: what it does, in one line
 *   # needs: cnnedge avenc_mpeg4 avimux
 *   # output: file edges.avi      (or: dir frames, or: none)
 *   # default: method=sobel sink=autovideosink
 *   uridecodebin uri={input} ! ... ! filesink location={output}
 *
 * Other '#' lines are comments; the remaining lines are joined with spaces.
 * {input} becomes a URI, {output} the path the runner chose. */
#include <string.h>

#include "gst-cnn.h"

#ifndef GST_CNN_PIPELINES_DIR
#define GST_CNN_PIPELINES_DIR "/usr/local/share/gst-cnn/pipelines"
#endif

static gboolean dir_has_pipelines(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;
    gboolean found = FALSE;

    if (!d)
        return FALSE;
    while (!found && (name = g_dir_read_name(d)))
        found = g_str_has_suffix(name, ".pipeline");
    g_dir_close(d);
    return found;
}

GPtrArray *gst_cnn_pipeline_dirs(void)
{
    GPtrArray *dirs = g_ptr_array_new_with_free_func(g_free);
    const char *env = g_getenv("GST_CNN_PIPELINE_PATH");
    char *exe_dir = gst_cnn_exe_dir();

    if (env && *env) {
        char **parts = g_strsplit(env, ":", -1);
        for (char **s = parts; *s; s++)
            if (**s)
                g_ptr_array_add(dirs, g_strdup(*s));
        g_strfreev(parts);
    }
    if (exe_dir && dir_has_pipelines(exe_dir))
        g_ptr_array_add(dirs, g_strdup(exe_dir));
    g_ptr_array_add(dirs, g_strdup(GST_CNN_PIPELINES_DIR));
    g_free(exe_dir);
    return dirs;
}

static char *find_pipeline_file(const char *name)
{
    GPtrArray *dirs;
    char *found = NULL;

    if (strchr(name, '/') || g_str_has_suffix(name, ".pipeline"))
        return g_file_test(name, G_FILE_TEST_IS_REGULAR) ? g_strdup(name) : NULL;
    dirs = gst_cnn_pipeline_dirs();
    for (guint i = 0; i < dirs->len && !found; i++) {
        char *file = g_strconcat(name, ".pipeline", NULL);
        char *path = g_build_filename(g_ptr_array_index(dirs, i), file, NULL);
        g_free(file);
        if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
            found = path;
        else
            g_free(path);
    }
    g_ptr_array_unref(dirs);
    return found;
}

gboolean gst_cnn_parse_setting(GHashTable *values, const char *setting, GError **error)
{
    const char *eq = strchr(setting, '=');

    if (!eq || eq == setting) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "\"%s\" is not key=value", setting);
        return FALSE;
    }
    g_hash_table_insert(values, g_strndup(setting, eq - setting), g_strdup(eq + 1));
    return TRUE;
}

static gboolean parse_header(GstCnnPipeline *p, const char *key, const char *value, GError **error)
{
    if (!strcmp(key, "description")) {
        g_free(p->description);
        p->description = g_strdup(value);
    } else if (!strcmp(key, "needs")) {
        g_free(p->needs);
        p->needs = g_strdup(value);
    } else if (!strcmp(key, "output")) {
        char **w = g_strsplit_set(value, " \t", 2);
        if (!strcmp(w[0], "none")) {
            p->output_kind = GST_CNN_OUTPUT_NONE;
        } else if ((!strcmp(w[0], "file") || !strcmp(w[0], "dir")) && w[1] && *g_strstrip(w[1])) {
            p->output_kind = w[0][0] == 'f' ? GST_CNN_OUTPUT_FILE : GST_CNN_OUTPUT_DIR;
            g_free(p->output_suffix);
            p->output_suffix = g_strdup(w[1]);
        } else {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "%s: \"# output: %s\": expected \"file SUFFIX\", \"dir SUFFIX\" or \"none\"",
                        p->path, value);
            g_strfreev(w);
            return FALSE;
        }
        g_strfreev(w);
    } else if (!strcmp(key, "default")) {
        char **w = g_strsplit_set(value, " \t", -1);
        for (char **s = w; *s; s++)
            if (**s && !gst_cnn_parse_setting(p->defaults, *s, error)) {
                g_prefix_error(error, "%s: default: ", p->path);
                g_strfreev(w);
                return FALSE;
            }
        g_strfreev(w);
    }
    return TRUE;
}

GstCnnPipeline *gst_cnn_pipeline_load(const char *name_or_path, GError **error)
{
    GstCnnPipeline *p;
    char *path = find_pipeline_file(name_or_path);
    char *contents = NULL;
    GString *text;
    char **lines;

    if (!path) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                    "no pipeline \"%s\" (see `gst-cnn list`)", name_or_path);
        return NULL;
    }
    if (!g_file_get_contents(path, &contents, NULL, error)) {
        g_free(path);
        return NULL;
    }
    p = g_new0(GstCnnPipeline, 1);
    p->path = path;
    p->name = g_path_get_basename(path);
    if (g_str_has_suffix(p->name, ".pipeline"))
        p->name[strlen(p->name) - strlen(".pipeline")] = '\0';
    p->defaults = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    p->output_kind = GST_CNN_OUTPUT_NONE;

    text = g_string_new(NULL);
    lines = g_strsplit(contents, "\n", -1);
    g_free(contents);
    for (char **l = lines; *l; l++) {
        char *line = g_strstrip(*l);
        if (line[0] == '#') {
            char *colon = strchr(line, ':');
            char *key = g_strstrip(g_strndup(line + 1, colon ? (gsize)(colon - line - 1) : 0));
            gboolean ok = !colon || parse_header(p, key, g_strstrip(colon + 1), error);
            g_free(key);
            if (!ok)
                goto fail;
            continue;
        }
        if (g_str_has_suffix(line, "\\"))
            line[strlen(line) - 1] = '\0';
        if (!*g_strstrip(line))
            continue;
        if (text->len)
            g_string_append_c(text, ' ');
        g_string_append(text, line);
    }
    g_strfreev(lines);
    if (!text->len) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: no pipeline text", p->path);
        g_string_free(text, TRUE);
        gst_cnn_pipeline_free(p);
        return NULL;
    }
    p->text = g_string_free(text, FALSE);
    return p;

fail:
    g_strfreev(lines);
    g_string_free(text, TRUE);
    gst_cnn_pipeline_free(p);
    return NULL;
}

void gst_cnn_pipeline_free(GstCnnPipeline *p)
{
    if (!p)
        return;
    g_free(p->name);
    g_free(p->path);
    g_free(p->description);
    g_free(p->needs);
    g_free(p->output_suffix);
    g_hash_table_unref(p->defaults);
    g_free(p->text);
    g_free(p);
}

/* Length of the placeholder name at s (after '{'), 0 when s is not one:
 * lower-case letters, digits and '-', closed by '}'. Caps lists such as
 * "{ I420, NV12 }" never match. */
static gsize placeholder_len(const char *s)
{
    gsize n = 0;

    if (!g_ascii_islower(s[0]))
        return 0;
    while (g_ascii_islower(s[n]) || g_ascii_isdigit(s[n]) || s[n] == '-')
        n++;
    return s[n] == '}' ? n : 0;
}

GPtrArray *gst_cnn_pipeline_placeholders(const GstCnnPipeline *p)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);

    for (const char *s = p->text; *s; s++) {
        gsize n = s[0] == '{' ? placeholder_len(s + 1) : 0;
        char *name;
        if (!n)
            continue;
        name = g_strndup(s + 1, n);
        if (g_ptr_array_find_with_equal_func(names, name, g_str_equal, NULL))
            g_free(name);
        else
            g_ptr_array_add(names, name);
        s += n + 1;
    }
    return names;
}

/* A value that gst-launch cannot take bare (space, quote, '!'...). */
static gboolean needs_quotes(const char *value)
{
    if (!*value)
        return TRUE;
    for (const char *c = value; *c; c++)
        if (!g_ascii_isalnum(*c) && !strchr("._/:%+,@-~=", *c))
            return TRUE;
    return FALSE;
}

/* Quote out[from..] as one gst-launch string. */
static void quote_tail(GString *out, gsize from)
{
    GString *q = g_string_new("\"");

    for (const char *c = out->str + from; *c; c++) {
        if (*c == '"' || *c == '\\')
            g_string_append_c(q, '\\');
        g_string_append_c(q, *c);
    }
    g_string_append_c(q, '"');
    g_string_truncate(out, from);
    g_string_append(out, q->str);
    g_string_free(q, TRUE);
}

/* A placeholder inside a property value (location={output}/f-%05d.png)
 * makes the whole value one quoted string when the substituted text needs
 * it; a placeholder standing alone is a pipeline fragment (sink=fakesink ...)
 * and goes in verbatim. */
char *gst_cnn_pipeline_resolve(const GstCnnPipeline *p, GHashTable *values,
                               const char *const *keep, GError **error)
{
    GString *out = g_string_new(NULL);
    GString *missing = g_string_new(NULL);
    gboolean in_quotes = FALSE, quote_value = FALSE;
    gssize value_start = -1; /* where the current property value began in out */

    for (const char *s = p->text;; s++) {
        gsize n = s[0] == '{' && !in_quotes ? placeholder_len(s + 1) : 0;
        char *name;
        const char *value;

        if (!*s || (!in_quotes && g_ascii_isspace(*s))) {
            if (value_start >= 0 && quote_value)
                quote_tail(out, value_start);
            value_start = -1;
            quote_value = FALSE;
            if (!*s)
                break;
        }
        if (!n) {
            if (*s == '"' && (s == p->text || s[-1] != '\\'))
                in_quotes = !in_quotes;
            g_string_append_c(out, *s);
            if (*s == '=' && !in_quotes && value_start < 0)
                value_start = out->len;
            continue;
        }
        name = g_strndup(s + 1, n);
        value = values ? g_hash_table_lookup(values, name) : NULL;
        if (!value)
            value = g_hash_table_lookup(p->defaults, name);
        if (value) {
            g_string_append(out, value);
            quote_value |= value_start >= 0 && needs_quotes(value);
        } else if (keep && g_strv_contains(keep, name)) {
            g_string_append_len(out, s, n + 2);
        } else {
            char *braced = g_strdup_printf("{%s}", name);
            if (!strstr(missing->str, braced))
                g_string_append_printf(missing, "%s%s", missing->len ? ", " : "", braced);
            g_free(braced);
        }
        g_free(name);
        s += n + 1;
    }
    if (missing->len) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "pipeline %s needs a value for %s (--set KEY=VALUE)", p->name, missing->str);
        g_string_free(missing, TRUE);
        g_string_free(out, TRUE);
        return NULL;
    }
    g_string_free(missing, TRUE);
    return g_string_free(out, FALSE);
}
