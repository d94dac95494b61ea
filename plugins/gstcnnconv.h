#ifndef GST_CNN_CONV_H
#define GST_CNN_CONV_H

#include "gstcnnfilter.h"

G_BEGIN_DECLS

#define GST_TYPE_CNN_CONV (gst_cnn_conv_get_type ())
G_DECLARE_FINAL_TYPE (GstCnnConv, gst_cnn_conv, GST, CNN_CONV, GstCnnFilter)

GST_ELEMENT_REGISTER_DECLARE (cnnconv);

G_END_DECLS

#endif
