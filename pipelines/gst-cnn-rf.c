/* gst-cnn rf: receptive field size, jump and start of each layer of a stack,
 * by the core's recurrences (cnn/receptive_field.h).
 *
 * The stack is a gst-launch chain of cnn elements
 *   "cnnconv kernel=sobel-x ! cnnpool kernel-size=2 ! cnnconv dilation=2"
 * or a compact list, as one argument or several:
 *   conv:k=3,s=1,p=1 pool:k=2 x8 fc
 * where "xN" repeats every layer since the previous "xN" N times and "fc" is
 * a fully connected layer over the whole remaining map (needs a size). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cnn/receptive_field.h"
#include "gst-cnn.h"

typedef struct {
    cnn_rf_layer rf;
    gboolean fc;    /* kernel = the size of the map it gets */
    char *padding;  /* "same" is resolved once the kernel is known */
} RfLayer;

static void rf_layer_clear(gpointer data)
{
    RfLayer *l = data;
    g_free((char *)l->rf.name);
    g_free(l->padding);
}

static gboolean parse_int(const char *what, const char *text, int min, int *out, GError **error)
{
    char *end;
    long v = strtol(text, &end, 10);

    if (end == text || *end || v < min || v > (1 << 24)) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "%s=%s: expected an integer >= %d", what, text, min);
        return FALSE;
    }
    *out = (int)v;
    return TRUE;
}

/* Padding after the kernel is known: a number, "valid", or "same" (as
 * cnnconv: out = ceil(in / stride), the padding before output 0 follows
 * from the input size; (k' - 1) / 2 at stride 1). */
static gboolean resolve_padding(RfLayer *l, GError **error)
{
    const char *p = l->padding;

    if (!p || !strcmp(p, "valid")) {
        l->rf.padding = 0;
        return TRUE;
    }
    if (!strcmp(p, "same")) {
        l->rf.padding = 0;
        l->rf.pad_same = 1;
        return TRUE;
    }
    return parse_int("padding", p, 0, &l->rf.padding, error);
}

/* cnnconv presets and their sizes (the element's table). */
static int conv_preset_size(const char *preset)
{
    static const char *const size3[] = { "identity", "box", "gaussian", "sharpen", "emboss",
                                         "sobel", "scharr", "prewitt", "laplacian", NULL };
    if (!strcmp(preset, "curve"))
        return 7;
    for (const char *const *s = size3; *s; s++)
        if (g_str_has_prefix(preset, *s))
            return 3;
    return 0;
}

/* Rows of a cnnconv weights string: "0,1,0;1,-4,1;0,1,0". */
static int weights_rows(const char *w)
{
    int rows = 1;

    for (const char *c = w; *c; c++)
        rows += *c == ';';
    return rows;
}

static void add_layer(GArray *layers, const char *name, int k, int s, const char *padding, int d)
{
    RfLayer l = { { k, s, 0, d, g_strdup(name), 0 }, FALSE, g_strdup(padding) };
    g_array_append_val(layers, l);
}

/* One element of a gst-launch chain. Elements that do not change geometry
 * (converters, queues, caps) are skipped; pointwise cnn elements are 1x1. */
static gboolean parse_element(GArray *layers, const char *segment, GError **error)
{
    char **tokens = g_strsplit_set(segment, " \t", -1);
    GHashTable *props = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    const char *element = NULL, *v;
    gboolean ok = TRUE;
    int k = 0, s = 1, d = 1, aperture = 3;

    for (char **t = tokens; *t && ok; t++) {
        if (!**t)
            continue;
        if (!element)
            element = *t;
        else
            ok = gst_cnn_parse_setting(props, *t, error);
    }
    if (!ok || !element)
        goto done;
    if (strchr(element, '/') || !g_str_has_prefix(element, "cnn")) {
        static const char *const neutral[] = { "videoconvert", "queue", "capsfilter", "identity",
                                               "tee", "videoconvertscale", NULL };
        if (!strchr(element, '/') && !g_strv_contains(neutral, element)) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "\"%s\": not a cnn element; its effect on the field is unknown", element);
            ok = FALSE;
        }
        goto done;
    }
    if ((v = g_hash_table_lookup(props, "dilation")))
        ok = parse_int("dilation", v, 1, &d, error);
    if (ok && (v = g_hash_table_lookup(props, "stride")))
        ok = parse_int("stride", v, !strcmp(element, "cnnpool") ? 0 : 1, &s, error);
    if (!ok)
        goto done;

    if (!strcmp(element, "cnnconv")) {
        const char *preset = g_hash_table_lookup(props, "kernel");
        if ((v = g_hash_table_lookup(props, "weights")))
            k = weights_rows(v);
        else if (!(k = conv_preset_size(preset ? preset : "identity"))) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "cnnconv kernel=%s: unknown preset", preset);
            ok = FALSE;
            goto done;
        }
        v = g_hash_table_lookup(props, "padding");
        add_layer(layers, segment, k, s, v ? v : "same", d);
    } else if (!strcmp(element, "cnnpool")) {
        const char *mode = g_hash_table_lookup(props, "mode");
        if (mode && g_str_has_prefix(mode, "global-")) {
            /* one output per channel: the window is the whole map, like fc */
            RfLayer l = { { 1, 1, 0, 1, g_strdup(segment), 0 }, TRUE, NULL };
            g_array_append_val(layers, l);
            goto done;
        }
        if (mode && (g_str_has_prefix(mode, "adaptive-") || !strcmp(mode, "pyramid"))) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "cnnpool mode=%s: cells follow the frame size; ask the element's "
                        "receptive-field query in a running pipeline instead", mode);
            ok = FALSE;
            goto done;
        }
        if (mode && !strcmp(mode, "wavelet")) {
            /* the Haar low-low band: one output per 2x2 block */
            add_layer(layers, segment, 2, 2, NULL, 1);
            goto done;
        }
        k = 2;
        if ((v = g_hash_table_lookup(props, "kernel-size")) && !parse_int("kernel-size", v, 1, &k, error)) {
            ok = FALSE;
            goto done;
        }
        if (!g_hash_table_lookup(props, "stride") || s == 0) /* 0: the kernel, as cnnpool */
            s = k;
        add_layer(layers, segment, k, s, g_hash_table_lookup(props, "padding"), d);
    } else if (!strcmp(element, "cnnedge")) {
        const char *method = g_hash_table_lookup(props, "method");
        double sigma = 0;
        if ((v = g_hash_table_lookup(props, "aperture")) && !parse_int("aperture", v, 1, &aperture, error)) {
            ok = FALSE;
            goto done;
        }
        if ((v = g_hash_table_lookup(props, "blur-sigma")))
            sigma = g_ascii_strtod(v, NULL);
        if (sigma > 0) {
            /* the Gaussian blur before the gradients (every method), sized as the core does */
            int blur = (int)(sigma * 6 + 1.5) | 1;
            char *name = g_strdup_printf("%s (blur %dx%d)", segment, blur, blur);
            add_layer(layers, name, blur, 1, "same", 1);
            g_free(name);
        }
        if (method && (!strcmp(method, "scharr") || !strcmp(method, "prewitt")))
            aperture = 3;
        add_layer(layers, segment, aperture, 1, "same", 1);
    } else {
        /* batchnorm, dropout, activation... act pixel by pixel */
        add_layer(layers, segment, 1, 1, NULL, 1);
    }

done:
    g_hash_table_unref(props);
    g_strfreev(tokens);
    return ok;
}

/* "conv:k=3,s=1,p=1", "pool:k=2", "fc". */
static gboolean parse_compact(GArray *layers, const char *token, GError **error)
{
    const char *colon = strchr(token, ':');
    char *type = colon ? g_strndup(token, colon - token) : g_strdup(token);
    char **kvs = colon ? g_strsplit(colon + 1, ",", -1) : g_new0(char *, 1);
    gboolean pool = !strcmp(type, "pool"), ok = TRUE;
    int k = pool ? 2 : 3, s = 1, d = 1, stride_given = 0;
    const char *padding = NULL;

    if (!strcmp(type, "fc")) {
        RfLayer l = { { 1, 1, 0, 1, g_strdup("fc"), 0 }, TRUE, NULL };
        g_array_append_val(layers, l);
        goto done;
    }
    if (!pool && strcmp(type, "conv")) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "\"%s\": layers are conv:..., pool:... or fc", token);
        ok = FALSE;
        goto done;
    }
    for (char **kv = kvs; *kv && ok; kv++) {
        char *eq = strchr(*kv, '=');
        const char *key = *kv, *val = eq ? eq + 1 : "";
        if (eq)
            *eq = '\0';
        if (!strcmp(key, "k") || !strcmp(key, "kernel"))
            ok = parse_int("k", val, 1, &k, error);
        else if (!strcmp(key, "s") || !strcmp(key, "stride"))
            ok = (stride_given = parse_int("s", val, 1, &s, error));
        else if (!strcmp(key, "d") || !strcmp(key, "dilation"))
            ok = parse_int("d", val, 1, &d, error);
        else if (!strcmp(key, "p") || !strcmp(key, "padding"))
            padding = val;
        else {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "\"%s\": unknown key \"%s\" (k, s, p, d)", token, key);
            ok = FALSE;
        }
    }
    if (ok)
        add_layer(layers, token, k, pool && !stride_given ? k : s, padding, d);
done:
    g_strfreev(kvs);
    g_free(type);
    return ok;
}

/* The whole stack from the arguments; "xN" repeats the layers since the
 * previous "xN". */
static gboolean parse_stack(char **args, GArray *layers, GError **error)
{
    char *joined = g_strjoinv(" ", args);
    gboolean chain = strstr(joined, "cnn") != NULL, ok = TRUE;
    guint block_start = 0;

    if (chain) {
        char **segments = g_strsplit(joined, "!", -1);
        for (char **s = segments; *s && ok; s++)
            if (*g_strstrip(*s))
                ok = parse_element(layers, *s, error);
        g_strfreev(segments);
    } else {
        char **tokens = g_strsplit_set(joined, " \t", -1);
        for (char **t = tokens; *t && ok; t++) {
            int times;
            if (!**t)
                continue;
            if ((**t == 'x' || **t == '*') && g_ascii_isdigit((*t)[1])) {
                guint n = layers->len - block_start;
                if (!(ok = parse_int("repeat", *t + 1, 1, &times, error)))
                    break;
                for (int r = 1; r < times; r++)
                    for (guint i = 0; i < n; i++) {
                        RfLayer l = g_array_index(layers, RfLayer, block_start + i);
                        l.rf.name = g_strdup(l.rf.name);
                        l.padding = g_strdup(l.padding);
                        g_array_append_val(layers, l);
                    }
                block_start = layers->len;
                continue;
            }
            ok = parse_compact(layers, *t, error);
        }
        g_strfreev(tokens);
    }
    for (guint i = 0; i < layers->len && ok; i++)
        ok = resolve_padding(&g_array_index(layers, RfLayer, i), error);
    if (ok && !layers->len) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "no layers given");
        ok = FALSE;
    }
    g_free(joined);
    return ok;
}

/* Plain layer array for the core; an fc layer takes the size of the map
 * before it, which needs the layers before it computed first. */
static gboolean compute(GArray *layers, int in_size, cnn_rf_layer *rf, cnn_rf_info *info,
                        GError **error)
{
    int n = (int)layers->len;

    for (int i = 0; i < n; i++) {
        RfLayer *l = &g_array_index(layers, RfLayer, i);
        rf[i] = l->rf;
        if (l->fc) {
            if (i > 0 && cnn_rf_compute(rf, i, in_size, info) != CNN_OK)
                break;
            rf[i].kernel = i > 0 ? info[i - 1].out_size : in_size;
        }
    }
    if (cnn_rf_compute(rf, n, in_size, info) != CNN_OK) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s", cnn_last_error());
        return FALSE;
    }
    return TRUE;
}

static void print_table(GArray *layers, const cnn_rf_layer *rf, const cnn_rf_info *info,
                        int in_size, gboolean sized)
{
    printf("%-3s %-36s %6s %6s %4s %4s %8s %8s %9s", "#", "layer", "kernel", "stride", "pad",
           "dil", "size", "jump", "start");
    printf(sized ? " %6s\n" : "\n", "map");
    printf("%-3d %-36s %6s %6s %4s %4s %8d %8d %9.1f", 0, "input", "", "", "", "", 1, 1, 0.5);
    if (sized)
        printf(" %6d", in_size);
    printf("\n");
    for (guint i = 0; i < layers->len; i++) {
        /* "?": padding and start that depend on the input size, not given */
        char pad[16] = "?", start[32] = "?";
        if (info[i].pad_before >= 0)
            snprintf(pad, sizeof pad, "%d", info[i].pad_before);
        if (!isnan(info[i].start))
            snprintf(start, sizeof start, "%.1f", info[i].start);
        printf("%-3u %-36s %6d %6d %4s %4d %8" G_GINT64_FORMAT " %8" G_GINT64_FORMAT " %9s", i + 1,
               rf[i].name, rf[i].kernel, rf[i].stride, pad, rf[i].dilation,
               (gint64)info[i].size, (gint64)info[i].jump, start);
        if (sized)
            printf(" %6d", info[i].out_size);
        printf("\n");
    }
}

static void print_json(GArray *layers, const cnn_rf_layer *rf, const cnn_rf_info *info, gboolean sized)
{
    for (guint i = 0; i < layers->len; i++) {
        GString *s = g_string_new("{\"layer\": \"");
        char start[G_ASCII_DTOSTR_BUF_SIZE];
        for (const char *c = rf[i].name; *c; c++) {
            if (*c == '"' || *c == '\\')
                g_string_append_c(s, '\\');
            g_string_append_c(s, *c);
        }
        if (isnan(info[i].start))
            g_strlcpy(start, "null", sizeof start);
        else
            g_ascii_formatd(start, sizeof start, "%.6g", info[i].start);
        g_string_append_printf(s, "\", \"size\": %" G_GINT64_FORMAT ", \"jump\": %" G_GINT64_FORMAT
                               ", \"start\": %s", (gint64)info[i].size, (gint64)info[i].jump, start);
        if (sized)
            g_string_append_printf(s, ", \"map\": %d", info[i].out_size);
        printf("%s}\n", s->str);
        g_string_free(s, TRUE);
    }
}

/* --cover N: the fewest repetitions of the given block whose field spans N
 * pixels (n 3x3 convs see 2n+1: 500 of them for 1000 pixels). */
static int cover(GArray *layers, int n_pixels, gboolean json)
{
    int n = (int)layers->len, repeats = 0, status = GST_CNN_EXIT_OK;
    cnn_rf_layer *block = g_new(cnn_rf_layer, n);
    cnn_rf_info field;

    for (int i = 0; i < n; i++) {
        block[i] = g_array_index(layers, RfLayer, i).rf;
        if (g_array_index(layers, RfLayer, i).fc) {
            fprintf(stderr, "gst-cnn rf: --cover repeats a block; fc has no fixed kernel there\n");
            g_free(block);
            return GST_CNN_EXIT_USAGE;
        }
    }
    if (cnn_rf_layers_to_cover(block, n, n_pixels, &repeats, &field) != CNN_OK) {
        fprintf(stderr, "gst-cnn rf: %s\n", cnn_last_error());
        status = GST_CNN_EXIT_FAILED;
    } else if (json) {
        printf("{\"cover\": %d, \"repeats\": %d, \"layers\": %d, \"size\": %" G_GINT64_FORMAT
               ", \"jump\": %" G_GINT64_FORMAT "}\n",
               n_pixels, repeats, repeats * n, (gint64)field.size, (gint64)field.jump);
    } else {
        printf("%d x block of %d layer%s = %d layers: field %" G_GINT64_FORMAT " >= %d pixels\n",
               repeats, n, n == 1 ? "" : "s", repeats * n, (gint64)field.size, n_pixels);
    }
    g_free(block);
    return status;
}

/* Colours of the drawing: the centre output's field, output (0, 0)'s field,
 * the centre of every output (the jump grid). */
static const guint8 draw_centre[3] = { 255, 0, 0 }, draw_corner[3] = { 0, 255, 0 },
                    draw_grid[3] = { 0, 0, 255 };

static void put_pixel(guint8 *rgb, int w, int h, int x, int y, const guint8 *colour)
{
    if (x >= 0 && y >= 0 && x < w && y < h)
        memcpy(rgb + ((gsize)y * w + x) * 3, colour, 3);
}

/* Input pixels [*lo, *hi] covered by the field of output i along one axis. */
static void field_span(const cnn_rf_info *f, int i, int *lo, int *hi)
{
    double centre = f->start + (double)i * f->jump;
    *lo = (int)floor(centre - f->size / 2.0 + 1e-9);
    *hi = (int)ceil(centre + f->size / 2.0 - 1e-9) - 1;
}

static void draw_field(guint8 *rgb, int w, int h, const cnn_rf_info *fx, const cnn_rf_info *fy,
                       int ox, int oy, const guint8 *colour)
{
    int x0, x1, y0, y1;

    field_span(fx, ox, &x0, &x1);
    field_span(fy, oy, &y0, &y1);
    for (int x = x0; x <= x1; x++) {
        put_pixel(rgb, w, h, x, y0, colour);
        put_pixel(rgb, w, h, x, y1, colour);
    }
    for (int y = y0; y <= y1; y++) {
        put_pixel(rgb, w, h, x0, y, colour);
        put_pixel(rgb, w, h, x1, y, colour);
    }
}

/* --draw: the fields of one layer on an image (its width and height are the
 * input sizes of the two axes), written as PNG. */
static int draw(GArray *layers, int layer, const char *image, const char *output)
{
    int n = (int)layers->len, w = 0, h = 0, status = GST_CNN_EXIT_FAILED;
    cnn_rf_layer *rf = g_new(cnn_rf_layer, n);
    cnn_rf_info *ix = g_new(cnn_rf_info, n), *iy = g_new(cnn_rf_info, n);
    GError *error = NULL;
    guint8 *rgb = gst_cnn_image_load_rgb(image, &w, &h, &error);
    const cnn_rf_info *fx, *fy;

    if (!rgb || !compute(layers, w, rf, ix, &error) || !compute(layers, h, rf, iy, &error))
        goto fail;
    if (layer < 1 || layer > n) {
        g_set_error(&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "--layer %d: the stack has layers 1 to %d", layer, n);
        goto fail;
    }
    fx = &ix[layer - 1];
    fy = &iy[layer - 1];
    if (fx->out_size <= 256 && fy->out_size <= 256)
        for (int oy = 0; oy < fy->out_size; oy++)
            for (int ox = 0; ox < fx->out_size; ox++)
                put_pixel(rgb, w, h, (int)floor(fx->start + (double)ox * fx->jump),
                          (int)floor(fy->start + (double)oy * fy->jump), draw_grid);
    draw_field(rgb, w, h, fx, fy, 0, 0, draw_corner);
    draw_field(rgb, w, h, fx, fy, fx->out_size / 2, fy->out_size / 2, draw_centre);
    if (!gst_cnn_image_save_png(output, rgb, w, h, &error))
        goto fail;
    printf("layer %d (%s) on %dx%d: field %" G_GINT64_FORMAT "x%" G_GINT64_FORMAT ", jump %"
           G_GINT64_FORMAT "x%" G_GINT64_FORMAT ", map %dx%d; red: output (%d, %d), green: "
           "output (0, 0), blue: output centres -> %s\n",
           layer, rf[layer - 1].name, w, h, (gint64)fx->size, (gint64)fy->size, (gint64)fx->jump,
           (gint64)fy->jump, fx->out_size, fy->out_size, fx->out_size / 2, fy->out_size / 2, output);
    status = GST_CNN_EXIT_OK;
    goto done;

fail:
    fprintf(stderr, "gst-cnn rf: --draw: %s\n", error ? error->message : "failed");
    g_clear_error(&error);
done:
    g_free(rgb);
    g_free(rf);
    g_free(ix);
    g_free(iy);
    return status;
}

int gst_cnn_rf(int argc, char **argv)
{
    gint input_size = 0, cover_n = 0, layer = 0;
    gboolean json = FALSE;
    char *draw_image = NULL, *draw_output = NULL;
    GOptionEntry entries[] = {
        { "input-size", 'i', 0, G_OPTION_ARG_INT, &input_size, "also give feature-map sizes for an N x N input", "N" },
        { "json", 'j', 0, G_OPTION_ARG_NONE, &json, "one JSON object per layer: layer, size, jump, start", NULL },
        { "cover", 'c', 0, G_OPTION_ARG_INT, &cover_n, "how many repetitions of the stack see an N x N input", "N" },
        { "draw", 'd', 0, G_OPTION_ARG_FILENAME, &draw_image, "draw the fields of a layer on IMAGE (its size is the input size)", "IMAGE" },
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &draw_output, "PNG written by --draw", "OUT.png" },
        { "layer", 'l', 0, G_OPTION_ARG_INT, &layer, "layer drawn by --draw, from 1 (default: the last)", "L" },
        { NULL },
    };
    GOptionContext *ctx = g_option_context_new("STACK... - receptive fields of a stack of layers");
    GArray *layers = g_array_new(FALSE, TRUE, sizeof(RfLayer));
    GError *error = NULL;
    cnn_rf_layer *rf = NULL;
    cnn_rf_info *info = NULL;
    int status = GST_CNN_EXIT_USAGE, in_size;

    g_array_set_clear_func(layers, rf_layer_clear);
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "STACK: a gst-launch chain of cnn elements, e.g.\n"
        "  \"cnnconv kernel=sobel-x ! cnnpool kernel-size=2 ! cnnconv kernel=box dilation=2\"\n"
        "or compact layers: conv:k=3,s=1,p=1 pool:k=2,s=2 conv:k=3,d=2 (p=same pads as\n"
        "cnnconv: out = ceil(in / s), so at s > 1 start needs --input-size);\n"
        "xN repeats the layers since the previous xN; fc spans the whole remaining map.\n"
        "size: receptive field in input pixels; jump: input pixels between neighbouring\n"
        "outputs; start: centre of output 0's field (input pixel i spans [i, i+1)).\n"
        "Examples: gst-cnn rf --cover 1000 conv:k=3,p=1           (500 layers)\n"
        "          gst-cnn rf --cover 1000 conv:k=3,p=1 pool:k=2  (9 blocks, 18 layers)\n"
        "          gst-cnn rf --input-size 1000 conv:k=3,p=1 pool:k=2 x8 fc\n"
        "                     (the lecture's 17 layers: field 1278 >= 1000)\n"
        "          gst-cnn rf --draw photo.jpg -o fields.png conv:k=3,p=1 pool:k=2 x3");
    if (!gst_cnn_parse_options(ctx, &argc, &argv))
        goto done;
    if (argc < 2) {
        fprintf(stderr, "gst-cnn rf: give a stack of layers\nTry `gst-cnn rf --help`.\n");
        goto done;
    }
    if (input_size < 0 || cover_n < 0) {
        fprintf(stderr, "gst-cnn rf: --input-size and --cover take N >= 1\n");
        goto done;
    }
    if (!parse_stack(argv + 1, layers, &error))
        goto fail;
    if (cover_n) {
        status = cover(layers, cover_n, json);
        goto done;
    }
    if (draw_image) {
        if (!draw_output) {
            fprintf(stderr, "gst-cnn rf: --draw IMAGE needs -o OUT.png\n");
            goto done;
        }
        status = draw(layers, layer ? layer : (int)layers->len, draw_image, draw_output);
        goto done;
    }
    for (guint i = 0; i < layers->len; i++)
        if (g_array_index(layers, RfLayer, i).fc && !input_size) {
            fprintf(stderr, "gst-cnn rf: fc spans the whole map: give --input-size\n");
            goto done;
        }
    in_size = input_size;
    rf = g_new(cnn_rf_layer, layers->len);
    info = g_new(cnn_rf_info, layers->len);
    if (!compute(layers, in_size, rf, info, &error)) {
        fprintf(stderr, "gst-cnn rf: %s\n", error->message);
        g_error_free(error);
        status = GST_CNN_EXIT_FAILED;
        goto done;
    }
    if (json)
        print_json(layers, rf, info, input_size > 0);
    else
        print_table(layers, rf, info, in_size, input_size > 0);
    if (isnan(info[layers->len - 1].start))
        fprintf(stderr, "gst-cnn rf: padding=same with stride > 1 pads by the size of its "
                        "input: start is unknown without --input-size\n");
    status = GST_CNN_EXIT_OK;
    goto done;

fail:
    fprintf(stderr, "gst-cnn rf: %s\n", error->message);
    g_error_free(error);
done:
    g_free(rf);
    g_free(info);
    g_array_unref(layers);
    g_free(draw_image);
    g_free(draw_output);
    g_option_context_free(ctx);
    return status;
}
