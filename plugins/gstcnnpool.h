#ifndef GST_CNN_POOL_H
#define GST_CNN_POOL_H

#include "gstcnnfilter.h"

G_BEGIN_DECLS

#define GST_TYPE_CNN_POOL (gst_cnn_pool_get_type ())
G_DECLARE_FINAL_TYPE (GstCnnPool, gst_cnn_pool, GST, CNN_POOL, GstCnnFilter)

GST_ELEMENT_REGISTER_DECLARE (cnnpool);

G_END_DECLS

#endif
