#ifndef GST_CNN_DROPOUT_H
#define GST_CNN_DROPOUT_H

#include "gstcnnfilter.h"

G_BEGIN_DECLS

#define GST_TYPE_CNN_DROPOUT (gst_cnn_dropout_get_type ())
G_DECLARE_FINAL_TYPE (GstCnnDropout, gst_cnn_dropout, GST, CNN_DROPOUT, GstCnnFilter)

GST_ELEMENT_REGISTER_DECLARE (cnndropout);

G_END_DECLS

#endif
