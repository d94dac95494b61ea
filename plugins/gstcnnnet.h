#ifndef GST_CNN_NET_H
#define GST_CNN_NET_H

#include "gstcnnfilter.h"

G_BEGIN_DECLS

#define GST_TYPE_CNN_NET (gst_cnn_net_get_type ())
G_DECLARE_FINAL_TYPE (GstCnnNet, gst_cnn_net, GST, CNN_NET, GstCnnFilter)

GST_ELEMENT_REGISTER_DECLARE (cnnnet);

G_END_DECLS

#endif
