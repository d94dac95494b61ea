#ifndef GST_CNN_TENSORIZE_H
#define GST_CNN_TENSORIZE_H

#include "gstcnnfilter.h"

G_BEGIN_DECLS

#define GST_TYPE_CNN_TENSORIZE (gst_cnn_tensorize_get_type ())
G_DECLARE_FINAL_TYPE (GstCnnTensorize, gst_cnn_tensorize, GST, CNN_TENSORIZE, GstCnnFilter)

GST_ELEMENT_REGISTER_DECLARE (cnntensorize);

/* Parse "v" or "v0,v1,...": one value for every channel, or one each;
 * FALSE (and *n 0) on anything else. Shared by the elements with
 * per-channel properties. */
gboolean gst_cnn_parse_channel_values (const gchar * text, gfloat * values, guint max,
    guint * n);

G_END_DECLS

#endif
