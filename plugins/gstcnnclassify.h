#ifndef GST_CNN_CLASSIFY_H
#define GST_CNN_CLASSIFY_H

#include "gstcnnfilter.h"

G_BEGIN_DECLS

#define GST_TYPE_CNN_CLASSIFY (gst_cnn_classify_get_type ())
G_DECLARE_FINAL_TYPE (GstCnnClassify, gst_cnn_classify, GST, CNN_CLASSIFY, GstCnnFilter)

GST_ELEMENT_REGISTER_DECLARE (cnnclassify);

G_END_DECLS

#endif
