/* One result line per input: JSON lines (default) or CSV with a header.
 * Keys: file, status, frames, seconds, outputs, error. Each line is flushed
 * as soon as its input ends, so a killed run keeps what it reported. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gst-cnn.h"

struct GstCnnResults {
    FILE *out;
    gboolean own;
    GstCnnFormat format;
};

GstCnnResults *gst_cnn_results_open(const char *path, GstCnnFormat format, GError **error)
{
    GstCnnResults *r;
    FILE *out = stdout;

    if (path && strcmp(path, "-")) {
        out = fopen(path, "w");
        if (!out) {
            g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
                        "--results %s: %s", path, g_strerror(errno));
            return NULL;
        }
    }
    r = g_new0(GstCnnResults, 1);
    r->out = out;
    r->own = out != stdout;
    r->format = format;
    if (format == GST_CNN_FORMAT_CSV) {
        fputs("file,status,frames,seconds,outputs,error\n", out);
        fflush(out);
    }
    return r;
}

static void json_string(GString *s, const char *v)
{
    char *valid;

    if (!v) {
        g_string_append(s, "null");
        return;
    }
    /* file names need not be UTF-8; JSON must be */
    valid = g_utf8_make_valid(v, -1);
    g_string_append_c(s, '"');
    for (const unsigned char *c = (const unsigned char *)valid; *c; c++) {
        switch (*c) {
        case '"': g_string_append(s, "\\\""); break;
        case '\\': g_string_append(s, "\\\\"); break;
        case '\n': g_string_append(s, "\\n"); break;
        case '\r': g_string_append(s, "\\r"); break;
        case '\t': g_string_append(s, "\\t"); break;
        default:
            if (*c < 0x20)
                g_string_append_printf(s, "\\u%04x", *c);
            else
                g_string_append_c(s, *c);
        }
    }
    g_string_append_c(s, '"');
    g_free(valid);
}

void gst_cnn_json_append_string(GString *s, const char *v)
{
    json_string(s, v);
}

/* RFC 4180: quote when the field holds a comma, a quote or a line break. */
static void csv_field(GString *s, const char *v)
{
    if (!v)
        return;
    if (!strpbrk(v, ",\"\r\n")) {
        g_string_append(s, v);
        return;
    }
    g_string_append_c(s, '"');
    for (const char *c = v; *c; c++) {
        if (*c == '"')
            g_string_append_c(s, '"');
        g_string_append_c(s, *c);
    }
    g_string_append_c(s, '"');
}

void gst_cnn_results_write(GstCnnResults *r, const GstCnnResult *res)
{
    GString *s = g_string_new(NULL);
    guint n_out = res->outputs ? res->outputs->len : 0;
    char seconds[G_ASCII_DTOSTR_BUF_SIZE];

    g_ascii_formatd(seconds, sizeof seconds, "%.3f", res->seconds);
    if (r->format == GST_CNN_FORMAT_JSON) {
        g_string_append(s, "{\"file\": ");
        json_string(s, res->file);
        g_string_append(s, ", \"status\": ");
        json_string(s, res->status);
        g_string_append_printf(s, ", \"frames\": %" G_GUINT64_FORMAT ", \"seconds\": %s, \"outputs\": [",
                               res->frames, seconds);
        for (guint i = 0; i < n_out; i++) {
            if (i)
                g_string_append(s, ", ");
            json_string(s, g_ptr_array_index(res->outputs, i));
        }
        g_string_append(s, "], \"error\": ");
        json_string(s, res->error);
        g_string_append(s, "}\n");
    } else {
        GString *outs = g_string_new(NULL);
        for (guint i = 0; i < n_out; i++)
            g_string_append_printf(outs, "%s%s", i ? ";" : "", (char *)g_ptr_array_index(res->outputs, i));
        csv_field(s, res->file);
        g_string_append_c(s, ',');
        csv_field(s, res->status);
        g_string_append_printf(s, ",%" G_GUINT64_FORMAT ",%s,", res->frames, seconds);
        csv_field(s, outs->str);
        g_string_append_c(s, ',');
        csv_field(s, res->error);
        g_string_append_c(s, '\n');
        g_string_free(outs, TRUE);
    }
    fputs(s->str, r->out);
    fflush(r->out);
    g_string_free(s, TRUE);
}

void gst_cnn_results_write_classification(GstCnnResults *r, const GstCnnClassification *c)
{
    GString *s = g_string_new(NULL);
    char time[G_ASCII_DTOSTR_BUF_SIZE], conf[G_ASCII_DTOSTR_BUF_SIZE];

    g_ascii_formatd(time, sizeof time, "%.3f", c->time);
    g_ascii_formatd(conf, sizeof conf, "%.4f", c->confidence);
    if (r->format == GST_CNN_FORMAT_JSON) {
        g_string_append(s, "{\"file\": ");
        json_string(s, c->file);
        g_string_append_printf(s, ", \"frame\": %" G_GUINT64_FORMAT ", \"time\": %s, \"label\": ",
                               c->frame, time);
        json_string(s, c->label);
        g_string_append_printf(s, ", \"class-id\": %d, \"confidence\": %s}\n", c->class_id, conf);
    } else {
        char *out = g_strdup_printf("%s (%s)", c->label, conf);
        csv_field(s, c->file);
        g_string_append_printf(s, ",classified,%" G_GUINT64_FORMAT ",%s,", c->frame, time);
        csv_field(s, out);
        g_string_append(s, ",\n");
        g_free(out);
    }
    fputs(s->str, r->out);
    fflush(r->out);
    g_string_free(s, TRUE);
}

guint gst_cnn_results_report(GstCnnResults *r, GstCnnTally *tally, const char *file,
                             const char *status, guint64 frames, double seconds,
                             const char *output, const char *error)
{
    GPtrArray *outputs = g_ptr_array_new();
    GstCnnResult res = { file, status, frames, seconds, outputs, error };

    if (output)
        g_ptr_array_add(outputs, (gpointer)output);
    gst_cnn_results_write(r, &res);
    g_ptr_array_unref(outputs);
    if (!strcmp(status, "ok"))
        tally->ok++;
    else if (!strcmp(status, "skipped"))
        tally->skipped++;
    else
        tally->failed++;
    return tally->ok + tally->failed + tally->skipped;
}

void gst_cnn_results_close(GstCnnResults *r)
{
    if (!r)
        return;
    if (r->own)
        fclose(r->out);
    else
        fflush(r->out);
    g_free(r);
}
