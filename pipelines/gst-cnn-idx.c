/* idx data sets, gzip or raw (gst-cnn-idx.h). */
#include <string.h>

#include "gst-cnn-idx.h"

/* The whole file, gunzipped when it starts with gzip's magic. */
static GBytes *read_maybe_gzip(const char *path, GError **error)
{
    GFile *file = g_file_new_for_path(path);
    GInputStream *in = G_INPUT_STREAM(g_file_read(file, NULL, error));
    g_object_unref(file);
    if (!in)
        return NULL;
    GBufferedInputStream *buffered = G_BUFFERED_INPUT_STREAM(g_buffered_input_stream_new(in));
    g_object_unref(in);
    gsize avail = 0;
    const guint8 *head = NULL;
    if (g_buffered_input_stream_fill(buffered, 2, NULL, error) < 0) {
        g_object_unref(buffered);
        return NULL;
    }
    head = g_buffered_input_stream_peek_buffer(buffered, &avail);
    GInputStream *stream = G_INPUT_STREAM(buffered);
    if (avail >= 2 && head[0] == 0x1f && head[1] == 0x8b) {
        GZlibDecompressor *gz = g_zlib_decompressor_new(G_ZLIB_COMPRESSOR_FORMAT_GZIP);
        stream = g_converter_input_stream_new(G_INPUT_STREAM(buffered), G_CONVERTER(gz));
        g_object_unref(gz);
        g_object_unref(buffered);
    }
    GOutputStream *out = g_memory_output_stream_new_resizable();
    gssize n = g_output_stream_splice(out, stream, G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE |
                                                       G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                      NULL, error);
    g_object_unref(stream);
    GBytes *bytes = n < 0 ? NULL
                          : g_memory_output_stream_steal_as_bytes(G_MEMORY_OUTPUT_STREAM(out));
    g_object_unref(out);
    return bytes;
}

gboolean gst_cnn_idx_load(const char *path, int want_ndim, IdxFile *idx, GError **error)
{
    GError *read_error = NULL;
    memset(idx, 0, sizeof *idx);
    idx->bytes = read_maybe_gzip(path, &read_error);
    if (!idx->bytes) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", path, read_error->message);
        g_error_free(read_error);
        return FALSE;
    }
    gsize size;
    const guint8 *d = g_bytes_get_data(idx->bytes, &size);
    if (size < 4 || d[0] || d[1] || d[2] != 0x08 || d[3] != want_ndim ||
        size < 4 + 4 * (gsize)want_ndim) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                    "%s: not an idx file of unsigned bytes with %d dimensions", path,
                    want_ndim);
        return FALSE;
    }
    idx->ndim = want_ndim;
    idx->item_size = 1;
    for (int i = 0; i < want_ndim; i++) {
        const guint8 *p = d + 4 + 4 * i;
        guint32 v = (guint32)p[0] << 24 | (guint32)p[1] << 16 | (guint32)p[2] << 8 | p[3];
        if (v == 0 || v > (1u << 28)) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                        "%s: dimension %d is %u", path, i, v);
            return FALSE;
        }
        idx->dims[i] = (int)v;
        if (i > 0)
            idx->item_size *= v;
    }
    idx->count = (gsize)idx->dims[0];
    gsize header = 4 + 4 * (gsize)want_ndim, want = idx->count * idx->item_size;
    if (size - header != want) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                    "%s: %s: %" G_GSIZE_FORMAT " bytes of data, the header says %" G_GSIZE_FORMAT,
                    path, size - header < want ? "truncated" : "trailing bytes", size - header,
                    want);
        return FALSE;
    }
    idx->data = d + header;
    return TRUE;
}

void gst_cnn_idx_clear(IdxFile *idx)
{
    if (idx->bytes)
        g_bytes_unref(idx->bytes);
    memset(idx, 0, sizeof *idx);
}
