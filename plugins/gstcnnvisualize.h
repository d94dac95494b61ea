#ifndef GST_CNN_VISUALIZE_H
#define GST_CNN_VISUALIZE_H

#include "gstcnnfilter.h"

G_BEGIN_DECLS

#define GST_TYPE_CNN_VISUALIZE (gst_cnn_visualize_get_type ())
G_DECLARE_FINAL_TYPE (GstCnnVisualize, gst_cnn_visualize, GST, CNN_VISUALIZE, GstCnnFilter)

GST_ELEMENT_REGISTER_DECLARE (cnnvisualize);

G_END_DECLS

#endif
