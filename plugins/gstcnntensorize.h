#ifndef GST_CNN_TENSORIZE_H
#define GST_CNN_TENSORIZE_H

#include "gstcnnfilter.h"

G_BEGIN_DECLS

#define GST_TYPE_CNN_TENSORIZE (gst_cnn_tensorize_get_type ())
G_DECLARE_FINAL_TYPE (GstCnnTensorize, gst_cnn_tensorize, GST, CNN_TENSORIZE, GstCnnFilter)

GST_ELEMENT_REGISTER_DECLARE (cnntensorize);

G_END_DECLS

#endif
