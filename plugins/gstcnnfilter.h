/* GstCnnFilter: the plumbing every cnn element shares, on video/x-raw and
 * on NNStreamer tensors (other/tensors) alike, either side independently
 * (cnntensorize: video in, tensor out). It owns the cnn_context
 * (n-threads), enables QoS, answers the latency query with the measured
 * cost of a frame, turns a failed caps event into an error message naming
 * the property at fault, maps video frames and tensor buffers, and maps
 * video components to pixel planes. */
#ifndef GST_CNN_FILTER_H
#define GST_CNN_FILTER_H

#include <gst/gst.h>
#include <gst/base/gstbasetransform.h>
#include <gst/video/video.h>

#include "cnn/cnn.h"
#include "gstcnnprops.h"
#include "gstcnnrf.h"
#include "gstcnntensorcaps.h"

G_BEGIN_DECLS

/* Video formats the elements take. */
#define GST_CNN_VIDEO_FORMATS \
  "{ GRAY8, GRAY16_LE, RGB, BGR, RGBA, BGRA, RGBx, BGRx, I420, NV12 }"

/* Caps of a pad that takes either: video of those formats or float32
 * tensors. */
#define GST_CNN_VIDEO_OR_TENSOR_CAPS \
  GST_VIDEO_CAPS_MAKE (GST_CNN_VIDEO_FORMATS) "; " GST_CNN_TENSOR_CAPS_MAKE ("float32")

/* What one pad negotiated: a video format or a tensor. */
typedef struct
{
  gboolean is_tensor;
  GstVideoInfo video;           /* !is_tensor */
  GstCnnTensorInfo tensor;      /* is_tensor */
} GstCnnFilterInfo;

/* One buffer mapped for the subclass. */
typedef struct
{
  const GstCnnFilterInfo *info;
  GstVideoFrame video;          /* video: the mapped frame */
  GstMapInfo map;               /* tensor: the packed data */
  cnn_tensor tensor;            /* float32 tensor: an N,C,H,W view of map.data */
} GstCnnFilterFrame;

#define GST_TYPE_CNN_FILTER (gst_cnn_filter_get_type ())
G_DECLARE_DERIVABLE_TYPE (GstCnnFilter, gst_cnn_filter, GST, CNN_FILTER, GstBaseTransform)

struct _GstCnnFilterClass
{
  GstBaseTransformClass parent_class;

  /* New caps: size buffers and pick per-format functions. Chain up first
   * (it makes the context). FALSE after posting an error. */
  gboolean (*set_info) (GstCnnFilter * self, GstCaps * incaps, const GstCnnFilterInfo * in,
      GstCaps * outcaps, const GstCnnFilterInfo * out);
  /* Filter one buffer with the engine context; FALSE after posting an
   * error. in == out when filtering in place (see in_place). */
  gboolean (*filter) (GstCnnFilter * self, cnn_context * ctx, GstCnnFilterFrame * in,
      GstCnnFilterFrame * out);
  /* Free what set_info allocated; called on stop and finalize (again after
   * stop: leave the pointers cleared). NULL: nothing to free. */
  void (*free_buffers) (GstCnnFilter * self);
  /* Size workspaces for a new context (n-threads changed while streaming);
   * FALSE after posting an error. NULL: nothing to size. */
  gboolean (*plan) (GstCnnFilter * self, cnn_context * ctx);
  /* Why these input caps (NULL: the properties alone) cannot be
   * negotiated, naming the property, or NULL when the properties are fine
   * (the peer then refused the output caps). NULL: always fine. */
  gchar *(*explain_caps) (GstCnnFilter * self, GstCaps * incaps);
  /* The element's spatial layers along x and y (at most
   * GST_CNN_RF_MAX_LAYERS) for the receptive-field query, on input in
   * (NULL before negotiation). NULL: pointwise. */
  guint (*rf_layers) (GstCnnFilter * self, const GstCnnFilterInfo * in, cnn_rf_layer * x,
      cnn_rf_layer * y);
  /* Whether filter can write its result over its input (called with
   * in == out) for these caps, the same on both pads; the base then filters
   * in place (GstBaseTransform copies a buffer that is not writable). Asked
   * on new caps. NULL: never. */
  gboolean (*in_place) (GstCnnFilter * self, const GstCnnFilterInfo * info);
  /* In place: whether filter will write into this buffer. TRUE maps it for
   * reading and writing (memory another buffer shares is then copied,
   * GStreamer's copy on write); FALSE for reading only, so a frame that is
   * only looked at is never copied (filter then sees a frame mapped without
   * GST_MAP_WRITE). Asked per buffer. NULL: it writes. */
  gboolean (*writes_in_place) (GstCnnFilter * self);
  /* The cost of a frame the latency query adds, ns (called without the
   * object lock). NULL: the smoothed cost of filter(). */
  GstClockTime (*latency_cost) (GstCnnFilter * self);
};

/* Parse fixed caps of either kind; FALSE when they are neither. */
gboolean gst_cnn_filter_info_from_caps (GstCnnFilterInfo * info, const GstCaps * caps);
/* Width, height and channels of a negotiated pad (video: components that
 * carry colour, 3 for RGB formats, 1 for gray and YUV's luma). */
void gst_cnn_filter_info_size (const GstCnnFilterInfo * info, gint * width, gint * height,
    gint * channels);

/* The context of the current n-threads, for set_info to size workspaces. */
cnn_context *gst_cnn_filter_context (GstCnnFilter * self);
/* Place of the buffer being filtered in the stream since start (0 first),
 * counting buffers passed through too. */
guint64 gst_cnn_filter_frame_number (GstCnnFilter * self);

/* avg followed by one more measured cost: an exponential average over ~8
 * frames (the cost itself first). */
GstClockTime gst_cnn_filter_smooth_cost (GstClockTime avg, GstClockTime cost);

/* Properties set while streaming that cannot be used: one warning per
 * distinct message (naming the property); the element keeps the previous
 * values. */
void gst_cnn_filter_warn_properties (GstCnnFilter * self, const gchar * msg);

/* Component comp of a mapped frame as a pixel plane (for RGB formats the
 * components are R, G, B, A whatever the byte order; for YUV Y, U, V). */
cnn_pixel_plane gst_cnn_component_plane (GstVideoFrame * frame, guint comp);

/* The first planes->shape[1] components of a video frame (those
 * gst_cnn_filter_info_size counts as channels) into the float planes of
 * planes [1, C, H, W], samples times scale. */
void gst_cnn_filter_unpack_video (cnn_context * ctx, GstVideoFrame * frame,
    cnn_tensor * planes, gfloat scale);
/* Back: the planes into the same components of out (x * scale + offset,
 * saturated), every other component (chroma, alpha) copied from in. */
void gst_cnn_filter_pack_video (cnn_context * ctx, const cnn_tensor * planes,
    GstVideoFrame * in, GstVideoFrame * out, gfloat scale, gfloat offset);

/* The end of every transform_caps: ret (taken) restricted to filter, and
 * logged. */
GstCaps *gst_cnn_filter_caps_result (GstBaseTransform * trans, GstPadDirection direction,
    GstCaps * caps, GstCaps * ret, GstCaps * filter);

/* Sizes [*out_lo, *out_hi] on the other pad that sizes [in_lo, in_hi] on
 * this pad (direction as in transform_caps) correspond to, for width
 * (horizontal) or height; FALSE when none does. */
typedef gboolean (*GstCnnSizeMap) (gpointer user_data, GstPadDirection direction,
    gboolean horizontal, gint in_lo, gint in_hi, gint * out_lo, gint * out_hi);
/* transform_caps for elements whose output size depends only on the input
 * size: width and height of every video structure, W and H of the
 * dimensions of every tensor structure (C and N kept), mapped through map;
 * structures no size fits are dropped. */
GstCaps *gst_cnn_transform_size_caps (GstCaps * caps, GstPadDirection direction,
    GstCnnSizeMap map, gpointer user_data);

G_END_DECLS

#endif
