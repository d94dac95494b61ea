/* idx data sets (the MNIST / Fashion-MNIST format), gzip or raw: the
 * reader shared by `gst-cnn train` and the cnn-model-eval test tool. */
#ifndef GST_CNN_IDX_H
#define GST_CNN_IDX_H

#include <gio/gio.h>

/* An idx file of unsigned bytes: dims[0] items of item_size bytes. */
typedef struct {
    GBytes *bytes;
    const guint8 *data;
    int ndim;
    int dims[4];
    gsize count, item_size;
} IdxFile;

/* Read path (gunzipped when it starts with gzip's magic) as an idx file of
 * unsigned bytes with want_ndim dimensions; FALSE with error naming the
 * file and the problem (unreadable, not idx, truncated, trailing bytes). */
gboolean gst_cnn_idx_load(const char *path, int want_ndim, IdxFile *idx, GError **error);
void gst_cnn_idx_clear(IdxFile *idx);

#endif
