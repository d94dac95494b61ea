/* GstCnnVideoFilter: the plumbing cnnconv and cnnedge share. It owns the
 * cnn_context (n-threads), enables QoS, answers the latency query with the
 * measured cost of a frame, turns a failed caps event into an error message
 * naming the property at fault, and maps video components to pixel planes. */
#ifndef GST_CNN_VIDEO_FILTER_H
#define GST_CNN_VIDEO_FILTER_H

#include <gst/gst.h>
#include <gst/video/video.h>
#include <gst/video/gstvideofilter.h>

#include "cnn/cnn.h"

G_BEGIN_DECLS

/* Formats both elements take, same format out. */
#define GST_CNN_VIDEO_FORMATS \
  "{ GRAY8, GRAY16_LE, RGB, BGR, RGBA, BGRA, RGBx, BGRx, I420, NV12 }"

#define GST_TYPE_CNN_VIDEO_FILTER (gst_cnn_video_filter_get_type ())
G_DECLARE_DERIVABLE_TYPE (GstCnnVideoFilter, gst_cnn_video_filter, GST, CNN_VIDEO_FILTER,
    GstVideoFilter)

struct _GstCnnVideoFilterClass
{
  GstVideoFilterClass parent_class;

  /* Filter one frame with the engine context; return FALSE after posting an
   * error. */
  gboolean (*filter) (GstCnnVideoFilter * self, cnn_context * ctx, GstVideoFrame * in,
      GstVideoFrame * out);
  /* Size workspaces for a new context (n-threads changed while streaming);
   * FALSE after posting an error. */
  gboolean (*plan) (GstCnnVideoFilter * self, cnn_context * ctx);
  /* Why these input caps cannot be negotiated, naming the property, or NULL
   * when the properties are fine (the peer then refused the output caps). */
  gchar *(*explain_caps) (GstCnnVideoFilter * self, GstCaps * incaps);
};

/* The context of the current n-threads, for set_info to size workspaces. */
cnn_context *gst_cnn_video_filter_context (GstCnnVideoFilter * self);

/* Properties set while streaming that cannot be used: one warning per
 * distinct message (naming the property); the element keeps the previous
 * values. */
void gst_cnn_video_filter_warn_properties (GstCnnVideoFilter * self, const gchar * msg);

/* Component comp of a mapped frame as a pixel plane (for RGB formats the
 * components are R, G, B, A whatever the byte order; for YUV Y, U, V). */
cnn_pixel_plane gst_cnn_component_plane (GstVideoFrame * frame, guint comp);

/* Sizes [*out_lo, *out_hi] on the other pad that sizes [in_lo, in_hi] on
 * this pad (direction as in transform_caps) correspond to, for width
 * (horizontal) or height; FALSE when none does. */
typedef gboolean (*GstCnnSizeMap) (gpointer user_data, GstPadDirection direction,
    gboolean horizontal, gint in_lo, gint in_hi, gint * out_lo, gint * out_hi);
/* transform_caps for elements whose output size depends only on the input
 * size: width and height of every structure mapped through map; structures
 * no size fits are dropped. */
GstCaps *gst_cnn_transform_size_caps (GstCaps * caps, GstPadDirection direction,
    GstCnnSizeMap map, gpointer user_data);

G_END_DECLS

#endif
