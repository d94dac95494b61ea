#ifndef GST_CNN_BATCHNORM_H
#define GST_CNN_BATCHNORM_H

#include "gstcnnfilter.h"

G_BEGIN_DECLS

#define GST_TYPE_CNN_BATCHNORM (gst_cnn_batchnorm_get_type ())
G_DECLARE_FINAL_TYPE (GstCnnBatchnorm, gst_cnn_batchnorm, GST, CNN_BATCHNORM, GstCnnFilter)

GST_ELEMENT_REGISTER_DECLARE (cnnbatchnorm);

G_END_DECLS

#endif
