#ifndef GST_CNN_AUGMENT_H
#define GST_CNN_AUGMENT_H

#include "gstcnnfilter.h"

G_BEGIN_DECLS

#define GST_TYPE_CNN_AUGMENT (gst_cnn_augment_get_type ())
G_DECLARE_FINAL_TYPE (GstCnnAugment, gst_cnn_augment, GST, CNN_AUGMENT, GstCnnFilter)

GST_ELEMENT_REGISTER_DECLARE (cnnaugment);

G_END_DECLS

#endif
