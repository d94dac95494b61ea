/* The input list of `gst-cnn run`: files, folders, URIs, the camera and
 * paths on standard input, expanded, sorted and sharded. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <gst/gst.h>

#include "gst-cnn.h"

static const char *const video_extensions[] = {
    "avi", "mp4", "m4v", "mkv", "mov", "webm", "mpg", "mpeg", "ts", "m2ts", "mts",
    "flv", "ogv", "ogg", "wmv", "asf", "3gp", "mjpeg", "mjpg", "y4m", "dv", "gif", NULL,
};

static gboolean has_video_extension(const char *name)
{
    const char *dot = strrchr(name, '.');
    char *ext;
    gboolean found;

    if (!dot)
        return FALSE;
    ext = g_ascii_strdown(dot + 1, -1);
    found = g_strv_contains(video_extensions, ext);
    g_free(ext);
    return found;
}

static char *strip_extension(const char *name)
{
    const char *slash = strrchr(name, '/');
    const char *dot = strrchr(name, '.');

    if (dot && dot > (slash ? slash + 1 : name))
        return g_strndup(name, dot - name);
    return g_strdup(name);
}

static void add_file(GPtrArray *inputs, const char *path, const char *relative)
{
    GstCnnInput *in = g_new0(GstCnnInput, 1);
    char *abs = g_canonicalize_filename(path, NULL);

    GStatBuf st;

    in->uri = gst_filename_to_uri(abs, NULL);
    in->display = g_strdup(path);
    in->local = abs;
    in->size = g_stat(abs, &st) == 0 ? (goffset)st.st_size : 0;
    in->stem = strip_extension(relative);
    g_ptr_array_add(inputs, in);
}

GPtrArray *gst_cnn_list_folder(const char *path)
{
    GDir *dir = g_dir_open(path, 0, NULL);
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    const char *name;

    while (dir && (name = g_dir_read_name(dir)))
        if (name[0] != '.')
            g_ptr_array_add(names, g_strdup(name));
    if (dir)
        g_dir_close(dir);
    g_ptr_array_sort(names, gst_cnn_compare_strings);
    return names;
}

/* Files below root with a video extension; relative names keep subfolders so
 * that a/x.avi and b/x.avi get different outputs. Sorted for determinism. */
static void add_folder(GPtrArray *inputs, const char *root, const char *relative)
{
    char *dir_path = relative ? g_build_filename(root, relative, NULL) : g_strdup(root);
    GPtrArray *names = gst_cnn_list_folder(dir_path);

    for (guint i = 0; i < names->len; i++) {
        const char *n = g_ptr_array_index(names, i);
        char *rel = relative ? g_build_filename(relative, n, NULL) : g_strdup(n);
        char *path = g_build_filename(root, rel, NULL);
        if (g_file_test(path, G_FILE_TEST_IS_DIR))
            add_folder(inputs, root, rel);
        else if (has_video_extension(n) && g_file_test(path, G_FILE_TEST_IS_REGULAR))
            add_file(inputs, path, rel);
        g_free(path);
        g_free(rel);
    }
    g_ptr_array_unref(names);
    g_free(dir_path);
}

static gboolean add_camera(GPtrArray *inputs, GError **error)
{
    GDir *dev = g_dir_open("/dev", 0, NULL);
    GPtrArray *devices = g_ptr_array_new_with_free_func(g_free);
    const char *name;
    GstCnnInput *in;
    GDateTime *now;
    char *stamp;

    while (dev && (name = g_dir_read_name(dev)))
        if (g_str_has_prefix(name, "video"))
            g_ptr_array_add(devices, g_strdup(name));
    if (dev)
        g_dir_close(dev);
    if (!devices->len) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NODEV,
                    "camera: no V4L2 device (/dev/video*) on this machine; give a file, folder or URI");
        g_ptr_array_unref(devices);
        return FALSE;
    }
    g_ptr_array_sort(devices, gst_cnn_compare_strings);
    now = g_date_time_new_now_local();
    stamp = g_date_time_format(now, "%Y%m%d-%H%M%S");
    in = g_new0(GstCnnInput, 1);
    name = g_ptr_array_index(devices, 0);
    in->uri = g_strdup_printf("v4l2:///dev/%s", name);
    in->display = g_strdup_printf("camera:/dev/%s", name);
    in->stem = g_strdup_printf("camera-%s-%s", name, stamp);
    in->live = TRUE;
    g_ptr_array_add(inputs, in);
    g_free(stamp);
    g_date_time_unref(now);
    g_ptr_array_unref(devices);
    return TRUE;
}

static void add_uri(GPtrArray *inputs, const char *uri)
{
    GstCnnInput *in;
    char *local = g_str_has_prefix(uri, "file:") ? g_filename_from_uri(uri, NULL, NULL) : NULL;
    char *path, *base;

    if (local) {
        add_file(inputs, local, strrchr(local, '/') ? strrchr(local, '/') + 1 : local);
        g_free(local);
        return;
    }
    in = g_new0(GstCnnInput, 1);
    in->uri = g_strdup(uri);
    in->display = g_strdup(uri);
    path = g_uri_unescape_string(strchr(uri, ':') + 3, NULL);
    if (!path)
        path = g_strdup(strchr(uri, ':') + 3);
    g_strdelimit(path, "?#", '\0');
    base = g_path_get_basename(path);
    in->stem = strip_extension(*base && strcmp(base, "/") ? base : "stream");
    g_ptr_array_add(inputs, in);
    g_free(base);
    g_free(path);
}

static gboolean add_arg(GPtrArray *inputs, const char *arg, gboolean from_stdin, GError **error)
{
    if (!from_stdin && !strcmp(arg, "-")) {
        char line[4096];
        while (fgets(line, sizeof line, stdin)) {
            g_strstrip(line);
            if (*line && !add_arg(inputs, line, TRUE, error))
                return FALSE;
        }
        return TRUE;
    }
    if (!strcmp(arg, "camera"))
        return add_camera(inputs, error);
    if (gst_uri_is_valid(arg) && strstr(arg, "://")) {
        add_uri(inputs, arg);
        return TRUE;
    }
    if (g_file_test(arg, G_FILE_TEST_IS_DIR)) {
        add_folder(inputs, arg, NULL);
        return TRUE;
    }
    if (g_file_test(arg, G_FILE_TEST_EXISTS)) {
        char *base = g_path_get_basename(arg);
        add_file(inputs, arg, base);
        g_free(base);
        return TRUE;
    }
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "%s: no such file or folder", arg);
    return FALSE;
}

static gint compare_inputs(gconstpointer a, gconstpointer b)
{
    const GstCnnInput *x = *(GstCnnInput *const *)a, *y = *(GstCnnInput *const *)b;
    return strcmp(x->local ? x->local : x->uri, y->local ? y->local : y->uri);
}

gboolean gst_cnn_inputs_collect(char **args, GPtrArray *inputs, GError **error)
{
    for (char **a = args; a && *a; a++)
        if (!add_arg(inputs, *a, FALSE, error))
            return FALSE;
    g_ptr_array_sort(inputs, compare_inputs);
    /* the same file named twice (or through two folders) runs once */
    for (guint i = 1; i < inputs->len;) {
        if (compare_inputs(&inputs->pdata[i - 1], &inputs->pdata[i]) == 0)
            g_ptr_array_remove_index(inputs, i);
        else
            i++;
    }
    /* a/x.avi and b/x.avi given separately would share one output name;
     * marked before sharding so every shard agrees on which one runs */
    gst_cnn_inputs_mark_clashes(inputs);
    return TRUE;
}

void gst_cnn_inputs_mark_clashes(GPtrArray *inputs)
{
    GHashTable *stems = g_hash_table_new(g_str_hash, g_str_equal);

    for (guint i = 0; i < inputs->len; i++) {
        GstCnnInput *in = g_ptr_array_index(inputs, i);
        GstCnnInput *first = g_hash_table_lookup(stems, in->stem);
        if (!first)
            g_hash_table_insert(stems, in->stem, in);
        else if (!in->clash)
            in->clash = g_strdup(first->display);
    }
    g_hash_table_unref(stems);
}

void gst_cnn_inputs_shard(GPtrArray *inputs, guint k, guint n)
{
    guint kept = 0;

    for (guint i = 0; i < inputs->len; i++) {
        if (i % n == k) {
            GstCnnInput *tmp = inputs->pdata[kept];
            inputs->pdata[kept++] = inputs->pdata[i];
            inputs->pdata[i] = tmp;
        }
    }
    g_ptr_array_set_size(inputs, kept);
}

static gint compare_sizes(gconstpointer a, gconstpointer b)
{
    const GstCnnInput *x = *(GstCnnInput *const *)a, *y = *(GstCnnInput *const *)b;
    return x->size != y->size ? (x->size < y->size ? 1 : -1) : compare_inputs(a, b);
}

void gst_cnn_inputs_sort_largest_first(GPtrArray *inputs)
{
    g_ptr_array_sort(inputs, compare_sizes);
}

char *gst_cnn_input_truncation(const GstCnnInput *in)
{
    unsigned char head[12];
    struct stat st;
    FILE *f;
    guint64 declared;
    size_t got;

    if (!in->local || stat(in->local, &st) != 0)
        return NULL;
    f = fopen(in->local, "rb");
    if (!f)
        return g_strdup_printf("cannot open: %s", g_strerror(errno));
    got = fread(head, 1, sizeof head, f);
    fclose(f);
    /* RIFF (AVI, WAV): the first chunk's size covers the whole file unless
     * it was cut short (an OpenDML file continues after it, never before). */
    if (got == sizeof head && !memcmp(head, "RIFF", 4)) {
        declared = 8 + ((guint64)head[4] | (guint64)head[5] << 8 | (guint64)head[6] << 16 |
                        (guint64)head[7] << 24);
        if ((guint64)st.st_size < declared)
            return g_strdup_printf("truncated: the RIFF header declares %" G_GUINT64_FORMAT
                                   " bytes, the file has %" G_GUINT64_FORMAT,
                                   declared, (guint64)st.st_size);
    }
    return NULL;
}

void gst_cnn_input_free(GstCnnInput *in)
{
    if (!in)
        return;
    g_free(in->uri);
    g_free(in->display);
    g_free(in->local);
    g_free(in->stem);
    g_free(in->clash);
    g_free(in);
}
