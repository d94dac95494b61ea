#ifndef GST_CNN_EDGE_H
#define GST_CNN_EDGE_H

#include "gstcnnfilter.h"

G_BEGIN_DECLS

#define GST_TYPE_CNN_EDGE (gst_cnn_edge_get_type ())
G_DECLARE_FINAL_TYPE (GstCnnEdge, gst_cnn_edge, GST, CNN_EDGE, GstCnnFilter)

GST_ELEMENT_REGISTER_DECLARE (cnnedge);

G_END_DECLS

#endif
